"""The index: every phrasing, keyword and answer normalised once, and the lookup structures.

Pure and I/O-free; built once when the fact base loads.
"""

from __future__ import annotations

import gc
import math
import operator
import re
import sys
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, chain, islice, repeat

from bot.decision import HEURISTIC, DecisionModel
from bot.knowledge import Fact, KnowledgeBase
from bot.normalise import (
    _BATCH,
    _CJK,
    _DIGIT,
    _LATIN_WORD,
    _NUMBER,
    _NUMBER_MARK,
    _SEPARATOR,
    ENGLISH_STOP_WORDS,
    Normaliser,
    _bigrams,
    _clean,
    _clean_texts,
    _number_token,
    year_token,
)
from bot.years import mark_years

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

    @cached_property
    def vocabulary_by_initial(self) -> dict[str, list[str]]:
        """The fact base's words by first letter (typo correction of long words)."""
        by_initial: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.vocabulary):
            by_initial[word[0]].append(word)
        return dict(by_initial)

    @cached_property
    def deletions(self) -> dict[str, tuple[str, ...]]:
        """Each word of four letters or more with one letter deleted -> up to 8 words it comes
        from (typo correction by symmetric deletion). Built on the first word to correct, not
        with the index: most fact bases answer many questions before the first typo."""
        deletions: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.vocabulary):
            if len(word) >= 4:
                for deleted in _deletions(word):
                    if len(deletions[deleted]) < 8:
                        deletions[deleted].append(word)
        # Kept as tuples, one value at a time: a list keeps room to grow (memory at 100k facts).
        table: dict[str, tuple[str, ...]] = {}
        while deletions:
            deleted, words = deletions.popitem()
            table[deleted] = tuple(words)
        return table

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


#: Marks a Chinese lexicon word cut out of its run (see ``_split_words``).
_WORD_MARK = "\ue002"


#: Distinct figures remembered while building (as tokens, and in ``_number_tokens``): the first
#: ones seen, which are the common ones (years); most figures are one fact's own. Other tokens
#: (words, phrases, Chinese runs) repeat more: the first ``_TOKEN_MEMO_LIMIT`` are remembered.
#: Later ones are worked out each time: a memo of every one would cost more memory at the peak
#: than it saves time (at 100,000 synthetic facts: 118,000 distinct tokens, 5.8 million uses).
_FIGURE_MEMO_LIMIT = 5_000
_TOKEN_MEMO_LIMIT = 50_000


class _TermIds(dict[str, int]):
    """Term -> id; a term seen for the first time gets the next id and an empty posting."""

    def __init__(self) -> None:
        super().__init__()
        self.terms: list[str] = []
        self.postings: list[array] = []

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        self.terms.append(term)
        self.postings.append(array("i"))
        return number


class _TokenTerms(dict[str, tuple[int, ...]]):
    """A token of cleaned text -> the ids of its terms, worked out once however many texts use it.

    Tokens (see ``_token_pattern``) are what ``Normaliser.terms`` turns into terms independently
    of their neighbours: a figure, a multi-word lexicon phrase, a word or a Chinese run.
    """

    def __init__(self, normaliser: Normaliser, term_ids: _TermIds):
        super().__init__()
        self.normaliser = normaliser
        self.term_ids = term_ids
        #: Term ids of figures and years (they set the fact's flags), as a set: a set
        #: intersects another set by walking the smaller one.
        self.number_ids: set[int] = set()
        self.figures_remembered = 0
        self[_SEPARATOR] = (_SEPARATOR_ID,)

    def __missing__(self, token: str) -> tuple[int, ...]:
        first = token[0]
        if first == _NUMBER_MARK:
            # As questions have it (compared by identity). Figures are mostly one fact's own:
            # only the first ones (years, the common ones) are remembered.
            ids: tuple[int, ...] = (self.term_ids[sys.intern(token)],)
            self.number_ids.add(ids[0])
            if self.figures_remembered < _FIGURE_MEMO_LIMIT:
                self.figures_remembered += 1
                self[token] = ids
            return ids
        terms: list[str] = []
        if first == _WORD_MARK:
            terms.append(self.normaliser.chinese_words[token[1:]])
            _bigrams(token[1:], terms)
        elif "a" <= first <= "z":
            self.normaliser._latin_terms(token.split(), terms)
        else:
            _bigrams(token, terms)  # a Chinese run without lexicon words (see _split_words)
        ids = tuple(map(self.term_ids.__getitem__, terms))
        if len(self) < _TOKEN_MEMO_LIMIT:
            self[token] = ids
        return ids


def _token_pattern(normaliser: Normaliser) -> re.Pattern[str]:
    """Cuts cleaned text into tokens: figures, multi-word lexicon phrases, words, Chinese runs,
    and the separator between texts (so that a whole batch of texts is cut in one call).

    The phrases are tried first at each word, longest first, as a trie of words (each branch
    fails on its first letter), so they are found as ``Normaliser._latin_terms`` finds them:
    leftmost, longest at each position, not overlapping. Every other word is a token of its own.
    """
    gap = "[^\\S\x01]+"
    trie: dict[str, dict] = {}
    for phrase in normaliser.latin_phrases:
        if len(phrase) > 1 and all(map(_LATIN_WORD.fullmatch, phrase)):
            node = trie
            for word in phrase:
                node = node.setdefault(word, {})
            node[""] = {}

    def alternatives(node: dict[str, dict], first: bool) -> str:
        # Word -> what must follow it. The options exclude each other (each needs a space or
        # the end of the word after it), so their order does not matter and words sharing
        # letters can share a branch (see ``_by_letter``).
        options: dict[str, str] = {}
        for word, child in node.items():
            if not word:
                continue
            longer = f"{gap}(?:{alternatives(child, False)})" if len(child) > ("" in child) else ""
            if first or "" not in child:
                options[word] = longer
            elif longer:
                options[word] = f"(?:{longer}|(?![a-z0-9]))"
            else:
                options[word] = "(?![a-z0-9])"
        return _by_letter(options)

    phrases = f"(?:{alternatives(trie, True)})|" if trie else ""
    return re.compile(
        f"{_NUMBER_MARK}[^\\s\x01]+|{_WORD_MARK}[{_CJK}]+|{phrases}[a-z][a-z0-9]*|[{_CJK}]+"
        f"|{_SEPARATOR}"
    )


#: Letters of a word shared by ``_by_letter``: the first few tell most words apart, and a
#: shallow pattern keeps the regex parser's recursion bounded (12 words of a phrase, each a level).
_SHARED_LETTERS = 3


def _by_letter(options: dict[str, str], depth: int = 0) -> str:
    """An alternation of ``word + what follows it`` for mutually exclusive options, with the
    words' first letters shared, one letter at a time: the regex engine then tries a couple
    of branches at each word of the text, not one per phrase (the phrases were half the time
    of cutting text into tokens). Words are lexicon words (``[a-z][a-z0-9]*``: no escaping)."""
    if depth == _SHARED_LETTERS:
        return "|".join(word + follows for word, follows in sorted(options.items()))
    by_first: dict[str, dict[str, str]] = {}
    for word, follows in options.items():
        by_first.setdefault(word[:1], {})[word[1:]] = follows
    branches = []
    for letter, rests in sorted(by_first.items()):
        if not letter:  # the word ended here
            branches.append(rests[""])
        elif len(rests) == 1:
            ((rest, follows),) = rests.items()
            branches.append(letter + rest + follows)
        else:
            branches.append(f"{letter}(?:{_by_letter(rests, depth + 1)})")
    return "|".join(branches)


def _word_splitter(normaliser: Normaliser) -> Callable[[str], str]:
    """Chinese lexicon words as tokens of their own, cut out of their runs in one C-level pass.

    ``Normaliser._chinese_terms`` finds the same words (same pattern, leftmost, longest first)
    and makes bigrams of the text between them, never across them: so the rest of each run is
    a token whose terms are its bigrams, and few such pieces are new (names, mostly).
    """
    if normaliser._chinese_pattern is None:
        return str
    # The same pattern as a group: ``re.split`` then hands out the text between the words and
    # the words in turn, and each word is marked by a lookup, with no Python call per word.
    cut = re.compile(f"({normaliser._chinese_pattern.pattern})").split
    marked = {word: f" {_WORD_MARK}{word} " for word in normaliser.chinese_words}.__getitem__

    def split(text: str) -> str:
        pieces = cut(text)
        pieces[1::2] = map(marked, pieces[1::2])
        return "".join(pieces)

    return split


def _number_tokens(text: str, memo: dict[str, str]) -> str:
    """``_NUMBER.sub(_number_token, text)``, remembering figures whose token needs no context.

    Only a one- or two-digit number can be a day next to a month name, and only a number after
    第 is an ordinal; every other figure is the same token wherever it stands. Where the text
    has a 第, a remembered figure is first checked not to stand after one.
    """

    def token(match: re.Match[str]) -> str:
        whole = match.group(0)
        found = memo.get(whole)
        if found is not None:
            return found
        found = _number_token(match)
        start = match.start()
        context_free = len(match.group(1)) > 2 and match.string[start - 1 : start] != "第"
        if context_free and len(memo) < _FIGURE_MEMO_LIMIT:
            memo[whole] = found
        return found

    def token_in_context(match: re.Match[str]) -> str:
        start = match.start()
        if match.string[start - 1 : start] == "第":
            return _number_token(match)
        return token(match)

    text = mark_years(text, year_token, ENGLISH_STOP_WORDS)
    if not _DIGIT.search(text):
        return text
    return _NUMBER.sub(token_in_context if "第" in text else token, text)


_append = array.append
#: Term ids up to this fit in two bytes (``array("H")``).
_TWO_BYTE_IDS = 65_535
#: Stands for the separator between texts among term ids (no term has a negative id).
_SEPARATOR_ID = -1


def _ids_by_text(
    joined: str,
    count: int,
    tokens_of: Callable[[str], list[str]],
    ids_of: Callable[[str], tuple[int, ...]],
) -> list[dict[int, None]]:
    """The term ids of each of the ``count`` texts joined by ``_SEPARATOR``, in order, once each:
    the whole string is cut and looked up in C-level calls, then cut back into texts."""
    if not count:
        return []
    flat = list(chain.from_iterable(map(ids_of, tokens_of(joined))))
    flat.append(_SEPARATOR_ID)
    find = flat.index
    texts = []
    start = 0
    for _ in range(count):
        end = find(_SEPARATOR_ID, start)
        texts.append(dict.fromkeys(flat[start:end]))
        start = end + 1
    return texts


def _texts_ids(
    cleaned: tuple[str, str, list[bool]],
    number_memo: dict[str, str],
    split_words: Callable[[str], str],
    tokens_of: Callable[[str], list[str]],
    ids_of: Callable[[str], tuple[int, ...]],
) -> list[dict[int, None]]:
    """The term ids of each text (in order, once each), from ``_clean_texts``."""
    plain, other, is_plain = cleaned
    found_plain = _ids_by_text(
        _number_tokens(plain, number_memo), is_plain.count(True), tokens_of, ids_of
    )
    found_other = _ids_by_text(
        split_words(_number_tokens(other, number_memo)), is_plain.count(False), tokens_of, ids_of
    )
    if not found_other:
        return found_plain
    if not found_plain:
        return found_other
    plains, others = iter(found_plain), iter(found_other)
    return [next(plains) if flag else next(others) for flag in is_plain]


def _phrasing_weights(terms: array, starts: array, idf_by_id: list[float]) -> array:
    """Each phrasing's weight, the sum of its terms' IDF: differences of running sums, in C,
    a slice at a time (a running sum over all phrasings at once is a lot of memory)."""
    weights = array("f")
    idf_of = idf_by_id.__getitem__  # a list hands out its floats; an array boxes anew
    for first in range(0, len(starts) - 1, _BATCH * 64):
        bounds = starts[first : first + _BATCH * 64 + 1]
        running = array("d", accumulate(map(idf_of, terms[bounds[0] : bounds[-1]]), initial=0))
        ends = [running[bound - bounds[0]] for bound in bounds]
        weights.extend(map(operator.sub, ends[1:], ends[:-1]))
    return weights


def _build_index(knowledge: KnowledgeBase, decision: DecisionModel) -> Index:
    normaliser = Normaliser(knowledge.lexicon)
    term_ids = _TermIds()
    token_pattern = _token_pattern(normaliser)
    token_terms = _TokenTerms(normaliser, term_ids)
    number_memo: dict[str, str] = {}
    # Two bytes per term id while there are few enough terms (most fact bases), else four.
    phrasing_terms, phrasing_start, fact_phrasings = array("H"), array("i", [0]), array("i", [0])
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
    fact_lists = term_ids.postings
    ids_of, tokens_of = token_terms.__getitem__, token_pattern.findall
    split_words = _word_splitter(normaliser)

    flags_of = {"y": _HAS_DATE, "p": _HAS_FIGURE | _HAS_PERCENT}
    texts_ids: list[dict[int, None]] = []
    for start in range(0, len(facts), _BATCH):
        batch = facts[start : start + _BATCH]
        # The texts of a batch of facts are normalised in one pass over one long string (kept
        # apart by a separator no pattern crosses), then cut into tokens whose terms are worked
        # out once: per-call overhead, not per-character work, dominates building text by text.
        questions = _clean_texts([text for fact in batch for text in fact.questions])
        # Keywords and answers say what a fact covers; only the questions are phrasings.
        documents = _clean_texts(
            [
                " ; ".join((*fact.keywords, fact.answer.en, fact.answer.zh, fact.as_of))
                for fact in batch
            ]
        )
        for cleaned in questions[:2]:
            word_counts.update(_LATIN_WORD.findall(cleaned))
        for cleaned in documents[:2]:
            raw_words.update(_LATIN_WORD.findall(cleaned))
        texts_ids = [
            ids
            for cleaned in (questions, documents)
            for ids in _texts_ids(cleaned, number_memo, split_words, tokens_of, ids_of)
        ]
        if len(term_ids) > _TWO_BYTE_IDS and phrasing_terms.typecode == "H":
            phrasing_terms = array("i", phrasing_terms)
        answers = len(texts_ids) - len(batch)
        # Phrasings in bulk: their term ids one after the other, and where each one ends.
        phrasing_terms.extend(chain.from_iterable(texts_ids[:answers]))
        phrasing_start.extend(
            islice(accumulate(map(len, texts_ids[:answers]), initial=phrasing_start[-1]), 1, None)
        )
        counts = [len(fact.questions_en) + len(fact.questions_zh) for fact in batch]
        fact_phrasings.extend(islice(accumulate(counts, initial=fact_phrasings[-1]), 1, None))
        next_question = 0
        for offset, count in enumerate(counts):
            document = set().union(
                *texts_ids[next_question : next_question + count], texts_ids[answers + offset]
            )
            next_question += count
            position = start + offset
            # posting.append(position) for every term, in one C-level loop
            deque(map(_append, map(fact_lists.__getitem__, document), repeat(position)), 0)
            flags = 0
            for term_id in document & token_terms.number_ids:
                term = term_ids.terms[term_id]
                kind = term[1]
                flags |= flags_of.get(kind, _HAS_FIGURE)
                if kind == "n":
                    number_values.append(float(term[2:]))
            fact_numbers.append(len(number_values))
            fact_flags.append(flags)
    # Only what the index keeps from here on (peak memory): no memos, and ids only for the
    # terms of phrasings (the only ones looked up by id), in a dict of their own.
    postings, terms_by_id = term_ids.postings, term_ids.terms
    del term_ids, token_terms, ids_of, number_memo, texts_ids  # the last batch's too
    phrasing_ids = {terms_by_id[i]: i for i in sorted(set(phrasing_terms))}
    total = max(len(knowledge.facts), 1)
    idf_values = [math.log(1 + total / len(p)) for p in postings]
    idf_by_id = array("d", idf_values)
    # The dict and the weights share the list's floats: read from the array, each would be a
    # new float object, twice over (memory at the build's peak, at 100,000 facts).
    idf = dict(zip(terms_by_id, idf_values, strict=True))
    max_idf = math.log(1 + total)
    for group in normaliser.group_kind:
        idf.setdefault(group, max_idf)
    phrasing_weight = _phrasing_weights(phrasing_terms, phrasing_start, idf_values)
    del idf_values
    raw_words.update(word_counts)
    return Index(
        knowledge=knowledge,
        normaliser=normaliser,
        facts=knowledge.facts,
        term_ids=phrasing_ids,
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
        postings=dict(zip(terms_by_id, postings, strict=True)),
        vocabulary=frozenset(raw_words),
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
