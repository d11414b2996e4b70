"""One turn of a conversation: conversation words, "Did you mean" picks and follow-ups.

Pure: takes the engine, the message and the conversation's ``Context``, returns a ``Turn`` (what
to reply, and the context to remember). The Telegram adapter, the terminal chat and ``eval``
all go through ``take_turn``, so they behave alike.

How a message is read, in order:

1. After "Did you mean", a number picks that option (out of range says so) and "none"/"都不是"
   is "None of these".
2. After an answer, a whole message made of a conversation word acts on that answer: "tell me
   more" (related facts, numbered: a number then picks one), "source?" (citations), "why?" (how
   it was chosen), "in Chinese" / "English please" (the same fact in that language), "what year
   was that?" (the same fact with its date). The words live in the lexicon.
3. Otherwise the message is matched alone first. It is matched again with the conversation's
   terms added (``Context.terms``, weighted below its own words) only if it leans on the
   context: it looks like a follow-up (a pronoun, "and ...", "what about ...", 那...呢, a single
   topic word), or it names no company or place of its own and either has no answer alone or
   its answer alone is about a company it never named. The context's reading is used only if
   the message alone has no confident answer (or names no subject of its own), so a question
   that stands on its own is never hijacked. Candidates that lack the conversation's company,
   measure or year (``context:``/``followup:`` contradictions) make up no follow-up "Did you
   mean", and do not outrank the fact under discussion for a message with no topic of its own.
   The conversation is about the last fact answered, or, after a "Did you mean" or a decline
   that names a company (or whose options share one), about that company. When the context's
   reading has no answer, the message is read once more with only the conversation's
   companies and places ("when did it list?" after Midea's headquarters town). A "Did you
   mean" between the answer just shown and one other confident fact is that other fact.
4. A follow-up about a year or a period relative to today that the fact under discussion does
   not cover is declined, saying which date the fact base has ("I only have this as of 2020").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from bot.analysis import Reader, analyse, fact_entities
from bot.conversation import Context
from bot.engine import Engine
from bot.knowledge import Fact, Lexicon
from bot.matcher import ANSWER_THRESHOLD, Candidate, Match
from bot.script import reply_script

TurnKind = Literal[
    "match",  # a question matched (answer, clarify, decline or smalltalk: see ``match``)
    "more",  # the related facts of the last answer
    "source",  # the citations of the last answer
    "why",  # how the last answer was chosen
    "none",  # "None of these" after "Did you mean"
    "out_of_range",  # a number that is not one of the options
]

#: Below this, the answer to a message that leans on the context yields to the context's
#: reading: "what about the whole zone?" alone matches *a* zone fact, not the one meant.
CONFIDENT = 0.8
#: A message with at most this many topic words may lean on the previous answer ("when?",
#: "in 2019?", "the zone?").
SHORT_MESSAGE_TERMS = 1

_CHOICE = re.compile(
    r"^\s*(?:#|no\.?\s*|number\s+|option\s+|choice\s+|第)?\s*(\d{1,2}|[一二三四五六七八九十])"
    r"\s*(?:个|個|条|條|项|項|號|号)?\s*[.。!！?？)]?\s*$",
    re.IGNORECASE,
)
_CHINESE_NUMERALS = "一二三四五六七八九十"
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Politeness around a conversation word.
_FILLER = re.compile(
    r"(?<= )(?:please|pls|plz|can you|could you|would you|say it|tell me|now|thanks|thank you)"
    r"(?= )|^ *(?:请|麻烦)|(?:吧|一下|好吗|可以吗|谢谢) *$"
)
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")


@dataclass(frozen=True)
class Turn:
    """The bot's side of one turn.

    Attributes:
        kind: what kind of reply this is (see ``TurnKind``).
        language: the reply's language (``en`` or ``zh``).
        context: what to remember for the next turn.
        match: for ``match`` (the outcome to show), ``why`` (the match to explain) and ``none``
            (the question the menu was for, to record).
        fact: the fact a ``more``/``source`` reply is about.
        followup: the message was matched with the previous answer's context.
        choices: for ``out_of_range``, how many options there were.
        only_as_of: for a declined follow-up about another time ("what about 2019?", "and
            today?"), the fact under discussion: the reply says which date the fact base has.
    """

    kind: TurnKind
    language: str
    context: Context
    match: Match | None = None
    fact: Fact | None = None
    followup: bool = False
    choices: int = 0
    only_as_of: Fact | None = None
    #: The traditional Chinese conversion for the reply (``bot.script``), or None.
    script: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The lexicon's conversation words, cleaned like messages are."""

    phrases: dict[str, str]
    followup_latin: frozenset[str]
    followup_latin_phrases: tuple[str, ...]
    followup_chinese: tuple[str, ...]
    relative_time: re.Pattern[str] | None


_built: dict[int, tuple[Lexicon, Vocabulary]] = {}


def _vocabulary(engine: Engine) -> Vocabulary:
    """Built once per loaded lexicon (a reload brings a new one)."""
    lexicon = engine.knowledge.lexicon
    found = _built.get(id(lexicon))
    if found is None or found[0] is not lexicon:
        if len(_built) > 8:
            _built.clear()
        found = (lexicon, build_vocabulary(lexicon, engine.index.normaliser.clean))
        _built[id(lexicon)] = found
    return found[1]


def build_vocabulary(lexicon: Lexicon, clean: Callable[[str], str]) -> Vocabulary:
    """The lexicon's conversation, follow-up and relative-time words, cleaned with ``clean``."""
    phrases = {clean(word): group.kind for group in lexicon.conversation for word in group.words}
    latin = [clean(w) for w in lexicon.followup if not _CJK.search(w)]
    times = sorted({clean(w) for w in lexicon.relative_time if clean(w)}, key=len, reverse=True)
    relative = (
        re.compile(
            "|".join(
                re.escape(w) if _CJK.search(w) else rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])"
                for w in times
            )
        )
        if times
        else None
    )
    return Vocabulary(
        phrases={k: v for k, v in phrases.items() if k},
        followup_latin=frozenset(w for w in latin if " " not in w),
        followup_latin_phrases=tuple(w for w in latin if " " in w),
        followup_chinese=tuple(clean(w) for w in lexicon.followup if _CJK.search(w)),
        relative_time=relative,
    )


def conversation_word(engine: Engine, text: str) -> str | None:
    """The conversation word a whole message is ("tell me more" -> ``more``), if any; polite
    filler around it ("in Chinese please", "请用中文吧") does not hide it."""
    phrases = _vocabulary(engine).phrases
    cleaned = engine.index.normaliser.clean(text)
    found = phrases.get(cleaned)
    if found is None:
        trimmed = _FILLER.sub(" ", f" {cleaned} ")
        found = phrases.get(" ".join(trimmed.split()))
    return found


def names_another_time(engine: Engine, text: str) -> bool:
    """The message asks about a year or a time relative to now ("2019", "today", 去年)."""
    pattern = _vocabulary(engine).relative_time
    cleaned = engine.index.normaliser.clean(text)
    if pattern is not None and pattern.search(cleaned):
        return True
    return bool(_YEAR.search(cleaned))


def choice_number(text: str) -> int | None:
    """The option a message picks ("2", "#2", "第二个"), if it is nothing but that."""
    found = _CHOICE.match(text)
    if not found:
        return None
    value = found.group(1)
    return int(value) if value.isdigit() else _CHINESE_NUMERALS.index(value) + 1


def looks_like_followup(engine: Engine, text: str) -> bool:
    """A message that leans on what came before: a pronoun or opener ("it", "and", "what
    about", 那, 其中, a closing 呢) or too few topic words to stand alone."""
    vocabulary = _vocabulary(engine)
    cleaned = engine.index.normaliser.clean(text)
    words = cleaned.split()
    if vocabulary.followup_latin.intersection(words):
        return True
    padded = f" {cleaned} "
    if any(f" {phrase} " in padded for phrase in vocabulary.followup_latin_phrases):
        return True
    compact = cleaned.replace(" ", "")
    for marker in vocabulary.followup_chinese:
        # One character (那, 呢, 又) marks a follow-up only where it opens or closes the message.
        if len(marker) == 1:
            if compact.startswith(marker) or compact.endswith(marker):
                return True
        elif marker in compact:
            return True
    return len(_concepts(engine, cleaned)) <= SHORT_MESSAGE_TERMS


def _concepts(engine: Engine, cleaned: str) -> list[str]:
    """The topic concepts of a cleaned message: lexicon groups, and words that belong to no
    group (股票代码 is one concept, not a group and three bigrams); no question words."""
    index = engine.index
    surface_of = index.normaliser.surface_of
    return [
        t
        for t in dict.fromkeys(index.normaliser.terms(cleaned))
        if index.group_kind.get(t) != "question"
        and t not in index.home_groups
        and (t in index.group_kind or t not in surface_of)
    ]


def take_turn(
    engine: Engine,
    text: str,
    context: Context | None,
    language_hint: str | None = None,
    forced_language: str | None = None,
    preferred_script: str | None = None,
) -> Turn:
    """Read one message in the light of the conversation so far (see the module docstring).

    Args:
        engine: the loaded fact base.
        text: the user's message.
        context: the conversation so far (``None`` for a new one).
        language_hint: the user's client language (``en``/``zh``), for messages without words.
        forced_language: the user's ``/lang`` choice, which always wins.
        preferred_script: the traditional Chinese conversion the user chose or their client
            asks for (``bot.script.script_of_code``); else the message's own script decides.
    """
    context = context or Context()
    script = reply_script(text, preferred_script, context.script)
    turn = _take_turn(engine, text, context, language_hint, forced_language)
    return replace(turn, script=script, context=replace(turn.context, script=script))


def _take_turn(
    engine: Engine,
    text: str,
    context: Context,
    language_hint: str | None,
    forced_language: str | None,
) -> Turn:
    last = context.last
    fact = engine.knowledge.fact(context.fact_id) if context.fact_id else None
    if context.menu:
        number = choice_number(text)
        if number is not None:
            if not 1 <= number <= len(context.menu):
                return Turn("out_of_range", context.language, context, choices=len(context.menu))
            chosen = engine.answer_fact(
                context.menu[number - 1], forced_language or context.language
            )
            if chosen is not None:
                # The question behind the menu says what the user was after.
                asked = context.last.question if context.last else None
                return _matched(engine, chosen, context, asked, followup=bool(context.terms))
    word = conversation_word(engine, text)
    if word == "none" and context.menu and last is not None and last.outcome == "clarify":
        return Turn("none", context.language, replace(context, menu=()), match=last)
    if word and fact is not None:
        language = forced_language or context.language
        if word in ("chinese", "english", "as_of"):
            if word != "as_of":
                language = "zh" if word == "chinese" else "en"
            chosen = engine.answer_fact(fact.id, language)
            if chosen is not None:
                turn = _matched(engine, chosen, context)
                return replace(turn, context=replace(turn.context, terms=context.terms))
        if word == "why" and last is not None:
            return Turn("why", language, context, match=last)
        if word == "source":
            return Turn("source", language, context, fact=fact)
        if word == "more":
            # The related facts are listed numbered: a number then picks one, like a menu.
            related = tuple(i for i in fact.related if engine.knowledge.fact(i))
            return Turn("more", language, replace(context, menu=related), fact=fact)
    if last is not None:
        # A message without words ("2") goes on in the conversation's language.
        language_hint = context.language
    # The message alone and with the context (and a retry) read the same words: once.
    reader = Reader(engine.index)
    match = engine.ask(
        text, language_hint=language_hint, forced_language=forced_language, reader=reader
    )
    if word or choice_number(text) is not None:
        # A conversation word or a number with nothing to act on ("none" after an answer,
        # "why?" before any, "2" with no options) asks nothing about the conversation's subject.
        return _matched(engine, match, context, text, reader=reader)
    followup = False
    about_terms = context.terms or (engine.context_terms(fact.id) if fact is not None else ())
    if about_terms and not match.smalltalk and _leans_on_context(engine, text, match, about_terms):
        with_context = engine.ask(
            text,
            language_hint=language_hint,
            forced_language=forced_language,
            context=about_terms,
            reader=reader,
        )
        with_context = _without_strangers(_stay_on_fact(engine, text, with_context, fact))
        with_context = _prefer_related(with_context, fact)
        subject = _subject_only(engine, about_terms)
        if (
            not with_context.answered
            and subject
            and subject != about_terms
            and _concepts(engine, engine.index.normaliser.clean(text))
            and not names_another_time(engine, text)
        ):
            # "when did it list?" after Midea's town: the company carries over, the town need
            # not (once it fails, the measure is a preference, not a requirement). Not for a
            # message that only names a year ("1993年呢" asks the same measure for 1993).
            retry = engine.ask(
                text,
                language_hint=language_hint,
                forced_language=forced_language,
                context=subject,
                reader=reader,
            )
            # Without the measure, only the facts the curators tied to the one under
            # discussion are safe answers.
            if (
                retry.fact is not None
                and retry.answered
                and (fact is None or _related(retry.fact, fact))
            ):
                with_context = retry
        if _context_wins(engine, text, match, with_context, about_terms):
            match, followup = with_context, True
        if followup and names_another_time(engine, text):
            about = match.fact if match.answered else fact
            if match.answered and _relative(engine, text):
                # "and today?": the fact base only has dated figures; never pass one off as now.
                match = replace(match, outcome="decline", fact=None, phrasing=None)
            if not match.answered and about is not None:
                turn = _matched(engine, match, context, text, followup, reader)
                return replace(turn, only_as_of=about)
    match = _beyond_shown(match, fact)
    # A bare shortcut command (/turnover) is a fact chosen directly: its own phrasings say what
    # the conversation is about.
    asked = None if text.lstrip().startswith("/") and match.confidence >= 1.0 else text
    return _matched(engine, match, context, asked, followup, reader)


def _subject_only(engine: Engine, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The companies and places among a conversation's terms."""
    kinds = engine.index.group_kind
    return tuple(t for t in terms if kinds.get(t) in ("entity", "place"))


def _relative(engine: Engine, text: str) -> bool:
    pattern = _vocabulary(engine).relative_time
    return pattern is not None and bool(pattern.search(engine.index.normaliser.clean(text)))


def _related(one: Fact, other: Fact) -> bool:
    return one.id in other.related or other.id in one.related or one.id == other.id


#: A follow-up whose best candidate is the fact under discussion, with nothing in the message
#: that the fact lacks, is answered by it from this confidence on ("and dealers?" after the
#: highway's furniture makers: the same fact gives the dealers).
SAME_FACT_THRESHOLD = 0.4


def unknown_words(engine: Engine, text: str) -> list[str]:
    """English words of four letters or more that no fact uses (after typo correction)."""
    index = engine.index
    return [
        t
        for t in analyse(text, index).terms
        if len(t) >= 4 and t.isascii() and t.isalpha() and t not in index.idf
    ]


def _off_conversation(candidate: Candidate) -> bool:
    """The candidate lacks what the conversation is about (its company, measure or year) or
    the follow-up's own words."""
    return any(r.startswith(("context:", "followup:")) for r in candidate.contradictions)


def _stay_on_fact(engine: Engine, text: str, match: Match, about: Fact | None) -> Match:
    """A follow-up that asks a detail of the fact under discussion gets that fact.

    A message with no topic of its own is all about the conversation: candidates that lack
    the conversation's company, measure or year do not stand in the way ("out of how many
    nationwide?" after the 2022 clusters: the 2021 pilot count is of another year).
    """
    if about is None or match.outcome == "answer" or not match.candidates:
        return match
    candidates = match.candidates
    if not _concepts(engine, engine.index.normaliser.clean(text)):
        candidates = tuple(c for c in candidates if not _off_conversation(c))
    best = candidates[0] if candidates else None
    if (
        best is None
        or best.fact.id != about.id
        or best.contradictions
        or best.confidence < SAME_FACT_THRESHOLD
    ):
        return match
    if unknown_words(engine, match.question):
        return match  # "tell me a joke": words no fact knows are not a detail of this one
    return _answered_by(match, best)


def _beyond_shown(match: Match, shown: Fact | None) -> Match:
    """A "Did you mean" between the answer just shown and one other fact is the other fact:
    the user has the first already ("how many clusters did the Torch Center pick?" after the
    notice's number)."""
    if shown is None or match.outcome != "clarify":
        return match
    ids = [c.fact.id for c in match.candidates]
    others = [c for c in match.candidates if c.fact.id != shown.id]
    if shown.id not in ids or len(others) != 1:
        return match
    other = others[0]
    if other.contradictions or other.confidence < ANSWER_THRESHOLD:
        return match
    return _answered_by(match, other)


def _answered_by(match: Match, candidate: Candidate) -> Match:
    """The match turned into an answer with one of its candidates (the conversation settled
    what the matcher alone left open)."""
    return replace(
        match,
        outcome="answer",
        confidence=candidate.confidence,
        fact=candidate.fact,
        phrasing=candidate.phrasing,
        contradictions=(),
    )


def _without_strangers(match: Match) -> Match:
    """A follow-up's "Did you mean" offers only facts that fit the conversation; with none
    left it is a decline (the others stay as suggestions): "实现了吗" after the 2023 goals is
    not a choice between two figures of other years."""
    if match.outcome != "clarify":
        return match
    fitting = tuple(c for c in match.candidates if not _off_conversation(c))
    if not fitting:
        return replace(match, outcome="decline")
    return replace(match, candidates=fitting)


def _prefer_related(match: Match, about: Fact | None) -> Match:
    """A follow-up torn between facts picks the one the curators related to the fact under
    discussion ("其中高新技术企业呢" after the cluster's enterprises: the cluster's high-tech
    count, not the zone's), if it alone is related and confident enough to answer."""
    if about is None or match.outcome != "clarify" or not match.candidates:
        return match
    best = match.candidates[0]
    others = match.candidates[1:]
    if (
        best.confidence >= ANSWER_THRESHOLD
        and _related(best.fact, about)
        and not any(_related(c.fact, about) for c in others)
    ):
        return replace(
            match,
            outcome="answer",
            fact=best.fact,
            phrasing=best.phrasing,
            contradictions=best.contradictions,
        )
    return match


def _leans_on_context(engine: Engine, text: str, alone: Match, about: tuple[str, ...]) -> bool:
    """Whether a message should be read with the conversation's context as well: it looks like
    a follow-up; or it names no subject of its own and either has no answer alone, or its
    answer alone is about a company the message never named while the conversation is about
    another ("创办人是谁？" after Viomi is not asking about Midea's founder)."""
    if looks_like_followup(engine, text):
        return True
    if names_subject(engine, text):
        return False
    if not alone.answered or alone.fact is None:
        return True
    return _about_another(engine, alone, about)


def _about_another(engine: Engine, alone: Match, about: tuple[str, ...]) -> bool:
    """The message's answer alone is about other companies than the conversation (``about``:
    its terms, which hold the companies of the fact under discussion or the ones named)."""
    if alone.fact is None:
        return False
    index = engine.index
    answered_about = fact_entities(alone.fact, index)
    discussed = {t for t in about if index.group_kind.get(t) == "entity"}
    return bool(answered_about and discussed and not answered_about & discussed)


def _context_wins(
    engine: Engine, text: str, alone: Match, with_context: Match, about: tuple[str, ...]
) -> bool:
    """Whether a follow-up-looking message is read with the context rather than alone.

    The message alone keeps its answer when it is confident and names its own subject (a
    company or place), or when the context's best candidate is that same answer.
    A message that names no subject ("股票代码呢", "when did it list?") leans on the context.
    """
    if not alone.answered:
        return True
    if with_context.answered:
        return (
            alone.confidence < CONFIDENT
            or not names_subject(engine, text)
            or with_context.fact == alone.fact
        )
    # Unsure either way: the context decides unless it agrees with the message alone (its
    # best candidate is the same fact, not marked down as off the follow-up or its subject).
    best = with_context.candidates[0] if with_context.candidates else None
    agrees = best is not None and best.fact == alone.fact and not _off_conversation(best)
    stranger = not names_subject(engine, text) and _about_another(engine, alone, about)
    return (alone.confidence < CONFIDENT or stranger) and not agrees


def names_subject(engine: Engine, text: str) -> bool:
    """The message names a company, organisation or place of its own (not a home place)."""
    index = engine.index
    terms = index.normaliser.terms(index.normaliser.clean(text))
    return any(
        index.group_kind.get(t) in ("entity", "place") and t not in index.home_groups
        for t in terms
    )


def _subject_terms(engine: Engine, match: Match, reader: Reader | None = None) -> tuple[str, ...]:
    """What an unanswered question was about, if it says: its topic words, when it names a
    company or place of its own or every fact it was torn between is about the same company
    ("Where is Monalisa headquartered?" offered only Mona Lisa's profile)."""
    index = engine.index
    shared = (
        frozenset.intersection(*(fact_entities(c.fact, index) for c in match.candidates))
        if match.candidates
        else frozenset()
    )
    if not shared and not names_subject(engine, match.question):
        return ()
    own = [
        t
        for t in analyse(match.question, index, reader=reader).terms
        if index.group_kind.get(t) != "question" and t not in index.home_groups
    ]
    return tuple(dict.fromkeys(own + sorted(shared)))


def _matched(
    engine: Engine,
    match: Match,
    context: Context,
    question: str | None = None,
    followup: bool = False,
    reader: Reader | None = None,
) -> Turn:
    """A turn showing ``match``; what it answers or offers becomes the context.

    ``question`` is what the user asked for this answer (``None`` for a fact chosen directly);
    a follow-up's question adds to the conversation's terms instead of replacing them.
    ``reader`` is what matching the message read (its words are read once per turn).
    """
    subject = () if followup or match.smalltalk else _subject_terms(engine, match, reader)
    if match.outcome == "answer" and match.fact:
        previous = context.terms if followup else ()
        terms = engine.context_terms(match.fact.id, question, previous, reader)
        remembered = Context(match.fact.id, match, (), match.language, terms)
    elif match.outcome == "clarify":
        menu = tuple(c.fact.id for c in match.candidates)
        if subject:
            remembered = Context(None, match, menu, match.language, subject)
        else:
            remembered = Context(context.fact_id, match, menu, match.language, context.terms)
    elif subject:
        # A decline about a company of its own still says what "it" is next.
        remembered = Context(None, match, (), match.language, subject)
    else:
        # A decline or smalltalk keeps the subject: "and in 2019?" may still follow.
        remembered = replace(context, menu=(), language=match.language)
    return Turn("match", match.language, remembered, match=match, followup=followup)
