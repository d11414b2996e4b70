"""Recording in the background: answers never wait on the database, and recording survives
trouble with it.

Handlers hand records to a ``Recorder``, which returns at once; one thread writes them to the
curation database in batches. When the database is locked, deleted, corrupt or its disk full,
the thread keeps the records in a bounded queue and retries with backoff (0.5 s doubling up to
30 s), and goes on by itself once the database works again. Only records that no longer fit in
the queue are lost: they are counted, and the loss is logged once per outage, not per record.

The recorder also speaks for the database in the running bot: whoever finds it unusable (the
check at start, the daily expiry, an admin's ``/stats``, the recorder itself) calls ``trouble``,
and each outage is logged once, as one line saying what is wrong, what the bot still does and
what to do, and once more when it ends. A stop during an outage does not wait for the database:
it tries once more, and counts what could not be written in one line.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading

from bot.datadir import database_advice
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
        self._failing = False  # an outage is on (logged once when it begins and when it ends)
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._in_hand: list[Pending] = []  # taken from the queue and not yet written
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
                lambda: self._queue.empty() and not self._in_hand, timeout=timeout
            )

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (waiting at most ``timeout`` seconds, or during an outage not at
        all: one last try), then stop the thread; what is not written is counted in one line."""
        if not self._failing:
            self.flush(timeout)
        self._stopping.set()
        self._thread.join(timeout=1.0)
        with self._idle:
            left = list(self._in_hand)
            while not self._queue.empty():
                left.append(self._queue.get_nowait())
            lost, self._lost_this_outage = self._lost_this_outage, 0
        if left and not self._thread.is_alive() and self._try_once(left):
            left = []
        self.lost += len(left)
        if left or lost:
            logger.error(
                "stopping with %d curation records not written (the curation database %s is "
                "not usable)",
                len(left) + lost,
                self.records.path,
            )

    def _try_once(self, batch: list[Pending]) -> bool:
        try:
            self._insert(batch, timeout=0.5)
        except (sqlite3.Error, OSError):
            return False
        return True

    # ---------------------------------------------------------------- outages, told once

    @property
    def failing(self) -> bool:
        """Whether the curation database is known not to work right now."""
        return self._failing

    def trouble(self, error: BaseException | str) -> None:
        """The curation database is not usable: logged once per outage, saying what to do."""
        with self._idle:
            if self._failing:
                return
            self._failing = True
        logger.error(
            "curation database %s is not usable (%s): answering as usual, records wait in "
            "memory (up to %d) and recording resumes by itself once it works; %s",
            self.records.path,
            error,
            self._queue.maxsize,
            database_advice(str(error)),
        )

    def works(self) -> None:
        """The curation database works: an outage ends, logged once with what it cost."""
        with self._idle:
            if not self._failing:
                return
            self._failing = False
            lost, self._lost_this_outage = self._lost_this_outage, 0
        logger.warning(
            "curation database %s works again; recording resumed (%d records lost meanwhile)",
            self.records.path,
            lost,
        )

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
                self._in_hand = batch
            if not self._write_until_done(batch):
                return  # stopping: ``close`` counts the batch in hand
            with self._idle:
                self._in_hand = []
                self._idle.notify_all()

    def _insert(self, batch: list[Pending], timeout: float = 2.0) -> None:
        self.records.insert_many(
            [r for r in batch if isinstance(r, QuestionRecord)],
            [r for r in batch if isinstance(r, FeedbackRecord)],
            timeout,
        )

    def _write_until_done(self, batch: list[Pending]) -> bool:
        """Write one batch, retrying with backoff; ``False`` if the recorder stopped first."""
        delay = self._first_retry
        while True:
            try:
                self._insert(batch)
            except (sqlite3.Error, OSError) as error:
                self.trouble(error)
                if self._stopping.wait(delay):
                    return False
                delay = min(delay * 2, self._longest_retry)
                continue
            self.works()
            return True
