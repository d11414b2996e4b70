"""Settings as an operator gives them: every unusable one stops ``run`` with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_telegram import TOKEN
from helpers import run_cli

# A closed loopback port as the Bot API: a setting wrongly accepted makes the bot fail to start
# here (and the test fail) instead of reaching anything outside the machine.
OFFLINE = {"TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"}


def one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    """The single line a refused start prints (exit 1 like every failed start, pointing to
    ``doctor``; nothing else, never a traceback)."""
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "Traceback" not in result.stderr
    assert line.endswith("Run `python -m bot doctor` to check the whole setup.")
    assert result.stdout == ""
    return line


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("BOT_LOG_LEVEL", "LOUD"),
        ("BOT_LOG_LEVEL", "10"),
        ("BOT_WEBHOOK_PORT", "99999"),
        ("BOT_WEBHOOK_PORT", "0"),
        ("BOT_WEBHOOK_PORT", "https"),
        ("BOT_ADMIN_IDS", "12345,alice"),
        ("BOT_ADMIN_IDS", "12345;67890"),
        ("BOT_WEBHOOK_URL", "http://bot.example.org/hook"),
        ("BOT_RETENTION_DAYS", "0"),
        ("BOT_RETENTION_DAYS", "ninety"),
        ("TELEGRAM_API_BASE_URL", "ftp://127.0.0.1/bot"),
        # Digits that are no ASCII digits (str.isdigit() says yes to them), and numbers too long
        # for any setting (int() refuses more than 4,300 digits).
        ("BOT_WEBHOOK_PORT", "²"),
        ("BOT_ADMIN_IDS", "¹²"),
        ("BOT_ADMIN_IDS", "12345,٦٧٨٩٠"),
        ("BOT_CONVERSATION_SECONDS", "٣٠٠"),
        pytest.param("BOT_RETENTION_DAYS", "9" * 5000, id="BOT_RETENTION_DAYS-5000 nines"),
        pytest.param("BOT_ADMIN_IDS", "1" * 5000, id="BOT_ADMIN_IDS-5000 digits"),
        pytest.param("BOT_WEBHOOK_PORT", "0" * 5000 + "8443", id="BOT_WEBHOOK_PORT-5004 digits"),
    ],
)
def test_an_unusable_setting_is_one_line_naming_it(setting: str, value: str) -> None:
    result = run_cli("run", env={"TELEGRAM_BOT_TOKEN": TOKEN, **OFFLINE, setting: value})
    line = one_error_line(result)
    assert setting in line
    assert len(line) < 300  # a value too long to read is described, not echoed
    assert TOKEN not in result.stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("BOT_WEBHOOK_PORT", "²"),
        ("BOT_ADMIN_IDS", "¹²"),
        pytest.param("BOT_RETENTION_DAYS", "9" * 5000, id="BOT_RETENTION_DAYS-5000 nines"),
    ],
)
def test_doctor_names_an_odd_number_setting_and_runs_every_check(
    tmp_path: Path, setting: str, value: str
) -> None:
    result = run_cli(
        "doctor", env={"BOT_DATA_DIR": str(tmp_path / "data"), **OFFLINE, setting: value}
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [failed] = [line for line in result.stdout.splitlines() if setting in line]
    assert failed.startswith("FAIL") and len(failed) < 300
    assert "fact base" in result.stdout  # the checks after it ran too


def test_a_malformed_token_is_named_but_never_shown() -> None:
    malformed = "123456789-this-is-no-token"
    line = one_error_line(run_cli("run", env={"TELEGRAM_BOT_TOKEN": malformed, **OFFLINE}))
    assert "TELEGRAM_BOT_TOKEN" in line and malformed not in line


def test_a_missing_token_file_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-token"
    result = run_cli("run", "--token-file", str(missing), env=OFFLINE)
    line = one_error_line(result)
    assert str(missing) in line and "No such file" in line


def test_an_empty_token_file_is_one_line_about_the_token(tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("\n", encoding="utf-8")
    line = one_error_line(run_cli("run", "--token-file", str(empty), env=OFFLINE))
    assert "token" in line


def test_a_malformed_token_file_is_named_but_its_content_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("123456789-this-is-no-token\n", encoding="utf-8")
    result = run_cli("run", "--token-file", str(secret), env=OFFLINE)
    one_error_line(result)
    assert "this-is-no-token" not in result.stderr
