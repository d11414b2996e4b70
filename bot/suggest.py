"""Which fact should answer a group of unanswered questions, or that none does.

Each wording of a group is asked again, against the fact base as it is now; every fact the
engine answered with or offered is a candidate, with the best confidence any wording gave it. A
group with no candidate close enough needs a new fact (or the honest "I don't know" it got).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from bot.curation import QuestionGroup
from bot.engine import Engine
from bot.escape import escape_controls

#: A fact is suggested for a group when the engine offers it for some wording of the group (as
#: the answer, a "Did you mean" option or a suggestion; the engine decides what is close) with
#: at least this confidence, and the question does not contradict it (a year, figure, place,
#: company or measure the fact does not state: a phrasing taught from such a question would make
#: the fact claim what it does not say).
SUGGESTION_FLOOR = 0.1
#: At most this many facts are suggested per group.
MAX_SUGGESTIONS = 3
#: At most this many wordings of a group are asked again (the most frequent first): the cost
#: stays bounded however many variants a group collected.
MAX_WORDINGS = 5


@dataclass(frozen=True)
class Suggestion:
    fact_id: str
    confidence: float


@dataclass(frozen=True)
class SuggestedGroup:
    """A group of unanswered questions with the facts most likely to answer it, best first."""

    group: QuestionGroup
    suggestions: tuple[Suggestion, ...]

    @property
    def needs_new_fact(self) -> bool:
        return not self.suggestions


def suggest_facts(engine: Engine, group: QuestionGroup) -> SuggestedGroup:
    """The facts most likely to answer ``group``: asked again now, best confidence per fact."""
    best: dict[str, float] = {}
    for wording in (group.question, *group.variants[: MAX_WORDINGS - 1]):
        match = engine.ask(wording)
        if match.smalltalk:
            continue
        found = [(c.fact.id, c.confidence) for c in match.candidates if not c.contradictions]
        if match.fact is not None and not match.contradictions:
            found.append((match.fact.id, match.confidence))
        for fact_id, confidence in found:
            if confidence >= SUGGESTION_FLOOR:
                best[fact_id] = max(best.get(fact_id, 0.0), confidence)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:MAX_SUGGESTIONS]
    return SuggestedGroup(group, tuple(Suggestion(f, c) for f, c in ranked))


def suggest_all(engine: Engine, groups: list[QuestionGroup]) -> list[SuggestedGroup]:
    return [suggest_facts(engine, group) for group in groups]


def teach_command(question: str, fact_id: str) -> str:
    """The command line that adds ``question`` to ``fact_id`` (quoted for a POSIX shell)."""
    return f"python -m bot teach {shlex.quote(question)} {fact_id}"


def format_suggested(suggested: list[SuggestedGroup]) -> str:
    """``unanswered --suggest``: each group, its likely facts and the command to teach it.

    Users' questions are shown with their control characters escaped (``\\x1b``, ``\\n``), as
    ``unanswered`` shows them, so a question cannot rewrite the curator's screen; so is the
    command, which then adds the question as shown."""
    if not suggested:
        return "No unanswered questions in this period."
    lines = []
    for number, item in enumerate(suggested, start=1):
        group = item.group
        lines.append(f"{number:>3}. {group.count:>4}×  {escape_controls(group.question)}")
        lines += [f"              also: {escape_controls(v)}" for v in group.variants[:3]]
        if item.needs_new_fact:
            lines.append("              needs a new fact (no fact comes close)")
            continue
        likely = ", ".join(f"{s.fact_id} ({s.confidence:.2f})" for s in item.suggestions)
        lines.append(f"              most likely: {likely}")
        command = teach_command(group.question, item.suggestions[0].fact_id)
        lines.append(f"              to add it:   {escape_controls(command)}")
    return "\n".join(lines)


def suggested_to_json(item: SuggestedGroup) -> dict[str, object]:
    return {
        "suggestions": [
            {"fact_id": s.fact_id, "confidence": round(s.confidence, 3)} for s in item.suggestions
        ],
        "needs_new_fact": item.needs_new_fact,
    }
