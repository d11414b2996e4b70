"""The shipped facts' attributes list what their answers state: a question asking what a fact
states is not capped by a slot conflict with that fact, and a near miss still is."""

from __future__ import annotations

import pytest

from bot.analysis import analyse
from bot.decision import has_conflict
from bot.engine import Engine


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # The answer names each Jiangsu cluster's industry and hi-tech zone.
        ("Changshu Hi-tech Zone's 2021 cluster is in which industry?", "jiangsu-clusters-2021"),
        # ... its Chinese name (蒙娜丽莎) and what it makes (ceramic tiles).
        ("What's Monalisa Group's Chinese name and what does it make?", "monalisa-group"),
        ("Which industry is Monalisa in?", "monalisa-group"),
        ("What industry did Midea move into in 1980?", "midea-listing"),
        ("Which industry is the Xiangtan cluster in?", "pilot-list-other-named"),
        ("What did Foshan Daily provide?", "article-author"),
    ],
)
def test_a_question_asking_what_a_fact_states_does_not_conflict_with_it(
    engine: Engine, question: str, fact_id: str
) -> None:
    candidate = next((c for c in engine.ask(question).candidates if c.fact.id == fact_id), None)
    assert candidate is not None, f"{fact_id} is not among the candidates"
    assert not has_conflict(candidate.features), candidate.contradictions


@pytest.mark.parametrize(
    "question",
    [
        "What was Midea's revenue in 2022?",
        "How many people live in Beijiao?",
        "Who sold the 26.43% Kelon stake to Hisense?",
        "What are the names of the other three Guangdong clusters?",
        # Names asked of a count or a rank; a date of a fact with no date or period; a unit no
        # fact states a figure in:
        "Which were the other three Guangdong clusters on the list?",
        "Which zone topped the manufacturing index?",
        "By what year does China plan to reach its target of 100 clusters?",
        "How many US dollars did Hisense pay for Kelon?",
        "How many square metres of tiles does Monalisa make a year?",
    ],
)
def test_near_misses_are_still_not_answered(engine: Engine, question: str) -> None:
    assert engine.ask(question).outcome != "answer"


@pytest.mark.parametrize(
    "question", ["美的是怎么起步的", "科龙怎样起家的？", "小熊电器怎么上市的"]
)
def test_how_in_chinese_is_a_question_word_like_how(engine: Engine, question: str) -> None:
    """怎 (how) carries no topic, as 'how' does not: a how-question lacks none of its fact's
    words for it."""
    assert not [t for t in analyse(question, engine.index).terms if "怎" in t]
