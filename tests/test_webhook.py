"""The webhook server on loopback: a request is judged on its headers before its body is read
(403 without the right secret, 413 over the size cap), Telegram is asked only for the update
kinds the bot handles, and an update that cannot be read is skipped without stopping the bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from bot_process import BotProcess, start_bot
from conftest import Api
from fake_telegram import TOKEN, FakeTelegram

from bot.webhook import MAX_UPDATE_BYTES, webhook_server

SECRET = "s3cret-Token_for-the-hook"


@dataclass
class Hook:
    fake: FakeTelegram
    port: int
    bot: BotProcess


@pytest.fixture
def hook(api: Api, closed_port: int, tmp_path: Path) -> Iterator[Hook]:
    bot = start_bot(
        api.url,
        tmp_path,
        BOT_WEBHOOK_URL="https://bot.example.invalid/hook",
        BOT_WEBHOOK_LISTEN="127.0.0.1",
        BOT_WEBHOOK_PORT=str(closed_port),
        BOT_WEBHOOK_SECRET=SECRET,
    )
    try:
        api.fake.wait_for(lambda: bot.alive() and api.fake.sent("setWebhook"), timeout=60)
        api.fake.wait_for(lambda: listening(closed_port))
        yield Hook(api.fake, closed_port, bot)
    finally:
        log = bot.stop()
        assert SECRET not in log and TOKEN.split(":")[1] not in log


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def send(port: int, head: dict[str, str], body: bytes) -> bytes:
    """Send a POST's headers and ``body`` (perhaps only the start of what the headers announce)
    and return the status line the server answers, without its reason phrase (Python 3.13 calls
    413 "Content Too Large", earlier versions "Request Entity Too Large"). The body goes out
    from a thread, so an answer that comes before all of it is read; the timeout only guards
    against a hang."""
    lines = ["POST /hook HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in head.items()]

    def write() -> None:
        with contextlib.suppress(OSError):  # the server may hang up before taking it all
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        writer = threading.Thread(target=write)
        writer.start()
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n" not in answer:
                received = connection.recv(4096)
                if not received:
                    break
                answer += received
        writer.join()
    return b" ".join(answer.split(b"\r\n")[0].split(b" ")[:2])


def message_update(update_id: int, user: int, text: str) -> dict[str, object]:
    chat = FakeTelegram.private_chat(user)
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": chat,
            "from": FakeTelegram.user(user),
            "text": text,
        },
    }


def test_the_webhook_asks_only_for_handled_updates(hook: Hook) -> None:
    [registered] = hook.fake.sent("setWebhook")
    assert registered.params["allowed_updates"] == ["message", "callback_query", "inline_query"]


@pytest.mark.parametrize(
    ("head", "status"),
    [
        ({"Content-Length": "100000000"}, b"HTTP/1.1 403"),
        (
            {"Content-Length": "100000000", "X-Telegram-Bot-Api-Secret-Token": "wrong"},
            b"HTTP/1.1 403",
        ),
        (
            {
                "Content-Length": str(MAX_UPDATE_BYTES + 1),
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            },
            b"HTTP/1.1 413",
        ),
    ],
    ids=["no secret", "wrong secret", "over the cap with the secret"],
)
def test_a_request_is_refused_on_its_headers_before_its_body_is_read(
    hook: Hook, head: dict[str, str], status: bytes
) -> None:
    # Only 1 KiB of the announced body is ever sent: an answer proves nothing waited for it.
    assert send(hook.port, head, b"{" + b" " * 1023) == status


def test_a_chunked_body_growing_past_the_cap_is_refused(hook: Hook) -> None:
    chunk = b" " * 65536
    body = b"".join(
        f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(MAX_UPDATE_BYTES // len(chunk) + 2)
    )
    head = {"Transfer-Encoding": "chunked", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert send(hook.port, head, body) == b"HTTP/1.1 413"


def test_an_unreadable_update_is_skipped_and_the_next_is_answered(hook: Hook) -> None:
    head = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    broken = b'{"update_id": 7, "message": {"message_id": "x"}}'
    assert send(hook.port, {**head, "Content-Length": str(len(broken))}, broken) == (
        b"HTTP/1.1 200"
    )
    hook.fake.chats[61] = FakeTelegram.private_chat(61)
    good = json.dumps(message_update(8, 61, "what is the slogan?")).encode()
    assert send(hook.port, {**head, "Content-Length": str(len(good))}, good) == (b"HTTP/1.1 200")
    assert "Where there is a home" in hook.fake.wait_for_replies(61, 1)[0].visible_text


def test_a_body_nested_too_deep_is_answered_200_logged_once_and_the_next_is_answered(
    hook: Hook,
) -> None:
    # Valid JSON, but deeper than json.loads can go (RecursionError, not ValueError).
    head = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    nested = b'{"update_id": 9, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert send(hook.port, {**head, "Content-Length": str(len(nested))}, nested) == (
        b"HTTP/1.1 200"
    )
    hook.fake.chats[62] = FakeTelegram.private_chat(62)
    good = json.dumps(message_update(10, 62, "what is the slogan?")).encode()
    assert send(hook.port, {**head, "Content-Length": str(len(good))}, good) == (b"HTTP/1.1 200")
    assert "Where there is a home" in hook.fake.wait_for_replies(62, 1)[0].visible_text
    skipped = [line for line in hook.bot.log().splitlines() if "webhook request" in line]
    assert len(skipped) == 1 and "RecursionError" in skipped[0], skipped


class BrokenQueue:
    """An update queue that fails in a way no one foresaw."""

    async def put(self, item: object) -> None:
        raise RuntimeError("the queue broke")


async def test_an_unexpected_failure_is_logged_once_without_the_secret(
    closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    application = SimpleNamespace(update_queue=BrokenQueue(), bot=None)
    server = webhook_server(application, "hook", SECRET)
    server.listen(closed_port, address="127.0.0.1")
    good = json.dumps(message_update(11, 63, "what is the slogan?")).encode()
    head = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Length": str(len(good))}
    try:
        status = await asyncio.get_running_loop().run_in_executor(
            None, send, closed_port, head, good
        )
    finally:
        server.stop()
    assert status == b"HTTP/1.1 500"  # Telegram sends it again later
    logged = [r for r in caplog.records if r.name.startswith(("bot", "tornado"))]
    assert [r.getMessage() for r in logged] == [
        "a webhook request failed (RuntimeError); answered 500, so Telegram sends it again"
    ]
    assert SECRET not in caplog.text
