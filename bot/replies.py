"""Replies to conversation turns that are not plain answers: "tell me more", "source?", "why?",
a number out of range, and the declined follow-up that names the period the fact base has.

Pure, like ``bot.render``: plain text for the terminal and ``eval``, HTML for Telegram.
"""

from __future__ import annotations

import html

from bot.dialogue import Turn
from bot.knowledge import Fact, KnowledgeBase
from bot.matcher import Match
from bot.render import (
    chat_text,
    citation_text_lines,
    citations_of,
    escape,
    format_match_text,
    format_why_html,
    phrasing_in,
    source_line,
    t,
)


def related_facts(knowledge: KnowledgeBase, fact: Fact) -> list[Fact]:
    """The facts the curators marked as related to ``fact``, those that exist."""
    return [f for f in (knowledge.fact(i) for i in fact.related) if f is not None]


def format_turn_text(knowledge: KnowledgeBase, turn: Turn) -> str:
    """The whole plain-text reply to one turn of a conversation."""
    language = turn.language
    if turn.kind == "more" and turn.fact:
        return format_more_text(knowledge, turn.fact, language)
    if turn.kind == "source" and turn.fact:
        return format_source_text(knowledge, turn.fact, language)
    if turn.kind == "why" and turn.match:
        return format_why_text(turn.match, language)
    if turn.kind == "out_of_range":
        return t("out_of_range", language).format(count=turn.choices)
    if turn.kind == "none":
        return html.unescape(chat_text("none_of_these", language))
    assert turn.match is not None
    text = format_match_text(knowledge, turn.match)
    fact = turn.only_as_of
    if fact is not None:
        first, _, rest = text.partition("\n")
        text = "\n".join(
            filter(
                None, [first, t("only_have", language).format(as_of=fact.as_of_in(language)), rest]
            )
        )
    return text


def format_more_text(knowledge: KnowledgeBase, fact: Fact, language: str) -> str:
    related = related_facts(knowledge, fact)
    if not related:
        return t("more_none", language)
    lines = [t("more_title", language)]
    lines += [f"  {n}. {f.first_question(language)}" for n, f in enumerate(related, 1)]
    return "\n".join(lines)


def format_source_text(knowledge: KnowledgeBase, fact: Fact, language: str) -> str:
    return "\n".join(
        [t("source_title", language), *citation_text_lines(knowledge, fact, language)]
    )


def format_why_text(match: Match, language: str) -> str:
    lines = [t("why_title", language)]
    if match.confidence >= 1.0 and len(match.candidates) <= 1:
        lines.append(t("why_direct", language))
        return "\n".join(lines)
    lines.append(f"{t('why_matched', language)}: “{phrasing_in(match, language)}”")
    lines.append(f"{t('why_confidence', language)}: {match.confidence:.2f}")
    runner_up = match.runner_up
    if runner_up:
        lines.append(
            f"{t('why_runner_up', language)}: {runner_up.fact.first_question(language)} "
            f"({runner_up.confidence:.2f})"
        )
    else:
        lines.append(f"{t('why_runner_up', language)}: {t('why_none', language)}")
    return "\n".join(lines)


def format_source_html(knowledge: KnowledgeBase, fact: Fact, language: str) -> str:
    """The citations of a fact with their quotes and links."""
    lines = [f"<b>{escape(t('source_title', language))}</b>"]
    for view in citations_of(knowledge, fact, language):
        line = (
            f'[{view.number}] <a href="{html.escape(view.source.url, quote=True)}">'
            f"{escape(view.source.title)}</a> — {escape(source_line(view.source))}, "
            f"{escape(view.where)}"
        )
        if view.quote:
            line += f"\n<blockquote>{escape(view.quote)}</blockquote>"
        lines.append(line)
    return "\n".join(lines)


def format_turn_html(knowledge: KnowledgeBase, turn: Turn) -> str:
    """HTML for the turns that are not a match (those go through the usual answer rendering)."""
    language = turn.language
    if turn.kind == "source" and turn.fact:
        return format_source_html(knowledge, turn.fact, language)
    if turn.kind == "why" and turn.match:
        return format_why_html(turn.match)
    if turn.kind == "more" and turn.fact:
        if related_facts(knowledge, turn.fact):
            return f"<b>{escape(t('more_title', language))}</b>"
        return escape(t("more_none", language))
    if turn.kind == "none":
        return chat_text("none_of_these", language)
    return escape(format_turn_text(knowledge, turn))
