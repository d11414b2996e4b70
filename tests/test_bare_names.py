"""A message that only names an entity or a figure: the one fact its attributes single out is
the answer (the only fact about the entity, else the entity's profile, the fact with the
measure ``description``; for a figure, the only fact whose answer states it); when several
facts fit, the bot asks back with them as options. Wordings written for this test."""

from __future__ import annotations

import pytest

from bot.engine import Engine

#: A name with one fact about it, or one profile among several facts about it.
NAMED_ALONE = [
    ("Kelon", "kelon-origins"),  # Kelon's profile (Hisense's deal names Kelon too)
    ("Monalisa!", "monalisa-group"),
    ("云米？", "viomi-profile"),  # Viomi's profile, not its IPO
    ("美的集团", "midea-origins"),
    ("Hulton?", "emerging-enterprises"),  # the only fact about Hulton
    ("林氏木业", "emerging-enterprises"),
    ("the torch center", "torch-center"),
    ("002918", "monalisa-group"),  # a figure only one answer states
    ("5,000?", "midea-origins"),
]
#: Several facts fit and none is the name's profile (or several answers state the figure).
SEVERAL_FIT = ["Hisense", "2,370?", "Foshan"]


@pytest.mark.parametrize(("message", "fact_id"), NAMED_ALONE)
def test_a_name_or_figure_alone_is_answered_with_the_one_fact_it_stands_for(
    engine: Engine, message: str, fact_id: str
) -> None:
    match = engine.ask(message)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id), (
        match.outcome,
        [(c.fact.id, c.confidence) for c in match.candidates[:3]],
    )
    assert match.confidence >= engine.index.decision.answer_threshold
    assert [c.fact.id for c in match.candidates].count(fact_id) == 1


@pytest.mark.parametrize("message", SEVERAL_FIT)
def test_a_name_or_figure_several_facts_fit_is_not_answered(engine: Engine, message: str) -> None:
    assert engine.ask(message).outcome != "answer"


def test_a_name_with_a_question_about_it_is_matched_as_a_question(engine: Engine) -> None:
    """Only a message that is nothing but the name: "when did Kelon list?" asks for a measure
    no fact about Kelon states, so the profile is not the answer."""
    assert engine.ask("when did Kelon list on the stock exchange?").outcome != "answer"
