"""``python -m bot doctor``: check an installation before running it, one line per check.

Every check runs even when an earlier one fails, and none changes anything: the data directory
is checked by trying (``bot/datadir.py``: a temporary file or folder, removed at once) without
creating it or the database, and the Bot API check only calls ``getMe``. A rejected token, an
unreachable network, a failed DNS lookup and a failing server each get their own explanation.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import WEBHOOK_URL_PORTS, Settings, read_settings
from bot.datadir import data_dir_problem
from bot.failures import api_host, describe_failure, redact
from bot.knowledge import KnowledgeError, load_knowledge


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def _get_me(settings: Settings) -> str:
    from telegram import Bot
    from telegram.request import HTTPXRequest

    async def ask() -> str:
        request = HTTPXRequest(connect_timeout=5, read_timeout=5)
        bot = Bot(
            settings.token or "",
            base_url=settings.api_base_url,
            base_file_url=settings.api_file_url,
            request=request,
        )
        async with bot:
            return f"@{bot.username}"

    return asyncio.run(ask())


def run_checks(args: argparse.Namespace | None = None) -> list[Check]:
    """Every check, in the order an operator would fix them."""
    settings, problems = read_settings(args)
    return [
        _token_check(settings, problems),
        _api_check(settings, problems),
        _configuration_check(settings, problems),
        _data_dir_check(settings.data_dir),
        _fact_base_check(settings),
        _webhook_check(settings, problems),
    ]


def _token_check(settings: Settings, problems: dict[str, list[str]]) -> Check:
    if "token" in problems:
        return Check("token", False, "; ".join(problems["token"]))
    if not settings.token:
        return Check(
            "token",
            False,
            "TELEGRAM_BOT_TOKEN is not set (or use --token-file); get one from @BotFather",
        )
    return Check("token", True, "present and well-formed")


def _api_check(settings: Settings, problems: dict[str, list[str]]) -> Check:
    if "Bot API" in problems:
        return Check("Bot API", False, "; ".join(problems["Bot API"]))
    if not settings.token or "token" in problems:
        return Check("Bot API", False, "not checked: it needs a usable token (see above)")
    host = api_host(settings.api_base_url)
    try:
        username = _get_me(settings)
    except Exception as error:  # any failure here is something for the operator to fix
        reason = redact(describe_failure(error, settings.api_base_url), [settings.token])
        return Check("Bot API", False, f"getMe at {host}: {reason}")
    return Check("Bot API", True, f"getMe at {host} answered as {username}")


def _configuration_check(settings: Settings, problems: dict[str, list[str]]) -> Check:
    if "configuration" in problems:
        return Check("configuration", False, "; ".join(problems["configuration"]))
    admins = len(settings.admin_ids)
    return Check(
        "configuration",
        True,
        f"log level {settings.log_level}, {admins} admin{'s' if admins != 1 else ''}, "
        f"records kept {settings.retention_days} days",
    )


def _data_dir_check(data_dir: Path) -> Check:
    problem = data_dir_problem(data_dir)
    if problem is not None:
        return Check(
            "data directory",
            False,
            f"{data_dir}: {problem}; set BOT_DATA_DIR to a writable folder",
        )
    state = "writable" if data_dir.exists() else "will be created at the first start"
    return Check("data directory", True, f"{data_dir} {state}")


def _fact_base_check(settings: Settings) -> Check:
    try:
        knowledge, warnings = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as error:
        return Check(
            "fact base",
            False,
            f"{len(error.problems)} problems, first: {error.problems[0]}; "
            "run `python -m bot validate`",
        )
    detail = knowledge.summary() + (f" ({len(warnings)} warnings)" if warnings else "")
    return Check("fact base", True, detail)


def _webhook_check(settings: Settings, problems: dict[str, list[str]]) -> Check:
    if "webhook" in problems:
        return Check("webhook", False, "; ".join(problems["webhook"]))
    if not settings.webhook_url:
        return Check("mode", True, "long polling (set BOT_WEBHOOK_URL for webhooks)")
    parts = urlsplit(settings.webhook_url)
    try:
        port = parts.port or 443
    except ValueError:
        return Check("webhook", False, "the port in BOT_WEBHOOK_URL is not a number")
    if port not in WEBHOOK_URL_PORTS:
        return Check(
            "webhook", False, f"Telegram only calls ports {WEBHOOK_URL_PORTS}, not {port}"
        )
    if not parts.path.strip("/"):
        return Check(
            "webhook",
            False,
            "give the webhook URL a secret-ish path, e.g. https://host/foshan-bot",
        )
    secret = "set" if settings.webhook_secret else "not set (one is generated at each start)"
    return Check(
        "webhook",
        True,
        f"{settings.webhook_url} -> listening on {settings.webhook_listen}:"
        f"{settings.webhook_port}; BOT_WEBHOOK_SECRET {secret}",
    )
