"""Scoring reuses what it works out per fact and phrasing across questions: never across fact
bases, and the same whether or not it was kept. Ranking only the first few candidates gives
those of the whole ranking. Every process works out the same features, to the last bit."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path

import pytest
from helpers import EVERY_QUESTION_SET, FACTS, cli_environment, messages_of, write_fact_base

from bot import scoring
from bot.analysis import analyse
from bot.engine import Engine
from bot.matcher import Candidate, Match, match_question, rank_candidates

QUESTIONS = [
    "How many enterprises does the Foshan smart home cluster have?",
    "what was the cluster's turnover in 2020",
    "Who founded Midea? Also, what is its share price today?",
    "集群有多少家企业？",
    "I am writing a piece for my university paper about Guangdong industry. My editor wants "
    "numbers. How many enterprises does the Foshan smart home cluster have?",
]


def _hidden(candidate: Candidate) -> tuple[object, ...]:
    """What candidates are not compared by."""
    return candidate.features, candidate.salient_covered, candidate.salient_missing


def _outcome(match: Match) -> tuple[object, ...]:
    return (
        match.outcome,
        match.confidence,
        match.fact.id if match.fact else None,
        match.phrasing,
        match.contradictions,
        match.unanswered,
        tuple((c.fact.id, c.confidence, c.phrasing, c.features) for c in match.candidates),
    )


def _unkept(engines: list[Engine], monkeypatch: pytest.MonkeyPatch) -> list[list[tuple]]:
    """Each engine's outcomes with nothing kept between questions."""
    with monkeypatch.context() as patch:
        patch.setattr(scoring, "_reused_for", lambda _index: scoring._Reused())
        return [[_outcome(match_question(q, e.index)) for q in QUESTIONS] for e in engines]


def test_fact_bases_asked_in_turn_answer_as_with_nothing_kept(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = Engine.load(write_fact_base(tmp_path / "tiny"))
    # Another fact base of the same size, with other phrasings at the same positions.
    other = FACTS.replace("How many enterprises are in", "How many patents are held in")
    patents = Engine.load(write_fact_base(tmp_path / "other", facts=other))
    engines = [tiny, engine, patents, tiny, patents, engine]
    expected = _unkept(engines, monkeypatch)
    assert [[_outcome(match_question(q, e.index)) for q in QUESTIONS] for e in engines] == expected
    assert expected[0] != expected[1] != expected[2]  # the fact bases differ on these questions


@pytest.mark.parametrize("kept", [0, 1, 3])
def test_answers_are_the_same_when_little_is_kept(
    kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = Engine.load()  # nothing kept for it yet
    expected = _unkept([engine], monkeypatch)[0]
    monkeypatch.setattr(scoring, "CACHED_PER_INDEX", kept)
    assert [_outcome(match_question(q, engine.index)) for q in QUESTIONS] == expected
    assert [_outcome(match_question(q, engine.index)) for q in QUESTIONS] == expected


def test_what_is_kept_for_a_fact_base_goes_with_it(tmp_path: Path) -> None:
    tiny = Engine.load(write_fact_base(tmp_path / "knowledge"))
    match_question(QUESTIONS[0], tiny.index)
    key = id(tiny.index)
    assert key in scoring._reused
    gone = weakref.ref(tiny.index)
    del tiny
    gc.collect()
    assert gone() is None
    assert key not in scoring._reused


def test_what_is_kept_per_fact_base_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine.load()
    monkeypatch.setattr(scoring, "CACHED_PER_INDEX", 2)
    for question in QUESTIONS:
        match_question(question, engine.index)
    kept = scoring._reused_for(engine.index)
    assert 0 < len(kept.facts) <= 2
    assert 0 < len(kept.sorted_terms) <= 2


@pytest.mark.parametrize("question_set", EVERY_QUESTION_SET)
def test_the_first_few_candidates_are_the_whole_rankings_first(
    engine: Engine, question_set: str
) -> None:
    index = engine.index
    for question in messages_of(question_set):
        analysis = analyse(question, index)
        whole = rank_candidates(analysis, question, index)
        for limit in (1, 3):
            assert rank_candidates(analysis, question, index, limit=limit) == whole[:limit]
            assert [_hidden(c) for c in whole[:limit]] == [
                _hidden(c) for c in rank_candidates(analysis, question, index, limit=limit)
            ]


#: Prints every candidate's features for the questions, as ``repr`` (every bit of each float).
_FEATURES_OF = """
import sys
from bot.analysis import analyse
from bot.engine import Engine
from bot.matcher import rank_candidates
index = Engine.load().index
for question in sys.argv[1:]:
    for c in rank_candidates(analyse(question, index), question, index):
        print(c.fact.id, repr(c.evidence), repr(c.features))
"""


def test_features_are_the_same_in_every_process() -> None:
    # Python salts the hash of strings per process (PYTHONHASHSEED): sums over sets of terms
    # would add the same weights in another order, and differ in the last bits.
    def features(seed: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _FEATURES_OF, *QUESTIONS],
            env=cli_environment({"PYTHONHASHSEED": seed}),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout

    first = features("1")
    assert first.count("\n") > 20
    assert all(features(seed) == first for seed in ("2", "3", "4"))
