"""The curators' view of real use: unanswered questions grouped by similarity, and a usage
report. Pure functions over records; the database and the printing live elsewhere."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.escape import escape_controls, excerpt
from bot.records import FeedbackCount, FeedbackRecord, QuestionCount, QuestionRecord

#: Two unanswered questions this similar (rapidfuzz token_set_ratio, 0-100) are one to-do item.
SIMILARITY = 80
#: Grouping looks at the newest records only, so its cost is bounded whatever users send.
MAX_GROUPED = 2000
#: Questions are compared on their first characters only (long ones cost no more than this).
COMPARED_CHARS = 120
#: A group is a candidate when its sorted words are this close (rapidfuzz ratio, cheap)...
PREFILTER = 60
#: ...and at most this many candidates get the full token_set_ratio comparison.
CANDIDATES = 5


@dataclass(frozen=True)
class QuestionGroup:
    """Similar unanswered questions: the most frequent wording, how often, and the others."""

    question: str
    count: int
    variants: tuple[str, ...]
    best_fact_id: str | None
    best_confidence: float
    last_asked: str


@dataclass(frozen=True)
class Report:
    since: str
    per_day: tuple[tuple[str, int, int], ...]  # day, answered, not answered
    top_facts: tuple[tuple[str, int], ...]
    total: int
    answered: int
    declined: int
    negative_feedback: tuple[tuple[str, int, int], ...]  # fact, thumbs down, thumbs up

    @property
    def decline_rate(self) -> float:
        return self.declined / self.total if self.total else 0.0


def parse_since(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """``7d``, ``12h``, ``30m`` or an ISO date, as the moment it means."""
    now = now or dt.datetime.now(dt.UTC)
    match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    # The argument is echoed escaped and cut short: no terminal escapes, no 100 kB error line.
    bad = f"'{excerpt(text)}' is not a period like 7d, 12h or a date like 2026-11-01"
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        try:
            return now - dt.timedelta(
                **{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount}
            )
        except OverflowError as error:  # further back than dates go
            raise ValueError(bad) from error
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(bad) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _key(question: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", question.casefold()).split())


def _sorted_words(key: str) -> str:
    """The words in order, cut to ``COMPARED_CHARS``: what the cheap first comparison sees."""
    return " ".join(sorted(key.split()))[:COMPARED_CHARS]


def group_unanswered(
    records: list[QuestionRecord], top: int | None = None, recent: int = MAX_GROUPED
) -> list[QuestionGroup]:
    """Group similar questions, most asked group first.

    Only the ``recent`` newest records take part, and each wording is compared only with the
    representatives of the groups found so far (the most frequent wording of each), first with
    a cheap ratio on sorted words to pick at most ``CANDIDATES`` of them, then with
    ``token_set_ratio``. Both steps are bounded, so the cost is at most a few seconds whatever
    users send.

    Args:
        records: question records in the order they were asked (oldest first).
        top: return at most this many groups.
        recent: group only this many of the newest records.
    """
    records = sorted(records, key=lambda r: r.asked_at)[-recent:] if recent else []
    by_key: dict[str, list[QuestionRecord]] = defaultdict(list)
    for record in records:
        key = _key(record.question)
        if key:
            by_key[key].append(record)
    wordings = sorted(by_key, key=lambda key: (-len(by_key[key]), key))
    groups: list[list[str]] = []
    representatives: list[str] = []  # sorted words of each group's first wording
    for wording in wordings:
        words = _sorted_words(wording)
        close = process.extract(
            words,
            representatives,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=PREFILTER,
            limit=CANDIDATES,
        )
        for _, _, index in sorted(close, key=lambda found: found[2]):
            if (
                fuzz.token_set_ratio(
                    wording[:COMPARED_CHARS], groups[index][0][:COMPARED_CHARS], processor=None
                )
                >= SIMILARITY
            ):
                groups[index].append(wording)
                break
        else:
            groups.append([wording])
            representatives.append(words)
    result = []
    for members in groups:
        member_records = [r for key in members for r in by_key[key]]
        best = max(member_records, key=lambda r: r.confidence)
        result.append(
            QuestionGroup(
                question=by_key[members[0]][-1].question,
                count=len(member_records),
                variants=tuple(by_key[key][-1].question for key in members[1:]),
                best_fact_id=best.fact_id,
                best_confidence=best.confidence,
                last_asked=max(r.asked_at for r in member_records),
            )
        )
    result.sort(key=lambda g: (-g.count, g.question))
    return result[:top] if top else result


def build_report(
    questions: list[QuestionRecord], feedback: list[FeedbackRecord], since: dt.datetime
) -> Report:
    """The usage report from the records themselves (``report_from_counts`` does the work)."""
    asked = Counter(
        (r.asked_at[:10], r.outcome, r.fact_id if r.outcome == "answer" else None)
        for r in questions
    )
    votes = Counter((f.fact_id, f.helpful) for f in feedback)
    return report_from_counts(
        [QuestionCount(day, outcome, fact, n) for (day, outcome, fact), n in asked.items()],
        [FeedbackCount(fact, helpful, n) for (fact, helpful), n in votes.items()],
        since,
    )


def report_from_counts(
    questions: list[QuestionCount], feedback: list[FeedbackCount], since: dt.datetime
) -> Report:
    """The usage report from counts per day, outcome and fact (``Records.question_counts``)."""
    per_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    top: Counter[str] = Counter()
    answered = declined = 0
    for row in questions:
        if row.outcome == "none_of_these":
            continue  # a button press, not a question
        if row.outcome == "answer":
            answered += row.count
            per_day[row.day][0] += row.count
            if row.fact_id:
                top[row.fact_id] += row.count
        else:
            per_day[row.day][1] += row.count
            if row.outcome == "decline":
                declined += row.count
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for vote in feedback:
        votes[vote.fact_id][1 if vote.helpful else 0] += vote.count
    negative = sorted(
        ((fact, down, up) for fact, (down, up) in votes.items() if down),
        key=lambda item: (-item[1], item[0]),
    )
    return Report(
        since=since.strftime("%Y-%m-%d"),
        per_day=tuple((day, counts[0], counts[1]) for day, counts in sorted(per_day.items())),
        # Most asked first; ties by fact id, so the order never depends on how rows came.
        top_facts=tuple(sorted(top.items(), key=lambda item: (-item[1], item[0]))[:10]),
        total=answered + sum(c[1] for c in per_day.values()),
        answered=answered,
        declined=declined,
        negative_feedback=tuple(negative),
    )


def format_unanswered(groups: list[QuestionGroup]) -> str:
    if not groups:
        return "No unanswered questions in this period."
    lines = []
    for number, group in enumerate(groups, start=1):
        hint = (
            f"  (closest fact: {group.best_fact_id}, {group.best_confidence:.2f})"
            if group.best_fact_id
            else ""
        )
        # Users' words: escaped, so they cannot move the cursor or recolour the screen.
        lines.append(f"{number:>3}. {group.count:>4}×  {escape_controls(group.question)}{hint}")
        for variant in group.variants[:3]:
            lines.append(f"              also: {escape_controls(variant)}")
    return "\n".join(lines)


def format_report(report: Report) -> str:
    lines = [
        f"Since {report.since}: {report.total} questions, {report.answered} answered, "
        f"{report.declined} declined (decline rate {report.decline_rate:.0%}).",
        "",
        "Per day (answered / not answered):",
    ]
    lines += [f"  {day}  {answered:>5} / {other}" for day, answered, other in report.per_day] or [
        "  none"
    ]
    lines += ["", "Most asked facts:"]
    lines += [f"  {count:>5}  {fact}" for fact, count in report.top_facts] or ["  none"]
    lines += ["", "Facts with negative feedback (👎 / 👍):"]
    lines += [f"  {fact}: {down} / {up}" for fact, down, up in report.negative_feedback] or [
        "  none"
    ]
    return "\n".join(lines)
