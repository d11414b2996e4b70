"""Find the fact that answers a question, or know that none does.

Pure and I/O-free: ``build_index`` does all the expensive work once when the fact base loads;
``match_question`` then costs one normalisation, an inverted-index lookup and a few rapidfuzz
calls.

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

import gc
import heapq
import math
import re
import sys
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
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
#: Phrasing coverage a fact gets at least when the question names a company it covers.
NAMED_ENTITY_FLOOR = 0.5
#: A question must share topic words worth this share of one fact-specific word (max IDF).
EVIDENCE_FLOOR = 0.35
#: Candidates at least this confident are offered as suggestions with a decline.
SUGGESTION_THRESHOLD = 0.15
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
MAX_POSTING_FOR_CANDIDATES = 1000
#: Stop gathering candidates after this many postings once rarer terms have found some.
MAX_POSTINGS_VISITED = 3000
CANDIDATES_TO_SCORE = 15

ENGLISH_STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been
    before being below between both but by can could did didn do does doesn doing don down
    during each few for from further had has have having he her here hers herself him
    himself his how i if in into is isn it its itself just let me more most my myself no nor
    not now of off on once only or other our ours ourselves out over own please same she
    should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself yourselves many much tell know give
    show find get got want wanted need like also still ever really quite per vs via whats
    what's hows who's where's dont can't cannot pls plz kindly hey there's thats let's wanna
    would've could've should've okay ok yes yeah yep mr ms dr etc eg ie one
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

#: Function characters; a Chinese bigram made only of these carries no topic (like stop words).
CHINESE_STOP_CHARACTERS = frozenset(
    "的是有了吗呢么什多少哪几个在和与及或就都也还这那我你他她它们请问一下共吧啊呀要想能会该把被给对从到为谁何"
)

APPROXIMATE_MARKERS = re.compile(
    r"~|≈|\b(?:about|around|approximately|approx|roughly|nearly|almost|some|circa|over|more than|"
    r"less than|under|close to|like|i think|i heard|is that right|is it true|correct|right)\b|"
    r"约|大约|大概|左右|将近|接近|超过|差不多|上下|对吗|是吗|对不对|听说"
)

_NUMBER = re.compile(
    r"(?<![0-9a-z.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(%|percent\b|per cent\b|trillion\b|billion\b|bn\b|million\b|mn\b|thousand\b"
    r"|万亿|亿|万|千|月|日|st\b|nd\b|rd\b|th\b)?"
)
_MULTIPLIERS = {
    "trillion": 1e12,
    "万亿": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "thousand": 1e3,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
}
_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]*")
_GROUP_MARK = "\ue000"
_NUMBER_MARK = "\ue001"
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
    #: Weight of the question's topic words the fact covers (question words and home places
    #: excluded); a question needs some evidence beyond "smart home" to be answered at all.
    evidence: float = 0.0


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


@dataclass(frozen=True)
class Analysis:
    """A question after normalisation: its weighted terms and what they say."""

    text: str
    language: str
    terms: tuple[str, ...]
    approximate: bool


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
    # Day and month numbers are parts of dates, not figures: "10 August 2021", "August 10th"
    # and 8月10日 keep their year and month words but no stray 10 or 8.
    if unit in ("月", "日"):
        return f" {unit} " if unit == "月" else " "
    if len(digits) <= 2 and (
        _MONTH_AFTER.match(match.string, match.end())
        or _MONTH_BEFORE.search(match.string, max(0, match.start() - 12), match.start())
    ):
        return " "
    value = float(digits.replace(",", ""))
    if unit in ("st", "nd", "rd", "th") or match.string[match.start() - 1 : match.start()] == "第":
        return f" {_NUMBER_MARK}o{digits} {unit if unit not in ('st', 'nd', 'rd', 'th') else ''} "
    if unit in ("%", "percent", "per cent"):
        return f" {_NUMBER_MARK}p{value:g} "
    if not unit and value.is_integer() and 1900 <= value <= 2100 and "," not in digits:
        return f" {_NUMBER_MARK}y{int(value)} "
    value *= _MULTIPLIERS.get(unit, 1.0)
    return f" {_NUMBER_MARK}n{value:.6g} "


def _clean_many(texts: list[str]) -> list[str]:
    """``_clean`` of each text, done in one pass (the separator survives every step)."""
    joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    return [part.strip() for part in _clean_joined(joined).split(_SEPARATOR)]


def _clean(text: str) -> str:
    """NFKC, casefold, simplified Chinese, dates without day numbers, only words and figures."""
    return _clean_joined(text.replace(_SEPARATOR, " "))


def _clean_joined(text: str) -> str:
    if text.isascii():  # most English text: nothing for NFKC or OpenCC to do
        text = text.lower()
    else:
        text = to_simplified(unicodedata.normalize("NFKC", text).casefold())
    if "-" in text:
        text = _ISO_DATE_TAIL.sub("", text)  # 2021-08-10 is the year 2021
    text = _APOSTROPHE.sub("", text)  # "gree's" is about "gree"; "don't" is "dont"
    return " ".join(_NOT_TEXT.sub(" ", text).split())


_DIGIT = re.compile(r"\d")
#: Keeps texts apart when many are normalised as one string: no pattern here matches it.
_SEPARATOR = "\x01"
_BATCH = 500
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# Starts with a literal so the regex engine skips quickly to candidates.
_ISO_DATE_TAIL = re.compile(r"-(?<=(?:19|20)\d\d-)\d\d?(?:-\d\d?)?(?!\d)")
_MONTH_AFTER = re.compile(rf"\s*(?:of\s+)?(?:{_MONTHS})\b")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s+$")
_APOSTROPHE = re.compile(r"[’'`´](?:s\b)?")
_NOT_TEXT = re.compile(f"[^a-z0-9{_CJK}%.,~\x01]+")
_PIECE = re.compile(
    f"({_NUMBER_MARK}[^\\s\x01]+)|([a-z][a-z0-9]*(?:[^\\S\x01]+[a-z][a-z0-9]*)*)|([{_CJK}]+)|(\x01)"
)


class Normaliser:
    """Turns any text into matcher terms, the same way for stored phrasings and questions.

    Lexicon phrases are found by dictionary lookups (longest match first) over words and over
    Chinese runs, not by one big regex: it is what keeps index building fast at 100,000 facts.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.latin_phrases: dict[tuple[str, ...], str] = {}
        self.chinese_words: dict[str, str] = {}
        self.group_kind: dict[str, str] = {}
        self.group_wants: dict[str, str] = {}
        for number, group in enumerate(lexicon.groups):
            token = f"{_GROUP_MARK}{number}"
            self.group_kind[token] = group.kind
            if group.wants:
                self.group_wants[token] = group.wants
            for word in group.words:
                self._add_phrase(_clean(word), token)
        # First word (character) of a phrase -> its longest phrase: most words start none.
        self.latin_first: dict[str, int] = {}
        for phrase in self.latin_phrases:
            self.latin_first[phrase[0]] = max(self.latin_first.get(phrase[0], 0), len(phrase))
        self.chinese_first: dict[str, int] = {}
        for word in self.chinese_words:
            self.chinese_first[word[0]] = max(self.chinese_first.get(word[0], 0), len(word))
        self._chinese_first_set = frozenset(self.chinese_first)
        self._chinese_pattern = (
            re.compile("|".join(map(re.escape, sorted(self.chinese_words, key=len, reverse=True))))
            if self.chinese_words
            else None
        )
        self._stems: dict[str, str | None] = {}
        self.home_groups = frozenset(
            token for place in lexicon.home_places if (token := self.group_of(_clean(place)))
        )
        self.smalltalk_of: dict[str, str] = {}
        for talk in lexicon.smalltalk:
            for word in talk.words:
                self.smalltalk_of[_clean(word)] = talk.kind
        self._smalltalk_pattern = _alternation(self.smalltalk_of)
        # The words of lexicon phrases, as the terms they become: with their group token
        # present they add nothing new (used to weigh evidence without counting twice).
        self.surface_of: dict[str, str] = {}
        for phrase, token in self.latin_phrases.items():
            for word in phrase:
                if word not in ENGLISH_STOP_WORDS and len(word) > 1:
                    self.surface_of.setdefault(stem(word), token)
        for word, token in self.chinese_words.items():
            found: list[str] = []
            _bigrams(word, found)
            for term in found:
                self.surface_of.setdefault(term, token)

    def _add_phrase(self, cleaned: str, token: str) -> None:
        if _CJK_RUN.fullmatch(cleaned):
            self.chinese_words[cleaned] = token
        elif cleaned:
            self.latin_phrases[tuple(cleaned.split())] = token

    def group_of(self, cleaned: str) -> str | None:
        if _CJK_RUN.fullmatch(cleaned):
            return self.chinese_words.get(cleaned)
        return self.latin_phrases.get(tuple(cleaned.split()))

    def clean(self, text: str) -> str:
        """NFKC, casefold, simplified Chinese, no @mentions or leading /command, tidy spaces."""
        text = unicodedata.normalize("NFKC", text)[:MAX_QUESTION_CHARS]
        text = _LEADING_COMMAND.sub(" ", text.casefold())
        return _clean(_MENTION.sub(" ", text))

    def smalltalk(self, cleaned: str) -> str | None:
        """The smalltalk kind when the text is nothing but greetings or thanks."""
        if not self._smalltalk_pattern or not cleaned:
            return None
        found = [" ".join(m.group(0).split()) for m in self._smalltalk_pattern.finditer(cleaned)]
        if not found:
            return None
        rest = self._smalltalk_pattern.sub(" ", cleaned)
        leftover = [
            w
            for w in re.findall(f"[a-z0-9]+|[{_CJK}]", rest)
            if w not in ENGLISH_STOP_WORDS and w not in _CHINESE_PARTICLES
        ]
        return None if leftover else self.smalltalk_of[found[0]]

    def terms(self, cleaned: str, correct: Callable[[str], str] | None = None) -> list[str]:
        """Matcher terms of cleaned text; ``correct`` fixes misspelt words first."""
        text = cleaned
        if correct is not None:
            text = _LATIN_WORD.sub(lambda m: correct(m.group(0)), text)
        if _DIGIT.search(text):
            text = _NUMBER.sub(_number_token, text)
        return self._pieces_to_terms(text)[0]

    def terms_many(self, cleaned: list[str]) -> list[list[str]]:
        """``terms`` of each cleaned text, in one pass over one string."""
        text = _SEPARATOR.join(cleaned)
        if _DIGIT.search(text):
            text = _NUMBER.sub(_number_token, text)
        return self._pieces_to_terms(text)

    def _pieces_to_terms(self, text: str) -> list[list[str]]:
        results: list[list[str]] = [[]]
        terms = results[0]
        for number, latin, chinese, _separator in _PIECE.findall(text):
            if latin:
                self._latin_terms(latin.split(), terms)
            elif chinese:
                self._chinese_terms(chinese, terms)
            elif number:
                terms.append(sys.intern(number))
            else:
                terms = []
                results.append(terms)
        return results

    def _latin_terms(self, words: list[str], terms: list[str]) -> None:
        """Lexicon phrases (longest first) become group tokens; every word stays too, so the
        exact word a fact uses counts for more than a synonym of it."""
        position = 0
        stems = self._stems
        count = len(words)
        while position < count:
            length = 1
            longest = self.latin_first.get(words[position], 0)
            if not longest:  # the common case: a word that starts no lexicon phrase
                stemmed = stems.get(words[position], "")
                if stemmed == "":
                    stemmed = self._stem(words[position])
                if stemmed:
                    terms.append(stemmed)
                position += 1
                continue
            for size in range(min(longest, count - position), 0, -1):
                token = self.latin_phrases.get(tuple(words[position : position + size]))
                if token:
                    terms.append(token)
                    length = size
                    break
            for word in words[position : position + length]:
                stemmed = stems.get(word, "")
                if stemmed == "":
                    stemmed = self._stem(word)
                if stemmed:
                    terms.append(stemmed)
            position += length

    def _stem(self, word: str) -> str | None:
        """The term for a word (None for stop words), remembered: stemming is the hot path."""
        stemmed = None if word in ENGLISH_STOP_WORDS or len(word) < 2 else stem(word)
        self._stems[word] = stemmed
        return stemmed

    def _chinese_terms(self, run: str, terms: list[str]) -> None:
        """Lexicon words (longest first) become group tokens; the rest becomes bigrams."""
        if self._chinese_pattern is None or self._chinese_first_set.isdisjoint(run):
            _bigrams(run, terms)
            return
        rest_start = 0
        for found in self._chinese_pattern.finditer(run):
            word = found.group(0)
            _bigrams(run[rest_start : found.start()], terms)
            terms.append(self.chinese_words[word])
            _bigrams(word, terms)
            rest_start = found.end()
        _bigrams(run[rest_start:], terms)


_CHINESE_PARTICLES = frozenset("啊呀哦的了吧呢嗯") | {"bot"}


def _bigrams(run: str, terms: list[str]) -> None:
    """Character bigrams of a Chinese run, skipping those made only of function characters."""
    # Interned: one copy of each bigram however many facts use it (memory at 100,000 facts).
    if len(run) == 1:
        if run not in CHINESE_STOP_CHARACTERS:
            terms.append(sys.intern(run))
        return
    stop = CHINESE_STOP_CHARACTERS
    terms.extend(
        [
            sys.intern(run[i : i + 2])
            for i in range(len(run) - 1)
            if not (run[i] in stop and run[i + 1] in stop)
        ]
    )


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a few phrases, longest first; Latin words must stand alone."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        if re.search("[a-z0-9]", word):
            escaped = f"(?<![a-z0-9]){escaped}(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else None


# --------------------------------------------------------------------------------------------
# Index
# --------------------------------------------------------------------------------------------


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def build_index(knowledge: KnowledgeBase) -> Index:
    """Normalise every phrasing, keyword and answer once and build the lookup structures."""
    # Building allocates millions of small objects and no reference cycles; the cyclic garbage
    # collector would rescan them again and again (about a third of the build time at 100k).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_index(knowledge)
    finally:
        if collecting:
            gc.enable()


def _frozen(postings: defaultdict[str, array]) -> dict[str, array]:
    """The postings without their default (a lookup must never add an entry), not copied."""
    postings.default_factory = None
    return postings


def _build_index(knowledge: KnowledgeBase) -> Index:
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
    )


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------


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


def _weight(term: str, index: Index) -> float:
    weight = index.idf.get(term)
    if weight is not None:
        return weight
    if term[0] == _NUMBER_MARK:
        return index.max_idf
    if "a" <= term[0] <= "z":
        return UNKNOWN_WORD_WEIGHT
    return UNKNOWN_BIGRAM_WEIGHT


def _close_number(term: str, numbers: array) -> bool:
    """A figure within a factor of two of one the fact states (for "about 500" and the like)."""
    if not term.startswith(_NUMBER_MARK + "n"):
        return False
    value = float(term[2:])
    return any(0.5 <= value / v <= 2.0 for v in numbers if v)


def _contradictions(
    analysis: Analysis, position: int, covered: set[str], index: Index
) -> tuple[list[str], float]:
    """What the question names that the fact does not, and the factor it costs."""
    reasons: list[str] = []
    factor = 1.0
    flags = index.fact_flags[position]
    for term in analysis.terms:
        wants = index.group_wants.get(term)
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
            kind = index.group_kind.get(term)
            if kind in ("measure", "place", "entity") and term not in index.home_groups:
                reasons.append(f"{kind}:{term}")
                factor *= CONTRADICTION_FACTOR
        elif term.startswith(_NUMBER_MARK + "y"):
            reasons.append(f"year:{term[2:]}")
            factor *= CONTRADICTION_FACTOR
        elif term.startswith(_NUMBER_MARK) and not (
            analysis.approximate and _close_number(term, index.numbers_of(position))
        ):
            reasons.append(f"number:{term[2:]}")
            factor *= NUMBER_MISMATCH_FACTOR
    return reasons, factor


def _coverage(
    terms: tuple[str, ...], position: int, covered: set[str], index: Index, approximate: bool
) -> tuple[float, int, float]:
    """How much of the question the fact covers, its best phrasing (number), and how much of
    that phrasing the question covers."""
    hit = total = 0.0
    numbers = index.numbers_of(position)
    for term in terms:
        weight = _weight(term, index)
        total += weight
        if term in covered or (approximate and _close_number(term, numbers)):
            hit += weight
    ids = {index.term_ids[t] for t in terms if t in index.term_ids}
    best_number, best = -1, 0.0
    idf, start, all_terms = index.idf_by_id, index.phrasing_start, index.phrasing_terms
    for number in range(index.fact_phrasings[position], index.fact_phrasings[position + 1]):
        weight = index.phrasing_weight[number]
        if weight:
            share = (
                sum(idf[i] for i in all_terms[start[number] : start[number + 1]] if i in ids)
                / weight
            )
            if share > best:
                best, best_number = share, number
    return (hit / total if total else 0.0), best_number, best


def _phrasing_terms(index: Index, number: int) -> list[str]:
    start = index.phrasing_start
    return [index.terms_by_id[i] for i in index.phrasing_terms[start[number] : start[number + 1]]]


def _score(
    analysis: Analysis, segments: list[tuple[str, ...]], position: int, index: Index
) -> Candidate:
    fact = index.facts[position]
    covered = {t for t in analysis.terms if index.covers(t, position)}
    best_base, best_phrasing = 0.0, -1
    for terms in segments:
        question_coverage, phrasing, phrasing_coverage = _coverage(
            terms, position, covered, index, analysis.approximate
        )
        if any(index.group_kind.get(t) == "entity" for t in covered):
            # The question names a company or organisation the fact is about: even if no
            # stored phrasing asks it this way ("who is Hulton?"), the fact is a real candidate.
            phrasing_coverage = max(phrasing_coverage, NAMED_ENTITY_FLOOR)
            if phrasing < 0:
                phrasing = index.fact_phrasings[position]
        if phrasing < 0:
            continue
        similarity = (
            fuzz.token_set_ratio(
                " ".join(terms), " ".join(sorted(_phrasing_terms(index, phrasing))), processor=None
            )
            / 100.0
        )
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
    reasons, factor = _contradictions(analysis, position, covered, index)
    first = index.fact_phrasings[position]
    surface_of = index.normaliser.surface_of
    evidence = sum(
        index.idf[t]
        for t in covered
        if index.group_kind.get(t) != "question"
        and t not in index.home_groups
        and surface_of.get(t) not in covered
    )
    return Candidate(
        fact=fact,
        confidence=round(min(best_base * factor, 1.0), 4),
        phrasing=fact.questions[best_phrasing - first if best_phrasing >= 0 else 0],
        contradictions=tuple(reasons),
        evidence=evidence,
    )


def _candidate_positions(terms: tuple[str, ...], index: Index) -> list[int]:
    """Facts sharing informative terms with the question, best first (inverted index)."""
    scores: dict[int, float] = defaultdict(float)
    usable = sorted(
        (t for t in terms if t in index.postings), key=lambda t: len(index.postings[t])
    )
    visited = 0
    for term in usable:
        posting = index.postings[term]
        if scores and (
            len(posting) > MAX_POSTING_FOR_CANDIDATES or visited > MAX_POSTINGS_VISITED
        ):
            break  # rarer terms already found the candidates; common ones only add noise
        weight = index.idf[term]
        for fact_position in posting[:MAX_POSTING_FOR_CANDIDATES]:
            scores[fact_position] += weight
        visited += min(len(posting), MAX_POSTING_FOR_CANDIDATES)
    return heapq.nlargest(CANDIDATES_TO_SCORE, scores, key=scores.__getitem__)


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
        (_score(analysis, segments, p, index) for p in positions),
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
