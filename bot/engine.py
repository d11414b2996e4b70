"""The answer engine: a loaded fact base with its index, and the one call adapters make.

Adapters (terminal, Telegram) hold an ``Engine`` and never touch the matcher's internals. Reloading
builds a complete new engine first and swaps it in only when the new fact base is valid, so a
broken edit never takes answers away.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from bot.decision import DECISION_FILE, HEURISTIC, DecisionModel, knowledge_fingerprint
from bot.knowledge import KnowledgeBase, Problem, load_knowledge
from bot.matcher import (
    Index,
    Match,
    Reader,
    build_index,
    context_terms,
    match_fact,
    match_question,
)

_SHORTCUT = re.compile(r"^\s*/([a-z0-9_]{1,32})(?:@\w+)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Engine:
    knowledge: KnowledgeBase
    index: Index
    warnings: tuple[Problem, ...] = ()

    @classmethod
    def load(cls, directory: Path | str | None = None) -> Engine:
        """Load, validate and index a fact base; raises ``KnowledgeError`` on problems."""
        knowledge, warnings = load_knowledge(directory)
        decision, problem = read_decision(knowledge)
        if problem:
            warnings.append(problem)
        return cls(knowledge, build_index(knowledge, decision), tuple(warnings))

    def ask(
        self,
        question: str,
        language_hint: str | None = None,
        forced_language: str | None = None,
        context: tuple[str, ...] = (),
        reader: Reader | None = None,
    ) -> Match:
        """Answer one question.

        Args:
            question: the user's text; a bare shortcut command (``/turnover``) answers its fact.
            language_hint: used when the question itself shows no language (the user's Telegram
                language).
            forced_language: the user's explicit choice (``/lang``), which always wins.
            context: a follow-up's context (``context_terms`` of the previous answer).
            reader: what an earlier match of the same message read (``Reader``): a follow-up
                is matched alone and with the context, and reads its words once.
        """
        shortcut = _SHORTCUT.match(question)
        if shortcut:
            fact = self.knowledge.fact_by_shortcut(shortcut.group(1).lower())
            if fact:
                return match_fact(fact, forced_language or language_hint or "en")
        match = match_question(question, self.index, language_hint, context, reader)
        if forced_language and forced_language != match.language:
            match = _with_language(match, forced_language)
        return match

    def context_terms(
        self,
        fact_id: str,
        question: str | None = None,
        previous: tuple[str, ...] = (),
        reader: Reader | None = None,
    ) -> tuple[str, ...]:
        """What a conversation is about once ``fact_id`` was shown for ``question`` (``None``
        when chosen directly), after ``previous``: the terms a follow-up is matched with
        (``reader``: what matching ``question`` read)."""
        fact = self.knowledge.fact(fact_id)
        return context_terms(fact, self.index, question, previous, reader) if fact else ()

    def answer_fact(self, fact_id: str, language: str) -> Match | None:
        fact = self.knowledge.fact(fact_id)
        return match_fact(fact, language) if fact else None


def read_decision(knowledge: KnowledgeBase) -> tuple[DecisionModel, Problem | None]:
    """The fitted decision beside the fact base (``python -m bot fit`` writes it).

    Without one the hand-set heuristic decides. Parameters fitted on another version of the
    fact base still work (the features are general) but a warning says to refit.
    """
    path = knowledge.directory / DECISION_FILE
    if not path.is_file():
        return HEURISTIC, None
    try:
        model = DecisionModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return HEURISTIC, Problem(str(path), 0, f"decision parameters unusable ({exc})", True)
    if model.fingerprint != knowledge_fingerprint(knowledge):
        return model, Problem(
            str(path),
            0,
            "decision parameters were fitted on another version of the fact base: "
            "run `python -m bot fit`",
            True,
        )
    return model, None


def _with_language(match: Match, language: str) -> Match:
    return replace(match, language=language)
