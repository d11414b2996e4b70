"""Conflicts read from words that are context, not what is asked: a conflict caps the right fact
at the decision's ``conflict_ceiling`` (declined outright), so each class of misreading here is
tested both ways: the question that was vetoed wrongly, and the near miss the rule exists for."""

from __future__ import annotations

import pytest
from helpers import assert_conflict_or_absent, assert_no_conflict

from bot.analysis import analyse, asking_clauses
from bot.engine import Engine

# A measure word the fact's own words use ("the smart home *industry*", "supposed to have
# *achieved*", "grouping of *companies*") names context when nothing else the question says
# points to another fact: no ``measure_other`` conflict.
MEASURE_WORD_OF_CONTEXT = [
    ("What is Foshan supposed to have achieved with this cluster by 2023?", "goals-2023"),
    ("What is Foshan expected to have achieved with the cluster by 2023?", "goals-2023"),
    (
        "Roughly how much money did the Foshan smart-home grouping of companies bring in over "
        "calendar year 2020?",
        "cluster-turnover-2020",
    ),
    (
        "what does getting on the pilot list mean for Foshan's smart home industry in the long "
        "run?",
        "pilot-list-significance",
    ),
    (
        "What does making the pilot list mean for the local smart home industry?",
        "pilot-list-significance",
    ),
    ("按照规划，佛山到2023年应该实现什么？", "goals-2023"),
    # "Economic output" is the GDP (a phrase of the lexicon's gdp group), not industrial output.
    (
        "What fraction of the city's economic output came from the high-tech zone in 2019?",
        "zone-gdp-2019",
    ),
    ("2019年高新区经济总量占全市多少？", "zone-gdp-2019"),
]
# ... but not when another word points to a fact stating the measure ("industrial output" is
# the zone's output, another fact than its GDP), nor for the measures the lexicon names so that
# a question asking one is declined (residents, employees, US dollars): a fact mentioning
# "23 Beijiao residents" does not state Beijiao's population.
MEASURE_ASKED = [
    ("What was the Foshan hi-tech zone's industrial output in 2019?", "zone-gdp-2019"),
    ("高新区2019年的工业产值是多少？", "zone-gdp-2019"),
    ("How many residents does Beijiao have?", "midea-origins"),
    ("What's the USD to RMB exchange rate today?", "viomi-ipo"),
    ("Did Foshan achieve its 2023 goals for the cluster?", "goals-2023"),
]


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_WORD_OF_CONTEXT)
def test_a_measure_word_the_fact_uses_is_context_not_a_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_ASKED)
def test_a_measure_asked_of_another_fact_or_of_none_is_still_a_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# A number that is not a figure the fact must state: an ordinal or a small count picking items
# of a list that states no ordinal of its own ("the third featured industry", "which three",
# 哪两个), a school year ("Year 9", "grade 10"), a year read with the percentage asked ("stake
# 2005 percent"): no ``figure_other`` conflict.
NUMBER_NOT_A_FIGURE = [
    (
        "smart lighting, smart door locks and ... what's the third featured industry in foshan?",
        "featured-industries",
    ),
    ("佛山集群的第三个特色产业是什么？", "featured-industries"),
    ("高新区2020到2025年规划里的三个主导产业集群是哪三个", "zone-leading-clusters-plan"),
    ("火炬中心那个通知里，跟佛山排在一起的另外两个集群是哪两个？", "pilot-list-other-named"),
    ("Which 2 other clusters were named alongside Foshan?", "pilot-list-other-named"),
    (
        "I'm in Year 9 and doing a homework project about Chinese cities. My teacher said there's"
        " a famous saying about Foshan and homes. What is it?",
        "slogan",
    ),
    ("Year 9 homework: what's the famous saying about Foshan and homes?", "slogan"),
    ("hisense kelon stake 2005 percent", "hisense-kelon-deal-2005"),
    ("kelon stake hisense 2005 per cent", "hisense-kelon-deal-2005"),
]
# ... but an ordinal still picks a batch from a list that states its own ("first batch"), a rank
# is still a rank, a figure not a list's count is still a figure, and a percentage is one.
NUMBER_A_FIGURE = [
    ("which clusters were in the 3rd batch?", "first-batch-pilots"),
    ("Which 3 clusters were in the 2nd batch?", "first-batch-pilots"),
    ("Did the zone rank 12th in 2020?", "zone-manufacturing-index"),
    ("Does the cluster have 9 high-tech enterprises?", "cluster-high-tech-2020"),
    ("What share of Kelon did Hisense buy, 30 percent?", "hisense-kelon-deal-2005"),
    ("Which 20 clusters made the 2021 pilot list alongside Foshan?", "pilot-list-other-named"),
]


@pytest.mark.parametrize(("question", "fact_id"), NUMBER_NOT_A_FIGURE)
def test_a_number_that_is_no_figure_asked_is_no_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), NUMBER_A_FIGURE)
def test_a_figure_the_fact_does_not_state_is_still_a_conflict(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# Places or measures offered as alternatives ("Nanhai or Shunde?", 南海还是顺德, Cantonese
# 南海定顺德, "the turnover, or the zone's GDP?"): a fact stating one of them answers the
# question, so the others are no conflict ...
SLOT_ALTERNATIVE_STATED = [
    ("蒙娜丽莎系边度嘅厂啊 南海定顺德", "monalisa-group"),
    ("蒙娜丽莎总部在南海还是顺德？", "monalisa-group"),
    ("Is Monalisa based in Nanhai or Shunde?", "monalisa-group"),
    (
        "Wait, so the turnover was 133 billion yuan, or was that the zone's GDP? I keep mixing "
        "them up.",
        "cluster-turnover-2020",
    ),
]
# ... but not when it states none of them, nor for a measure no fact states.
SLOT_ALTERNATIVE_OTHER = [
    ("蒙娜丽莎系顺德定广州嘅厂啊", "monalisa-group"),
    ("Is Monalisa based in Shunde or Guangzhou?", "monalisa-group"),
    ("What was the cluster's turnover or profit in 2020?", "cluster-turnover-2020"),
    ("蒙娜丽莎喺南海开厂定系喺顺德开厂，有几多员工？", "monalisa-group"),
]


@pytest.mark.parametrize(("question", "fact_id"), SLOT_ALTERNATIVE_STATED)
def test_a_fact_stating_one_of_the_places_or_measures_offered_is_not_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_no_conflict(engine, question, fact_id)


@pytest.mark.parametrize(("question", "fact_id"), SLOT_ALTERNATIVE_OTHER)
def test_a_fact_stating_none_of_the_alternatives_is_still_capped(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert_conflict_or_absent(engine, question, fact_id)


# A compound message is read part by part when its parts are joined as people chat: a yes/no
# part asked with 是不是 / 係咪 / 有没有 asks too, and "n", "&" and "+" join two questions as
# "and" does. A part the fact base holds is answered; a part it does not hold is named.
COMPOUND_READ_IN_PARTS = [
    ("美的係咪喺北滘㗎？佢幾時喺深交所上市㗎？", {"midea-origins", "midea-listing"}, None),
    ("who fonded Midea n how many villagers chipped in??", {"midea-origins"}, True),
    ("who founded midea n how many dragon boats does shunde have", {"midea-origins"}, True),
    ("who founded midea & how many dragon boats does shunde have", {"midea-origins"}, True),
]
#: ... each of these is two parts (a yes/no part asked with 是不是 / 係咪 / 有没有 asks too).
TWO_PARTS = [
    "美的係咪喺北滘㗎？佢幾時喺深交所上市㗎？",
    "美的是不是在北滘？什么时候上市的？",
    "蒙娜丽莎系唔系喺南海？几时上市？",
    "佛山有没有入选？几时公布的？",
    "who fonded Midea n how many villagers chipped in??",
    "who founded midea & how many dragon boats does shunde have",
    "who founded midea + when was bear electric listed",
]


@pytest.mark.parametrize("question", TWO_PARTS)
def test_a_compound_message_in_chat_style_is_read_in_two_parts(
    engine: Engine, question: str
) -> None:
    assert len(asking_clauses(question, engine.index.normaliser.read)) == 2


@pytest.mark.parametrize(("question", "fact_ids", "part_missing"), COMPOUND_READ_IN_PARTS)
def test_a_compound_message_in_chat_style_answers_the_part_held(
    engine: Engine, question: str, fact_ids: set[str], part_missing: bool | None
) -> None:
    match = engine.ask(question)
    assert match.outcome == "answer", [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    assert match.fact is not None and match.fact.id in fact_ids
    if part_missing is not None:
        assert bool(match.unanswered) == part_missing


def test_a_part_about_something_unknown_alone_is_still_declined(engine: Engine) -> None:
    assert engine.ask("how many villagers chipped in").outcome == "decline"


# The article named as a frame ("the news piece about the cluster", 这篇讲…的新闻) is what the
# question asks about when it asks who published or wrote it, or when: no ``entity_other``.
SOURCE_ASKED = [
    ("这篇讲佛山智能家居集群的新闻是哪家媒体发的？哪天发的？", "article-publication"),
    ("这篇讲佛山智能家居集群的新闻是哪家媒体发的？", "article-publication"),
    ("这篇讲佛山集群的报道是谁写的？", "article-author"),
]
# ... while a frame around a question about something else stays a frame.
SOURCE_FRAMED = [
    "What does the article say the cluster's turnover was in 2020?",
    "文章提到佛山集群2020年营业收入多少？",
]


@pytest.mark.parametrize(("question", "fact_id"), SOURCE_ASKED)
def test_a_question_about_the_article_itself_is_answered_by_the_article(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == "answer", [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    assert match.fact is not None and match.fact.id == fact_id


@pytest.mark.parametrize("question", SOURCE_FRAMED)
def test_the_article_as_a_frame_is_not_what_is_asked(engine: Engine, question: str) -> None:
    match = engine.ask(question)
    assert all(not c.fact.id.startswith("article-") for c in match.candidates[:1])


# "Where does it sit / land / rank among the top 100 (in the index)" asks for a rank, which a
# figure gives; "where does it sit?" alone still asks where it is.
RANK_AMONG = [
    (
        "Where does Foshan's hi-tech zone sit among China's top 100 advanced-manufacturing zones"
        " in the 2020 index?",
        True,
    ),
    ("Where did the hi-tech zone land among advanced manufacturing zones in 2020?", True),
    ("where does the zone rank in the top 100 advanced manufacturing zones", True),
    ("Where does the hi-tech zone sit?", False),
    ("Where did Midea land its first factory?", False),
    # Words a paragraph apart are not one phrase (and, the gaps being bounded, a long message of
    # repeated 'where' and 'sit' costs linear time, not quadratic: review 7, finding 2).
    ("Where " + "is the cluster, and what do its many firms make, " * 4 + "sit among", False),
]


@pytest.mark.parametrize(("question", "rank"), RANK_AMONG)
def test_where_it_sits_among_others_asks_for_a_rank(
    engine: Engine, question: str, rank: bool
) -> None:
    assert ("rank" in analyse(question, engine.index).measures) == rank


# In Chinese chat a space between two characters ends a clause as a comma does, and a request
# (领导让我核实一下, 确认一下) ends before what it asks: the boss (领导) is context, not a leader
# asked about; asked on its own, it still is.
REQUEST_CLAUSES = [
    (
        "我是区里的实习生 在写一个高新区的材料 领导让我核实一下 torch企业里面有多少家是高新技术企业"
        " 我记得是1864家 对吗",
        False,
    ),
    ("我在写材料，领导让我确认一下高新区torch企业里有多少家高新技术企业", False),
    ("高新区的领导是谁？", True),
]


@pytest.mark.parametrize(("question", "leader_asked"), REQUEST_CLAUSES)
def test_a_request_in_chat_is_context_not_what_is_asked(
    engine: Engine, question: str, leader_asked: bool
) -> None:
    assert ("leader" in analyse(question, engine.index).measures) == leader_asked
