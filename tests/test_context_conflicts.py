"""Conflicts read from words that are context, not what is asked: a conflict caps the right fact
at the decision's ``conflict_ceiling`` (declined outright), so each class of misreading here is
tested both ways: the question that was vetoed wrongly, and the near miss the rule exists for."""

from __future__ import annotations

import pytest

from bot.decision import CONFLICTS, FEATURES, has_conflict
from bot.engine import Engine
from bot.scoring import Candidate


def _candidate(engine: Engine, question: str, fact_id: str) -> Candidate | None:
    return next((c for c in engine.ask(question).candidates if c.fact.id == fact_id), None)


def _conflicts(candidate: Candidate) -> list[str]:
    return [name for name in CONFLICTS if candidate.features[FEATURES.index(name)]]


# A measure word the fact's own words use ("the smart home *industry*", "supposed to have
# *achieved*", "grouping of *companies*") names context when nothing else the question says
# points to another fact: no ``measure_other`` conflict.
MEASURE_WORD_OF_CONTEXT = [
    ("What is Foshan supposed to have achieved with this cluster by 2023?", "goals-2023"),
    ("What is Foshan expected to have achieved with the cluster by 2023?", "goals-2023"),
    (
        "Roughly how much money did the Foshan smart-home grouping of companies bring in over "
        "calendar year 2020?",
        "cluster-turnover-2020",
    ),
    (
        "what does getting on the pilot list mean for Foshan's smart home industry in the long "
        "run?",
        "pilot-list-significance",
    ),
    (
        "What does making the pilot list mean for the local smart home industry?",
        "pilot-list-significance",
    ),
    ("按照规划，佛山到2023年应该实现什么？", "goals-2023"),
    # "Economic output" is the GDP (a phrase of the lexicon's gdp group), not industrial output.
    (
        "What fraction of the city's economic output came from the high-tech zone in 2019?",
        "zone-gdp-2019",
    ),
    ("2019年高新区经济总量占全市多少？", "zone-gdp-2019"),
]
# ... but not when another word points to a fact stating the measure ("industrial output" is
# the zone's output, another fact than its GDP), nor for the measures the lexicon names so that
# a question asking one is declined (residents, employees, US dollars): a fact mentioning
# "23 Beijiao residents" does not state Beijiao's population.
MEASURE_ASKED = [
    ("What was the Foshan hi-tech zone's industrial output in 2019?", "zone-gdp-2019"),
    ("高新区2019年的工业产值是多少？", "zone-gdp-2019"),
    ("How many residents does Beijiao have?", "midea-origins"),
    ("What's the USD to RMB exchange rate today?", "viomi-ipo"),
    ("Did Foshan achieve its 2023 goals for the cluster?", "goals-2023"),
]


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_WORD_OF_CONTEXT)
def test_a_measure_word_the_fact_uses_is_context_not_a_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    candidate = _candidate(engine, question, fact_id)
    assert candidate is not None, f"{fact_id} is not a candidate"
    assert not has_conflict(candidate.features), (_conflicts(candidate), candidate.contradictions)


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_ASKED)
def test_a_measure_asked_of_another_fact_or_of_none_is_still_a_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    candidate = _candidate(engine, question, fact_id)
    assert candidate is None or has_conflict(candidate.features)
