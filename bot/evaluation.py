"""Score the engine on a question set, so curators see whether a change made answers better.

A question set is a YAML list of ``{q, expect, kind}`` items. ``expect`` says what a right reply
is, judged against the **chosen fact's own answer** (its ``answer.en`` and ``answer.zh``; notes,
"as of" lines and citations never make a wrong fact right):

* a fact id (``expect: cluster-turnover-2020``, preferred: unambiguous): that fact is answered;
* a list of substrings (``expect: ["133 billion", "1330亿"]``): the answered fact's own answer,
  in either of its languages, contains one of them (case-insensitive; traditional Chinese
  counts as simplified);
* ``null`` or ``decline``: the bot declines (smalltalk replies are declines too).

``kind`` is free text (``en``, ``zh``, ``typo``, ``near-miss``...); a kind containing ``near``
counts as a near miss. The report gives overall accuracy, answerable questions answered right,
declines, near misses, the precision of the answers given, the reach (the right fact answered or
offered as a button), figures per kind and a calibration table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.engine import Engine
from bot.knowledge import Fact, KnowledgeBase
from bot.matcher import Match, to_simplified

DECLINE = "decline"
#: Confidence bands of the calibration table: [0.0, 0.5), [0.5, 0.6) ... [0.9, 1.0].
CALIBRATION_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
#: How many related facts an answer shows as buttons (as the Telegram adapter does).
RELATED_BUTTONS = 3


@dataclass(frozen=True)
class EvalItem:
    """One question and what a right reply is: a fact id, substrings, or a decline."""

    question: str
    kind: str
    fact_id: str | None = None
    substrings: tuple[str, ...] = ()
    where: str = ""

    @property
    def in_scope(self) -> bool:
        """Answerable: the right reply is an answer, not a decline."""
        return self.fact_id is not None or bool(self.substrings)

    @property
    def near_miss(self) -> bool:
        return not self.in_scope and "near" in self.kind.casefold()

    @property
    def expected(self) -> str:
        """What a right reply is, in words, for reports."""
        if self.fact_id:
            return self.fact_id
        return " | ".join(self.substrings) if self.substrings else DECLINE


@dataclass(frozen=True)
class EvalResult:
    item: EvalItem
    match: Match
    correct: bool
    #: Answerable questions only: the right fact was answered or offered as a button.
    reached: bool

    @property
    def answered(self) -> bool:
        return self.match.outcome == "answer"

    @property
    def fact_id(self) -> str | None:
        return self.match.fact.id if self.answered and self.match.fact else None


@dataclass(frozen=True)
class CalibrationBand:
    low: float
    high: float
    answers: int
    right: int
    mean_confidence: float

    @property
    def share_right(self) -> float:
        return self.right / self.answers if self.answers else 0.0


def _share(results: Iterable[EvalResult], test: str = "correct") -> float:
    chosen = list(results)
    return sum(getattr(r, test) for r in chosen) / len(chosen) if chosen else 0.0


@dataclass(frozen=True)
class EvalReport:
    results: tuple[EvalResult, ...]

    def accuracy(self, results: Sequence[EvalResult] | None = None) -> float:
        return _share(self.results if results is None else results)

    @property
    def in_scope(self) -> list[EvalResult]:
        return [r for r in self.results if r.item.in_scope]

    @property
    def out_of_scope(self) -> list[EvalResult]:
        return [r for r in self.results if not r.item.in_scope]

    @property
    def near_misses(self) -> list[EvalResult]:
        return [r for r in self.results if r.item.near_miss]

    @property
    def given(self) -> list[EvalResult]:
        """Every question the bot answered (rightly or not)."""
        return [r for r in self.results if r.answered]

    def precision(self) -> float:
        """Share of the answers given that were right."""
        return _share(self.given)

    def reach(self) -> float:
        """Share of answerable questions whose right fact was answered or offered."""
        return _share(self.in_scope, "reached")

    def by_kind(self) -> dict[str, list[EvalResult]]:
        kinds: dict[str, list[EvalResult]] = defaultdict(list)
        for result in self.results:
            kinds[result.item.kind].append(result)
        return dict(sorted(kinds.items()))

    @property
    def failures(self) -> list[EvalResult]:
        return [r for r in self.results if not r.correct]

    def calibration(self) -> list[CalibrationBand]:
        """The answers given, by confidence band: how many, and the share that was right."""
        bands = []
        edges = CALIBRATION_EDGES
        for number, (low, high) in enumerate(zip(edges, edges[1:], strict=False)):
            last = number == len(edges) - 2
            inside = [
                r
                for r in self.given
                if low <= r.match.confidence < high or (last and r.match.confidence >= high)
            ]
            mean = sum(r.match.confidence for r in inside) / len(inside) if inside else 0.0
            bands.append(
                CalibrationBand(low, high, len(inside), sum(r.correct for r in inside), mean)
            )
        return bands

    def calibration_error(self) -> float:
        """Expected calibration error: the answers' mean gap between confidence and rightness,
        weighted by band size (0 = confidence means what it says)."""
        total = len(self.given)
        if not total:
            return 0.0
        return sum(
            band.answers / total * abs(band.share_right - band.mean_confidence)
            for band in self.calibration()
            if band.answers
        )


class QuestionSetError(ValueError):
    """A question set file is malformed; the message names the file and item."""


# --------------------------------------------------------------------------------------------
# Reading question sets
# --------------------------------------------------------------------------------------------


def parse_item(entry: Any, where: str) -> EvalItem:
    """One ``{q, expect, kind}`` item; ``where`` (``FILE item N``) names it in errors."""
    if not isinstance(entry, dict) or "q" not in entry or "expect" not in entry:
        raise QuestionSetError(f"{where} needs 'q' and 'expect'")
    expect = entry["expect"]
    fact_id, substrings = None, ()
    if isinstance(expect, list):
        substrings = tuple(str(e) for e in expect if str(e).strip())
        if not substrings:
            raise QuestionSetError(
                f"{where}: 'expect' is an empty list (use null or decline for a decline)"
            )
    elif isinstance(expect, str) and expect.strip().casefold() != DECLINE:
        fact_id = expect.strip()
    elif expect is not None and not isinstance(expect, str):
        raise QuestionSetError(
            f"{where}: 'expect' must be a fact id, a list of substrings, or null/decline"
        )
    default_kind = "in-scope" if fact_id or substrings else "out-of-scope"
    return EvalItem(
        question=str(entry["q"]),
        kind=str(entry.get("kind") or default_kind),
        fact_id=fact_id,
        substrings=substrings,
        where=where,
    )


def load_question_set(path: Path) -> list[EvalItem]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise QuestionSetError(f"{path}: expected a list of {{q, expect, kind}} items")
    return [
        parse_item(entry, f"{path} item {number}") for number, entry in enumerate(data, start=1)
    ]


def check_fact_ids(knowledge: KnowledgeBase, items: Iterable[EvalItem]) -> list[str]:
    """Problems with items whose ``expect`` names a fact the fact base does not have."""
    return [
        f"{item.where}: 'expect: {item.fact_id}' is not a fact id (a single expected text is "
        f'written as a list: expect: ["{item.fact_id}"])'
        for item in items
        if item.fact_id and knowledge.fact(item.fact_id) is None
    ]


# --------------------------------------------------------------------------------------------
# Judging
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return to_simplified(text).casefold()


def fact_fits(item: EvalItem, fact: Fact) -> bool:
    """Is ``fact`` the right one for ``item``: its id, or its own answer holds a substring."""
    if item.fact_id:
        return fact.id == item.fact_id
    answers = (_fold(fact.answer.en), _fold(fact.answer.zh))
    return any(_fold(expected) in answer for expected in item.substrings for answer in answers)


def offered_facts(knowledge: KnowledgeBase, match: Match) -> list[Fact]:
    """The facts a reply puts in front of the user: the answer and its related buttons, or the
    "Did you mean" options and suggestions."""
    if match.outcome == "answer" and match.fact:
        related = [knowledge.fact(i) for i in match.fact.related[:RELATED_BUTTONS]]
        return [match.fact, *(f for f in related if f)]
    if match.smalltalk:
        return []
    return [c.fact for c in match.candidates]


def judge(item: EvalItem, match: Match) -> bool:
    """Right: the answered fact fits the item, or a decline where none is expected."""
    if not item.in_scope:
        return match.outcome == "decline"
    return match.outcome == "answer" and match.fact is not None and fact_fits(item, match.fact)


def reaches(knowledge: KnowledgeBase, item: EvalItem, match: Match) -> bool:
    """An answerable item's right fact was answered or offered as a button."""
    return item.in_scope and any(fact_fits(item, f) for f in offered_facts(knowledge, match))


def evaluate(engine: Engine, items: Sequence[EvalItem]) -> EvalReport:
    results = []
    for item in items:
        match = engine.ask(item.question)
        results.append(
            EvalResult(item, match, judge(item, match), reaches(engine.knowledge, item, match))
        )
    return EvalReport(tuple(results))


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def parse_min_accuracy(text: str) -> float:
    """``--min-accuracy`` as a fraction 0..1. ``0.9``, ``90`` and ``90%`` all mean 90%.

    The rule: a number below 1 is a fraction; a number from 2 to 100 is a percentage; a number
    with ``%`` is a percentage. A bare number from 1 up to (not including) 2 could be read
    either way (``1`` = 100% or 1%?) and is refused, as is anything outside 0..100.
    """
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = float(cleaned.rstrip("%").strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a number (write 0.9, 90 or 90%)") from None
    if not 0 <= value <= 100:
        raise ValueError(f"'{text}' is not between 0 and 100%")
    if percent:
        return value / 100
    if value < 1:
        return value
    if value < 2:
        raise ValueError(
            f"'{text}' is ambiguous: write a fraction below 1 (0.9), a percentage from 2 to 100 "
            f"(90), or a number with % ({text}%)"
        )
    return value / 100


def _line(label: str, results: Sequence[EvalResult], test: str = "correct") -> str:
    hits = sum(getattr(r, test) for r in results)
    share = hits / len(results) if results else 0.0
    return f"{label:<37}{share:7.1%}  ({hits}/{len(results)})"


def format_calibration(report: EvalReport) -> list[str]:
    lines = ["calibration (answers given, by confidence):"]
    for band in report.calibration():
        if band.answers:
            lines.append(
                f"  {band.low:.1f}-{band.high:.1f}  {band.answers:>4} answers  "
                f"{band.share_right:7.1%} right  (mean confidence {band.mean_confidence:.2f})"
            )
    lines.append(f"  expected calibration error {report.calibration_error():.3f}")
    return lines


def _got(result: EvalResult) -> str:
    match = result.match
    facts = match.fact.id if match.fact else ", ".join(c.fact.id for c in match.candidates) or "-"
    return f"{match.outcome} {facts} ({match.confidence:.2f})"


def format_report(report: EvalReport, show_failures: bool = True) -> str:
    """The human-readable summary ``python -m bot eval`` prints."""
    lines = [
        _line("overall", report.results),
        _line("answerable answered right", report.in_scope),
        _line("declined (to decline)", report.out_of_scope),
        _line("near misses declined", report.near_misses),
        _line("precision of answers given", report.given),
        _line("reach (right fact answered/offered)", report.in_scope, "reached"),
        "",
        "by kind:",
    ]
    lines += ["  " + _line(kind, results) for kind, results in report.by_kind().items()]
    lines += ["", *format_calibration(report)]
    if show_failures and report.failures:
        lines += ["", f"failures ({len(report.failures)}):"]
        for result in report.failures:
            lines.append(
                f"  [{result.item.kind}] {result.item.question!r}\n"
                f"      expected {result.item.expected}; got {_got(result)}"
            )
    return "\n".join(lines)


def report_to_json(report: EvalReport) -> dict[str, Any]:
    """The stable JSON form (``eval --json``, ``eval --save``); ``eval --compare`` reads it."""
    return {
        "overall": report.accuracy(),
        "answerable_right": report.accuracy(report.in_scope),
        "declined": report.accuracy(report.out_of_scope),
        "near_misses_declined": report.accuracy(report.near_misses),
        "precision": report.precision(),
        "reach": report.reach(),
        "counts": {
            "questions": len(report.results),
            "answerable": len(report.in_scope),
            "to_decline": len(report.out_of_scope),
            "near_misses": len(report.near_misses),
            "answers_given": len(report.given),
        },
        "by_kind": {k: report.accuracy(v) for k, v in report.by_kind().items()},
        "calibration": [
            {
                "low": band.low,
                "high": band.high,
                "answers": band.answers,
                "share_right": band.share_right,
                "mean_confidence": round(band.mean_confidence, 3),
            }
            for band in report.calibration()
        ],
        "expected_calibration_error": round(report.calibration_error(), 4),
        "results": [
            {
                "question": r.item.question,
                "kind": r.item.kind,
                "expect": r.item.expected,
                "outcome": r.match.outcome,
                "fact_id": r.fact_id,
                "candidates": [c.fact.id for c in r.match.candidates],
                "confidence": round(r.match.confidence, 3),
                "correct": r.correct,
                "reached": r.reached,
            }
            for r in report.results
        ],
        "failures": [r.item.question for r in report.failures],
    }


def dump_report(report: EvalReport) -> str:
    return json.dumps(report_to_json(report), ensure_ascii=False, indent=2)


def default_question_sets(knowledge_dir: Path) -> list[Path]:
    """The project's question sets beside a fact base (``../tests/questions/*.yaml``), without
    dialogue sets and without check sets (``check-*.yaml``: kept unread until they are scored);
    none when the folder is absent (an installed bot)."""
    folder = Path(knowledge_dir).resolve().parent / "tests" / "questions"
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.glob("*.yaml"))
        if not path.name.startswith("check-")
        and not any("turns" in entry for entry in _entries(path))
    ]


def _entries(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def questions_in(paths: Iterable[Path]) -> list[str]:
    """Every ``q`` of the question sets, for checks that only need the questions."""
    return [str(e["q"]) for path in paths for e in _entries(path) if "q" in e]
