"""Recording in the background: a locked, deleted or unwritable database never holds up the
caller, recording retries by itself, and lost records are counted and logged once."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.recorder import Recorder
from bot.records import DATABASE_NAME, Records

SINCE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[Recorder]:
    made = Recorder(Records(tmp_path / "data"), first_retry=0.01, longest_retry=0.05)
    yield made
    made.close(timeout=5)


def questions(records: Records) -> list[str]:
    return [r.question for r in records.questions(SINCE)]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process's write transaction on the database, for as long as the block runs."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def test_records_are_written_in_the_background(recorder: Recorder) -> None:
    recorder.question("how many employees?", "en", "private", "decline", None, 0.2)
    recorder.feedback("slogan", False, "en")
    assert recorder.flush(timeout=30)
    assert questions(recorder.records) == ["how many employees?"]
    assert [(f.fact_id, f.helpful) for f in recorder.records.feedback(SINCE)] == [
        ("slogan", False)
    ]


def test_a_lock_delays_recording_without_holding_up_the_caller(recorder: Recorder) -> None:
    recorder.question("first", "en", "private", "decline", None, 0.1)
    assert recorder.flush(timeout=30)
    with locked(recorder.records.path):
        for n in range(3):  # returns at once although nothing can be written now
            recorder.question(f"while locked {n}", "en", "private", "decline", None, 0.1)
        assert not recorder.flush(timeout=0.3)  # cannot be written while the lock is held
    assert recorder.flush(timeout=30)
    assert questions(recorder.records) == ["first"] + [f"while locked {n}" for n in range(3)]
    assert recorder.lost == 0


def test_a_deleted_database_is_created_again(recorder: Recorder) -> None:
    recorder.question("before", "en", "private", "decline", None, 0.1)
    assert recorder.flush(timeout=30)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{recorder.records.path}{suffix}").unlink(missing_ok=True)
    recorder.question("after", "en", "private", "decline", None, 0.1)
    assert recorder.flush(timeout=30)
    assert questions(recorder.records) == ["after"]


def test_recording_resumes_when_the_disk_works_again_and_losses_are_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    recorder = Recorder(Records(data), queue_size=5, first_retry=0.01, longest_retry=0.05)
    try:
        recorder.question("kept", "en", "private", "decline", None, 0.1)
        assert recorder.flush(timeout=30)
        # The disk fails: the data folder is gone and a file stands in its way.
        data.rename(tmp_path / "elsewhere")
        data.write_text("not a folder")
        with caplog.at_level(logging.WARNING, logger="bot.recorder"):
            for n in range(12):
                recorder.question(f"during {n}", "en", "private", "decline", None, 0.1)
            assert not recorder.flush(timeout=0.3)
            data.unlink()
            (tmp_path / "elsewhere").rename(data)  # the disk works again
            assert recorder.flush(timeout=30)
    finally:
        recorder.close(timeout=5)
    written = questions(recorder.records)
    assert written[0] == "kept" and len(written) == 1 + 12 - recorder.lost
    assert recorder.lost > 0  # the queue holds 5 (and the batch in hand waits too)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("not usable" in m for m in messages) == 1
    assert sum("are being lost" in m for m in messages) == 1
    assert [m for m in messages if "recording resumed" in m] == [
        f"curation database {recorder.records.path} works again; recording resumed "
        f"({recorder.lost} records lost meanwhile)"
    ]


def test_a_corrupt_database_is_retried_not_given_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DATABASE_NAME).write_bytes(b"this is not a database" * 100)
    recorder = Recorder(Records(data), first_retry=0.01, longest_retry=0.05)
    try:
        recorder.question("q", "en", "private", "decline", None, 0.1)
        assert not recorder.flush(timeout=0.3)
        (data / DATABASE_NAME).unlink()  # the operator moves the broken file away
        assert recorder.flush(timeout=30)
    finally:
        recorder.close(timeout=5)
    assert questions(recorder.records) == ["q"]
