"""Grouping unanswered questions and the usage report (pure functions)."""

from __future__ import annotations

import datetime as dt
import random
import string

import pytest

from bot.curation import (
    MAX_GROUPED,
    build_report,
    format_report,
    group_unanswered,
    parse_since,
)
from bot.records import FeedbackRecord, QuestionRecord

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)


def question(
    text: str,
    outcome: str = "decline",
    fact: str | None = None,
    day: int = 25,
    confidence: float = 0.2,
) -> QuestionRecord:
    return QuestionRecord(
        f"2026-11-{day:02d}T10:00:00", text, "en", "private", outcome, fact, confidence
    )


def test_similar_questions_are_one_group_most_frequent_first() -> None:
    records = [
        question("How many employees does Midea have?"),
        question("how many employees does midea have"),
        question("Midea employees how many?"),
        question("what is the population of foshan", fact="zone-founding", confidence=0.3),
        question("What is the population of Foshan?"),
    ]
    groups = group_unanswered(records)
    assert [g.count for g in groups] == [3, 2]
    assert groups[0].question.casefold().startswith("how many employees does midea have")
    assert groups[1].best_fact_id == "zone-founding" and groups[1].best_confidence == 0.3


def test_top_limits_the_groups() -> None:
    topics = [
        "weather in paris",
        "population of foshan",
        "midea employees",
        "gree revenue",
        "bitcoin price",
    ]
    records = [question(text) for text in topics]
    assert len(group_unanswered(records, top=2)) == 2


def test_report_counts_days_facts_declines_and_negative_feedback() -> None:
    records = [
        question("", "answer", "cluster-turnover-2020", day=24),
        question("", "answer", "cluster-turnover-2020", day=25),
        question("", "answer", "slogan", day=25),
        question("employees?", "decline", day=25),
        question("high tech?", "clarify", day=25),
        question("high tech?", "none_of_these", day=25),
    ]
    feedback = [
        FeedbackRecord("2026-11-25T10:00:00", "slogan", False, "en"),
        FeedbackRecord("2026-11-25T11:00:00", "slogan", True, "en"),
    ]
    report = build_report(records, feedback, NOW - dt.timedelta(days=30))
    assert report.per_day == (("2026-11-24", 1, 0), ("2026-11-25", 2, 2))
    assert report.top_facts[0] == ("cluster-turnover-2020", 2)
    assert (report.total, report.answered, report.declined) == (5, 3, 1)
    assert report.decline_rate == pytest.approx(0.2)
    assert report.negative_feedback == (("slogan", 1, 1),)
    assert "decline rate 20%" in format_report(report)


@pytest.mark.parametrize(("text", "days"), [("7d", 7), ("24h", 1), ("30d", 30)])
def test_parse_since_periods(text: str, days: int) -> None:
    assert parse_since(text, NOW) == NOW - dt.timedelta(days=days)


def test_parse_since_dates_and_errors() -> None:
    assert parse_since("2026-11-01", NOW) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="not a period"):
        parse_since("last week", NOW)


@pytest.mark.parametrize("text", ["1000000000d", "999999999d", "99999999999999999999h"])
def test_parse_since_a_period_too_long_for_a_date_is_a_bad_value(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        parse_since(text, NOW)


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ([], []),
        (["?!", "..."], []),  # no words: nothing to group
        (["bitcoin price"], [1]),
        (["Gree revenue?", "gree revenue", "GREE REVENUE!!"], [3]),
        (["population of foshan", "foshan population?", "weather in paris"], [2, 1]),
        (
            ["How many employees does Midea have?", "Midea employees how many?", "midea staff"],
            [2, 1],
        ),
        (["how many employes does midea have", "how many employees does midea have"], [2]),
        (["weather in paris", "population of foshan", "gree revenue", "bitcoin price"], [1] * 4),
    ],
)
def test_grouping_examples(asked: list[str], expected: list[int]) -> None:
    assert [g.count for g in group_unanswered([question(text) for text in asked])] == expected


def test_only_the_most_recent_records_are_grouped() -> None:
    old = [question("what is the weather in paris", day=1) for _ in range(50)]
    new = [question(f"question number {n} about {n * 7919}", day=20) for n in range(30)]
    groups = group_unanswered(old + new, recent=30)
    assert sum(g.count for g in groups) == 30
    assert all("paris" not in g.question for g in groups)


def long_distinct_questions(count: int) -> list[QuestionRecord]:
    """``count`` different long questions: random words, the worst case for grouping."""
    chooser = random.Random(8)
    vocabulary = ["".join(chooser.choices(string.ascii_lowercase, k=7)) for _ in range(3000)]
    return [
        question(" ".join(chooser.choices(vocabulary, k=60)) + "?", day=1 + n % 25)
        for n in range(count)
    ]


def test_many_long_distinct_questions_are_grouped_within_the_bound() -> None:
    records = long_distinct_questions(2500) + [question("midea employees?", day=26)] * 3
    groups = group_unanswered(records, top=None)
    assert sum(g.count for g in groups) == MAX_GROUPED
    assert groups[0].count == 3 and groups[0].question == "midea employees?"
    assert len(groups) == MAX_GROUPED - 2
