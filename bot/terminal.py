"""The terminal chat: the same engine and conversation as the Telegram bot, without a token."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.conversation import Context
from bot.dialogue import take_turn
from bot.engine import Engine
from bot.matcher import Match
from bot.replies import format_turn_text
from bot.script import LANG_CHOICES, in_script, script_of_code

HELP = """\
Ask anything about the Foshan smart home industrial cluster, in English or Chinese (simplified
or traditional). Follow-ups work: "when?", "and in 2019?", "what about Kelon?".
After an answer: "tell me more" (related facts), "source?" (citations), "why?" (how it was
chosen), "in Chinese" / "English please", "what year was that?".
After "Did you mean": the number of your choice, or "none".
Commands:
  /help                    this text
  /topics                  the topics and their facts
  /topic ID                the facts of one topic
  /sources                 every source the facts cite
  /about                   what the bot knows
  /lang en|zh|zh-hant|auto answer language (zh-hant: traditional Chinese; auto: the question's)
  /quit                    leave (Ctrl-D works too)
Shortcuts, one fact each:
{shortcuts}"""

BUILTIN = ("help", "start", "topics", "topic", "sources", "about", "lang", "ask", "quit", "exit")


@dataclass
class ChatSession:
    """One terminal conversation: the language chosen with /lang and the context so far."""

    language: str | None = None
    script: str | None = None
    context: Context | None = None
    #: Records each matched question for the curators (declines kept, like the bot does).
    record: Callable[[Match], None] | None = None


def _history_file() -> Path:
    base = os.environ.get("BOT_DATA_DIR") or os.path.join(
        Path.home(), ".local", "share", "foshan-bot"
    )
    return Path(base) / "chat_history"


def _setup_readline() -> None:
    """Arrow-key editing and history where the platform has readline."""
    try:
        import atexit
        import readline
    except ImportError:  # Windows without pyreadline: plain input() still works
        return
    path = _history_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
    except OSError:
        return
    readline.set_history_length(500)
    atexit.register(lambda: _save_history(readline, path))


def _save_history(readline, path: Path) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(OSError):
        readline.write_history_file(path)


def _command_reply(engine: Engine, command: str, argument: str, session: ChatSession) -> str:
    """The reply to a built-in command (not /quit, /ask or a shortcut)."""
    knowledge = engine.knowledge
    language = session.language or (session.context.language if session.context else "en")
    if command in ("help", "start"):
        shortcuts = "\n".join(
            f"  /{f.shortcut:<22} {f.first_question('en')}" for f in knowledge.shortcuts
        )
        return HELP.format(shortcuts=shortcuts)
    if command == "topics":
        return "\n".join(f"{t.title.get(language)}  (/topic {t.id})" for t in knowledge.topics)
    if command == "topic":
        facts = knowledge.facts_in_topic(argument)
        if not facts:
            return f"No topic '{argument}'. Send /topics to see them."
        return "\n".join(f"  - {f.first_question(language)}" for f in facts)
    if command == "sources":
        return "\n".join(
            f"- {s.title} — {s.publisher}{', ' + s.date if s.date else ''}\n  {s.url}"
            for s in knowledge.sources.values()
        )
    if command == "about":
        return (
            f"Foshan Cluster Bot: {knowledge.summary()}; the fact base was last updated on "
            f'{knowledge.updated}. Questions it cannot answer get an honest "I don\'t know".'
        )
    # /lang
    choice = argument.lower().replace("_", "-")
    if choice == "auto":
        session.language = session.script = None
        return "Answers will follow the language of each question."
    if choice not in LANG_CHOICES:
        known = ", ".join(sorted(LANG_CHOICES)) + " or auto"
        shown = f"'{argument}' is not a language I answer in. " if argument else ""
        return f"{shown}Use /lang {known}."
    session.language, session.script = LANG_CHOICES[choice]
    if session.script:
        return "Answers will be in traditional Chinese."
    return f"Answers will be in {'English' if session.language == 'en' else 'Chinese'}."


def chat_reply(engine: Engine, line: str, session: ChatSession) -> str | None:
    """One turn of the terminal chat; ``None`` means quit. Pure apart from ``session``."""
    text = line.strip()
    if not text:
        return ""
    if text.startswith("/"):
        command, _, argument = text[1:].partition(" ")
        command, argument = command.lower(), argument.strip()
        if command in ("quit", "exit", "q"):
            return None
        if command == "ask":
            text = argument
        elif command in BUILTIN:
            reply = _command_reply(engine, command, argument, session)
            previous = session.context.script if session.context else None
            return in_script(reply, script_of_code(session.script) or previous)
        elif engine.knowledge.fact_by_shortcut(command) is None:
            return f"Unknown command /{command}. Send /help to see the commands."
    turn = take_turn(
        engine,
        text,
        session.context,
        forced_language=session.language,
        preferred_script=script_of_code(session.script),
    )
    session.context = turn.context
    if session.record is not None and turn.kind == "match" and turn.match is not None:
        session.record(turn.match)
    return in_script(format_turn_text(engine.knowledge, turn), turn.script)


def run_chat(
    engine: Engine,
    choice: str | None = None,
    stdin: TextIO | None = None,
    record: Callable[[Match], None] | None = None,
) -> int:
    """Read questions until /quit or end of input, answering each (and ``record`` each);
    ``choice`` is a ``/lang`` choice (``LANG_CHOICES``), None for the question's language."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    if interactive:
        _setup_readline()
        print(
            f"Foshan Cluster Bot — {engine.knowledge.summary()}. "
            "/help for commands, /quit to leave."
        )
    language, script = LANG_CHOICES[choice] if choice else (None, None)
    session = ChatSession(language=language, script=script, record=record)
    while True:
        try:
            line = input("you> ") if interactive else stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        reply = chat_reply(engine, line, session)
        if reply is None:
            break
        if reply:
            print(reply, flush=True)
            print(flush=True)
    return 0
