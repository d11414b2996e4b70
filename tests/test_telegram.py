"""The Telegram bot end to end: ``python -m bot run`` polls a strict local Bot API stand-in on
127.0.0.1, and the tests act as users. Nothing leaves loopback."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bot_process import BotProcess, bot_message, buttons, new_user, running_bot, start_bot
from fake_telegram import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    ApiError,
    FakeTelegram,
    serve,
    stop,
    utf16_length,
)
from helpers import FACTS, seed_declined, write_fact_base

from bot.knowledge import MAX_TOPIC_ID_LENGTH


@dataclass
class RunningBot:
    fake: FakeTelegram
    process: BotProcess


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """One bot for the module; each test talks to it as users and chats of its own."""
    with running_bot(tmp_path_factory.mktemp("bot")) as (fake, process):
        yield RunningBot(fake, process)


def ask(
    bot: RunningBot, text: str | None, user: int | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    user = user or new_user()
    message = bot.fake.send_message(text, user_id=user, **kwargs)
    return user, message


def reply_to(bot: RunningBot, text: str, **kwargs: Any):  # type: ignore[no-untyped-def]
    user, _ = ask(bot, text, **kwargs)
    return bot.fake.wait_for_replies(user, 1)[0]


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------


def test_registers_command_menu_in_english_and_chinese(bot: RunningBot) -> None:
    menus = bot.fake.sent("setMyCommands")
    default = next(c for c in menus if not c.params.get("language_code"))
    chinese = next(c for c in menus if c.params.get("language_code") == "zh")
    names = [c["command"] for c in default.params["commands"]]
    assert names[:6] == ["ask", "topics", "sources", "about", "lang", "help"]
    assert {"turnover", "enterprises", "hightech", "pilot", "goals"} <= set(names)
    assert any("营业额" in c["description"] for c in chinese.params["commands"])


# --------------------------------------------------------------------------------------------
# Private chats
# --------------------------------------------------------------------------------------------


def test_private_question_gets_cited_html_answer_with_buttons(bot: RunningBot) -> None:
    reply = reply_to(bot, "What was the cluster's turnover in 2020?")
    assert reply.params["parse_mode"] == "HTML"
    assert "133 billion yuan" in reply.visible_text
    assert "As of: 2020" in reply.visible_text
    assert (
        '<a href="https://www.foshannews.net/h/3346/20210823/367567.html">' in reply.params["text"]
    )
    assert reply.params["link_preview_options"] == {"is_disabled": True}
    data = [b["callback_data"] for b in buttons(reply)]
    related = [d for d in data if d.startswith("f:")]
    assert 1 <= len(related) <= 3 and data[: len(related)] == related
    assert data[len(related) : -1] == ["v:1:cluster-turnover-2020", "v:0:cluster-turnover-2020"]
    assert data[-1].startswith("w:")


def test_chinese_question_gets_chinese_answer(bot: RunningBot) -> None:
    reply = reply_to(bot, "佛山智能家居集群有多少家企业？", language="en")
    assert "479家企业" in reply.visible_text and "来源" in reply.visible_text


def test_decline_is_honest_offers_topics_and_shows_no_fact(bot: RunningBot) -> None:
    reply = reply_to(bot, "How many employees does Midea have?")
    assert reply.visible_text.startswith("Sorry, I don't know that")
    assert "/topics" in reply.visible_text
    assert "Sources" not in reply.visible_text


def test_greeting_gets_a_short_friendly_reply(bot: RunningBot) -> None:
    reply = reply_to(bot, "hello!")
    assert reply.visible_text.startswith("Hello!") and "/help" in reply.visible_text
    assert not buttons(reply)


def test_clarify_shows_did_you_mean_buttons_and_none_of_these(bot: RunningBot) -> None:
    reply = reply_to(bot, "when was it founded?")
    assert "Did you mean" in reply.visible_text
    data = [b["callback_data"] for b in buttons(reply)]
    assert "f:midea-origins" in data and len(data) >= 3 and data[-1].startswith("n:")


def test_pressing_a_fact_button_answers_the_callback_and_shows_the_fact(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("when was it founded?", user_id=user)
    clarify = bot.fake.wait_for_replies(user, 1)[0]
    query = bot.fake.press(bot_message(clarify), "f:midea-origins", user_id=user)
    fact = bot.fake.wait_for_replies(user, 2)[1]
    assert "He Xiangjian" in fact.visible_text
    bot.fake.wait_for(lambda: query in bot.fake.answered_callbacks)


def test_none_of_these_is_acknowledged(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("when was it founded?", user_id=user)
    clarify = bot.fake.wait_for_replies(user, 1)[0]
    none_of_these = buttons(clarify)[-1]["callback_data"]
    query = bot.fake.press(bot_message(clarify), none_of_these, user_id=user)
    bot.fake.wait_for(lambda: query in bot.fake.answered_callbacks)
    answer = next(
        c for c in bot.fake.sent("answerCallbackQuery") if c.params["callback_query_id"] == query
    )
    assert "noted" in answer.params["text"]


def test_why_this_answer_shows_phrasing_confidence_and_runner_up(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("what was the turnover of the cluster", user_id=user)
    answer = bot.fake.wait_for_replies(user, 1)[0]
    why = next(b["callback_data"] for b in buttons(answer) if b["callback_data"].startswith("w:"))
    bot.fake.press(bot_message(answer), why, user_id=user)
    explanation = bot.fake.wait_for_replies(user, 2)[1]
    assert "Matched the stored question" in explanation.visible_text
    assert "Confidence: " in explanation.visible_text and "Runner-up: " in explanation.visible_text


def test_expired_why_button_says_so(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("what was the turnover of the cluster", user_id=user)
    answer = bot.fake.wait_for_replies(user, 1)[0]
    query = bot.fake.press(bot_message(answer), "w:ffffffff", user_id=user)
    bot.fake.wait_for(lambda: query in bot.fake.answered_callbacks)
    [notice] = [
        c for c in bot.fake.sent("answerCallbackQuery") if c.params["callback_query_id"] == query
    ]
    assert notice.params["text"] == "This button has expired; please ask again."
    assert len(bot.fake.sent(chat_id=user)) == 1  # no explanation of some other answer


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def test_start_welcomes_and_deep_link_answers_a_fact(bot: RunningBot) -> None:
    welcome = reply_to(bot, "/start")
    assert "Foshan Cluster Bot" in welcome.visible_text and "/topics" in welcome.visible_text
    fact = reply_to(bot, "/start goals-2023")
    assert "international influence" in fact.visible_text


@pytest.mark.parametrize("argument", ["no-such-fact", "x" * 64, "cluster-turnover-2020-old"])
def test_start_with_an_unknown_fact_id_welcomes(bot: RunningBot, argument: str) -> None:
    welcome = reply_to(bot, "/start")
    assert reply_to(bot, f"/start {argument}").visible_text == welcome.visible_text


def test_help_lists_commands_and_shortcuts(bot: RunningBot) -> None:
    text = reply_to(bot, "/help").visible_text
    for command in (
        "/ask",
        "/topics",
        "/sources",
        "/about",
        "/lang",
        "/turnover",
        f"@{BOT_USERNAME}",
    ):
        assert command in text


def test_ask_with_and_without_question(bot: RunningBot) -> None:
    assert "/ask How many" in reply_to(bot, "/ask").visible_text
    assert "479" in reply_to(bot, "/ask how many companies are in the cluster").visible_text


def test_topics_then_a_topic_lists_its_facts(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("/topics", user_id=user)
    topics = bot.fake.wait_for_replies(user, 1)[0]
    data = [b["callback_data"] for b in buttons(topics)]
    assert "t:goals" in data and len(data) == 8
    bot.fake.press(bot_message(topics), "t:goals", user_id=user)
    facts = bot.fake.wait_for_replies(user, 2)[1]
    assert [b["callback_data"] for b in buttons(facts)] == ["f:goals-2023", "f:next-steps-digital"]


def test_topics_work_with_the_longest_topic_id_validate_allows(tmp_path: Path) -> None:
    # The /topics button carries "t:<topic id>", which Telegram caps at 64 bytes.
    topic_id = "figures-" + "x" * (MAX_TOPIC_ID_LENGTH - len("figures-"))
    facts = FACTS.replace("  id: figures\n", f"  id: {topic_id}\n", 1)
    directory = write_fact_base(tmp_path / "knowledge", facts=facts)
    with running_bot(tmp_path / "bot", BOT_KNOWLEDGE_DIR=str(directory)) as (fake, _):
        user = new_user()
        fake.send_message("/topics", user_id=user)
        topics = fake.wait_for_replies(user, 1)[0]
        assert [b["callback_data"] for b in buttons(topics)] == [f"t:{topic_id}"]
        fake.press(bot_message(topics), f"t:{topic_id}", user_id=user)
        listed = fake.wait_for_replies(user, 2)[1]
    assert [b["callback_data"] for b in buttons(listed)] == ["f:turnover", "f:enterprises"]


def test_sources_and_about(bot: RunningBot) -> None:
    sources = reply_to(bot, "/sources")
    assert sources.params["text"].count("<a href=") == 23
    about = reply_to(bot, "/about").visible_text
    assert "51 facts" in about and "23 sources" in about and "last updated" in about


def test_lang_sets_answer_language_per_user(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("/lang zh", user_id=user)
    assert "中文" in bot.fake.wait_for_replies(user, 1)[0].visible_text
    bot.fake.send_message("What was the turnover in 2020?", user_id=user)
    assert "1330亿元" in bot.fake.wait_for_replies(user, 2)[1].visible_text
    other = reply_to(bot, "What was the turnover in 2020?")
    assert "133 billion" in other.visible_text  # other users unaffected


def test_telegram_language_decides_interface_texts(bot: RunningBot) -> None:
    assert "知识库" in reply_to(bot, "/about", language="zh-hans").visible_text


def test_shortcut_command_answers_its_fact(bot: RunningBot) -> None:
    reply = reply_to(bot, "/turnover")
    assert "133 billion yuan" in reply.visible_text and "Sources" in reply.visible_text


def test_unknown_command_in_private_points_to_help(bot: RunningBot) -> None:
    assert "/help" in reply_to(bot, "/frobnicate").visible_text


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------


def group() -> dict[str, Any]:
    return FakeTelegram.group_chat(-1_000_000_000_000 - new_user())


def test_group_ignores_messages_not_addressed_to_the_bot(bot: RunningBot) -> None:
    chat = group()
    ask(bot, "what was the turnover in 2020?", chat=chat)
    ask(bot, "/ask@SomeOtherBot what was the turnover?", chat=chat)
    ask(bot, "/turnover@SomeOtherBot", chat=chat)
    ask(bot, f"@{BOT_USERNAME} how many enterprises are in the cluster?", chat=chat)
    replies = bot.fake.wait_for_replies(chat["id"], 1)
    assert len(bot.fake.sent(chat_id=chat["id"])) == 1
    assert "479" in replies[0].visible_text


def test_group_mention_gets_compact_quoted_answer_with_deep_link(bot: RunningBot) -> None:
    chat = group()
    _, message = ask(bot, f"@{BOT_USERNAME} what was the cluster turnover in 2020?", chat=chat)
    reply = bot.fake.wait_for_replies(chat["id"], 1)[0]
    assert reply.params["reply_parameters"]["message_id"] == message["message_id"]
    assert "133 billion" in reply.visible_text and reply.params["text"].count("<a href=") == 1
    [button] = buttons(reply)
    assert button["url"] == f"https://t.me/{BOT_USERNAME}?start=cluster-turnover-2020"


def test_group_reply_to_the_bot_and_text_mention_count_as_addressed(bot: RunningBot) -> None:
    chat = group()
    ask(bot, f"@{BOT_USERNAME} hi", chat=chat)
    first = bot.fake.wait_for_replies(chat["id"], 1)[0]
    ask(bot, "and what is the slogan?", chat=chat, reply_to=bot_message(first))
    assert "Where there is a home" in bot.fake.wait_for_replies(chat["id"], 2)[1].visible_text
    text = "Bot, who wrote the article?"
    entity = {
        "type": "text_mention",
        "offset": 0,
        "length": 3,
        "user": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
    }
    ask(bot, text, chat=chat, entities=[entity])
    assert "Jersey" in bot.fake.wait_for_replies(chat["id"], 3)[2].visible_text


def test_group_commands_addressed_to_this_bot(bot: RunningBot) -> None:
    chat = group()
    ask(bot, f"/ask@{BOT_USERNAME} when was the zone set up?", chat=chat)
    assert "1992" in bot.fake.wait_for_replies(chat["id"], 1)[0].visible_text
    ask(bot, f"/hightech@{BOT_USERNAME}", chat=chat)
    assert "395" in bot.fake.wait_for_replies(chat["id"], 2)[1].visible_text


def test_group_decline_is_one_short_line(bot: RunningBot) -> None:
    chat = group()
    ask(bot, f"@{BOT_USERNAME} how many employees does Midea have?", chat=chat)
    reply = bot.fake.wait_for_replies(chat["id"], 1)[0]
    assert "\n" not in reply.visible_text and "no answer" in reply.visible_text


def test_group_caption_addressed_to_the_bot_is_a_question(bot: RunningBot) -> None:
    chat = group()
    caption = f"@{BOT_USERNAME} what is the slogan?"
    extra = {
        "photo": [{"file_id": "x", "file_unique_id": "x", "width": 1, "height": 1}],
        "caption": caption,
        "caption_entities": [{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}],
    }
    ask(bot, None, chat=chat, extra=extra)
    assert "Where there is a home" in bot.fake.wait_for_replies(chat["id"], 1)[0].visible_text


# --------------------------------------------------------------------------------------------
# Inline mode
# --------------------------------------------------------------------------------------------


def test_inline_query_offers_up_to_five_cited_results(bot: RunningBot) -> None:
    query = bot.fake.inline("turnover", user_id=new_user())
    call = bot.fake.wait_for(
        lambda: next(
            (
                c
                for c in bot.fake.sent("answerInlineQuery")
                if c.params["inline_query_id"] == query
            ),
            None,
        )
    )
    results = call.params["results"]
    assert 1 <= len(results) <= 5
    assert results[0]["id"] == "cluster-turnover-2020"
    assert results[0]["title"] == "What was the turnover of the Foshan smart home cluster in 2020?"
    assert "133 billion" in results[0]["description"]
    assert "<a href=" in results[0]["input_message_content"]["message_text"]
    assert int(call.params["cache_time"]) > 0


def test_empty_inline_query_offers_the_most_useful_facts(bot: RunningBot) -> None:
    query = bot.fake.inline("", user_id=new_user())
    call = bot.fake.wait_for(
        lambda: next(
            (
                c
                for c in bot.fake.sent("answerInlineQuery")
                if c.params["inline_query_id"] == query
            ),
            None,
        )
    )
    assert [r["id"] for r in call.params["results"]][:2] == [
        "cluster-turnover-2020",
        "cluster-enterprises-2020",
    ]


# --------------------------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------------------------


def test_sticker_in_private_gets_a_hint_not_a_crash(bot: RunningBot) -> None:
    sticker = {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    }
    user, _ = ask(bot, None, extra=sticker)
    assert "only read text" in bot.fake.wait_for_replies(user, 1)[0].visible_text


def test_edited_messages_and_channel_posts_are_ignored(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message(
        "what was the turnover in 2020?",
        user_id=user,
        kind="edited_message",
        extra={"edit_date": 1},
    )
    channel = {"id": -100999, "type": "channel", "title": "News"}
    bot.fake.send_message("what was the turnover in 2020?", chat=channel, kind="channel_post")
    bot.fake.send_message("who wrote the article?", user_id=user)
    replies = bot.fake.wait_for_replies(user, 1)
    assert len(replies) == 1 and "Jersey" in replies[0].visible_text
    assert not bot.fake.sent(chat_id=-100999)


@pytest.mark.parametrize(
    ("question", "echoed"),
    [
        # A compound message answered in part quotes the part the fact base holds nothing on:
        # the user's own words, shown exactly as typed.
        (
            "How did Kelon get started? Also what is its share price now <b>&amp; <script>?",
            "what is its share price now <b>&amp",
        ),
        (
            "Where did Midea start out, and how many employees </b> does it have today & <i>tomorrow?",
            "how many employees </b> does it have today & <i>tomorrow",
        ),
        (
            "Who wrote the Foshan News story, and who translated it <a href=x>&lt;?",
            "who translated it <a href=x>&lt",
        ),
        (
            "Who founded Midea, and is it still run by his family <i>&#99999999;?",
            "is it still run by his family <i>&#99999999",
        ),
    ],
    ids=["<b>&amp;", "</b> & <i>", "<a href>&lt;", "<i>&#99999999;"],
)
@pytest.mark.parametrize("where", ["private", "group"])
def test_hostile_html_in_an_echoed_question_is_shown_as_typed(
    bot: RunningBot, question: str, echoed: str, where: str
) -> None:
    if where == "group":
        chat = group()
        ask(bot, f"@{BOT_USERNAME} {question}", chat=chat)
        reply = bot.fake.wait_for_replies(chat["id"], 1)[0]
    else:
        reply = reply_to(bot, question)
    assert "no answer to the other part of your question" in reply.visible_text
    assert f"- {echoed}" in reply.visible_text


def test_huge_input_is_answered_within_telegram_limits(bot: RunningBot) -> None:
    question = "What was the turnover of the smart home cluster in 2020? " + "filler words " * 1000
    user, _ = ask(bot, question[:4096])  # Telegram's own limit for what a user sends
    [reply] = bot.fake.wait_for_replies(user, 1)
    assert "133 billion yuan" in reply.visible_text and "Sources" in reply.visible_text


def test_a_long_answer_comes_in_parts_within_telegram_limits(tmp_path: Path) -> None:
    # Over 13,000 characters: escaped signs, emoji (two UTF-16 units each) and Chinese.
    long_answer = " ".join(f"Part {n}: R&D <lab> 😀 佛山 & more." for n in range(400))
    facts = FACTS.replace(
        "en: The cluster's turnover was 133 billion yuan in 2020.",
        "en: " + json.dumps(long_answer, ensure_ascii=False),
    )
    directory = write_fact_base(tmp_path / "knowledge", facts=facts)
    with running_bot(tmp_path / "bot", BOT_KNOWLEDGE_DIR=str(directory)) as (fake, _):
        fake.send_message("What was the turnover in 2020?", user_id=5)
        # The buttons come under the last part, so once they are there every part has been sent.
        fake.wait_for(lambda: any(c.params.get("reply_markup") for c in fake.sent(chat_id=5)))
        parts = fake.sent(chat_id=5)
    assert len(parts) >= 4
    assert [bool(c.params.get("reply_markup")) for c in parts] == [False] * (len(parts) - 1) + [
        True
    ]
    assert all(0 < utf16_length(c.visible_text) <= 4096 for c in parts)  # type: ignore[arg-type]
    shown = "".join(c.visible_text or "" for c in parts)
    assert "".join(long_answer.split()) in "".join(shown.split())  # only cut spaces go
    assert "Sources" in parts[-1].visible_text  # type: ignore[operator]


def test_flood_gets_one_slow_down_then_silence(bot: RunningBot) -> None:
    user = new_user()
    for _ in range(13):
        bot.fake.send_message("what was the turnover in 2020?", user_id=user)
    # Updates are handled concurrently: the notice may come before the ten answers do.
    bot.fake.wait_for_replies(user, 11)
    other = reply_to(bot, "who wrote the article?")  # others are unaffected
    assert "Jersey" in other.visible_text
    replies = [c.visible_text for c in bot.fake.sent(chat_id=user)]
    assert len(replies) == 11
    assert sum("slow" in text for text in replies) == 1
    assert sum("133 billion yuan" in text for text in replies) == 10


def test_a_flood_of_shortcut_commands_gets_the_limit_and_one_notice(bot: RunningBot) -> None:
    user = new_user()
    for _ in range(300):
        bot.fake.send_message("/turnover", user_id=user)
    bot.fake.wait_for(lambda: len(bot.fake.sent(chat_id=user)) >= 11)
    other = reply_to(bot, "who wrote the article?")  # sent after the flood, answered all the same
    assert "Jersey" in other.visible_text
    replies = bot.fake.sent(chat_id=user)
    assert sum("slow down" in c.visible_text for c in replies) == 1
    assert sum("133 billion" in c.visible_text for c in replies) == 10
    assert len(replies) == 11


def test_a_flood_of_button_presses_gets_the_limit_and_one_notice(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.send_message("/topics", user_id=user)
    topics = bot_message(bot.fake.wait_for_replies(user, 1)[0])
    presses = {bot.fake.press(topics, "f:slogan", user_id=user) for _ in range(300)}
    notices = bot.fake.wait_for(
        lambda: [
            c
            for c in bot.fake.sent("answerCallbackQuery")
            if c.params["callback_query_id"] in presses and c.params.get("text")
        ]
    )
    other = reply_to(bot, "who wrote the article?")
    assert "Jersey" in other.visible_text
    bot.fake.wait_for(lambda: len(bot.fake.sent(chat_id=user)) >= 21)
    answered = [
        c for c in bot.fake.sent("answerCallbackQuery") if c.params["callback_query_id"] in presses
    ]
    assert [c.params["text"] for c in notices] == [
        "Please slow down: that's a lot of questions at once. Wait half a minute and ask again."
    ]
    assert len(answered) == 21  # the limit, and the one notice
    assert len(bot.fake.sent(chat_id=user)) == 21  # /topics, and one fact per allowed press


def test_a_flood_of_inline_queries_is_answered_up_to_the_limit(bot: RunningBot) -> None:
    user = new_user()
    queries = {bot.fake.inline("turnover", user_id=user) for _ in range(300)}

    def answered() -> list[object]:
        return [
            c for c in bot.fake.sent("answerInlineQuery") if c.params["inline_query_id"] in queries
        ]

    bot.fake.wait_for(lambda: len(answered()) >= 30)
    assert "Jersey" in reply_to(bot, "who wrote the article?").visible_text
    assert len(answered()) == 30
    # logged, and honestly: nobody was told
    logged = "flood control: a sender in inline mode is over 30 inline updates in 30 s; not told"
    bot.fake.wait_for(lambda: logged in bot.process.log())


def test_group_chatter_not_addressed_to_the_bot_does_not_count_toward_the_flood_limit(
    bot: RunningBot,
) -> None:
    # A bot that is a group admin (or has privacy mode off) receives every group message and
    # ignores those not addressed to it; they must not use up the user's limit.
    chat, user = group(), new_user()
    chatter = [f"lunch at {n}?" for n in range(12)] + ["/roll@DiceBot", "/frobnicate"]
    for text in chatter:
        ask(bot, text, user=user, chat=chat)
    ask(bot, f"@{BOT_USERNAME} who wrote the article?", user=user, chat=chat)
    [reply] = bot.fake.wait_for_replies(chat["id"], 1)
    assert "Jersey" in reply.visible_text


def test_a_flood_of_addressed_group_messages_gets_the_limit_and_one_notice(
    bot: RunningBot,
) -> None:
    def throttled_in_groups() -> int:
        return bot.process.log().count("flood control: a sender in a supergroup")

    chat, flooder = group(), new_user()
    logged = throttled_in_groups()
    for _ in range(40):
        ask(bot, f"@{BOT_USERNAME} what is the slogan?", user=flooder, chat=chat)
    bot.fake.wait_for_replies(chat["id"], 11)
    ask(bot, f"@{BOT_USERNAME} who wrote the article?", chat=chat)  # another member
    replies = bot.fake.wait_for_replies(chat["id"], 12)
    assert sum("Jersey" in c.visible_text for c in replies) == 1
    assert sum("Where there is a home" in c.visible_text for c in replies) == 10
    # one short notice, as a reply to the flooder's message, not one per message dropped
    [notice] = [c for c in replies if "slow down" in c.visible_text]
    assert "reply_parameters" in notice.params
    assert len(bot.fake.sent(chat_id=chat["id"])) == 12
    assert throttled_in_groups() == logged + 1


def test_a_slow_down_notice_that_cannot_be_sent_still_stops_the_message_over_the_limit(
    bot: RunningBot,
) -> None:
    # The flooder deleted the message before the notice could reply to it.
    chat, flooder = group(), new_user()
    for _ in range(10):
        ask(bot, f"@{BOT_USERNAME} what is the slogan?", user=flooder, chat=chat)
    bot.fake.wait_for_replies(chat["id"], 10)
    gone = ApiError(400, "Bad Request: message to be replied not found")
    bot.fake.fail("sendMessage", chat["id"], gone)
    ask(bot, f"@{BOT_USERNAME} what is the slogan?", user=flooder, chat=chat)
    not_told = "could not be told (Message to be replied not found)"
    bot.fake.wait_for(lambda: not_told in bot.process.log())
    ask(bot, f"@{BOT_USERNAME} who wrote the article?", chat=chat)  # another member
    replies = bot.fake.wait_for_replies(chat["id"], 11)
    assert sum("Jersey" in c.visible_text for c in replies) == 1
    assert sum("Where there is a home" in c.visible_text for c in replies) == 10
    assert not any("went wrong" in c.visible_text for c in replies)
    assert [c.method for c in bot.fake.by_chat[chat["id"]]].count("sendMessage:400") == 1
    assert len(bot.fake.sent(chat_id=chat["id"])) == 11


def test_a_slow_down_answer_to_a_button_press_that_fails_still_stops_the_press(
    bot: RunningBot,
) -> None:
    user = new_user()
    bot.fake.send_message("/topics", user_id=user)
    topics = bot_message(bot.fake.wait_for_replies(user, 1)[0])
    presses = {bot.fake.press(topics, "f:slogan", user_id=user) for _ in range(20)}
    bot.fake.wait_for(lambda: len(bot.fake.sent(chat_id=user)) >= 21)
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    bot.fake.fail("answerCallbackQuery", None, ApiError(400, too_old))
    late = bot.fake.press(topics, "f:slogan", user_id=user)
    not_told = "could not be told (Query is too old and response timeout expired"
    bot.fake.wait_for(lambda: not_told in bot.process.log())
    bot.fake.send_message("who wrote the article?", user_id=user)  # messages have their own limit
    replies = bot.fake.wait_for_replies(user, 22)
    assert "Jersey" in replies[-1].visible_text
    assert not any("went wrong" in c.visible_text for c in replies)
    assert len(bot.fake.sent(chat_id=user)) == 22  # /topics, 20 facts and the article
    answered = {c.params["callback_query_id"] for c in bot.fake.sent("answerCallbackQuery")}
    assert presses <= answered and late not in answered


@pytest.mark.parametrize(
    ("placeholder", "sender"),
    [
        # Anonymous group admins: "from" @GroupAnonymousBot, sender_chat the group itself.
        (1087968824, lambda chat: chat),
        # Posting "as a channel": "from" @Channel_Bot, sender_chat the channel.
        (
            136817688,
            lambda _: {"id": -2_000_000_000_000 - new_user(), "type": "channel", "title": "News"},
        ),
    ],
    ids=["anonymous admin", "as a channel"],
)
def test_senders_on_behalf_of_a_chat_get_a_flood_limit_per_group_and_chat(
    bot: RunningBot, placeholder: int, sender: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    # Telegram sends all of them, in every group, "from" one placeholder user.
    first, second = group(), group()
    for _ in range(10):
        extra = {"sender_chat": sender(first)}
        ask(bot, f"@{BOT_USERNAME} what is the slogan?", user=placeholder, chat=first, extra=extra)
    bot.fake.wait_for_replies(first["id"], 10)
    extra = {"sender_chat": sender(second)}
    ask(bot, f"@{BOT_USERNAME} who wrote the article?", user=placeholder, chat=second, extra=extra)
    assert "Jersey" in bot.fake.wait_for_replies(second["id"], 1)[0].visible_text


def test_429_retry_after_delays_but_never_loses_a_reply(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.fail("sendMessage", user, 1)
    bot.fake.send_message("what is the slogan?", user_id=user)
    [reply] = bot.fake.wait_for_replies(user, 1)
    assert "Where there is a home" in reply.visible_text
    assert [c.method for c in bot.fake.by_chat[user]] == ["sendMessage:429", "sendMessage"]


def test_a_failing_handler_tells_the_user_and_the_bot_goes_on(bot: RunningBot) -> None:
    user = new_user()
    bot.fake.fail("sendMessage", user, ApiError(400, "Bad Request: something unexpected"))
    bot.fake.send_message("what is the slogan?", user_id=user)
    notice = bot.fake.wait_for_replies(user, 1)[0]
    assert "something went wrong" in notice.visible_text
    bot.fake.send_message("what is the slogan?", user_id=user)
    assert "Where there is a home" in bot.fake.wait_for_replies(user, 2)[1].visible_text
    # logged by the kind of update, never with the user's words
    log = bot.fake.wait_for(
        lambda: (lambda log: log if "handler failed on a message update" in log else None)(
            bot.process.log()
        )
    )
    assert "what is the slogan" not in log


def test_a_burst_of_200_users_is_all_answered(bot: RunningBot) -> None:
    users = [new_user() for _ in range(200)]
    for number, user in enumerate(users):
        bot.fake.send_message(
            "how many enterprises are in the cluster?" if number % 2 else "集群营业额是多少？",
            user_id=user,
        )
    bot.fake.wait_for(lambda: all(bot.fake.sent(chat_id=u) for u in users), timeout=120)
    assert all(len(bot.fake.sent(chat_id=u)) == 1 for u in users)


# --------------------------------------------------------------------------------------------
# Operating: tokens never logged, broken fact base refused
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_token_never_appears_in_logs(tmp_path: Path, level: str) -> None:
    with running_bot(tmp_path, BOT_LOG_LEVEL=level) as (fake, process):
        fake.send_message("what was the turnover in 2020?", user_id=1)
        fake.wait_for_replies(1, 1)
    log = process.log()
    assert "connected as @FoshanClusterBot" in log
    if level == "DEBUG":
        assert "getUpdates" in log  # DEBUG really logs the API calls...
    assert TOKEN not in log and TOKEN.split(":")[1] not in log  # ...without the token


def test_broken_fact_base_refuses_to_start_with_file_and_line(tmp_path: Path) -> None:
    directory = write_fact_base(
        tmp_path / "knowledge", facts=FACTS.replace("source: paper", "source: nowhere")
    )
    with running_bot(tmp_path, ready=False, BOT_KNOWLEDGE_DIR=str(directory)) as (fake, process):
        assert process.process.wait(timeout=60) == 1
    log = process.log()
    assert f"{directory / 'figures.yaml'}:" in log and "unknown source 'nowhere'" in log
    assert not fake.sent("setMyCommands")


def test_buttons_from_before_a_restart_expire_instead_of_showing_another_users_data(
    tmp_path: Path,
) -> None:
    fake = FakeTelegram()
    server, url = serve(fake)
    try:
        first = start_bot(url, tmp_path / "first")
        try:
            first.wait_ready(fake)
            fake.send_message("what was the turnover of the cluster", user_id=1)
            fake.send_message("when was it founded?", user_id=2)
            old_answer = fake.wait_for_replies(1, 1)[0]
            old_clarify = fake.wait_for_replies(2, 1)[0]
        finally:
            first.stop()
        second = start_bot(url, tmp_path / "second")
        try:
            second.wait_ready(fake, menus=4)
            # Another user's questions after the restart, answered with buttons of their own.
            fake.send_message("how many enterprises are in the cluster?", user_id=3)
            fake.send_message("when was it founded?", user_id=3)
            fake.wait_for_replies(3, 2)
            presses = [
                fake.press(bot_message(old_answer), buttons(old_answer)[-1]["callback_data"], 1),
                fake.press(bot_message(old_clarify), buttons(old_clarify)[-1]["callback_data"], 2),
            ]
            fake.wait_for(lambda: all(p in fake.answered_callbacks for p in presses))
            fake.send_message("what is the slogan?", user_id=1)  # later than the presses
            fake.wait_for_replies(1, 2)
        finally:
            second.stop()
    finally:
        stop(fake, server)
    notices = [
        c.params.get("text")
        for c in fake.sent("answerCallbackQuery")
        if c.params["callback_query_id"] in presses
    ]
    assert notices == ["This button has expired; please ask again."] * 2
    assert len(fake.sent(chat_id=1)) == 2 and len(fake.sent(chat_id=2)) == 1


def test_kill_9_during_a_burst_loses_no_user(tmp_path: Path) -> None:
    fake = FakeTelegram()
    server, url = serve(fake)
    data = tmp_path / "data"  # shared by both runs: the inbox is there
    users = list(range(700_001, 700_301))
    try:
        first = start_bot(url, tmp_path / "first", data=data)
        try:
            first.wait_ready(fake)
            # Telegram answers the first bot's replies "retry after 30 s" (its rate limiter then
            # holds every reply), so the kill comes while most of what it confirmed is
            # unanswered, however busy the machine is.
            for user in users:
                fake.fail("sendMessage", user, 30)
            for number, user in enumerate(users):
                fake.send_message(
                    "how many employees does Midea have?" if number % 3 else "what is the slogan?",
                    user_id=user,
                )
            # Kill once Telegram has been told the bot has two thirds of the burst.
            fake.wait_for(lambda: max(fake.offsets, default=0) > 200)
        finally:
            first.process.kill()  # kill -9: no shutdown, no last getUpdates
            first.process.wait()
        with fake.condition:
            fake.fail_next.clear()  # the second bot's replies go out at once
        answered = {u for u in users if fake.sent(chat_id=u)}
        # The scenario is real: Telegram had been told about updates not yet answered, and
        # will never send them again.
        assert len(answered) < max(fake.offsets) - 1
        second = start_bot(url, tmp_path / "second", data=data)
        try:
            fake.wait_for(lambda: all(fake.sent(chat_id=u) for u in users), timeout=120)
            fake.send_message("what is the slogan?", user_id=users[0])  # later than all
            fake.wait_for(lambda: len(fake.sent(chat_id=users[0])) >= 2)
        finally:
            log = second.stop()
    finally:
        stop(fake, server)
    replies = {u: len(fake.sent(chat_id=u)) for u in users[1:]}
    twice = [u for u, count in replies.items() if count > 1]
    assert "updates received before the last stop" in log
    # Only an update in the middle of its handling at the kill can be answered twice.
    assert len(twice) <= 3, twice
    assert set(replies.values()) <= {1, 2}


# --------------------------------------------------------------------------------------------
# Curators in Telegram: /unanswered with "add to <fact>" buttons
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CURATOR = 777


def test_unanswered_add_to_button_writes_the_phrasing_and_reloads(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    data = tmp_path / "data"
    data.mkdir()
    question = "cluster cash 2020"  # not answered today; the cluster figures come close
    seed_declined(data, [question] * 3 + ["what is the weather in paris"])
    before = {p.name: p.read_text(encoding="utf-8") for p in knowledge.glob("*.yaml")}
    settings = {
        "BOT_KNOWLEDGE_DIR": str(knowledge),
        "BOT_DATA_DIR": str(data),
        "BOT_ADMIN_IDS": str(CURATOR),
    }
    with running_bot(tmp_path / "bot", **settings) as (fake, process):
        curated = RunningBot(fake, process)
        assert "Sources" not in reply_to(curated, question).visible_text  # no answer yet
        fake.send_message("/unanswered", user_id=CURATOR)
        listing = fake.wait_for_replies(CURATOR, 1)[0]
        # Three seeded, and the decline just now once it is recorded (in the background).
        assert re.search(r"^1\. [34] × cluster cash 2020$", listing.visible_text, re.MULTILINE)
        assert "needs a new fact" in listing.visible_text  # the weather in Paris
        add = next(b for b in buttons(listing) if b["text"].startswith("1. add to "))
        fact_id = add["text"].removeprefix("1. add to ")
        assert fact_id.startswith("cluster-")
        assert len(add["callback_data"].encode()) <= 64

        # Someone else pressing it (a forwarded message) changes nothing and gets no reply.
        stranger = new_user()
        pressed = fake.press(bot_message(listing), add["callback_data"], user_id=stranger)
        fake.wait_for(lambda: pressed in fake.answered_callbacks)
        assert not fake.sent(chat_id=stranger)
        assert {p.name: p.read_text(encoding="utf-8") for p in knowledge.glob("*.yaml")} == before

        query = fake.press(bot_message(listing), add["callback_data"], user_id=CURATOR)
        done = fake.wait_for_replies(CURATOR, 2)[1]
        fake.wait_for(lambda: query in fake.answered_callbacks)
        assert "Added" in done.visible_text and f"Now: answer {fact_id}" in done.visible_text
        # Exactly one file gained exactly one line: the question, as a phrasing of the fact.
        after = {p.name: p.read_text(encoding="utf-8") for p in knowledge.glob("*.yaml")}
        changed = [name for name in before if after[name] != before[name]]
        assert changed == ["cluster-figures.yaml"]
        text = after["cluster-figures.yaml"]
        assert text.replace(f"        - {question}\n", "", 1) == before["cluster-figures.yaml"]
        # The running bot reloaded: the question is answered by that fact now, for everyone.
        answer = reply_to(curated, question)
        assert "Sources" in answer.visible_text
        assert any(f"v:1:{fact_id}" == b["callback_data"] for b in buttons(answer))
        # The button is used up: pressing it again says it has expired and writes nothing.
        again = fake.press(bot_message(listing), add["callback_data"], user_id=CURATOR)
        fake.wait_for(lambda: again in fake.answered_callbacks)
    assert (knowledge / "cluster-figures.yaml").read_text(encoding="utf-8") == text
