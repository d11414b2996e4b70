"""Recording in the background: answers never wait on the database, and recording survives
trouble with it.

Handlers hand records to a ``Recorder``, which returns at once; one thread writes them to the
curation database in batches. When the database is locked, deleted, corrupt or its disk full,
the thread keeps the records in a bounded queue and retries with backoff (0.5 s doubling up to
30 s), and goes on by itself once the database works again. Only records that no longer fit in
the queue are lost: they are counted, and the loss is logged once per outage, not per record.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading

from bot.records import FeedbackRecord, QuestionRecord, Records, stamp

logger = logging.getLogger(__name__)

#: Records waiting to be written; about a minute of a very busy bot's declines.
QUEUE_SIZE = 10_000
#: Records written in one transaction.
BATCH = 200


Pending = QuestionRecord | FeedbackRecord


class Recorder:
    """Writes curation records from one background thread; never blocks the caller."""

    def __init__(
        self,
        records: Records,
        queue_size: int = QUEUE_SIZE,
        first_retry: float = 0.5,
        longest_retry: float = 30.0,
    ) -> None:
        self.records = records
        self.lost = 0
        self._queue: queue.Queue[Pending] = queue.Queue(maxsize=queue_size)
        self._first_retry = first_retry
        self._longest_retry = longest_retry
        self._lost_this_outage = 0
        self._failing = False
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._busy = 0  # records taken from the queue and not yet written
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- handing records over

    def question(
        self,
        question: str,
        language: str,
        chat_type: str,
        outcome: str,
        fact_id: str | None,
        confidence: float,
    ) -> None:
        """Queue one question record (returns at once)."""
        self._put(
            QuestionRecord(
                stamp(), question, language, chat_type, outcome, fact_id, float(confidence)
            )
        )

    def feedback(self, fact_id: str, helpful: bool, language: str) -> None:
        """Queue one 👍/👎 record (returns at once)."""
        self._put(FeedbackRecord(stamp(), fact_id, helpful, language))

    def _put(self, record: Pending) -> None:
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            with self._idle:
                self.lost += 1
                self._lost_this_outage += 1
                first = self._lost_this_outage == 1
            if first:
                logger.error(
                    "curation records are being lost: %d are waiting for the database "
                    "(counted; the total is logged when recording resumes)",
                    self._queue.maxsize,
                )

    # ---------------------------------------------------------------- waiting (tests, shutdown)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued so far is written; ``False`` if ``timeout`` passed."""
        with self._idle:
            return self._idle.wait_for(
                lambda: self._queue.empty() and self._busy == 0, timeout=timeout
            )

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (waiting at most ``timeout`` seconds), then stop the thread."""
        written = self.flush(timeout)
        self._stopping.set()
        self._thread.join(timeout=1.0)
        waiting = self._queue.qsize() + self._busy
        if not written and waiting:
            self.lost += waiting
            logger.error("stopping with %d curation records not written", waiting)

    # ---------------------------------------------------------------- the writing thread

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                first = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            with self._idle:
                self._busy = len(batch)
            self._write_until_done(batch)
            with self._idle:
                self._busy = 0
                self._idle.notify_all()

    def _write_until_done(self, batch: list[Pending]) -> None:
        """Write one batch, retrying with backoff until it is written or the recorder stops."""
        delay = self._first_retry
        while True:
            try:
                self.records.insert_many(
                    [r for r in batch if isinstance(r, QuestionRecord)],
                    [r for r in batch if isinstance(r, FeedbackRecord)],
                )
            except (sqlite3.Error, OSError) as error:
                if not self._failing:
                    self._failing = True
                    logger.error(
                        "curation database %s is not usable (%s); answers go on, records wait "
                        "in memory and recording is retried",
                        self.records.path,
                        error,
                    )
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, self._longest_retry)
                continue
            if self._failing:
                with self._idle:
                    lost, self._lost_this_outage = self._lost_this_outage, 0
                self._failing = False
                logger.warning(
                    "curation database %s works again; recording resumed (%d records lost "
                    "meanwhile)",
                    self.records.path,
                    lost,
                )
            return
