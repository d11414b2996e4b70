"""Near misses read from what the question asks, not from its words alone: a person's role
(who heads, chairs, directs), a measure no fact states (employment, a stake), a ranking (which
has the most, the largest), a place no fact names (a listing in Hong Kong) and a stock code of a
company whose listing fact states none are declined, while
questions with the same words that the facts do answer still are. Wordings written for this
test, not taken from a question set."""

from __future__ import annotations

import pytest

from bot.analysis import analyse
from bot.engine import Engine

#: Each asks what no fact states, with the words of a fact that states something else.
NEAR_MISSES = [
    # a person in a role; the facts name bodies (the Torch Center's ministry) or no one
    "who headed the torch center in 2021",
    "Kelon is headed by whom?",
    "who chairs Bear Electric",
    "who directs the Torch Center",
    "火炬中心的一把手是谁",
    # a measure no fact states: employment, a stake
    "how many people does the cluster employ",
    "how many are employed by Midea",
    "cluster employment figures",
    "小米持有云米多少股权",
    "小米在云米占股多少",
    "云米的大股东是谁",
    # a ranking no fact gives
    "which city had the largest number of clusters on the 2021 list",
    "哪个省入选2021年名单的集群最多",
    "which of the emerging firms is the biggest",
    "which guangdong city has the most pilot clusters?",
    # a listing place no fact states; a stock code only some listing facts state
    "Did Bear Electric list in HK?",
    "美的的股票代码是多少",
    "what is Midea's ticker on the Shenzhen exchange",
    # a founder's life beyond the founding story that names him (review 7, finding 4)
    "where was He Xiangjian born",
    "is He Xiangjian still alive",
    "He Xiangjian's son",
    "who is He Xiangjian's wife",
    "何享健的儿子是谁",
    "何享健在哪里出生",
    "何享健身家多少",
]
#: The same words, asking what a fact does state.
ANSWERED = [
    ("who submitted Foshan's application for the pilot list", "pilot-list-submitted-by"),
    ("which body published the 2021 list", "torch-center"),
    ("who founded midea", "midea-origins"),
    ("how many enterprises are in the cluster", "cluster-enterprises-2020"),
    ("海信收购了科龙多少股份", "hisense-kelon-deal-2005"),
    ("小熊电器股份有限公司是什么时候成立的", "bear-electric-profile"),
    ("where does the zone rank among manufacturing zones", "zone-manufacturing-index"),
    ("which are the most famous brands from foshan", "household-brands"),
    ("When did Midea list in Shenzhen?", "midea-listing"),
    ("蒙娜丽莎的证券代码", "monalisa-group"),
    ("Viomi's ticker symbol", "viomi-ipo"),
    ("何享健是谁", "midea-origins"),
    ("who is He Xiangjian", "midea-origins"),
]


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_a_question_asking_what_no_fact_states_is_not_answered(
    engine: Engine, question: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == "decline", (match.outcome, match.fact and match.fact.id)


@pytest.mark.parametrize(("question", "fact_id"), ANSWERED)
def test_the_same_words_asking_what_a_fact_states_are_answered(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id), (
        match.outcome,
        [(c.fact.id, c.confidence) for c in match.candidates[:3]],
    )


@pytest.mark.parametrize(
    ("question", "ranking"),
    [
        ("which province had the most clusters?", True),
        ("which district has the most high-tech firms", True),
        ("what is the biggest smart home company in foshan", True),
        ("边个镇嘅家具厂最多？", True),
        ("最大的是哪家", True),
        ("which are the most famous brands", False),
        ("do most firms in the cluster hold high-tech status", False),
        ("what share did most of the zone's output come from", False),
    ],
)
def test_which_has_the_most_is_read_as_a_ranking(
    engine: Engine, question: str, ranking: bool
) -> None:
    assert ("rank" in analyse(question, engine.index).measures) is ranking
