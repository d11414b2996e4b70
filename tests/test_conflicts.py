"""Conflict features (``bot.decision.CONFLICTS``) fire only when the fact really states something
else than what is asked: a candidate with one is capped at the decision's ``conflict_ceiling``,
so a conflict read wrongly declines the right fact outright."""

from __future__ import annotations

import pytest
from helpers import assert_conflict_or_absent, assert_no_conflict

from bot.analysis import analyse
from bot.engine import Engine

# An ordinal names which one (the 1st batch, 第1批): the fact states it in its own words
# ("first batch", 第一批, 首批), not as a figure; another ordinal is still a contradiction.
ORDINAL_STATED = [
    ("1st batch pilot clusters examples", "first-batch-pilots"),
    ("which clusters were in the 1st batch?", "first-batch-pilots"),
    ("how many clusters did the 1st pilot batch include?", "first-batch-pilots"),
    ("第1批试点集群有哪些？", "first-batch-pilots"),
    ("Did the zone rank 13th in 2020?", "zone-manufacturing-index"),
]
ORDINAL_OTHER = [
    ("2nd batch pilot clusters examples", "first-batch-pilots"),
    ("which clusters were in the 3rd batch?", "first-batch-pilots"),
    ("第2批试点集群有哪些？", "first-batch-pilots"),
    ("Did the zone rank 12th in 2020?", "zone-manufacturing-index"),
]


@pytest.mark.parametrize(("question", "fact_id"), ORDINAL_STATED)
def test_an_ordinal_the_fact_states_in_words_is_no_contradiction(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), ORDINAL_OTHER)
def test_another_ordinal_than_the_facts_is_still_a_contradiction(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# "Where did X place / come / finish / stand" in a ranking asks for a rank, which a figure
# answers; "where is X" and "where did X come from" still ask for a place or a source.
RANK_ASKED = [
    "Where did the zone place in the 2020 China Advanced Manufacturing Development Index?",
    "Where did the hi-tech zone finish in the advanced manufacturing index?",
    "Where does the zone stand among the top 100 advanced manufacturing zones?",
    "where did the hi-tech zone place among advanced manufacturing zones in 2020",
    "Where was the zone placed in the 2020 advanced manufacturing index?",
]
PLACE_ASKED = [
    "Where is the hi-tech zone?",
    "Where is the hi-tech zone located?",
    "Where did the zone's advanced manufacturing index come from?",
]


@pytest.mark.parametrize("question", RANK_ASKED)
def test_where_did_it_place_asks_for_a_rank(engine: Engine, question: str) -> None:
    assert_no_conflict(engine, question, "zone-manufacturing-index")


@pytest.mark.parametrize("question", PLACE_ASKED)
def test_where_is_it_still_asks_for_a_place(engine: Engine, question: str) -> None:
    assert_conflict_or_absent(engine, question, "zone-manufacturing-index")


# 哪几个 / 哪幾個 / 边几个 ask "which ones" (names), not "how many"; 有几个 still counts.
WHICH_ONES = [
    ("佛山高新區2020到2025年規劃的三大主導產業集群是哪幾個？", "zone-leading-clusters-plan"),
    ("高新区规划的三大主导产业集群是哪几个？", "zone-leading-clusters-plan"),
    ("高新區三大主導產業集群係邊幾個？", "zone-leading-clusters-plan"),
    ("第一批试点集群是哪几个？", "first-batch-pilots"),
]


@pytest.mark.parametrize(("question", "fact_id"), WHICH_ONES)
def test_which_ones_asks_for_names_not_a_count(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("三大主导产业集群是哪几个？", "name"),
        ("三大主導產業集群係邊幾個？", "name"),
        ("入选的是哪几家企业？", "name"),
        ("高新区规划了几个主导产业集群？", "number"),
        ("第一批有几个集群？", "number"),
        ("高新区有多少家高企？", "number"),
    ],
)
def test_which_ones_and_how_many_are_told_apart(engine: Engine, question: str, wants: str) -> None:
    assert wants in analyse(question, engine.index).wants


# 到底 ("exactly", "after all") stresses a question; it does not ask whether a goal was reached.
# The sentence that gives context (我在南海做瓷砖的) fills in, it does not contradict.
GOAL_ASKED = [
    "我在南海做瓷砖的，平时也关注佛山的智能家居。到2023年的目标到底是啥？",
    "到2023年的目标到底是什么？",
    "佛山智能家居2023年的目标到底是多少？",
    "I run a tile shop in Nanhai and follow the industry. What exactly is the 2023 goal?",
]
OUTCOME_ASKED = [
    "2023年的目标到底实现了没有？",
    "到2023年的目标到底达到了吗？",
    "2023年的目标到底有没有实现？",
    "Did Foshan actually reach its 2023 goal?",
]


@pytest.mark.parametrize("question", GOAL_ASKED)
def test_what_exactly_is_the_goal_is_answered_by_the_goal(engine: Engine, question: str) -> None:
    assert_no_conflict(engine, question, "goals-2023")


@pytest.mark.parametrize("question", OUTCOME_ASKED)
def test_whether_the_goal_was_reached_is_not_answered_by_the_goal(
    engine: Engine, question: str
) -> None:
    assert_conflict_or_absent(engine, question, "goals-2023")


# A question offering alternatives ("2,900 or 1,800?", 两千九还是一千八) checks figures: a fact
# stating one of them, or a figure within 10% of one, answers it; none close is still a
# contradiction, and so is a single figure offered with "or" ("2,000 or so", "or more").
ALTERNATIVES_STATED = [
    "咱高新区2020年高企到底是两千九还是一千八啊？",
    "Did the zone have 2,900 or 1,800 high-tech enterprises in 2020?",
    "Were there 2900 or 3500 high-tech enterprises in the zone in 2020?",
    "高新区2020年高新技术企业是2900家还是1800家？",
    "2020年高新區高企係兩千九定係三千五？",
]
ALTERNATIVES_OTHER = [
    "Did the zone have 5,000 or 8,000 high-tech enterprises in 2020?",
    "高新区2020年高企是五千还是八千？",
    "高新区2018年高企是两千九还是一千八？",
    "Did the zone have 2,900 high-tech enterprises or 1,800 in 2016?",
    "Did the zone have 2,700 high-tech enterprises or more in 2020?",
]


@pytest.mark.parametrize("question", ALTERNATIVES_STATED)
def test_an_alternative_close_to_the_stated_figure_is_no_contradiction(
    engine: Engine, question: str
) -> None:
    assert_no_conflict(engine, question, "zone-high-tech-2020")


@pytest.mark.parametrize("question", ALTERNATIVES_OTHER)
def test_alternatives_none_of_which_is_stated_are_still_a_contradiction(
    engine: Engine, question: str
) -> None:
    assert_conflict_or_absent(engine, question, "zone-high-tech-2020")


# A compound question asks two things ("founded and listed", 成立？上市？): a fact stating one
# of the measures asked answers that part; the other part's measure is no contradiction of it.
# A fact stating none of them still contradicts.
MEASURE_PART_STATED = [
    ("雲米是哪一年成立的？在哪裡上市？", "viomi-profile"),
    ("wen was bear electirc founded and listted?", "bear-electric-profile"),
    ("When was Bear Electric founded and where is it listed?", "bear-electric-profile"),
    ("小熊电器哪年成立、在哪上市？", "bear-electric-profile"),
]
MEASURE_PART_NOT_STATED = [
    ("When was Bear Electric listed?", "bear-electric-profile"),
    ("What are Bear Electric's profit and its number of employees?", "bear-electric-profile"),
]


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_PART_STATED)
def test_a_fact_stating_one_measure_of_a_compound_question_is_not_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_PART_NOT_STATED)
def test_a_fact_stating_no_measure_asked_is_still_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# ... and asked for two years ("in 2020 and in 2025"): a fact stating one of the years asked
# answers that part; a fact stating none of them is still capped.
YEAR_PART_STATED = [
    (
        "What was the zone's industrial output in 2020 and what will it be in 2025?",
        "zone-torch-revenue-2020",
    ),
    ("高新区2020年工业总产值是多少？2025年会是多少？", "zone-torch-revenue-2020"),
]
YEAR_PART_NOT_STATED = [
    ("What was the zone's industrial output in 2025?", "zone-torch-revenue-2020"),
    ("What was the zone's industrial output in 2019 and in 2025?", "zone-torch-revenue-2020"),
]


@pytest.mark.parametrize(("question", "fact_id"), YEAR_PART_STATED)
def test_a_fact_stating_one_year_of_a_compound_question_is_not_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), YEAR_PART_NOT_STATED)
def test_a_fact_stating_no_year_asked_is_still_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# ... but a part no fact answers ("full name and job title": no fact states a job title) keeps
# the question a near miss: the fact answering the other part is still capped.
MEASURE_PART_UNANSWERED = [
    ("Who is Jersey, the author — full name and job title?", "article-author"),
    ("Bear Electric's founding year and profit?", "bear-electric-profile"),
    ("Midea's founder and his salary?", "midea-origins"),
]


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_PART_UNANSWERED)
def test_a_part_no_fact_answers_still_caps_the_other_parts_fact(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)
