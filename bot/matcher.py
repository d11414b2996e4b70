"""Find the fact that answers a question, or know that none does.

Pure and I/O-free: ``build_index`` does all the expensive work once when the fact base loads;
``match_question`` then costs one normalisation, an inverted-index lookup and a few rapidfuzz calls.

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

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.knowledge import Fact, KnowledgeBase, Lexicon

Outcome = Literal["answer", "clarify", "decline"]

#: Confidence at or above which the best fact is given as the answer.
ANSWER_THRESHOLD = 0.55
#: Confidence at or above which candidates are offered as "Did you mean".
CLARIFY_THRESHOLD = 0.38
#: An answer needs this lead over a runner-up from another fact; closer calls become clarify.
ANSWER_MARGIN = 0.04
#: Questions are cut to this many characters before matching; nobody asks longer.
MAX_QUESTION_CHARS = 1000
#: Weight of a word the fact base does not know (mostly chatty filler).
UNKNOWN_WORD_WEIGHT = 0.3
UNKNOWN_BIGRAM_WEIGHT = 0.12
#: How much one contradiction (another year, place, company, measure) keeps of the confidence.
CONTRADICTION_FACTOR = 0.4
NUMBER_MISMATCH_FACTOR = 0.5
#: A question asking "how many" of a fact that states no figure (or "when" and no date).
WANTS_MISMATCH_FACTOR = 0.5
#: Posting lists longer than this are too common to select candidates with.
MAX_POSTING_FOR_CANDIDATES = 3000
CANDIDATES_TO_SCORE = 40

ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are aren as at be because been before
    being below between both but by can could did didn do does doesn doing don down during each few
    for from further had has have having he her here hers herself him himself his how i if in into is
    isn it its itself just let me more most my myself no nor not now of off on once only or other our
    ours ourselves out over own please same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves many much
    tell know give show find get got want wanted need like also still ever really quite per vs via
    whats what's hows who's where's dont can't cannot pls plz kindly hey there's thats let's wanna
    would've could've should've okay ok yes yeah yep mr ms dr etc eg ie one""".split()
)

#: Function characters; a Chinese bigram made only of these carries no topic (like stop words).
CHINESE_STOP_CHARACTERS = frozenset("的是有了吗呢么什多少哪几个在和与及或就都也还这那我你他她它们请问一下共吧啊呀要想能会该把被给对从到为")

APPROXIMATE_MARKERS = re.compile(
    r"~|≈|\b(?:about|around|approximately|approx|roughly|nearly|almost|some|circa|over|more than|"
    r"less than|under|close to|like|i think|i heard|is that right|is it true|correct|right)\b|"
    r"约|大约|大概|左右|将近|接近|超过|差不多|上下|对吗|是吗|对不对|听说"
)

_NUMBER = re.compile(
    r"(?<![0-9a-z.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(%|percent\b|per cent\b|trillion\b|billion\b|bn\b|million\b|mn\b|thousand\b|万亿|亿|万|千)?"
)
_MULTIPLIERS = {
    "trillion": 1e12, "万亿": 1e12, "billion": 1e9, "bn": 1e9, "million": 1e6, "mn": 1e6,
    "thousand": 1e3, "亿": 1e8, "万": 1e4, "千": 1e3,
}
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]*")
_GROUP_MARK = "\ue000"
_NUMBER_MARK = "\ue001"
_TOKEN = re.compile(f"{_GROUP_MARK}\\d+|{_NUMBER_MARK}[^\\s]+|[a-z][a-z0-9]*|[{_CJK}]+")
_LEADING_COMMAND = re.compile(r"^\s*/[a-z0-9_]+(?:@\w+)?\s*")
_MENTION = re.compile(r"@\w{3,}")
_SENTENCE_SPLIT = re.compile(r"[.!?;:。！？；：\n]+")
_QUESTION_WORDS = re.compile(
    r"\b(?:what|how|when|who|which|where|why|is|are|does|do|did|was|were|can|list|name)\b|"
    r"吗|什么|多少|几|哪|谁|怎么|如何|是否|为什么"
)


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A fact the matcher considered, with its confidence and the phrasing it matched best."""

    fact: Fact
    confidence: float
    phrasing: str
    contradictions: tuple[str, ...] = ()


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
        return next((c for c in self.candidates if self.fact is None or c.fact.id != self.fact.id), None)


@dataclass(frozen=True)
class Analysis:
    """A question after normalisation: its weighted terms and what they say."""

    text: str
    language: str
    terms: tuple[str, ...]
    approximate: bool


@dataclass(frozen=True)
class _Phrasing:
    text: str
    terms: frozenset[str]
    weight: float


@dataclass
class _FactEntry:
    fact: Fact
    terms: frozenset[str]
    phrasings: list[_Phrasing]
    numbers: tuple[float, ...]
    has_figure: bool = False
    has_date: bool = False
    has_percent: bool = False


@dataclass
class Index:
    """Everything ``match_question`` needs, built once per fact base."""

    knowledge: KnowledgeBase
    normaliser: Normaliser
    entries: list[_FactEntry]
    idf: dict[str, float]
    postings: dict[str, list[int]]
    vocabulary: frozenset[str]
    vocabulary_by_initial: dict[str, list[str]]
    deletions: dict[str, list[str]]
    word_counts: dict[str, int]
    max_idf: float
    group_kind: dict[str, str] = field(default_factory=dict)
    group_wants: dict[str, str] = field(default_factory=dict)
    home_groups: frozenset[str] = frozenset()


# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _traditional_converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese to simplified; text without Chinese is returned as is."""
    if not _CJK_RUN.search(text):
        return text
    return _traditional_converter().convert(text)


def detect_language(text: str, hint: str | None = None) -> str:
    """``zh`` when Chinese carries the question, ``en`` when English does, else ``hint``."""
    chinese = len(re.findall(f"[{_CJK}]", text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", _MENTION.sub(" ", text)))
    if chinese == 0 and latin_words == 0:
        return hint if hint in ("en", "zh") else "en"
    return "zh" if chinese >= 2 * latin_words or (chinese and not latin_words) else "en"


def stem(word: str) -> str:
    """Fold English inflections (plurals, -ed, -ing) so "announce" meets "announced".

    Deliberately crude: the same function runs on stored phrasings and on questions, so it only
    has to map related forms together, not produce dictionary words.
    """
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _number_token(match: re.Match[str]) -> str:
    digits, unit = match.group(1), (match.group(2) or "").strip()
    value = float(digits.replace(",", ""))
    if unit in ("%", "percent", "per cent"):
        return f" {_NUMBER_MARK}p{value:g} "
    if not unit and value.is_integer() and 1900 <= value <= 2100 and "," not in digits:
        return f" {_NUMBER_MARK}y{int(value)} "
    value *= _MULTIPLIERS.get(unit, 1.0)
    return f" {_NUMBER_MARK}n{value:.6g} "


class Normaliser:
    """Turns any text into matcher terms, the same way for stored phrasings and questions."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.group_of: dict[str, str] = {}
        self.group_kind: dict[str, str] = {}
        self.group_wants: dict[str, str] = {}
        for number, group in enumerate(lexicon.groups):
            token = f"{_GROUP_MARK}{number}"
            self.group_kind[token] = group.kind
            if group.wants:
                self.group_wants[token] = group.wants
            for word in group.words:
                self.group_of[self._clean(word)] = token
        self.home_groups = frozenset(
            self.group_of[self._clean(p)] for p in lexicon.home_places if self._clean(p) in self.group_of
        )
        self._phrase_pattern = self._alternation(self.group_of)
        self.smalltalk_of: dict[str, str] = {}
        for talk in lexicon.smalltalk:
            for word in talk.words:
                self.smalltalk_of[self._clean(word)] = talk.kind
        self._smalltalk_pattern = self._alternation(self.smalltalk_of)

    @staticmethod
    def _clean(text: str) -> str:
        text = to_simplified(unicodedata.normalize("NFKC", text).casefold())
        text = re.sub(r"[’'`´]s\b", "", text)  # possessive: "gree's" is about "gree"
        text = re.sub(r"[’'`´]", "", text)
        return " ".join(re.sub(f"[^a-z0-9{_CJK}%.,~]+", " ", text).split())

    @staticmethod
    def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
        """One regex for many phrases, longest first; Latin words must stand alone."""
        parts = []
        for word in sorted(words, key=len, reverse=True):
            escaped = re.escape(word).replace(r"\ ", r"\s+")
            if re.search("[a-z0-9]", word):
                escaped = f"(?<![a-z0-9]){escaped}(?![a-z0-9])"
            parts.append(escaped)
        return re.compile("|".join(parts)) if parts else None

    def clean(self, text: str) -> str:
        """NFKC, casefold, simplified Chinese, no @mentions or leading /command, tidy spaces."""
        text = unicodedata.normalize("NFKC", text)[:MAX_QUESTION_CHARS]
        text = _LEADING_COMMAND.sub(" ", text.casefold())
        text = _MENTION.sub(" ", text)
        return self._clean(text)

    def smalltalk(self, cleaned: str) -> str | None:
        """The smalltalk kind when the text is nothing but greetings or thanks."""
        if not self._smalltalk_pattern or not cleaned:
            return None
        kinds = [self.smalltalk_of[" ".join(m.group(0).split())] for m in self._smalltalk_pattern.finditer(cleaned)]
        if not kinds:
            return None
        rest = self._smalltalk_pattern.sub(" ", cleaned)
        leftover = [
            w for w in re.findall(f"[a-z0-9]+|[{_CJK}]", rest)
            if w not in ENGLISH_STOP_WORDS and w not in ("bot", "啊", "呀", "哦", "的", "了", "吧", "呢", "嗯")
        ]
        return None if leftover else kinds[0]

    def terms(self, cleaned: str, correct: Callable[[str], str] | None = None) -> list[str]:
        """Matcher terms of cleaned text; ``correct`` fixes misspelt words first."""
        text = cleaned
        if correct is not None:
            text = _LATIN_WORD.sub(lambda m: correct(m.group(0)), text)
        text = _NUMBER.sub(_number_token, text)
        if self._phrase_pattern:
            # The group token says "a synonym of this concept"; the word itself stays too, so
            # the exact word a fact uses still counts for more than a synonym of it.
            text = self._phrase_pattern.sub(
                lambda m: f" {self.group_of[' '.join(m.group(0).split())]} {m.group(0)} ", text
            )
        terms: list[str] = []
        for token in _TOKEN.findall(text):
            first = token[0]
            if first in (_GROUP_MARK, _NUMBER_MARK):
                terms.append(token)
            elif "a" <= first <= "z":
                if token not in ENGLISH_STOP_WORDS and len(token) > 1:
                    terms.append(stem(token))
            elif len(token) == 1:
                if token not in CHINESE_STOP_CHARACTERS:
                    terms.append(token)
            else:
                terms.extend(
                    token[i : i + 2]
                    for i in range(len(token) - 1)
                    if not (token[i] in CHINESE_STOP_CHARACTERS and token[i + 1] in CHINESE_STOP_CHARACTERS)
                )
        return terms

    def words(self, cleaned: str) -> set[str]:
        """The raw Latin words of cleaned text (the vocabulary typos are corrected against)."""
        return set(_LATIN_WORD.findall(cleaned))


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _numbers_of(terms: Iterable[str]) -> tuple[float, ...]:
    values = []
    for term in terms:
        if term.startswith(_NUMBER_MARK + "n"):
            values.append(float(term[2:]))
    return tuple(values)


def build_index(knowledge: KnowledgeBase) -> Index:
    """Normalise every phrasing, keyword and answer once and build the lookup structures."""
    normaliser = Normaliser(knowledge.lexicon)
    entries: list[_FactEntry] = []
    document_frequency: dict[str, int] = defaultdict(int)
    postings: dict[str, list[int]] = defaultdict(list)
    raw_words: set[str] = set(ENGLISH_STOP_WORDS)
    word_counts: dict[str, int] = defaultdict(int)
    for word in ENGLISH_STOP_WORDS:
        word_counts[word] = len(knowledge.facts) + 1
    for group in knowledge.lexicon.groups:
        for word in group.words:
            raw_words |= normaliser.words(normaliser.clean(word))
    for position, fact in enumerate(knowledge.facts):
        phrasing_terms = []
        for text in fact.questions:
            cleaned = normaliser.clean(text)
            for word in normaliser.words(cleaned):
                raw_words.add(word)
                word_counts[word] += 1
            phrasing_terms.append((text, frozenset(normaliser.terms(cleaned))))
        document: set[str] = set()
        for _, terms in phrasing_terms:
            document |= terms
        # Keywords and answers say what a fact covers; only the questions are phrasings.
        for text in (*fact.keywords, fact.answer.en, fact.answer.zh, fact.as_of):
            cleaned = normaliser.clean(text)
            raw_words |= normaliser.words(cleaned)
            document |= set(normaliser.terms(cleaned))
        for term in document:
            document_frequency[term] += 1
            postings[term].append(position)
        entries.append(
            _FactEntry(
                fact=fact,
                terms=frozenset(document),
                phrasings=[_Phrasing(text, terms, 0.0) for text, terms in phrasing_terms if terms],
                numbers=_numbers_of(document),
                has_figure=any(t[:2] in (_NUMBER_MARK + "n", _NUMBER_MARK + "p") for t in document),
                has_date=any(t[:2] == _NUMBER_MARK + "y" for t in document),
                has_percent=any(t[:2] == _NUMBER_MARK + "p" for t in document),
            )
        )
    total = max(len(knowledge.facts), 1)
    idf = {term: math.log(1 + total / df) for term, df in document_frequency.items()}
    max_idf = math.log(1 + total)
    for group in normaliser.group_kind:
        idf.setdefault(group, max_idf)
    for entry in entries:
        entry.phrasings = [
            _Phrasing(p.text, p.terms, sum(idf.get(t, max_idf) for t in p.terms)) for p in entry.phrasings
        ]
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
        entries=entries,
        idf=idf,
        postings=dict(postings),
        vocabulary=frozenset(raw_words),
        vocabulary_by_initial=dict(by_initial),
        deletions=dict(deletions),
        word_counts=dict(word_counts),
        max_idf=max_idf,
        group_kind=normaliser.group_kind,
        group_wants=normaliser.group_wants,
        home_groups=normaliser.home_groups,
    )


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


def _correct_typo(word: str, index: Index) -> str:
    """The fact base's word closest to an unknown word, or the word itself.

    One slip (a wrong, swapped, missing or extra letter) is fixed; candidates come from a
    deletion index (symmetric delete) and are confirmed with rapidfuzz's OSA distance. A missing
    or extra letter is only fixed from six letters on, since short words one letter apart are
    usually different words ("write" is not a typo of "writer").
    """
    if len(word) < 4 or word in index.vocabulary or not word.isalpha():
        return word
    candidates = set(index.deletions.get(word, ()))
    for deleted in _deletions(word):
        if deleted in index.vocabulary:
            candidates.add(deleted)
        candidates.update(index.deletions.get(deleted, ()))
    best = [
        c for c in candidates
        if OSA.distance(word, c, score_cutoff=1) <= 1 and (len(c) == len(word) or len(word) >= 6)
    ]
    if best:
        return max(best, key=lambda c: (index.word_counts.get(c, 0), c))
    if len(word) >= 7:
        found = process.extractOne(
            word, index.vocabulary_by_initial.get(word[0], []),
            scorer=fuzz.ratio, processor=None, score_cutoff=85,
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


def _weight(term: str, index: Index) -> float:
    weight = index.idf.get(term)
    if weight is not None:
        return weight
    if term[0] == _NUMBER_MARK:
        return index.max_idf
    if "a" <= term[0] <= "z":
        return UNKNOWN_WORD_WEIGHT
    return UNKNOWN_BIGRAM_WEIGHT


def _contradictions(analysis: Analysis, entry: _FactEntry, index: Index) -> tuple[list[str], float]:
    """What the question names that the fact does not, and the factor it costs."""
    reasons: list[str] = []
    factor = 1.0
    for term in analysis.terms:
        if term in entry.terms and term not in index.group_wants:
            continue
        if term[0] == _GROUP_MARK:
            wants = index.group_wants.get(term)
            if (wants == "number" and not entry.has_figure) or (wants == "date" and not entry.has_date):
                reasons.append(f"wants:{wants}")
                factor *= WANTS_MISMATCH_FACTOR
                continue
            if wants == "percent" and (term in entry.terms or entry.has_percent):
                continue
            kind = index.group_kind.get(term)
            if kind in ("measure", "place", "entity") and term not in index.home_groups:
                reasons.append(f"{kind}:{term}")
                factor *= CONTRADICTION_FACTOR
        elif term.startswith(_NUMBER_MARK + "y"):
            reasons.append(f"year:{term[2:]}")
            factor *= CONTRADICTION_FACTOR
        elif term.startswith(_NUMBER_MARK):
            if not (analysis.approximate and _close_number(term, entry)):
                reasons.append(f"number:{term[2:]}")
                factor *= NUMBER_MISMATCH_FACTOR
    return reasons, factor


def _close_number(term: str, entry: _FactEntry) -> bool:
    """A figure within a factor of two of one the fact states (for "about 500" and the like)."""
    if not term.startswith(_NUMBER_MARK + "n"):
        return False
    value = float(term[2:])
    return any(0.5 <= value / v <= 2.0 for v in entry.numbers if v)


def _coverage(
    terms: tuple[str, ...], entry: _FactEntry, index: Index, approximate: bool = False
) -> tuple[float, _Phrasing | None, float]:
    """How much of the question the fact covers, its best phrasing, and how much of that
    phrasing the question covers."""
    covered = total = 0.0
    for term in terms:
        weight = _weight(term, index)
        total += weight
        if term in entry.terms or (approximate and _close_number(term, entry)):
            covered += weight
    best_phrasing, best = None, 0.0
    term_set = set(terms)
    for phrasing in entry.phrasings:
        hit = sum(index.idf.get(t, index.max_idf) for t in phrasing.terms & term_set)
        if hit / phrasing.weight > best:
            best, best_phrasing = hit / phrasing.weight, phrasing
    return (covered / total if total else 0.0), best_phrasing, best


def _score(
    analysis: Analysis, segments: list[tuple[str, ...]], entry: _FactEntry, index: Index
) -> Candidate:
    best_base, best_phrasing = 0.0, None
    for terms in segments:
        question_coverage, phrasing, phrasing_coverage = _coverage(
            terms, entry, index, analysis.approximate
        )
        if phrasing is None:
            continue
        similarity = fuzz.token_set_ratio(
            " ".join(terms), " ".join(sorted(phrasing.terms)), processor=None
        ) / 100.0
        # Long, chatty messages carry words no fact needs; the longer the message, the less
        # its uncovered words count (explicit contradictions still count in full).
        question_exponent = 0.40 * min(1.0, 6 / max(len(terms), 1))
        base = (
            phrasing_coverage**0.45
            * question_coverage**question_exponent
            * max(similarity, 0.05) ** 0.15
        )
        if base > best_base:
            best_base, best_phrasing = base, phrasing
    reasons, factor = _contradictions(analysis, entry, index)
    return Candidate(
        fact=entry.fact,
        confidence=round(min(best_base * factor, 1.0), 4),
        phrasing=best_phrasing.text if best_phrasing else entry.fact.questions[0],
        contradictions=tuple(reasons),
    )


def _candidate_positions(terms: tuple[str, ...], index: Index) -> list[int]:
    """Facts sharing informative terms with the question, best first (inverted index)."""
    scores: dict[int, float] = defaultdict(float)
    usable = [t for t in terms if t in index.postings]
    usable.sort(key=lambda t: len(index.postings[t]))
    for position, term in enumerate(usable):
        posting = index.postings[term]
        if len(posting) > MAX_POSTING_FOR_CANDIDATES and (position > 0 or scores):
            continue
        weight = index.idf[term]
        for fact_position in posting[: MAX_POSTING_FOR_CANDIDATES * 4]:
            scores[fact_position] += weight
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    return ranked[:CANDIDATES_TO_SCORE]


def _segments(question: str, index: Index, terms: tuple[str, ...]) -> list[tuple[str, ...]]:
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


def match_question(question: str, index: Index, language_hint: str | None = None) -> Match:
    """Decide how to answer ``question``: answer, clarify or decline, with a confidence.

    Args:
        question: what the user wrote, in any language, possibly with @mentions or a /command.
        index: built by ``build_index`` when the fact base loaded.
        language_hint: the user's language (``en``/``zh``), used when the question has no words.
    """
    question = question[:MAX_QUESTION_CHARS]
    analysis = analyse(question, index, language_hint)
    language = analysis.language
    smalltalk = index.normaliser.smalltalk(analysis.text)
    if smalltalk:
        return Match(question, "decline", language, 0.0, smalltalk=smalltalk)
    if all(index.group_kind.get(t) == "question" for t in analysis.terms):
        # Only "who/when/how many" and no topic ("who are you?"): nothing to look up.
        return Match(question, "decline", language, 0.0)

    segments = _segments(question, index, analysis.terms)
    positions: list[int] = []
    for terms in segments:
        positions.extend(p for p in _candidate_positions(terms, index) if p not in positions)
    candidates = sorted(
        (_score(analysis, segments, index.entries[p], index) for p in positions),
        key=lambda c: c.confidence,
        reverse=True,
    )[:3]
    if not candidates:
        return Match(question, "decline", language, 0.0)
    best = candidates[0]
    runner_up = candidates[1].confidence if len(candidates) > 1 else 0.0
    if best.confidence >= ANSWER_THRESHOLD and best.confidence - runner_up >= ANSWER_MARGIN:
        return Match(
            question, "answer", language, best.confidence, fact=best.fact, phrasing=best.phrasing,
            candidates=tuple(candidates), contradictions=best.contradictions,
        )
    close = tuple(c for c in candidates if c.confidence >= CLARIFY_THRESHOLD)
    if best.confidence >= ANSWER_THRESHOLD or len(close) >= 2:
        return Match(question, "clarify", language, best.confidence, candidates=close)
    return Match(
        question, "decline", language, best.confidence,
        candidates=tuple(c for c in candidates if c.confidence >= 0.15),
        contradictions=best.contradictions,
    )


def match_fact(fact: Fact, language: str) -> Match:
    """A ``Match`` for a fact chosen directly (shortcut command, button, deep link)."""
    question = fact.first_question(language)
    return Match(question, "answer", language, 1.0, fact=fact, phrasing=question,
                 candidates=(Candidate(fact, 1.0, question),))
