"""Score the conversation engine on dialogues: several turns, each judged in its context.

A dialogue set is a YAML list of ``{kind, turns: [{q, expect}, ...]}``. ``expect`` is a list of
strings of which the reply must contain one (case-insensitive): a piece of the chosen fact's
answer, or for a "source?" turn of the citation; ``null`` when the right reply is a decline.
Every turn goes through ``take_turn``, exactly as in the Telegram bot and the terminal chat.
Turns after the first are follow-ups and are reported separately.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.conversation import Context
from bot.dialogue import Turn, take_turn
from bot.engine import Engine
from bot.evaluation import QuestionSetError
from bot.replies import format_turn_text


@dataclass(frozen=True)
class DialogueTurn:
    question: str
    expect: tuple[str, ...] | None


@dataclass(frozen=True)
class Dialogue:
    kind: str
    turns: tuple[DialogueTurn, ...]
    number: int


@dataclass(frozen=True)
class TurnResult:
    dialogue: Dialogue
    position: int
    turn: Turn
    reply: str
    correct: bool

    @property
    def expected(self) -> DialogueTurn:
        return self.dialogue.turns[self.position]


@dataclass(frozen=True)
class DialogueReport:
    results: tuple[TurnResult, ...]

    @staticmethod
    def share(results: list[TurnResult]) -> float:
        return sum(r.correct for r in results) / len(results) if results else 0.0

    @property
    def first_turns(self) -> list[TurnResult]:
        return [r for r in self.results if r.position == 0]

    @property
    def followups(self) -> list[TurnResult]:
        return [r for r in self.results if r.position > 0]

    @property
    def dialogues_right(self) -> tuple[int, int]:
        """Dialogues with every turn right, and dialogues in all."""
        by_dialogue: dict[int, bool] = {}
        for r in self.results:
            by_dialogue[r.dialogue.number] = by_dialogue.get(r.dialogue.number, True) and r.correct
        return sum(by_dialogue.values()), len(by_dialogue)

    def by_kind(self) -> dict[str, list[TurnResult]]:
        kinds: dict[str, list[TurnResult]] = defaultdict(list)
        for r in self.followups:
            kinds[r.dialogue.kind].append(r)
        return dict(sorted(kinds.items()))

    @property
    def failures(self) -> list[TurnResult]:
        return [r for r in self.results if not r.correct]


def is_dialogue_set(path: Path) -> bool:
    """Whether a question set file holds dialogues (items with ``turns``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(data, list) and any(isinstance(i, dict) and "turns" in i for i in data)


def _expect(value: object) -> tuple[str, ...] | None:
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in values)


def load_dialogue_set(path: Path) -> list[Dialogue]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: {exc}") from exc
    if not isinstance(data, list):
        raise QuestionSetError(f"{path}: expected a list of {{kind, turns}} items")
    dialogues = []
    for number, entry in enumerate(data, start=1):
        turns = entry.get("turns") if isinstance(entry, dict) else None
        if not isinstance(turns, list) or not turns:
            raise QuestionSetError(f"{path}: item {number} needs a non-empty 'turns' list")
        parsed = []
        for position, turn in enumerate(turns, start=1):
            if not isinstance(turn, dict) or "q" not in turn or "expect" not in turn:
                raise QuestionSetError(
                    f"{path}: item {number}, turn {position} needs q and expect"
                )
            parsed.append(DialogueTurn(str(turn["q"]), _expect(turn["expect"])))
        dialogues.append(Dialogue(str(entry.get("kind", "dialogue")), tuple(parsed), number))
    return dialogues


def judge_turn(expected: DialogueTurn, turn: Turn, reply: str) -> bool:
    """Right: a decline where none is expected; else a reply (not a clarify or decline) that
    contains one of the expected strings."""
    match = turn.match
    if expected.expect is None:
        return turn.kind == "match" and match is not None and match.outcome == "decline"
    if turn.kind == "match" and (match is None or match.outcome != "answer"):
        return False
    if turn.kind in ("out_of_range", "none"):
        return False
    folded = reply.casefold()
    return any(e.casefold() in folded for e in expected.expect)


def evaluate_dialogues(engine: Engine, dialogues: list[Dialogue]) -> DialogueReport:
    results = []
    for dialogue in dialogues:
        context: Context | None = None
        for position, expected in enumerate(dialogue.turns):
            turn = take_turn(engine, expected.question, context)
            context = turn.context
            reply = format_turn_text(engine.knowledge, turn)
            results.append(
                TurnResult(dialogue, position, turn, reply, judge_turn(expected, turn, reply))
            )
    return DialogueReport(tuple(results))


def format_dialogue_report(report: DialogueReport, show_failures: bool = True) -> str:
    def line(label: str, results: list[TurnResult]) -> str:
        correct = sum(r.correct for r in results)
        return f"{label:<24}{DialogueReport.share(results):7.1%}  ({correct}/{len(results)})"

    right, total = report.dialogues_right
    lines = [
        line("all turns", list(report.results)),
        line("first turns", report.first_turns),
        line("follow-up turns", report.followups),
        f"{'whole dialogues':<24}{right / total if total else 0:7.1%}  ({right}/{total})",
        "",
        "follow-up turns by kind:",
    ]
    lines += ["  " + line(kind, results) for kind, results in report.by_kind().items()]
    if show_failures and report.failures:
        lines += ["", f"failures ({len(report.failures)}):"]
        for r in report.failures:
            match = r.turn.match
            if r.turn.kind != "match" or match is None:
                got = r.turn.kind
            else:
                facts = [match.fact.id] if match.fact else [c.fact.id for c in match.candidates]
                got = f"{match.outcome} {', '.join(facts) or '-'} ({match.confidence:.2f})"
            expected = " | ".join(r.expected.expect) if r.expected.expect else "decline"
            lines.append(
                f"  [{r.dialogue.kind} #{r.dialogue.number}, turn {r.position + 1}] "
                f"{r.expected.question!r}\n      expected {expected}; got {got}"
            )
    return "\n".join(lines)
