"""A message matched several times (alone, then with the conversation's context, as a
follow-up is) reads its words once: the shared reading must give what fresh ones give."""

from __future__ import annotations

import pytest
from helpers import EVERY_QUESTION_SET, messages_of

from bot.analysis import Reader, asking_clauses
from bot.engine import Engine
from bot.matcher import Match, match_message, match_question, may_be_answered


def _outcome(match: Match) -> tuple[object, ...]:
    return (
        match.question,
        match.outcome,
        match.language,
        match.confidence,
        match.fact.id if match.fact else None,
        match.phrasing,
        match.smalltalk,
        match.contradictions,
        match.unanswered,
        tuple((c.fact.id, c.confidence, c.phrasing, c.features) for c in match.candidates),
    )


@pytest.mark.parametrize("question_set", EVERY_QUESTION_SET)
def test_a_message_read_once_matches_alone_and_in_context_as_read_afresh(
    engine: Engine, question_set: str
) -> None:
    first_fact = engine.knowledge.facts[0].id
    for question in messages_of(question_set):
        reader = Reader(engine.index)
        alone = engine.ask(question, reader=reader)
        assert _outcome(alone) == _outcome(engine.ask(question)), question
        # As a follow-up: after the fact it answers alone, and after an unrelated one.
        contexts = [engine.context_terms(first_fact)]
        if alone.fact is not None:
            contexts.append(engine.context_terms(alone.fact.id, question))
            # What the conversation is about next, from the same reading.
            assert engine.context_terms(alone.fact.id, question, reader=reader) == contexts[-1]
        for context in contexts:
            shared = engine.ask(question, context=context, reader=reader)
            fresh = engine.ask(question, context=context)
            assert _outcome(shared) == _outcome(fresh), (question, context)
        # Read again after the context passes: still the message alone.
        assert _outcome(engine.ask(question, reader=reader)) == _outcome(alone), question


@pytest.mark.parametrize("question_set", EVERY_QUESTION_SET)
def test_a_part_not_ranked_for_lack_of_topic_words_is_never_answered(
    engine: Engine, question_set: str
) -> None:
    index = engine.index
    for question in messages_of(question_set):
        for text in [question, *asking_clauses(question, index.normaliser.read)]:
            if not may_be_answered(text, index):
                assert match_message(text, index).outcome != "answer", text


@pytest.mark.parametrize(
    ("question", "answered", "unanswered"),
    [
        (
            "How many enterprises are in the cluster? And who is the mayor?",
            "How many enterprises are in the cluster",
            ("who is the mayor",),
        ),
        (
            "What is the cluster's turnover, and what is the weather like in Foshan?",
            "What is the cluster's turnover",
            ("what is the weather like in Foshan",),
        ),
    ],
)
def test_a_compound_message_names_the_part_without_topic_words_as_unanswered(
    engine: Engine, question: str, answered: str, unanswered: tuple[str, ...]
) -> None:
    index = engine.index
    assert not any(may_be_answered(part, index) for part in unanswered)
    match = match_question(question, index)
    assert match.outcome == "answer"
    assert match.fact == match_question(answered, index).fact
    assert match.unanswered == unanswered
