"""Chinese numerals (三个, 两家, 十五, 四百七十九, 一千三百三十亿, 二零二零年, 百分之四十八点六) are
read as the figures they write, wherever Arabic figures are read: counts, figures alone,
years and ordinals, in simplified and traditional characters, Mandarin and Cantonese."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.matcher import match_question
from bot.normalise import _NUMBER_MARK


def _terms(engine: Engine, text: str) -> list[str]:
    normaliser = engine.index.normaliser
    return normaliser.terms(normaliser.clean(text))


def _figures(engine: Engine, text: str) -> list[str]:
    return [t for t in _terms(engine, text) if t[0] == _NUMBER_MARK]


@pytest.mark.parametrize(
    ("chinese", "arabic"),
    [
        ("集群有四百七十九家企业", "集群有479家企业"),
        ("集群有四百七十九間企業", "集群有479间企业"),
        ("营收一千三百三十亿元", "营收1330亿元"),
        ("營收一千三百三十億元", "营收1330亿元"),
        ("全国四十三个集群", "全国43个集群"),
        ("三个集群", "3个集群"),
        ("廣東有四個集群", "广东有4个集群"),
        ("两家企业", "2家企业"),
        ("兩間公司", "2间公司"),
        ("十五个", "15个"),
        ("十家企业", "10家企业"),
        ("二零二零年", "2020年"),
        ("二〇一九年", "2019年"),
        ("一九九三年上市", "1993年上市"),
        ("第十三名", "第13名"),
        ("百分之四十八点六", "48.6%"),
        ("百分之十五", "15%"),
        ("一千零五十", "1050"),
        ("三万五", "35000"),
        ("一万亿元", "1万亿元"),
        ("一千三百亿", "1300亿"),
        ("八月十日", "8月10日"),
        ("五千元", "5000元"),
        # 万 multiplies its own section, 亿 everything before it.
        ("三亿五千万元", "350000000元"),
        ("三亿零五百万元", "305000000元"),
        ("六亿八千万元", "680000000元"),
        ("十万八千", "108000"),
        ("企业数四百七十九家", "企业数479家"),
    ],
)
def test_chinese_numerals_read_as_the_figures_they_write(
    engine: Engine, chinese: str, arabic: str
) -> None:
    """The same terms as the Arabic figures: the same figure, year or ordinal, and the same
    words around it (八月十日 is a date: its day number is no figure, as in 8月10日)."""
    assert _terms(engine, chinese) == _terms(engine, arabic)
    assert any(c.isdigit() for c in engine.index.normaliser.clean(chinese))


@pytest.mark.parametrize(
    "words",
    [
        "三水园",  # Sanshui, a place
        "一区五园",  # one zone, five parks: a name
        "万和电气",  # Vanward, a company
        "万一没有呢",  # in case
        "千万别错过",  # by all means
        "十分重要",  # very
        "五六个",  # five or six
        "一起入选",  # together
        "百强园区",  # the top hundred
        "三大主导产业",  # the three leading
        "有一个问题",  # one question: one is never the figure asked
        "十三五规划",  # the 13th five-year plan: no number
        "一年卖几台",  # a year: the period, not a figure
        "第一批试点",  # the first batch: an ordinal Arabic or not
        "百亿元的企业",  # ten-billion class
        "万亿级",
        "一起被点名的是哪两个集群",  # which two: the count of what is asked for
        "哪三家企业上市了",
        # Approximate numbers (几, 多, 来, 余, 数 around a numeral) state no exact figure.
        "几十亿元",
        "数十亿元",
        "四十几个集群",
        "四十来个集群",
        "一千三百多亿",
        "三百余家",
    ],
)
def test_numeral_characters_that_write_no_figure_stay_words(engine: Engine, words: str) -> None:
    assert _figures(engine, words) == []


@pytest.mark.parametrize(
    ("chinese", "arabic"),
    [
        ("集群是不是有四百七十九家企业", "集群是不是有479家企业"),
        ("全国一共选了四十三个集群吗", "全国一共选了43个集群吗"),
        ("二零二零年集群营业收入多少", "2020年集群营业收入多少"),
        ("集群營收係咪一千三百三十億？", "集群營收係咪1330億？"),
        ("二零二二年集群有多少家企业", "2022年集群有多少家企业"),
        ("美的是一九九三年上市的吗", "美的是1993年上市的吗"),
        ("广东有四个集群入选吗", "广东有4个集群入选吗"),
        ("高新區二〇一九年GDP係幾多？", "高新區2019年GDP係幾多？"),
        ("高新區二〇二一年GDP係幾多？", "高新區2021年GDP係幾多？"),
        ("佛山微波炉占全国百分之四十八点六吗", "佛山微波炉占全国48.6%吗"),
        ("集群有五百家企业吗", "集群有500家企业吗"),
        ("海信最后花了六亿八千万收购科龙吗", "海信最后花了6.8亿收购科龙吗"),
    ],
)
def test_a_question_with_chinese_numerals_gets_the_reply_of_its_arabic_form(
    engine: Engine, chinese: str, arabic: str
) -> None:
    written, figures = match_question(chinese, engine.index), match_question(arabic, engine.index)
    assert (written.outcome, written.fact and written.fact.id) == (
        figures.outcome,
        figures.fact and figures.fact.id,
    )
    assert written.confidence == pytest.approx(figures.confidence)


@pytest.mark.parametrize("run", ["一" + "亿" * 600, "九" * 5000, "一千" * 2000, "十" * 3000])
def test_a_numeral_run_of_any_length_is_read_without_failing(engine: Engine, run: str) -> None:
    """Reading numerals is bounded: a run too long to write a figure a person means stays as
    written, whatever its length (before, 540 亿 in a row made a number too big to print)."""
    match = engine.ask(run + "是多少")
    assert match.outcome in ("answer", "clarify", "decline")
    assert not any(c.isdigit() for c in engine.index.normaliser.clean(run))
