"""Turn matcher results into finished replies: plain text for the terminal, HTML for Telegram.

Every function here is pure: it returns text that is already escaped and within Telegram's
limits, so adapters only send it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.curation import QuestionGroup, Report
from bot.escape import excerpt
from bot.knowledge import Fact, KnowledgeBase, Source, iter_citation_sources
from bot.matcher import Match

#: Telegram rejects messages longer than this: UTF-16 code units of the text after entity parsing.
TELEGRAM_MAX_CHARS = 4096
#: How much of a part of the user's message not held is echoed back in the note about it.
MAX_ECHOED_PART_CHARS = 80

TEXTS = {
    "as_of": {"en": "As of", "zh": "数据时间"},
    "sources": {"en": "Sources", "zh": "来源"},
    "did_you_mean": {
        "en": "I'm not sure which fact you mean. Did you mean:",
        "zh": "不太确定您问的是哪一条，您是想问：",
    },
    "decline": {
        "en": "Sorry, I don't know that: my fact base has no answer to this question.",
        "zh": "抱歉，我不知道：知识库中没有这个问题的答案。",
    },
    "decline_group": {
        "en": "Sorry, my fact base has no answer to that.",
        "zh": "抱歉，知识库中没有这个问题的答案。",
    },
    "suggest": {"en": "Related things I can answer:", "zh": "我可以回答的相关问题："},
    "not_held": {
        "en": "My fact base has no answer to the other part of your question:",
        "zh": "您问题中的另一部分，知识库中没有答案：",
    },
    "topics_hint": {
        "en": "Send /topics to browse everything I know.",
        "zh": "发送 /topics 浏览全部主题。",
    },
    "empty": {
        "en": "Ask me a question about the Foshan smart home cluster, e.g. "
        '"How many enterprises are in the cluster?"',
        "zh": "请提一个关于佛山智能家居产业集群的问题，例如“佛山智能家居集群有多少家企业？”",
    },
    "why_title": {"en": "Why this answer?", "zh": "为什么是这个答案？"},
    "why_matched": {"en": "Matched the stored question", "zh": "匹配到的问题"},
    "why_confidence": {"en": "Confidence", "zh": "置信度"},
    "why_runner_up": {"en": "Runner-up", "zh": "次优候选"},
    "why_none": {"en": "none", "zh": "无"},
    "why_direct": {"en": "You chose this fact directly.", "zh": "这是您直接选择的条目。"},
    "more_title": {"en": "More on this:", "zh": "相关内容："},
    "more_none": {
        "en": "That is all I know on this; /topics shows everything else.",
        "zh": "关于这一点我只知道这些；/topics 可查看其他内容。",
    },
    "source_title": {"en": "Where this comes from:", "zh": "出处："},
    "out_of_range": {
        "en": "Please pick a number from 1 to {count}, or ask another question.",
        "zh": "请选择 1 到 {count} 之间的数字，或换个问题。",
    },
    "only_have": {
        "en": "I only have this as of {as_of}.",
        "zh": "我只有{as_of}的数据。",
    },
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


def citations_of(knowledge: KnowledgeBase, fact: Fact, language: str = "en") -> list[CitationView]:
    """The numbered citations of a fact, with where in the source in ``language``."""
    return [
        CitationView(number, source, citation.where_in(language), citation.quote)
        for number, (citation, source) in enumerate(
            iter_citation_sources(knowledge, fact), start=1
        )
    ]


def source_line(source: Source) -> str:
    """A source's publisher and date, as cited: "Foshan News, 2021-08-12"."""
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
    lines.append(f"({t('as_of', language)}: {fact.as_of_in(language)})")
    lines.append("")
    lines.append(f"{t('sources', language)}:")
    lines += citation_text_lines(knowledge, fact, language)
    return "\n".join(lines)


def citation_text_lines(knowledge: KnowledgeBase, fact: Fact, language: str) -> list[str]:
    """A fact's numbered citations as plain-text lines, each quote on a line of its own."""
    lines = []
    for view in citations_of(knowledge, fact, language):
        lines.append(
            f"[{view.number}] {view.source.title} — {source_line(view.source)}, "
            f"{view.where}. {view.source.url}"
        )
        if view.quote:
            lines.append(f'    "{view.quote}"')
    return lines


def smalltalk_reply(knowledge: KnowledgeBase, kind: str, language: str) -> str:
    """The lexicon's reply to greetings, thanks and the like; "what can you do?" also lists
    the topics."""
    for talk in knowledge.lexicon.smalltalk:
        if talk.kind == kind:
            reply = talk.reply.get(language)
            if kind == "capabilities":
                titles = (topic.title.get(language) for topic in knowledge.topics)
                reply += "".join(f"\n  - {title}" for title in titles)
            return reply
    return t("empty", language)


def unanswered_note(match: Match) -> str:
    """For a compound message answered in part: which part the fact base holds nothing on."""
    if not match.unanswered:
        return ""
    # The user's own words: escaped (no terminal escapes echoed) and cut short.
    parts = "".join(f"\n  - {excerpt(part, MAX_ECHOED_PART_CHARS)}" for part in match.unanswered)
    return f"\n\n{t('not_held', match.language)}{parts}"


def format_match_text(knowledge: KnowledgeBase, match: Match) -> str:
    """The whole plain-text reply to a question, whatever the outcome."""
    language = match.language
    if match.outcome == "answer" and match.fact:
        return format_fact_text(knowledge, match.fact, language) + unanswered_note(match)
    if match.smalltalk:
        return smalltalk_reply(knowledge, match.smalltalk, language)
    if match.outcome == "clarify":
        lines = [t("did_you_mean", language)]
        lines += [
            f"  {n}. {c.fact.first_question(language)}" for n, c in enumerate(match.candidates, 1)
        ]
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
    return [
        {"fact_id": c.fact.id, "question": c.fact.first_question(match.language)}
        for c in match.candidates
    ]


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


def format_fact_html(
    knowledge: KnowledgeBase, fact: Fact, language: str, compact: bool = False
) -> str:
    """A fact as Telegram HTML: answer, date, and citations with linked source titles."""
    parts = [escape(fact.answer.get(language))]
    if fact.note and not compact:
        parts.append(f"<i>{escape(fact.note.get(language))}</i>")
    parts.append(f"<i>{escape(t('as_of', language))}: {escape(fact.as_of_in(language))}</i>")
    cites = []
    for view in citations_of(knowledge, fact, language):
        line = (
            f'[{view.number}] <a href="{html.escape(view.source.url, quote=True)}">'
            f"{escape(view.source.title)}</a> — {escape(source_line(view.source))}"
        )
        if view.quote and not compact:
            line += f"\n<blockquote>{escape(view.quote)}</blockquote>"
        cites.append(line)
        if compact:
            break
    parts.append(f"<b>{escape(t('sources', language))}:</b>\n" + "\n".join(cites))
    return "\n\n".join(parts)


_CJK = re.compile(r"[\u3400-\u9fff]")


def phrasing_in(match: Match, language: str) -> str:
    """The stored question an answer matched, as the reply's language has it: a Chinese
    question that matched an English phrasing is shown the fact's Chinese phrasing in the same
    place (the phrasings of both languages ask the same things), and the other way round."""
    phrasing = match.phrasing or ""
    fact = match.fact
    if fact is None or bool(_CJK.search(phrasing)) == (language == "zh"):
        return phrasing
    own, other = (
        (fact.questions_zh, fact.questions_en)
        if language == "zh"
        else (fact.questions_en, fact.questions_zh)
    )
    position = other.index(phrasing) if phrasing in other else 0
    return own[position] if position < len(own) else own[0]


def format_why_html(match: Match) -> str:
    """How an answer was chosen: the stored phrasing, the confidence and the runner-up."""
    language = match.language
    lines = [f"<b>{escape(t('why_title', language))}</b>"]
    if match.confidence >= 1.0 and len(match.candidates) <= 1:
        lines.append(escape(t("why_direct", language)))
        return "\n".join(lines)
    lines.append(f"{escape(t('why_matched', language))}: “{escape(phrasing_in(match, language))}”")
    lines.append(f"{escape(t('why_confidence', language))}: {match.confidence:.2f}")
    runner_up = match.runner_up
    if runner_up:
        lines.append(
            f"{escape(t('why_runner_up', language))}: "
            f"{escape(runner_up.fact.first_question(language))} "
            f"({runner_up.confidence:.2f})"
        )
    else:
        lines.append(f"{escape(t('why_runner_up', language))}: {escape(t('why_none', language))}")
    return "\n".join(lines)


def utf16_units(text: str) -> int:
    """Telegram's length of ``text``: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


_TOKEN = re.compile(r"<[^<>]*>|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,8});|.", re.DOTALL)
#: Where a message may be cut, best first: between paragraphs, between lines, between words.
_BREAKS = ("\n\n", "\n", " ")


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    units: int  # visible UTF-16 units (0 for a tag)
    opens: str | None = None  # the tag's name, for an opening tag
    closes: str | None = None  # the tag's name, for a closing tag


def _tokens(text: str) -> list[_Token]:
    """Tags, entities and single characters, each with its visible length."""
    found = []
    for piece in _TOKEN.findall(text):
        if piece.startswith("<") and len(piece) > 1:
            name = piece.strip("</>").split()[0].lower() if piece.strip("</>") else ""
            if piece.startswith("</"):
                found.append(_Token(piece, 0, closes=name))
            elif piece.endswith("/>"):
                found.append(_Token(piece, 0))
            else:
                found.append(_Token(piece, 0, opens=name))
        elif piece.startswith("&") and len(piece) > 1:
            found.append(_Token(piece, utf16_units(html.unescape(piece))))
        else:
            found.append(_Token(piece, utf16_units(piece)))
    return found


def split_message(text: str, limit: int = TELEGRAM_MAX_CHARS) -> list[str]:
    """Split Telegram HTML into messages whose visible text fits ``limit`` UTF-16 units.

    Telegram measures a message after parsing its entities, in UTF-16 code units, so ``&amp;``
    counts 1 and an emoji 2. Cuts go between paragraphs, else between lines, else between
    words, else between characters; never inside a tag or an entity. Tags open at a cut are
    closed at the end of one part and opened again at the start of the next.
    """
    tokens = _tokens(text)
    parts: list[str] = []
    start = 0
    reopen: tuple[_Token, ...] = ()
    while start < len(tokens):
        stack = list(reopen)
        units = 0
        cut: dict[str, tuple[int, int, tuple[_Token, ...]]] = {}  # break -> (at, resume, stack)
        end = start
        while end < len(tokens):
            token = tokens[end]
            if token.units and units + token.units > limit:
                break
            for separator in _BREAKS:
                if text_at(tokens, end, separator) and end > start:
                    cut[separator] = (end, end + len(separator), tuple(stack))
                    break
            units += token.units
            if token.opens:
                stack.append(token)
            elif token.closes and stack and stack[-1].opens == token.closes:
                stack.pop()
            end += 1
        if end == len(tokens):
            at, resume, open_tags = end, end, tuple(stack)
        else:
            separator = next((s for s in _BREAKS if s in cut), None)
            if separator is None:
                at, resume, open_tags = end, end, tuple(stack)
                if at == start:  # one character wider than the limit: cannot happen for 2+
                    at = resume = start + 1
            else:
                at, resume, open_tags = cut[separator]
        body = "".join(t.raw for t in reopen) + "".join(t.raw for t in tokens[start:at])
        body += "".join(f"</{t.opens}>" for t in reversed(open_tags))
        if _visible(tokens[start:at]).strip():
            parts.append(body)
        reopen = open_tags
        start = resume
    return parts or [""]


def text_at(tokens: list[_Token], index: int, separator: str) -> bool:
    """Whether the tokens from ``index`` on spell ``separator`` (made of single characters)."""
    return all(
        index + offset < len(tokens) and tokens[index + offset].raw == char
        for offset, char in enumerate(separator)
    )


def _visible(tokens: list[_Token]) -> str:
    return "".join(html.unescape(t.raw) for t in tokens if t.units)


# --------------------------------------------------------------------------------------------
# Chat texts (commands, notices) as Telegram HTML
# --------------------------------------------------------------------------------------------

CHAT_TEXTS = {
    "welcome": {
        "en": "<b>Foshan Cluster Bot</b>\nI answer questions about the Foshan smart home "
        "industrial cluster (Guangdong, China) from a curated fact base of {facts} facts, "
        "and every answer names its source.\n\n"
        "Just ask, in English or Chinese, for example:\n{examples}\n\n"
        "/topics browses everything I know, /help lists the commands.",
        "zh": "<b>佛山智能家居集群问答机器人</b>\n"
        "我根据精选知识库（共{facts}条）回答关于佛山智能家居产业集群的问题，"
        "每个答案都注明来源。\n\n直接用中文或英文提问，例如：\n{examples}\n\n"
        "/topics 浏览全部主题，/help 查看命令。",
    },
    "help": {
        "en": "<b>How to ask</b>\nIn a private chat, just send a question. In a group, mention me "
        "(@{username} your question), reply to one of my messages, or use /ask@{username}.\n"
        "Inline: type @{username} and a few words in any chat.\n\n<b>Commands</b>\n"
        "/ask question — ask a question\n/topics — browse the topics\n/sources — every source "
        "I cite\n/about — what I am, how much I know\n"
        "/lang en|zh|zh-hant|auto — answer language (zh-hant: traditional Chinese)\n"
        "{shortcuts}",
        "zh": "<b>如何提问</b>\n私聊时直接发送问题。"
        "在群组中请@我（@{username} 问题）、回复我的消息，或使用 "
        "/ask@{username}。\n在任意聊天中输入 @{username} 加关键词可使用内联模式。\n\n<b>命令</b>\n"
        "/ask 问题 — 提问\n/topics — 浏览主题\n/sources — 全部来源\n/about — 关于本机器人\n"
        "/lang en|zh|zh-hant|auto — 回答语言（zh-hant：繁体中文）\n{shortcuts}",
    },
    "ask_usage": {
        "en": "Put your question after the command, e.g. "
        "<code>/ask How many enterprises are in the cluster?</code>",
        "zh": "请在命令后写上问题，例如 <code>/ask 佛山智能家居集群有多少家企业？</code>",
    },
    "topics": {"en": "<b>Topics</b> — pick one:", "zh": "<b>主题</b> — 请选择："},
    "topic_facts": {
        "en": "<b>{title}</b> — pick a question:",
        "zh": "<b>{title}</b> — 请选择问题：",
    },
    "sources_title": {"en": "<b>Sources</b>", "zh": "<b>来源</b>"},
    "about": {
        "en": "<b>About</b>\nA bot that answers questions about the Foshan smart home industrial "
        "cluster with cited facts. It knows {facts} facts from {sources} sources in {topics} "
        "topics; the fact base was last updated on {updated}. Questions it cannot answer get "
        'an honest "I don\'t know".',
        "zh": "<b>关于</b>\n本机器人用有出处的事实回答关于佛山智能家居产业集群的问题。"
        "知识库共有{facts}条事实、"
        "{sources}个来源、{topics}个主题，最近更新于{updated}。无法回答的问题会如实告知“不知道”。",
    },
    "lang_set": {"en": "Answers will be in English.", "zh": "之后将用中文回答。"},
    "lang_auto": {
        "en": "Answers will follow the language of each question.",
        "zh": "之后将按问题的语言回答。",
    },
    "lang_usage": {
        "en": "Use /lang en, /lang zh, /lang zh-hant (traditional Chinese) or /lang auto.",
        "zh": "用法：/lang en、/lang zh、/lang zh-hant（繁体中文）或 /lang auto。",
    },
    "slow_down": {
        "en": "Please slow down: that's a lot of questions at once. "
        "Wait half a minute and ask again.",
        "zh": "提问太快啦，请等半分钟再试。",
    },
    "error": {
        "en": "Sorry, something went wrong while answering. Please try again.",
        "zh": "抱歉，回答时出了点问题，请再试一次。",
    },
    "no_text": {
        "en": "I can only read text. Send me a question, or /help.",
        "zh": "我只能读取文字。请发送问题，或发送 /help。",
    },
    "unknown_command": {
        "en": "I don't know that command. Send /help to see what I can do.",
        "zh": "没有这个命令。发送 /help 查看可用命令。",
    },
    "none_of_these": {
        "en": "Thanks, noted. My fact base may not cover this yet; "
        "/topics shows what it does cover.",
        "zh": "谢谢，已记录。知识库可能还没有这个问题的答案；/topics 可查看已有内容。",
    },
    "expired": {
        "en": "This button has expired; please ask again.",
        "zh": "按钮已过期，请重新提问。",
    },
    "feedback_thanks": {"en": "Thanks for the feedback!", "zh": "感谢反馈！"},
    "more_in_private": {"en": "Related facts and sources", "zh": "相关事实与来源"},
    "related_prefix": {"en": "Related:", "zh": "相关："},
    "why_button": {"en": "Why this answer?", "zh": "为什么是这个答案？"},
    "none_button": {"en": "None of these", "zh": "都不是"},
    "inline_more": {"en": "Open the bot for more", "zh": "打开机器人了解更多"},
}


def chat_text(key: str, language: str, **values: object) -> str:
    """A fixed chat text as HTML; ``values`` are escaped before they are put in."""
    texts = CHAT_TEXTS[key]
    template = texts.get(language, texts["en"])
    return (
        template.format(**{k: escape(str(v)) for k, v in values.items()}) if values else template
    )


def format_welcome_html(knowledge: KnowledgeBase, language: str) -> str:
    examples = "\n".join(
        f"• {escape(f.first_question(language))}" for f in knowledge.shortcuts[:3]
    )
    template = CHAT_TEXTS["welcome"].get(language, CHAT_TEXTS["welcome"]["en"])
    return template.format(facts=len(knowledge.facts), examples=examples)


def format_help_html(knowledge: KnowledgeBase, language: str, username: str) -> str:
    shortcuts = "\n".join(
        f"/{f.shortcut} — {escape(f.first_question(language))}" for f in knowledge.shortcuts
    )
    template = CHAT_TEXTS["help"].get(language, CHAT_TEXTS["help"]["en"])
    return template.format(username=escape(username), shortcuts=shortcuts)


def format_sources_html(knowledge: KnowledgeBase, language: str) -> str:
    lines = [chat_text("sources_title", language)]
    for number, source in enumerate(knowledge.sources.values(), start=1):
        parts = [escape(source.publisher)]
        if source.date:
            parts.append(escape(source.date))
        lines.append(
            f'{number}. <a href="{html.escape(source.url, quote=True)}">'
            f"{escape(source.title)}</a> — " + ", ".join(parts)
        )
    return "\n".join(lines)


def format_about_html(knowledge: KnowledgeBase, language: str) -> str:
    return chat_text(
        "about",
        language,
        facts=len(knowledge.facts),
        sources=len(knowledge.sources),
        topics=len(knowledge.topics),
        updated=knowledge.updated,
    )


def format_fact_compact_html(knowledge: KnowledgeBase, fact: Fact, language: str) -> str:
    """The group version of an answer: the answer, its date and its first source."""
    return format_fact_html(knowledge, fact, language, compact=True)


def format_inline_description(fact: Fact, language: str, limit: int = 120) -> str:
    """The short answer shown under an inline result's title (plain text)."""
    text = fact.answer.get(language)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------------------------
# Admin texts
# --------------------------------------------------------------------------------------------


def format_stats_html(report: Report) -> str:
    """The report's headline figures for ``/stats``."""
    lines = [
        f"<b>Since {escape(report.since)}</b>",
        f"{report.total} questions, {report.answered} answered, {report.declined} declined "
        f"(decline rate {report.decline_rate:.0%})",
    ]
    if report.top_facts:
        lines.append("<b>Most asked</b>")
        lines += [f"{count} × {escape(fact)}" for fact, count in report.top_facts[:5]]
    if report.negative_feedback:
        lines.append("<b>Negative feedback</b>")
        lines += [
            f"{escape(fact)}: 👎 {down} / 👍 {up}"
            for fact, down, up in report.negative_feedback[:5]
        ]
    return "\n".join(lines)


def format_unanswered_html(groups: list[QuestionGroup]) -> str:
    """The curators' to-do list for ``/unanswered``."""
    if not groups:
        return "No unanswered questions in the last 30 days."
    lines = ["<b>Unanswered questions</b> (last 30 days, most asked first)"]
    lines += [f"{n}. {g.count} × {escape(g.question)}" for n, g in enumerate(groups, start=1)]
    return "\n".join(lines)


def format_reload_failed_html(problems: list[str]) -> str:
    """Why a reload was refused, for the admin who asked; the old fact base stays in use."""
    lines = [
        f"<b>Reload refused</b>: {len(problems)} problem(s); still serving the previous fact base."
    ]
    lines += [f"<code>{escape(problem)}</code>" for problem in problems]
    return "\n".join(lines)
