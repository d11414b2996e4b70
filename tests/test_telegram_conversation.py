"""Conversations end to end through the Bot API stand-in: follow-ups, conversation words, reply
chains in groups, users who do not share context, and expiry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bot_process import bot_message, buttons, new_user, running_bot
from fake_telegram import BOT_USERNAME, FakeTelegram
from test_telegram import RunningBot

from bot.script import in_script


def running(directory: Path, **settings: str) -> Iterator[RunningBot]:
    with running_bot(directory, **settings) as (fake, process):
        yield RunningBot(fake, process)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    yield from running(tmp_path_factory.mktemp("bot"))


class Chat:
    """One user talking to the bot, privately or in a group; ``say`` waits for the reply."""

    def __init__(
        self,
        bot: RunningBot,
        group: dict[str, Any] | None = None,
        as_chat: dict[str, Any] | None = None,
        **user: Any,
    ):
        self.bot = bot
        # On behalf of a chat (``as_chat``), Telegram sends as one placeholder user.
        self.user = user.get("user_id") or new_user()
        self.group = group
        self.as_chat = as_chat
        self.chat_id = group["id"] if group else self.user
        self.language = user.get("language", "en")

    def say(self, text: str, reply_to: Any = None) -> Any:
        seen = len(self.bot.fake.sent(chat_id=self.chat_id))
        if self.group and reply_to is None and not text.startswith("/"):
            text = f"@{BOT_USERNAME} {text}"
        self.bot.fake.send_message(
            text,
            user_id=self.user,
            chat=self.group,
            language=self.language,
            reply_to=_as_bot_message(reply_to) if reply_to is not None else None,
            extra={"sender_chat": self.as_chat} if self.as_chat else None,
        )
        return self.bot.fake.wait_for_replies(self.chat_id, 1, after=seen)[0]


def _as_bot_message(call: Any) -> dict[str, Any]:
    message = bot_message(call)
    message["message_id"] = call.message_id
    return message


def new_group() -> dict[str, Any]:
    return FakeTelegram.group_chat(-1_000_000_000_000 - new_user())


def test_a_private_conversation_follows_up_and_uses_conversation_words(bot: RunningBot) -> None:
    chat = Chat(bot)
    assert "He Xiangjian" in chat.say("Who founded Midea?").visible_text
    assert "1968" in chat.say("when?").visible_text
    assert "1993" in chat.say("is it listed?").visible_text
    source = chat.say("where is that from?")
    assert "<a href=" in source.params["text"] and "Sources" not in source.visible_text
    more = chat.say("tell me more")
    assert more.visible_text == "More on this:"
    related = {"f:midea-origins", "f:midea-sales-2000"}  # the listing answer's related facts
    assert related <= {b["callback_data"] for b in buttons(more)}
    why = chat.say("why?")
    assert "Why this answer?" in why.visible_text
    chinese = chat.say("in Chinese please")
    assert "1993年" in chinese.visible_text and "来源" in chinese.visible_text


@pytest.mark.parametrize(
    ("language", "script"), [("zh-hans", None), ("zh-hant", "s2t"), ("zh-tw", "s2tw")]
)
def test_a_chinese_conversation_with_chinese_conversation_words(
    bot: RunningBot, language: str, script: str | None
) -> None:
    """详细点, 出处, English please, a number and 都不是, in the user's script."""
    chat = Chat(bot, language=language)
    assert "何享健" in chat.say("美的是谁创办的？").visible_text
    more = chat.say("详细点")
    assert more.visible_text == in_script("相关内容：", script)
    labels = [b["text"] for b in buttons(more)]
    assert labels and all(label == in_script(label, script) for label in labels)
    source = chat.say("出处")
    assert source.visible_text.startswith(in_script("出处：", script))
    assert "<a href=" in source.params["text"]
    assert "He Xiangjian" in chat.say("English please").visible_text
    assert "何享健" in chat.say("中文").visible_text
    other = Chat(bot, language=language)
    clarify = other.say("什么时候成立的？")
    assert clarify.visible_text.startswith(in_script("不太确定您问的是哪一条", script))
    assert other.say("都不是").visible_text.startswith(in_script("谢谢，已记录。", script))
    assert "1968" in chat.say("什么时候成立的？").visible_text  # Chat 1 is still on Midea


def test_another_year_is_declined_with_the_year_the_fact_base_has(bot: RunningBot) -> None:
    chat = Chat(bot)
    chat.say("/turnover")
    reply = chat.say("what about 2019?")
    assert reply.visible_text.startswith("Sorry")
    assert "I only have this as of 2020." in reply.visible_text
    assert "133 billion" not in reply.visible_text


def test_a_number_picks_from_did_you_mean_and_none_is_none_of_these(bot: RunningBot) -> None:
    chat = Chat(bot)
    clarify = chat.say("when was it founded?")
    options = [b["callback_data"][2:] for b in buttons(clarify) if b["callback_data"][:2] == "f:"]
    assert len(options) >= 2
    out_of_range = chat.say("9").visible_text
    assert (
        out_of_range == f"Please pick a number from 1 to {len(options)}, or ask another question."
    )
    picked = chat.say("2")
    assert f"v:1:{options[1]}" in [b["callback_data"] for b in buttons(picked)]
    other = Chat(bot)
    assert "Did you mean" in other.say("when was it founded?").visible_text
    assert other.say("none of these").visible_text.startswith("Thanks, noted.")


def test_a_standalone_question_after_a_followup_does_not_use_the_context(bot: RunningBot) -> None:
    chat = Chat(bot)
    chat.say("what is kelon")
    assert "1984" in chat.say("when was it founded?").visible_text
    assert "Where there is a home" in chat.say("what is the slogan about foshan?").visible_text


def test_a_reply_to_the_bot_in_a_group_continues_that_answer(bot: RunningBot) -> None:
    group = new_group()
    alice = Chat(bot, group)
    midea = alice.say("Who founded Midea?")
    kelon = alice.say("what is kelon")
    # Replying to the Midea answer (not the later Kelon one) asks about Midea.
    when = alice.say("when was it founded?", reply_to=midea)
    assert "1968" in when.visible_text
    assert "1984" in alice.say("and when was it founded?", reply_to=kelon).visible_text
    # The chain goes on from the bot's reply.
    assert "1993" in alice.say("is it listed?", reply_to=when).visible_text


def test_a_reply_to_an_unanswered_question_in_a_group_continues_it(bot: RunningBot) -> None:
    group = new_group()
    alice = Chat(bot, group)
    clarify = alice.say("when was it founded?")
    options = [b["callback_data"][2:] for b in buttons(clarify) if b["callback_data"][:2] == "f:"]
    assert "Did you mean" in clarify.visible_text and len(options) >= 2
    alice.say("what is kelon")
    # A number in reply to the "Did you mean" picks from it, though Alice has asked since.
    picked = alice.say("2", reply_to=clarify)
    assert any(b.get("url", "").endswith(f"start={options[1]}") for b in buttons(picked))
    # A question about Mona Lisa the bot could not answer outright still says what "it" is.
    unsure = alice.say("Who is Monalisa's chairman?")
    assert "1998" not in unsure.visible_text  # a "Did you mean" or a decline, not the answer
    alice.say("what is kelon")
    assert "1998" in alice.say("when was it founded?", reply_to=unsure).visible_text


def test_two_users_in_one_group_do_not_share_context(bot: RunningBot) -> None:
    group = new_group()
    alice, bob = Chat(bot, group), Chat(bot, group)
    alice.say("Who founded Midea?")
    bob.say("what is kelon")
    assert "1968" in alice.say("when was it founded?").visible_text
    assert "1984" in bob.say("when was it founded?").visible_text


ANONYMOUS_ADMIN, CHANNEL_POSTER = 1087968824, 136817688


def new_channel() -> dict[str, Any]:
    return {"id": -2_000_000_000_000 - new_user(), "type": "channel", "title": "News"}


def test_two_channels_posting_in_one_group_do_not_share_context(bot: RunningBot) -> None:
    group = new_group()
    alice = Chat(bot, group, as_chat=new_channel(), user_id=CHANNEL_POSTER)
    bob = Chat(bot, group, as_chat=new_channel(), user_id=CHANNEL_POSTER)
    alice.say("Who founded Midea?")
    bob.say("what is kelon")
    assert "1968" in alice.say("when was it founded?").visible_text
    assert "1984" in bob.say("when was it founded?").visible_text


def test_one_channel_posting_in_two_groups_has_a_context_and_a_language_in_each(
    bot: RunningBot,
) -> None:
    channel = new_channel()
    here = Chat(bot, new_group(), as_chat=channel, user_id=CHANNEL_POSTER)
    there = Chat(bot, new_group(), as_chat=channel, user_id=CHANNEL_POSTER)
    assert here.say(f"/lang@{BOT_USERNAME} zh").visible_text == "之后将用中文回答。"
    here.say("Who founded Midea?")
    there.say("what is kelon")
    assert "1968" in here.say("when was it founded?").visible_text
    assert "1984" in there.say("when was it founded?").visible_text
    assert "133 billion" in there.say(f"/turnover@{BOT_USERNAME}").visible_text
    assert "营业收入" in here.say(f"/turnover@{BOT_USERNAME}").visible_text


@pytest.mark.parametrize(
    "placeholder", [ANONYMOUS_ADMIN, CHANNEL_POSTER], ids=["anonymous admins", "channels"]
)
def test_a_language_chosen_on_behalf_of_a_chat_stays_with_that_chat(
    bot: RunningBot, placeholder: int
) -> None:
    first, second = new_group(), new_group()

    def sender(group: dict[str, Any]) -> Chat:
        return Chat(
            bot,
            group,
            as_chat=group if placeholder == ANONYMOUS_ADMIN else new_channel(),
            user_id=placeholder,
        )

    chosen, other = sender(first), sender(second)
    assert chosen.say(f"/lang@{BOT_USERNAME} zh").visible_text == "之后将用中文回答。"
    assert "营业收入" in chosen.say(f"/turnover@{BOT_USERNAME}").visible_text
    assert "133 billion" in other.say(f"/turnover@{BOT_USERNAME}").visible_text


@pytest.fixture(scope="module")
def forgetful_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """A bot whose conversations expire at once (BOT_CONVERSATION_SECONDS=0)."""
    yield from running(tmp_path_factory.mktemp("forgetful"), BOT_CONVERSATION_SECONDS="0")


def test_an_expired_conversation_has_no_context(forgetful_bot: RunningBot) -> None:
    chat = Chat(forgetful_bot)
    assert "He Xiangjian" in chat.say("Who founded Midea?").visible_text
    assert chat.say("when?").visible_text.startswith("Sorry")
    assert chat.say("source?").visible_text.startswith("Sorry")


@pytest.mark.parametrize(
    ("text", "language"),
    [("美的集團是什麼時候成立的？", "en"), ("美的集团是什么时候成立的？", "zh-hant"),
     ("美的集团是什么时候成立的？", "zh-TW"), ("美的集团是什么时候成立的？", "zh-hk")],
)  # fmt: skip
def test_traditional_in_traditional_out(bot: RunningBot, text: str, language: str) -> None:
    chat = Chat(bot, language=language)
    reply = chat.say(text)
    assert "美的" in reply.visible_text and "1968年" in reply.visible_text
    assert "來源" in reply.visible_text and "数据时间" not in reply.visible_text
    assert "數據時間" in reply.visible_text
    labels = [b["text"] for b in buttons(reply)]
    assert any("上市" in label for label in labels)
    assert all(label == in_script(label, "s2t") for label in labels)
    # A follow-up whose characters are the same in both scripts stays traditional.
    assert "知識庫" in chat.say("1993年呢").visible_text


def test_lang_zh_hant_gives_traditional_answers(bot: RunningBot) -> None:
    chat = Chat(bot)
    assert chat.say("/lang zh-hant").visible_text == "之後將用中文回答。"
    reply = chat.say("/turnover")
    assert "營業收入" in reply.visible_text and "來源" in reply.visible_text
    usage = "用法：/lang en、/lang zh、/lang zh-hant（繁體中文）或 /lang auto。"
    assert chat.say("/lang fr").visible_text == usage


def test_why_this_answer_explains_the_followup_as_answered(bot: RunningBot) -> None:
    chat = Chat(bot)
    chat.say("Who founded Midea?")
    when = chat.say("when?")
    why = next(b["callback_data"] for b in buttons(when) if b["callback_data"].startswith("w:"))
    seen = len(bot.fake.sent(chat_id=chat.chat_id))
    bot.fake.press(_as_bot_message(when), why, user_id=chat.user)
    explanation = bot.fake.wait_for_replies(chat.chat_id, 1, after=seen)[0].visible_text
    assert explanation.startswith("Why this answer?\nMatched the stored question: “")
    assert "Midea" in explanation


@pytest.mark.parametrize(("query", "language"), [("集團營業額", "en"), ("营业额", "zh-hant")])
def test_inline_results_in_traditional(bot: RunningBot, query: str, language: str) -> None:
    query_id = bot.fake.inline(query, user_id=new_user(), language=language)
    call = bot.fake.wait_for(
        lambda: next(
            (
                c
                for c in bot.fake.sent("answerInlineQuery")
                if c.params["inline_query_id"] == query_id
            ),
            None,
        )
    )
    first = call.params["results"][0]
    assert "營業" in first["title"] or "營業" in first["description"]
    assert "來源" in first["input_message_content"]["message_text"]
