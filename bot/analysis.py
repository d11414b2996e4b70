"""A question read once: its terms (typos corrected), language, and the clauses that ask.

Pure and I/O-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.index import Index, _deletions
from bot.knowledge import Fact
from bot.normalise import _GROUP_MARK, _NUMBER_MARK, APPROXIMATE_MARKERS, detect_language

_SENTENCE_SPLIT = re.compile(r"[.!?;:。！？；：\n]+")
_QUESTION_WORDS = re.compile(
    r"\b(?:what|how|when|who|which|where|why|is|are|does|do|did|was|were|can|list|name)\b|"
    r"吗|什么|多少|几|哪|谁|怎么|如何|是否|为什么"
)


@dataclass(frozen=True)
class Analysis:
    """A question after normalisation: its weighted terms and what they say."""

    text: str
    language: str
    terms: tuple[str, ...]
    approximate: bool
    #: Terms carried over from the previous answer (a follow-up's context), weighted lower.
    context: tuple[str, ...] = ()
    #: Slots of the previous answer the message does not fill itself (its entity, place, measure
    #: or year), each as the context terms of that kind: a fact covering none of a slot's terms
    #: is a miss, as if the message had named it.
    inherited: tuple[tuple[str, ...], ...] = ()


def _correct_typo(word: str, index: Index) -> str:
    """The fact base's word closest to an unknown word, or the word itself.

    One slip (a wrong, swapped, missing or extra letter) is fixed; candidates come from a
    deletion index (symmetric delete) and are confirmed with rapidfuzz's OSA distance. Below six
    letters only swapped letters count ("mnay"), since short words one letter apart are usually
    different words ("write" is not a typo of "wrote" or "writer").
    """
    if len(word) < 4 or word in index.vocabulary or not word.isalpha():
        return word
    candidates = set(index.deletions.get(word, ()))
    for deleted in _deletions(word):
        if deleted in index.vocabulary:
            candidates.add(deleted)
        candidates.update(index.deletions.get(deleted, ()))
    best = [
        c
        for c in candidates
        if OSA.distance(word, c, score_cutoff=1) <= 1
        and (len(word) >= 6 or (len(c) == len(word) and sorted(c) == sorted(word)))
    ]
    if best:
        return max(best, key=lambda c: (index.word_counts.get(c, 0), c))
    if len(word) >= 7:
        found = process.extractOne(
            word,
            index.vocabulary_by_initial.get(word[0], []),
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=85,
        )
        if found:
            return found[0]
    return word


def analyse(question: str, index: Index, language_hint: str | None = None) -> Analysis:
    """Normalise a question into weighted terms (with typos corrected)."""
    cleaned = index.normaliser.clean(question)
    terms = index.normaliser.terms(cleaned, correct=lambda word: _correct_typo(word, index))
    return Analysis(
        text=cleaned,
        language=detect_language(question, language_hint),
        terms=tuple(dict.fromkeys(terms)),
        approximate=bool(APPROXIMATE_MARKERS.search(cleaned)),
    )


def question_segments(
    question: str, index: Index, terms: tuple[str, ...]
) -> list[tuple[str, ...]]:
    """The whole question, plus each sentence that asks something (for long, chatty messages)."""
    segments = [terms]
    parts = [p for p in _SENTENCE_SPLIT.split(question) if p.strip()]
    if len(parts) > 1:
        for part in parts:
            if _QUESTION_WORDS.search(part.casefold()):
                part_terms = analyse(part, index).terms
                if part_terms and part_terms != terms:
                    segments.append(part_terms)
    return segments


def context_terms(fact: Fact, index: Index) -> tuple[str, ...]:
    """What a fact is about, as matcher terms: its lexicon concepts (entity, place, measure,
    topic words), years and keywords, from its phrasings in both languages.

    A follow-up ("and in 2019?", "when was it founded?") is matched with these added, weighted
    below the message's own words.
    """
    normaliser = index.normaliser
    found: dict[str, None] = {}
    for text in fact.questions + fact.keywords:
        for term in normaliser.terms(normaliser.clean(text)):
            if term[0] == _GROUP_MARK:
                if index.group_kind.get(term) != "question" and term not in index.home_groups:
                    found[term] = None
            elif term.startswith(_NUMBER_MARK + "y") or (
                text in fact.keywords and term in index.postings
            ):
                found[term] = None
    return tuple(found)


def with_context(analysis: Analysis, context: tuple[str, ...], index: Index) -> Analysis:
    """The analysis with a previous answer's terms; its entity, place, measure and year carry
    over as requirements unless the message names one of the same kind ("what about 2019?"
    replaces the year and keeps the measure). A message naming a new subject (an entity or a
    place: "what about Kelon?") keeps only the measure: the old subject's place and year were
    its own."""

    def kind_of(term: str) -> str | None:
        if term.startswith(_NUMBER_MARK + "y"):
            return "year"
        kind = index.group_kind.get(term)
        if term in index.home_groups:
            return None
        return kind if kind in ("entity", "place", "measure") else None

    named = {kind_of(t) for t in analysis.terms}
    if named & {"entity", "place"}:
        named |= {"entity", "place", "year"}
    slots: dict[str, list[str]] = {}
    for term in context:
        kind = kind_of(term)
        if kind and kind not in named:
            slots.setdefault(kind, []).append(term)
    inherited = tuple(tuple(terms) for terms in slots.values())
    return replace(analysis, context=context, inherited=inherited)
