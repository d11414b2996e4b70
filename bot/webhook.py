"""The webhook server: Telegram's POSTs in, updates onto the application's queue.

python-telegram-bot's own webhook server reads a whole request body before it checks the secret
header, so anyone who finds the URL can make it buffer up to 100 MB per request. This one
(tornado, like the library's) decides on the headers alone: a request without the right
``X-Telegram-Bot-Api-Secret-Token`` gets 403 and one that announces more than
``MAX_UPDATE_BYTES`` gets 413, both before the body is read, and tornado then closes the
connection instead of reading on; a body that grows past the cap as it streams in gets 413 too.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.updates import readable_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's updates are a few kilobytes; nothing it sends comes near this.
MAX_UPDATE_BYTES = 1024 * 1024
#: A client that sends its headers or body this slowly is disconnected (seconds).
BODY_TIMEOUT = 30
IDLE_TIMEOUT = 60


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """One POST from Telegram: checked on its headers, then read (bounded) and queued."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, telegram: Any, secret: str) -> None:
        self.telegram = telegram
        self.secret = secret.encode()
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        declared = self.request.headers.get("Content-Length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPDATE_BYTES):
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self.size += len(chunk)
        if self.size > MAX_UPDATE_BYTES:  # a chunked body that keeps growing
            # (raising here would drop the connection without an answer)
            self.chunks.clear()
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        if self._finished:
            return
        # Answered 200 even when it cannot be read: Telegram would only send it again.
        try:
            data = readable_update(json.loads(b"".join(self.chunks)))
        except (ValueError, RecursionError) as error:  # not JSON, or nested too deep to read
            logger.warning(
                "skipped a webhook request that could not be read (%s)", type(error).__name__
            )
            return
        if data is not None:
            await self.telegram.update_queue.put(Update.de_json(data, self.telegram.bot))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        """Refusals (403, 413) are expected: nothing to log. Anything else is logged once, by
        kind (the traceback too; the log's redacting filter keeps secrets out of it)."""
        if isinstance(value, tornado.web.HTTPError):
            return
        logger.error(
            "a webhook request failed (%s); answered 500, so Telegram sends it again",
            typ.__name__ if typ else "unknown",
            exc_info=(typ, value, tb),
        )


def webhook_server(application: Any, path: str, secret: str) -> HTTPServer:
    """A tornado server for ``/path`` that queues updates for ``application`` (not started)."""
    route = (
        rf"/{path.strip('/')}/?",
        UpdateHandler,
        {"telegram": application, "secret": secret},
    )
    app = tornado.web.Application([route], log_function=lambda handler: None)
    return HTTPServer(
        app,
        # Tornado's own cap (a bare 400) only past ours, so a client over the cap gets 413.
        max_body_size=2 * MAX_UPDATE_BYTES,
        body_timeout=BODY_TIMEOUT,
        idle_connection_timeout=IDLE_TIMEOUT,
    )
