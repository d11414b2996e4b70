"""Turn matcher results into finished replies: plain text for the terminal, HTML for Telegram.

Every function here is pure: it returns text that is already escaped and within Telegram's
limits, so adapters only send it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.knowledge import Fact, KnowledgeBase, Source, iter_citation_sources
from bot.matcher import Match

#: Telegram rejects messages longer than this (after entity parsing).
TELEGRAM_MAX_CHARS = 4096

TEXTS = {
    "as_of": {"en": "As of", "zh": "数据时间"},
    "sources": {"en": "Sources", "zh": "来源"},
    "did_you_mean": {"en": "I'm not sure which fact you mean. Did you mean:", "zh": "不太确定您问的是哪一条，您是想问："},
    "decline": {
        "en": "Sorry, I don't know that: my fact base has no answer to this question.",
        "zh": "抱歉，我不知道：知识库中没有这个问题的答案。",
    },
    "decline_group": {
        "en": "Sorry, my fact base has no answer to that.",
        "zh": "抱歉，知识库中没有这个问题的答案。",
    },
    "suggest": {"en": "Related things I can answer:", "zh": "我可以回答的相关问题："},
    "topics_hint": {"en": "Send /topics to browse everything I know.", "zh": "发送 /topics 浏览全部主题。"},
    "empty": {
        "en": "Ask me a question about the Foshan smart home cluster, e.g. \"How many enterprises are in the cluster?\"",
        "zh": "请提一个关于佛山智能家居产业集群的问题，例如“集群有多少家企业？”",
    },
    "why_title": {"en": "Why this answer?", "zh": "为什么是这个答案？"},
    "why_matched": {"en": "Matched the stored question", "zh": "匹配到的问题"},
    "why_confidence": {"en": "Confidence", "zh": "置信度"},
    "why_runner_up": {"en": "Runner-up", "zh": "次优候选"},
    "why_none": {"en": "none", "zh": "无"},
    "why_direct": {"en": "You chose this fact directly.", "zh": "这是您直接选择的条目。"},
}


def t(key: str, language: str) -> str:
    """A fixed interface text in ``language`` (English when unknown)."""
    texts = TEXTS[key]
    return texts.get(language, texts["en"])


@dataclass(frozen=True)
class CitationView:
    """One numbered citation, ready to print or serialise."""

    number: int
    source: Source
    where: str
    quote: str | None


def citations_of(knowledge: KnowledgeBase, fact: Fact) -> list[CitationView]:
    return [
        CitationView(number, source, citation.where, citation.quote)
        for number, (citation, source) in enumerate(iter_citation_sources(knowledge, fact), start=1)
    ]


def _source_line(source: Source) -> str:
    parts = [source.publisher]
    if source.date:
        parts.append(source.date)
    return ", ".join(parts)


# --------------------------------------------------------------------------------------------
# Plain text (CLI, inline result descriptions, `ask --json`)
# --------------------------------------------------------------------------------------------


def format_fact_text(knowledge: KnowledgeBase, fact: Fact, language: str) -> str:
    """A fact's answer with its date and numbered citations, as plain text."""
    lines = [fact.answer.get(language)]
    if fact.note:
        lines.append(fact.note.get(language))
    lines.append(f"({t('as_of', language)}: {fact.as_of})")
    lines.append("")
    lines.append(f"{t('sources', language)}:")
    for view in citations_of(knowledge, fact):
        lines.append(f"[{view.number}] {view.source.title} — {_source_line(view.source)}, {view.where}. {view.source.url}")
        if view.quote:
            lines.append(f'    "{view.quote}"')
    return "\n".join(lines)


def smalltalk_reply(knowledge: KnowledgeBase, kind: str, language: str) -> str:
    for talk in knowledge.lexicon.smalltalk:
        if talk.kind == kind:
            return talk.reply.get(language)
    return t("empty", language)


def format_match_text(knowledge: KnowledgeBase, match: Match) -> str:
    """The whole plain-text reply to a question, whatever the outcome."""
    language = match.language
    if match.outcome == "answer" and match.fact:
        return format_fact_text(knowledge, match.fact, language)
    if match.smalltalk:
        return smalltalk_reply(knowledge, match.smalltalk, language)
    if match.outcome == "clarify":
        lines = [t("did_you_mean", language)]
        lines += [f"  {n}. {c.fact.first_question(language)}" for n, c in enumerate(match.candidates, 1)]
        return "\n".join(lines)
    if not _has_words(match.question):
        return t("empty", language)
    lines = [t("decline", language)]
    if match.candidates:
        lines.append(t("suggest", language))
        lines += [f"  - {c.fact.first_question(language)}" for c in match.candidates]
    lines.append(t("topics_hint", language))
    return "\n".join(lines)


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def suggestions_of(match: Match) -> list[dict[str, str]]:
    """Candidate facts offered with a clarify or decline, for ``ask --json``."""
    if match.outcome == "answer":
        return []
    return [{"fact_id": c.fact.id, "question": c.fact.first_question(match.language)} for c in match.candidates]


def match_to_json(knowledge: KnowledgeBase, match: Match) -> dict[str, object]:
    """The stable JSON record of one answered question (``ask --json``)."""
    citations = []
    if match.outcome == "answer" and match.fact:
        citations = [
            {
                "source_id": v.source.id,
                "title": v.source.title,
                "publisher": v.source.publisher,
                "date": v.source.date,
                "url": v.source.url,
            }
            for v in citations_of(knowledge, match.fact)
        ]
    return {
        "question": match.question,
        "outcome": match.outcome,
        "answered": match.answered,
        "fact_id": match.fact.id if match.answered and match.fact else None,
        "confidence": round(match.confidence, 3),
        "language": match.language,
        "answer": format_match_text(knowledge, match),
        "citations": citations,
        "suggestions": suggestions_of(match),
        "matched_question": match.phrasing if match.answered else None,
        "smalltalk": match.smalltalk,
    }


# --------------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (only <, > and & are special there)."""
    return html.escape(text, quote=False)


def format_fact_html(knowledge: KnowledgeBase, fact: Fact, language: str, compact: bool = False) -> str:
    """A fact as Telegram HTML: answer, date, and citations with linked source titles."""
    parts = [escape(fact.answer.get(language))]
    if fact.note and not compact:
        parts.append(f"<i>{escape(fact.note.get(language))}</i>")
    parts.append(f"<i>{escape(t('as_of', language))}: {escape(fact.as_of)}</i>")
    cites = []
    for view in citations_of(knowledge, fact):
        line = (
            f'[{view.number}] <a href="{html.escape(view.source.url, quote=True)}">'
            f"{escape(view.source.title)}</a> — {escape(_source_line(view.source))}"
        )
        if view.quote and not compact:
            line += f"\n<blockquote>{escape(view.quote)}</blockquote>"
        cites.append(line)
        if compact:
            break
    parts.append(f"<b>{escape(t('sources', language))}:</b>\n" + "\n".join(cites))
    return "\n\n".join(parts)


def format_question_html(question: str) -> str:
    return f"<b>{escape(question)}</b>"


def format_why_html(match: Match) -> str:
    """How an answer was chosen: the stored phrasing, the confidence and the runner-up."""
    language = match.language
    lines = [f"<b>{escape(t('why_title', language))}</b>"]
    if match.confidence >= 1.0 and len(match.candidates) <= 1:
        lines.append(escape(t("why_direct", language)))
        return "\n".join(lines)
    lines.append(f"{escape(t('why_matched', language))}: “{escape(match.phrasing or '')}”")
    lines.append(f"{escape(t('why_confidence', language))}: {match.confidence:.2f}")
    runner_up = match.runner_up
    if runner_up:
        lines.append(
            f"{escape(t('why_runner_up', language))}: {escape(runner_up.fact.first_question(language))} "
            f"({runner_up.confidence:.2f})"
        )
    else:
        lines.append(f"{escape(t('why_runner_up', language))}: {escape(t('why_none', language))}")
    return "\n".join(lines)


def split_message(text: str, limit: int = TELEGRAM_MAX_CHARS) -> list[str]:
    """Split HTML text into messages within ``limit``, on paragraph then line boundaries.

    Our HTML never opens a tag across a blank line or a line break, so cutting there never
    leaves a tag unbalanced. A single line longer than the limit (only possible with absurd
    fact-base text) is cut at the last space outside a tag.
    """
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        pieces = [paragraph] if len(paragraph) <= limit else _split_long(paragraph, limit)
        for piece in pieces:
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks or [""]


def _split_long(paragraph: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for line in paragraph.split("\n"):
        while len(line) > limit:
            cut = _safe_cut(line, limit)
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = line
    if current:
        pieces.append(current)
    return pieces


def _safe_cut(line: str, limit: int) -> int:
    """The last position before ``limit`` that is a space outside any tag or entity."""
    depth_ok = []
    inside_tag = inside_entity = False
    for position, char in enumerate(line[:limit]):
        if char == "<":
            inside_tag = True
        elif char == ">":
            inside_tag = False
        elif char == "&":
            inside_entity = True
        elif char == ";":
            inside_entity = False
        if char == " " and not inside_tag and not inside_entity:
            depth_ok.append(position)
    return depth_ok[-1] if depth_ok else limit
