"""Text from users on the command line: invalid UTF-8 on ``ask``'s stdin is replaced and the
next lines still answered; ``unanswered`` shows control characters and terminal escapes
escaped, so a question cannot rewrite the curator's screen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import cli_environment

from bot.escape import escape_controls
from bot.records import Records


def strict_cli(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m bot ARGS`` with strict UTF-8 on stdin and stdout (no lenient locale)."""
    strict = {"PYTHONIOENCODING": "utf-8:strict", "PYTHONUTF8": "0", "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        env=cli_environment({**strict, **(env or {})}),
        timeout=120,
    )


def test_ask_json_replaces_invalid_utf8_and_goes_on() -> None:
    result = strict_cli(
        "ask",
        "--json",
        stdin=b"what is the slogan?\n\xff\xfe turnover in 2020 \xc3\n who wrote the article?\n",
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    answers = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert [a["question"] for a in answers] == [
        "what is the slogan?",
        "\ufffd\ufffd turnover in 2020 \ufffd",
        " who wrote the article?",
    ]
    assert "133 billion" in answers[1]["answer"] and "Jersey" in answers[2]["answer"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[31mred alert\x1b[0m", "\\x1b[2J\\x1b[31mred alert\\x1b[0m"),
        ("first line\nsecond line\rthird", "first line\\nsecond line\\rthird"),
        ("bell\x07 and \u202eright-to-left", "bell\\x07 and \\u202eright-to-left"),
        ("Foshan 佛山 😀 stays as it is", "Foshan 佛山 😀 stays as it is"),
    ],
    ids=["terminal escapes", "line breaks", "bell and bidi override", "ordinary text"],
)
def test_unanswered_shows_control_characters_escaped(
    tmp_path: Path, text: str, shown: str
) -> None:
    records = Records(tmp_path)
    records.record_question(text, "en", "private", "decline", None, 0.1)
    result = strict_cli("unanswered", env={"BOT_DATA_DIR": str(tmp_path)})
    output = result.stdout.decode("utf-8")
    assert result.returncode == 0
    assert not any(char in output for char in "\x1b\x07\r\u202e")
    [entry] = [line for line in output.splitlines() if "1×" in line]  # one line per question
    assert shown in entry


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\x00b\x7fc\x9bd", "a\\x00b\\x7fc\\x9bd"),
        ("tab\there", "tab\\there"),
        ("lone \ud83d surrogate", "lone \\ud83d surrogate"),
        ("\u2066isolate\u2069 \u200fmark", "\\u2066isolate\\u2069 \\u200fmark"),
    ],
)
def test_escape_controls(text: str, shown: str) -> None:
    assert escape_controls(text) == shown


@pytest.mark.parametrize("command", ["report", "unanswered"])
@pytest.mark.parametrize(
    ("since", "shown"),
    [
        ("1000000000d", "'1000000000d' is not a period"),
        ("999999999d", "'999999999d' is not a period"),
        ("\x1b[31mX", "'\\x1b[31mX' is not a period"),
        ("7" * 100_000 + "x", "'" + "7" * 79 + "…' is not a period"),
    ],
    ids=["too many days", "before year 1", "terminal escape", "100 kB"],
)
def test_a_bad_since_is_one_short_escaped_error_line(
    tmp_path: Path, command: str, since: str, shown: str
) -> None:
    result = strict_cli(command, "--since", since, env={"BOT_DATA_DIR": str(tmp_path)})
    error = result.stderr.decode("utf-8")
    assert result.returncode == 2, error
    assert error.splitlines() == [f"error: {shown} like 7d, 12h or a date like 2026-11-01"]


def test_ask_echoes_the_part_not_held_escaped() -> None:
    result = strict_cli("ask", "who founded Midea? Also what is its \x1b[31mstock price today?")
    output = result.stdout.decode("utf-8")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert "1968" in output and "\x1b" not in output
    assert "\n  - what is its \\x1b[31mstock price today\n" in output
