"""``python -m bot run``: start the Telegram bot in a fixed order, run it, stop it cleanly.

1. Signal handlers come first, before anything touches the network: SIGINT and SIGTERM stop the
   bot (at any step of the start), SIGHUP asks for a fact base reload; a SIGHUP that arrives
   while the bot is still starting is remembered and carried out once it runs.
2. The fact base (the bot refuses to start on problems) and the curation database.
3. ``getMe`` and the command menu, then the webhook server and ``setWebhook`` or long polling,
   each asking Telegram only for the update kinds the handlers answer.
4. Background tasks (daily expiry, reloads) run while the bot runs; at stop they are cancelled
   and awaited before the application stops.

A failure at start ends ``run`` with exit 1 and one line on stderr naming the cause (see
``bot/failures.py``) and pointing to ``python -m bot doctor``; the traceback is logged only at
``BOT_LOG_LEVEL=DEBUG``, redacted like every log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import BadRequest, Forbidden
from tornado.httpserver import HTTPServer

from bot.config import Settings, configure_logging
from bot.datadir import prepare_data_dir
from bot.engine import Engine
from bot.failures import StartupError, describe_failure, redact
from bot.inbox import InboxQueue, replay_pending
from bot.knowledge import KnowledgeError
from bot.recorder import Recorder
from bot.records import Records
from bot.telegram_app import (
    ALLOWED_UPDATES,
    build_application,
    register_commands,
    reload_knowledge,
    state_of,
)
from bot.webhook import webhook_server

logger = logging.getLogger(__name__)

#: How often curation entries past the retention period are deleted (seconds).
EXPIRY_INTERVAL = 24 * 3600
_HANGUP = getattr(signal, "SIGHUP", None)  # not on Windows


class _EarlyHangup:
    """Remembers a SIGHUP that arrives before the event loop runs (instead of dying of it)."""

    def __init__(self) -> None:
        self.received = False
        self.previous: Any = None
        if _HANGUP is not None:
            self.previous = signal.signal(_HANGUP, self._note)

    def _note(self, signum: int, frame: object) -> None:
        self.received = True

    def restore(self) -> None:
        if _HANGUP is not None and self.previous is not None:
            signal.signal(_HANGUP, self.previous)


def run_bot(settings: Settings) -> int:
    """Load the fact base (refusing to start on errors), then run until SIGINT or SIGTERM."""
    hangup = _EarlyHangup()
    try:
        configure_logging(settings.log_level, [settings.token or ""])
        try:
            engine = Engine.load(settings.knowledge_dir)
        except KnowledgeError as error:
            for problem in error.problems:
                print(problem, file=sys.stderr)
            print("The fact base has problems; not starting.", file=sys.stderr)
            return 1
        records: Records | None = None
        unusable = prepare_data_dir(settings.data_dir)
        if unusable:
            # Said once, here: without its folder, nothing that writes there runs (the update
            # inbox, the recorder, the daily expiry), so nothing else has to say it again.
            logger.error(
                "data directory %s is not usable (%s): answering questions, but recording "
                "nothing and not keeping updates until handled; set BOT_DATA_DIR to a writable "
                "folder and restart (`python -m bot doctor` checks it)",
                settings.data_dir,
                unusable,
            )
        else:
            records = Records(settings.data_dir, settings.retention_days)
        secret = None
        if settings.webhook_url:
            secret = settings.webhook_secret or secrets.token_urlsafe(32)
        configure_logging(settings.log_level, [settings.token or "", secret or ""])
        application = build_application(settings, engine, records)
        recorder = state_of(application).recorder
        if records is not None and recorder is not None:
            problem = records.check_writable()
            if problem:  # said by the recorder, once for the whole outage (bot/recorder.py)
                recorder.trouble(problem)
        try:
            asyncio.run(_serve(application, settings, secret, hangup))
        except Exception as error:
            logger.debug("start-up failed", exc_info=error)
            reason = redact(
                describe_failure(error, settings.api_base_url), [settings.token, secret]
            )
            print(
                f"error: {reason}. Run `python -m bot doctor` to check the whole setup.",
                file=sys.stderr,
            )
            return 1
        return 0
    finally:
        hangup.restore()


async def _serve(
    application: Any, settings: Settings, secret: str | None, hangup: _EarlyHangup
) -> None:
    loop = asyncio.get_running_loop()
    stop, reload = asyncio.Event(), asyncio.Event()
    handled = [signal.SIGINT, signal.SIGTERM]
    for signum in handled:
        loop.add_signal_handler(signum, stop.set)
    if _HANGUP is not None:
        loop.add_signal_handler(_HANGUP, reload.set)
        handled.append(_HANGUP)
    if hangup.received:
        reload.set()
    try:
        await _run(application, settings, secret, stop, reload)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


async def _run(
    application: Any,
    settings: Settings,
    secret: str | None,
    stop: asyncio.Event,
    reload: asyncio.Event,
) -> None:
    server: HTTPServer | None = None
    try:
        if not await _unless_stopped(application.initialize(), stop):  # getMe
            return
        state = state_of(application)
        logger.info(
            "connected as @%s; %s", application.bot.username, state.engine.knowledge.summary()
        )
        if not await _unless_stopped(register_commands(application), stop):
            return
        await replay_pending(application)  # updates kept from before a crash (bot/inbox.py)
        if settings.webhook_url and secret:
            server = _listen(application, settings, secret)
            if not await _unless_stopped(_set_webhook(application, settings, secret), stop):
                return
        else:
            logger.info(
                "starting long polling against %s",
                settings.api_base_url.replace(settings.token or "", "<redacted>"),
            )
            polling = application.updater.start_polling(
                allowed_updates=list(ALLOWED_UPDATES), drop_pending_updates=False
            )
            if not await _unless_stopped(polling, stop):
                return
        await application.start()
        tasks = [asyncio.create_task(_reload_when_asked(application, reload), name="reload")]
        if state.recorder is not None:
            tasks.append(asyncio.create_task(_expire_daily(state.recorder), name="expiry"))
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await _stop_updater(application)
            if server is not None:
                server.stop()
                await server.close_all_connections()
            await application.stop()
    finally:
        await _stop_updater(application)
        if server is not None:
            server.stop()
        await application.shutdown()
        recorder = state_of(application).recorder
        if recorder is not None:  # write what is still queued (a few seconds at most)
            await asyncio.to_thread(recorder.close)
        if isinstance(application.update_queue, InboxQueue):
            await asyncio.to_thread(application.update_queue.inbox.close)


async def _stop_updater(application: Any) -> None:
    """Stop long polling at once, even in the pause after a failed ``getUpdates``.

    python-telegram-bot pauses before asking again (up to 30 s after network errors, or as long
    as a 429 "retry after" says) in a plain ``asyncio.sleep`` that its own stop does not
    interrupt, so a bot whose Bot API had gone would wait that long after SIGTERM. A polling task
    caught in that pause is cancelled first; in any other state the library stops it itself
    (cancelling it mid-request would leave the request behind)."""
    if not application.updater.running:
        return
    for task in asyncio.all_tasks():
        if task.get_name() == _POLLING_TASK and _pausing(task):
            task.cancel()
    await application.updater.stop()


#: python-telegram-bot's name for the task that long-polls (``Updater.start_polling``).
_POLLING_TASK = "Updater:start_polling:polling_task"


def _pausing(task: asyncio.Task[Any]) -> bool:
    """Whether ``task``'s own coroutine is waiting in ``asyncio.sleep`` (not on a request)."""
    awaiting = getattr(task.get_coro(), "cr_await", None)
    return getattr(getattr(awaiting, "cr_code", None), "co_name", None) == "sleep"


async def _unless_stopped(step: Awaitable[Any], stop: asyncio.Event) -> bool:
    """Run one start-up step; ``False`` if a stop signal came first (the step is cancelled)."""
    task = asyncio.ensure_future(step)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if task.done():
        task.result()  # a failed step raises here
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    logger.info("stopped while starting")
    return False


def _listen(application: Any, settings: Settings, secret: str) -> HTTPServer:
    server = webhook_server(application, settings.webhook_path, secret)
    try:
        server.listen(settings.webhook_port, address=settings.webhook_listen)
    except OSError as error:
        raise StartupError(
            f"cannot listen for the webhook on {settings.webhook_listen}:"
            f"{settings.webhook_port} ({error.strerror}); set BOT_WEBHOOK_LISTEN and "
            "BOT_WEBHOOK_PORT to a free address"
        ) from error
    logger.info(
        "webhook mode: listening on %s:%d/%s; secret token %s",
        settings.webhook_listen,
        settings.webhook_port,
        settings.webhook_path,
        "set" if settings.webhook_secret else "set (generated for this run)",
    )
    return server


async def _set_webhook(application: Any, settings: Settings, secret: str) -> None:
    try:
        await application.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=False,
        )
    except (BadRequest, Forbidden) as error:  # a network failure keeps its own explanation
        raise StartupError(
            f"Telegram refused the webhook: {error.message}; check BOT_WEBHOOK_URL and "
            "BOT_WEBHOOK_SECRET"
        ) from error


async def _reload_when_asked(application: Any, reload: asyncio.Event) -> None:
    """Reload the fact base each time SIGHUP asks (also once for a SIGHUP during start)."""
    while True:
        await reload.wait()
        reload.clear()
        await _logged(reload_knowledge, application)


async def _expire_daily(recorder: Recorder) -> None:
    """Delete curation entries older than the retention period, now and once a day; trouble
    with the database is the recorder's to tell (once per outage), and tried again tomorrow."""
    while True:
        try:
            removed = await asyncio.to_thread(recorder.records.expire)
        except (sqlite3.Error, OSError) as error:
            recorder.trouble(error)
        else:
            recorder.works()
            if removed:
                logger.info("expired %d old curation entries", removed)
        await asyncio.sleep(EXPIRY_INTERVAL)


async def _logged(action: Callable[[Any], Awaitable[Any]], application: Any) -> None:
    """A background step that fails is logged; the task (and the bot) go on."""
    try:
        await action(application)
    except Exception:
        logger.exception("background %s failed", getattr(action, "__name__", "task"))
