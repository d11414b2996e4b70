"""Reading what a question asks about, on wordings written for this test (not taken from a
question set): words around the question that are no part of what it asks (the article as who
says something, the plural of the zone's name) make no slot conflict, and a place singled out
of a whole ("in Lecong alone") is not answered with the whole's figure.
"""

from __future__ import annotations

import pytest

from bot.analysis import analyse
from bot.engine import Engine


def _assert_answered_with(engine: Engine, question: str, fact_id: str) -> None:
    """The question is answered, with that fact (the top candidates shown when not)."""
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id), (
        match.outcome,
        [(c.fact.id, c.confidence) for c in match.candidates[:3]],
    )


#: The article named as who says something: a frame around the question, not its subject.
SOURCE_AS_FRAME = [
    ("what does the article say about foshan's featured industries", "featured-industries"),
    ("which featured industries does the article mention", "featured-industries"),
    ("according to the article, what are foshan's featured industries", "featured-industries"),
    ("文章提到佛山有哪些特色产业", "featured-industries"),
    ("which household brands does the story name", "household-brands"),
    ("报道里说佛山有哪些知名品牌", "household-brands"),
    ("what does the article say the cluster's turnover was in 2020", "cluster-turnover-2020"),
]
#: The article itself asked about: its entity stays.
SOURCE_AS_SUBJECT = [
    ("who wrote the article", "article-author"),
    ("when was the article published", "article-publication"),
    ("which newspaper published the story", "article-publication"),
]


@pytest.mark.parametrize(("question", "fact_id"), SOURCE_AS_FRAME + SOURCE_AS_SUBJECT)
def test_the_article_as_a_frame_is_no_entity_the_answer_must_be_about(
    engine: Engine, question: str, fact_id: str
) -> None:
    framed = (question, fact_id) in SOURCE_AS_FRAME
    assert ("article" in analyse(question, engine.index).entities) is not framed
    match = engine.ask(question)
    assert match.outcome != "decline"
    assert match.candidates[0].fact.id == fact_id


#: "National high-tech zones" names zones (the plural of the zone's name), not the measure
#: "high-tech enterprises": the zone's founding (one of the first 53) is no measure conflict.
ZONES_NOT_HIGH_TECH_FIRMS = [
    ("was the zone among the first national high tech zones", "zone-founding"),
    ("how many national high-tech zones were in the first group", "zone-founding"),
    ("which hi-tech zones in jiangsu made the 2021 list", "jiangsu-clusters-2021"),
    ("how many high-tech enterprises does the zone have", "zone-high-tech-2020"),
]


@pytest.mark.parametrize(("question", "fact_id"), ZONES_NOT_HIGH_TECH_FIRMS)
def test_high_tech_zones_in_the_plural_are_zones_not_high_tech_firms(
    engine: Engine, question: str, fact_id: str
) -> None:
    _assert_answered_with(engine, question, fact_id)


#: A place singled out of a figure's whole ("in Lecong alone"): the fact's figure is for Lecong
#: and Longjiang together, so it is declined (still shown as the closest fact); the whole, or
#: the place without "alone", is answered.
SINGLED_OUT_OF_THE_WHOLE = [
    ("How many furniture makers are there in Lecong alone?", "decline"),
    ("how many furniture dealers are in longjiang alone", "decline"),
    ("how many furniture makers are there only in Lecong", "decline"),
    ("光是乐从有多少家具厂？", "decline"),
    # The place by itself, in other words ("itself", "proper", 单看, 本身), and the whole with
    # one of its places set aside ("excluding Longjiang", 不算龙江): a part, not the whole.
    ("How many furniture makers are in Lecong itself?", "decline"),
    ("how many furniture dealers does lecong proper have", "decline"),
    ("how many furniture dealers excluding Longjiang", "decline"),
    ("How many furniture makers in Lecong, not counting Longjiang?", "decline"),
    ("Apart from Longjiang, how many furniture dealers are there?", "decline"),
    ("单看乐从有多少家具厂", "decline"),
    ("單看樂從有幾多間傢俬廠？", "decline"),
    ("乐从本身有多少家具经销商？", "decline"),
    ("不算龙江，乐从有多少家具经销商", "decline"),
    ("除了龍江以外，樂從有多少家具廠？", "decline"),
    ("How many furniture dealers are in Lecong and Longjiang?", "answer"),
    ("how many furniture makers in lecong", "answer"),
    ("How many enterprises does the cluster have on its own?", "answer"),
    ("How many enterprises does the cluster itself have?", "answer"),
    ("乐从和龙江一共有多少家具经销商？", "answer"),
    # Foshan set aside is the home every fact is about: the other Guangdong clusters are asked.
    ("Apart from Foshan, how many other Guangdong clusters made the 2021 list?", "answer"),
]


@pytest.mark.parametrize(("question", "outcome"), SINGLED_OUT_OF_THE_WHOLE)
def test_a_place_singled_out_of_a_whole_is_not_answered_with_the_whole(
    engine: Engine, question: str, outcome: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == outcome, [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    if outcome == "decline" and "furniture" in match.question.casefold():
        assert match.candidates[0].fact.id == "furniture-highway-325"


#: A message asking two things the fact base holds, each about its own fact: one of them is
#: answered (the most confident part), not the whole declined or asked back.
BOTH_PARTS_ANSWERABLE = [
    (
        "Who founded Midea? And how much was the cluster's turnover?",
        {"midea-origins", "cluster-turnover-2020"},
    ),
    (
        "Who founded Midea, and what was the cluster's turnover in 2020?",
        {"midea-origins", "cluster-turnover-2020"},
    ),
    ("云米什么时候成立的？在哪里上市？", {"viomi-profile", "viomi-ipo"}),
    (
        "When did Bear Electric go public? And who founded Midea?",
        {"bear-electric-listing", "midea-origins"},
    ),
]


@pytest.mark.parametrize(("question", "fact_ids"), BOTH_PARTS_ANSWERABLE)
def test_a_compound_message_whose_parts_are_all_held_answers_one_of_them(
    engine: Engine, question: str, fact_ids: set[str]
) -> None:
    match = engine.ask(question)
    assert match.outcome == "answer", [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    assert match.fact is not None and match.fact.id in fact_ids
    assert not match.unanswered  # every part is held: none is said to be missing


#: The thing asked about is a word the fact base does not know at all: a question about
#: something else, declined whatever its other words share ("Shunde"); slips and words the
#: fact base knows (in an answer: "ministry") are not.
UNKNOWN_THING_ASKED = [
    ("how many dragon boats does Shunde have?", "decline"),
    ("how many dragon boat races are held in Shunde", "decline"),
    ("which footballers come from foshan", "decline"),
    ("how many entreprises in the cluster", "answer"),
    ("which ministry is the torch center under", "answer"),
    ("how many firms are in the cluster", "answer"),
    ("which period is the microwave share from", "answer"),
    ("Someone says it is huge, which sounds odd. When was the hi-tech zone set up?", "answer"),
]


@pytest.mark.parametrize(("question", "outcome"), UNKNOWN_THING_ASKED)
def test_an_unknown_thing_asked_about_is_declined_not_asked_back(
    engine: Engine, question: str, outcome: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == outcome, [(c.fact.id, c.confidence) for c in match.candidates[:3]]


#: Something set aside ("apart from", "besides", 除了) is not what is asked: the rest is. A list
#: that names it among others still answers ("what else besides smart lighting").
SET_ASIDE = [
    (
        "Apart from the pillar sectors, what are the specialty industries of the cluster?",
        "featured-industries",
    ),
    (
        "Besides the pillar industries, what other industries is the cluster known for?",
        "featured-industries",
    ),
    (
        "What industries is the cluster known for apart from its pillar ones?",
        "featured-industries",
    ),
    ("除了支柱产业，集群还有哪些特色产业？", "featured-industries"),
    ("除咗支柱產業之外，集群仲有咩特色產業？", "featured-industries"),
    ("除了智能照明，集群的特色产业还有哪些？", "featured-industries"),
    ("Besides smart lighting, what are the cluster's featured industries?", "featured-industries"),
    ("What are the pillar industries of the cluster?", "pillar-industries"),
]


@pytest.mark.parametrize(("question", "fact_id"), SET_ASIDE)
def test_what_a_question_sets_aside_is_not_what_it_asks(
    engine: Engine, question: str, fact_id: str
) -> None:
    _assert_answered_with(engine, question, fact_id)


#: Whether a plan came true, how it turned out, its result: restating the plan does not answer
#: it. Asking for the plan itself (its final aim, what it intends) does get the plan.
OUTCOME_OF_A_PLAN = [
    ("how did the 2023 goal turn out", "decline"),
    ("did the 2023 goal come true", "decline"),
    ("what was the outcome of the 2023 target", "decline"),
    ("was the 2023 target met", "decline"),
    ("What was the result of Foshan's 2023 goal?", "decline"),
    ("2023年的目标最终结果如何", "decline"),
    ("2023年的目標最終結果如何？", "decline"),
    ("2023年目标后来怎么样了", "decline"),
    ("2023年的目标完成情况如何", "decline"),
    ("佛山2023年的目标实现得怎么样", "decline"),
    ("2023年嘅目標結果點樣？", "decline"),
    ("2023年的目标最终是什么", "answer"),
    ("What is Foshan's goal for 2023?", "answer"),
    ("佛山到2023年的目标是什么", "answer"),
]


@pytest.mark.parametrize(("question", "outcome"), OUTCOME_OF_A_PLAN)
def test_the_outcome_of_a_plan_is_not_answered_by_the_plan(
    engine: Engine, question: str, outcome: str
) -> None:
    match = engine.ask(question)
    if outcome == "decline":
        assert not (match.answered and match.fact and match.fact.id == "goals-2023"), (
            match.outcome,
            [(c.fact.id, c.confidence) for c in match.candidates[:3]],
        )
    else:
        assert (match.outcome, match.fact and match.fact.id) == ("answer", "goals-2023")


#: What a deal's buyer first meant to pay ("originally planned", 本来打算) is a term of the
#: deal, which its fact states: no goal or plan of the cluster's.
FIRST_INTENDED = [
    ("海信2005年本來打算用多少錢買科龍的股份？", "hisense-kelon-deal-2005"),
    ("海信原本打算花多少钱收购科龙？", "hisense-kelon-deal-2005"),
    ("海信最初计划用多少钱买科龙的股份", "hisense-kelon-deal-2005"),
    ("How much did Hisense originally plan to pay for Kelon?", "hisense-kelon-deal-2005"),
    (
        "What price did Hisense initially intend to pay for its Kelon stake?",
        "hisense-kelon-deal-2005",
    ),
]


@pytest.mark.parametrize(("question", "fact_id"), FIRST_INTENDED)
def test_what_was_first_intended_is_no_goal(engine: Engine, question: str, fact_id: str) -> None:
    _assert_answered_with(engine, question, fact_id)


#: A measure no fact states (shops, units sold, layoffs, an average), asked with the words of a
#: fact that states another one: declined, in both languages; the fact's own measure is still
#: answered (the bare "集群营收多少" is offered first instead: test_chinese_reading.py's
#: test_a_bare_turnover_question_is_the_clusters_fact_first_never_another says why).
MEASURE_NO_FACT_STATES = [
    ("云米有多少家门店", None),
    ("雲米有幾多間門店？", None),
    ("How many stores does Viomi have?", None),
    ("集群的销量是多少", None),
    ("小熊電器嘅銷量係幾多？", None),
    ("What were Bear Electric's unit sales?", None),
    ("小熊电器去年卖了多少台", None),
    ("科龍而家一年賣幾多部雪櫃？", None),
    ("海信收购科龙后裁了多少人", None),
    ("海信收購科龍之後裁咗幾多人？", None),
    ("How many people did Hisense lay off after buying Kelon?", None),
    ("集群企业平均营收多少", None),
    ("集群企業平均營收係幾多？", None),
    ("What is the average turnover per enterprise in the cluster?", None),
    ("云米在哪里上市", "viomi-ipo"),
    ("海信花多少钱收购科龙", "hisense-kelon-deal-2005"),
    ("What was the cluster's turnover in 2020?", "cluster-turnover-2020"),
]


@pytest.mark.parametrize(("question", "fact_id"), MEASURE_NO_FACT_STATES)
def test_a_measure_no_fact_states_is_not_answered_with_another(
    engine: Engine, question: str, fact_id: str | None
) -> None:
    match = engine.ask(question)
    found = [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    if fact_id is None:
        assert not match.answered, (match.fact and match.fact.id, found)
    else:
        assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id), found
