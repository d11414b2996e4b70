"""Updates as Telegram sends them, checked before python-telegram-bot reads them.

The library reads a whole ``getUpdates`` batch at once: one update it cannot read (a field of an
unexpected type, a newer Bot API than it knows) fails the batch, the offset never moves, and
polling asks for the same batch for ever. Here each update is tried on its own first; one that
cannot be read is logged once and replaced by its bare ``update_id`` (handled by nothing, but
confirmed, so polling goes on). An update nested deeper than ``MAX_UPDATE_DEPTH`` (Telegram's
nest about ten deep) is one it cannot read: JSON nested thousands deep would otherwise stop the
batch with a ``RecursionError``, so a batch too deep to load is loaded with its deepest arrays and
objects emptied, and the update holding them skipped like the others. Lone surrogates in any text
(valid JSON, but refused by UTF-8, SQLite and strict terminals) become U+FFFD on the way in. The
webhook server uses the same check.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

from bot.escape import replace_surrogates

logger = logging.getLogger(__name__)

#: Arrays and objects inside one another in an update, at most (the update itself is 1).
MAX_UPDATE_DEPTH = 50
#: A ``getUpdates`` answer wraps its updates in two more: ``{"result": [update, ...]}``.
_BATCH_DEPTH = MAX_UPDATE_DEPTH + 2
#: A JSON string (skipped whole, brackets in it are text), or a bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class TooDeepError(ValueError):
    """An update nested deeper than ``MAX_UPDATE_DEPTH``."""


def nesting_depth(value: Any) -> int:
    """How many arrays and objects ``value`` has inside one another (0 for a number or text);
    counted without recursion, so any depth can be measured."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


def emptied_below(text: str, limit: int) -> str:
    """JSON ``text`` with every array or object opening deeper than ``limit`` replaced by
    ``[]``: still deeper than ``limit`` (so refused where depth is checked), but loadable."""
    kept: list[str] = []
    depth = 0
    start = 0
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth == limit + 1:
                kept.append(text[start : token.start()] + "[]")
        elif bracket in ("]", "}"):
            if depth == limit + 1:
                start = token.end()
            depth -= 1
    kept.append(text[start:])
    return "".join(kept)


def readable_update(data: Any) -> dict[str, Any] | None:
    """``data`` as an update python-telegram-bot can read, its bare ``update_id`` if it cannot
    read it (logged), or ``None`` if it is not an update at all."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    try:
        if nesting_depth(data) > MAX_UPDATE_DEPTH:
            raise TooDeepError
        data = replace_surrogates(data)
        Update.de_json(data, None)
    except Exception as error:
        logger.warning(
            "skipped update %s that could not be read (%s)", update_id, type(error).__name__
        )
        return {"update_id": update_id} if isinstance(update_id, int) else None
    return data if isinstance(update_id, int) else None


class UpdatesRequest(HTTPXRequest):
    """The connection ``getUpdates`` uses (one, as the library's default): every update of a
    batch goes through ``readable_update`` before the library reads the batch."""

    def __init__(self) -> None:
        super().__init__(connection_pool_size=1)

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:
        try:
            data = super().parse_json_payload(payload)
        except RecursionError:  # nested too deep for json.loads: load it with the depths emptied
            text = emptied_below(payload.decode("utf-8", "replace"), _BATCH_DEPTH)
            data = super().parse_json_payload(text.encode())
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            kept = (readable_update(item) for item in result)
            data["result"] = [item for item in kept if item is not None]
        return data
