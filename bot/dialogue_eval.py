"""Score the conversation engine on dialogues: several turns, each judged in its context.

A dialogue set is a YAML list of ``{kind, turns: [{q, expect}, ...]}``. ``expect`` is read as in
question sets (``bot.evaluation``): a fact id, a list of substrings of the chosen fact's own
answer (for a "source?" turn: of its citations), or ``null``/``decline``.
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
from bot.evaluation import EvalItem, QuestionSetError, fact_fits, parse_item
from bot.knowledge import KnowledgeBase
from bot.replies import format_source_text, format_turn_text, related_facts


@dataclass(frozen=True)
class Dialogue:
    kind: str
    turns: tuple[EvalItem, ...]
    number: int


@dataclass(frozen=True)
class TurnResult:
    dialogue: Dialogue
    position: int
    turn: Turn
    reply: str
    correct: bool

    @property
    def expected(self) -> EvalItem:
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
        kind = str(entry.get("kind") or "dialogue")
        parsed = []
        for position, turn in enumerate(turns, start=1):
            if isinstance(turn, dict) and "kind" not in turn:
                turn = {**turn, "kind": kind}
            parsed.append(parse_item(turn, f"{path} item {number} turn {position}"))
        dialogues.append(Dialogue(kind, tuple(parsed), number))
    return dialogues


def judge_turn(knowledge: KnowledgeBase, expected: EvalItem, turn: Turn) -> bool:
    """Right: a decline where one is expected; else the fact shown fits (``fact_fits``); for
    "source?" the citations hold a substring, for "tell me more" a related fact fits."""
    match = turn.match
    if not expected.in_scope:
        return turn.kind == "match" and match is not None and match.outcome == "decline"
    if turn.kind == "match":
        return (
            match is not None
            and match.fact is not None
            and match.outcome == "answer"
            and fact_fits(expected, match.fact)
        )
    if turn.kind == "source" and turn.fact is not None:
        if expected.fact_id:
            return turn.fact.id == expected.fact_id
        cited = format_source_text(knowledge, turn.fact, turn.language).casefold()
        return any(s.casefold() in cited for s in expected.substrings)
    if turn.kind == "more" and turn.fact is not None:
        return any(fact_fits(expected, f) for f in related_facts(knowledge, turn.fact))
    if turn.kind == "why" and match is not None and match.fact is not None:
        return fact_fits(expected, match.fact)
    return False


def evaluate_dialogues(engine: Engine, dialogues: list[Dialogue]) -> DialogueReport:
    results = []
    for dialogue in dialogues:
        context: Context | None = None
        for position, expected in enumerate(dialogue.turns):
            turn = take_turn(engine, expected.question, context)
            context = turn.context
            reply = format_turn_text(engine.knowledge, turn)
            right = judge_turn(engine.knowledge, expected, turn)
            results.append(TurnResult(dialogue, position, turn, reply, right))
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
            expected = r.expected.expected
            lines.append(
                f"  [{r.dialogue.kind} #{r.dialogue.number}, turn {r.position + 1}] "
                f"{r.expected.question!r}\n      expected {expected}; got {got}"
            )
    return "\n".join(lines)
