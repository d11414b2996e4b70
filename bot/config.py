"""Operator settings from environment variables (and a few command-line flags), plus logging
that never shows the bot token."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class ConfigError(ValueError):
    """A setting is present but unusable; the message says which and how to fix it."""


#: Ports Telegram accepts in a webhook URL (the listening port behind a proxy may differ).
WEBHOOK_URL_PORTS = (443, 80, 88, 8443)


@dataclass(frozen=True)
class Settings:
    # The secrets stay out of repr() (and so out of any traceback or debug print of settings).
    token: str | None = field(repr=False)
    api_base_url: str = DEFAULT_API_BASE_URL
    knowledge_dir: str | None = None
    log_level: str = "INFO"
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)
    data_dir: Path = Path("data")
    admin_ids: frozenset[int] = frozenset()
    retention_days: int = 90
    #: Seconds a quiet conversation's context (last answer, "Did you mean") is kept in memory.
    conversation_seconds: int = 900

    @property
    def webhook_path(self) -> str:
        """The path part of the webhook URL, where the local server listens."""
        if not self.webhook_url:
            return ""
        return urlsplit(self.webhook_url).path.lstrip("/")

    @property
    def api_file_url(self) -> str:
        """The file endpoint that goes with the API base URL (self-hosted servers too)."""
        if self.api_base_url.rstrip("/").endswith("/bot"):
            return self.api_base_url.rstrip("/")[: -len("bot")] + "file/bot"
        return self.api_base_url.rstrip("/") + "/file/bot"


def token_looks_valid(token: str) -> bool:
    """BotFather tokens look like ``123456789:AAH...`` (digits, colon, 30+ URL-safe characters)."""
    return bool(_TOKEN_SHAPE.match(token))


_WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def load_settings(
    args: argparse.Namespace | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read settings; ``--token-file`` wins over ``TELEGRAM_BOT_TOKEN``.

    Raises:
        ConfigError: for the first unusable setting (``read_settings`` lists them all).
    """
    settings, problems = read_settings(args, environ)
    if problems:
        raise ConfigError(next(iter(problems.values()))[0])
    return settings


def read_settings(
    args: argparse.Namespace | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, list[str]]]:
    """Every setting, with the default in place of an unusable one, and what is wrong with each
    by the part of the setup it belongs to (``token``, ``Bot API``, ``webhook``,
    ``configuration``), so ``doctor`` can report them all at once."""
    env = os.environ if environ is None else environ
    problems: dict[str, list[str]] = {}

    def setting(area: str, read: Callable[[], Any], default: Any) -> Any:
        try:
            return read()
        except ConfigError as error:
            problems.setdefault(area, []).append(str(error))
            return default

    token = setting("token", lambda: _token(args, env), None)
    level = setting("configuration", lambda: _log_level(env), "INFO")
    base_url = setting("Bot API", lambda: _base_url(env), DEFAULT_API_BASE_URL)
    webhook_url = setting("webhook", lambda: _webhook_url(args, env), None)
    webhook_secret = setting("webhook", lambda: _webhook_secret(env), None)
    settings = Settings(
        token=token,
        api_base_url=base_url,
        knowledge_dir=(getattr(args, "knowledge", None) if args else None)
        or env.get("BOT_KNOWLEDGE_DIR")
        or None,
        log_level=level,
        webhook_url=webhook_url,
        webhook_listen=env.get("BOT_WEBHOOK_LISTEN", "").strip() or "0.0.0.0",
        webhook_port=setting(
            "webhook", lambda: _integer(env, "BOT_WEBHOOK_PORT", 8443, 1, 65535), 8443
        ),
        webhook_secret=webhook_secret,
        data_dir=Path(env.get("BOT_DATA_DIR", "").strip() or "data"),
        admin_ids=setting(
            "configuration", lambda: _admin_ids(env.get("BOT_ADMIN_IDS", "")), frozenset()
        ),
        retention_days=setting(
            "configuration", lambda: _integer(env, "BOT_RETENTION_DAYS", 90, 1, 36500), 90
        ),
        conversation_seconds=setting(
            "configuration",
            lambda: _integer(env, "BOT_CONVERSATION_SECONDS", 900, 0, 86400),
            900,
        ),
    )
    return settings, problems


def _token(args: argparse.Namespace | None, env: Mapping[str, str]) -> str | None:
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    token_file = getattr(args, "token_file", None) if args else None
    if token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigError(f"cannot read --token-file {token_file}: {reason}") from None
        if token is None:
            raise ConfigError(f"--token-file {token_file} is empty: put the bot token in it")
    if token and not token_looks_valid(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, ':' and the "
            "secret part, as BotFather gives it)"
        )
    return token


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("BOT_LOG_LEVEL", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"BOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    return level


def _base_url(env: Mapping[str, str]) -> str:
    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
    if not re.match(r"^https?://", base_url):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    return base_url


def _webhook_url(args: argparse.Namespace | None, env: Mapping[str, str]) -> str | None:
    url = (getattr(args, "webhook_url", None) if args else None) or env.get("BOT_WEBHOOK_URL")
    if url and not url.startswith("https://"):
        raise ConfigError(
            "BOT_WEBHOOK_URL must be an https:// address (Telegram only calls HTTPS webhooks)"
        )
    return url or None


def _webhook_secret(env: Mapping[str, str]) -> str | None:
    secret = env.get("BOT_WEBHOOK_SECRET", "").strip() or None
    if secret and not _WEBHOOK_SECRET_SHAPE.match(secret):
        # Never quote it: it is a secret even when it is unusable.
        raise ConfigError(
            "BOT_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, '_' and '-' (1 to 256 of them), "
            "as Telegram requires"
        )
    return secret


#: A whole number as settings take it: ASCII digits only (``str.isdigit`` also accepts "²" and
#: other scripts' digits, which ``int`` then refuses or reads), and short enough for ``int``
#: (which refuses more than 4,300 digits) and for any id Telegram gives (64-bit).
_NUMBER = re.compile(r"-?[0-9]{1,19}")


def _shown(raw: str) -> str:
    """A setting's value for an error message: quoted if short, else only its length."""
    return repr(raw) if len(raw) <= 20 else f"a value of {len(raw)} characters"


def _integer(env: Mapping[str, str], name: str, default: int, lowest: int, highest: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not _NUMBER.fullmatch(raw) or not lowest <= int(raw) <= highest:
        raise ConfigError(
            f"{name} must be a whole number from {lowest} to {highest}, not {_shown(raw)}"
        )
    return int(raw)


def _admin_ids(raw: str) -> frozenset[int]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(_NUMBER.fullmatch(part) for part in ids):
        raise ConfigError(
            "BOT_ADMIN_IDS must be Telegram user ids separated by commas, e.g. 12345,67890"
        )
    return frozenset(int(part) for part in ids)


class RedactingFilter(logging.Filter):
    """Replaces secrets in every record that passes through a handler.

    python-telegram-bot logs the API URL (which contains the token) at DEBUG, and httpx logs every
    request URL at INFO; a filter on the handler catches them all, from any logger.
    """

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<redacted>")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, "<redacted>")
        return True


class StartupNoiseFilter(logging.Filter):
    """Drops python-telegram-bot's own report of a failed start-up step (a traceback logged just
    before it raises): ``run`` reports the cause in one line instead. Kept at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            record.name.startswith("telegram")
            and record.getMessage().startswith("Network Retry Loop (Bootstrap")
        )


def configure_logging(level: str, secrets: list[str]) -> None:
    """Log to stderr at ``level``, with secrets redacted and chatty HTTP loggers quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    if level != "DEBUG":
        handler.addFilter(StartupNoiseFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs each request URL (with the token) at INFO; keep it to warnings.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
