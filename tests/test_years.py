"""Years however they are written (一九年, ٢٠١٩, FY2019, "twenty nineteen") are read as the year
they write, and a year moved by the words around it ("the year before 2020", 2020年之前) is not
the year written: a fact of another year never answers it with its own figure."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.normalise import _NUMBER_MARK
from bot.years import _WAY_BEFORE, _WAY_BEFORE_ENDS, _WAYS

_YEAR = _NUMBER_MARK + "y"


def _years(engine: Engine, text: str) -> list[str]:
    normaliser = engine.index.normaliser
    return [t[2:] for t in normaliser.terms(normaliser.clean(text)) if t.startswith(_YEAR)]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        # Every Unicode decimal digit is the ASCII digit it writes.
        ("turnover in ٢٠١٩", ["2019"]),  # Arabic-Indic
        ("turnover in ۲۰۱۹", ["2019"]),  # Persian
        ("turnover in २०१९", ["2019"]),  # Devanagari
        ("营收 ٢٠٢٠年", ["2020"]),
        ("turnover in ２０１９", ["2019"]),  # full width (NFKC)
        # Two Chinese digits before 年 are a year, as four are.
        ("集群一九年营收", ["2019"]),
        ("集群一六年有多少", ["2016"]),
        ("二〇年营收", ["2020"]),
        ("零八年", ["2008"]),
        ("美的九三年上市", ["1993"]),
        ("一九年底", ["2019"]),
        # A year glued to the letters before it (fiscal, calendar year) is still the year.
        ("turnover fy2019", ["2019"]),
        ("turnover CY2019", ["2019"]),
        ("turnover FY2016/17", ["2016"]),
        ("营收FY2019", ["2019"]),
        # Spelled-out English years.
        ("turnover in twenty nineteen", ["2019"]),
        ("turnover in twenty-nineteen", ["2019"]),
        ("turnover in twenty twenty", ["2020"]),
        ("turnover in two thousand nineteen", ["2019"]),
        ("turnover in two thousand and nineteen", ["2019"]),
        ("turnover in two thousand and five", ["2005"]),
        ("founded in nineteen sixty-eight", ["1968"]),
        ("listed in nineteen ninety three", ["1993"]),
        ("twenty twenty-three goals", ["2023"]),
    ],
)
def test_a_year_is_read_however_it_is_written(engine: Engine, text: str, years: list[str]) -> None:
    assert _years(engine, text) == years


@pytest.mark.parametrize(
    "text",
    [
        "五六年",  # five or six years
        "三四年前",  # three or four years ago
        "七八年了",
        "两年",
        "一年卖几台",
        "十年",
        "twenty one clusters",
        "twenty-five enterprises",
        "two thousand enterprises",
        "nineteen clusters",
        "iso9001 certified",
        "fy19 turnover",  # two digits: no year to read
    ],
)
def test_words_and_counts_are_not_read_as_years(engine: Engine, text: str) -> None:
    assert _years(engine, text) == []


@pytest.mark.parametrize(
    ("text", "years"),
    [
        # A year moved by one: the year it names.
        ("the year before 2020", ["2019"]),
        ("in the year prior to 2020", ["2019"]),
        ("a year after 2020", ["2021"]),
        ("one year before 2021", ["2020"]),
        ("2020年前一年", ["2019"]),
        ("2020年的前一年", ["2019"]),
        ("2020年后一年", ["2021"]),
        ("2020年的后一年", ["2021"]),
        # Before or after a year: a period that is not the year written.
        ("before 2020", ["b2020"]),
        ("prior to 2020", ["b2020"]),
        ("pre-2020", ["b2020"]),
        ("earlier than 2020", ["b2020"]),
        ("after 2020", ["a2020"]),
        ("post-2020", ["a2020"]),
        ("later than 2020", ["a2020"]),
        ("2020年之前", ["b2020"]),
        ("2020年以前", ["b2020"]),
        ("2020年前,集群营收多少", ["b2020"]),
        ("2020年之后", ["a2020"]),
        ("2020年以后", ["a2020"]),
        # Years relative to today.
        ("last year", ["last"]),
        ("this year", ["this"]),
        ("next year", ["next"]),
        ("the year before last", ["before-last"]),
        ("last year's turnover", ["last"]),
        ("去年", ["last"]),
        ("今年", ["this"]),
        ("明年", ["next"]),
        ("前年", ["before-last"]),
        # Not moved: the year itself.
        ("2010年前后", ["2010"]),  # around 2010
        ("2020年前三季度", ["2020"]),  # the first three quarters of 2020
        ("in 2020, before the pandemic", ["2020"]),
        ("2020 after tax", ["2020"]),
        ("clusters in jiangsu after the 2021 list", ["2021"]),  # the list of 2021
        ("before the 2021 list", ["2021"]),
        ("what changed after 2020 reform", ["2020"]),  # the reform of 2020
        ("before 2020 the cluster had how many firms", ["b2020"]),
        ("before 2021, what did the first batch look like", ["b2021"]),
        ("before the year 2021", ["b2021"]),
    ],
)
def test_a_year_moved_by_the_words_around_it_is_not_the_year_written(
    engine: Engine, text: str, years: list[str]
) -> None:
    assert _years(engine, text) == years


@pytest.mark.parametrize(
    "question",
    [
        # Review 6, finding 1, and neighbours of each wording.
        "集群一九年营收多少",
        "集群一八年的营业收入是多少？",
        "集群一六年有多少高新技术企业",
        "一九年集群有几家高新技术企业",
        "What was the cluster turnover in ٢٠١٩?",
        "What was the cluster turnover in ۲۰۱۹?",
        "集群٢٠١٩年营收多少",
        "cluster turnover FY2019",
        "cluster turnover CY2019",
        "how many high-tech enterprises did the cluster have in FY2016",
        "集群FY2019营收多少",
        "cluster turnover in twenty nineteen",
        "cluster turnover in two thousand and nineteen",
        "what was the cluster turnover before 2020?",
        "what was the cluster turnover prior to 2020?",
        "cluster turnover pre-2020",
        "what was the cluster turnover the year before 2020",
        "cluster turnover in the year after 2020",
        "how many high-tech enterprises did the cluster have after 2020?",
        "2020年前一年集群营收多少",
        "2020年之前集群营收多少",
        "2020年以前集群的营业收入是多少",
        "2020年以后集群营收多少",
        "2020年后一年集群有多少高新技术企业",
        # Years relative to today, in a first message (no conversation to date them).
        "集群去年营收多少",
        "集群今年营收多少",
        "集群前年营收多少",
        "集群去年营业额是多少",
        "what was the cluster turnover last year",
        "what was last year's cluster turnover",
        "what is the cluster turnover this year",
        "how many high-tech enterprises does the cluster have this year",
        "cluster turnover the year before last",
        # Controls that were declined already.
        "What was the cluster turnover in 2019?",
        "集群19年营收多少",
    ],
)
def test_a_question_about_another_year_is_not_answered_with_2020(
    engine: Engine, question: str
) -> None:
    match = engine.ask(question)
    assert not (match.outcome == "answer" and match.fact and match.fact.id.endswith("-2020")), (
        match.fact.id if match.fact else None,
        round(match.confidence, 3),
    )


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("cluster turnover in 2020", "cluster-turnover-2020"),
        ("2020年集群营收多少", "cluster-turnover-2020"),
        ("cluster turnover FY2020", "cluster-turnover-2020"),
        ("cluster turnover CY2020", "cluster-turnover-2020"),
        ("二〇二〇年集群营收多少", "cluster-turnover-2020"),
        ("二〇年集群营收多少", "cluster-turnover-2020"),
        ("What was the cluster turnover in ٢٠٢٠?", "cluster-turnover-2020"),
        ("cluster turnover in twenty twenty", "cluster-turnover-2020"),
        ("Was the cluster turnover 133 billion yuan in 2020?", "cluster-turnover-2020"),
        ("集群2020年营收是1330亿吗", "cluster-turnover-2020"),
        # The year a shift names is the year asked: the fact of that year answers.
        ("what was the cluster turnover in the year before 2021?", "cluster-turnover-2020"),
        ("2021年前一年集群营收多少", "cluster-turnover-2020"),
        ("what was the zone's GDP the year before 2020?", "zone-gdp-2019"),
        ("2020年前一年高新区GDP是多少", "zone-gdp-2019"),
        ("2010年前后佛山生产的微波炉占全国多大比例？", "microwave-share"),
    ],
)
def test_the_year_asked_still_gets_its_answer(engine: Engine, question: str, fact_id: str) -> None:
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)


@pytest.mark.parametrize("way", _WAYS)
@pytest.mark.parametrize("before", ["", "in ", "the year ", "one year ", "xyz", "what was it "])
@pytest.mark.parametrize("after", [" ", " the year ", " the year\n", " \n", "", " the", "ly "])
def test_the_quick_look_before_a_year_misses_no_words_that_move_it(
    way: str, before: str, after: str
) -> None:
    """Only a window ending as ``_WAY_BEFORE_ENDS`` says is searched for the words that move
    the year after it: every window those words end is one of them."""
    window = f"{before}{way}{after}"
    if _WAY_BEFORE.search(window):
        assert window.endswith(_WAY_BEFORE_ENDS)
