"""Chinese numerals read as Arabic figures (四百七十九 -> 479, 二零二零年 -> 2020年),
so that everything that reads a figure (counts, figures alone, years, ordinals) reads them.

Runs on simplified text (after OpenCC): 兩, 萬, 億 are 两, 万, 亿 by then. Only what
surely writes a figure is read: a numeral with a place value (十五, 四十三,
一千三百三十亿), four digits of a year (二零二零年, 一九九三) or two before 年
(一九年 is 2019年; not 五六年: five or six years), a percentage (百分之四十八点六),
and one digit from 2 to 10 before a counting word (三个, 两家, 十家). Words made
with numeral characters stay words: 三水, 一区五园, 万一, 千万, 十分, 五六个 (five
or six), 三大, 百强, 十三五; a count after 哪 (哪两个: "which two") is what is
asked for, not a figure; and 一 alone (一个, 一年) is no figure: "one" is never
the figure a question asks about.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_DIGITS.update({"五": 5, "六": 6, "七": 7, "八": 8, "九": 9})
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}
_NUMERAL = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_LARGE_UNITS)
#: Characters that may follow one numeral character for it to be a count (三个, 两家, 八月).
_COUNTING_WORDS = frozenset("个家间位项部只台种所批名次条座款类倍月日号")
_RUN = re.compile(f"(百分之)?([{_NUMERAL}]+)(?:点([{''.join(_DIGITS)}]+))?")
#: Longer runs write no figure anyone means (一千三百三十亿 is 7): left as written, which also
#: bounds the work and the size of the number (540 亿 in a row is too big to print).
_LONGEST_RUN = 16
#: Around a numeral, these make it approximate (几十亿, 数十亿, 四十几个, 四十来个, 一千三百多亿,
#: 三百余家): no exact figure is stated, so none is read.
_APPROXIMATE_BEFORE = frozenset("几数")
_APPROXIMATE_AFTER = frozenset("几多来余")
_UNITS = frozenset(_SMALL_UNITS) | frozenset(_LARGE_UNITS)
_FIRST = re.compile(f"[{_NUMERAL}]")
#: Two-digit years below this are in the 2000s (三零年 is 2030), from it in the 1900s (六八年).
_CENTURY_PIVOT = 50


def _value(run: str) -> int | None:
    """The value of a numeral with place values (四百七十九, 一千三百三十亿, 三万五), or None when
    the characters write no number (万一, 十三五, 千万 as "by all means" starts with a unit)."""
    if run[0] in _LARGE_UNITS or (run[0] in _SMALL_UNITS and run[0] != "十"):
        return None
    total = section = 0
    digit: int | None = None
    last_unit = 10**12
    for position, character in enumerate(run):
        if character in _DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row: 十三五, 五六
            digit = _DIGITS[character]
        elif character in _SMALL_UNITS:
            unit = _SMALL_UNITS[character]
            if unit >= last_unit or (digit == 0 and position):
                return None
            section += (1 if digit is None else digit) * unit
            last_unit, digit = unit, None
        else:
            unit = _LARGE_UNITS[character]
            if section == 0 and digit in (None, 0) and (total == 0 or character == "万"):
                return None
            if character == "万":  # multiplies its own section: 三亿五千万 is 350,000,000
                total += (section + (digit or 0)) * unit
            else:  # 亿 multiplies all before it: 一万亿 is 10**12
                total = (total + section + (digit or 0)) * unit
            section, digit, last_unit = 0, None, 10**12
    if digit is not None and digit != 0:
        previous = run[-2] if len(run) > 1 else ""
        if previous in _SMALL_UNITS and previous != "十":
            digit *= _SMALL_UNITS[previous] // 10  # 一千三 is 1300
        elif previous in _LARGE_UNITS:
            digit *= _LARGE_UNITS[previous] // 10  # 三万五 is 35000
        section += digit
    return total + section


def _figure(found: re.Match[str]) -> str:
    percent, run, decimals = found.group(1), found.group(2), found.group(3)
    if found.string[found.start() - 1 : found.start()] == "哪":
        return found.group(0)  # 哪两个: how many things are asked for, not a figure to check
    following = found.string[found.end() : found.end() + 1]
    preceding = found.string[found.start() - 1 : found.start()] if found.start() else ""
    if (
        len(run) > _LONGEST_RUN
        or following in _APPROXIMATE_AFTER
        # 几十, 数百: a unit after them ("企业数四百七十九" is "the number of firms: 479")
        or (preceding in _APPROXIMATE_BEFORE and run[0] in _UNITS)
    ):
        return found.group(0)
    if all(c in _DIGITS for c in run):
        if len(run) == 4 and (following == "年" or run[:2] in ("一九", "二零", "二〇")):
            return "".join(str(_DIGITS[c]) for c in run) + _rest(found, 2)  # a year
        if len(run) == 2 and following == "年" and _two_digit_year(run):
            return _two_digit_year(run) + _rest(found, 2)
        if len(run) == 1 and run != "一" and following in _COUNTING_WORDS and not percent:
            return str(_DIGITS[run]) + _rest(found, 2)
        if not percent:
            return found.group(0)
    value = _value(run)
    if value is None:
        return found.group(0)
    if len(run) == 1 and not percent and following not in _COUNTING_WORDS:
        return found.group(0)  # 十分, 百强: a unit alone before a word
    figure = str(value)
    if decimals:
        figure += "." + "".join(str(_DIGITS[c]) for c in decimals)
    return f"{figure}%" if percent else figure


def _two_digit_year(run: str) -> str:
    """The year two digits before 年 write (一九年 is 2019, 九三年 1993, 二〇年 2020), or "" for
    a count of years: 五六年 and 三四年 are "five or six", "three or four" years (two digits in
    a row from 三 on, or with 两); 一二年 and 二三年 are 2012 and 2023 (one or two, two or three
    years are 一两年, 两三年)."""
    first, second = _DIGITS[run[0]], _DIGITS[run[1]]
    if "两" in run or (first >= 3 and second == first + 1):
        return ""
    two = first * 10 + second
    return str((2000 if two < _CENTURY_PIVOT else 1900) + two)


def _rest(found: re.Match[str], group: int) -> str:
    """The text matched after ``group`` (the decimals part, kept as written)."""
    return found.string[found.end(group) : found.end()]


def read_numerals(text: str) -> str:
    """``text`` with the Chinese numerals that write a figure written in Arabic figures."""
    if not _FIRST.search(text):
        return text
    return _RUN.sub(_figure, text)
