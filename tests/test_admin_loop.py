"""Admin work that takes long never holds other users up: the bot runs in this process (so a
test can hold its grouping step), polling the local Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import string
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_telegram import TOKEN, FakeTelegram, serve, stop
from helpers import seed_declined

import bot.telegram_app as telegram_app
from bot.config import Settings
from bot.engine import Engine
from bot.records import Records

ADMIN = 4242


@contextlib.contextmanager
def running(application) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Run the application's polling loop in a thread until the block ends."""
    loop = asyncio.new_event_loop()
    stopping = asyncio.Event()
    ready = threading.Event()

    async def main() -> None:
        async with application:
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            await application.start()
            ready.set()
            await stopping.wait()
            await application.updater.stop()
            await application.stop()
        # What bot.serve does at stop: close the update inbox and the recorder, whose SQLite
        # connections would otherwise be collected later, in another test (a ResourceWarning).
        await asyncio.to_thread(application.update_queue.inbox.close)
        await asyncio.to_thread(application.bot_data["state"].recorder.close)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),))
    thread.start()
    try:
        assert ready.wait(60)
        yield
    finally:
        loop.call_soon_threadsafe(stopping.set)
        thread.join(60)
        loop.close()


def long_distinct_questions(count: int) -> list[str]:
    chooser = random.Random(3)
    vocabulary = ["".join(chooser.choices(string.ascii_lowercase, k=7)) for _ in range(3000)]
    return [" ".join(chooser.choices(vocabulary, k=60)) + "?" for _ in range(count)]


def test_other_users_are_answered_while_unanswered_is_grouped(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_declined(tmp_path, long_distinct_questions(1200) + ["midea employees?"] * 3)
    records = Records(tmp_path)
    grouping, release = threading.Event(), threading.Event()
    real = telegram_app.group_unanswered

    def held_grouping(*args, **kwargs):  # type: ignore[no-untyped-def]
        grouping.set()
        release.wait(60)  # until another user has been answered (or the test gave up)
        return real(*args, **kwargs)

    monkeypatch.setattr(telegram_app, "group_unanswered", held_grouping)
    fake = FakeTelegram()
    server, url = serve(fake)
    settings = Settings(token=TOKEN, api_base_url=url, admin_ids=frozenset({ADMIN}))
    application = telegram_app.build_application(settings, engine, records)
    try:
        with running(application):
            fake.send_message("/unanswered", user_id=ADMIN)
            fake.wait_for(grouping.is_set)
            fake.send_message("what is the slogan?", user_id=5)
            try:
                other = fake.wait_for_replies(5, 1, timeout=20)[0]
            finally:
                release.set()
            assert "Where there is a home" in other.visible_text
            parts = fake.wait_for_replies(ADMIN, 2)  # ten long questions: two messages
            listed = "\n".join(part.visible_text for part in parts)
    finally:
        stop(fake, server)
    assert listed.splitlines()[1] == "1. 3 × midea employees?"
    # Ten entries, then each entry's likely facts (or "needs a new fact").
    assert len(re.findall(r"^\d+\. \d+ × ", listed, re.MULTILINE)) == 10
    assert len(re.findall(r"^\d+\. → ", listed, re.MULTILINE)) == 10
