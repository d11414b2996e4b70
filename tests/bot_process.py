"""``python -m bot run`` as an operator runs it, against the local Bot API stand-in on 127.0.0.1,
and small builders for acting as its users.

Each bot writes its log to a file of its own (never an unread pipe that could fill up and stall
it), so a test can read what its bot logged while it runs, and no test reads another's log.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_telegram import BOT_ID, BOT_USERNAME, TOKEN, Call, FakeTelegram, serve, stop


def bot_environment(url: str, data: Path, **settings: str) -> dict[str, str]:
    """The process environment: the stand-in's URL and token, and no settings from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": url,
            "BOT_LOG_LEVEL": "INFO",
            "BOT_DATA_DIR": str(data),
        }
    )
    env.update(settings)
    return env


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the bot has written to stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stdout(self) -> str:
        return self.log_path.with_name("stdout.log").read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        """True while it runs; a bot that died fails the waiting test at once, with its log."""
        if self.process.poll() is None:
            return True
        raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.log()}")

    def wait_ready(self, fake: FakeTelegram, timeout: float = 60, menus: int = 2) -> None:
        """Until the bot has set its command menus (English and Chinese; ``menus`` counts those
        of earlier bots on the same stand-in too) and then polls: it has finished starting,
        signal handlers included."""
        fake.wait_for(lambda: self.alive() and len(fake.sent("setMyCommands")) >= menus, timeout)
        polls = fake.polls
        fake.wait_for(lambda: self.alive() and fake.polls > polls, timeout)

    def send_signal(self, number: int) -> None:
        self.process.send_signal(number)

    def stop(self) -> str:
        """Stop it like an operator would (SIGINT) and return what it logged."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.log()


def start_bot(
    url: str, directory: Path, *args: str, data: Path | None = None, **settings: str
) -> BotProcess:
    """Start ``python -m bot run ARGS``; its log and (unless given) its data go in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    env = bot_environment(url, data or directory / "data", **settings)
    log_path = directory / "bot.log"
    with log_path.open("wb") as log, (directory / "stdout.log").open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", *args], env=env, stdout=out, stderr=log
        )
    return BotProcess(process, log_path)


@contextmanager
def running_bot(
    directory: Path, *args: str, ready: bool = True, **settings: str
) -> Iterator[tuple[FakeTelegram, BotProcess]]:
    """A stand-in and a bot polling it; both stopped afterwards, and the token never logged."""
    fake = FakeTelegram()
    server, url = serve(fake)
    bot = start_bot(url, directory, *args, **settings)
    try:
        if ready:
            bot.wait_ready(fake)
        yield fake, bot
    finally:
        log = bot.stop() + bot.stdout()
        stop(fake, server)
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


# ------------------------------------------------------------------------ acting as users

_users = itertools.count(10_000)


def new_user() -> int:
    """A fresh user (and private chat) per use, so no two tests share a chat or a flood limit."""
    return next(_users)


def buttons(call: Call) -> list[dict[str, Any]]:
    """The inline buttons under a message the bot sent, row after row."""
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def bot_message(call: Call) -> dict[str, Any]:
    """The message as Telegram would show it to the user (for pressing its buttons)."""
    chat_id = call.params["chat_id"]
    return {
        "message_id": 1,
        "date": 0,
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot", "username": BOT_USERNAME},
        "text": call.visible_text,
        "reply_markup": call.params.get("reply_markup"),
    }
