"""The Telegram adapter: updates in, engine calls, finished messages out.

No matching logic lives here: every answer comes from ``Engine.ask`` and every text from
``bot.render``. This module only decides *whether* to answer (private chat, addressed in a group,
flood control) and *how* to send it (reply, buttons, deep links, splitting).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import secrets
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.conversation import (
    MAX_CONVERSATIONS,
    Context,
    ExpiringStore,
    group_key,
    private_key,
    reply_key,
)
from bot.curation import (
    MAX_GROUPED,
    QuestionGroup,
    Report,
    group_unanswered,
    parse_since,
    report_from_counts,
)
from bot.dialogue import Turn, take_turn
from bot.engine import Engine
from bot.evaluation import default_question_sets, questions_in
from bot.inbox import Inbox, InboxProcessor, InboxQueue
from bot.knowledge import KnowledgeError
from bot.matcher import MAX_QUESTION_CHARS, Match
from bot.recorder import Recorder
from bot.records import Records
from bot.render import (
    chat_text,
    format_about_html,
    format_fact_compact_html,
    format_fact_html,
    format_help_html,
    format_inline_description,
    format_match_text,
    format_reload_failed_html,
    format_sources_html,
    format_stats_html,
    format_unanswered_html,
    format_welcome_html,
    format_why_html,
    split_message,
    unanswered_note,
)
from bot.render import t as fixed_text
from bot.replies import format_turn_html, related_facts
from bot.script import in_script, reply_script, script_of_code
from bot.suggest import SuggestedGroup, suggest_all
from bot.teach import TeachError, format_teach_html, format_teach_refused_html, teach
from bot.throttle import Throttle
from bot.updates import UpdatesRequest

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
#: Telegram caps callback data at 64 bytes; ids are validated shorter than this prefix allows.
CALLBACK_LIMIT = 64
INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 300
MAX_REMEMBERED_ANSWERS = 2000
#: ``/lang`` choices: the answer language and the Chinese script (a language code).
LANG_CHOICES = {
    "en": ("en", None),
    "zh": ("zh", "zh-hans"),
    "zh-hans": ("zh", "zh-hans"),
    "zh-cn": ("zh", "zh-hans"),
    "zh-hant": ("zh", "zh-hant"),
    "zh-tw": ("zh", "zh-tw"),
    "zh-hk": ("zh", "zh-hk"),
}

BUILTIN_MENU = {
    "ask": ("Ask a question", "提问"),
    "topics": ("Browse the topics", "浏览主题"),
    "sources": ("Every source the answers cite", "全部来源"),
    "about": ("What this bot is and knows", "关于本机器人"),
    "lang": ("Answer language: en, zh, zh-hant or auto", "回答语言：en、zh、zh-hant 或 auto"),
    "help": ("How to ask", "使用说明"),
}


@dataclass
class BotState:
    """Everything handlers share, kept in ``application.bot_data['state']``."""

    engine: Engine
    settings: Settings | None = None
    records: Records | None = None
    #: Writes records in the background (answers never wait on the database).
    recorder: Recorder | None = None
    #: Flood control per user and kind of update: questions and commands, button presses,
    #: inline queries (typing an inline query sends one per pause, so it gets more room).
    throttles: dict[str, Throttle] = field(
        default_factory=lambda: {
            "message": Throttle(limit=10),
            "callback": Throttle(limit=20),
            "inline": Throttle(limit=30),
        }
    )
    #: Recent answered questions by a short key, for "Why this answer?" buttons.
    answers: OrderedDict[str, Match] = field(default_factory=OrderedDict)
    #: "add to <fact>" buttons under /unanswered: key -> (question, fact id).
    teachings: OrderedDict[str, tuple[str, str]] = field(default_factory=OrderedDict)
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    #: Random per process and part of every key: a button from before a restart is unknown
    #: (and says it has expired) instead of finding another user's question under its number.
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    #: Each conversation's context (private chat, or one user in a group), in memory only.
    conversations: ExpiringStore[Context] = field(default_factory=ExpiringStore)
    #: The context each of the bot's group messages answered, so a reply to it continues there
    #: (bounded, no expiry: an old answer still says what it was about).
    replies: ExpiringStore[Context] = field(
        default_factory=lambda: ExpiringStore(MAX_CONVERSATIONS, ttl=None)
    )
    #: ``/lang`` choices of senders on behalf of a chat, per (chat, sender chat): PTB's
    #: ``user_data`` would share one among all of them (bounded, no expiry, like ``user_data``).
    preferences: ExpiringStore[dict[str, str | None]] = field(
        default_factory=lambda: ExpiringStore(MAX_CONVERSATIONS, ttl=None)
    )

    def remember_teaching(self, question: str, fact_id: str) -> str:
        """Keep an unanswered question for its "add to <fact>" button (the question is too long
        for the 64 bytes of callback data); returns the short key the button carries."""
        key = f"{self.epoch}{next(self.counter):x}"
        self.teachings[key] = (question, fact_id)
        while len(self.teachings) > MAX_REMEMBERED_ANSWERS:
            self.teachings.popitem(last=False)
        return key

    def remember(self, match: Match) -> str:
        """Keep how a question was answered in its conversation (a follow-up alone would match
        differently) for its "Why this answer?" / "None of these" button; returns the key the
        button carries (8 random hex digits and a counter: far within 64 bytes)."""
        key = f"{self.epoch}{next(self.counter):x}"
        self.answers[key] = match
        while len(self.answers) > MAX_REMEMBERED_ANSWERS:
            self.answers.popitem(last=False)
        return key

    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return bool(self.settings and user and user.id in self.settings.admin_ids)

    async def record_question(
        self, match: Match, chat_type: str, outcome: str | None = None
    ) -> None:
        """Keep what curators need (never who asked); answered questions keep no text.

        Handed to the background recorder: the answer never waits on the database."""
        if self.recorder is None or match.smalltalk:
            return
        outcome = outcome or match.outcome
        best = match.fact or (match.candidates[0].fact if match.candidates else None)
        text = "" if outcome == "answer" else match.question
        self.recorder.question(
            text,
            match.language,
            chat_type,
            outcome,
            best.id if best else None,
            match.confidence,
        )


def _state(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.application.bot_data["state"]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------------------
# Small helpers (language, addressing, sending)
# --------------------------------------------------------------------------------------------


def _user_language(update: Update) -> str | None:
    """The Telegram client's language, reduced to the two we answer in."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "zh" if code.lower().startswith("zh") else ("en" if code else None)


def _preferences(update: Update, context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any] | None:
    """Where the sender's ``/lang`` choice is kept: their ``user_data``, or for a message sent
    on behalf of a chat (all of those come from one placeholder user) that chat's, here."""
    key = _sender_key(update)
    if not isinstance(key, tuple):
        return context.user_data
    store = _state(context).preferences
    found = store.get(key)
    if found is None:
        found = {}
        store.put(key, found)
    return found


def _forced_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    preferences = _preferences(update, context)
    return preferences.get("lang") if preferences is not None else None


def _preferred_script(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Traditional Chinese if the user chose it (``/lang zh-hant``) or their client is set to
    it (``zh-hant``, ``zh-tw``, ``zh-hk``); the message's own script decides otherwise."""
    preferences = _preferences(update, context)
    chosen = preferences.get("script") if preferences is not None else None
    if chosen is not None:
        return script_of_code(chosen)
    user = update.effective_user
    return script_of_code(user.language_code if user else None)


def _in_script(
    text: str, markup: InlineKeyboardMarkup | None, script: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A reply and its button labels in the user's Chinese script."""
    if not script:
        return text, markup
    if markup is not None:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        in_script(b.text, script),
                        callback_data=b.callback_data,
                        url=b.url,
                    )
                    for b in row
                ]
                for row in markup.inline_keyboard
            ]
        )
    return in_script(text, script), markup


def _ui_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Language for interface texts: the user's choice, else their Telegram language."""
    return _forced_language(update, context) or _user_language(update) or "en"


def _is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def _addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """In a group: the question if the message is addressed to this bot, else ``None``."""
    text = message.text or message.caption
    if not text:
        return None
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    mentioned = False
    for entity, value in entities.items():
        if entity.type == MessageEntity.MENTION and value[1:].lower() == username.lower():
            mentioned = True
            text = text.replace(value, " ")
        elif (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
        ):
            mentioned = True
    replied = message.reply_to_message
    if mentioned or (replied and replied.from_user and replied.from_user.id == bot_id):
        return text
    return None


def _fact_button(fact_id: str, label: str) -> InlineKeyboardButton:
    data = f"f:{fact_id}"
    assert len(data.encode()) <= CALLBACK_LIMIT  # ids are validated to fit
    return InlineKeyboardButton(label[:60], callback_data=data)


async def _send_html(
    message: Message,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    quote: bool = False,
    script: str | None = None,
) -> list[Message]:
    """Send HTML split within Telegram's limit; buttons go under the last part. ``script``
    converts the Chinese of the text and the buttons (traditional Chinese)."""
    text, markup = _in_script(text, markup, script)
    parts = split_message(text)
    sent = []
    for number, part in enumerate(parts):
        last = number == len(parts) - 1
        sent.append(
            await message.reply_html(
                part,
                reply_markup=markup if last else None,
                link_preview_options=NO_PREVIEW,
                do_quote=quote and number == 0,
            )
        )
    return sent


# --------------------------------------------------------------------------------------------
# Answering
# --------------------------------------------------------------------------------------------


def _answer_markup(
    state: BotState, match: Match, language: str, key: str | None
) -> InlineKeyboardMarkup | None:
    """Buttons under a private answer: related facts, then "Why this answer?"."""
    rows: list[list[InlineKeyboardButton]] = []
    knowledge = state.engine.knowledge
    if match.outcome == "answer" and match.fact:
        for related_id in match.fact.related[:3]:
            related = knowledge.fact(related_id)
            if related:
                rows.append([_fact_button(related.id, related.first_question(language))])
        feedback = [
            InlineKeyboardButton("👍", callback_data=f"v:1:{match.fact.id}"),
            InlineKeyboardButton("👎", callback_data=f"v:0:{match.fact.id}"),
        ]
        if key:
            feedback.append(
                InlineKeyboardButton(chat_text("why_button", language), callback_data=f"w:{key}")
            )
        rows.append(feedback)
    elif match.outcome == "clarify":
        rows = [
            [_fact_button(c.fact.id, c.fact.first_question(language))] for c in match.candidates
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    chat_text("none_button", language), callback_data=f"n:{key or ''}"
                )
            ]
        )
    elif match.candidates and not match.smalltalk:
        rows = [
            [_fact_button(c.fact.id, c.fact.first_question(language))] for c in match.candidates
        ]
    return InlineKeyboardMarkup(rows) if rows else None


def _reply_html(state: BotState, match: Match, group: bool) -> str:
    """The reply text for any outcome, as Telegram HTML."""
    knowledge = state.engine.knowledge
    language = match.language
    if match.outcome == "answer" and match.fact:
        # A compound message answered in part says which part the fact base does not hold.
        note = html.escape(unanswered_note(match), quote=False)
        if group:
            return format_fact_compact_html(knowledge, match.fact, language) + note
        return format_fact_html(knowledge, match.fact, language) + note
    if group and match.outcome == "decline" and not match.smalltalk:
        return html.escape(format_match_text(knowledge, match).splitlines()[0], quote=False)
    return html.escape(format_match_text(knowledge, match), quote=False)


def _conversation_key(update: Update) -> tuple[str, int] | tuple[str, int, int] | None:
    """Whose conversation this is: the private chat, or this user in this group (this sender
    chat, for messages sent on behalf of one: they all come from one placeholder user)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return None
    if chat.type == ChatType.PRIVATE:
        return private_key(chat.id)
    message = update.effective_message
    if message is not None and message.sender_chat is not None:
        return group_key(chat.id, message.sender_chat.id)  # a chat's id: never a user's
    return group_key(chat.id, user.id if user else 0)


def _load_context(state: BotState, update: Update, bot_id: int) -> Context | None:
    """The context a message continues: the answer it replies to (groups), else the
    conversation's own."""
    message, chat = update.effective_message, update.effective_chat
    replied = message.reply_to_message if message else None
    if (
        chat is not None
        and chat.type != ChatType.PRIVATE
        and replied is not None
        and replied.from_user is not None
        and replied.from_user.id == bot_id
    ):
        found = state.replies.get(reply_key(chat.id, replied.message_id))
        if found is not None:
            return found
    key = _conversation_key(update)
    return state.conversations.get(key) if key else None


async def _send_remembering(
    state: BotState,
    update: Update,
    remembered: Context,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    quote: bool = False,
) -> None:
    """Remember the conversation's new context, then send the reply (in the conversation's
    script); in groups, the bot's messages are mapped to the context so a reply to one of them
    continues it."""
    message = update.effective_message
    if message is None:
        return
    # Before sending: the user may answer the moment the reply arrives.
    key = _conversation_key(update)
    if key is not None:
        state.conversations.put(key, remembered)
    sent = await _send_html(message, text, markup, quote=quote, script=remembered.script)
    chat = update.effective_chat
    if (
        chat is not None
        and chat.type != ChatType.PRIVATE
        and (remembered.fact_id or remembered.menu or remembered.terms)
    ):
        for part in sent:
            state.replies.put(reply_key(chat.id, part.message_id), remembered)


def _turn_markup(state: BotState, turn: Turn) -> InlineKeyboardMarkup | None:
    """Buttons under a conversation reply: "tell me more" lists the related facts."""
    if turn.kind == "more" and turn.fact:
        rows = [
            [_fact_button(f.id, f.first_question(turn.language))]
            for f in related_facts(state.engine.knowledge, turn.fact)
        ]
        return InlineKeyboardMarkup(rows) if rows else None
    return None


async def answer_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, question: str
) -> None:
    """Answer one message in the chat it came from (private: full; group: compact), in the
    light of the conversation so far (follow-ups, conversation words, "Did you mean" picks)."""
    message = update.effective_message
    if message is None:
        return
    state = _state(context)
    hint, forced = _user_language(update), _forced_language(update, context)
    turn = take_turn(
        state.engine,
        question,
        _load_context(state, update, context.bot.id),
        hint,
        forced,
        _preferred_script(update, context),
    )
    group = not _is_private(update)
    chat_type = update.effective_chat.type if update.effective_chat else "unknown"
    if turn.kind != "match" or turn.match is None:
        if turn.kind == "none" and turn.match is not None:
            await state.record_question(turn.match, chat_type, outcome="none_of_these")
        await _send_remembering(
            state,
            update,
            turn.context,
            format_turn_html(state.engine.knowledge, turn),
            _turn_markup(state, turn),
            quote=group,
        )
        return
    match = turn.match
    await state.record_question(match, chat_type)
    text = _reply_html(state, match, group)
    if turn.only_as_of is not None:
        first, _, rest = text.partition("\n")
        note = html.escape(
            fixed_text("only_have", match.language).format(
                as_of=turn.only_as_of.as_of_in(match.language)
            )
        )
        text = "\n".join(filter(None, [first, note, rest]))
    if group:
        markup = None
        if match.outcome == "answer" and match.fact:
            link = f"https://t.me/{context.bot.username}?start={match.fact.id}"
            markup = InlineKeyboardMarkup(
                [[InlineKeyboardButton(chat_text("more_in_private", match.language), url=link)]]
            )
        elif match.outcome == "clarify":
            markup = _answer_markup(state, match, match.language, state.remember(match))
        await _send_remembering(state, update, turn.context, text, markup, quote=True)
        return
    key = state.remember(match) if match.outcome in ("answer", "clarify") else None
    markup = _answer_markup(state, match, match.language, key)
    await _send_remembering(state, update, turn.context, text, markup)


async def send_fact(update: Update, context: ContextTypes.DEFAULT_TYPE, fact_id: str) -> None:
    """Show one fact chosen directly (shortcut, button, deep link), always as a new message."""
    message = update.effective_message
    state = _state(context)
    language = _ui_language(update, context)
    match = state.engine.answer_fact(fact_id, language)
    if message is None or match is None or match.fact is None:
        return
    # A fact chosen directly is what the conversation is about now ("source?", "and 2019?").
    previous = _load_context(state, update, context.bot.id)
    remembered = Context(
        fact_id,
        match,
        (),
        language,
        state.engine.context_terms(fact_id),
        _preferred_script(update, context) or (previous.script if previous else None),
    )
    knowledge = state.engine.knowledge
    if _is_private(update):
        await _send_remembering(
            state,
            update,
            remembered,
            format_fact_html(knowledge, match.fact, language),
            _answer_markup(state, match, language, None),
        )
    else:
        await _send_remembering(
            state,
            update,
            remembered,
            format_fact_compact_html(knowledge, match.fact, language),
            quote=True,
        )


# --------------------------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------------------------


def _own_command(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool | None:
    """For a command (as ``CommandHandler`` reads one): whether it is this bot's, a built-in or a
    shortcut, not addressed to another bot; ``None`` if the message is no command."""
    entities = message.entities
    if not (
        message.text
        and entities
        and entities[0].type == MessageEntity.BOT_COMMAND
        and entities[0].offset == 0
    ):
        return None
    name, _, addressee = message.text[1 : entities[0].length].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return False
    name = name.lower()
    return name in BUILTIN_COMMANDS or bool(
        _state(context).engine.knowledge.fact_by_shortcut(name)
    )


def _acted_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether a handler will act on this update: only those count toward flood control (a bot
    that is a group admin, or has privacy mode off, receives every group message and ignores
    most of them; they must not use up a member's limit)."""
    if update.callback_query or update.inline_query:
        return True
    message = update.message  # edited messages and channel posts: no handler takes them
    if message is None:
        return False
    if message.chat.type == ChatType.PRIVATE:
        return True
    own = _own_command(message, context)
    if own is not None:
        return own
    return _addressed_text(message, context.bot.id, context.bot.username) is not None


def _sender_key(update: Update) -> int | tuple[int, int] | None:
    """Whose limit an update counts toward: its user's, or for a message sent on behalf of a
    chat (anonymous group admins, posts "as a channel"; all of them come "from" one placeholder
    user in every group) that chat's in this chat."""
    message = update.message
    if message is not None and message.sender_chat is not None:
        return message.chat.id, message.sender_chat.id
    user = update.effective_user
    return user.id if user else None


async def throttle_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Flood control before any other handler (group -1), for every update a handler will act
    on: over the limit, the sender is told once per window to slow down (inline queries are
    not: they get no answer), that is logged once, and the update goes no further."""
    key = _sender_key(update)
    if key is None or not _acted_on(update, context):
        return
    if update.callback_query:
        kind = "callback"
    elif update.inline_query:
        kind = "inline"
    else:
        kind = "message"
    throttle = _state(context).throttles[kind]
    verdict = throttle.check(key)
    if verdict == "allow":
        return
    if verdict == "warn":
        await _tell_to_slow_down(update, context, throttle, kind)
    # Throttled inline queries get no answer at all: the cheapest reply is none.
    raise ApplicationHandlerStop


async def _tell_to_slow_down(
    update: Update, context: ContextTypes.DEFAULT_TYPE, throttle: Throttle, kind: str
) -> None:
    """The one notice per window, and its one log line. A notice Telegram refuses (the message
    was deleted, the query is too old, the bot was muted) is logged as not told; it never
    reaches the error handler, and the update is dropped all the same."""
    chat = update.effective_chat
    # Who it is stays out of the log, like the questions' records.
    line = (
        "flood control: a sender in %s is over %d %s updates in %g s; %s, the rest dropped"
        " until the window has room"
    )
    where = f"a {chat.type} chat" if chat else "inline mode"
    if kind == "inline":
        told = "not told (inline queries get no answer)"
        logger.info(line, where, throttle.limit, kind, throttle.window, told)
        return
    notice = chat_text("slow_down", _ui_language(update, context))
    try:
        if update.callback_query:
            await update.callback_query.answer(notice)
        elif update.effective_message:
            # In a group, as a reply to the flooder's message: whom it means is plain.
            await update.effective_message.reply_text(notice, do_quote=not _is_private(update))
    except TelegramError as error:
        told = f"could not be told ({error.message})"
        logger.warning(line, where, throttle.limit, kind, throttle.window, told)
        return
    except Exception:  # a bug: logged with its traceback, and the update still goes no further
        logger.exception(line, where, throttle.limit, kind, throttle.window, "not told")
        return
    logger.info(line, where, throttle.limit, kind, throttle.window, "told once")


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, or answer the fact named in a deep link (``/start <fact-id>``)."""
    knowledge = _state(context).engine.knowledge
    if context.args and knowledge.fact(context.args[0]):
        await send_fact(update, context, context.args[0])
        return
    if update.effective_message:
        await _send_html(
            update.effective_message,
            format_welcome_html(knowledge, _ui_language(update, context)),
            script=_preferred_script(update, context),
        )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, and every command."""
    if update.effective_message:
        text = format_help_html(
            _state(context).engine.knowledge, _ui_language(update, context), context.bot.username
        )
        await _send_html(update.effective_message, text, script=_preferred_script(update, context))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/ask <question>``; without a question, a usage hint."""
    question = " ".join(context.args or [])
    if not question.strip():
        if update.effective_message:
            await _send_html(
                update.effective_message, chat_text("ask_usage", _ui_language(update, context))
            )
        return
    await answer_question(update, context, question)


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The topics as buttons."""
    knowledge = _state(context).engine.knowledge
    language = _ui_language(update, context)
    rows = [
        [InlineKeyboardButton(t.title.get(language), callback_data=f"t:{t.id}")]
        for t in knowledge.topics
    ]
    if update.effective_message:
        await _send_html(
            update.effective_message,
            chat_text("topics", language),
            InlineKeyboardMarkup(rows),
            script=_preferred_script(update, context),
        )


async def sources_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every source with publisher, date and link."""
    if update.effective_message:
        text = format_sources_html(_state(context).engine.knowledge, _ui_language(update, context))
        await _send_html(update.effective_message, text, script=_preferred_script(update, context))


async def about_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot is and how much it knows."""
    if update.effective_message:
        text = format_about_html(_state(context).engine.knowledge, _ui_language(update, context))
        await _send_html(update.effective_message, text, script=_preferred_script(update, context))


async def lang_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/lang en|zh|zh-hant|auto``: this user's answer language (and Chinese script)."""
    choice = context.args[0].lower().replace("_", "-") if context.args else ""
    message, preferences = update.effective_message, _preferences(update, context)
    if message is None or preferences is None:
        return
    if choice in LANG_CHOICES:
        language, script = LANG_CHOICES[choice]
        preferences["lang"] = language
        preferences["script"] = script
        await message.reply_text(
            in_script(chat_text("lang_set", language), script_of_code(script))
        )
    elif choice == "auto":
        preferences.pop("lang", None)
        preferences.pop("script", None)
        await message.reply_text(chat_text("lang_auto", _ui_language(update, context)))
    else:
        usage = chat_text("lang_usage", _ui_language(update, context))
        await message.reply_text(in_script(usage, _preferred_script(update, context)))


async def other_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A fact base shortcut (``/turnover``), or an unknown command."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command, _, addressee = message.text.split()[0][1:].partition("@")
    if addressee and addressee.lower() != (context.bot.username or "").lower():
        return  # meant for another bot
    fact = _state(context).engine.knowledge.fact_by_shortcut(command.lower())
    if fact:
        await send_fact(update, context, fact.id)
    elif _is_private(update):
        await message.reply_text(chat_text("unknown_command", _ui_language(update, context)))


async def _admin_records(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Records | None:
    """The curation records for an admin's command; anyone else gets the unknown-command reply
    (so the admin commands do not reveal that they exist)."""
    state = _state(context)
    if not state.is_admin(update) or update.effective_message is None:
        await other_command(update, context)
        return None
    if state.records is None:  # started without a usable data directory (bot/serve.py)
        await update.effective_message.reply_text(
            "Nothing is recorded: the data directory is not usable (the bot's log says why)."
        )
    return state.records


async def _unreadable(
    update: Update, context: ContextTypes.DEFAULT_TYPE, error: BaseException
) -> None:
    """The curation database cannot be read: the admin is told so, and the log says why (once
    per outage, by the recorder)."""
    recorder = _state(context).recorder
    if recorder is not None:
        recorder.trouble(error)
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            "Nothing can be read: the curation database is not usable (the bot's log says why)."
        )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: the usage report's headline figures (others: an unknown command)."""
    records = await _admin_records(update, context)
    if records is None or update.effective_message is None:
        return
    try:
        report = await asyncio.to_thread(_stats_report, records)
    except (sqlite3.Error, OSError) as error:
        await _unreadable(update, context, error)
        return
    await _send_html(update.effective_message, format_stats_html(report))


async def unanswered_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: the ten most asked unanswered questions (others: an unknown command)."""
    records = await _admin_records(update, context)
    if records is None or update.effective_message is None:
        return
    # Reading and grouping take a while on a large database: off the event loop, so every
    # other user is still answered meanwhile (grouping itself is bounded in count).
    state = _state(context)
    try:
        groups = await asyncio.to_thread(_unanswered_groups, records)
    except (sqlite3.Error, OSError) as error:
        await _unreadable(update, context, error)
        return
    suggested = await asyncio.to_thread(suggest_all, state.engine, groups)
    await _send_html(
        update.effective_message,
        format_unanswered_html(groups) + format_suggestions_html(suggested),
        _teach_buttons(state, suggested),
    )


#: "add to" buttons per /unanswered entry (its best suggestions).
TEACH_BUTTONS_PER_GROUP = 2


def _teach_buttons(
    state: BotState, suggested: list[SuggestedGroup]
) -> InlineKeyboardMarkup | None:
    """One "N. add to <fact>" button per suggestion; each carries a short per-process key."""
    rows = []
    for number, item in enumerate(suggested, start=1):
        for suggestion in item.suggestions[:TEACH_BUTTONS_PER_GROUP]:
            key = state.remember_teaching(item.group.question, suggestion.fact_id)
            label = f"{number}. add to {suggestion.fact_id}"
            rows.append([InlineKeyboardButton(label, callback_data=f"a:{key}")])
    return InlineKeyboardMarkup(rows) if rows else None


def format_suggestions_html(suggested: list[SuggestedGroup]) -> str:
    """The likely facts of each /unanswered entry, under the list."""
    lines = [
        f"{n}. → "
        + (
            ", ".join(f"{html.escape(s.fact_id)} ({s.confidence:.2f})" for s in item.suggestions)
            or "needs a new fact"
        )
        for n, item in enumerate(suggested, start=1)
    ]
    return "\n\n<b>Most likely facts</b>\n" + "\n".join(lines) if lines else ""


async def _teach_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE, key: str) -> None:
    """An admin's "add to <fact>" button: write the phrasing, reload, say what changed."""
    query = update.callback_query
    state = _state(context)
    if query is None:
        return
    if not state.is_admin(update):
        await query.answer()  # not for this user: as if the button did nothing
        return
    remembered = state.teachings.pop(key, None)
    if remembered is None:
        await query.answer(chat_text("expired", _ui_language(update, context)), show_alert=True)
        return
    await query.answer()
    question, fact_id = remembered
    directory = state.engine.knowledge.directory
    try:
        result = await asyncio.to_thread(
            teach, directory, question, fact_id, questions_in(default_question_sets(directory))
        )
    except (TeachError, KnowledgeError) as error:
        refused = error if isinstance(error, TeachError) else TeachError(str(error))
        if query.message:
            await _send_html(query.message, format_teach_refused_html(refused))  # type: ignore[arg-type]
        return
    problems = await reload_knowledge(context.application)
    text = format_teach_html(result)
    if problems:
        text += "\n" + format_reload_failed_html(problems)
    if query.message:
        await _send_html(query.message, text)  # type: ignore[arg-type]


def _stats_report(records: Records) -> Report:
    """The last 30 days' report, from counts the database makes (never every record)."""
    since = parse_since("30d")
    return report_from_counts(
        records.question_counts(since), records.feedback_counts(since), since
    )


def _unanswered_groups(records: Records) -> list[QuestionGroup]:
    """The ten most asked unanswered questions among the newest the grouping looks at (only
    those are read from the database)."""
    found = records.questions(parse_since("30d"), ("decline", "none_of_these"), newest=MAX_GROUPED)
    return group_unanswered(found, top=10)


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: reload the fact base from disk (others: an unknown command)."""
    state = _state(context)
    if not state.is_admin(update) or update.effective_message is None:
        await other_command(update, context)
        return
    problems = await reload_knowledge(context.application)
    if problems:
        await _send_html(update.effective_message, format_reload_failed_html(problems))
    else:
        summary = state_of(context.application).engine.knowledge.summary()
        await update.effective_message.reply_text(f"Reloaded: {summary}.")


def state_of(application: Application) -> BotState:  # type: ignore[type-arg]
    return application.bot_data["state"]  # type: ignore[no-any-return]


async def reload_knowledge(application: Application) -> list[str]:  # type: ignore[type-arg]
    """Load the fact base again; swap it in only if it validates. Returns the problems, if any.

    The old engine keeps answering until the new one is complete, so no user ever sees a
    half-loaded or broken fact base."""
    state = state_of(application)
    directory = state.settings.knowledge_dir if state.settings else None
    try:
        engine = await asyncio.to_thread(
            Engine.load, directory or state.engine.knowledge.directory
        )
    except KnowledgeError as error:
        logger.warning(
            "reload refused: the fact base has %d problems; still serving the old one",
            len(error.problems),
        )
        return [str(p) for p in error.problems]
    old_menu = command_menu(state.engine)
    state.engine = engine
    logger.info("reloaded the fact base: %s", engine.knowledge.summary())
    if command_menu(engine) != old_menu:
        await register_commands(application)
    return []


async def private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text (or caption) in a private chat is a question."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or message.caption
    if text:
        await answer_question(update, context, text)
    elif not message.new_chat_members and not message.pinned_message:
        await message.reply_text(chat_text("no_text", _ui_language(update, context)))


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In groups, answer only messages addressed to the bot."""
    message = update.effective_message
    if message is None:
        return
    question = _addressed_text(message, context.bot.id, context.bot.username)
    if question is not None:
        await answer_question(update, context, question)


async def button_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Fact, topic, "Why this answer?" and "None of these" buttons."""
    query = update.callback_query
    if query is None:
        return
    data = query.data or ""
    language = _ui_language(update, context)
    state = _state(context)
    kind, _, value = data.partition(":")
    if kind == "w":
        remembered = state.answers.get(value)
        if remembered is None:
            await query.answer(chat_text("expired", language), show_alert=True)
            return
        await query.answer()
        if query.message:
            await _send_html(query.message, format_why_html(remembered))  # type: ignore[arg-type]
        return
    if kind == "v":
        helpful, _, fact_id = value.partition(":")
        if state.recorder is not None and state.engine.knowledge.fact(fact_id):
            state.recorder.feedback(fact_id, helpful == "1", language)
        await query.answer(chat_text("feedback_thanks", language))
        return
    if kind == "a":
        await _teach_pressed(update, context, value)
        return
    if kind == "n":
        remembered = state.answers.get(value)
        if remembered is None:
            await query.answer(chat_text("expired", language), show_alert=True)
            return
        chat_type = query.message.chat.type if query.message else "unknown"
        await state.record_question(remembered, chat_type, outcome="none_of_these")
        await query.answer(chat_text("none_of_these", language))
        return
    # CallbackQueries need to be answered, even if no notification to the user is needed.
    await query.answer()
    if kind == "f" and state.engine.knowledge.fact(value):
        await send_fact(update, context, value)
    elif kind == "t":
        knowledge = state.engine.knowledge
        topic = knowledge.topic(value)
        if topic and query.message:
            rows = [
                [_fact_button(f.id, f.first_question(language))]
                for f in knowledge.facts_in_topic(topic.id)
            ]
            await _send_html(
                query.message,  # type: ignore[arg-type]
                chat_text("topic_facts", language, title=topic.title.get(language)),
                InlineKeyboardMarkup(rows),
            )


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``@bot words`` in any chat: up to five facts; choosing one posts its cited answer."""
    query = update.inline_query
    if query is None:
        return
    state = _state(context)
    knowledge = state.engine.knowledge
    hint = _user_language(update)
    text = query.query.strip()[:MAX_QUESTION_CHARS]
    if text:
        match = state.engine.ask(
            text, language_hint=hint, forced_language=_forced_language(update, context)
        )
        language = match.language
        facts = [c.fact for c in match.candidates if c.confidence > 0.2 or match.answered]
        if match.answered and match.fact:
            facts = [match.fact] + [f for f in facts if f.id != match.fact.id]
    else:
        language = _forced_language(update, context) or hint or "en"
        facts = list(knowledge.shortcuts)
    script = reply_script(text, _preferred_script(update, context))
    results = [
        InlineQueryResultArticle(
            id=fact.id,
            title=in_script(fact.first_question(language), script),
            description=in_script(format_inline_description(fact, language), script),
            input_message_content=InputTextMessageContent(
                in_script(split_message(format_fact_html(knowledge, fact, language))[0], script),
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
            ),
        )
        for fact in facts[:INLINE_RESULTS]
    ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure with the update's kind (never its content) and tell the user."""
    kind = "unknown"
    if isinstance(update, Update):
        kind = next(
            (
                name
                for name in (
                    "message",
                    "edited_message",
                    "callback_query",
                    "inline_query",
                    "channel_post",
                    "my_chat_member",
                )
                if getattr(update, name, None)
            ),
            "other",
        )
    logger.error("handler failed on a %s update", kind, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message and update.effective_chat:
        try:
            await update.effective_message.reply_text(
                chat_text("error", _ui_language(update, context))
            )
        except Exception:  # the chat may be gone; never let the error handler fail
            logger.warning("could not tell the user about the failure")


# --------------------------------------------------------------------------------------------
# Wiring
# --------------------------------------------------------------------------------------------


def command_menu(engine: Engine) -> tuple[list[BotCommand], list[BotCommand]]:
    """The command menu in English and Chinese: built-ins, then the fact base's shortcuts."""
    english = [BotCommand(name, texts[0]) for name, texts in BUILTIN_MENU.items()]
    chinese = [BotCommand(name, texts[1]) for name, texts in BUILTIN_MENU.items()]
    for fact in engine.knowledge.shortcuts:
        english.append(BotCommand(fact.shortcut, fact.questions_en[0][:256]))  # type: ignore[arg-type]
        chinese.append(BotCommand(fact.shortcut, fact.questions_zh[0][:256]))  # type: ignore[arg-type]
    return english, chinese


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Set the command menu (``setMyCommands``) for everyone and for Chinese-language clients."""
    english, chinese = command_menu(application.bot_data["state"].engine)
    await application.bot.set_my_commands(english, scope=BotCommandScopeDefault())
    await application.bot.set_my_commands(
        chinese, scope=BotCommandScopeDefault(), language_code="zh"
    )


BUILTIN_COMMANDS: dict[str, Any] = {
    "start": start_command,
    "help": help_command,
    "ask": ask_command,
    "topics": topics_command,
    "sources": sources_command,
    "about": about_command,
    "lang": lang_command,
    # Admin-only; for anyone else they answer exactly like an unknown command.
    "stats": stats_command,
    "unanswered": unanswered_command,
    "reload": reload_command,
}

#: The update kinds the handlers below answer; Telegram is asked for these only (keep in step).
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY)


def build_application(
    settings: Settings, engine: Engine, records: Records | None = None
) -> Application:  # type: ignore[type-arg]
    """Create the ``Application`` with every handler, in the order that matters (started and
    stopped by ``bot.serve``)."""
    assert settings.token
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        # Each polled update is checked on its own: one the library cannot read is skipped.
        .get_updates_request(UpdatesRequest())
        # 30 messages/s overall and 20/min per group, retrying on 429 "retry after".
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=30,
                overall_time_period=1,
                group_max_rate=20,
                group_time_period=60,
                max_retries=5,
            )
        )
    )
    if records is None:
        builder.concurrent_updates(True)
    else:
        # Updates are kept on disk next to the curation database until handled, so a crash
        # re-delivers them instead of losing them (see bot/inbox.py).
        inbox = Inbox(records.path.parent)
        builder.update_queue(InboxQueue(inbox)).concurrent_updates(InboxProcessor(inbox))
    application = builder.build()
    application.bot_data["state"] = BotState(
        engine=engine,
        settings=settings,
        records=records,
        recorder=Recorder(records) if records is not None else None,
        conversations=ExpiringStore(MAX_CONVERSATIONS, ttl=settings.conversation_seconds),
    )
    new_messages = filters.UpdateType.MESSAGE  # edited messages and channel posts are ignored
    # Flood control first, for every update a handler acts on (it stops a throttled one here).
    application.add_handler(TypeHandler(Update, throttle_update), group=-1)
    # Built-in commands first; CommandHandler ignores commands addressed to other bots.
    for name, callback in BUILTIN_COMMANDS.items():
        application.add_handler(CommandHandler(name, callback, filters=new_messages))
    # Then any other command: a fact base shortcut (looked up at call time, so reloads apply).
    application.add_handler(MessageHandler(filters.COMMAND & new_messages, other_command))
    # Then plain messages: every text in private chats, only addressed ones in groups.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & new_messages & ~filters.COMMAND, private_message)
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & new_messages & (filters.TEXT | filters.CAPTION),
            group_message,
        )
    )
    application.add_handler(CallbackQueryHandler(button_pressed))
    application.add_handler(InlineQueryHandler(inline_query))
    application.add_error_handler(error_handler)
    return application
