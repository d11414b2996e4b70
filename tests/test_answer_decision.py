"""Reading what a question asks about, on wordings written for this test (not taken from a
question set): words around the question that are no part of what it asks (the article as who
says something, the plural of the zone's name) make no slot conflict, and a place singled out
of a whole ("in Lecong alone") is not answered with the whole's figure.
"""

from __future__ import annotations

import pytest

from bot.analysis import analyse
from bot.engine import Engine

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
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id), (
        match.outcome,
        [(c.fact.id, c.confidence) for c in match.candidates[:3]],
    )


#: A place singled out of a figure's whole ("in Lecong alone"): the fact's figure is for Lecong
#: and Longjiang together, so it is declined (still shown as the closest fact); the whole, or
#: the place without "alone", is answered.
SINGLED_OUT_OF_THE_WHOLE = [
    ("How many furniture makers are there in Lecong alone?", "decline"),
    ("how many furniture dealers are in longjiang alone", "decline"),
    ("how many furniture makers are there only in Lecong", "decline"),
    ("光是乐从有多少家具厂？", "decline"),
    ("How many furniture dealers are in Lecong and Longjiang?", "answer"),
    ("how many furniture makers in lecong", "answer"),
    ("How many enterprises does the cluster have on its own?", "answer"),
]


@pytest.mark.parametrize(("question", "outcome"), SINGLED_OUT_OF_THE_WHOLE)
def test_a_place_singled_out_of_a_whole_is_not_answered_with_the_whole(
    engine: Engine, question: str, outcome: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == outcome, [(c.fact.id, c.confidence) for c in match.candidates[:3]]
    if outcome == "decline":
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
