"""The index: every phrasing, keyword and answer normalised once, and the lookup structures.

Pure and I/O-free; built once when the fact base loads.
"""

from __future__ import annotations

import gc
import math
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.decision import HEURISTIC, DecisionModel
from bot.knowledge import Fact, KnowledgeBase
from bot.normalise import (
    _BATCH,
    _LATIN_WORD,
    _NUMBER_MARK,
    _SEPARATOR,
    ENGLISH_STOP_WORDS,
    Normaliser,
    _clean,
    _clean_many,
)

_HAS_FIGURE, _HAS_DATE, _HAS_PERCENT = 1, 2, 4


@dataclass
class Index:
    """Everything ``match_question`` needs, built once per fact base.

    Kept compact on purpose (flat arrays of term ids, interned strings): at 100,000 facts every
    byte per fact is paid 100,000 times. Which terms a fact covers lives in the postings.
    Phrasing ``k`` has the term ids ``phrasing_terms[phrasing_start[k]:phrasing_start[k + 1]]``;
    fact ``f`` owns phrasings ``fact_phrasings[f]`` up to ``fact_phrasings[f + 1]``.
    """

    knowledge: KnowledgeBase
    normaliser: Normaliser
    facts: tuple[Fact, ...]
    term_ids: dict[str, int]
    terms_by_id: list[str]
    idf_by_id: array
    phrasing_terms: array
    phrasing_start: array
    phrasing_weight: array
    fact_phrasings: array
    number_values: array
    fact_numbers: array
    fact_flags: array
    idf: dict[str, float]
    postings: dict[str, array]
    vocabulary: frozenset[str]
    vocabulary_by_initial: dict[str, list[str]]
    deletions: dict[str, list[str]]
    word_counts: dict[str, int]
    max_idf: float
    group_kind: dict[str, str] = field(default_factory=dict)
    group_wants: dict[str, str] = field(default_factory=dict)
    home_groups: frozenset[str] = frozenset()
    #: Group token -> the attribute value it names; value -> its slot (``entity``, ``measure``).
    group_name: dict[str, str] = field(default_factory=dict)
    slot_of: dict[str, str] = field(default_factory=dict)
    #: Attribute values of the home places (never evidence of another entity).
    home_names: frozenset[str] = frozenset()
    decision: DecisionModel = HEURISTIC

    def numbers_of(self, position: int) -> array:
        """The figures (not years) the fact at ``position`` states."""
        return self.number_values[self.fact_numbers[position] : self.fact_numbers[position + 1]]

    def covers(self, term: str, position: int) -> bool:
        """Whether the fact at ``position`` mentions ``term`` (binary search in its posting)."""
        posting = self.postings.get(term)
        if posting is None:
            return False
        found = bisect_left(posting, position)
        return found < len(posting) and posting[found] == position


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def build_index(knowledge: KnowledgeBase, decision: DecisionModel = HEURISTIC) -> Index:
    """Normalise every phrasing, keyword and answer once and build the lookup structures.

    ``decision`` holds the fitted decision parameters (the engine loads them); without them the
    hand-set heuristic decides.
    """
    # Building allocates millions of small objects and no reference cycles; the cyclic garbage
    # collector would rescan them again and again (about a third of the build time at 100k).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_index(knowledge, decision)
    finally:
        if collecting:
            gc.enable()


def _frozen(postings: defaultdict[str, array]) -> dict[str, array]:
    """The postings without their default (a lookup must never add an entry), not copied."""
    postings.default_factory = None
    return postings


def _build_index(knowledge: KnowledgeBase, decision: DecisionModel) -> Index:
    normaliser = Normaliser(knowledge.lexicon)
    postings: defaultdict[str, array] = defaultdict(lambda: array("i"))
    term_ids: dict[str, int] = {}
    phrasing_terms, phrasing_start, fact_phrasings = array("i"), array("i", [0]), array("i", [0])
    number_values, fact_numbers = array("d"), array("i", [0])
    fact_flags = array("B")
    raw_words: set[str] = set(ENGLISH_STOP_WORDS)
    word_counts: Counter[str] = Counter(
        {word: len(knowledge.facts) + 1 for word in ENGLISH_STOP_WORDS}
    )
    for group in knowledge.lexicon.groups:
        for word in group.words:
            raw_words.update(_LATIN_WORD.findall(_clean(word)))
    facts = knowledge.facts
    for start in range(0, len(facts), _BATCH):
        batch = facts[start : start + _BATCH]
        # Every text of a batch of facts is normalised in one pass over one long string
        # (texts kept apart by a separator no pattern crosses): per-call overhead, not
        # per-character work, dominated building the index one text at a time.
        texts = [text for fact in batch for text in fact.questions]
        # Keywords and answers say what a fact covers; only the questions are phrasings.
        texts += [
            " ; ".join((*fact.keywords, fact.answer.en, fact.answer.zh, fact.as_of))
            for fact in batch
        ]
        cleaned = _clean_many(texts)
        all_terms = normaliser.terms_many(cleaned)
        questions_count = sum(len(fact.questions) for fact in batch)
        word_counts.update(_LATIN_WORD.findall(_SEPARATOR.join(cleaned[:questions_count])))
        raw_words.update(_LATIN_WORD.findall(_SEPARATOR.join(cleaned[questions_count:])))
        next_question = 0
        for offset, fact in enumerate(batch):
            position = start + offset
            document: set[str] = set()
            for terms_list in all_terms[next_question : next_question + len(fact.questions)]:
                terms = dict.fromkeys(terms_list)
                phrasing_terms.extend([term_ids.setdefault(t, len(term_ids)) for t in terms])
                phrasing_start.append(len(phrasing_terms))
                document.update(terms)
            next_question += len(fact.questions)
            fact_phrasings.append(len(phrasing_start) - 1)
            document.update(all_terms[questions_count + offset])
            flags = 0
            for term in document:
                postings[term].append(position)
                if term[0] == _NUMBER_MARK:
                    kind = term[1]
                    flags |= (
                        _HAS_DATE
                        if kind == "y"
                        else _HAS_FIGURE | (_HAS_PERCENT if kind == "p" else 0)
                    )
                    if kind == "n":
                        number_values.append(float(term[2:]))
            fact_numbers.append(len(number_values))
            fact_flags.append(flags)
    total = max(len(knowledge.facts), 1)
    idf = {term: math.log(1 + total / len(posting)) for term, posting in postings.items()}
    max_idf = math.log(1 + total)
    for group in normaliser.group_kind:
        idf.setdefault(group, max_idf)
    terms_by_id = [""] * len(term_ids)
    for term, term_id in term_ids.items():
        terms_by_id[term_id] = term
    idf_by_id = array("d", (idf[t] for t in terms_by_id))
    phrasing_weight = array(
        "f",
        (
            sum(idf_by_id[i] for i in phrasing_terms[phrasing_start[k] : phrasing_start[k + 1]])
            for k in range(len(phrasing_start) - 1)
        ),
    )
    raw_words.update(word_counts)
    by_initial: dict[str, list[str]] = defaultdict(list)
    deletions: dict[str, list[str]] = defaultdict(list)
    for word in sorted(raw_words):
        by_initial[word[0]].append(word)
        if len(word) >= 4:
            for deleted in _deletions(word):
                if len(deletions[deleted]) < 8:
                    deletions[deleted].append(word)
    return Index(
        knowledge=knowledge,
        normaliser=normaliser,
        facts=knowledge.facts,
        term_ids=term_ids,
        terms_by_id=terms_by_id,
        idf_by_id=idf_by_id,
        phrasing_terms=phrasing_terms,
        phrasing_start=phrasing_start,
        phrasing_weight=phrasing_weight,
        fact_phrasings=fact_phrasings,
        number_values=number_values,
        fact_numbers=fact_numbers,
        fact_flags=fact_flags,
        idf=idf,
        postings=_frozen(postings),
        vocabulary=frozenset(raw_words),
        vocabulary_by_initial=dict(by_initial),
        deletions=dict(deletions),
        word_counts=dict(word_counts),
        max_idf=max_idf,
        group_kind=normaliser.group_kind,
        group_wants=normaliser.group_wants,
        home_groups=normaliser.home_groups,
        group_name=normaliser.group_name,
        slot_of={
            value: slot
            for slot, values in knowledge.lexicon.vocabulary.items()
            for value in values
        },
        home_names=frozenset(
            normaliser.group_name[t] for t in normaliser.home_groups if t in normaliser.group_name
        ),
        decision=decision,
    )
