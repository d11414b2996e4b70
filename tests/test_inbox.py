"""The update inbox: kept until handled, re-deliveries recognised, poison updates dropped."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

import pytest

from bot.inbox import MAX_ATTEMPTS, PURGE_EVERY, Inbox


async def test_updates_wait_in_the_inbox_until_handled(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    try:
        assert [await inbox.add(n, {"update_id": n}) for n in (1, 2, 3)] == [True] * 3
        await inbox.done(2)
    finally:
        inbox.close()
    after_a_crash = Inbox(tmp_path)
    try:
        pending = await after_a_crash.take_pending()
        assert [(p.update_id, p.payload) for p in pending] == [
            (1, {"update_id": 1}),
            (3, {"update_id": 3}),
        ]
        # Telegram delivers them again (they were never confirmed): not handled twice.
        assert [await after_a_crash.add(n, {"update_id": n}) for n in (1, 2, 3, 4)] == [
            False,
            False,
            False,
            True,
        ]
    finally:
        after_a_crash.close()


async def test_an_update_that_never_gets_handled_is_dropped_after_three_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(tmp_path)
    try:
        await inbox.add(7, {"update_id": 7})
        found = [len(await inbox.take_pending()) for _ in range(MAX_ATTEMPTS + 1)]
    finally:
        inbox.close()
    assert found == [1] * MAX_ATTEMPTS + [0]
    assert "dropped 1 updates that were not handled in 3 starts" in caplog.text


async def test_an_unusable_inbox_is_logged_once_and_updates_go_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    inbox = Inbox(blocker / "data")
    try:
        with caplog.at_level(logging.ERROR, logger="bot.inbox"):
            assert [await inbox.add(n, {"update_id": n}) for n in (1, 2)] == [True, True]
            await inbox.done(1)
            assert await inbox.take_pending() == []
    finally:
        inbox.close()
    assert len([r for r in caplog.records if "not usable" in r.getMessage()]) == 1


async def test_handled_update_ids_are_forgotten_after_two_days_while_the_bot_runs(
    tmp_path: Path,
) -> None:
    inbox = Inbox(tmp_path)
    try:
        await inbox.add(1, {"update_id": 1})
        await inbox.done(1)
        # Three days go by (the time each row keeps is what the purge looks at).
        with contextlib.closing(sqlite3.connect(inbox.path)) as db, db:
            db.execute("UPDATE updates SET received_at = '2000-01-01T00:00:00'")
        for update_id in range(2, PURGE_EVERY + 2):
            await inbox.add(update_id, {"update_id": update_id})
            await inbox.done(update_id)
        with contextlib.closing(sqlite3.connect(inbox.path)) as db:
            kept = [row[0] for row in db.execute("SELECT update_id FROM updates LIMIT 3")]
    finally:
        inbox.close()
    assert kept == [
        2,
        3,
        4,
    ]  # the old one is gone; the recent ones stay to recognise re-deliveries
