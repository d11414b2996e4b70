"""Every Chinese reply is Chinese throughout, in simplified and traditional characters: only
proper names, titles, URLs and verbatim source quotes stay as they are."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.knowledge import Fact
from bot.matcher import Candidate, Match
from bot.render import (
    CHAT_TEXTS,
    TEXTS,
    format_fact_compact_html,
    format_fact_html,
    format_fact_text,
    format_why_html,
)
from bot.replies import format_more_text, format_source_html, format_source_text, format_why_text
from bot.script import in_script

#: Names the Chinese answers keep in Latin letters (people, brands, a ticker).
PROPER_NAMES = ("Bear Electric Appliance", "Jersey", "Jessica", "Bear", "Viomi", "Hulton", "VIOT")
#: Abbreviations Chinese writes in Latin letters (in Chinese phrasings: "发行了多少ADS").
ABBREVIATIONS = ("GDP", "ADS")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def english_left(engine: Engine, text: str, script: str | None) -> list[str]:
    """English words in ``text`` once titles, publishers, URLs, quotes and names (as written
    in ``script``) are removed."""
    allowed: list[str] = []
    for source in engine.knowledge.sources.values():
        allowed += [source.url, source.title, source.publisher]
    for fact in engine.knowledge.facts:
        allowed += [c.quote for c in fact.citations if c.quote]
    allowed = [in_script(a, script) for a in sorted(allowed, key=len, reverse=True)]
    for name in allowed + list(PROPER_NAMES) + list(ABBREVIATIONS):
        text = text.replace(name, " ")
    return _ENGLISH_WORD.findall(text)


def matched_in_english(engine: Engine, fact: Fact) -> Match:
    """A Chinese question answered with ``fact`` through one of its English phrasings (as
    "Kelon是哪一年成立的" matches "What is Kelon?"), with another fact as the runner-up."""
    other = next(f for f in engine.knowledge.facts if f.id != fact.id)
    phrasing = fact.questions_en[-1]
    return Match(
        "问题",
        "answer",
        "zh",
        0.8,
        fact=fact,
        phrasing=phrasing,
        candidates=(Candidate(fact, 0.8, phrasing), Candidate(other, 0.5, other.questions_en[0])),
    )


def chinese_replies(engine: Engine, fact: Fact) -> list[str]:
    """Everything a Chinese-speaking user can be shown about ``fact``: the answer (with its
    note, date and citations), its sources, the related facts (also the button labels) and the
    "why this answer?" view."""
    knowledge = engine.knowledge
    why = matched_in_english(engine, fact)
    return [
        format_why_text(why, "zh"),
        format_why_html(why),
        format_fact_text(knowledge, fact, "zh"),
        format_fact_html(knowledge, fact, "zh"),
        format_fact_compact_html(knowledge, fact, "zh"),
        format_source_text(knowledge, fact, "zh"),
        format_source_html(knowledge, fact, "zh"),
        format_more_text(knowledge, fact, "zh"),  # the related facts' questions (button labels)
        fact.first_question("zh"),
    ]


def html_text(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@pytest.mark.parametrize("script", [None, "s2t", "s2tw", "s2hk"])
def test_every_chinese_fact_reply_is_chinese_throughout(
    engine: Engine, script: str | None
) -> None:
    found = {}
    for fact in engine.knowledge.facts:
        for reply in chinese_replies(engine, fact):
            left = english_left(engine, html_text(in_script(reply, script)), script)
            if left:
                found[fact.id] = left
    assert found == {}


@pytest.mark.parametrize("script", [None, "s2t"])
def test_every_chinese_label_is_chinese(script: str | None) -> None:
    texts = [v["zh"] for v in TEXTS.values()] + [v["zh"] for v in CHAT_TEXTS.values()]
    commands = re.compile(
        r"/[a-z_]+(?:@\{username\})?|@\{username\}|\{[a-z_]+\}|zh-hant|auto|en|zh"
    )
    left = {
        text: words
        for text in texts
        if (words := _ENGLISH_WORD.findall(commands.sub(" ", html_text(in_script(text, script)))))
    }
    assert left == {}


def test_traditional_conversion_keeps_names_and_links(engine: Engine) -> None:
    fact = engine.knowledge.fact("viomi-ipo")
    assert fact is not None
    text = in_script(format_fact_text(engine.knowledge, fact, "zh"), "s2t")
    assert "納斯達克" in text and "VIOT" in text and "來源" in text
    cited = [engine.knowledge.sources[c.source_id].url for c in fact.citations]
    assert cited and all(url in text for url in cited)


#: A source address with Chinese in its path, as an encyclopedia's often has.
CHINESE_URL = "https://baike.baidu.com/item/佛山国家高新技术产业开发区"


@pytest.mark.parametrize(
    ("text", "script", "converted"),
    [
        (
            f'<a href="{CHINESE_URL}">佛山国家高新技术产业开发区</a>',
            "s2t",
            f'<a href="{CHINESE_URL}">佛山國家高新技術產業開發區</a>',
        ),
        (f"来源：第2段。{CHINESE_URL}", "s2hk", f"來源：第2段。{CHINESE_URL}"),  # plain text
        ("<b>集群营业额</b>：1330亿元", "s2tw", "<b>集群營業額</b>：1330億元"),
        ("<b>集群营业额</b>：1330亿元", None, "<b>集群营业额</b>：1330亿元"),
    ],
    ids=["link", "url-in-plain-text", "text-between-tags", "simplified"],
)
def test_traditional_conversion_changes_the_text_never_tags_or_urls(
    text: str, script: str | None, converted: str
) -> None:
    assert in_script(text, script) == converted


def test_a_traditional_reply_links_to_the_source_as_written(tmp_path: Path) -> None:
    base = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).parent.parent / "knowledge", base)
    sources = base / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    old = "url: https://www.foshannews.net/h/3346/20210823/367567.html"
    assert old in text
    sources.write_text(text.replace(old, f"url: {CHINESE_URL}"), encoding="utf-8")
    knowledge = Engine.load(base).knowledge
    fact = knowledge.fact("cluster-turnover-2020")
    assert fact is not None
    reply = in_script(format_fact_html(knowledge, fact, "zh"), "s2t")
    assert re.findall(r'href="([^"]+)"', reply) == [CHINESE_URL]
    assert "營業收入" in reply
