"""Score one fact against an analysed question: coverage, similarity and contradictions.

Pure and I/O-free. All weights come from the fact base itself (IDF over facts).
"""

from __future__ import annotations

import heapq
import math
import weakref
from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz

from bot.analysis import Analysis
from bot.decision import STORED_SIMILARITY
from bot.index import _HAS_DATE, _HAS_FIGURE, _HAS_PERCENT, Index
from bot.knowledge import Attributes, Fact
from bot.normalise import _GROUP_MARK, _NUMBER_MARK

_YEAR = _NUMBER_MARK + "y"

#: Phrasing coverage a fact gets at least when the question names a company it covers, or a
#: figure it states ("133 billion?", "26.43%?": no stored phrasing asks with the answer).
NAMED_ENTITY_FLOOR = 0.5
#: Figures (``_NUMBER_MARK`` then n: number, p: percentage), not years or ordinals: years are
#: shared by many facts and name what is asked about, not the answer ("the 2022 World Cup").
_FIGURE_KINDS = ("n", "p")
#: A figure names a fact only when it is specific: three significant digits ("479", "26.43%",
#: "133 billion") or at least a thousand ("2,600"). Small round numbers ("4", "10", "23")
#: are everyday ones ("I am 23", "is it 10 km wide?"), whichever fact happens to state them.
_SPECIFIC_DIGITS = 3
_SPECIFIC_VALUE = 1000.0
#: A question must share topic words worth this share of one fact-specific word (max IDF).
#: Weight of a word the fact base does not know (mostly chatty filler).
UNKNOWN_WORD_WEIGHT = 0.3
UNKNOWN_BIGRAM_WEIGHT = 0.12
#: How much one contradiction (another year, place, company, measure) keeps of the confidence.
CONTRADICTION_FACTOR = 0.4
NUMBER_MISMATCH_FACTOR = 0.5
#: A question asking "how many" of a fact that states no figure (or "when" and no date).
WANTS_MISMATCH_FACTOR = 0.5
#: Posting lists up to this many times as long as the candidates are walked (in C) to find the
#: candidates they hold; longer ones are searched by bisection, one candidate at a time.
_SHORT_POSTING = 16
#: Posting lists longer than this are too common to select candidates with.
MAX_POSTING_FOR_CANDIDATES = 1000
#: Stop gathering candidates after this many postings once rarer terms have found some.
MAX_POSTINGS_VISITED = 3000
CANDIDATES_TO_SCORE = 15
#: How much a word carried over from the previous answer (a follow-up's context) counts next to
#: one the message itself says.
CONTEXT_WEIGHT = 0.4
#: What a follow-up's candidate keeps when it covers none of the message's own topic words
#: (after the turnover, "what about the whole zone?" is not asking for the turnover again).
FOLLOWUP_MISS_FACTOR = 0.5
#: An English word the fact base does not know counts as a follow-up's own topic word from this
#: length on ("mayor", "weather"; shorter ones are mostly filler: "ones", "like").
UNKNOWN_WORD_LETTERS = 5
#: Phrasing coverage a follow-up's candidate gets at least when it covers all the message's own
#: topic words.
FOLLOWUP_FLOOR = 0.5


@dataclass(frozen=True)
class Candidate:
    """A fact the matcher considered, with its confidence and the phrasing it matched best."""

    fact: Fact
    confidence: float
    phrasing: str
    contradictions: tuple[str, ...] = ()
    #: Weight of the question's topic words the fact covers (question words and home places
    #: excluded); a question needs some evidence beyond "smart home" to be answered at all.
    evidence: float = 0.0
    #: The hand-made score (coverage, similarity, contradictions) before the decision.
    heuristic: float = 0.0
    #: The decision's inputs, in the order of ``bot.decision.FEATURES``.
    features: tuple[float, ...] = field(default=(), repr=False, compare=False)
    #: Salient question terms the fact covers and lacks (for the runner-up comparison).
    salient_covered: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    salient_missing: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    #: Whether the best match was one clause of a longer message, not the whole of it.
    clause: bool = False


class Scored(NamedTuple):
    """One fact scored against a question, before the decision (a ``Candidate`` then carries
    its confidence): made for every candidate, so a light record."""

    fact: Fact
    phrasing: str
    contradictions: tuple[str, ...]
    evidence: float
    heuristic: float
    #: The decision's inputs, in the order of ``bot.decision.FEATURES`` (empty when no
    #: phrasing of the fact matches: it is then no candidate).
    features: tuple[float, ...]
    salient_covered: frozenset[str]
    salient_missing: frozenset[str]
    clause: bool


def _weight(term: str, index: Index) -> float:
    weight = index.idf.get(term)
    if weight is not None:
        return weight
    if term[0] == _NUMBER_MARK:
        return index.max_idf
    if "a" <= term[0] <= "z":
        return UNKNOWN_WORD_WEIGHT
    return UNKNOWN_BIGRAM_WEIGHT


#: Ordinal -> the words by which a fact states it ("first batch", 第一批, 首批): a question's
#: "1st" or 第1 names which one, and a fact stating it in words states it. (English ordinals
#: from "second" on are read as the same figure as "2nd" already.)
_ORDINAL_WORDS = {
    "1": ("first", "第一", "首批", "首届", "首次", "首个"),
    **{str(n): (f"第{c}",) for n, c in enumerate("二三四五六七八九十", start=2)},
}


def _states_ordinal(term: str, position: int, index: Index) -> bool:
    """Whether the fact states an ordinal (``_NUMBER_MARK`` o n) in words."""
    return any(index.covers(word, position) for word in _ORDINAL_WORDS.get(term[2:], ()))


def _states_any_ordinal(position: int, index: Index) -> bool:
    """Whether the fact states some ordinal, in figures ("13th") or in words (首批, "first")."""
    return any(
        index.covers(f"{_NUMBER_MARK}o{n}", position) for n in range(1, _LIST_ITEMS + 1)
    ) or any(index.covers(word, position) for words in _ORDINAL_WORDS.values() for word in words)


#: Counts and ordinals up to this many name items of a list ("which three", "the 4th").
_LIST_ITEMS = 10


def _counts_names(term: str) -> bool:
    """Whether a figure term is a small whole count, as in "which three clusters" (哪三个)."""
    if not term.startswith(_NUMBER_MARK + "n"):
        return False
    value = float(term[2:])
    return value.is_integer() and 1 <= value <= _LIST_ITEMS


#: How close a figure offered as an alternative ("2,900 or 1,800?") must be to one the fact
#: states (2,931): closer than "about" (``_close_number``), since the question names several.
ALTERNATIVE_TOLERANCE = 0.1


def _offers_stated(figures: tuple[str, ...], covered: set[str], numbers: array) -> bool:
    """Whether one of the figures a question offers as alternatives is one the fact states,
    or close to one (``ALTERNATIVE_TOLERANCE``)."""
    for term in figures:
        if term in covered:
            return True
        value = float(term[2:])
        if any(v and abs(value / v - 1.0) <= ALTERNATIVE_TOLERANCE for v in numbers):
            return True
    return False


def _close_number(term: str, numbers: array) -> bool:
    """A figure within a factor of two of one the fact states (for "about 500" and the like)."""
    if not term.startswith(_NUMBER_MARK + "n"):
        return False
    value = float(term[2:])
    return any(0.5 <= value / v <= 2.0 for v in numbers if v)


def _contradictions(
    analysis: Analysis,
    position: int,
    covered: set[str],
    index: Index,
    prepared: Prepared,
    data: _FactData,
) -> tuple[list[str], float, int, bool, bool]:
    """What the question names that the fact does not, and the factor it costs; with how many
    of the reasons were filled in from context sentences, and whether one is a year or figure
    the fact does not state or a measure, company or place it does not state."""
    reasons: list[str] = []
    factor = 1.0
    filled_count = 0
    figure_other = unstated = False
    flags = data.flags
    stated = data.stated
    # Alternatives offered ("2,900 or 1,800?"): one the fact states answers the question.
    offered = prepared.offered_figures
    alternative = bool(offered) and _offers_stated(offered, covered, index.numbers_of(position))
    # Two things asked together: a measure of the part the fact does not answer is no
    # contradiction when it states a measure of the other part ("founded and listed"), nor a
    # year when it states another year asked ("in 2020 and in 2025").
    asked_measures = prepared.asked_measures
    # Only a part another fact answers: one no fact answers ("full name and job title") keeps
    # the question a near miss.
    other_measure = analysis.joined and not data.measures.isdisjoint(asked_measures)
    # A fact listing names: an ordinal or a small count may say which or how many of them.
    listed = "list" in data.fact.attributes.answer
    names_asked = not analysis.wants.isdisjoint(("name", "list"))
    answered_elsewhere = prepared.reused.measures(index) if other_measure else frozenset()
    for kind, slot in analysis.inherited:
        if not any(term in covered for term in slot):
            reasons.append(f"context:{kind}")
            factor *= dict(analysis.inherited_factors)[kind]
    if analysis.singled_out and flags & _HAS_FIGURE:
        # "How many furniture makers in Lecong alone?": a figure the fact gives for Lecong
        # together with other places (Longjiang) is the whole's, not the part's.
        singled = analysis.singled_out & data.entities
        if singled and (data.entities & prepared.places) - analysis.singled_out:
            reasons.append("part:" + ",".join(sorted(singled)))
            factor *= CONTRADICTION_FACTOR
            unstated = True
    if analysis.excluded and flags & _HAS_FIGURE:
        # "How many furniture dealers, excluding Longjiang?": a figure for a whole that holds
        # what the question sets aside is not the rest's (a list naming it among others still
        # names the rest: "what else besides smart lighting").
        aside = sorted(
            t
            for t in analysis.excluded
            if t[0] == _GROUP_MARK and t in index.postings and _has(index.postings[t], position)
        )
        if aside:
            reasons.append("excluded:" + ",".join(aside))
            factor *= CONTRADICTION_FACTOR
            unstated = True
    if analysis.unknown_thing:
        # "How many dragon boats does Shunde have?": no fact knows the thing asked about.
        reasons.append("unknown:" + analysis.unknown_thing)
        factor *= CONTRADICTION_FACTOR
        unstated = True
    for term, wants, kind, name, filled in prepared.checked:
        if filled:
            # Filled in from the context sentences: not a conflict, only a feature.
            if term not in covered and not (name and name in stated):
                if kind in ("measure", "place", "entity") and term not in index.home_groups:
                    reasons.append(f"filled:{kind}:{term}")
                    filled_count += 1
                elif term.startswith(_YEAR):
                    reasons.append(f"filled:year:{term[2:]}")
                    filled_count += 1
            continue
        if wants:
            if (wants == "number" and not flags & _HAS_FIGURE) or (
                wants == "date" and not flags & _HAS_DATE
            ):
                reasons.append(f"wants:{wants}")
                factor *= WANTS_MISMATCH_FACTOR
                continue
            if wants == "percent" and flags & _HAS_PERCENT:
                continue
        if term in covered:
            continue
        if term[0] == _GROUP_MARK:
            if name and name in stated:
                continue  # the fact's attributes say it states this, in whatever words
            if kind == "measure" and name in asked_measures and name in answered_elsewhere:
                continue  # the other part's measure ("founded and listed")
            if (
                kind in ("place", "measure")
                and (kind == "place" or name in prepared.reused.measures(index))
                and any(
                    other != term and (other in covered or (other_name and other_name in stated))
                    for other, other_name in prepared.offered_slots.get(kind, ())
                )
            ):
                # "Nanhai or Shunde?": the fact states one of the places (or of the measures
                # some fact states: "turnover or profit?" still asks a profit) offered.
                continue
            if kind in ("measure", "place", "entity") and term not in index.home_groups:
                reasons.append(f"{kind}:{term}")
                factor *= CONTRADICTION_FACTOR
                unstated = True
        elif term.startswith(_NUMBER_MARK + "y"):
            if analysis.joined and any(
                y != term[2:] and (y in data.period or _YEAR + y in covered)
                for y in prepared.asked_years
            ):
                continue  # the other part's year ("in 2020 and in 2025")
            reasons.append(f"year:{term[2:]}")
            factor *= CONTRADICTION_FACTOR
            figure_other = True
        elif term.startswith(_NUMBER_MARK + "o") and (
            _states_ordinal(term, position, index)
            or (listed and not _states_any_ordinal(position, index))
        ):
            continue  # "the third featured industry": one item of a list without ordinals
        elif listed and names_asked and _counts_names(term):
            continue  # "which three clusters", 哪两个: how many names are asked, not a figure
        elif term.startswith(_NUMBER_MARK) and not (
            (alternative and term in offered)
            or (analysis.approximate and _close_number(term, index.numbers_of(position)))
        ):
            reasons.append(f"number:{term[2:]}")
            factor *= NUMBER_MISMATCH_FACTOR
            figure_other = True
    return reasons, factor, filled_count, figure_other, unstated


class _Segment:
    """What ``_coverage`` needs of one segment of a question, the same for every fact."""

    __slots__ = (
        "terms",
        "weighted",
        "figures",
        "in_context",
        "total",
        "gain",
        "gains",
        "joined",
        "exponent",
    )

    def __init__(self, terms: tuple[str, ...], context: tuple[str, ...], index: Index) -> None:
        self.terms = terms
        self.weighted = tuple((term, _weight(term, index)) for term in terms)
        #: Its figures (not years): an approximate question may name one near the fact's own.
        self.figures = frozenset(t for t in terms if t.startswith(_NUMBER_MARK + "n"))
        total = 0.0
        for _term, weight in self.weighted:
            total += weight
        scale = {index.term_ids[t]: 1.0 for t in terms if t in index.term_ids}
        in_context = []
        for term in context:
            if term not in terms:
                weight = _weight(term, index) * CONTEXT_WEIGHT
                total += weight
                in_context.append((term, weight))
                if term in index.term_ids:
                    scale.setdefault(index.term_ids[term], CONTEXT_WEIGHT)
        self.in_context = tuple(in_context)
        self.total = total
        #: Term id -> what it adds to a phrasing's covered weight (its IDF, scaled).
        self.gain = {i: index.idf_by_id[i] * weight for i, weight in scale.items()}
        self.gains = tuple(self.gain.items())
        self.joined = " ".join(terms)
        # Long, chatty messages carry words no fact needs; the longer the message, the less
        # its uncovered words count (explicit contradictions still count in full).
        self.exponent = 0.40 * min(1.0, 6 / max(len(terms), 1))


#: At most this many facts' data and phrasings' sorted terms are kept between questions (all
#: of them for a fact base of a few hundred facts; the facts asked about lately at 100,000).
CACHED_PER_INDEX = 2048


class _FactData:
    """What scoring needs of one fact, worked out once and reused across questions: its
    phrasings with their weights and term ids, its attributes as sets, and its flags."""

    __slots__ = (
        "fact",
        "first",
        "flags",
        "phrasings_of",
        "stated",
        "entities",
        "measures",
        "period",
        "entity",
        "measure",
        "type_fits",
        "questions",
    )

    def __init__(self, index: Index, position: int) -> None:
        start, all_terms, weights = (
            index.phrasing_start,
            index.phrasing_terms,
            index.phrasing_weight,
        )
        self.fact = fact = index.facts[position]
        #: Its phrasings, English then Chinese (``Fact.questions`` makes the tuple anew).
        self.questions = fact.questions
        self.first = first = index.fact_phrasings[position]
        self.flags = index.fact_flags[position]
        #: Term id -> the phrasings (numbers) with a weight that hold it; equal tuples shared
        #: (kept for thousands of facts at 100,000: memory counts).
        phrasings_of: dict[int, list[int]] = {}
        for number in range(first, index.fact_phrasings[position + 1]):
            if weights[number]:
                for term_id in all_terms[start[number] : start[number + 1]]:
                    phrasings_of.setdefault(term_id, []).append(number)
        tuples: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.phrasings_of = {
            term_id: tuples.setdefault(found, found)
            for term_id, numbers in phrasings_of.items()
            if (found := tuple(numbers))
        }
        attributes = fact.attributes
        #: The entities and measures it states (a question naming one of them is not a miss).
        self.stated = _set_of(attributes.entity + attributes.measure)
        self.entities = _set_of(attributes.entity)
        self.measures = _set_of(attributes.measure)
        self.period = _period_years(attributes.period)
        #: The entity and measure it is mainly about (``None``: it names none).
        self.entity = attributes.entity[0] if attributes.entity else None
        self.measure = attributes.measure[0] if attributes.measure else None
        #: ``Prepared.type_key`` -> ``_answer_type_fit`` of this fact (a few kinds of question).
        self.type_fits: dict[tuple[frozenset[str], bool], tuple[float, float]] = {}


@lru_cache(maxsize=4096)
def _set_of(values: tuple[str, ...]) -> frozenset[str]:
    """One frozenset for facts with the same attribute values."""
    return frozenset(values)


class _Reused:
    """What scoring works out once per fact or phrasing of an index, reused across questions."""

    __slots__ = ("facts", "sorted_terms", "_measures")

    def __init__(self) -> None:
        #: Fact position -> what scoring needs of it.
        self.facts: dict[int, _FactData] = {}
        #: Phrasing number -> its terms sorted and joined (for the similarity).
        self.sorted_terms: dict[int, str] = {}
        self._measures: frozenset[str] | None = None

    def measures(self, index: Index) -> frozenset[str]:
        """The measures some fact of the index states (worked out once)."""
        if self._measures is None:
            self._measures = frozenset(m for f in index.facts for m in f.attributes.measure)
        return self._measures


#: By ``id`` of a live index: dropped with the index (a reloaded fact base gets a new one).
_reused: dict[int, _Reused] = {}


def _reused_for(index: Index) -> _Reused:
    reused = _reused.get(id(index))
    if reused is None:
        reused = _reused[id(index)] = _Reused()
        weakref.finalize(index, _reused.pop, id(index), None)
    return reused


def _fact_data(reused: _Reused, index: Index, position: int) -> _FactData:
    data = reused.facts.get(position)
    if data is None:
        if len(reused.facts) >= CACHED_PER_INDEX:
            reused.facts.clear()
        data = reused.facts[position] = _FactData(index, position)
    return data


class Prepared:
    """The parts of scoring that depend on the question only, worked out once per question
    instead of once per candidate fact (the candidates are scored with ``score_fact``)."""

    def __init__(self, analysis: Analysis, segments: list[tuple[str, ...]], index: Index) -> None:
        self.segments = [_Segment(terms, analysis.context, index) for terms in segments]
        self.reused = _reused_for(index)
        # Terms the fact may cover, with their postings.
        looked_up = analysis.terms + analysis.context
        self.postings = [(t, index.postings[t]) for t in looked_up if t in index.postings]
        self.entities = frozenset(t for t in looked_up if index.group_kind.get(t) == "entity")
        #: Figures the asking part names itself (not a previous answer's, carried over in a
        #: follow-up, nor a context sentence's): a fact stating one is a real candidate.
        inherited = set(analysis.context) | set(analysis.filled)
        self.figures = frozenset(
            t
            for t in analysis.asking_terms
            if t[0] == _NUMBER_MARK
            and t[1:2] in _FIGURE_KINDS
            and t not in inherited
            and _is_specific(t[2:])
        )
        # The asking part's terms that can contradict a fact (see ``_contradictions``): the
        # rest cannot.
        filled = frozenset(analysis.filled)
        self.checked = tuple(
            (
                t,
                # What the term wants, if the question as read wants it (哪几个 names).
                wanted if (wanted := index.group_wants.get(t)) in analysis.wants else None,
                index.group_kind.get(t),
                index.group_name.get(t),
                t in filled,
            )
            for t in analysis.asking_terms
            if t in index.group_wants or t[0] in (_GROUP_MARK, _NUMBER_MARK)
        )
        #: The figures (not years) offered as alternatives ("2,900 or 1,800?"): two or more,
        #: or none ("2,900 or more?" offers one figure, not a choice).
        offered = tuple(
            t
            for t, _wants, _kind, _name, filled in self.checked
            if not filled and t[0] == _NUMBER_MARK and t[1:2] in _FIGURE_KINDS
        )
        self.offered_figures = offered if analysis.alternatives and len(offered) >= 2 else ()
        #: The places and the measures offered as alternatives ("Nanhai or Shunde?", "the
        #: turnover, or the zone's GDP?"), by kind: two or more of a kind, or none.
        offered_slots: dict[str, list[tuple[str, str | None]]] = {}
        if analysis.alternatives:
            for t, _wants, kind, name, from_context in self.checked:
                if not from_context and kind in ("place", "measure") and t[0] == _GROUP_MARK:
                    offered_slots.setdefault(kind, []).append((t, name))
        self.offered_slots = {k: tuple(v) for k, v in offered_slots.items() if len(v) >= 2}
        # Slot values (entity and measure names, years) only the context sentences name.
        own = [t for t in analysis.asking_terms if t not in filled]
        own_names = {index.group_name.get(t) for t in own} | {
            t[2:] for t in own if t.startswith(_YEAR)
        }
        self.filled_only = frozenset(
            value
            for t in analysis.filled
            if (value := index.group_name.get(t) or (t[2:] if t.startswith(_YEAR) else None))
            and value not in own_names
        )
        surface_of = index.normaliser.surface_of
        own_terms = set(analysis.terms)
        #: Covered terms that count as evidence: their weight, and the lexicon group whose
        #: presence makes them count for nothing (see ``score_fact``).
        self.evidence = {
            t: (index.idf[t] * (1.0 if t in own_terms else CONTEXT_WEIGHT), surface_of.get(t))
            for t in looked_up
            if t in index.postings
            and index.group_kind.get(t) != "question"
            and t not in index.home_groups
        }
        self.salient = _salient(analysis, index)
        self.salient_terms = frozenset(self.salient)
        self.salient_total = sum(self.salient.values()) or 1.0
        self.own_words = _own_words(analysis, index) if analysis.context else []
        self.asked_entities = analysis.entities - index.home_names - self.filled_only
        #: The measures and years the asking part names itself (slot conflicts are read from
        #: these).
        self.asked_measures = analysis.measures - self.filled_only
        #: The asking part's own words naming those measures that some fact states (not the
        #: measures the lexicon names so that a question asking one is declined: employees,
        #: population, US dollars), with the measure each names.
        stated = self.reused.measures(index) if self.asked_measures else frozenset()
        self.measure_words = tuple(
            (t, name)
            for t, _wants, _kind, name, filled in self.checked
            if not filled and name in self.asked_measures and name in stated
        )
        self.asked_years = analysis.years - self.filled_only
        self.type_key = (analysis.wants, "rank" in analysis.measures)
        #: The names of places, when the question singles one out of a whole (see
        #: ``_contradictions``).
        self.places = (
            frozenset(
                index.group_name[t]
                for t, kind in index.group_kind.items()
                if kind == "place" and t in index.group_name
            )
            if analysis.singled_out
            else frozenset()
        )
        self.length = math.log(1 + len(analysis.terms))

    def covered(self, positions: Sequence[int]) -> dict[int, set[str]]:
        """Each fact's covered terms: the question's terms (and context's) its postings hold,
        in the question's order. One pass per term over all the facts, not one per fact."""
        covered: dict[int, set[str]] = {position: set() for position in positions}
        if not covered:
            return covered
        wanted = covered.keys()
        many = len(covered) * _SHORT_POSTING
        for term, posting in self.postings:
            if len(posting) <= many:  # walked in C
                found = wanted & posting
            else:
                found = [p for p in positions if _has(posting, p)]
            for position in found:
                covered[position].add(term)
        return covered


def _is_specific(value: str) -> bool:
    """Whether a figure's value (as its term writes it: "1.33e+11", "26.43", "2600") is one a
    reader would quote to find a fact (see ``_SPECIFIC_DIGITS``)."""
    try:
        number = abs(float(value))
    except ValueError:
        return False
    mantissa = value.split("e")[0].replace(".", "").replace("-", "").strip("0")
    return number >= _SPECIFIC_VALUE or len(mantissa) >= _SPECIFIC_DIGITS


def _has(posting: array, position: int) -> bool:
    found = bisect_left(posting, position)
    return found < len(posting) and posting[found] == position


def _coverage(
    segment: _Segment,
    position: int,
    covered: set[str],
    index: Index,
    approximate: bool,
    data: _FactData,
) -> tuple[float, int, float]:
    """How much of the question the fact covers, its best phrasing (number), and how much of
    that phrasing the question covers. Context terms (a follow-up's) count ``CONTEXT_WEIGHT``."""
    if approximate and segment.figures:
        numbers = index.numbers_of(position)
        figures = segment.figures
        hit = sum(
            [
                w
                for t, w in segment.weighted
                if t in covered or (t in figures and _close_number(t, numbers))
            ]
        )
    else:
        hit = sum([w for t, w in segment.weighted if t in covered])
    if segment.in_context:
        hit = sum([w for t, w in segment.in_context if t in covered], hit)
    total = segment.total
    # Each phrasing's covered weight, summed term by term over the terms the fact's phrasings
    # hold (in the question's order), not phrasing by phrasing over all their terms.
    phrasings_of = data.phrasings_of
    sums: dict[int, float] = {}
    for term_id, gain in segment.gains:
        found = phrasings_of.get(term_id)
        if found is not None:
            for number in found:
                sums[number] = sums.get(number, 0.0) + gain
    best_number, best = -1, 0.0
    if sums:
        weights = index.phrasing_weight
        for number in sorted(sums):  # the first of equally good phrasings
            share = sums[number] / weights[number]
            if share > best:
                best, best_number = share, number
    return (hit / total if total else 0.0), best_number, best


def _best_segment(
    ranked: list[tuple[float, int, int]], similarity: Callable[[int, int], float]
) -> tuple[float, int, int, float]:
    """The segment whose best phrasing matches best: (base, phrasing, segment, similarity), or
    a phrasing of -1 when there is none.

    ``ranked`` holds ``(-coverages, segment, phrasing)`` for each segment with coverages above
    0; a segment's base is its coverages times ``max(similarity, 0.05) ** 0.15``, and the best
    is the first segment (in the question's order) with the highest base. A base is at most
    its coverages (the similarity's factor is at most 1), so the segments are tried from the
    most covered on, and ``similarity`` (a rapidfuzz call) is asked only of those that can
    still be the best: not of a segment whose coverages fall short of the best base so far,
    or only equal it later in the question.
    """
    best_base, best_phrasing, best_segment, best_similarity = 0.0, -1, 0, 0.0
    for minus_coverages, number_of_segment, phrasing in sorted(ranked):
        coverages = -minus_coverages
        if coverages < best_base:
            break
        if coverages == best_base and number_of_segment > best_segment:
            continue
        found = similarity(number_of_segment, phrasing)
        base = coverages * max(found, 0.05) ** 0.15
        if base > best_base or (base == best_base and number_of_segment < best_segment):
            best_base, best_phrasing = base, phrasing
            best_segment, best_similarity = number_of_segment, found
    return best_base, best_phrasing, best_segment, best_similarity


def _phrasing_terms(index: Index, number: int) -> list[str]:
    start = index.phrasing_start
    return [index.terms_by_id[i] for i in index.phrasing_terms[start[number] : start[number + 1]]]


def score_fact(
    analysis: Analysis,
    segments: list[tuple[str, ...]],
    position: int,
    index: Index,
    prepared: Prepared,
    covered: set[str] | None = None,
) -> Scored:
    """One fact against a question; ``prepared`` (``Prepared(analysis, segments, index)``)
    carries what does not depend on the fact, worked out once for all the candidates, and
    ``covered`` the fact's covered terms when worked out for several (``Prepared.covered``)."""
    data = _fact_data(prepared.reused, index, position)
    fact = data.fact
    if covered is None:
        covered = prepared.covered((position,))[position]
    names_entity = not prepared.entities.isdisjoint(covered)
    names_figure = not prepared.figures.isdisjoint(covered)
    covers_own = bool(prepared.own_words) and all(t in covered for t in prepared.own_words)
    # Each segment's coverages first: the similarity (a rapidfuzz call) is then worked out only
    # for the segments that can still be the best, the most covered first.
    coverages_of: list[tuple[float, float]] = []
    ranked: list[tuple[float, int, int]] = []
    for number_of_segment, segment in enumerate(prepared.segments):
        question_coverage, phrasing, phrasing_coverage = _coverage(
            segment, position, covered, index, analysis.approximate, data
        )
        if names_entity or names_figure:
            # The question names a company or organisation the fact is about, or a figure it
            # states: even if no stored phrasing asks it this way ("who is Hulton?", "133
            # billion?"), the fact is a real candidate.
            phrasing_coverage = max(phrasing_coverage, NAMED_ENTITY_FLOOR)
            if phrasing < 0:
                phrasing = data.first
        if analysis.context and covers_own:
            # A follow-up's own words are all in this fact ("and dealers?" after the highway's
            # furniture makers): no stored phrasing asks it this way, but it may well answer.
            phrasing_coverage = max(phrasing_coverage, FOLLOWUP_FLOOR)
            if phrasing < 0:
                phrasing = data.first
        coverages_of.append((question_coverage, phrasing_coverage))
        if phrasing >= 0:
            coverages = phrasing_coverage**0.45 * question_coverage**segment.exponent
            if coverages > 0.0:
                ranked.append((-coverages, number_of_segment, phrasing))
    sorted_terms = prepared.reused.sorted_terms

    def similarity(number_of_segment: int, phrasing: int) -> float:
        stored = sorted_terms.get(phrasing)
        if stored is None:
            if len(sorted_terms) >= CACHED_PER_INDEX:
                sorted_terms.clear()
            stored = sorted_terms[phrasing] = " ".join(sorted(_phrasing_terms(index, phrasing)))
        joined = prepared.segments[number_of_segment].joined
        return fuzz.token_set_ratio(joined, stored, processor=None) / 100.0

    best_base, best_phrasing, best_segment, best_similarity = _best_segment(ranked, similarity)
    if best_phrasing < 0:
        # No phrasing of the fact matches any part of the question: it is no candidate.
        return Scored(fact, fact.questions[0], (), 0.0, 0.0, (), frozenset(), frozenset(), False)
    reasons, factor, filled, figure_other, unstated = _contradictions(
        analysis, position, covered, index, prepared, data
    )
    if (
        analysis.context
        and prepared.own_words
        and not any(t in covered for t in prepared.own_words)
    ):
        # A follow-up names topic words of its own, and the fact covers none of them.
        reasons.append("followup:unmatched")
        factor *= FOLLOWUP_MISS_FACTOR
    if analysis.context and not any(t in covered for t in analysis.context):
        # A follow-up is about what came before: a fact sharing nothing with it is a stretch.
        reasons.append("followup:offtopic")
        factor *= FOLLOWUP_MISS_FACTOR
    type_fit = data.type_fits.get(prepared.type_key)
    if type_fit is None:
        attributes = fact.attributes
        type_fit = data.type_fits[prepared.type_key] = _answer_type_fit(
            attributes.answer,
            attributes.measure,
            attributes.period,
            data.flags,
            *prepared.type_key,
        )
    fits, clashes = type_fit
    best_coverages = coverages_of[best_segment]
    if min(best_coverages) >= STORED_SIMILARITY:  # both coverages
        clashes = 0.0  # a question the curators stored for this fact, asked as it is
    if clashes:
        # The answer cannot be of the kind asked for: a date for "who", a plan for "did it".
        reasons.append("answer-type:" + ",".join(sorted(analysis.wants)))
        factor *= WANTS_MISMATCH_FACTOR
    # In the question's order (``covered`` is a set: its order changes from process to process,
    # and floats added in another order differ in the last bits).
    evidence = sum(
        [w for t, (w, group) in prepared.evidence.items() if t in covered and group not in covered]
    )
    salient_covered = prepared.salient_terms.intersection(covered)
    heuristic = round(min(best_base * factor, 1.0), 4)
    features = (
        heuristic,
        *_own_features(
            analysis,
            data,
            index,
            (best_base, *best_coverages, best_similarity),
            len(reasons) - filled,
            evidence,
            prepared,
            covered,
            (fits, clashes),
            (figure_other, unstated, bool(filled)),
        ),
        float(best_segment > 0),
    )
    return Scored(  # by position: a record per candidate, made faster than by keyword
        fact,
        data.questions[best_phrasing - data.first],
        tuple(reasons),
        evidence,
        heuristic,
        features,
        salient_covered,
        prepared.salient_terms - salient_covered,
        best_segment > 0,
    )


def _salient(analysis: Analysis, index: Index) -> dict[str, float]:
    """The question's salient terms with their weights: words the fact base or the lexicon
    knows, minus question words, home places, figures and words standing for a lexicon group
    that is itself present (each concept counts once)."""
    present = set(analysis.terms)
    surface_of = index.normaliser.surface_of
    salient: dict[str, float] = {}
    for term in analysis.terms:
        if term[0] == _NUMBER_MARK or term in index.home_groups:
            continue
        if index.group_kind.get(term) == "question" or surface_of.get(term) in present:
            continue
        weight = index.idf.get(term)
        if weight is not None:
            salient[term] = weight
    return salient


#: What a question wants -> the answer types that give it.
_TYPE_FITS = {
    "number": ("figure",),
    "percent": ("figure",),
    "date": ("date",),
    "person": ("person", "body", "list"),
    "place": ("place",),
    "source": ("place", "body", "name", "person"),
    "list": ("list", "name"),
    # Names of something (which clusters, what it is called): any answer that names, not a
    # count or a date alone.
    "name": ("list", "name", "person", "body", "place", "text"),
}
_PLACE_MEASURES = frozenset({"location", "headquarters"})
_PLAN_MEASURES = frozenset({"goal", "plan"})
#: Answer types that name someone or something (not when, not how many).
_NAMING_TYPES = frozenset({"person", "body", "place", "name"})


def _type_fit(analysis: Analysis, position: int, index: Index) -> tuple[float, float]:
    """(fits, clashes): whether the fact's answer type gives what the question asks for."""
    attributes = index.facts[position].attributes
    return _answer_type_fit(
        attributes.answer,
        attributes.measure,
        attributes.period,
        index.fact_flags[position],
        analysis.wants,
        "rank" in analysis.measures,
    )


@lru_cache(maxsize=4096)
def _answer_type_fit(
    answer: tuple[str, ...],
    measure: tuple[str, ...],
    period: str,
    flags: int,
    asked: frozenset[str],
    rank: bool,
) -> tuple[float, float]:
    """``_type_fit`` of a fact with these answer types, measures and flags, for a question
    wanting ``asked`` (and asking for a rank or not): the same for many facts and questions."""
    wants = asked - {"yes-no", "outcome"}
    if "outcome" in asked and _PLAN_MEASURES & set(measure):
        return 0.0, 1.0  # "did it reach its goal?" is not answered by restating the goal
    if not wants or not answer:
        return 0.0, 0.0
    # A want that vouches for the fact wins over naming, which only rules out: which of the two
    # is looked at first must not depend on the order a set happens to iterate in (it is salted
    # per process), so the vouching wants come first, then "name", each in sorted order.
    for want in sorted(wants, key=lambda w: (w == "name", w)):
        if set(answer) & set(_TYPE_FITS.get(want, ())):
            # Naming something fits many answers loosely: it rules out, it does not vouch.
            return (0.0 if want == "name" else 1.0), 0.0
        if want == "place" and _PLACE_MEASURES & set(measure):
            return 1.0, 0.0
        if want == "place" and rank and "figure" in answer:
            return 1.0, 0.0  # "where did it rank": a place in a ranking, not on a map
    if "date" in wants and "date" not in answer and not period:
        # A fact that gives no date and refers to no period cannot say when, whatever year its
        # answer mentions in passing ("by what year should China have 100 clusters?").
        return 0.0, 1.0
    if "date" in wants and set(answer) <= _NAMING_TYPES:
        # Who or what or where something is does not tell when, whatever year its answer
        # mentions in passing ("when did the Torch Center publish the list?").
        return 0.0, 1.0
    for want in wants:
        # A fact of another type may still state what is asked (a date inside a yes/no answer).
        if (want == "date" and flags & _HAS_DATE) or (
            want in ("number", "percent") and flags & _HAS_FIGURE
        ):
            return 0.0, 0.0
    return 0.0, 1.0


@lru_cache(maxsize=4096)
def _period_years(period: str) -> frozenset[str]:
    if not period:
        return frozenset()
    first, _, last = period.partition("-")
    return frozenset(str(y) for y in range(int(first), int(last or first) + 1))


def slot_clashes(
    attributes: Attributes,
    entities: frozenset[str],
    measures: frozenset[str],
    years: frozenset[str],
) -> tuple[bool, bool, bool]:
    """Whether a question asking about these entities, measures and years names only entities
    the fact is not about, only measures it does not state, or a year outside its period (the
    ``entity_other``, ``measure_other`` and ``period_other`` conflicts; the attribute-gap
    warning of ``validate`` asks the same of each stored phrasing)."""
    stated_entities, stated_measures = set(attributes.entity), set(attributes.measure)
    period = _period_years(attributes.period)
    return (
        bool(entities) and bool(stated_entities) and not entities & stated_entities,
        bool(measures) and bool(stated_measures) and not measures & stated_measures,
        bool(period) and bool(years - period),
    )


def _own_features(
    analysis: Analysis,
    data: _FactData,
    index: Index,
    scores: tuple[float, float, float, float],
    contradictions: int,
    evidence: float,
    prepared: Prepared,
    covered: set[str],
    type_fit: tuple[float, float],
    kinds: tuple[bool, bool, bool],
) -> tuple[float, ...]:
    """The features of one fact alone, without the first (the heuristic score) and the last
    (clause); the matcher fills in those comparing candidates. ``kinds``: whether the reasons
    name a year or figure, a measure, company or place, and something filled in from context
    sentences that the fact does not state."""
    base, question_coverage, phrasing_coverage, similarity = scores
    # ``slot_clashes``, with the fact's attribute sets worked out once.
    entities, measures, years = (
        prepared.asked_entities,
        prepared.asked_measures,
        prepared.asked_years,
    )
    entity_other = bool(entities) and bool(data.entities) and entities.isdisjoint(data.entities)
    measure_other = bool(measures) and bool(data.measures) and measures.isdisjoint(data.measures)
    period_other = bool(data.period) and bool(years - data.period)
    # The salient terms are the question's own: a fact covers one when it is in ``covered``.
    missing = (
        sum([w for t, w in prepared.salient.items() if t not in covered]) / prepared.salient_total
    )
    fits, clashes = type_fit
    figure_other, unstated, filled = kinds
    return (
        question_coverage,
        phrasing_coverage,
        similarity,
        float(contradictions),
        min(evidence / index.max_idf, 3.0),
        missing,
        0.0,  # missing_covered_by_other: set by the matcher
        float(data.entity is not None and data.entity in analysis.entities),
        float(entity_other),
        float(data.measure is not None and data.measure in analysis.measures),
        float(measure_other),
        float(not analysis.years.isdisjoint(data.period)),
        float(period_other),
        fits,
        clashes,
        float(figure_other),
        float(unstated),
        float(filled),
        0.0,  # margin: set by the matcher
        prepared.length,
    )


def _own_words(analysis: Analysis, index: Index) -> list[str]:
    """A message's own topic words (no question words, no home places), including words the
    fact base does not know at all ("mayor", "joke": nothing covers them)."""
    surface_of = index.normaliser.surface_of
    return [
        t
        for t in analysis.terms
        if index.group_kind.get(t) != "question"
        and t not in index.home_groups
        and surface_of.get(t) not in index.home_groups
        and (t in index.idf or (len(t) >= UNKNOWN_WORD_LETTERS and t.isascii() and t.isalpha()))
    ]


def candidate_positions(terms: tuple[str, ...], index: Index) -> list[int]:
    """Facts sharing informative terms with the question, best first (inverted index)."""
    postings, idf = index.postings, index.idf
    scores: dict[int, float] = {}
    score_of = scores.get
    usable = sorted((t for t in terms if t in postings), key=lambda t: len(postings[t]))
    visited = 0
    for term in usable:
        posting = postings[term]
        if scores and (
            len(posting) > MAX_POSTING_FOR_CANDIDATES or visited > MAX_POSTINGS_VISITED
        ):
            break  # rarer terms already found the candidates; common ones only add noise
        weight = idf[term]
        if len(posting) > MAX_POSTING_FOR_CANDIDATES:
            posting = posting[:MAX_POSTING_FOR_CANDIDATES]
        for fact_position in posting:
            scores[fact_position] = score_of(fact_position, 0.0) + weight
        visited += len(posting)
    return heapq.nlargest(CANDIDATES_TO_SCORE, scores, key=scores.__getitem__)
