"""Starting and stopping ``python -m bot run``.

A failed start is one clear line naming the cause and pointing to ``python -m bot doctor``,
exit 1, no traceback (unless ``BOT_LOG_LEVEL=DEBUG``), and never the token or the webhook
secret. Each case runs the real command against the local Bot API stand-in, a loopback port
nobody listens on, or (for DNS and an unreachable network) inside a network namespace of its
own, where nothing leaves the machine. A good start and stop leave no warnings about tasks, a
SIGHUP while starting is not fatal, and Telegram is asked only for the updates the bot handles."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bot_process import start_bot
from conftest import Api, isolated_network_available
from fake_telegram import TOKEN, ApiError, FakeTelegram, serve, stop

from bot.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
OTHER_TOKEN = "987654321:ANOTHER-token_the-stand-in-rejects-ZZ"
SECRET = "webhook-Secret_never-shown-42"


@dataclass
class Setup:
    """What one failing start-up needs: settings, arguments, and whether it runs cut off."""

    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    isolated: bool = False


def run(setup: Setup, api: Api, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.url,
            "BOT_DATA_DIR": str(tmp_path / "data"),
            "BOT_LOG_LEVEL": "INFO",
        }
    )
    env.update(setup.env)
    command = [sys.executable, "-m", "bot", "run", *setup.args]
    if setup.isolated:
        if not isolated_network_available():
            pytest.skip("needs `unshare -n` to fail DNS and the network without sending anything")
        command = ["unshare", "-n", *command]
    try:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail("the bot neither started nor gave up")


def rejected_token(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(env={"TELEGRAM_BOT_TOKEN": OTHER_TOKEN})


def server_error(api: Api, port: int, tmp_path: Path) -> Setup:
    api.fake.fail("getMe", None, ApiError(500, "Internal Server Error"))
    return Setup()


def connection_refused(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(env={"TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"})


def network_unreachable(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(isolated=True)


def dns_failure(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(env={"TELEGRAM_API_BASE_URL": "http://api.bot-test.invalid/bot"}, isolated=True)


def webhook_refused(api: Api, port: int, tmp_path: Path) -> Setup:
    api.fake.fail(
        "setWebhook",
        None,
        ApiError(
            400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
        ),
    )
    return Setup(env=webhook_env(port))


def webhook_port_taken(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(env=webhook_env(api.port))  # the stand-in listens there


def webhook_env(port: int) -> dict[str, str]:
    return {
        "BOT_WEBHOOK_URL": "https://bot.example.invalid/hook",
        "BOT_WEBHOOK_LISTEN": "127.0.0.1",
        "BOT_WEBHOOK_PORT": str(port),
        "BOT_WEBHOOK_SECRET": SECRET,
    }


def unreadable_token_file(api: Api, port: int, tmp_path: Path) -> Setup:
    return Setup(args=["--token-file", str(tmp_path / "no-such-token")])


FAILURES: list[tuple[Callable[[Api, int, Path], Setup], str]] = [
    (rejected_token, "Telegram rejected the bot token"),
    (server_error, "the Bot API at 127.0.0.1:{api} failed: Internal Server Error"),
    (connection_refused, "cannot connect to the Bot API at 127.0.0.1:{port} (Connection refused)"),
    (
        network_unreachable,
        "cannot connect to the Bot API at 127.0.0.1:{api} (Network is unreachable)",
    ),
    (dns_failure, "cannot look up the Bot API host api.bot-test.invalid (DNS:"),
    (
        webhook_refused,
        "Telegram refused the webhook: Bad webhook: failed to resolve host",
    ),
    (webhook_port_taken, "cannot listen for the webhook on 127.0.0.1:{api}"),
    (unreadable_token_file, "cannot read --token-file"),
]


@pytest.mark.parametrize(
    ("make", "cause"), FAILURES, ids=[make.__name__.replace("_", " ") for make, _ in FAILURES]
)
def test_a_failed_start_is_one_line_with_the_cause_and_no_secret(
    api: Api,
    closed_port: int,
    tmp_path: Path,
    make,
    cause: str,  # type: ignore[no-untyped-def]
) -> None:
    result = run(make(api, closed_port, tmp_path), api, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors == result.stderr.splitlines()[-1:]
    assert cause.format(api=api.port, port=closed_port) in errors[0]
    assert "python -m bot doctor" in errors[0]
    for secret in (TOKEN, TOKEN.split(":")[1], OTHER_TOKEN.split(":")[1], SECRET):
        assert secret not in output


def test_debug_level_shows_the_traceback_still_without_the_token(api: Api, tmp_path: Path) -> None:
    result = run(
        Setup(env={"TELEGRAM_BOT_TOKEN": OTHER_TOKEN, "BOT_LOG_LEVEL": "DEBUG"}), api, tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" in output and "InvalidToken" in output
    assert OTHER_TOKEN.split(":")[1] not in output


def test_settings_never_show_the_secrets_in_their_repr() -> None:
    settings = load_settings(
        environ={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_WEBHOOK_URL": "https://bot.example.org/hook",
            "BOT_WEBHOOK_SECRET": SECRET,
        }
    )
    assert TOKEN.split(":")[1] not in repr(settings) and SECRET not in repr(settings)


# --------------------------------------------------------------------------------------------
# A good start and stop
# --------------------------------------------------------------------------------------------

NOISE = (
    "PTBUserWarning",
    "Task was destroyed but it is pending",
    "was never awaited",
    "Traceback",
    "ERROR",
)


def test_start_and_stop_leave_no_warnings_and_poll_only_for_handled_updates(
    api: Api, tmp_path: Path
) -> None:
    bot = start_bot(api.url, tmp_path)
    try:
        bot.wait_ready(api.fake)
        api.fake.send_message("what is the slogan?", user_id=31)
        assert "Where there is a home" in api.fake.wait_for_replies(31, 1)[0].visible_text
    finally:
        log = bot.stop()
    assert bot.process.returncode == 0
    assert [noise for noise in NOISE if noise in log] == []
    assert api.fake.polled_with["allowed_updates"] == ["message", "callback_query", "inline_query"]


@pytest.mark.parametrize("slow_method", ["getMe", "setMyCommands"])
def test_sighup_while_starting_is_remembered_not_fatal(
    api: Api, tmp_path: Path, slow_method: str
) -> None:
    knowledge = shutil.copytree(ROOT / "knowledge", tmp_path / "knowledge")
    api.fake.holds[slow_method] = threading.Event()
    bot = start_bot(api.url, tmp_path / "bot", BOT_KNOWLEDGE_DIR=str(knowledge))
    try:
        api.fake.wait_for(lambda: bot.alive() and slow_method in api.fake.held_calls, timeout=60)
        slogan = knowledge / "industries.yaml"
        slogan.write_text(
            slogan.read_text(encoding="utf-8").replace(
                "Where there is a home, there are products made in Foshan",
                "Wherever there is a home, you find products made in Foshan",
            ),
            encoding="utf-8",
        )
        bot.send_signal(signal.SIGHUP)
        api.fake.holds[slow_method].set()
        users = itertools.count(40)
        api.fake.wait_for(lambda: "Wherever there is a home" in slogan_reply(api, next(users)))
        assert bot.alive()
    finally:
        bot.stop()


def slogan_reply(api: Api, user: int) -> str:
    api.fake.send_message("/slogan", user_id=user)
    return str(api.fake.wait_for_replies(user, 1)[0].visible_text)


def test_sigterm_stops_a_bot_waiting_out_a_retry_pause_after_the_bot_api_went_away(
    tmp_path: Path,
) -> None:
    # After a failed getUpdates, python-telegram-bot pauses before the next one: up to 30 s
    # after network errors, or as long as a 429 says. Here the pause is an hour, so a bot that
    # waits it out before stopping cannot pass for one that stops.
    fake = FakeTelegram()
    server, url = serve(fake)
    bot = start_bot(url, tmp_path, BOT_LOG_LEVEL="DEBUG")
    try:
        bot.wait_ready(fake)
        fake.fail("getUpdates", None, 3600)
        fake.wait_for(lambda: bot.alive() and "Failed run number" in bot.log())  # it pauses
    finally:
        stop(fake, server)  # and the Bot API is gone, as for an orphaned bot
    try:
        bot.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            bot.process.wait(timeout=60)
        assert bot.process.poll() == 0, bot.log()[-2000:]
    finally:
        bot.process.kill()
        bot.process.wait()
