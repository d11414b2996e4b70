"""Score the engine on a question set, so curators see whether a change made answers better.

A question set is a YAML list of ``{q, expect, kind}``: ``expect`` is a list of strings of which
the answer must contain one (case-insensitive), or null when the right reply is a decline.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.engine import Engine
from bot.matcher import Match
from bot.render import format_match_text


@dataclass(frozen=True)
class EvalItem:
    question: str
    expect: tuple[str, ...] | None
    kind: str

    @property
    def in_scope(self) -> bool:
        return self.expect is not None


@dataclass(frozen=True)
class EvalResult:
    item: EvalItem
    match: Match
    reply: str
    correct: bool


@dataclass(frozen=True)
class EvalReport:
    results: tuple[EvalResult, ...]

    def accuracy(self, results: tuple[EvalResult, ...] | list[EvalResult] | None = None) -> float:
        chosen = self.results if results is None else results
        return sum(r.correct for r in chosen) / len(chosen) if chosen else 0.0

    @property
    def in_scope(self) -> list[EvalResult]:
        return [r for r in self.results if r.item.in_scope]

    @property
    def out_of_scope(self) -> list[EvalResult]:
        return [r for r in self.results if not r.item.in_scope]

    def by_kind(self) -> dict[str, list[EvalResult]]:
        kinds: dict[str, list[EvalResult]] = defaultdict(list)
        for result in self.results:
            kinds[result.item.kind].append(result)
        return dict(sorted(kinds.items()))

    @property
    def failures(self) -> list[EvalResult]:
        return [r for r in self.results if not r.correct]


class QuestionSetError(ValueError):
    """A question set file is malformed; the message names the file and item."""


def load_question_set(path: Path) -> list[EvalItem]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise QuestionSetError(f"{path}: expected a list of {{q, expect, kind}} items")
    items = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or "q" not in entry or "expect" not in entry:
            raise QuestionSetError(f"{path}: item {number} needs 'q' and 'expect'")
        expect = entry["expect"]
        if expect is not None and not isinstance(expect, list):
            expect = [expect]
        items.append(
            EvalItem(
                question=str(entry["q"]),
                expect=tuple(str(e) for e in expect) if expect is not None else None,
                kind=str(entry.get("kind", "in-scope" if expect is not None else "out-of-scope")),
            )
        )
    return items


def judge(item: EvalItem, match: Match, reply: str) -> bool:
    """Correct: an answer containing an expected string, or a decline where none is expected."""
    if item.expect is None:
        return match.outcome == "decline"
    if match.outcome != "answer":
        return False
    folded = reply.casefold()
    return any(expected.casefold() in folded for expected in item.expect)


def evaluate(engine: Engine, items: list[EvalItem]) -> EvalReport:
    results = []
    for item in items:
        match = engine.ask(item.question)
        reply = format_match_text(engine.knowledge, match)
        results.append(EvalResult(item, match, reply, judge(item, match, reply)))
    return EvalReport(tuple(results))


def format_report(report: EvalReport, show_failures: bool = True) -> str:
    """The human-readable summary ``python -m bot eval`` prints."""

    def line(label: str, results: list[EvalResult] | tuple[EvalResult, ...]) -> str:
        correct = sum(r.correct for r in results)
        share = correct / len(results) if results else 0.0
        return f"{label:<24}{share:7.1%}  ({correct}/{len(results)})"

    lines = [
        line("overall", report.results),
        line("in scope (answered)", report.in_scope),
        line("out of scope (declined)", report.out_of_scope),
        "",
        "by kind:",
    ]
    lines += ["  " + line(kind, results) for kind, results in report.by_kind().items()]
    if show_failures and report.failures:
        lines += ["", f"failures ({len(report.failures)}):"]
        for result in report.failures:
            match = result.match
            got = (
                match.fact.id
                if match.fact
                else ", ".join(c.fact.id for c in match.candidates) or "-"
            )
            expected = " | ".join(result.item.expect) if result.item.expect else "decline"
            lines.append(
                f"  [{result.item.kind}] {result.item.question!r}\n"
                f"      expected {expected}; got {match.outcome} {got} ({match.confidence:.2f})"
            )
    return "\n".join(lines)
