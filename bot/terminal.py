"""The terminal chat: the same engine as the Telegram bot, for trying it without a token."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.engine import Engine
from bot.matcher import Match
from bot.render import format_fact_text, format_match_text

HELP = """\
Ask anything about the Foshan smart home industrial cluster, in English or Chinese.
Commands:
  /help              this text
  /topics            the topics and their facts
  /topic ID          the facts of one topic
  /sources           every source the facts cite
  /lang en|zh|auto   answer language (auto: the question's)
  /<shortcut>        a fact directly, e.g. {shortcuts}
  /quit              leave (Ctrl-D works too)
After "Did you mean", type the number of your choice."""


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


def chat_reply(engine: Engine, line: str, state: dict[str, object]) -> str | None:
    """One turn of the terminal chat; ``None`` means quit. Pure apart from ``state``."""
    knowledge = engine.knowledge
    text = line.strip()
    language = state.get("lang")
    choices: list[str] = state.get("choices", [])  # type: ignore[assignment]
    if not text:
        return ""
    if text.isdigit() and choices and 1 <= int(text) <= len(choices):
        fact = knowledge.fact(choices[int(text) - 1])
        state["choices"] = []
        if fact:
            return format_fact_text(
                knowledge, fact, str(language or state.get("last_lang") or "en")
            )
    if text.startswith("/"):
        command, _, argument = text[1:].partition(" ")
        command = command.lower()
        if command in ("quit", "exit", "q"):
            return None
        if command in ("help", "start"):
            shortcuts = " ".join(f"/{f.shortcut}" for f in knowledge.shortcuts[:5])
            return HELP.format(shortcuts=shortcuts)
        if command == "topics":
            lines = []
            for topic in knowledge.topics:
                lines.append(f"{topic.title.get(str(language or 'en'))}  (/topic {topic.id})")
            return "\n".join(lines)
        if command == "topic":
            facts = knowledge.facts_in_topic(argument.strip())
            if not facts:
                return f"No topic '{argument.strip()}'. Send /topics to see them."
            return "\n".join(f"  - {f.first_question(str(language or 'en'))}" for f in facts)
        if command == "sources":
            return "\n".join(
                f"- {s.title} — {s.publisher}{', ' + s.date if s.date else ''}\n  {s.url}"
                for s in knowledge.sources.values()
            )
        if command == "lang":
            choice = argument.strip().lower()
            if choice in ("en", "zh"):
                state["lang"] = choice
                return f"Answers will be in {'English' if choice == 'en' else 'Chinese'}."
            state["lang"] = None
            return "Answers will follow the language of each question."
        if command == "ask":
            text = argument
    match = engine.ask(text, forced_language=str(language) if language else None)
    record = state.get("record")
    if callable(record):
        record(match)
    state["last_lang"] = match.language
    state["choices"] = [c.fact.id for c in match.candidates] if match.outcome == "clarify" else []
    return format_match_text(knowledge, match)


def run_chat(
    engine: Engine,
    language: str | None = None,
    stdin: TextIO | None = None,
    record: Callable[[Match], None] | None = None,
) -> int:
    """Read questions until /quit or end of input, answering each (and ``record`` each)."""
    stdin = stdin or sys.stdin
    interactive = stdin.isatty()
    if interactive:
        _setup_readline()
        print(
            f"Foshan Cluster Bot — {engine.knowledge.summary()}. "
            "/help for commands, /quit to leave."
        )
    state: dict[str, object] = {"lang": language, "choices": [], "record": record}
    while True:
        try:
            line = input("you> ") if interactive else stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        reply = chat_reply(engine, line, state)
        if reply is None:
            break
        if reply:
            print(reply, flush=True)
            print(flush=True)
    return 0
