"""A local Bot API stand-in on 127.0.0.1, as strict as Telegram where our bot could go wrong.

Written against the Bot API documentation: it serves ``getUpdates`` long polling from a queue the
tests fill (acting as users), records every call the bot makes, and rejects what Telegram rejects:
malformed HTML entities, texts over 4096 characters, callback data over 64 bytes, invalid command
names. It can answer 429 "retry after" on demand. It never talks to anything but loopback.
"""

from __future__ import annotations

import html.parser
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_ID = 777000111
BOT_USERNAME = "FoshanClusterBot"
TOKEN = "123456789:TEST-token_for-the-local-stand-in-AAAA"
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "blockquote",
    "tg-emoji",
}
#: Marks an update pushed as raw JSON text (``push_raw``).
_RAW = "raw JSON"
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_STRUCTURED = {
    "reply_markup",
    "commands",
    "results",
    "link_preview_options",
    "reply_parameters",
    "scope",
    "allowed_updates",
    "entities",
}
_INTEGERS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "cache_time",
    "reply_to_message_id",
}


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class _EntityParser(html.parser.HTMLParser):
    """Parses Telegram HTML the way the Bot API does: known tags only, balanced, and returns the
    text a user would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"'
            )
        if tag == "a" and not dict(attrs).get("href"):
            raise ApiError(400, "Bad Request: can't parse entities: a tag without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise ApiError(400, "Bad Request: can't parse entities: unescaped < or >")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: unsupported entity "&{name};"'
            )
        self.text.append({"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name])

    def handle_charref(self, name: str) -> None:
        self.text.append(chr(int(name[1:], 16) if name.startswith("x") else int(name)))


def parse_html(text: str) -> str:
    """The visible text of Telegram HTML, or ApiError as the Bot API would answer."""
    if re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", text):
        raise ApiError(400, "Bad Request: can't parse entities: bare '&'")
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ApiError(
            400, f'Bad Request: can\'t parse entities: unclosed tag "{parser.stack[-1]}"'
        )
    return "".join(parser.text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_text(text: Any, parse_mode: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    visible = parse_html(text) if parse_mode == "HTML" else text
    if not visible.strip():
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_length(visible) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return visible


def _check_markup(markup: Any) -> None:
    if markup is None:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: button text is empty")
            data = button.get("callback_data")
            if data is not None and len(data.encode()) > MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            url = button.get("url")
            if url is not None and not re.match(r"^(https?|tg)://", url):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            if data is None and url is None and "switch_inline_query" not in button:
                raise ApiError(400, "Bad Request: button has no action")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    visible_text: str | None = None
    #: The id of the message a send created (so tests can reply to it).
    message_id: int | None = None


@dataclass
class FakeTelegram:
    """The server's state; tests push updates and read ``calls``."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    #: Calls by chat id, so tests waiting on many chats never hold the lock for long.
    by_chat: dict[int, list[Call]] = field(default_factory=dict)
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: Per method and chat, what the next calls answer instead of succeeding: an int is a 429
    #: with that retry_after, an ApiError is returned as it is. Set with ``fail``.
    fail_next: dict[tuple[str, int | None], list[int | ApiError]] = field(default_factory=dict)
    condition: threading.Condition = field(default_factory=threading.Condition)
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1000))  # type: ignore[type-arg]
    _callback_ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    #: The offset of every getUpdates call: updates below it are confirmed, Telegram forgets them.
    offsets: list[int] = field(default_factory=list)
    answered_callbacks: set[str] = field(default_factory=set)
    pending_callbacks: set[str] = field(default_factory=set)
    closed: bool = False
    #: ``getUpdates`` calls so far: a bot polls once it has finished starting.
    polls: int = 0
    #: Per method, an event the stand-in waits for before answering (a slow Telegram).
    holds: dict[str, threading.Event] = field(default_factory=dict)
    #: Methods called while held, in order (so a test knows the bot is waiting).
    held_calls: list[str] = field(default_factory=list)
    #: The parameters of the last ``getUpdates`` (e.g. its ``allowed_updates``).
    polled_with: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- acting as users

    @staticmethod
    def user(user_id: int, language: str = "en") -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": language,
        }

    @staticmethod
    def private_chat(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": f"User{user_id}"}

    @staticmethod
    def group_chat(chat_id: int = -1001234567890) -> dict[str, Any]:
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        with self.condition:
            update_id = next(self._update_ids)
            self.updates.append({"update_id": update_id, kind: payload})
            self.condition.notify_all()
            return update_id

    def push_raw(self, kind: str, payload: str) -> int:
        """Like ``push``, with the payload as JSON text sent as it is (nested deeper than
        ``json.dumps`` writes)."""
        with self.condition:
            update_id = next(self._update_ids)
            text = f'{{"update_id": {update_id}, {json.dumps(kind)}: {payload}}}'
            self.updates.append({"update_id": update_id, _RAW: text})
            self.condition.notify_all()
            return update_id

    def send_message(
        self,
        text: str | None,
        user_id: int = 1,
        chat: dict[str, Any] | None = None,
        language: str = "en",
        reply_to: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        kind: str = "message",
        entities: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A user sends a message; entities for commands and mentions are made like Telegram's."""
        chat = chat or self.private_chat(user_id)
        self.chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user(user_id, language),
        }
        if text is not None:
            message["text"] = text
            found = entities if entities is not None else self.entities_of(text)
            if found:
                message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(extra or {})
        self.push(kind, message)
        return message

    @staticmethod
    def entities_of(text: str) -> list[dict[str, Any]]:
        entities = []
        for match in re.finditer(r"(?<![\w/])(/[A-Za-z0-9_]{1,32}(?:@\w+)?)|(@\w{5,32})", text):
            offset = utf16_length(text[: match.start()])
            length = utf16_length(match.group(0))
            kind = "bot_command" if match.group(1) else "mention"
            if kind == "bot_command" and match.start() != 0:
                continue
            entities.append({"type": kind, "offset": offset, "length": length})
        return entities

    def press(
        self, message: dict[str, Any], data: str, user_id: int = 1, language: str = "en"
    ) -> str:
        """A user presses an inline button under one of the bot's messages."""
        query_id = f"cq{next(self._callback_ids)}"
        self.pending_callbacks.add(query_id)
        self.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.user(user_id, language),
                "message": message,
                "chat_instance": "ci",
                "data": data,
            },
        )
        return query_id

    def inline(self, query: str, user_id: int = 1, language: str = "en") -> str:
        query_id = f"iq{next(self._callback_ids)}"
        self.push(
            "inline_query",
            {"id": query_id, "from": self.user(user_id, language), "query": query, "offset": ""},
        )
        return query_id

    # ---------------------------------------------------------------- reading what the bot did

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        with self.condition:
            calls = self.calls if chat_id is None else self.by_chat.get(chat_id, [])
            return [c for c in calls if c.method == method]

    def wait_for(self, predicate, timeout: float = 30.0):  # type: ignore[no-untyped-def]
        """Wait until ``predicate()`` is truthy (a helper for tests, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        with self.condition:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the bot did not do what was expected in time")
                self.condition.wait(min(remaining, 0.2))

    def wait_for_replies(
        self, chat_id: int, count: int = 1, after: int = 0, timeout: float = 30.0
    ) -> list[Call]:
        return self.wait_for(
            lambda: (lambda r: r if len(r) >= count else None)(self.sent(chat_id=chat_id)[after:]),
            timeout,
        )

    # ---------------------------------------------------------------- the API

    def fail(self, method: str, chat_id: int | None, *failures: int | ApiError) -> None:
        """Make the next ``method`` calls for ``chat_id`` fail: only that chat's, so a late reply
        to another chat (another test's) never takes a failure meant for this one. ``None`` is
        for the calls about no chat (``getMe``, ``setWebhook``)."""
        with self.condition:
            self.fail_next.setdefault((method, chat_id), []).extend(failures)

    def handle(self, method: str, params: dict[str, Any]) -> Any:
        hold = self.holds.get(method)
        if hold is not None:
            with self.condition:
                self.held_calls.append(method)
                self.condition.notify_all()
            hold.wait(timeout=60)
        with self.condition:
            failures = self.fail_next.get((method, params.get("chat_id")))  # type: ignore[arg-type]
            if failures:
                failure = failures.pop(0)
                if isinstance(failure, ApiError):
                    self._record(f"{method}:{failure.code}", params)
                    raise failure
                self._record(f"{method}:429", params)
                raise ApiError(429, f"Too Many Requests: retry after {failure}", failure)
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        return handler(params)

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        visible: str | None = None,
        message_id: int | None = None,
    ) -> None:
        with self.condition:
            call = Call(method, params, visible, message_id)
            self.calls.append(call)
            if isinstance(params.get("chat_id"), int):
                self.by_chat.setdefault(params["chat_id"], []).append(call)
            self.condition.notify_all()

    def api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Foshan Cluster Bot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self._record("deleteWebhook", params)
        return True

    def api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url", "")
        if url and not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self._record("setWebhook", params)
        return True

    def api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        with self.condition:
            self.offsets.append(offset)  # what the bot has confirmed so far
        timeout = min(float(params.get("timeout") or 0), 2.0)  # short: tests stop promptly
        deadline = time.monotonic() + timeout
        with self.condition:
            self.polled_with = dict(params)
            self.polls += 1
            self.condition.notify_all()
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self.closed and time.monotonic() < deadline:
                self.condition.wait(deadline - time.monotonic())
            return list(self.updates[: int(params.get("limit") or 100)])

    def api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not _COMMAND.match(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is empty or too long")
        self._record("setMyCommands", params)
        return True

    def api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        visible = _check_text(params.get("text"), params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        chat_id = params.get("chat_id")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        message_id = next(self._message_ids)
        self._record("sendMessage", params, visible, message_id)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.api_getMe({}),
            "text": visible,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        visible = _check_text(params.get("text"), params.get("parse_mode"))
        _check_markup(params.get("reply_markup"))
        self._record("editMessageText", params, visible)
        chat = self.chats.get(
            params.get("chat_id"), {"id": params.get("chat_id"), "type": "private"}
        )  # type: ignore[arg-type]
        return {
            "message_id": params.get("message_id"),
            "date": int(time.time()),
            "chat": chat,
            "text": visible,
        }

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params.get("callback_query_id")
        if query_id not in self.pending_callbacks:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(params.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: callback answer text is too long")
        self.pending_callbacks.discard(query_id)
        self.answered_callbacks.add(query_id)
        self._record("answerCallbackQuery", params)
        return True

    def api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        results = params.get("results") or []
        if len(results) > 50:
            raise ApiError(400, "Bad Request: too many results")
        ids = set()
        for result in results:
            result_id = result.get("id", "")
            if not result_id or len(result_id.encode()) > 64 or result_id in ids:
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            ids.add(result_id)
            content = result.get("input_message_content") or {}
            _check_text(content.get("message_text"), content.get("parse_mode"))
            if not result.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        self._record("answerInlineQuery", params)
        return True

    def api_close(self, params: dict[str, Any]) -> bool:
        return True


def _decode(params: dict[str, str]) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for key, value in params.items():
        if key in _STRUCTURED:
            decoded[key] = json.loads(value)
        elif key in _INTEGERS:
            decoded[key] = int(value)
        else:
            decoded[key] = value
    return decoded


def _encode(payload: dict[str, Any]) -> str:
    """The response as JSON; updates pushed raw are written as they were given."""
    result = payload.get("result")
    if not isinstance(result, list) or not any(
        isinstance(item, dict) and _RAW in item for item in result
    ):
        return json.dumps(payload)
    items = ", ".join(
        item[_RAW] if isinstance(item, dict) and _RAW in item else json.dumps(item)
        for item in result
    )
    return f'{{"ok": true, "result": [{items}]}}'


def serve(fake: FakeTelegram, token: str = TOKEN) -> tuple[ThreadingHTTPServer, str]:
    """Start the stand-in on a free loopback port; returns the server and the API base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self._handle()

        def do_GET(self) -> None:  # noqa: N802
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            match = re.match(r"^/bot([^/]+)/(\w+)$", self.path.split("?")[0])
            status, payload = 200, None
            if not match or match.group(1) != token:
                status, payload = (
                    401,
                    {"ok": False, "error_code": 401, "description": "Unauthorized"},
                )
            else:
                content_type = self.headers.get("Content-Type", "")
                if "json" in content_type:
                    raw = json.loads(body or "{}")
                    params = {k: v for k, v in raw.items()}
                else:
                    params = _decode(
                        {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                    )
                try:
                    payload = {"ok": True, "result": fake.handle(match.group(2), params)}
                except ApiError as error:
                    status = error.code
                    payload = {
                        "ok": False,
                        "error_code": error.code,
                        "description": error.description,
                    }
                    if error.retry_after is not None:
                        payload["parameters"] = {"retry_after": error.retry_after}
            data = _encode(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot shut down while a long poll was open

    class Server(ThreadingHTTPServer):
        # A bot answering a burst opens many connections at once; the default backlog of 5
        # would drop some and leave the bot's requests hanging.
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/bot"


def stop(fake: FakeTelegram, server: ThreadingHTTPServer) -> None:
    with fake.condition:
        fake.closed = True
        fake.condition.notify_all()
    server.shutdown()
    server.server_close()
