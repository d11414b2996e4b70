"""Find the fact that answers a question, or know that none does.

Pure and I/O-free: ``build_index`` does all the expensive work once when the fact base loads;
``match_question`` then costs one normalisation, an inverted-index lookup and a few rapidfuzz
calls. The work is split by job: ``normalise`` (text to terms), ``index`` (built once),
``analysis`` (a question read once), ``scoring`` (one fact against a question) and this module
(the decision and the records adapters use).

How a question is scored against a fact (all weights come from the fact base itself):

* **terms**: English words (stop words dropped, plurals folded, typos corrected against the fact
  base's vocabulary), Chinese character bigrams (Chinese has no spaces), numbers as values
  (``133 billion`` and ``1330亿`` are the same token), years, and lexicon groups (synonyms from
  ``knowledge/lexicon.yaml``, so 营业额 and turnover are the same token in both languages).
* **weights**: inverse document frequency over facts, so words that many facts share (or that no
  fact knows, like chatty filler) count for little, and rare, telling words count for a lot.
* **question coverage**: how much of the question's weight the fact covers (its phrasings in both
  languages, keywords and answer together, so Chinese and English reinforce each other).
* **phrasing coverage**: how much of the fact's best stored phrasing the question covers.
* **contradictions**: a year, figure, place, company or measure (``employees``, ``profit``) that
  the question names and the fact does not. Each one multiplies the confidence down: this is what
  turns "turnover in 2022" or "how many employees does Hisense have" into an honest decline.

The confidence (0..1) alone decides the outcome: answer, clarify between close candidates, or
decline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.analysis import analyse, context_terms, question_segments, with_context
from bot.index import Index, build_index
from bot.knowledge import Fact
from bot.normalise import MAX_QUESTION_CHARS, detect_language, stem, to_simplified
from bot.scoring import Candidate, candidate_positions, score_fact

__all__ = [
    "MAX_QUESTION_CHARS",
    "Candidate",
    "Index",
    "Match",
    "build_index",
    "context_terms",
    "detect_language",
    "match_fact",
    "match_question",
    "stem",
    "to_simplified",
]

Outcome = Literal["answer", "clarify", "decline"]

#: Confidence at or above which the best fact is given as the answer.
ANSWER_THRESHOLD = 0.55
#: A question must share topic words worth this share of one fact-specific word (max IDF).
EVIDENCE_FLOOR = 0.35
#: Candidates at least this confident are offered as suggestions with a decline.
SUGGESTION_THRESHOLD = 0.15
#: Confidence at or above which candidates are offered as "Did you mean".
CLARIFY_THRESHOLD = 0.38
#: An answer needs this lead over a runner-up from another fact; closer calls become clarify.
ANSWER_MARGIN = 0.04


@dataclass(frozen=True)
class Match:
    """What the engine makes of one question."""

    question: str
    outcome: Outcome
    language: str
    confidence: float
    fact: Fact | None = None
    phrasing: str | None = None
    candidates: tuple[Candidate, ...] = ()
    smalltalk: str | None = None
    contradictions: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.outcome == "answer"

    @property
    def runner_up(self) -> Candidate | None:
        """The best candidate that is not the answer."""
        return next(
            (c for c in self.candidates if self.fact is None or c.fact.id != self.fact.id), None
        )


def match_question(
    question: str,
    index: Index,
    language_hint: str | None = None,
    context: tuple[str, ...] = (),
) -> Match:
    """Decide how to answer ``question``: answer, clarify or decline, with a confidence.

    Args:
        question: what the user wrote, in any language, possibly with @mentions or a /command.
        index: built by ``build_index`` when the fact base loaded.
        language_hint: the user's language (``en``/``zh``), used when the question has no words.
        context: for a follow-up, the previous answer's ``context_terms``: they count less than
            the message's own words, and its entity, place, measure and year carry over unless
            the message names its own.
    """
    question = question[:MAX_QUESTION_CHARS]
    analysis = analyse(question, index, language_hint)
    language = analysis.language
    smalltalk = index.normaliser.smalltalk(analysis.text)
    if smalltalk:
        return Match(question, "decline", language, 0.0, smalltalk=smalltalk)
    if context:
        analysis = with_context(analysis, context, index)
    elif all(index.group_kind.get(t) == "question" for t in analysis.terms):
        # Only "who/when/how many" and no topic ("who are you?"): nothing to look up.
        return Match(question, "decline", language, 0.0)

    segments = question_segments(question, index, analysis.terms)
    positions: list[int] = []
    for terms in segments + [analysis.terms + context]:
        positions.extend(p for p in candidate_positions(terms, index) if p not in positions)
    candidates = sorted(
        (score_fact(analysis, segments, p, index) for p in positions),
        key=lambda c: c.confidence,
        reverse=True,
    )[:3]
    if not candidates:
        return Match(question, "decline", language, 0.0)
    best = candidates[0]
    if best.evidence < EVIDENCE_FLOOR * index.max_idf:
        # Only common words in common ("the best smart home device to buy"): not a question
        # about anything the fact base states, however well the words line up.
        return _decline(question, language, candidates)
    runner_up = candidates[1].confidence if len(candidates) > 1 else 0.0
    # A close runner-up that the curators marked as related to the best fact is not a reason
    # to ask back: the answer shows it as a button (and a note tells confusable facts apart).
    related = len(candidates) > 1 and (
        candidates[1].fact.id in best.fact.related or best.fact.id in candidates[1].fact.related
    )
    if best.confidence >= ANSWER_THRESHOLD and (
        best.confidence - runner_up >= ANSWER_MARGIN or related
    ):
        return Match(
            question,
            "answer",
            language,
            best.confidence,
            fact=best.fact,
            phrasing=best.phrasing,
            candidates=tuple(candidates),
            contradictions=best.contradictions,
        )
    close = tuple(c for c in candidates if c.confidence >= CLARIFY_THRESHOLD)
    if best.confidence >= ANSWER_THRESHOLD or len(close) >= 2:
        return Match(question, "clarify", language, best.confidence, candidates=close)
    return _decline(question, language, candidates)


def _decline(question: str, language: str, candidates: list[Candidate]) -> Match:
    """No answer; the plausible candidates stay as suggestions, with why the best one failed."""
    best = candidates[0]
    return Match(
        question,
        "decline",
        language,
        best.confidence,
        candidates=tuple(c for c in candidates if c.confidence >= SUGGESTION_THRESHOLD),
        contradictions=best.contradictions,
    )


def match_fact(fact: Fact, language: str) -> Match:
    """A ``Match`` for a fact chosen directly (shortcut command, button, deep link)."""
    question = fact.first_question(language)
    return Match(
        question,
        "answer",
        language,
        1.0,
        fact=fact,
        phrasing=question,
        candidates=(Candidate(fact, 1.0, question),),
    )
