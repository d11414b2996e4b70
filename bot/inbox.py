"""Updates kept on disk from the moment they arrive until they are handled, so a crash re-delivers
them instead of losing them.

Telegram forgets an update once the bot confirms it (long polling: the next ``getUpdates`` with a
higher offset; webhooks: the 200 answer). python-telegram-bot confirms an update as soon as it is
queued, long before it is handled. So each update is written to ``updates.sqlite3`` in the data
directory *before* it is queued (and so before it is confirmed), marked done once its handlers
have finished, and at start every update not marked done is handled again.

What a crash can still lose or repeat: an update whose handling had already sent its reply but
was not yet marked done is handled again after the restart (the user may get the same answer
twice); the time between those two steps is a few milliseconds. An update that fails three
starts in a row is dropped (logged), so one poisonous update cannot stop the bot for ever.

An inbox file deleted while the bot runs is created again with the next update (updates kept
only in the deleted file are lost with it). When the inbox cannot be used (locked by another
program, damaged, not writable), the bot logs it once, saying what it still does and what to
do, and handles updates without keeping them; each later update tries the inbox again in the
background, and once it works it is used again and that is logged once too.

The file holds whole updates, user ids and texts included, only until they are handled; after
that only the update id and the time remain (to recognise a re-delivered update), for two days
(deleted at start and after every ``PURGE_EVERY`` handled updates).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import Application, SimpleUpdateProcessor

from bot.datadir import database_advice

logger = logging.getLogger(__name__)

INBOX_NAME = "updates.sqlite3"
#: An update replayed this many times without being handled is dropped.
MAX_ATTEMPTS = 3
#: How long the ids of handled updates are kept to recognise re-deliveries (Telegram keeps
#: unconfirmed updates for 24 hours).
KEEP_DONE = dt.timedelta(days=2)
#: Handled updates older than ``KEEP_DONE`` are deleted at start and after every this many
#: handled updates, so a bot that runs for weeks keeps about two days of ids, no more.
PURGE_EVERY = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,           -- UTC, ISO 8601
    payload TEXT,                        -- the update as JSON; NULL once handled
    attempts INTEGER NOT NULL DEFAULT 0  -- starts at which it was replayed
);
"""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pending:
    update_id: int
    payload: dict[str, Any]


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


class Inbox:
    """The on-disk inbox. Every database call runs in one worker thread of its own, so the event
    loop never waits on the disk and calls never race; trouble is logged once and the bot goes on
    without the inbox (updates are then confirmed before they are handled, as before) until a
    background try finds it working again."""

    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / INBOX_NAME
        self.broken = False
        self._trying = False  # a background try of a broken inbox is under way
        self._connection: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None  # the open file's device and inode
        self._handled = 0  # updates marked done by this process (every PURGE_EVERY: purge)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox")

    # ---------------------------------------------------------------- async API (event loop)

    async def add(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Keep an update before it is confirmed. ``False`` if it is already known (Telegram
        delivered it again): then it must not be handled twice."""
        text = json.dumps(payload, ensure_ascii=False)
        return await self._call(lambda: self._add(update_id, text), default=True)

    async def done(self, update_id: int) -> None:
        """The update has been handled: forget its content."""
        await self._call(lambda: self._done(update_id), default=None)

    async def take_pending(self) -> list[Pending]:
        """The updates kept but never handled, oldest first, counting this attempt; those that
        failed too often are dropped."""
        return await self._call(self._take_pending, default=[])

    def close(self) -> None:
        self._executor.submit(self._close).result()
        self._executor.shutdown(wait=True)

    async def _call(self, work: Callable[[], T], default: T) -> T:
        loop = asyncio.get_running_loop()
        if self.broken:
            if not self._trying:  # one try at a time, never holding up this update
                self._trying = True
                loop.run_in_executor(self._executor, self._try_again)
            return default
        try:
            return await loop.run_in_executor(self._executor, work)
        except (sqlite3.Error, OSError, ValueError) as error:
            if not self.broken:
                self.broken = True
                logger.error(
                    "update inbox %s is not usable (%s): answering as usual, but updates are "
                    "not kept until handled (a crash may lose the ones in progress) until it "
                    "works again, which each update tries; %s",
                    self.path,
                    error,
                    database_advice(str(error)),
                )
            loop.run_in_executor(self._executor, self._close)  # opened afresh next time
            return default

    # ---------------------------------------------------------------- the worker thread

    def _open(self) -> sqlite3.Connection:
        if self._connection is not None and not self._still_there():
            self._close()  # deleted or replaced: whatever went to the old file is gone already
        if self._connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=5.0, isolation_level=None, check_same_thread=False
            )
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                # NORMAL: a commit survives the process being killed (not a power cut).
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.executescript(SCHEMA)
                _purge(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
            self._identity = _identity(self.path)
        return self._connection

    def _still_there(self) -> bool:
        """Whether the file open is still the one at ``path`` (a deleted inbox would otherwise
        go on being written, unseen, and a crash would lose what it keeps)."""
        return _identity(self.path) == self._identity

    def _try_again(self) -> None:
        """Whether a broken inbox can be written again (in the worker thread, in the
        background); if so it is used again from the next update on."""
        try:
            connection = self._open()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        except (sqlite3.Error, OSError, ValueError):
            self._close()
        else:
            self.broken = False
            logger.warning(
                "update inbox %s works again; updates are kept until handled again", self.path
            )
        finally:
            self._trying = False

    def _add(self, update_id: int, text: str) -> bool:
        cursor = self._open().execute(
            "INSERT OR IGNORE INTO updates (update_id, received_at, payload) VALUES (?, ?, ?)",
            (update_id, _stamp(dt.datetime.now(dt.UTC)), text),
        )
        return cursor.rowcount == 1

    def _done(self, update_id: int) -> None:
        connection = self._open()
        connection.execute("UPDATE updates SET payload = NULL WHERE update_id = ?", (update_id,))
        self._handled += 1
        if self._handled % PURGE_EVERY == 0:
            _purge(connection)

    def _take_pending(self) -> list[Pending]:
        connection = self._open()
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute(
                "UPDATE updates SET attempts = attempts + 1 WHERE payload IS NOT NULL"
            )
            dropped = connection.execute(
                "UPDATE updates SET payload = NULL WHERE payload IS NOT NULL AND attempts > ?",
                (MAX_ATTEMPTS,),
            ).rowcount
            rows = connection.execute(
                "SELECT update_id, payload FROM updates WHERE payload IS NOT NULL"
                " ORDER BY update_id"
            ).fetchall()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        if dropped:
            logger.error(
                "dropped %d updates that were not handled in %d starts", dropped, MAX_ATTEMPTS
            )
        return [Pending(update_id, json.loads(payload)) for update_id, payload in rows]

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _purge(connection: sqlite3.Connection) -> None:
    """Forget the handled updates older than ``KEEP_DONE`` (their ids only remain)."""
    connection.execute(
        "DELETE FROM updates WHERE payload IS NULL AND received_at < ?",
        (_stamp(dt.datetime.now(dt.UTC) - KEEP_DONE),),
    )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


# --------------------------------------------------------------------------------------------
# python-telegram-bot glue: keep before queueing (so before confirming), mark done after handling
# --------------------------------------------------------------------------------------------


class InboxQueue(asyncio.Queue):  # type: ignore[type-arg]
    """The application's update queue. Both the poller and the webhook server ``put`` each
    update here and confirm it to Telegram only afterwards, so it is on disk first."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self.inbox.add(item.update_id, item.to_dict()):
            logger.info("update %d was delivered again; it is not handled twice", item.update_id)
            return
        await super().put(item)


class InboxProcessor(SimpleUpdateProcessor):
    """Handles updates concurrently, like ``concurrent_updates(True)``, and marks each one done
    in the inbox once its handlers have finished (an error handled by the error handler counts
    as finished: it is not retried)."""

    def __init__(self, inbox: Inbox, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine
        if isinstance(update, Update):
            await self.inbox.done(update.update_id)


async def replay_pending(application: Application) -> int:  # type: ignore[type-arg]
    """Queue the updates received before the last stop but never handled; returns how many."""
    queue = application.update_queue
    if not isinstance(queue, InboxQueue):
        return 0
    pending = await queue.inbox.take_pending()
    for item in pending:
        try:
            update = Update.de_json(item.payload, application.bot)
        except Exception:  # an update this library version cannot read: never retried
            logger.exception("could not read kept update %d; dropping it", item.update_id)
            await queue.inbox.done(item.update_id)
            continue
        queue.put_nowait(update)  # the plain put: it is in the inbox already
    if pending:
        logger.info("handling %d updates received before the last stop", len(pending))
    return len(pending)
