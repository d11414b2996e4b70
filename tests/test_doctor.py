"""``python -m bot doctor``: every check runs even when one fails, nothing is changed, and each
way of failing to reach Telegram gets its own explanation."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Api, isolated_network_available
from fake_telegram import TOKEN, ApiError

OTHER_TOKEN = "987654321:ANOTHER-token_the-stand-in-rejects-ZZ"


def doctor(
    env: dict[str, str], cwd: Path, isolated: bool = False
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update(env)
    command = [sys.executable, "-m", "bot", "doctor"]
    if isolated:
        if not isolated_network_available():
            pytest.skip("needs `unshare -n` to fail DNS without sending anything")
        command = ["unshare", "-n", *command]
    return subprocess.run(
        command, capture_output=True, text=True, env=environment, cwd=cwd, timeout=120
    )


def checks(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    """(status, check name) of each line."""
    return [(line[:4].strip(), line[5:].split(":")[0]) for line in result.stdout.splitlines()]


def test_every_check_runs_when_several_fail(tmp_path: Path) -> None:
    result = doctor(
        {
            "TELEGRAM_BOT_TOKEN": "not-a-token",
            "BOT_LOG_LEVEL": "LOUD",
            "BOT_WEBHOOK_URL": "http://bot.example.org/hook",
            "BOT_DATA_DIR": str(tmp_path / "data"),
        },
        tmp_path,
    )
    assert result.returncode == 1
    assert checks(result) == [
        ("FAIL", "token"),
        ("FAIL", "Bot API"),
        ("FAIL", "configuration"),
        ("OK", "data directory"),
        ("OK", "fact base"),
        ("FAIL", "webhook"),
    ]
    assert "BOT_LOG_LEVEL must be" in result.stdout
    assert "BOT_WEBHOOK_URL must be an https:// address" in result.stdout


@pytest.mark.parametrize(
    "data_dir", [None, "state/bot/data"], ids=["default ./data", "nested folders"]
)
def test_doctor_creates_nothing(tmp_path: Path, data_dir: str | None) -> None:
    env = {"BOT_DATA_DIR": str(tmp_path / data_dir)} if data_dir else {}
    result = doctor(env, tmp_path)
    assert "OK   data directory" in result.stdout
    assert "will be created at the first start" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_doctor_leaves_an_existing_data_directory_untouched(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result = doctor({"BOT_DATA_DIR": str(tmp_path / "data")}, tmp_path)
    assert "OK   data directory" in result.stdout and "writable" in result.stdout
    assert list((tmp_path / "data").iterdir()) == []


def test_an_unusable_data_directory_fails_its_check(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = doctor({"BOT_DATA_DIR": str(blocker / "data")}, tmp_path)
    assert (
        f"FAIL data directory: {blocker / 'data'}: it cannot be created: {blocker} is not a folder"
        in result.stdout
    )


def _linux_only(path: str) -> Path:
    if not Path("/sys/kernel").is_dir() or not Path("/proc/self").is_dir():
        pytest.skip("needs Linux's /sys and /proc")
    return Path(path)


def _database_is_a_folder(tmp_path: Path) -> Path:
    (tmp_path / "data" / "curation.sqlite3").mkdir(parents=True)
    return tmp_path / "data"


def _database_is_damaged(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "curation.sqlite3").write_bytes(b"this is not a database" * 100)
    return tmp_path / "data"


@pytest.mark.parametrize(
    ("data_dir", "problem"),
    [
        # Folders that permission bits call writable (to root, everything is), that still refuse.
        (lambda _: _linux_only("/sys/kernel"), "no file can be written in it"),
        (lambda _: _linux_only("/sys/foshan-bot-data"), "it cannot be created"),
        (lambda _: _linux_only("/proc/foshan-bot-data"), "it cannot be created"),
        (_database_is_a_folder, "curation.sqlite3 is not a file the bot can read and write"),
        (_database_is_damaged, "curation.sqlite3 is not an SQLite database (move it away"),
    ],
    ids=[
        "sysfs folder",
        "folder in sysfs",
        "folder in procfs",
        "database is a folder",
        "database is damaged",
    ],
)
def test_the_data_directory_check_tells_the_truth_to_root_too(
    tmp_path: Path, data_dir: Callable[[Path], Path], problem: str
) -> None:
    folder = data_dir(tmp_path)
    before, existed = sorted(tmp_path.rglob("*")), folder.exists()
    result = doctor({"BOT_DATA_DIR": str(folder)}, tmp_path)
    [line] = [line for line in result.stdout.splitlines() if "data directory" in line]
    assert line.startswith(f"FAIL data directory: {folder}: {problem}"), line
    assert line.endswith("; set BOT_DATA_DIR to a writable folder")
    # It tried, and left nothing behind (the folders in /sys and /proc are outside tmp_path).
    assert sorted(tmp_path.rglob("*")) == before and folder.exists() == existed


def rejected_token(api: Api, port: int) -> tuple[dict[str, str], bool]:
    return {"TELEGRAM_BOT_TOKEN": OTHER_TOKEN}, False


def connection_refused(api: Api, port: int) -> tuple[dict[str, str], bool]:
    return {"TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot"}, False


def dns_failure(api: Api, port: int) -> tuple[dict[str, str], bool]:
    return {"TELEGRAM_API_BASE_URL": "http://api.bot-test.invalid/bot"}, True


def server_error(api: Api, port: int) -> tuple[dict[str, str], bool]:
    api.fake.fail("getMe", None, ApiError(500, "Internal Server Error"))
    return {}, False


@pytest.mark.parametrize(
    ("make", "verdict"),
    [
        (
            rejected_token,
            "FAIL Bot API: getMe at 127.0.0.1:{api}: Telegram rejected the bot token",
        ),
        (
            connection_refused,
            "FAIL Bot API: getMe at 127.0.0.1:{port}: cannot connect to the Bot API at "
            "127.0.0.1:{port} (Connection refused)",
        ),
        (
            dns_failure,
            "FAIL Bot API: getMe at api.bot-test.invalid: cannot look up the Bot API host "
            "api.bot-test.invalid (DNS:",
        ),
        (
            server_error,
            "FAIL Bot API: getMe at 127.0.0.1:{api}: the Bot API at 127.0.0.1:{api} failed: "
            "Internal Server Error",
        ),
    ],
    ids=["rejected token", "connection refused", "DNS failure", "server error"],
)
def test_doctor_tells_a_rejected_token_from_network_failures(
    api: Api,
    closed_port: int,
    tmp_path: Path,
    make,
    verdict: str,  # type: ignore[no-untyped-def]
) -> None:
    env, isolated = make(api, closed_port)
    result = doctor(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.url,
            "BOT_DATA_DIR": str(tmp_path / "data"),
            **env,
        },
        tmp_path,
        isolated,
    )
    assert result.returncode == 1
    [line] = [line for line in result.stdout.splitlines() if " Bot API: " in line]
    assert line.startswith(verdict.format(api=api.port, port=closed_port))
    assert checks(result)[2:] == [
        ("OK", "configuration"),
        ("OK", "data directory"),
        ("OK", "fact base"),
        ("OK", "mode"),
    ]
    for secret in (TOKEN.split(":")[1], OTHER_TOKEN.split(":")[1]):
        assert secret not in result.stdout + result.stderr
