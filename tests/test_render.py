"""Rendering: exact text where the format matters, escaping, and Telegram's length limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fake_telegram import parse_html, utf16_length

from bot.engine import Engine
from bot.render import (
    TELEGRAM_MAX_CHARS,
    escape,
    format_fact_html,
    format_fact_text,
    format_match_text,
    format_why_html,
    match_to_json,
    split_message,
)
from bot.script import in_script


def test_plain_answer_has_date_and_numbered_citations(tiny_engine: Engine) -> None:
    fact = tiny_engine.knowledge.fact("turnover")
    assert fact is not None
    assert format_fact_text(tiny_engine.knowledge, fact, "en") == (
        "The cluster's turnover was 133 billion yuan in 2020.\n"
        "(As of: 2020)\n"
        "\n"
        "Sources:\n"
        "[1] The Paper — Daily News, 2021-08-12, paragraph 7. https://example.org/paper\n"
        '    "registered a turnover of 133 billion yuan"'
    )


def test_chinese_answer_uses_chinese_labels(tiny_engine: Engine) -> None:
    fact = tiny_engine.knowledge.fact("turnover")
    assert fact is not None
    text = format_fact_text(tiny_engine.knowledge, fact, "zh")
    assert text.startswith(
        "2020年集群营业额为1330亿元。\n(数据时间: 2020年)\n\n来源:\n[1] The Paper"
    )


def test_html_answer_links_the_source_title(tiny_engine: Engine) -> None:
    fact = tiny_engine.knowledge.fact("turnover")
    assert fact is not None
    assert format_fact_html(tiny_engine.knowledge, fact, "en") == (
        "The cluster&#x27;s turnover was 133 billion yuan in 2020.".replace("&#x27;", "'")
        + "\n\n<i>As of: 2020</i>\n\n<b>Sources:</b>\n"
        '[1] <a href="https://example.org/paper">The Paper</a> — Daily News, 2021-08-12\n'
        "<blockquote>registered a turnover of 133 billion yuan</blockquote>"
    )


class _TagChecker(HTMLParser):
    """Fails on tags Telegram does not know or on unbalanced tags, like the Bot API does."""

    ALLOWED = {"b", "i", "a", "blockquote", "code", "pre", "u", "s"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag


def assert_valid_telegram_html(text: str) -> None:
    checker = _TagChecker()
    checker.feed(text)
    checker.close()
    assert checker.stack == []
    assert not re.search(r"&(?!(amp|lt|gt|quot|#\d+);)", text)


def test_every_shipped_fact_renders_as_valid_html(engine: Engine) -> None:
    for fact in engine.knowledge.facts:
        for language in ("en", "zh"):
            html = format_fact_html(engine.knowledge, fact, language)
            assert_valid_telegram_html(html)
            assert len(html) <= TELEGRAM_MAX_CHARS


def test_escape_covers_what_telegram_html_parses() -> None:
    assert escape('<b>&</b> "x"') == '&lt;b&gt;&amp;&lt;/b&gt; "x"'


def test_decline_offers_suggestions_and_topics_but_no_fact(engine: Engine) -> None:
    match = engine.ask("how many employees does Hisense have")
    text = format_match_text(engine.knowledge, match)
    assert text.startswith("Sorry, I don't know that")
    assert "/topics" in text
    assert "Sources:" not in text


def test_clarify_lists_candidates(engine: Engine) -> None:
    match = engine.ask("when was it founded?")
    text = format_match_text(engine.knowledge, match)
    assert text.splitlines()[0] == "I'm not sure which fact you mean. Did you mean:"
    assert "  1. " in text and "  2. " in text


def test_greeting_gets_the_friendly_reply(engine: Engine) -> None:
    assert format_match_text(engine.knowledge, engine.ask("你好")).startswith("你好！")


def test_json_record_has_the_stable_fields(engine: Engine) -> None:
    record = match_to_json(engine.knowledge, engine.ask("What was the turnover in 2020?"))
    assert {
        "question",
        "outcome",
        "answered",
        "fact_id",
        "confidence",
        "language",
        "answer",
        "citations",
        "suggestions",
    } <= set(record)
    assert record["answered"] is True and record["fact_id"] == "cluster-turnover-2020"
    assert record["citations"] and set(record["citations"][0]) == {
        "source_id",
        "title",
        "publisher",
        "date",
        "url",
    }  # type: ignore[index]
    declined = match_to_json(engine.knowledge, engine.ask("turnover in 2022"))
    assert (
        declined["answered"] is False
        and declined["fact_id"] is None
        and declined["citations"] == []
    )


def test_why_shows_phrasing_confidence_and_runner_up(engine: Engine) -> None:
    why = format_why_html(engine.ask("What was the turnover in 2020?"))
    assert "Matched the stored question" in why and "Confidence: " in why and "Runner-up: " in why
    assert_valid_telegram_html(why)


def visible_parts(text: str, limit: int) -> list[str]:
    """Split ``text`` and check every part the way the Bot API does; returns what users see."""
    parts = split_message(text, limit)
    seen = []
    for part in parts:
        visible = parse_html(part)  # raises on a cut tag or entity, as Telegram would
        assert visible.strip(), part
        assert utf16_length(visible) <= limit, (utf16_length(visible), part[:80])
        seen.append(visible)
    return seen


def squeezed(text: str) -> str:
    return "".join(text.split())


PARAGRAPH = "<b>Title</b>\n" + " ".join(f"word{n} &amp; <i>more</i>" for n in range(30))


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("hello", 4096, 1),
        ("\n\n".join([PARAGRAPH] * 40), 4096, 5),
        ("\n\n".join([PARAGRAPH] * 40), 200, 160),
        ("\n\n".join([PARAGRAPH] * 40), 50, None),
        ("&amp;" * 5000, 4096, 2),  # 25,000 characters of HTML, 5,000 visible
        ("R&amp;D &lt;&gt; M&amp;A " * 1500, 4096, 5),
        ("😀" * 3000, 4096, 2),  # 3,000 characters, 6,000 UTF-16 units
        ("佛山 😀 &amp; " * 1500, 4096, 3),
        ("<b>" + "bold words " * 1000 + "</b>", 4096, 3),
        ('<a href="https://example.org/a?b=1&amp;c=2">' + "x" * 9000 + "</a>", 4096, 3),
        ("<i>a <b>" + "😀 " * 5000 + "</b> z</i>", 4096, 4),
        ("<code>" + "x" * 4097 + "</code>", 4096, 2),
    ],
)
def test_split_message_fits_telegram_in_utf16_units_and_keeps_html_valid(
    text: str, limit: int, parts: int | None
) -> None:
    seen = visible_parts(text, limit)
    if parts is not None:
        assert len(seen) == parts
    assert squeezed("".join(seen)) == squeezed(parse_html(text))  # only cut spaces go


def test_split_message_reopens_tags_across_parts() -> None:
    text = '<a href="https://example.org/x">' + "word " * 1000 + "</a>"
    parts = split_message(text, 1000)
    assert len(parts) == 5
    assert all(p.startswith('<a href="https://example.org/x">') for p in parts)
    assert all(p.endswith("</a>") for p in parts)


def test_split_message_prefers_paragraphs_then_lines() -> None:
    first, second = "a" * 60, "b" * 60
    assert split_message(f"{first}\n\n{second}", 100) == [first, second]
    assert split_message(f"{first}\nx\n\n{second}", 100) == [f"{first}\nx", second]
    assert split_message(f"{first}\n{second} c", 100) == [first, f"{second} c"]


def test_short_text_is_one_message() -> None:
    assert split_message("hello") == ["hello"]


#: The example questions the bot's own texts suggest: "e.g. ...", "例如 ..." and "/ask ...".
_EXAMPLE = re.compile(r'e\.g\. "([^"]+)"|例如“([^”]+)”|<code>/ask ([^<]+)</code>')


@pytest.mark.parametrize(
    ("key", "language"),
    [(k, lang) for k in ("empty", "ask_usage") for lang in ("en", "zh")],
)
def test_the_example_questions_the_bot_suggests_are_answered(
    engine: Engine, key: str, language: str
) -> None:
    from bot.render import CHAT_TEXTS, TEXTS

    text = {**TEXTS, **CHAT_TEXTS}[key][language]
    examples = [next(g for g in m.groups() if g) for m in _EXAMPLE.finditer(text)]
    assert examples, text
    for example in examples:
        match = engine.ask(example)
        assert match.outcome == "answer", (example, match.outcome, match.confidence)


#: A compound message answered in part: the reply ends by naming the part the fact base does
#: not hold, in the question's language and script (as the user wrote it).
PART_NOT_HELD = [
    (
        "Who founded Midea? Also what is its stock price today?",
        None,
        "My fact base has no answer to the other part of your question:\n"
        "  - what is its stock price today",
    ),
    (
        "美的是谁创办的？另外它今天的股价是多少？",
        None,
        "您问题中的另一部分，知识库中没有答案：\n  - 它今天的股价是多少",
    ),
    (
        "美的是誰創辦的？另外它今天的股價是多少？",
        "s2t",
        "您問題中的另一部分，知識庫中沒有答案：\n  - 它今天的股價是多少",
    ),
]


@pytest.mark.parametrize(("message", "script", "note"), PART_NOT_HELD)
def test_an_answer_to_part_of_a_message_names_the_part_not_held(
    engine: Engine, message: str, script: str | None, note: str
) -> None:
    match = engine.ask(message)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", "midea-origins")
    assert in_script(format_match_text(engine.knowledge, match), script).split("\n\n")[-1] == note


#: The part not held is the user's own text: echoed with control characters escaped (a terminal
#: escape cannot recolour or retitle the screen) and cut short (a long part is not echoed whole).
ECHOED_PART = [
    (
        "Who founded Midea? Also what is its \x1b[31mstock price today?",
        "  - what is its \\x1b[31mstock price today",
    ),
    (
        "Who founded Midea? Also what is its \x1b[2J\x07 stock price today?",
        "  - what is its \\x1b[2J\\x07 stock price today",
    ),
    (
        "Who founded Midea? Also what is its stock price today and" + " also its price" * 60 + "?",
        "  - " + ("what is its stock price today and" + " also its price" * 60)[:79] + "…",
    ),
]


@pytest.mark.parametrize(
    ("message", "shown"), ECHOED_PART, ids=["colour", "clear and bell", "long"]
)
def test_the_part_not_held_is_echoed_escaped_and_short(
    engine: Engine, message: str, shown: str
) -> None:
    match = engine.ask(message)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", "midea-origins")
    text = format_match_text(engine.knowledge, match)
    assert text.splitlines()[-1] == shown
    assert not any(char in text for char in "\x1b\x07")
