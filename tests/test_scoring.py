"""Scoring reuses what it works out per fact and phrasing across questions: never across fact
bases, and the same whether or not it was kept. Ranking only the first few candidates gives
those of the whole ranking. Every process works out the same features, to the last bit."""

from __future__ import annotations

import gc
import itertools
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
    # Asks for a place and for names at once: which of the two the fact's answer fits first
    # must not be left to the order a set of wants happens to come in.
    "在哪幾個鎮",
    "Which towns and which brands are in Shunde?",
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


def _best_of_every_segment(
    coverages: tuple[float, ...], similarities: tuple[float, ...]
) -> tuple[float, int, float]:
    """(base, segment, similarity) with every segment's similarity worked out: the first
    segment with the highest base (a segment with coverages 0 is never the best)."""
    best = (0.0, -1, 0.0)
    for number, (covers, similar) in enumerate(zip(coverages, similarities, strict=True)):
        base = covers * max(similar, 0.05) ** 0.15
        if covers > 0 and base > best[0]:
            best = (base, number, similar)
    return best


# Grids full of exact ties: a similarity of 1 makes a base equal to its coverages, and one
# coverages value is the base of 0.8 with a similarity of 0.64 (worked out as ``_best_segment``
# does), so a less covered segment earlier in the question can tie with a more covered one.
_COVERAGES = (0.0, 0.3, 0.8 * max(0.64, 0.05) ** 0.15, 0.8)
_SIMILARITIES = (0.0, 0.5, 0.64, 1.0)


@pytest.mark.parametrize("coverages", list(itertools.product(_COVERAGES, repeat=3)))
def test_the_best_segment_is_the_one_every_similarity_would_pick(
    coverages: tuple[float, ...],
) -> None:
    for similarities in itertools.product(_SIMILARITIES, repeat=3):
        asked: list[int] = []

        def similarity(
            segment: int, phrasing: int, similarities=similarities, asked=asked
        ) -> float:
            asked.append(segment)
            assert phrasing == 100 + segment
            return similarities[segment]

        ranked = [(-c, n, 100 + n) for n, c in enumerate(coverages) if c > 0]
        base, phrasing, segment, similar = scoring._best_segment(ranked, similarity)
        expected_base, expected_segment, expected_similarity = _best_of_every_segment(
            coverages, similarities
        )
        if expected_segment < 0:
            assert phrasing == -1
            continue
        assert (base, segment, phrasing, similar) == (
            expected_base,
            expected_segment,
            100 + expected_segment,
            expected_similarity,
        )
        assert len(asked) == len(set(asked)) <= len(ranked)


def test_a_segment_that_cannot_be_the_best_is_not_compared() -> None:
    asked: list[int] = []

    def similarity(segment: int, _phrasing: int) -> float:
        asked.append(segment)
        return 1.0

    # Segment 2 is the most covered and matches its phrasing exactly: the others cannot beat it.
    ranked = [(-0.4, 0, 10), (-0.9, 2, 12), (-0.6, 1, 11)]
    assert scoring._best_segment(ranked, similarity) == (0.9, 12, 2, 1.0)
    assert asked == [2]


@pytest.mark.parametrize(
    ("asked", "other"),
    [
        ("How many enterprises does the Foshan smart home cluster have?", "who founded midea"),
        ("集群有多少家企业？", "美的什么时候上市"),
        ("what was the cluster's turnover in 2020", "cluster turnover"),
    ],
)
def test_a_repeated_segment_scores_as_its_first_occurrence(
    engine: Engine, asked: str, other: str
) -> None:
    # Two equal segments tie exactly, on every fact: the first one is the best (as a clause of
    # the message or not), as if the second were not there.
    index = engine.index
    analysis = analyse(f"{asked} {other}", index)
    mine, others = analyse(asked, index).terms, analyse(other, index).terms

    def scored(segments: list[tuple[str, ...]]) -> list[scoring.Scored]:
        prepared = scoring.Prepared(analysis, segments, index)
        positions = range(len(index.facts))
        covered = prepared.covered(positions)
        return [
            scoring.score_fact(analysis, segments, p, index, prepared, covered[p])
            for p in positions
        ]

    for segments, without in [
        ([mine, others, mine], [mine, others]),
        ([others, mine, mine], [others, mine]),
        ([mine, mine], [mine]),
    ]:
        found, expected = scored(segments), scored(without)
        assert found == expected
        assert any(s.features and not s.clause for s in found)
