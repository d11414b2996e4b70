"""Years however they are written, and years the words around them move.

Read while cleaning (on casefolded text): every Unicode decimal digit as the ASCII digit it
writes (٢٠١٩, ۲۰۱۹ and २०१९ are 2019), a year glued to the letters before it (FY2019, CY2019)
as the year, and spelled-out English years ("twenty nineteen", "two thousand and five",
"nineteen sixty-eight") as figures. Two Chinese digits before 年 (一九年) are read with the other
Chinese numerals (``bot.numerals``).

Read into terms (on cleaned text, before figures become terms): a year moved by one ("the year
before 2020", "a year after 2020", 2020年前一年, 2020年的后一年) is the year it names (2019,
2021); a year before or after which something is asked ("before 2020", "prior to 2020",
"post-2020", 2020年之前, 2020年以后) is a period that is not the year written (``b2020``,
``a2020``: a fact of 2020 does not answer it); a year relative to today ("last year", "this
year", 去年, 今年, 明年, 前年) is one no fact's period is known to be (``last``, ``this``,
``next``, ``before-last``): the engine keeps no clock, so a dated figure is not passed off as
last year's or this year's. What stays the year written: 2010年前后
(around 2010), 2020年前三季度 (the first three quarters of 2020), "in 2020, before the
pandemic", "after the 2021 list" (the list of 2021).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

#: A digit that is not ASCII (Python's ``\d`` matches every Unicode decimal digit).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def fold_digits(text: str) -> str:
    """Every Unicode decimal digit as its ASCII digit (NFKC leaves ٢٠١٩ as it is)."""
    if not _OTHER_DIGIT.search(text):
        return text
    return _OTHER_DIGIT.sub(lambda found: str(unicodedata.decimal(found.group(0))), text)


#: One to three letters glued to a year (fy2019, cy2019, fy2016/17): the letters and the year.
_GLUED = re.compile(r"(?<![a-z0-9])([a-z]{1,3})((?:19|20)\d\d)(?![0-9])")


#: A letter then a year, found from the year's digits (quicker to look for than ``_GLUED``,
#: which needs it).
_LETTER_YEAR = re.compile(r"[12][09]\d\d(?<=[a-z](?:19|20)\d\d)")


def split_glued_years(text: str) -> str:
    """A year glued to one to three letters before it (FY2019) set apart from them."""
    if not _LETTER_YEAR.search(text) or not _GLUED.search(text):
        return text
    return _GLUED.sub(r"\1 \2", text)


_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_TEENS += ("eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_VALUE = {word: number for number, word in enumerate(_ONES, 1)}
_VALUE.update({word: number for number, word in enumerate(_TEENS, 10)})
_VALUE.update({word: number for number, word in enumerate(_TENS, 2)})  # tens: times ten below
_GAP = r"[\s-]+"
#: Ten to ninety-nine in words ("nineteen", "sixty-eight", "ninety three").
_TWO_DIGITS = (
    f"(?:(?P<{{n}}tens>{'|'.join(_TENS)})(?:{_GAP}(?P<{{n}}ones>{'|'.join(_ONES)}))?"
    f"|(?P<{{n}}teen>{'|'.join(_TEENS)}))"
)
_SPELLED_YEAR = re.compile(
    r"\b(?:"
    # "twenty nineteen", "nineteen sixty-eight", "nineteen oh five": the century, then two digits
    rf"(?P<century>nineteen|twenty){_GAP}(?:{_TWO_DIGITS.format(n='a')}|(?:oh|o){_GAP}"
    rf"(?P<oh>{'|'.join(_ONES)}))"
    # "two thousand nineteen", "two thousand and five" (not "two thousand" alone: a count)
    rf"|two{_GAP}thousand{_GAP}(?:and{_GAP})?(?:{_TWO_DIGITS.format(n='b')}"
    rf"|(?P<units>{'|'.join(_ONES)}))"
    # "two thousand five hundred" is a count
    rf")\b(?!{_GAP}(?:hundred|thousand|million|billion))"
)


def _spelled_year(found: re.Match[str]) -> str:
    if found.group("century"):
        hundreds = 1900 if found.group("century") == "nineteen" else 2000
        prefix = "a"
    else:
        hundreds, prefix = 2000, "b"
    if found.group("oh"):
        return str(hundreds + _VALUE[found.group("oh")])
    if found.group("units"):
        return str(hundreds + _VALUE[found.group("units")])
    teen = found.group(prefix + "teen")
    if teen:
        return str(hundreds + _VALUE[teen])
    ones = found.group(prefix + "ones")
    return str(
        hundreds + _VALUE[found.group(prefix + "tens")] * 10 + (_VALUE[ones] if ones else 0)
    )


def read_spelled_years(text: str) -> str:
    """Spelled-out English years as figures ("twenty nineteen" -> 2019)."""
    if "nineteen" not in text and "twenty" not in text and "thousand" not in text:
        return text
    return _SPELLED_YEAR.sub(_spelled_year, text)


#: A year, found first (a literal start the regex engine skips to); the words around it then
#: say whether it is moved.
_YEAR = re.compile(r"(?:19|20)(?<![0-9a-z.,]\d\d)\d\d(?![0-9]|[.,]\d)")
#: English, before the year: "the year before 2020" (the year it names), "before 2020", "before
#: the year 2020"; not "after the 2021 list" (after the list of 2021: the year names the list).
_WAYS = ("before", "prior to", "earlier than", "pre", "after", "later than", "post")
_WAY_BEFORE = re.compile(
    rf"(?:\b(?P<one>the|a|one) year )?\b(?P<way>{'|'.join(_WAYS)}) (?:the year )?$"
)
#: Chinese, after the year: 2020年前一年, 2020年的后一年 (the year it names); 2020年之前,
#: 2020年以后 and 2020年前 ending a clause (before or after it); never 2010年前后 (around 2010).
_WAY_AFTER = re.compile(
    r"年(?:的?(?P<by_one>[前后])一年|[之以](?P<way>[前后])|(?P<end>[前后])(?=的|[ ,.~]|$))"
)
#: How a window ends where ``_WAY_BEFORE`` may match ("before ", "post the year "; a
#: newline, since ``$`` matches before one too).
_WAY_BEFORE_ENDS = tuple(
    f"{way} {year}{end}" for way in _WAYS for year in ("", "the year ") for end in ("", "\n")
)
#: How far before a year its English words may start ("in the year prior to the year 2020").
_WINDOW = 32
_EARLIER = frozenset({"before", "prior to", "earlier than", "pre", "前"})


#: Years relative to today, as the value their token carries.
_RELATIVE = {
    "the year before last": "before-last",
    "year before last": "before-last",
    "last year": "last",
    "this year": "this",
    "current year": "this",
    "next year": "next",
    "前年": "before-last",
    "去年": "last",
    "今年": "this",
    "明年": "next",
}
_RELATIVE_PATTERN = re.compile(
    "|".join(
        # "Not after a letter", checked after the first character (a pattern whose every branch
        # starts with a character is searched for that character quickly).
        re.escape(words)
        if not words.isascii()
        else f"{words[0]}(?<![a-z0-9]{words[0]}){re.escape(words[1:])}(?![a-z0-9])"
        for words in sorted(_RELATIVE, key=len, reverse=True)
    )
)


def mark_years(text: str, token: Callable[[str], str], function_words: frozenset[str]) -> str:
    """Cleaned text with each year moved by one written as the year it names, and each year
    something is asked before or after as ``token(value)`` (``b2020``, ``a2020``). An English
    year followed by a word that is not one of ``function_words`` names that thing ("after 2021
    list": the list of 2021), not a time, and is not moved. A year relative to today is followed
    by ``token(value)`` (``last``, ``this``...)."""
    if ("年" in text or "year" in text) and _RELATIVE_PATTERN.search(text):
        text = _RELATIVE_PATTERN.sub(
            lambda found: found.group(0) + token(_RELATIVE[found.group(0)]), text
        )
    if _YEAR.search(text) and _may_move(text):
        text = _YEAR.sub(lambda found: _moved(found, token, function_words), text)
    return text


#: What must follow 年 where ``_WAY_AFTER`` matches (its lookahead left out).
_WAY_AFTER_START = re.compile(r"年(?:的?[前后]一年|[之以][前后]|[前后])")


def _may_move(text: str) -> bool:
    """Whether a year in the text may be moved: the words ``_moved`` looks for are there, before
    a year (each of ``_WAY_BEFORE_ENDS`` starts with a way and a space) or after one (年...).
    Most texts have none: no Python call is then made per year."""
    return any(f"{way} " in text for way in _WAYS) or (
        "年" in text and _WAY_AFTER_START.search(text) is not None
    )


#: The word after a year, if any (punctuation between them is a full stop or a comma).
_NEXT_WORD = re.compile(r"[ ,.~]*([a-z][a-z0-9]*)?")


def _moved(
    found: re.Match[str], token: Callable[[str], str], function_words: frozenset[str]
) -> str:
    year, start, text = found.group(0), found.start(), found.string
    window = text[max(0, start - _WINDOW) : start]
    # Most years follow no such words: the search is run only where the window ends as it must.
    words = _WAY_BEFORE.search(window) if window.endswith(_WAY_BEFORE_ENDS) else None
    if words is not None:
        following = _NEXT_WORD.match(text, found.end())
        if following and following.group(1) and following.group(1) not in function_words:
            return year  # "after 2021 list": the year names the list
    if words is None:
        words = _WAY_AFTER.match(text, found.end())
        if words is None:
            return year
    groups = words.groupdict()
    way = groups.get("by_one") or groups["way"] or groups.get("end")
    if groups.get("one") or groups.get("by_one"):
        return str(int(year) + (-1 if way in _EARLIER else 1))
    return token(("b" if way in _EARLIER else "a") + year)
