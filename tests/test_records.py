"""The curation database: what it keeps (never who asked), expiry, and surviving trouble."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from bot.curation import MAX_GROUPED, build_report, parse_since
from bot.records import (
    DATABASE_NAME,
    MAX_QUESTION_CHARS,
    FeedbackRecord,
    QuestionRecord,
    Records,
    stamp,
)
from bot.telegram_app import _stats_report, _unanswered_groups

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def test_records_questions_and_feedback(tmp_path: Path) -> None:
    records = Records(tmp_path)
    assert records.record_question(
        "how many employees?", "en", "private", "decline", "kelon-origins", 0.21, at=NOW
    )
    assert records.record_feedback("cluster-turnover-2020", False, "zh", at=NOW)
    [question] = records.questions(NOW - dt.timedelta(days=1))
    assert (question.question, question.outcome, question.fact_id, question.chat_type) == (
        "how many employees?",
        "decline",
        "kelon-origins",
        "private",
    )
    [vote] = records.feedback(NOW - dt.timedelta(days=1))
    assert (vote.fact_id, vote.helpful, vote.language) == ("cluster-turnover-2020", False, "zh")


def test_what_is_written_in_a_batch_is_read_back_as_the_same_records(tmp_path: Path) -> None:
    # One record type from the recorder's queue to the curators' reports.
    questions = [
        QuestionRecord(
            "2026-11-26T11:00:00",
            "how many employees?",
            "en",
            "private",
            "decline",
            "kelon-origins",
            0.21,
        ),
        QuestionRecord("2026-11-26T11:30:00", "", "zh", "group", "answer", "slogan", 0.97),
    ]
    votes = [FeedbackRecord("2026-11-26T11:31:00", "slogan", True, "zh")]
    records = Records(tmp_path)
    records.insert_many(questions, votes)
    since = NOW - dt.timedelta(days=1)
    assert (records.questions(since), records.feedback(since)) == (questions, votes)


def test_schema_has_no_place_for_people(tmp_path: Path) -> None:
    records = Records(tmp_path)
    records.record_question("q", "en", "group", "decline", None, 0.0)
    with closing(sqlite3.connect(tmp_path / DATABASE_NAME)) as connection:
        columns = {
            row[1]
            for table in ("questions", "feedback")
            for row in connection.execute(f"PRAGMA table_info({table})")
        }
    assert not columns & {"user_id", "chat_id", "username", "name", "first_name", "from_id"}


def test_old_entries_expire(tmp_path: Path) -> None:
    records = Records(tmp_path, retention_days=90)
    records.record_question(
        "old", "en", "private", "decline", None, 0.1, at=NOW - dt.timedelta(days=91)
    )
    records.record_question(
        "new", "en", "private", "decline", None, 0.1, at=NOW - dt.timedelta(days=89)
    )
    records.record_feedback("f", True, "en", at=NOW - dt.timedelta(days=100))
    assert records.expire(now=NOW) == 2
    assert [r.question for r in records.questions(NOW - dt.timedelta(days=365))] == ["new"]


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    def write(number: int) -> None:
        own = Records(tmp_path)  # separate connections, like separate processes
        for n in range(50):
            assert own.record_question(f"q{number}-{n}", "en", "private", "decline", None, 0.1)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(Records(tmp_path).questions(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))) == 300


def test_a_crash_mid_write_loses_only_the_unfinished_write(tmp_path: Path) -> None:
    records = Records(tmp_path)
    records.record_question("kept", "en", "private", "decline", None, 0.1)
    crash = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL'); c.execute('BEGIN IMMEDIATE')\n"
        'c.execute("INSERT INTO questions (asked_at, question, language, chat_type, outcome, confidence)'
        " VALUES ('2026-01-01T00:00:00', 'lost', 'en', 'private', 'decline', 0)\")\n"
        "os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", crash, str(tmp_path / DATABASE_NAME)])
    assert result.returncode == 9
    assert records.record_question("after", "en", "private", "decline", None, 0.1)
    questions = [
        r.question for r in Records(tmp_path).questions(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    ]
    assert questions == ["kept", "after"]


def test_corrupt_database_is_reported_once_and_recording_stops(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not a database" * 100)
    records = Records(tmp_path)
    with caplog.at_level(logging.ERROR, logger="bot.records"):
        assert records.record_question("q", "en", "private", "decline", None, 0.1) is False
        assert records.record_question("q", "en", "private", "decline", None, 0.1) is False
        assert records.record_feedback("f", True, "en") is False
    assert records.broken
    assert len([r for r in caplog.records if "unusable" in r.getMessage()]) == 1


def test_unwritable_data_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    records = Records(blocker / "data")
    assert records.check_writable() is not None
    assert records.record_question("q", "en", "private", "decline", None, 0.1) is False


def test_an_expiry_that_meets_a_lock_is_tried_again_next_time(tmp_path: Path) -> None:
    records = Records(tmp_path, retention_days=90)
    records.record_question(
        "old", "en", "private", "decline", None, 0.1, at=NOW - dt.timedelta(days=91)
    )
    holder = sqlite3.connect(tmp_path / DATABASE_NAME, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            records.expire(now=NOW, timeout=0.1)  # another process holds the lock
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert records.expire(now=NOW) == 1
    assert records.record_question("new", "en", "private", "decline", None, 0.1)


def test_a_question_record_keeps_at_most_the_stored_length() -> None:
    """Cut when the record is made, not when it is written: during a database outage up to
    10,000 records wait in memory, and each may come from a 4,096-character message."""
    record = QuestionRecord(
        "2026-12-01T00:00:00", "😀" * 4096, "en", "private", "decline", None, 0
    )
    assert record.question == "😀" * MAX_QUESTION_CHARS


# ------------------------------------------------------------------ admins' reports: bounded reads


class CountingCursor:
    """A cursor that counts the rows it hands back."""

    def __init__(self, cursor: sqlite3.Cursor, rows: list[int]) -> None:
        self.cursor, self.rows = cursor, rows

    def fetchall(self) -> list[object]:
        found = self.cursor.fetchall()
        self.rows.append(len(found))
        return found

    def fetchone(self) -> object:
        found = self.cursor.fetchone()
        self.rows.append(found is not None)
        return found

    def __iter__(self):  # type: ignore[no-untyped-def]
        for row in self.cursor:
            self.rows.append(1)
            yield row

    def __getattr__(self, name: str) -> object:
        return getattr(self.cursor, name)


class CountingConnection:
    """A connection whose queries count the rows they read from the database."""

    def __init__(self, connection: sqlite3.Connection, rows: list[int]) -> None:
        self.connection, self.rows = connection, rows

    def execute(self, statement: str, *args: object) -> CountingCursor | sqlite3.Cursor:
        cursor = self.connection.execute(statement, *args)  # type: ignore[arg-type]
        if statement.lstrip().upper().startswith("PRAGMA"):
            return cursor  # a new database's integrity check: one line, not a record
        return CountingCursor(cursor, self.rows)

    def __getattr__(self, name: str) -> object:
        return getattr(self.connection, name)


def busy_month(records: Records, declined: int) -> None:
    """A month of heavy use: ``declined`` long unanswered questions, answers and votes."""
    now = dt.datetime.now(dt.UTC)
    questions = [
        QuestionRecord(
            stamp(now - dt.timedelta(minutes=n)),
            f"question {n} " + "x" * 900,
            "en",
            "private",
            "decline",
            None,
            0.1,
        )
        for n in range(declined)
    ]
    questions += [
        QuestionRecord(
            stamp(now - dt.timedelta(minutes=40 * n)), "", "en", "private", "answer", f, 0.9
        )
        for n, f in enumerate(["slogan", "cluster-turnover-2020"] * 500)
    ]
    votes = [FeedbackRecord(stamp(now), "slogan", n % 3 == 0, "en") for n in range(1000)]
    records.insert_many(questions, votes, 30)


def _cli(*args: str) -> Callable[[Records], object]:
    """Run ``python -m bot ARGS`` in this process on the records' database."""

    def run(records: Records) -> object:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BOT_DATA_DIR", str(records.path.parent))
            assert main([*args, "--since", "30d", "--json"]) == 0
        return None

    return run


@pytest.mark.parametrize(
    "read",
    [_unanswered_groups, _stats_report, _cli("unanswered"), _cli("report")],
    ids=["/unanswered", "/stats", "cli unanswered", "cli report"],
)
def test_admin_reports_read_a_bounded_number_of_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    read: Callable[[Records], object],
) -> None:
    records = Records(tmp_path)
    busy_month(records, MAX_GROUPED + 1000)
    rows: list[int] = []
    connect = sqlite3.connect
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: CountingConnection(connect(*a, **k), rows)
    )
    read(records)
    assert 0 < sum(rows) <= MAX_GROUPED


def test_the_newest_questions_are_read_oldest_first(tmp_path: Path) -> None:
    records = Records(tmp_path)
    busy_month(records, 50)
    since = NOW - dt.timedelta(days=3650)
    newest = records.questions(since, ("decline",), newest=10)
    assert newest == records.questions(since, ("decline",))[-10:]
    assert [r.question.split()[1] for r in newest] == [str(n) for n in range(9, -1, -1)]


def test_the_report_from_counts_is_the_report_from_every_record(tmp_path: Path) -> None:
    records = Records(tmp_path)
    busy_month(records, 300)
    records.record_question("high tech?", "en", "group", "clarify", "hightech", 0.4)
    records.record_question("high tech?", "en", "group", "none_of_these", "hightech", 0.4)
    since = parse_since("30d")
    everything = build_report(records.questions(since), records.feedback(since), since)
    assert _stats_report(records) == everything
    assert (everything.total, everything.answered, everything.declined) == (1301, 1000, 300)
