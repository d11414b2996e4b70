"""The terminal chat: the same conversation as the bot, and it says when it cannot help."""

from __future__ import annotations

import pytest
from helpers import run_cli

from bot.engine import Engine
from bot.terminal import ChatSession, chat_reply


def chat(engine: Engine, *lines: str) -> list[str | None]:
    session = ChatSession()
    return [chat_reply(engine, line, session) for line in lines]


def test_a_conversation_with_followups_and_conversation_words(engine: Engine) -> None:
    founded, when, listed, source, more, picked, chinese = chat(
        engine, "Who founded Midea?", "when?", "is it listed?", "source?", "tell me more", "1",
        "in Chinese",
    )  # fmt: skip
    assert "He Xiangjian" in founded and "1968" in when and "1993" in listed  # type: ignore[operator]
    assert source.startswith("Where this comes from:\n[1] ")  # type: ignore[union-attr]
    assert more.startswith("More on this:\n  1. ")  # type: ignore[union-attr]
    assert "He Xiangjian" in picked  # type: ignore[operator]
    assert "何享健" in chinese and "数据时间" in chinese  # type: ignore[operator]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/foo", "Unknown command /foo. Send /help to see the commands."),
        ("/lang fr", "'fr' is not a language I answer in. Use /lang en, zh, zh-cn, zh-hans, "
         "zh-hant, zh-hk, zh-tw or auto."),
        ("/lang", "Use /lang en, zh, zh-cn, zh-hans, zh-hant, zh-hk, zh-tw or auto."),
        ("/lang zh-hant", "Answers will be in traditional Chinese."),
        ("/lang auto", "Answers will follow the language of each question."),
    ],
)  # fmt: skip
def test_commands_say_what_they_did_or_why_not(engine: Engine, line: str, expected: str) -> None:
    assert chat(engine, line) == [expected]


def test_a_choice_out_of_range_says_so(engine: Engine) -> None:
    clarify, wrong, right = chat(engine, "when was it founded?", "7", "1")
    assert clarify.startswith("I'm not sure which fact you mean.")  # type: ignore[union-attr]
    options = clarify.count("\n")  # type: ignore[union-attr]
    assert wrong == f"Please pick a number from 1 to {options}, or ask another question."
    assert "Sources:" in right  # type: ignore[operator]


def test_about_and_help(engine: Engine) -> None:
    about, help_text = chat(engine, "/about", "/help")
    assert about.startswith(f"Foshan Cluster Bot: {engine.knowledge.summary()}")  # type: ignore[union-attr]
    assert all(f"/{f.shortcut} " in help_text for f in engine.knowledge.shortcuts)  # type: ignore[operator]


def test_traditional_question_and_lang_zh_hant(engine: Engine) -> None:
    traditional, followup = chat(engine, "美的集團是什麼時候成立的？", "1993年呢")
    assert "美的集團" in traditional and "來源" in traditional  # type: ignore[operator]
    assert "知識庫" in followup  # type: ignore[operator]
    _, shortcut, topics = chat(engine, "/lang zh-hant", "/turnover", "/topics")
    assert "營業收入" in shortcut and "數據時間" in shortcut  # type: ignore[operator]
    assert "產業集羣" in topics  # type: ignore[operator]


def test_quit_ends_the_chat(engine: Engine) -> None:
    assert chat(engine, "/quit") == [None]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh-hant", "何享健與23位"),
        ("zh-tw", "何享健與23位"),
        ("zh", "何享健与23位"),
        ("en", "He Xiangjian"),
    ],
)
def test_chat_lang_takes_what_slash_lang_takes(lang: str, expected: str) -> None:
    result = run_cli("chat", "--no-record", "--lang", lang, stdin="Who founded Midea?\n")
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
