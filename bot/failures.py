"""What went wrong talking to Telegram, in one line an operator can act on.

Used by ``run`` when the bot cannot start and by ``doctor`` for its Bot API check, so both tell
a rejected token from an unreachable network, a failed DNS lookup or a failing server. The line
never contains the token or the webhook secret (Telegram's own messages are redacted too).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError, TimedOut


class StartupError(Exception):
    """A start-up step failed; the message already says which and why, for the operator."""


def api_host(base_url: str) -> str:
    """``host:port`` of the Bot API (never any credentials or path)."""
    parts = urlsplit(base_url)
    host = parts.hostname or "?"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def describe_failure(error: BaseException, base_url: str) -> str:
    """Why talking to the Bot API at ``base_url`` failed, without any secret."""
    if isinstance(error, StartupError):
        return str(error)
    host = api_host(base_url)
    if isinstance(error, InvalidToken):
        return (
            "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (or --token-file) "
            "against @BotFather"
        )
    if isinstance(error, Forbidden):
        return f"the Bot API at {host} refused the request ({error.message})"
    chain = list(_chain(error))
    lookup = next((e for e in chain if isinstance(e, socket.gaierror)), None)
    if lookup is not None:
        return (
            f"cannot look up the Bot API host {urlsplit(base_url).hostname} "
            f"(DNS: {lookup.strerror}); check the network and TELEGRAM_API_BASE_URL"
        )
    refused = next((e for e in chain if isinstance(e, OSError) and e.errno), None)
    if refused is not None and refused.errno is not None:
        return (
            f"cannot connect to the Bot API at {host} ({os.strerror(refused.errno)}); "
            "check the network and TELEGRAM_API_BASE_URL"
        )
    if isinstance(error, TimedOut):
        return f"the Bot API at {host} did not answer in time; check the network"
    if isinstance(error, NetworkError) and any(e is not error for e in chain):
        return f"cannot reach the Bot API at {host} ({error.message}); check the network"
    if isinstance(error, TelegramError):
        return f"the Bot API at {host} failed: {error.message}"
    return f"{type(error).__name__}: {error}"


def redact(text: str, secrets: list[str | None]) -> str:
    """``text`` with every (non-empty) secret replaced by ``<redacted>``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text
