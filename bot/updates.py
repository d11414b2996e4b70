"""Updates as Telegram sends them, checked before python-telegram-bot reads them.

The library reads a whole ``getUpdates`` batch at once: one update it cannot read (a field of an
unexpected type, a newer Bot API than it knows) fails the batch, the offset never moves, and
polling asks for the same batch for ever. Here each update is tried on its own first; one that
cannot be read is logged once and replaced by its bare ``update_id`` (handled by nothing, but
confirmed, so polling goes on). Lone surrogates in any text (valid JSON, but refused by UTF-8,
SQLite and strict terminals) become U+FFFD on the way in. The webhook server uses the same check.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

from bot.escape import replace_surrogates

logger = logging.getLogger(__name__)


def readable_update(data: Any) -> dict[str, Any] | None:
    """``data`` as an update python-telegram-bot can read, its bare ``update_id`` if it cannot
    read it (logged), or ``None`` if it is not an update at all."""
    data = replace_surrogates(data)
    update_id = data.get("update_id") if isinstance(data, dict) else None
    try:
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
        data = super().parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            kept = (readable_update(item) for item in result)
            data["result"] = [item for item in kept if item is not None]
        return data
