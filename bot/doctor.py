"""``python -m bot doctor``: check an installation before running it, one line per check."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import WEBHOOK_URL_PORTS, ConfigError, Settings, load_settings, token_looks_valid
from bot.knowledge import KnowledgeError, load_knowledge
from bot.records import Records


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
    try:
        settings = load_settings(args)
    except ConfigError as error:
        return [Check("configuration", False, f"{error}")]
    checks: list[Check] = []
    if not settings.token:
        checks.append(
            Check(
                "token",
                False,
                "TELEGRAM_BOT_TOKEN is not set (or use --token-file); get one from @BotFather",
            )
        )
    elif not token_looks_valid(settings.token):
        checks.append(
            Check(
                "token",
                False,
                "the token does not look like 123456:ABC...; copy it again from @BotFather",
            )
        )
    else:
        checks.append(Check("token", True, "present and well-formed"))
        try:
            username = _get_me(settings)
            checks.append(
                Check(
                    "Bot API",
                    True,
                    f"getMe at {urlsplit(settings.api_base_url).netloc} answered as {username}",
                )
            )
        except Exception as error:  # any failure here is something for the operator to fix
            message = str(error).replace(settings.token, "<redacted>")
            checks.append(
                Check(
                    "Bot API",
                    False,
                    f"getMe failed ({type(error).__name__}: {message}); "
                    "check the token and TELEGRAM_API_BASE_URL",
                )
            )
    problem = Records(settings.data_dir, settings.retention_days).check_writable()
    checks.append(
        Check(
            "data directory",
            problem is None,
            f"{settings.data_dir} is writable"
            if problem is None
            else f"{settings.data_dir}: {problem}; set BOT_DATA_DIR to a writable folder",
        )
    )
    try:
        knowledge, warnings = load_knowledge(settings.knowledge_dir)
        detail = knowledge.summary() + (f" ({len(warnings)} warnings)" if warnings else "")
        checks.append(Check("fact base", True, detail))
    except KnowledgeError as error:
        first = error.problems[0]
        checks.append(
            Check(
                "fact base",
                False,
                f"{len(error.problems)} problems, first: {first}; run `python -m bot validate`",
            )
        )
    if settings.webhook_url:
        parts = urlsplit(settings.webhook_url)
        port = parts.port or 443
        if port not in WEBHOOK_URL_PORTS:
            checks.append(
                Check(
                    "webhook", False, f"Telegram only calls ports {WEBHOOK_URL_PORTS}, not {port}"
                )
            )
        elif not parts.path.strip("/"):
            checks.append(
                Check(
                    "webhook",
                    False,
                    "give the webhook URL a secret-ish path, e.g. https://host/foshan-bot",
                )
            )
        else:
            secret = (
                "set" if settings.webhook_secret else "not set (one is generated at each start)"
            )
            checks.append(
                Check(
                    "webhook",
                    True,
                    f"{settings.webhook_url} -> listening on "
                    f"{settings.webhook_listen}:{settings.webhook_port}; "
                    f"BOT_WEBHOOK_SECRET {secret}",
                )
            )
    else:
        checks.append(Check("mode", True, "long polling (set BOT_WEBHOOK_URL for webhooks)"))
    return checks
