"""Conversations: follow-ups matched with the previous answer, conversation words, menu picks."""

from __future__ import annotations

import pytest

from bot.conversation import Context
from bot.dialogue import Turn, choice_number, looks_like_followup, take_turn
from bot.engine import Engine


def converse(engine: Engine, *messages: str) -> list[Turn]:
    """Send messages one after another in one conversation; the bot's turns."""
    context: Context | None = None
    turns = []
    for message in messages:
        turn = take_turn(engine, message, context)
        context = turn.context
        turns.append(turn)
    return turns


def shown(turn: Turn) -> str | None:
    """The fact a turn answers with (None for anything else)."""
    match = turn.match
    if turn.kind == "match" and match is not None and match.outcome == "answer" and match.fact:
        return match.fact.id
    return None


@pytest.mark.parametrize(
    ("first", "followup", "expected"),
    [
        ("how many enterprises are in the cluster", "and how many of them are high-tech?",
         "cluster-high-tech-2020"),
        ("what is kelon", "when was it founded?", "kelon-origins"),
        ("who founded midea", "when?", "midea-origins"),
        ("佛山智能家居集群有多少家企业", "其中高新技术企业呢", "cluster-high-tech-2020"),
        ("who founded midea", "what about kelon?", "kelon-origins"),
        # The company carries over when the previous measure (headquarters) fits nothing.
        ("Which town is Midea headquartered in?", "when did it list?", "midea-listing"),
    ],
)  # fmt: skip
def test_a_followup_is_matched_with_the_previous_answer(
    engine: Engine, first: str, followup: str, expected: str
) -> None:
    turns = converse(engine, first, followup)
    assert shown(turns[1]) == expected


@pytest.mark.parametrize(
    ("first", "followup"),
    [("/turnover", "what about 2019?"), ("/turnover", "那2019年呢"), ("/turnover", "and in 2019?"),
     # Not another fact of that year about the same company (Midea listed in 1993).
     ("美的集团是什么时候成立的？", "1993年呢")],
)  # fmt: skip
def test_a_followup_for_another_year_is_declined_not_given_the_2020_figure(
    engine: Engine, first: str, followup: str
) -> None:
    turns = converse(engine, first, followup)
    assert turns[1].match is not None and turns[1].match.outcome == "decline"
    assert turns[1].followup


@pytest.mark.parametrize(
    ("first", "standalone", "expected"),
    [
        ("what is kelon", "what is the slogan about foshan products?", "slogan"),
        ("/turnover", "who wrote the article?", "article-author"),
        ("who founded midea", "how many enterprises are in the smart home cluster?",
         "cluster-enterprises-2020"),
        # After a question left unanswered that named its own company.
        ("Where is Monalisa headquartered?", "what is the slogan about foshan products?",
         "slogan"),
        ("what is the weather in Guangzhou?", "how many enterprises are in the smart home "
         "cluster?", "cluster-enterprises-2020"),
        ("蒙娜丽莎在佛山哪个区？", "佛山智能家居集群有多少家企业？", "cluster-enterprises-2020"),
    ],
)  # fmt: skip
def test_a_question_that_stands_alone_is_not_hijacked(
    engine: Engine, first: str, standalone: str, expected: str
) -> None:
    turns = converse(engine, first, standalone)
    assert shown(turns[1]) == expected and not turns[1].followup


@pytest.mark.parametrize(
    "unrelated",
    ["who is the mayor of foshan?", "tell me a joke", "what is the weather like?",
     "how many employees?", "who is the ceo?"],
)  # fmt: skip
def test_the_context_does_not_answer_what_the_fact_base_does_not_know(
    engine: Engine, unrelated: str
) -> None:
    turns = converse(engine, "Who founded Midea?", unrelated)
    assert turns[1].match is not None and turns[1].match.outcome == "decline"


@pytest.mark.parametrize(
    ("first", "followup", "expected"),
    [("雲米是哪年成立的？", "占了多少股份", None),  # Viomi's stake is not stated: no guess
     ("云米在纳斯达克的代码是啥？", "发了多少ADS", "viomi-ipo"),
     ("/turnover", "and dealers?", None),
     ("How many furniture makers line National Highway 325 in Shunde?", "and dealers?",
      "furniture-highway-325")],
)  # fmt: skip
def test_a_subjectless_question_is_about_the_company_under_discussion(
    engine: Engine, first: str, followup: str, expected: str | None
) -> None:
    turns = converse(engine, first, followup)
    assert shown(turns[1]) == expected


def test_without_context_a_vague_followup_is_not_guessed(engine: Engine) -> None:
    (turn,) = converse(engine, "when?")
    assert turn.match is not None and turn.match.outcome == "decline"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("when?", True), ("and in 2019?", True), ("what about the whole zone?", True),
     ("那2019年呢", True), ("其中高新技术企业呢", True), ("when was it founded?", True),
     ("how many enterprises are in the smart home cluster?", False),
     ("美的集团是什么时候成立的", False), ("who wrote the article about the cluster?", False)],
)  # fmt: skip
def test_looks_like_followup(engine: Engine, text: str, expected: bool) -> None:
    assert looks_like_followup(engine, text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2", 2), (" 3. ", 3), ("#1", 1), ("第二个", 2), ("第二個", 2), ("no. 2", 2), ("2019", None),
     ("two", None)],
)  # fmt: skip
def test_choice_number(text: str, expected: int | None) -> None:
    assert choice_number(text) == expected


def test_a_number_after_did_you_mean_picks_that_option(engine: Engine) -> None:
    clarify, picked = converse(engine, "when was it founded?", "2")
    assert clarify.match is not None and clarify.match.outcome == "clarify"
    assert shown(picked) == clarify.context.menu[1]
    assert picked.context.menu == ()


def test_a_number_out_of_range_says_so_and_keeps_the_menu(engine: Engine) -> None:
    clarify, wrong, right = converse(engine, "when was it founded?", "9", "1")
    assert wrong.kind == "out_of_range" and wrong.choices == len(clarify.context.menu)
    assert shown(right) == clarify.context.menu[0]


@pytest.mark.parametrize("none", ["none", "None of these", "都不是", "no", "不是"])
def test_none_after_did_you_mean_is_none_of_these(engine: Engine, none: str) -> None:
    clarify, turn = converse(engine, "when was it founded?", none)
    assert turn.kind == "none" and turn.match == clarify.match


@pytest.mark.parametrize(
    ("word", "kind"),
    [("tell me more", "more"), ("More", "more"), ("详细点", "more"), ("source?", "source"),
     ("where is that from?", "source"), ("出处", "source"), ("why?", "why"), ("为什么", "why"),
     ("who reported that?", "source"), ("is there a link?", "source"), ("有链接吗", "source"),
     ("这是哪里报道的", "source"), ("source 是哪里?", "source"), ("出處在哪", "source")],
)  # fmt: skip
def test_conversation_words_act_on_the_last_answer(engine: Engine, word: str, kind: str) -> None:
    answer, turn = converse(engine, "who founded midea", word)
    assert turn.kind == kind
    assert (turn.fact or turn.match.fact).id == "midea-origins"  # type: ignore[union-attr]
    assert turn.context.fact_id == answer.context.fact_id == "midea-origins"
    assert turn.context.menu == (
        ("midea-listing", "midea-sales-2000", "household-brands") if kind == "more" else ()
    )  # a number picks a related fact


@pytest.mark.parametrize(
    ("first", "switch", "language"),
    [("who founded midea", "in Chinese", "zh"), ("who founded midea", "中文", "zh"),
     ("美的是谁创办的", "English please", "en"), ("美的是谁创办的", "英文怎么说", "en"),
     ("who founded midea", "how do you say that in Chinese?", "zh")],
)  # fmt: skip
def test_language_words_give_the_same_fact_in_the_other_language(
    engine: Engine, first: str, switch: str, language: str
) -> None:
    turns = converse(engine, first, switch)
    assert shown(turns[1]) == "midea-origins" and turns[1].language == language


@pytest.mark.parametrize("followup", ["who founded it?", "and its founder?", "创始人是谁？"])
def test_who_founded_it_after_a_founding_date_gives_the_founder(
    engine: Engine, followup: str
) -> None:
    turns = converse(engine, "when was Midea founded?", followup)
    assert shown(turns[1]) == "midea-origins"


def test_a_decline_keeps_the_subject_for_the_next_followup(engine: Engine) -> None:
    turns = converse(engine, "who founded midea", "how many employees does it have?", "when?")
    assert turns[1].match is not None and turns[1].match.outcome == "decline"
    assert shown(turns[2]) == "midea-origins"


@pytest.mark.parametrize(
    ("first", "followup"),
    [("雲米是哪年成立的？", "創辦人是誰？"), ("云米是哪年成立的？", "创办人是谁？"),
     ("云米是什么来头？", "創辦人是誰？"), ("Viomi", "創辦人是誰？"),
     ("when was Viomi founded?", "who founded it?"), ("What is Yunmi Electric?", "who set it up?"),
     ("when was Viomi founded?", "and its founder?")],
)  # fmt: skip
def test_a_subjectless_question_is_not_answered_about_another_company(
    engine: Engine, first: str, followup: str
) -> None:
    """Viomi's founder is not in the fact base: neither Midea's founder nor Viomi's founding
    date answers it (who founded something is not when it was founded)."""
    turns = converse(engine, first, followup)
    assert turns[1].match is not None and turns[1].match.outcome == "decline"


@pytest.mark.parametrize(
    ("first", "followup", "expected"),
    [("Which Foshan clusters were named national advanced manufacturing clusters in 2022?",
      "out of how many nationwide?", "advanced-manufacturing-clusters-2022"),
     ("佛山智能家居集群到2023年的目标是什么？", "实现了吗", None)],
)  # fmt: skip
def test_a_followup_is_not_answered_by_facts_that_contradict_the_conversation(
    engine: Engine, first: str, followup: str, expected: str | None
) -> None:
    """Candidates of another year or company than the conversation's do not outrank the fact
    under discussion, nor make up a "Did you mean" of their own."""
    turns = converse(engine, first, followup)
    assert shown(turns[1]) == expected
    assert turns[1].match is not None and turns[1].match.outcome != "clarify"


@pytest.mark.parametrize(
    ("first", "followup", "expected"),
    [("Who is Monalisa's chairman?", "when was it founded?", "monalisa-group"),
     ("云米是什么来头？", "在哪上市的", "viomi-ipo")],
)  # fmt: skip
def test_the_subject_of_an_unanswered_question_carries_over(
    engine: Engine, first: str, followup: str, expected: str
) -> None:
    """A "Did you mean" or a decline about a named company still says what "it" is."""
    turns = converse(engine, first, followup)
    assert turns[0].match is not None and turns[0].match.outcome != "answer"
    assert shown(turns[1]) == expected and turns[1].followup


@pytest.mark.parametrize("word", ["none", "no", "都不是", "why?"])
def test_a_conversation_word_with_nothing_to_act_on_is_not_a_followup(
    engine: Engine, word: str
) -> None:
    """ "none" after an answer (no "Did you mean" to refuse) or "why?" before any answer: not
    read as a question about the fact under discussion."""
    first = "who founded midea" if word != "why?" else "who is monalisa's chairman?"
    turns = converse(engine, first, word)
    assert turns[1].match is not None and turns[1].match.outcome == "decline"
    assert not turns[1].followup


@pytest.mark.parametrize("number", ["2", "第二個", "#9"])
def test_a_number_with_no_options_is_no_followup_and_keeps_the_language(
    engine: Engine, number: str
) -> None:
    """A number picks nothing after an answer; the reply stays in the conversation's language."""
    answer, turn = converse(engine, "美的集团是什么时候成立的？", number)
    assert turn.match is not None and turn.match.outcome == "decline"
    assert not turn.followup and turn.language == "zh"


def test_did_you_mean_between_the_answer_just_shown_and_another_is_the_other(
    engine: Engine,
) -> None:
    notice, count = converse(
        engine, "What is the document number of the 2021 Torch Center notice?",
        "how many clusters did the Torch Center pick in 2021?",
    )  # fmt: skip
    assert shown(notice) == "pilot-notice-number"
    assert shown(count) == "pilot-list-count"


@pytest.mark.parametrize(
    "question", ["did they achieve it?", "was it achieved?", "实现了吗", "達成了嗎"]
)
def test_whether_a_goal_was_reached_is_declined_not_offered_other_figures(
    engine: Engine, question: str
) -> None:
    """The fact base holds the 2023 goals, not whether they were met."""
    turns = converse(engine, "/goals", question)
    assert turns[1].match is not None and turns[1].match.outcome == "decline"


def test_the_company_only_reading_gives_no_fact_unrelated_to_the_one_under_discussion(
    engine: Engine,
) -> None:
    """Viomi's Foshan company is in Viomi's profile (related to its listing), not in the list
    of emerging companies: better no answer than that list."""
    turns = converse(engine, "雲米是哪一年在納斯達克上市的？", "代碼呢", "它在佛山的公司叫什麼")
    assert shown(turns[2]) in (None, "viomi-profile")
