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

from dataclasses import dataclass, replace
from typing import Literal

from bot.analysis import (
    Analysis,
    Reader,
    asking_clauses,
    context_terms,
    question_segments,
    with_context,
)
from bot.bare import bare_facts
from bot.decision import FEATURES, HEURISTIC, DecisionModel
from bot.index import Index, build_index
from bot.knowledge import Fact
from bot.normalise import MAX_QUESTION_CHARS, detect_language, stem, to_simplified
from bot.scoring import Candidate, Prepared, Scored, candidate_positions, score_fact

__all__ = [
    "MAX_QUESTION_CHARS",
    "Candidate",
    "Index",
    "Match",
    "Reader",
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
    #: Parts of a compound message the fact base holds no answer to ("..., and what is its
    #: share price today?"): the answer says so.
    unanswered: tuple[str, ...] = ()

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
    reader: Reader | None = None,
) -> Match:
    """Decide how to answer ``question``: answer, clarify or decline, with a confidence.

    A message asking two things ("Who founded Midea? Also, what is its share price today?")
    is also matched clause by clause: when one part is answerable and another is not, the
    answer is given and the parts the fact base does not hold are named (``unanswered``).
    See ``match_message`` for the arguments; ``reader`` may be shared by several matches of
    the same message (a follow-up is matched alone and with the conversation's context).
    """
    if reader is None or reader.index is not index:
        reader = Reader(index)  # the message's sentences and clauses are each read once
    match = match_message(question, index, language_hint, context, reader)
    if context or match.smalltalk:
        return match
    clauses = asking_clauses(question[:MAX_QUESTION_CHARS], index.normaliser.read)
    if len(clauses) < 2:
        return match
    # Only whether a part is answered matters, and its match when it is: a part whose topic
    # words cannot reach the evidence floor together is not ranked (None: not answered).
    parts: list[Match | None] = []
    for clause in clauses:
        part = (
            match_message(clause, index, language_hint, reader=reader)
            if may_be_answered(clause, index, reader)
            else None
        )
        earlier = next((p for p in reversed(parts) if p is not None and p.answered), None)
        if (
            earlier is not None
            and earlier.fact is not None
            and _without_subject(reader.analysis(clause, language_hint), index)
        ):
            # "When was Viomi founded? Where is it listed?": a part with no company or body of
            # its own is about the one an earlier part was answered on, as a follow-up is.
            followed = match_message(
                clause,
                index,
                language_hint,
                context_terms(earlier.fact, index, earlier.question, reader=reader),
                reader,
            )
            if followed.answered:
                part = followed
        parts.append(part)
    answered = [p for p in parts if p is not None and p.outcome == "answer"]
    if not answered:
        return match
    if len(answered) == len(parts):
        if match.outcome == "answer":
            return match
        # Every part is held, each by its own fact, and the whole matches none well: the most
        # confident part is answered (nothing is said to be missing).
        best = max(answered, key=lambda p: p.confidence)
        return replace(best, question=question[:MAX_QUESTION_CHARS])
    unanswered = tuple(
        c for c, p in zip(clauses, parts, strict=True) if p is None or p.outcome != "answer"
    )
    if match.outcome == "answer":
        if any(p.fact == match.fact for p in answered):
            return replace(match, unanswered=unanswered)
        return match
    best = max(answered, key=lambda p: p.confidence)
    return replace(best, question=question[:MAX_QUESTION_CHARS], unanswered=unanswered)


def _without_subject(analysis: Analysis, index: Index) -> bool:
    """Whether a text names no entity (company, body, place) of its own, besides the home ones."""
    return not (analysis.entities - index.home_names)


def may_be_answered(text: str, index: Index, reader: Reader | None = None) -> bool:
    """Whether ``match_message`` could answer ``text`` at all: an answer needs topic words in
    common with the fact worth ``EVIDENCE_FLOOR`` (see ``Candidate.evidence``), so a text whose
    topic words all together fall short is declined whatever the fact (the reading is shared
    with ``reader``)."""
    if reader is None or reader.index is not index:
        reader = Reader(index)
    postings, idf, kind_of, home = index.postings, index.idf, index.group_kind, index.home_groups
    evidence = 0.0
    for term in reader.terms(reader.clean(text[:MAX_QUESTION_CHARS])):
        if term in postings and kind_of.get(term) != "question" and term not in home:
            evidence += idf[term]
    # A hair of slack: a fact's evidence is the same weights summed in another order.
    return evidence >= EVIDENCE_FLOOR * index.max_idf * (1 - 1e-9)


def match_message(
    question: str,
    index: Index,
    language_hint: str | None = None,
    context: tuple[str, ...] = (),
    reader: Reader | None = None,
) -> Match:
    """Decide how to answer one message as a whole: answer, clarify or decline.

    Args:
        question: what the user wrote, in any language, possibly with @mentions or a /command.
        index: built by ``build_index`` when the fact base loaded.
        language_hint: the user's language (``en``/``zh``), used when the question has no words.
        context: for a follow-up, the previous answer's ``context_terms``: they count less than
            the message's own words, and its entity, place, measure and year carry over unless
            the message names its own.
        reader: what other parts of the same message read (``match_question`` shares one).
    """
    question = question[:MAX_QUESTION_CHARS]
    if reader is None or reader.index is not index:
        reader = Reader(index)
    analysis = reader.analysis(question, language_hint)
    language = analysis.language
    smalltalk = index.normaliser.smalltalk(analysis.text)
    if smalltalk:
        return Match(question, "decline", language, 0.0, smalltalk=smalltalk)
    if analysis.text in index.normaliser.conversation_phrases and not context:
        # "source?" or "tell me more" with no conversation to refer to: nothing to look up.
        return Match(question, "decline", language, 0.0)
    if context:
        analysis = with_context(analysis, context, index)
    elif all(index.group_kind.get(t) == "question" for t in analysis.terms):
        # Only "who/when/how many" and no topic ("who are you?"): nothing to look up.
        return Match(question, "decline", language, 0.0)

    # Follow-ups keep the hand-set decision: the fit has seen single questions only, and a
    # follow-up's features are shifted by the context it inherits.
    decision = HEURISTIC if analysis.context else index.decision
    candidates = rank_candidates(analysis, question, index, decision, reader, limit=3)
    if not candidates:
        return Match(question, "decline", language, 0.0)
    fitting = None if analysis.context else bare_facts(analysis, index)
    if fitting and len(fitting) == 1:
        named = _named_fact(analysis, question, index, decision, reader, candidates, fitting[0])
        if named is not None:
            others = [c for c in candidates if c.fact is not named.fact]
            return _answer(question, language, named, [named, *others])
    elif fitting:
        # Several facts fit a bare name or figure ("Hisense", "2,370?"): asked back with them.
        facts = {id(index.facts[p]) for p in fitting}
        options = tuple(c for c in candidates if id(c.fact) in facts)
        if len(options) >= 2:
            return Match(question, "clarify", language, options[0].confidence, candidates=options)
    best = candidates[0]
    if best.evidence < EVIDENCE_FLOOR * index.max_idf:
        # Only common words in common ("the best smart home device to buy"): not a question
        # about anything the fact base states, however well the words line up.
        return _decline(question, language, candidates, index, decision)
    if decision.fitted:
        underspecified = _underspecified(analysis, candidates, index)
        if best.confidence >= decision.answer_threshold and not underspecified:
            return _answer(question, language, best, candidates)
        floor = decision.suggestion_threshold if underspecified else decision.clarify_threshold
        close = tuple(c for c in candidates if c.confidence >= floor)
        if close:
            return Match(question, "clarify", language, best.confidence, candidates=close)
        return _decline(question, language, candidates, index, decision)
    runner_up = candidates[1].confidence if len(candidates) > 1 else 0.0
    # A close runner-up that the curators marked as related to the best fact is not a reason
    # to ask back: the answer shows it as a button (and a note tells confusable facts apart).
    related = len(candidates) > 1 and (
        candidates[1].fact.id in best.fact.related or best.fact.id in candidates[1].fact.related
    )
    if best.confidence >= ANSWER_THRESHOLD and (
        best.confidence - runner_up >= ANSWER_MARGIN or related
    ):
        return _answer(question, language, best, candidates)
    close = tuple(c for c in candidates if c.confidence >= CLARIFY_THRESHOLD)
    if best.confidence >= ANSWER_THRESHOLD or len(close) >= 2:
        return Match(question, "clarify", language, best.confidence, candidates=close)
    return _decline(question, language, candidates, index, decision)


def _named_fact(
    analysis: Analysis,
    question: str,
    index: Index,
    decision: DecisionModel,
    reader: Reader,
    candidates: list[Candidate],
    target: int,
) -> Candidate | None:
    """For a message that only names an entity or a figure ("Midea?", "002959"), the one fact
    it stands for (``bare_facts``), as a candidate answered at no less than the answer
    threshold: the facts' attributes, not the words, say which fact it is."""
    fact = index.facts[target]
    found = next((c for c in candidates if c.fact is fact), None)
    if found is None:
        everyone = rank_candidates(analysis, question, index, decision, reader)
        found = next((c for c in everyone if c.fact is fact), None)
    if found is None:
        return None
    return replace(found, confidence=max(found.confidence, decision.answer_threshold))


def _underspecified(analysis: Analysis, candidates: list[Candidate], index: Index) -> bool:
    """The question names no entity ("when was it founded?") and a close runner-up is about
    another one: which entity is meant is for the user to say, so ask back."""
    if analysis.entities - index.home_names or len(candidates) < 2:
        return False
    best, runner_up = candidates[0], candidates[1]
    return (
        runner_up.confidence >= index.decision.clarify_threshold
        and best.fact.attributes.entity[:1] != runner_up.fact.attributes.entity[:1]
        and runner_up.fact.id not in best.fact.related
    )


def rank_candidates(
    analysis: Analysis,
    question: str,
    index: Index,
    decision: DecisionModel | None = None,
    reader: Reader | None = None,
    limit: int | None = None,
) -> list[Candidate]:
    """Every candidate fact for a question with its features and confidence, most likely first
    (the first ``limit`` of them when given).

    The confidence is the decision's probability that the candidate is the right fact; the
    features comparing candidates (margin to the best other one, salient words the fact lacks
    and another covers) are filled in here.
    """
    segments = question_segments(question, index, analysis.terms, reader, analysis.excluded)
    positions: list[int] = []
    # A follow-up's candidates also come from the conversation's terms.
    gathering = segments + [analysis.terms + analysis.context] if analysis.context else segments
    for terms in gathering:
        positions.extend(p for p in candidate_positions(terms, index) if p not in positions)
    prepared = Prepared(analysis, segments, index)
    covered = prepared.covered(positions)
    scored = [
        c
        for c in (
            score_fact(analysis, segments, p, index, prepared, covered[p]) for p in positions
        )
        if c.features
    ]
    context_measures = _context_measures(scored, prepared, positions, covered, index)
    scored.sort(key=lambda c: c.heuristic, reverse=True)
    # The question's salient terms and their weights are the same for every candidate (summed
    # in the question's order: sets change order from process to process, and so would the
    # last bits of the sums).
    salient, salient_total = prepared.salient, prepared.salient_total
    probability = (decision or index.decision).probability
    ranked = []
    for number, candidate in enumerate(scored):
        other = scored[1] if number == 0 and len(scored) > 1 else scored[0]
        if other is candidate:
            other = None
        features = list(candidate.features)
        lacking = frozenset()
        if other is not None:
            lacking = candidate.salient_missing & other.salient_covered
            if lacking:
                features[_MISSING_OTHER] = (
                    sum([w for t, w in salient.items() if t in lacking]) / salient_total
                )
            features[_MARGIN] = candidate.heuristic - other.heuristic
        else:
            features[_MARGIN] = candidate.heuristic
        if candidate.fact.id in context_measures and not lacking:
            # The measure word is one the fact uses, and nothing else the question says points
            # to another fact: context, not a measure the fact fails to state.
            features[_MEASURE_OTHER] = 0.0
        confidence = round(probability(tuple(features)), 4)
        ranked.append((confidence, candidate.heuristic, candidate, features))
    ranked.sort(key=lambda r: (r[0], r[1]), reverse=True)  # capped: keep order
    return [
        Candidate(  # only those returned: making a record costs about as much as ranking it
            fact=candidate.fact,
            confidence=confidence,
            phrasing=candidate.phrasing,
            contradictions=candidate.contradictions,
            evidence=candidate.evidence,
            heuristic=candidate.heuristic,
            features=tuple(features),
            salient_covered=candidate.salient_covered,
            salient_missing=candidate.salient_missing,
            clause=candidate.clause,
        )
        for confidence, _heuristic, candidate, features in ranked[:limit]
    ]


_MISSING_OTHER = FEATURES.index("missing_covered_by_other")
_MEASURE_OTHER = FEATURES.index("measure_other")


def _context_measures(
    scored: list[Scored],
    prepared: Prepared,
    positions: list[int],
    covered: dict[int, set[str]],
    index: Index,
) -> frozenset[str]:
    """The candidates (fact ids) whose ``measure_other`` conflict may be only a word of
    context: the fact's own words (phrasings, keywords, answer) use a word by which the question
    names a measure ("the smart home *industry*", "supposed to have *achieved*"). The ranking
    lifts the conflict when, besides, the runner-up covers none of the salient words the fact
    lacks ("*industrial* output" points to another fact than the zone's GDP)."""
    words = prepared.measure_words
    if not words or not any(c.features[_MEASURE_OTHER] for c in scored):
        return frozenset()
    return frozenset(
        index.facts[p].id for p in positions if any(t in covered[p] for t, _name in words)
    )


_MARGIN = FEATURES.index("margin")


def _answer(question: str, language: str, best: Candidate, candidates: list[Candidate]) -> Match:
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


def _decline(
    question: str,
    language: str,
    candidates: list[Candidate],
    index: Index,
    decision: DecisionModel,
) -> Match:
    """No answer; the plausible candidates stay as suggestions, with why the best one failed.

    Never a bare decline when something is close: below the suggestion threshold, the
    candidates that share topic words with the question are offered.
    """
    best = candidates[0]
    threshold = decision.suggestion_threshold if decision.fitted else SUGGESTION_THRESHOLD
    offered = tuple(c for c in candidates if c.confidence >= threshold)
    if not offered:
        # Nothing clears the threshold (a conflict caps them all alike): the candidates that
        # share topic words with the question, in their order.
        offered = tuple(c for c in candidates if c.evidence >= EVIDENCE_FLOOR * index.max_idf)
    return Match(
        question,
        "decline",
        language,
        best.confidence,
        candidates=offered,
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
