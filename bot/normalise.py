"""Turn any text into matcher terms, the same way for stored phrasings and questions.

NFKC and case folding, traditional to simplified Chinese (OpenCC), numbers as values
(``133 billion`` = ``1330亿``), years, English stems, Chinese character bigrams and lexicon groups.
Pure and I/O-free.
"""

from __future__ import annotations

import operator
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress

from bot.knowledge import Lexicon
from bot.numerals import read_numerals
from bot.years import fold_digits, mark_years, read_spelled_years, split_glued_years

#: Questions are cut to this many characters before matching; nobody asks longer.
MAX_QUESTION_CHARS = 1000
#: Lexicon kinds that name one thing: a multi-word name is one term, its words never read alone.
NAME_KINDS = frozenset({"entity", "place"})

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
    "的是有了吗呢么什怎样多少哪几个在和与及或就都也还这那我你他她它们请问一下共吧啊呀要想能会该把被给对从到为谁何"
)

#: Characters that only ever ask or end a question (怎么, 什么, 吗, 呢, 哪, 谁...): a bigram of one
#: of them and the character beside it (测怎, 叫什) is no word, so none is made.
CHINESE_QUESTION_CHARACTERS = frozenset("什么怎吗呢吧啊呀嘛哪谁啥咋哦嗯呗")

APPROXIMATE_MARKERS = re.compile(
    r"~|≈|\b(?:about|around|approximately|approx|roughly|nearly|almost|some|circa|over|more than|"
    r"less than|under|close to|like|i think|i heard|is that right|is it true|correct|right)\b|"
    r"约|大约|大概|左右|将近|接近|超过|差不多|上下|对吗|是吗|对不对|听说"
)

# A figure not glued to a word, a figure or a decimal point before it. The pattern starts with
# a digit (that check comes right after it) so that the regex engine skips to digits quickly.
_NUMBER = re.compile(
    r"(\d(?<![0-9a-z.]\d)(?:\d{0,2}(?:,\d{3})+|\d*(?:\.\d+)?))\s*"
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
    if len(digits) <= 2 and (
        _SCHOOL_YEAR_BEFORE.search(match.string, max(0, match.start() - 8), match.start())
        or _SCHOOL_YEAR_AFTER.match(match.string, match.end())
    ):
        return " "  # a school year ("Year 9", "grade 10", 九年级) is neither a figure nor a year
    value = float(digits.replace(",", ""))
    if unit in ("st", "nd", "rd", "th") or match.string[match.start() - 1 : match.start()] == "第":
        return f" {_NUMBER_MARK}o{digits} {unit if unit not in ('st', 'nd', 'rd', 'th') else ''} "
    if unit in ("percent", "per cent") and value.is_integer() and 1900 <= value <= 2100:
        # "stake 2005 percent": a year and the percentage asked, not 2005%
        return f" {_NUMBER_MARK}y{int(value)} {unit} "
    if unit in ("%", "percent", "per cent"):
        return f" {_NUMBER_MARK}p{value:g} "
    if not unit and value.is_integer() and 1900 <= value <= 2100 and "," not in digits:
        return f" {_NUMBER_MARK}y{int(value)} "
    value *= _MULTIPLIERS.get(unit, 1.0)
    return f" {_NUMBER_MARK}n{value:.6g} "


def year_token(value: str) -> str:
    """The term of a year, or of a period a year's neighbours name (``b2020``: before 2020;
    ``last``: last year), set apart from the text around it."""
    return f" {_NUMBER_MARK}y{value} "


def _clean_batch(texts: list[str]) -> str:
    """``_clean`` of each text, joined by ``_SEPARATOR``, done in one pass over one string."""
    # _only_text takes every run of spaces and punctuation at once: no double spaces are left,
    # so splitting and joining the words again (as ``_clean`` does) would change nothing.
    return _clean_characters(_SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts))


def _clean_texts(texts: list[str]) -> tuple[str, str, list[bool]]:
    """``_clean_batch`` of the plain ASCII texts and of the others, and which text is which.

    Most English text is ASCII: it only needs lowercasing, not NFKC, case folding, OpenCC or
    cutting out Chinese words, which cost per character however little Chinese there is.
    Nothing here looks across ``_SEPARATOR``, so cleaning the two groups apart changes nothing.
    """
    plain = list(map(str.isascii, texts))
    return (
        _clean_batch(list(compress(texts, plain))),
        _clean_batch(list(compress(texts, map(operator.not_, plain)))),
        plain,
    )


def _clean(text: str) -> str:
    """NFKC, casefold, simplified Chinese, dates without day numbers, only words and figures."""
    return " ".join(_clean_characters(text.replace(_SEPARATOR, " ")).split())


def _clean_characters(text: str) -> str:
    # Most English text is ASCII: nothing for NFKC or OpenCC to do.
    if text.isascii():
        text = text.lower()
    else:
        text = fold_digits(read_numerals(to_simplified(_nfkc(text).casefold())))
    text = read_spelled_years(text)  # "twenty nineteen" is 2019
    if _DIGIT.search(text):
        text = split_glued_years(text)  # FY2019 is 2019
    if "-" in text:
        text = _ISO_DATE_TAIL.sub("", text)  # 2021-08-10 is the year 2021
    text = _APOSTROPHE.sub("", text)  # "gree's" is about "gree"; "don't" is "dont"
    if any(word in text for word in _ORDINALS):  # "second batch" is the 2nd, like "2nd batch"
        text = _ORDINAL_WORD.sub(lambda m: _ORDINALS[m.group(0)], text)
    return _only_text(text)


def _only_text(text: str) -> str:
    """Each run of characters that are not words, figures or the separator as one space."""
    if not text.isascii():
        return _NOT_TEXT.sub(" ", text)
    text = text.translate(_NOT_TEXT_ASCII)
    return _SPACES.sub(" ", text) if "  " in text else text


_DIGIT = re.compile(r"\d")
#: Keeps texts apart when many are normalised as one string: no pattern here matches it.
_SEPARATOR = "\x01"
_BATCH = 500
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# Starts with a literal so the regex engine skips quickly to candidates.
_ISO_DATE_TAIL = re.compile(r"-(?<=(?:19|20)\d\d-)\d\d?(?:-\d\d?)?(?!\d)")
_MONTH_AFTER = re.compile(rf"\s*(?:of\s+)?(?:{_MONTHS})\b")
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\s+$")
#: A school year or class: "Year 9", "grade 10", "form 3", 九年级 (read as 9年级), 初3, 高2.
_SCHOOL_YEAR_BEFORE = re.compile(r"(?:\b(?:year|yr|grade|form)\s+|[初高])$")
_SCHOOL_YEAR_AFTER = re.compile(r"\s*(?:年级|年級)")
_ORDINAL_WORDS = "second third fourth fifth sixth seventh eighth ninth tenth"
_ORDINALS = {word: f"{n}th" for n, word in enumerate(_ORDINAL_WORDS.split(), start=2)}
_ORDINAL_WORD = re.compile(r"\b(?:" + "|".join(_ORDINALS) + r")\b")
_APOSTROPHE = re.compile(r"[’'`´](?:s\b)?")
_TEXT = f"a-z0-9{_CJK}%.,~\x01"  # words, figures and the separator between texts
#: Runs of anything else (each becomes one space). A space alone is left as it is (replacing it
#: changes nothing): most runs are one, and each replacement costs.
_NOT_TEXT = re.compile(f"[^{_TEXT} ][^{_TEXT}]*| [^{_TEXT}]+")
#: The same for ASCII text, a character at a time (``str.translate`` has a fast path for ASCII);
#: the runs of spaces that leaves are then made one.
_NOT_TEXT_ASCII = str.maketrans(
    {code: " " for code in range(128) if not re.match(f"[{_TEXT}]", chr(code))}
)
_SPACES = re.compile("  +")
#: Full-width forms of ASCII characters (！ to ～), which NFKC makes ASCII.
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, faster for Chinese text whose only change is
    full-width punctuation (？ and ， end most Chinese questions).

    ``normalize`` returns text at once when a quick check finds nothing to change, and
    otherwise works through every character. Each full-width form's compatibility decomposition
    is one ASCII character, which nothing decomposes or composes further: writing it in first
    leaves the decomposition of the whole text, and so its NFKC form, as it was, and often
    lets the quick check pass.
    """
    for char in set(_FULL_WIDTH.findall(text)):
        text = text.replace(char, chr(ord(char) - 0xFEE0))
    return unicodedata.normalize("NFKC", text)


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
        #: Group token -> the attribute value it names (``turnover``, ``midea``), if any.
        self.group_name: dict[str, str] = {}
        for number, group in enumerate(lexicon.groups):
            token = f"{_GROUP_MARK}{number}"
            self.group_kind[token] = group.kind
            if group.name:
                self.group_name[token] = group.name
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
            re.compile(_longest_first(self.chinese_words)) if self.chinese_words else None
        )
        #: Two-character lexicon words split by 的, 了 or 过 at the end of a clause, as
        #: separable verbs are in speech (上的市, 起的家, 投的钱): read as the word.
        self._separated = _separated_pattern(w for w in self.chinese_words if len(w) == 2)
        #: Colloquial, Cantonese and regional forms -> their standard Mandarin reading.
        self.readings = {r.form: r.standard for r in lexicon.readings}
        self._reading_pattern = (
            re.compile(_longest_first(self.readings)) if self.readings else None
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
        #: Conversation phrases ("source?", "tell me more"): alone, they ask about the
        #: conversation, not about a fact.
        self.conversation_phrases = frozenset(
            _clean(word) for talk in lexicon.conversation for word in talk.words
        )
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
        """NFKC, casefold, colloquial forms read as standard Mandarin, simplified Chinese, no
        @mentions or leading /command, tidy spaces."""
        text = unicodedata.normalize("NFKC", text)[:MAX_QUESTION_CHARS]
        text = _LEADING_COMMAND.sub(" ", text.casefold())
        cleaned = _clean(self._read_forms(_MENTION.sub(" ", text))[:MAX_QUESTION_CHARS])
        if self._separated is not None and _SEPARATING.search(cleaned):
            cleaned = self._separated.sub(_joined, cleaned)
        return cleaned

    def read(self, text: str) -> str:
        """The text with its colloquial, Cantonese and regional forms read as standard Mandarin
        (邊個 -> 谁, 啥 -> 什么, the lexicon's ``readings``), in simplified Chinese; punctuation,
        case and English kept. What question-word and sentence patterns are matched against."""
        if text.isascii():
            return text
        read = self._read_forms(unicodedata.normalize("NFKC", text)[:MAX_QUESTION_CHARS])
        return to_simplified(read[:MAX_QUESTION_CHARS])

    def _read_forms(self, text: str) -> str:
        """Each reading's form (longest first, as written: before the traditional characters
        become simplified, so 關係 is not read as 係) replaced by its standard form."""
        if self._reading_pattern is None or text.isascii():
            return text
        readings = self.readings

        def standard(found: re.Match[str]) -> str:
            read = readings[found.group(0).casefold()]
            if read == "谁" and found.group(0)[-1] in "個个":
                following = text[found.end() : found.end() + 1]
                if _CJK_RUN.match(following) and following not in _WHO_FOLLOWERS:
                    return "哪个"  # 邊個區, 邊個部門: "which", before a noun
            return read

        return self._reading_pattern.sub(standard, text)

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
        text = mark_years(text, year_token, ENGLISH_STOP_WORDS)
        if _DIGIT.search(text):
            text = _NUMBER.sub(_number_token, text)
        return self._pieces_to_terms(text)[0]

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
            if length > 1 and self.group_kind.get(terms[-1]) in NAME_KINDS:
                # A name is one thing: "Zhong Yuan" is a person, not the currency "yuan".
                terms.append(sys.intern("_".join(words[position : position + length])))
                position += length
                continue
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

_SEPARATING = re.compile("[的了过]")


def _separated_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex finding a two-character word split by 的, 了 or 过 and ending a clause (the end,
    a space, a closing particle or 没/未 of "... or not" follow): 美的啥时候上的市 is 上市,
    是谁投的钱 is 投钱, 上了市没有 is 上市了没有."""
    pairs = sorted({f"{re.escape(w[0])}[的了过]{re.escape(w[1])}" for w in words})
    if not pairs:
        return None
    return re.compile(f"(?:{'|'.join(pairs)})(?=$| |[啊呀吗呢吧啦嘛哦没未])")


def _joined(found: re.Match[str]) -> str:
    """上的市 -> 上市的: the word whole, the particle after it."""
    split = found.group(0)
    return split[0] + split[2] + split[1]


#: 邊個 (邊 "which" and the classifier 個) asks "who" before a verb, a particle or nothing
#: (邊個簽發, 係邊個？) and "which" before a noun (邊個區, 邊個部門). A form read as 谁 that
#: ends in 個 is read as 哪个 when a Chinese character follows that starts none of these (as
#: written: forms are read before the traditional characters become simplified).
_WHO_FOLLOWERS = frozenset(
    "係系是為为嘅的㗎咗了呀啊啦嚟喎呢吖嘛先又都仲會会可能要想將将在喺同和跟有冇無无"
    "做搞寫写簽签發发創创辦办建成設设開开負负管領领帶带批推提申投收買买賣卖擁拥持"
    "話话講讲說说知識识主出拿攞揀拣選选評评審审認认定編编拍報报公頒颁下印起首最"
)


def _bigrams(run: str, terms: list[str]) -> None:
    """Character bigrams of a Chinese run, skipping those made only of function characters."""
    # Interned: one copy of each bigram however many facts use it (memory at 100,000 facts).
    if len(run) == 1:
        if run not in CHINESE_STOP_CHARACTERS:
            terms.append(sys.intern(run))
        return
    stop = CHINESE_STOP_CHARACTERS
    asking = CHINESE_QUESTION_CHARACTERS
    terms.extend(
        [
            sys.intern(run[i : i + 2])
            for i in range(len(run) - 1)
            if not (run[i] in stop and run[i + 1] in stop)
            and run[i] not in asking
            and run[i + 1] not in asking
        ]
    )


#: Words up to this long share a trie in ``_longest_first``; longer ones (rare) are tried first,
#: one by one, which keeps the pattern's nesting (and the regex parser's recursion) shallow.
_TRIE_WORD_LENGTH = 8


def _longest_first(words: Iterable[str]) -> str:
    """A regex finding the longest of ``words`` at each position, as the alternation of the words
    longest first does, but with the words as a trie of characters: the regex engine then tries
    one branch per character of the text, not every word, and skips quickly to a character that
    starts one."""
    words = sorted(words, key=len, reverse=True)
    # Every long word is longer than every word of the trie: tried first, longest first, the
    # first to match is still the longest.
    long = [re.escape(word) for word in words if len(word) > _TRIE_WORD_LENGTH]
    trie: dict[str, dict] = {}
    for word in words[len(long) :]:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def branches(node: dict[str, dict]) -> str:
        # Each branch starts with its own character, so at most one can go on at a time; a
        # word ending here is the shorter choice, taken only when no longer word matches.
        options = [
            re.escape(character) + following(child)
            for character, child in sorted(node.items())
            if character
        ]
        return "|".join(options)

    def following(node: dict[str, dict]) -> str:
        if len(node) == ("" in node):
            return ""
        longer = branches(node)
        if "" in node:
            return f"(?:{longer})?"
        return longer if len(node) == 1 else f"(?:{longer})"

    return "|".join([*long, branches(trie)] if trie else long)


def _alternation(words: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a few phrases, longest first; Latin words must stand alone."""
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word).replace(r"\ ", r"\s+")
        if re.search("[a-z0-9]", word):
            # "Not after a letter or digit", checked after the first character: a pattern whose
            # every branch starts with a character is searched for that character quickly.
            first = re.escape(word[0])
            rest = re.escape(word[1:]).replace(r"\ ", r"\s+")
            escaped = f"{first}(?<![a-z0-9]{first}){rest}(?![a-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else None
