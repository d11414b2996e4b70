"""What the curators learn from real use, kept in SQLite: answered and unanswered questions, and
feedback. No user ids, names or chat ids are ever stored, only the question text, its language,
the kind of chat and what the engine made of it.

Recording must never cost an answer. The bot writes through ``bot.recorder.Recorder`` (a
background thread that retries ``insert_many`` with backoff); the one-record methods here are
for the command line, and on a database that is corrupt, locked for too long or not writable
they report once in the log and stop recording.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,              -- UTC, ISO 8601
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    chat_type TEXT NOT NULL,             -- private, group, supergroup, inline, terminal
    outcome TEXT NOT NULL,               -- answer, clarify, decline, none_of_these
    fact_id TEXT,                        -- the answer, or the best candidate
    confidence REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_by_time ON questions (asked_at);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    given_at TEXT NOT NULL,
    fact_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,            -- 1 for thumbs up, 0 for thumbs down
    language TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (given_at);
"""

DATABASE_NAME = "curation.sqlite3"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime | None = None) -> str:
    """``moment`` (default: now) as the records keep times: UTC, ISO 8601 to the second."""
    return (moment or _now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


#: Characters of a question kept (a Telegram message has up to 4,096).
MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """A question as kept: queued by the recorder, written, and read back for the curators."""

    asked_at: str  # UTC, ISO 8601 to the second (``stamp``)
    question: str
    language: str
    chat_type: str
    outcome: str
    fact_id: str | None
    confidence: float

    def __post_init__(self) -> None:
        if len(self.question) > MAX_QUESTION_CHARS:
            object.__setattr__(self, "question", self.question[:MAX_QUESTION_CHARS])


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """A 👍/👎 on a fact, as kept."""

    given_at: str  # UTC, ISO 8601 to the second (``stamp``)
    fact_id: str
    helpful: bool
    language: str


@dataclass(frozen=True, slots=True)
class QuestionCount:
    """How many questions of one day had one outcome (and, for answers, one fact)."""

    day: str  # YYYY-MM-DD, UTC
    outcome: str
    fact_id: str | None  # the answer's fact; None for every other outcome
    count: int


@dataclass(frozen=True, slots=True)
class FeedbackCount:
    """How many 👍 (or 👎) one fact got."""

    fact_id: str
    helpful: bool
    count: int


_INSERT_QUESTION = (
    "INSERT INTO questions (asked_at, question, language, chat_type, outcome, fact_id,"
    " confidence) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_FEEDBACK = (
    "INSERT INTO feedback (given_at, fact_id, helpful, language) VALUES (?, ?, ?, ?)"
)


def _question_values(record: QuestionRecord) -> tuple[object, ...]:
    return (
        record.asked_at,
        record.question,
        record.language,
        record.chat_type,
        record.outcome,
        record.fact_id,
        float(record.confidence),
    )


def _feedback_values(record: FeedbackRecord) -> tuple[object, ...]:
    return (record.given_at, record.fact_id, int(record.helpful), record.language)


class Records:
    """The curation database. Safe to share between threads; one connection per call."""

    def __init__(self, data_dir: Path | str, retention_days: int = 90) -> None:
        self.path = Path(data_dir) / DATABASE_NAME
        self.retention_days = retention_days
        self.broken = False
        self._lock = threading.Lock()
        self._ready = False

    # ---------------------------------------------------------------- plumbing

    @contextmanager
    def _connect(self, timeout: float = 10.0) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous=NORMAL")
            yield connection
        finally:
            connection.close()

    def _prepare(self) -> None:
        """Create the folder, schema and WAL mode once (WAL is a property of the file)."""
        if self._ready:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(50):
            try:
                with self._connect() as connection:
                    # WAL: readers never block the writer, and a crash loses at most the
                    # transaction in flight. Switching modes needs a moment alone with the
                    # file, so a writer starting at the same time retries instead of failing.
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.executescript(SCHEMA)
                    if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                        raise sqlite3.DatabaseError("database failed its integrity check")
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or attempt == 49:
                    raise
                time.sleep(0.05)
        self._ready = True

    def _write(self, statement: str, values: tuple[object, ...]) -> bool:
        """Run one insert in a transaction; on any database trouble, report once and stop."""
        if self.broken:
            return False
        try:
            with self._lock:
                self._prepare()
                with self._connect() as connection:
                    connection.execute("BEGIN IMMEDIATE")
                    try:
                        connection.execute(statement, values)
                        connection.execute("COMMIT")
                    except BaseException:
                        connection.execute("ROLLBACK")
                        raise
            return True
        except (sqlite3.Error, OSError) as error:
            self._give_up(error)
            return False

    def _give_up(self, error: Exception) -> None:
        """Report the trouble once and stop recording; the bot keeps answering."""
        self.broken = True
        logger.error(
            "curation database %s is unusable (%s); answers go on, recording stops",
            self.path,
            error,
        )

    # ---------------------------------------------------------------- writing

    def record_question(
        self,
        question: str,
        language: str,
        chat_type: str,
        outcome: str,
        fact_id: str | None,
        confidence: float,
        at: dt.datetime | None = None,
    ) -> bool:
        record = QuestionRecord(
            stamp(at), question, language, chat_type, outcome, fact_id, float(confidence)
        )
        return self._write(_INSERT_QUESTION, _question_values(record))

    def record_feedback(
        self, fact_id: str, helpful: bool, language: str, at: dt.datetime | None = None
    ) -> bool:
        record = FeedbackRecord(stamp(at), fact_id, helpful, language)
        return self._write(_INSERT_FEEDBACK, _feedback_values(record))

    def insert_many(
        self,
        questions: Sequence[QuestionRecord],
        feedback: Sequence[FeedbackRecord],
        timeout: float = 2.0,
    ) -> None:
        """Write many records in one transaction, waiting at most ``timeout`` seconds for a lock.

        Raises ``sqlite3.Error`` or ``OSError`` on any trouble (the caller retries); a database
        deleted since the last write is created again."""
        if not self.path.exists():
            self._ready = False
        try:
            with self._lock:
                self._prepare()
                with self._connect(timeout) as connection:
                    connection.execute("BEGIN IMMEDIATE")
                    try:
                        connection.executemany(
                            _INSERT_QUESTION, [_question_values(q) for q in questions]
                        )
                        connection.executemany(
                            _INSERT_FEEDBACK, [_feedback_values(f) for f in feedback]
                        )
                        connection.execute("COMMIT")
                    except BaseException:
                        connection.execute("ROLLBACK")
                        raise
        except (sqlite3.Error, OSError):
            self._ready = False  # set the schema up again next time (the file may be new)
            raise

    def expire(self, now: dt.datetime | None = None, timeout: float = 10.0) -> int:
        """Delete entries older than the retention period; returns how many went.

        Raises ``sqlite3.Error`` or ``OSError`` on any trouble: the caller reports it and tries
        again next time (entries must not outlive the retention period because the database was
        busy once)."""
        cutoff = stamp((now or _now()) - dt.timedelta(days=self.retention_days))
        try:
            with self._lock:
                self._prepare()
                with self._connect(timeout) as connection:
                    connection.execute("BEGIN IMMEDIATE")
                    removed = connection.execute(
                        "DELETE FROM questions WHERE asked_at < ?", (cutoff,)
                    ).rowcount
                    removed += connection.execute(
                        "DELETE FROM feedback WHERE given_at < ?", (cutoff,)
                    ).rowcount
                    connection.execute("COMMIT")
            return removed
        except (sqlite3.Error, OSError):
            self._ready = False
            raise

    # ---------------------------------------------------------------- reading

    def questions(
        self,
        since: dt.datetime,
        outcomes: tuple[str, ...] | None = None,
        newest: int | None = None,
    ) -> list[QuestionRecord]:
        """The questions asked since ``since`` (with one of ``outcomes``), oldest first; with
        ``newest``, only that many of the most recent are read from the database."""
        self._prepare()
        query = (
            "SELECT asked_at, question, language, chat_type, outcome, fact_id, confidence"
            " FROM questions WHERE asked_at >= ?"
        )
        values: list[object] = [stamp(since)]
        if outcomes:
            query += f" AND outcome IN ({', '.join('?' for _ in outcomes)})"
            values.extend(outcomes)
        if newest is not None:
            query += " ORDER BY asked_at DESC, id DESC LIMIT ?"
            values.append(newest)
        else:
            query += " ORDER BY asked_at, id"
        with self._connect() as connection:
            rows = connection.execute(query, values).fetchall()
        if newest is not None:
            rows.reverse()
        return [QuestionRecord(*row) for row in rows]

    def question_counts(self, since: dt.datetime) -> list[QuestionCount]:
        """How many questions were asked since ``since`` per day, outcome and (for answers)
        fact: counted by the database, so what is read is bounded by the days and the facts,
        not by how much users asked."""
        self._prepare()
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT substr(asked_at, 1, 10), outcome,"
                " CASE WHEN outcome = 'answer' THEN fact_id END, count(*)"
                " FROM questions WHERE asked_at >= ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                (stamp(since),),
            ).fetchall()
        return [QuestionCount(*row) for row in rows]

    def feedback_counts(self, since: dt.datetime) -> list[FeedbackCount]:
        """The 👍 and 👎 given since ``since``, counted per fact by the database."""
        self._prepare()
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT fact_id, helpful, count(*) FROM feedback WHERE given_at >= ?"
                " GROUP BY fact_id, helpful ORDER BY fact_id, helpful",
                (stamp(since),),
            ).fetchall()
        return [FeedbackCount(fact, bool(helpful), count) for fact, helpful, count in rows]

    def feedback(self, since: dt.datetime) -> list[FeedbackRecord]:
        self._prepare()
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT given_at, fact_id, helpful, language FROM feedback"
                " WHERE given_at >= ? ORDER BY given_at",
                (stamp(since),),
            ).fetchall()
        return [
            FeedbackRecord(at, fact, bool(helpful), language)
            for at, fact, helpful, language in rows
        ]

    def check_writable(self) -> str | None:
        """``None`` when the database can be created and written, else what is wrong."""
        try:
            self._prepare()
            with self._connect() as connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
            return None
        except (sqlite3.Error, OSError) as error:
            return str(error)
