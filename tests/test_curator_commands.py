"""The curators' commands as a curator runs them: recording from the terminal, what
`unanswered` and `report` read, and `unanswered --suggest`."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers import run_cli, seed_declined

from bot.curation import QuestionGroup
from bot.engine import Engine
from bot.records import DATABASE_NAME
from bot.suggest import format_suggested, suggest_facts, teach_command

TRIAL = "how many employees does midea have\nWhat was the turnover in 2020?\nhello\n"


def recorded(data: Path) -> list[tuple[str, str, str, str | None]]:
    if not (data / DATABASE_NAME).exists():
        return []
    with closing(sqlite3.connect(data / DATABASE_NAME)) as connection:
        return connection.execute(
            "SELECT question, chat_type, outcome, fact_id FROM questions ORDER BY id"
        ).fetchall()


def test_chat_records_like_the_bot_and_says_so(tmp_path: Path) -> None:
    result = run_cli("chat", stdin=TRIAL, env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1  # a one-line notice
    assert f"Recording declined questions to {tmp_path / DATABASE_NAME}" in result.stderr
    # Declines keep their text and the best candidate offered (whichever the fitted decision
    # ranks first), answers only the fact, smalltalk nothing, never who asked.
    declined = Engine.load().ask("how many employees does midea have")
    assert declined.outcome == "decline" and declined.candidates
    assert recorded(tmp_path) == [
        (
            "how many employees does midea have",
            "terminal",
            "decline",
            declined.candidates[0].fact.id,
        ),
        ("", "terminal", "answer", "cluster-turnover-2020"),
    ]


def test_chat_no_record_records_nothing(tmp_path: Path) -> None:
    result = run_cli("chat", "--no-record", stdin=TRIAL, env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0 and "Recording" not in result.stderr
    assert recorded(tmp_path) == []


@pytest.mark.parametrize(("flags", "count"), [((), 0), (("--record",), 1)])
def test_ask_records_only_when_asked_to(
    tmp_path: Path, flags: tuple[str, ...], count: int
) -> None:
    result = run_cli("ask", *flags, "what is the weather", env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert len(recorded(tmp_path)) == count


@pytest.mark.parametrize("command", ["unanswered", "report"])
def test_curation_commands_say_which_database_and_what_is_recorded(
    tmp_path: Path, command: str
) -> None:
    result = run_cli(command, env={"BOT_DATA_DIR": str(tmp_path / "empty")})
    assert result.returncode == 0
    database = tmp_path / "empty" / DATABASE_NAME
    assert f"Database: {database} (did not exist: nothing has been recorded here yet)" in (
        result.stdout
    )
    assert "--no-record" in result.stdout and "ask` only with\n--record" in result.stdout
    as_json = run_cli(command, "--json", env={"BOT_DATA_DIR": str(tmp_path / "empty")})
    json.loads(as_json.stdout)  # the note goes to stderr, the JSON stays clean
    assert f"Database: {database}" in as_json.stderr


def group(question: str, *variants: str) -> QuestionGroup:
    return QuestionGroup(question, 1 + len(variants), variants, None, 0.0, "2026-12-01")


@pytest.mark.parametrize(
    ("question", "variants", "first"),
    [
        ("how big is the smart home cluster in money", (), "cluster-turnover-2020"),
        ("midea creator", ("person who set up midea",), "midea-origins"),
        ("how many employees does the cluster have", (), None),  # a measure no fact states
        ("what is the weather in paris", (), None),
    ],
)
def test_suggestions_are_the_likely_facts_or_a_new_fact(
    engine: Engine, question: str, variants: tuple[str, ...], first: str | None
) -> None:
    suggested = suggest_facts(engine, group(question, *variants))
    if first is None:
        assert suggested.needs_new_fact
        assert "needs a new fact" in format_suggested([suggested])
    else:
        assert suggested.suggestions[0].fact_id == first
        confidences = [s.confidence for s in suggested.suggestions]
        assert confidences == sorted(confidences, reverse=True) and len(confidences) <= 3
        assert teach_command(question, first) in format_suggested([suggested])


def test_suggestions_show_users_control_characters_escaped(engine: Engine) -> None:
    # Users' questions reach the curator's terminal: escaped as plain `unanswered` shows them.
    question = "how big is the smart home cluster in money\x1b[2J\x1b[31m?\r\u202e"
    suggested = suggest_facts(engine, group(question, "cluster money\x07 made\nin total"))
    lines = format_suggested([suggested]).splitlines()
    shown = "how big is the smart home cluster in money\\x1b[2J\\x1b[31m?\\r\\u202e"
    assert lines[:2] == [
        f"  1.    2×  {shown}",
        "              also: cluster money\\x07 made\\nin total",
    ]
    first = suggested.suggestions[0].fact_id
    assert lines[3] == f"              to add it:   python -m bot teach '{shown}' {first}"
    assert len(lines) == 4


def test_teach_command_is_quoted_for_the_shell() -> None:
    assert teach_command("what's 'it'?", "slogan") == (
        "python -m bot teach 'what'\"'\"'s '\"'\"'it'\"'\"'?' slogan"
    )


def test_unanswered_suggest_command(tmp_path: Path) -> None:
    seed_declined(
        tmp_path,
        ["how big is the smart home cluster in money"] * 2
        + ["how many employees does the cluster have"],
    )
    env = {"BOT_DATA_DIR": str(tmp_path)}
    text = run_cli("unanswered", "--suggest", env=env).stdout
    assert "2×  how big is the smart home cluster in money" in text
    assert "most likely: cluster-turnover-2020" in text
    assert "needs a new fact" in text
    listed = json.loads(run_cli("unanswered", "--suggest", "--json", env=env).stdout)
    assert listed[0]["suggestions"][0]["fact_id"] == "cluster-turnover-2020"
    assert listed[0]["needs_new_fact"] is False and listed[1]["needs_new_fact"] is True
