"""The shipped fact base itself: valid, bilingual, cited, and documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.engine import Engine
from bot.knowledge import BUILTIN_COMMANDS, load_knowledge
from bot.normalise import to_simplified

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE, WARNINGS = load_knowledge(ROOT / "knowledge")


def test_shipped_fact_base_validates_without_warnings() -> None:
    assert [str(w) for w in WARNINGS] == []
    assert 40 <= len(KNOWLEDGE.facts) <= 60


@pytest.mark.parametrize("fact", KNOWLEDGE.facts, ids=lambda f: f.id)
def test_every_fact_is_bilingual_cited_and_dated(fact) -> None:  # type: ignore[no-untyped-def]
    assert len(fact.questions_en) >= 3 and len(fact.questions_zh) >= 3
    assert re.search(r"[a-zA-Z]", fact.answer.en) and re.search(r"[\u4e00-\u9fff]", fact.answer.zh)
    assert fact.as_of
    assert fact.citations
    for citation in fact.citations:
        assert KNOWLEDGE.sources[citation.source_id].url.startswith(("http://", "https://"))


def _chat_keywords(phrasing: str) -> bool:
    """A phrasing as people type into a chat: a few words, not a full question."""
    return "?" not in phrasing and len(phrasing.split()) <= 6


@pytest.mark.parametrize("fact", KNOWLEDGE.facts, ids=lambda f: f.id)
def test_every_fact_has_phrasings_in_the_styles_users_write(fact) -> None:  # type: ignore[no-untyped-def]
    # Next to full questions in English and simplified Chinese: terse chat keywords, and
    # Chinese as Hong Kong and Taiwan users write it, in traditional characters.
    assert any(_chat_keywords(p) for p in fact.questions_en), fact.questions_en
    assert any(to_simplified(p) != p for p in fact.questions_zh), fact.questions_zh


def test_every_source_is_cited() -> None:
    cited = {c.source_id for f in KNOWLEDGE.facts for c in f.citations}
    assert cited == set(KNOWLEDGE.sources)


def test_shortcuts_cover_the_most_asked_facts() -> None:
    shortcuts = {f.shortcut for f in KNOWLEDGE.shortcuts}
    assert 8 <= len(shortcuts) <= 15
    assert {"turnover", "enterprises", "hightech", "brands", "pilot", "goals"} <= shortcuts
    assert not shortcuts & BUILTIN_COMMANDS


def test_confusable_facts_say_which_is_which() -> None:
    cluster, zone = KNOWLEDGE.fact("cluster-high-tech-2020"), KNOWLEDGE.fact("zone-high-tech-2020")
    assert cluster and zone
    assert "395" in cluster.answer.en and "cluster" in cluster.answer.en
    assert "1,864" in zone.answer.en and "zone" in zone.answer.en
    assert cluster.note and "1,864" in cluster.note.en
    turnover, gdp = KNOWLEDGE.fact("cluster-turnover-2020"), KNOWLEDGE.fact("zone-gdp-2019")
    assert turnover and gdp and turnover.note and gdp.note
    # The turnover's note names no figure from a source that fact does not cite (issue 11).
    assert "whole zone" in turnover.note.en and "turnover" in gdp.note.en


@pytest.mark.parametrize("fact", KNOWLEDGE.facts, ids=lambda f: f.id)
def test_every_phrasing_finds_its_own_fact(fact, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    for phrasing in fact.questions:
        match = engine.ask(phrasing)
        found = match.fact.id if match.fact else [c.fact.id for c in match.candidates]
        assert fact.id == found or (match.outcome == "clarify" and fact.id in found), phrasing


def test_seed_article_figures_are_all_in_the_fact_base() -> None:
    answers = " ".join(f.answer.en for f in KNOWLEDGE.facts)
    for figure in [
        "133 billion",
        "479",
        "395",
        "130",
        "43",
        "100",
        "2023",
        "Midea",
        "Hisense",
        "Weishang",
        "Mona Lisa",
        "Xiaoxiong",
        "Yunmi",
        "Lins Wooden Furniture",
        "Hulton",
        "smart lighting",
        "smart door locks",
        "smart security monitoring",
        "Jersey",
        "Jessica",
        "National Manufacturing Innovation Center",
        "Where there is a home",
    ]:
        assert figure in answers, figure


def test_readme_documents_every_command_and_shortcut() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    subcommands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in subcommands:
        assert f"python -m bot {name}" in readme, name
    for command in ("start", "help", "ask", "topics", "sources", "about", "lang"):
        assert f"/{command}" in readme, command
    for fact in KNOWLEDGE.shortcuts:
        assert f"/{fact.shortcut}" in readme, fact.shortcut


def test_curators_guide_documents_every_field() -> None:
    guide = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")
    for field in (
        "id",
        "questions",
        "keywords",
        "answer",
        "note",
        "as_of",
        "citations",
        "source",
        "where",
        "quote",
        "related",
        "shortcut",
        "title",
        "publisher",
        "date",
        "url",
        "language",
        "author",
        "secondary",
        "kind",
        "words",
        "wants",
        "home_places",
        "smalltalk",
    ):
        assert f"`{field}`" in guide, field
