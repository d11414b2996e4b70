"""Recording outside Telegram: the terminal chat and ``ask --record`` keep what the bot keeps,
so ``unanswered`` and ``report`` see trial sessions too."""

from __future__ import annotations

from collections.abc import Callable

from bot.matcher import Match
from bot.records import Records


def record_match(records: Records, match: Match, chat_type: str) -> None:
    """Keep what curators need, as the bot does: declined and clarified questions with their
    text, answered ones as the fact only (never who asked; smalltalk not at all)."""
    if match.smalltalk:
        return
    best = match.fact or (match.candidates[0].fact if match.candidates else None)
    records.record_question(
        "" if match.outcome == "answer" else match.question,
        match.language,
        chat_type,
        match.outcome,
        best.id if best else None,
        match.confidence,
    )


def recorder(records: Records, chat_type: str) -> Callable[[Match], None]:
    """A callback that records each match into ``records`` as ``chat_type``."""
    return lambda match: record_match(records, match, chat_type)
