"""Scoring question sets: the expect forms, judging against the chosen fact's own answer, the
measures (precision, reach, near misses, calibration) and the --min-accuracy rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import FACTS, run_cli, write_fact_base

from bot.engine import Engine
from bot.evaluation import (
    EvalItem,
    QuestionSetError,
    check_fact_ids,
    evaluate,
    format_report,
    parse_item,
    parse_min_accuracy,
    report_to_json,
)

#: The enterprises fact's note names the turnover figure: a note never makes it the right answer.
NOTED_FACTS = FACTS.replace(
    "      zh: 2020年集群有479家企业。\n",
    "      zh: 2020年集群有479家企业。\n"
    "    note: {en: 'Not the 133 billion turnover.', zh: 不是1330亿元营业额。}\n",
)


@pytest.fixture
def noted_engine(tmp_path: Path) -> Engine:
    return Engine.load(write_fact_base(tmp_path / "kb", facts=NOTED_FACTS))


@pytest.mark.parametrize(
    ("expect", "fact_id", "substrings", "in_scope"),
    [
        ("turnover", "turnover", (), True),
        (["133 billion", "1330亿"], None, ("133 billion", "1330亿"), True),
        (None, None, (), False),
        ("decline", None, (), False),
        ("Decline", None, (), False),
    ],
)
def test_expect_forms(
    expect: object, fact_id: str | None, substrings: tuple, in_scope: bool
) -> None:
    item = parse_item({"q": "a question", "expect": expect, "kind": "en"}, "set.yaml item 1")
    assert (item.fact_id, item.substrings, item.in_scope) == (fact_id, substrings, in_scope)


@pytest.mark.parametrize(
    "entry",
    [{"q": "no expect"}, {"q": "x", "expect": []}, {"q": "x", "expect": {"a": 1}}, "just text"],
)
def test_malformed_items_are_refused_with_where(entry: object) -> None:
    with pytest.raises(QuestionSetError, match=r"^set.yaml item 3"):
        parse_item(entry, "set.yaml item 3")


def test_an_unknown_fact_id_is_reported_with_how_to_write_a_text(tiny_engine: Engine) -> None:
    items = [parse_item({"q": "x", "expect": "133 billion"}, "set.yaml item 2")]
    assert check_fact_ids(tiny_engine.knowledge, items) == [
        "set.yaml item 2: 'expect: 133 billion' is not a fact id (a single expected text is "
        'written as a list: expect: ["133 billion"])'
    ]


@pytest.mark.parametrize(
    ("expect", "correct"),
    [
        ("turnover", False),  # the enterprises fact is answered, not the turnover fact
        (["133 billion"], False),  # only in the answered fact's note
        (["1330亿"], False),
        (["479"], True),  # the fact's own English answer
        (["479家"], True),  # ... or its Chinese answer
        ("enterprises", True),
    ],
)
def test_judged_against_the_chosen_facts_own_answer(
    noted_engine: Engine, expect: object, correct: bool
) -> None:
    item = parse_item({"q": "How many enterprises are in the cluster?", "expect": expect}, "t")
    report = evaluate(noted_engine, [item])
    assert report.results[0].match.fact.id == "enterprises"  # type: ignore[union-attr]
    assert report.results[0].correct is correct


def test_measures_precision_reach_near_misses_and_calibration(tiny_engine: Engine) -> None:
    items = [
        EvalItem("What was the turnover in 2020?", "en", fact_id="turnover"),
        EvalItem("How many enterprises are in the cluster?", "en", fact_id="turnover"),
        EvalItem("turnover in 2022", "near-miss"),
        EvalItem("hello", "greeting"),
    ]
    report = evaluate(tiny_engine, items)
    assert [r.correct for r in report.results] == [True, False, True, True]
    assert report.precision() == 0.5  # two answers given, one right
    # The wrong answer (enterprises) lists no related fact, so turnover is not offered.
    assert [r.reached for r in report.results] == [True, False, False, False]
    assert report.reach() == 0.5
    assert len(report.near_misses) == 1 and report.accuracy(report.near_misses) == 1.0
    bands = [b for b in report.calibration() if b.answers]
    assert sum(b.answers for b in bands) == 2 and sum(b.right for b in bands) == 1
    assert 0.0 <= report.calibration_error() <= 1.0
    text = format_report(report)
    for label in ("precision of answers given", "reach", "near misses declined", "calibration"):
        assert label in text
    figures = report_to_json(report)
    assert figures["precision"] == 0.5 and figures["counts"]["answers_given"] == 2
    assert figures["results"][1]["fact_id"] == "enterprises"


def test_reach_counts_a_related_button(tiny_engine: Engine) -> None:
    # turnover lists enterprises as related: the answer shows it as a button.
    item = EvalItem("What was the turnover in 2020?", "en", fact_id="enterprises")
    result = evaluate(tiny_engine, [item]).results[0]
    assert (result.correct, result.reached) == (False, True)


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("0.9", 0.9),
        ("90", 0.9),
        ("90%", 0.9),
        ("0", 0.0),
        ("100", 1.0),
        ("2", 0.02),
        ("1%", 0.01),
        ("0.999", 0.999),
        ("99.5", 0.995),
    ],
)
def test_min_accuracy_takes_a_fraction_or_a_percentage(text: str, fraction: float) -> None:
    assert parse_min_accuracy(text) == pytest.approx(fraction)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1", "ambiguous"),
        ("1.5", "ambiguous"),
        ("1.99", "ambiguous"),
        ("101", "between"),
        ("-5", "between"),
        ("ninety", "not a number"),
        ("nan", "between"),
    ],
)
def test_min_accuracy_refuses_ambiguous_or_impossible_values(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_min_accuracy(text)


def test_eval_command_fact_ids_json_save_and_threshold(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {q: 'What was the turnover in 2020?', expect: cluster-turnover-2020, kind: en}\n"
        "- {q: 'turnover in 2022', expect: decline, kind: near-miss}\n"
        "- {q: 'how many employees does Midea have', expect: null, kind: near-miss}\n",
        encoding="utf-8",
    )
    saved = tmp_path / "result.json"
    result = run_cli("eval", str(questions), "--json", "--save", str(saved))
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["overall"] == 1.0 and figures["precision"] == 1.0
    assert figures["counts"] == {
        "questions": 3,
        "answerable": 1,
        "to_decline": 2,
        "near_misses": 2,
        "answers_given": 1,
    }
    assert json.loads(saved.read_text(encoding="utf-8")) == figures
    assert run_cli("eval", str(questions), "--min-accuracy", "0.9").returncode == 0
    refused = run_cli("eval", str(questions), "--min-accuracy", "1")
    assert refused.returncode == 2 and "ambiguous" in refused.stderr


def test_eval_command_refuses_an_unknown_fact_id(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text("- {q: 'turnover', expect: 133 billion, kind: en}\n", encoding="utf-8")
    result = run_cli("eval", str(questions))
    assert result.returncode == 2
    assert f"{questions} item 1: 'expect: 133 billion' is not a fact id" in result.stderr
