"""The index build: it reads every stored text exactly as a question is read, only faster.

``build_index`` normalises whole batches of texts at once and works each word, phrase, Chinese
run and figure out once (see ``bot/matcher.py``); these tests hold it to the one-text-at-a-time
reading that questions get, on the shipped fact base and on texts chosen to trip it up.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import replace

import pytest

from bot.bench import default_question_sets, read_questions
from bot.engine import Engine
from bot.index import Index, build_index
from bot.knowledge import Bilingual, Fact, KnowledgeBase, LexiconGroup
from bot.normalise import _TEXT, _clean, _longest_first, _nfkc, _only_text
from bot.scoring import _phrasing_terms

TRICKY_TEXTS = [
    # Multi-word lexicon phrases: found longest first, not across punctuation, not inside words.
    "How many hi tech zone firms, how much turnover?",
    "high tech; zone",
    "hi-tech zone high techs rehow many",
    "number of employees in the number of clusters",
    # Chinese lexicon words next to bigrams, figures with units, single characters.
    "佛山智能家居集群营业额1330亿元，有多少家企业？",
    "营业额营业额为",
    "日本万和 8日本田 1万和",
    # Dates, days, ordinals, percentages, thousands, decimals, years.
    "On 10 August 2021 (the 10th of August) it ranked 13th; 第13名; 2021年8月10日",
    "48.6% of 1,234,567 and 12.5 percent, 2.5 billion yuan; 133 billion in 2020",
    "5g 2020s x.5abc a1b2 v2.5 3d",
    # Traditional Chinese, full-width forms, apostrophes.
    "產業集群營業額 ＨＯＷ ＭＡＮＹ firms？ Midea's",
    # Ordinal words are ordinals: "second batch" is "2nd batch".
    "the second batch, the tenth list and a secondary school",
    # Mixed Chinese and English, decimals, full-width digits and punctuation, emoji, nested and
    # overlapping lexicon words, punctuation runs, apostrophes of every kind.
    "美的Midea营业额15.33亿元，顺德区smart home企业有多少家？",
    "１２３４５ firms、营业额１５．３３亿：２０２１年？！",
    "佛山市顺德区佛山顺德 佛 山 — 智能家居产业集群集群",
    "🏠 smart home 👍🏽 集群🚀 15.33 billion!!",
    "x -- y ... ,, ~~ ?!? a  b\tc\nd ‘Gree’s’ “Midea” don´t it`s",
    # A figure seen before (and remembered) is an ordinal after 第, spaced or not.
    "2019 and 1234 firms, 第2019 名 and 第1234名",
]


def _reference_terms(index: Index, text: str) -> set[str]:
    """The terms of one text read on its own, as a question is (without typo correction)."""
    return set(index.normaliser.terms(_clean(text)))


def _facts_covering(index: Index) -> dict[int, set[str]]:
    covering: dict[int, set[str]] = {}
    for term, posting in index.postings.items():
        for position in posting:
            covering.setdefault(position, set()).add(term)
    return covering


def _document_text(fact: Fact) -> str:
    return " ; ".join((*fact.keywords, fact.answer.en, fact.answer.zh, fact.as_of))


def _assert_index_reads_like_questions(index: Index) -> None:
    covering = _facts_covering(index)
    for position, fact in enumerate(index.facts):
        first = index.fact_phrasings[position]
        expected_document: set[str] = _reference_terms(index, _document_text(fact))
        for offset, text in enumerate(fact.questions):
            stored = _phrasing_terms(index, first + offset)
            assert len(stored) == len(set(stored)), text  # each term once per phrasing
            assert set(stored) == _reference_terms(index, text), text
            expected_document |= set(stored)
        assert covering.get(position, set()) == expected_document, fact.id


def test_shipped_fact_base_is_indexed_as_questions_are_read(engine: Engine) -> None:
    _assert_index_reads_like_questions(engine.index)


def _fact_base_of(texts: list[str], template: Fact, knowledge: KnowledgeBase) -> KnowledgeBase:
    facts = tuple(
        replace(
            template,
            id=f"tricky-{number}",
            questions_en=(text,),
            questions_zh=(text[::-1],),
            keywords=(text.upper(),),
            answer=Bilingual(en=text, zh=text),
        )
        for number, text in enumerate(texts)
    )
    return replace(knowledge, facts=facts, _by_id={})


def test_tricky_texts_are_indexed_as_questions_are_read(engine: Engine) -> None:
    knowledge = _fact_base_of(TRICKY_TEXTS, engine.knowledge.facts[0], engine.knowledge)
    _assert_index_reads_like_questions(build_index(knowledge))


def test_question_set_texts_are_indexed_as_questions_are_read(engine: Engine) -> None:
    """Every message of the question sets (long, chatty, Chinese, mixed), stored as a fact."""
    texts = read_questions(default_question_sets())
    knowledge = _fact_base_of(texts, engine.knowledge.facts[0], engine.knowledge)
    _assert_index_reads_like_questions(build_index(knowledge))


def _mixed_texts(alphabet: str, count: int = 3000) -> list[str]:
    draw = random.Random(9)
    return ["".join(draw.choices(alphabet, k=draw.randint(0, 24))) for _ in range(count)]


def _all_texts(engine: Engine) -> list[str]:
    facts = engine.knowledge.facts
    stored = [text for fact in facts for text in (*fact.questions, _document_text(fact))]
    return stored + read_questions(default_question_sets()) + TRICKY_TEXTS


def test_chinese_words_are_found_longest_first(engine: Engine) -> None:
    """The trie of lexicon words finds what the alternation of the words longest first finds."""
    words = list(engine.index.normaliser.chinese_words)
    reference = re.compile("|".join(sorted(words, key=len, reverse=True)))
    found = re.compile(_longest_first(words))
    texts = [*_mixed_texts("".join(set("".join(words))) + "的 a1"), *_all_texts(engine)]
    for text in texts:
        assert found.findall(text) == reference.findall(text), text
    # Nested words, and words longer than the trie takes (tried first, longest first).
    nested = [
        "佛",
        "佛山",
        "佛山市",
        "佛山市顺德区",
        "顺德",
        "顺德区",
        "山市",
        "佛山市" * 4,
        "佛山" * 5,
    ]
    nested_reference = re.compile("|".join(sorted(nested, key=len, reverse=True)))
    for text in _mixed_texts("佛山市顺德区x"):
        assert re.findall(_longest_first(nested), text) == nested_reference.findall(text), text


def test_long_lexicon_words_that_share_letters_are_indexed_as_read(engine: Engine) -> None:
    """Lexicon words sharing long beginnings (each shared letter or character can be a level of
    a tokenising pattern) build a working index, read as questions are."""
    stem = "x" * 200
    # Phrases of 2 to 12 words; at every word two words of 201 letters differ in the last one.
    latin = tuple(f"{stem}a " * n + f"{stem}b" for n in range(1, 12))
    chinese = tuple("佛山" * n for n in range(1, 300, 7))
    groups = (
        LexiconGroup(kind="term", words=latin),
        LexiconGroup(kind="term", words=chinese),
    )
    knowledge = engine.knowledge
    lexicon = replace(knowledge.lexicon, groups=knowledge.lexicon.groups + groups)
    texts = [*latin, f"{latin[-1][:-1]}c and {latin[3]}", "佛山" * 300, *TRICKY_TEXTS]
    tricky = _fact_base_of(texts, knowledge.facts[0], replace(knowledge, lexicon=lexicon))
    _assert_index_reads_like_questions(build_index(tricky))


def test_full_width_text_normalises_as_nfkc() -> None:
    full_width = "".join(map(chr, range(0xFF01, 0xFF5F)))
    marks = "\u0301\u0308\u0327\u3099"  # combining marks compose with what comes before
    for text in [full_width, *_mixed_texts(full_width + marks + "Aa1？，佛山ｶﾞ①㍿ ")]:
        assert _nfkc(text) == unicodedata.normalize("NFKC", text), text


def test_punctuation_runs_become_one_space(engine: Engine) -> None:
    """ASCII text takes a character table, other text a regex: both as one run-to-space regex."""
    reference = re.compile(f"[^{_TEXT}]+")
    ascii_texts = _mixed_texts("ab1 .,%~\x01-?!'\"()\t\n  ")
    for text in [*ascii_texts, *_mixed_texts("佛a1 .,，？\x01-！ "), *_all_texts(engine)]:
        assert _only_text(text) == reference.sub(" ", text), text


@pytest.mark.parametrize("copies", [1, 3])
def test_repeated_texts_share_terms_and_weights(engine: Engine, copies: int) -> None:
    """The same text in many facts is worked out once; every fact still gets its terms."""
    knowledge = _fact_base_of(TRICKY_TEXTS * copies, engine.knowledge.facts[0], engine.knowledge)
    index = build_index(knowledge)
    _assert_index_reads_like_questions(index)
    weights = {}
    for position, fact in enumerate(index.facts):
        text = fact.questions_en[0]
        weight = index.phrasing_weight[index.fact_phrasings[position]]
        assert weights.setdefault(text, weight) == pytest.approx(weight)
        assert weight == pytest.approx(
            sum(index.idf[t] for t in _phrasing_terms(index, index.fact_phrasings[position])),
            rel=1e-6,
        )


def test_more_terms_than_two_bytes_can_number(engine: Engine) -> None:
    """Term ids take two bytes each while they fit, four bytes once there are more terms."""
    words_per_fact, facts = 12, 6_000  # 72,000 made-up words: more than 65,535 term ids
    texts = [
        " ".join(f"qx{number}w{word}" for word in range(words_per_fact)) for number in range(facts)
    ]
    knowledge = _fact_base_of(texts, engine.knowledge.facts[0], engine.knowledge)
    index = build_index(knowledge)
    assert len(index.terms_by_id) > 65_535 and index.phrasing_terms.itemsize == 4
    for position in (0, facts // 2, facts - 1):
        phrasing = index.fact_phrasings[position]
        assert _phrasing_terms(index, phrasing) == texts[position].split()
    small = build_index(_fact_base_of(texts[:10], engine.knowledge.facts[0], engine.knowledge))
    assert small.phrasing_terms.itemsize == 2


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("1,234,567 firms", ["n1.23457e+06"]),
        ("12.5 percent of 2021", ["p12.5", "y2021"]),
        ("v2.5 x.5 a1 .5", []),  # glued to a word, a decimal point: not figures
        ("5 and 05", ["n5", "n5"]),  # the same value however written
        ("第3 and 13th", ["o3", "o13"]),
        ("10 August 2021", ["y2021"]),  # the day of a date is not a figure
    ],
)
def test_figures_are_read_only_where_they_stand_alone(
    engine: Engine, text: str, figures: list[str]
) -> None:
    terms = engine.index.normaliser.terms(_clean(text))
    assert [t[1:] for t in terms if t.startswith("\ue001")] == figures
