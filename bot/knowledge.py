"""Load and validate the fact base in ``knowledge/*.yaml``.

The fact base is written by curators, not programmers, so every problem is reported with the file
and line it comes from, all at once, instead of stopping at the first. The loader returns frozen
dataclasses; nothing downstream sees raw YAML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.escape import escape_controls, excerpt

FACT_ID_PATTERN = re.compile(r"^[a-z0-9-]+$")  # use with fullmatch: $ allows a final \n
SHORTCUT_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
LANGUAGES = ("en", "zh")
MAX_QUOTE_WORDS = 40
#: Button data ("f:" + id) must fit Telegram's 64 bytes; deep links allow 64 characters.
MAX_FACT_ID_LENGTH = 60
#: The /topics buttons' data ("t:" + id) must fit Telegram's 64 bytes too.
MAX_TOPIC_ID_LENGTH = 60
#: Source ids are held to the fact ids' length: typed in citations, shown in curators' messages.
MAX_SOURCE_ID_LENGTH = MAX_FACT_ID_LENGTH
MIN_PHRASINGS_PER_LANGUAGE = 3
LEXICON_KINDS = ("term", "question", "measure", "place", "entity")
#: What a question group asks for (``number`` wants a figure, ``person`` a person or body...).
LEXICON_WANTS = ("number", "date", "percent", "person", "place", "list")
#: ``capabilities`` ("what can you do?") replies with the topics as well.
SMALLTALK_KINDS = ("greeting", "thanks", "goodbye", "capabilities")
CONVERSATION_KINDS = ("more", "source", "why", "chinese", "english", "as_of", "none")
#: What a fact's answer is: the matcher fits it to what a question asks (who, when, how many).
ANSWER_TYPES = ("figure", "date", "person", "body", "place", "name", "list", "yes-no", "text")
#: Slots whose values the lexicon lists under ``attributes`` (a period is a year or a range).
VOCABULARY_SLOTS = ("entity", "measure")
ATTRIBUTE_FIELDS = ("entity", "measure", "period", "answer")
_PERIOD = re.compile(r"^(?:19|20)\d\d(?:-(?:19|20)\d\d)?$")

#: Commands the bot defines itself; a fact's shortcut may not take one of these names.
BUILTIN_COMMANDS = frozenset(
    {
        "start",
        "help",
        "ask",
        "topics",
        "sources",
        "about",
        "lang",
        "settings",
        "stats",
        "unanswered",
        "reload",
        "cancel",
        "quit",
        "why",
    }
)

#: Reading the fact base is bounded whoever wrote the files (see knowledge/README.md, "Limits").
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 8 * 1024 * 1024
#: Values in one file, counting each alias as the whole value it repeats.
MAX_YAML_NODES = 50_000
MAX_YAML_DEPTH = 64
MAX_YAML_ALIASES = 500
MAX_YAML_NUMBER_DIGITS = 50
#: A problem's message quotes the files only in short, escaped excerpts.
MAX_PROBLEM_CHARS = 300

SOURCES_FILE = "sources.yaml"
LEXICON_FILE = "lexicon.yaml"


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bilingual:
    """A text in English and simplified Chinese."""

    en: str
    zh: str

    def get(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    language: str
    date: str | None = None
    author: str | None = None
    note: str | None = None
    secondary: bool = False
    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Citation:
    source_id: str
    #: Where in the source, in English and Chinese ("paragraph 7" / "第7段").
    where: str
    quote: str | None = None
    where_zh: str = ""

    def where_in(self, language: str) -> str:
        return self.where_zh if language == "zh" and self.where_zh else self.where


@dataclass(frozen=True, slots=True)
class Attributes:
    """What a fact states, as data: about which entity, which measure, for which period, and
    what kind of answer it gives. Values come from the lexicon's ``attributes`` vocabulary."""

    entity: tuple[str, ...] = ()
    measure: tuple[str, ...] = ()
    period: str = ""
    #: The kinds of answer it gives (a founding story gives a date and a person).
    answer: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fact:
    id: str
    topic: str
    questions_en: tuple[str, ...]
    questions_zh: tuple[str, ...]
    answer: Bilingual
    as_of: str
    citations: tuple[Citation, ...]
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    shortcut: str | None = None
    note: Bilingual | None = None
    attributes: Attributes = Attributes()
    file: str = ""
    line: int = 0
    #: ``as_of`` in Chinese: given in the fact base for a text ("around 2010"), written out
    #: for a plain date (2021-08-12 -> 2021年8月12日).
    as_of_zh: str = ""

    def as_of_in(self, language: str) -> str:
        """When the answer was true, in ``language``."""
        if language != "zh":
            return self.as_of
        return self.as_of_zh or chinese_date(self.as_of)

    @property
    def questions(self) -> tuple[str, ...]:
        """All phrasings, English first."""
        return self.questions_en + self.questions_zh

    def first_question(self, language: str) -> str:
        return (self.questions_zh if language == "zh" else self.questions_en)[0]


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    title: Bilingual
    file: str
    order: int = 100


@dataclass(frozen=True, slots=True)
class LexiconGroup:
    """Words the matcher treats as one concept; ``kind`` says how a mismatch counts."""

    kind: str
    words: tuple[str, ...]
    wants: str | None = None
    #: The attribute value (``turnover``, ``midea``) whose words these are, if any.
    name: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Smalltalk:
    kind: str
    words: tuple[str, ...]
    reply: Bilingual


@dataclass(frozen=True, slots=True)
class ConversationWords:
    """Phrases that act on the conversation ("tell me more", "出处") rather than ask a fact."""

    kind: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reading:
    """A colloquial, Cantonese or regional way of writing a word (邊個, 啥, 幾多), read as its
    standard Mandarin form (谁, 什么, 多少) before a question is matched; ``standard`` may be
    empty (a particle such as 㗎 or 呗, read as nothing)."""

    form: str
    standard: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class Lexicon:
    groups: tuple[LexiconGroup, ...] = ()
    home_places: tuple[str, ...] = ()
    smalltalk: tuple[Smalltalk, ...] = ()
    conversation: tuple[ConversationWords, ...] = ()
    #: Words that mark a message as a follow-up (pronouns, "and", "what about", 那, 呢).
    followup: tuple[str, ...] = ()
    #: Words for a time relative to now ("today", 去年): the fact base has dated facts only.
    relative_time: tuple[str, ...] = ()
    #: The vocabulary of fact attributes: slot (``entity``, ``measure``) -> allowed values.
    vocabulary: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Colloquial and Cantonese forms read as standard Mandarin before matching.
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    facts: tuple[Fact, ...]
    sources: dict[str, Source]
    topics: tuple[Topic, ...]
    lexicon: Lexicon
    directory: Path
    updated: str
    _by_id: dict[str, Fact] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({fact.id: fact for fact in self.facts})

    def fact(self, fact_id: str) -> Fact | None:
        return self._by_id.get(fact_id)

    def fact_by_shortcut(self, command: str) -> Fact | None:
        return next((f for f in self.facts if f.shortcut == command), None)

    def facts_in_topic(self, topic_id: str) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.topic == topic_id)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    @property
    def shortcuts(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.facts if f.shortcut)

    def summary(self) -> str:
        return (
            f"{len(self.facts)} facts, {len(self.sources)} sources, {len(self.topics)} topics, "
            f"{len(self.shortcuts)} shortcuts"
        )


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    message: str
    warning: bool = False

    def __post_init__(self) -> None:
        # Messages quote the files' values: keep any quote short and its control characters
        # escaped, whatever a file holds (one problem is one line on a terminal or in a chat).
        object.__setattr__(self, "message", excerpt(self.message, MAX_PROBLEM_CHARS))

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{escape_controls(self.file)}:{self.line}: {prefix}{self.message}"


class KnowledgeError(Exception):
    """The fact base has problems; ``problems`` lists each with its file and line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------------------------
# YAML with line numbers
# --------------------------------------------------------------------------------------------


class LinedMap(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LinedList(list):  # type: ignore[type-arg]
    """A YAML sequence that remembers the line of itself and of each item."""

    line: int
    item_lines: list[int]


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def _to_python(
    node: yaml.Node, loader: yaml.SafeLoader, problems: list[Problem], file: str
) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        # Only plain data: a tag like !!python/object is refused, never constructed.
        problems.append(Problem(file, line, f"unsupported YAML tag '{node.tag}'"))
        return None
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = LinedMap()
        result.line, result.key_lines = line, {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_text = str(key)
            if key_text in result:
                problems.append(
                    Problem(
                        file,
                        key_node.start_mark.line + 1,
                        f"duplicate key '{excerpt(key_text, 60)}'",
                    )
                )
            result[key_text] = _to_python(value_node, loader, problems, file)
            result.key_lines[key_text] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LinedList(_to_python(item, loader, problems, file) for item in node.value)
        items.line = line
        items.item_lines = [item.start_mark.line + 1 for item in node.value]
        return items
    value = loader.construct_object(node, deep=True)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


class _LimitError(yaml.MarkedYAMLError):
    """A file goes over one of the YAML limits (reported without "syntax error")."""

    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(problem=message, problem_mark=mark)


class _BoundedComposer(yaml.composer.Composer):
    """PyYAML's composer with limits, so no file can make loading slow, deep or huge.

    Counts every value as it is composed, an alias as the whole value it repeats (an alias
    bomb is refused after ``MAX_YAML_NODES`` values, not after gigabytes), refuses an alias
    inside the value it names (a loop), more than ``MAX_YAML_ALIASES`` aliases and nesting
    deeper than ``MAX_YAML_DEPTH``. Integers longer than ``MAX_YAML_NUMBER_DIGITS`` digits are
    refused before conversion.
    """

    def __init__(self) -> None:
        super().__init__()
        self.values = 0
        self.aliases = 0
        self.depth = 0
        self.open_anchors: set[str] = set()
        self.anchor_sizes: dict[str, int] = {}

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self.values += values
        if self.values > MAX_YAML_NODES:
            raise _LimitError(
                f"YAML too large: over {MAX_YAML_NODES} values once aliases are expanded",
                mark,
            )

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                raise _LimitError(
                    f"YAML has more than {MAX_YAML_ALIASES} aliases", event.start_mark
                )
            if event.anchor in self.open_anchors:
                raise _LimitError(
                    f"YAML alias '*{event.anchor}' refers to the value that contains it (a loop)",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            self._count(self.anchor_sizes.get(event.anchor, 1), event.start_mark)
            return node
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            raise _LimitError(f"YAML nested deeper than {MAX_YAML_DEPTH} levels", event.start_mark)
        self._count(1, event.start_mark)
        anchor, before = getattr(event, "anchor", None), self.values
        if anchor is not None:
            self.open_anchors.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
            self.open_anchors.discard(anchor)  # type: ignore[arg-type]
        if anchor is not None:
            self.anchor_sizes[anchor] = self.values - before + 1
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(char.isalnum() for char in str(node.value))
        if digits > MAX_YAML_NUMBER_DIGITS:
            raise _LimitError(
                f"a number of {digits} digits is too long (at most {MAX_YAML_NUMBER_DIGITS})",
                node.start_mark,
            )
        return super().construct_yaml_int(node)  # type: ignore[misc,no-any-return]


if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser as _Parser  # libyaml: about ten times faster to parse

    class _Loader(
        _BoundedComposer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver
    ):  # type: ignore[misc]
        """Safe loading: libyaml parses, the bounded composer in Python builds the nodes."""

        def __init__(self, text: str) -> None:
            _Parser.__init__(self, text)
            _BoundedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

else:  # pragma: no cover (PyYAML wheels ship libyaml)

    class _Loader(  # type: ignore[no-redef]
        _BoundedComposer,
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """Safe loading in pure Python, with the same bounds."""

        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _BoundedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


_Loader.add_constructor("tag:yaml.org,2002:int", _BoundedComposer.construct_yaml_int)


@dataclass
class ReadBudget:
    """Bytes the rest of a fact base may still take (``MAX_TOTAL_BYTES`` for a whole folder)."""

    left: int


def read_fact_file(
    path: Path,
    display: str,
    problems: list[Problem],
    folder: Path | None = None,
    budget: ReadBudget | None = None,
) -> str | None:
    """The text of one fact base file, or ``None`` with the reason added to ``problems``.

    Only a regular file inside ``folder`` (default: the file's own folder) is read: a symbolic
    link that leads out of it, a pipe, a device or a folder is refused before it is opened (and
    opened non-blocking, so a pipe swapped in meanwhile cannot block), and so is a file over
    ``MAX_FILE_BYTES`` or over what is ``left`` in the whole base's ``budget`` (which it then
    takes from). The content is never quoted in the reason. Hard links are read: installers
    (uv) hard-link a wheel's files from their cache, and making one needs read access to the
    file already (the kernel's protected_hardlinks), so it reveals nothing a link could not.
    """

    def refuse(message: str, line: int = 1) -> None:
        problems.append(Problem(display, line, message))

    limit = MAX_FILE_BYTES if budget is None else min(MAX_FILE_BYTES, budget.left)
    try:
        base = (folder or path.parent).resolve(strict=True)
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        refuse(f"cannot read file: {getattr(exc, 'strerror', None) or 'a broken link'}")
        return None
    if not real.is_relative_to(base):
        refuse("a link to a file outside the fact base folder; not read")
        return None
    try:
        size = _regular_file_size(real)
        if size is None:
            refuse("not a regular file (a folder, pipe or device); not read")
            return None
        if size > limit:
            refuse(_over_cap(size))
            return None
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(real, flags | getattr(os, "O_CLOEXEC", 0)), "rb") as stream:
            opened = os.fstat(stream.fileno())
            if not stat.S_ISREG(opened.st_mode):
                refuse("not a regular file (a folder, pipe or device); not read")
                return None
            data = stream.read(limit + 1)
    except OSError as exc:
        refuse(f"cannot read file: {exc.strerror or type(exc).__name__}")
        return None
    if len(data) > limit:  # it grew since it was measured
        refuse(_over_cap(len(data)))
        return None
    if budget is not None:
        budget.left -= len(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        refuse(f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line)
        return None


def _regular_file_size(path: Path) -> int | None:
    """The size of ``path`` if it is a regular file (without opening it), else ``None``."""
    info = os.stat(path)
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def _over_cap(size: int) -> str:
    if size > MAX_FILE_BYTES:
        return f"{size} bytes is over the cap of {MAX_FILE_BYTES} bytes for one file; not read"
    return f"the fact base would be over its cap of {MAX_TOTAL_BYTES} bytes in all; not read"


def parse_yaml(text: str, display: str, problems: list[Problem]) -> Any:
    """Parse YAML text safely and within bounds, keeping line numbers; every error (syntax,
    limits, control characters) becomes a problem instead of an exception."""
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        return _to_python(node, loader, problems, display)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        # Only the description, never str(exc): that would quote the offending line.
        message = exc.problem or exc.context or "not valid YAML"
        if not isinstance(exc, _LimitError):
            message = f"YAML syntax error: {message}"
        problems.append(Problem(display, line, message))
        return None
    except yaml.reader.ReaderError as exc:
        problems.append(Problem(display, *_reader_problem(text, exc)))
        return None
    finally:
        if loader is not None:
            loader.dispose()


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> tuple[int, str]:
    """Line and message for a character YAML does not allow (NUL, escape, ...)."""
    character = error.character
    char = chr(character) if isinstance(character, int) else str(character)
    # libyaml counts the position in UTF-8 bytes, PyYAML's own reader in characters.
    before = (
        text.encode("utf-8")[: error.position].decode("utf-8", "replace")
        if getattr(yaml, "__with_libyaml__", False)
        else text[: error.position]
    )
    return before.count("\n") + 1, (
        f"YAML syntax error: unacceptable character {escape_controls(char)} "
        "(control characters are not allowed)"
    )


def read_yaml(
    path: Path,
    display: str,
    problems: list[Problem],
    folder: Path | None = None,
    budget: ReadBudget | None = None,
) -> Any:
    """Read one YAML file safely (see ``read_fact_file`` and ``parse_yaml``)."""
    text = read_fact_file(path, display, problems, folder, budget)
    return None if text is None else parse_yaml(text, display, problems)


# --------------------------------------------------------------------------------------------
# Schema checks
# --------------------------------------------------------------------------------------------


@dataclass
class _Checker:
    """Collects problems while reading one file's mappings against the schema."""

    file: str
    problems: list[Problem]

    def add(self, line: int, message: str, warning: bool = False) -> None:
        self.problems.append(Problem(self.file, line, message, warning))

    def mapping(self, value: Any, line: int, what: str) -> LinedMap | None:
        if not isinstance(value, LinedMap):
            self.add(getattr(value, "line", line), f"{what} must be a mapping of fields")
            return None
        return value

    def fields(
        self, data: LinedMap, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> bool:
        required, allowed = tuple(required), set(required) | set(optional)
        ok = True
        for key in data:
            if key not in allowed:
                self.add(
                    data.line_of(key),
                    f"unknown field '{excerpt(key, 60)}' in {what} "
                    f"(allowed: {', '.join(sorted(allowed))})",
                )
                ok = False
        for key in required:
            if key not in data or data[key] in (None, ""):
                self.add(data.line, f"{what} is missing required field '{key}'")
                ok = False
        return ok

    def text(self, data: LinedMap, key: str, what: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, LinedMap | LinedList | bool):
            self.add(data.line_of(key), f"'{key}' of {what} must be text")
            return None
        return str(value).strip()

    def text_list(self, data: LinedMap, key: str, what: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, LinedList):
            self.add(data.line_of(key), f"'{key}' of {what} must be a list")
            return ()
        items = []
        for item, line in zip(value, value.item_lines, strict=True):
            if item is None or isinstance(item, LinedMap | LinedList) or str(item).strip() == "":
                self.add(line, f"'{key}' of {what} must hold plain text items")
                continue
            items.append(str(item).strip())
        return tuple(items)

    def bilingual(self, data: LinedMap, key: str, what: str) -> Bilingual | None:
        value = self.mapping(data.get(key), data.line_of(key), f"'{key}' of {what}")
        if value is None:
            return None
        self.fields(value, f"'{key}' of {what}", required=(), optional=LANGUAGES)
        texts = {}
        for language in LANGUAGES:
            text = self.text(value, language, f"'{key}' of {what}")
            if not text:
                self.add(data.line_of(key), f"'{key}' of {what} is missing the '{language}' text")
            texts[language] = text or ""
        return Bilingual(**texts)


DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def chinese_date(text: str) -> str:
    """A plain date in Chinese (2021-08-12 -> 2021年8月12日); other text as it is."""
    found = DATE_PATTERN.match(text)
    if not found:
        return text
    year, month, day = found.groups()
    return f"{year}年" + (f"{int(month)}月" if month else "") + (f"{int(day)}日" if day else "")


def _read_as_of(entry: LinedMap, check: _Checker, what: str) -> Bilingual | None:
    """``as_of``: a plain date (2020, 1984-10, 2021-08-12), the same in both languages, or a
    text in both (``{en: around 2010, zh: 2010年前后}``), so Chinese replies stay Chinese."""
    if "as_of" not in entry:
        return None
    if isinstance(entry.get("as_of"), LinedMap):
        return check.bilingual(entry, "as_of", what)
    text = check.text(entry, "as_of", what)
    if text is None:
        return None
    if not DATE_PATTERN.match(text):
        check.add(
            entry.line_of("as_of"),
            f"'as_of' of {what} is text ('{text}'): give it in both languages, "
            "as_of: {en: ..., zh: ...} (a plain date like 2020 or 2021-08-12 is enough alone)",
        )
    return Bilingual(text, "")


def _quote_words(quote: str) -> int:
    """Count words, each Chinese character counting as one, so limits work in both languages."""
    return len(re.findall(r"[A-Za-z0-9'’.,%-]+|[\u3400-\u9fff]", quote))


def normalise_phrasing(text: str) -> str:
    """A loose form of a phrasing used to spot the same question stored twice."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


# --------------------------------------------------------------------------------------------
# Readers for each kind of file
# --------------------------------------------------------------------------------------------


def _read_sources(data: Any, check: _Checker) -> list[Source]:
    root = check.mapping(data, 1, "sources.yaml")
    if root is None:
        return []
    check.fields(root, "sources.yaml", required=("sources",))
    items = root.get("sources")
    if not isinstance(items, LinedList):
        return []
    sources = []
    for item, line in zip(items, items.item_lines, strict=True):
        entry = check.mapping(item, line, "a source")
        if entry is None:
            continue
        what = f"source '{entry.get('id', '?')}'"
        check.fields(
            entry,
            what,
            required=("id", "title", "publisher", "url", "language"),
            optional=("date", "author", "note", "secondary"),
        )
        source_id = check.text(entry, "id", what) or ""
        if source_id:
            _check_id(
                entry,
                check,
                "source",
                MAX_SOURCE_ID_LENGTH,
                "like a fact id: it is typed in citations and shown in curators' messages",
            )
        url = check.text(entry, "url", what) or ""
        if url and not re.match(r"^https?://\S+$", url):
            check.add(entry.line_of("url"), f"url of {what} must start with http:// or https://")
        language = check.text(entry, "language", what) or ""
        sources.append(
            Source(
                id=source_id,
                title=check.text(entry, "title", what) or "",
                publisher=check.text(entry, "publisher", what) or "",
                url=url,
                language=language,
                date=check.text(entry, "date", what),
                author=check.text(entry, "author", what),
                note=check.text(entry, "note", what),
                secondary=bool(entry.get("secondary", False)),
                file=check.file,
                line=entry.line,
            )
        )
    return sources


#: Words in one lexicon phrase: each becomes a level of the index's tokenising pattern (the
#: longest shipped phrase has 5).
MAX_LEXICON_PHRASE_WORDS = 12


def _read_lexicon(data: Any, check: _Checker) -> Lexicon:
    root = check.mapping(data, 1, "lexicon.yaml")
    if root is None:
        return Lexicon()
    check.fields(
        root,
        "lexicon.yaml",
        required=("groups",),
        optional=(
            "home_places",
            "smalltalk",
            "conversation",
            "followup",
            "relative_time",
            "attributes",
            "readings",
        ),
    )
    vocabulary: dict[str, tuple[str, ...]] = {}
    raw_vocabulary = root.get("attributes")
    if raw_vocabulary is not None:
        vocab_map = check.mapping(raw_vocabulary, root.line_of("attributes"), "attributes")
        if vocab_map is not None:
            check.fields(vocab_map, "attributes", required=VOCABULARY_SLOTS)
            for slot in VOCABULARY_SLOTS:
                vocabulary[slot] = check.text_list(vocab_map, slot, "attributes")
    known_values = {value for values in vocabulary.values() for value in values}
    named: dict[str, int] = {}
    groups: list[LexiconGroup] = []
    seen: dict[str, int] = {}
    items = root.get("groups")
    if isinstance(items, LinedList):
        for item, line in zip(items, items.item_lines, strict=True):
            entry = check.mapping(item, line, "a lexicon group")
            if entry is None:
                continue
            check.fields(
                entry, "a lexicon group", required=("kind", "words"), optional=("wants", "name")
            )
            wants = check.text(entry, "wants", "a lexicon group")
            if wants is not None and wants not in LEXICON_WANTS:
                check.add(
                    entry.line_of("wants"),
                    f"unknown wants '{wants}' (use one of {', '.join(LEXICON_WANTS)})",
                )
            name = check.text(entry, "name", "a lexicon group")
            if name is not None:
                if name not in known_values:
                    check.add(
                        entry.line_of("name"),
                        f"group name '{name}' is not in the attributes vocabulary",
                    )
                elif name in named:
                    check.add(
                        entry.line_of("name"),
                        f"group name '{name}' is already used on line {named[name]}",
                    )
                named.setdefault(name, entry.line)
            kind = check.text(entry, "kind", "a lexicon group") or "term"
            if kind not in LEXICON_KINDS:
                check.add(
                    entry.line_of("kind"),
                    f"unknown kind '{kind}' (use one of {', '.join(LEXICON_KINDS)})",
                )
            words = tuple(w.casefold() for w in check.text_list(entry, "words", "a lexicon group"))
            for word in words:
                if word in seen:
                    check.add(
                        entry.line_of("words"),
                        f"'{word}' is already in the group on line {seen[word]}",
                    )
                seen.setdefault(word, entry.line)
                if len(word.split()) > MAX_LEXICON_PHRASE_WORDS:
                    check.add(
                        entry.line_of("words"),
                        f"'{' '.join(word.split()[:3])} …' has {len(word.split())} words; a "
                        f"lexicon phrase may have at most {MAX_LEXICON_PHRASE_WORDS}",
                    )
            groups.append(
                LexiconGroup(kind=kind, words=words, wants=wants, name=name, line=entry.line)
            )
    home = tuple(w.casefold() for w in check.text_list(root, "home_places", "lexicon.yaml"))
    smalltalk: list[Smalltalk] = []
    talk = root.get("smalltalk")
    if talk is not None:
        talk_map = check.mapping(talk, root.line_of("smalltalk"), "smalltalk")
        for kind, value in (talk_map or {}).items():
            what = f"smalltalk '{kind}'"
            if kind not in SMALLTALK_KINDS:
                check.add(
                    talk_map.line_of(kind),
                    f"unknown {what} (use one of {', '.join(SMALLTALK_KINDS)})",
                )
                continue
            entry = check.mapping(value, talk_map.line_of(kind), what)
            if entry is None or not check.fields(entry, what, required=("words", "reply")):
                continue
            reply = check.bilingual(entry, "reply", what)
            words = tuple(w.casefold() for w in check.text_list(entry, "words", what))
            if reply:
                smalltalk.append(Smalltalk(kind=kind, words=words, reply=reply))
    lexicon = Lexicon(
        groups=tuple(groups),
        home_places=home,
        smalltalk=tuple(smalltalk),
        conversation=_read_conversation_words(root, check),
        followup=tuple(w.casefold() for w in check.text_list(root, "followup", "lexicon.yaml")),
        relative_time=tuple(
            w.casefold() for w in check.text_list(root, "relative_time", "lexicon.yaml")
        ),
        vocabulary=vocabulary,
        readings=_read_readings(root, check),
    )
    _check_lexicon_readings(lexicon, check)
    return lexicon


_HAN_ONLY = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: Longest form or standard form of a reading: readings are words, and a message read must not
#: grow past what any message may be.
MAX_READING_CHARS = 8
#: Most forms in the readings table: each is looked for in every message and fact text.
MAX_READINGS = 2000


def _read_readings(root: LinedMap, check: _Checker) -> tuple[Reading, ...]:
    """``readings:`` maps each standard Mandarin form to the colloquial, Cantonese or regional
    forms read as it (``谁: [邊個, 边个]``; ``"": [㗎]`` reads a particle as nothing)."""
    value = root.get("readings")
    if value is None:
        return ()
    table = check.mapping(value, root.line_of("readings"), "readings")
    found: list[Reading] = []
    seen: dict[str, str] = {}
    for standard in table or {}:
        line = table.line_of(standard)
        if standard and not _HAN_ONLY.fullmatch(standard):
            check.add(line, f"reading '{excerpt(standard, 40)}' must be Chinese characters or ''")
            continue
        if len(standard) > MAX_READING_CHARS:
            check.add(
                line,
                f"reading '{excerpt(standard, 40)}' is longer than {MAX_READING_CHARS} characters",
            )
            continue
        for form in check.text_list(table, standard, "readings"):
            form = unicodedata.normalize("NFKC", form).casefold()
            if not _HAN_ONLY.fullmatch(form):
                check.add(line, f"'{excerpt(form, 40)}' in readings must be Chinese characters")
            elif len(form) > MAX_READING_CHARS:
                check.add(
                    line,
                    f"'{excerpt(form, 40)}' in readings is longer than {MAX_READING_CHARS} "
                    "characters",
                )
            elif form in seen:
                check.add(line, f"'{form}' is already read as '{seen[form]}'")
            elif len(found) == MAX_READINGS:
                check.add(line, f"readings may list at most {MAX_READINGS} forms")
                return tuple(found)
            else:
                seen[form] = standard
                found.append(Reading(form=form, standard=standard, line=line))
    by_form = {r.form: r for r in found}
    for reading in found:
        inside = _form_in(reading.standard, by_form)
        if inside:
            check.add(
                reading.line,
                f"reading '{reading.standard}' holds '{inside.form}', which is read again: write "
                f"the standard form",
            )
    return tuple(found)


def reading_in(text: str, by_form: dict[str, Reading]) -> Reading | None:
    """A reading whose form ``text`` holds (text that questions would read otherwise);
    ``by_form``: the readings by their form."""
    return _form_in(unicodedata.normalize("NFKC", text).casefold(), by_form)


def _form_in(text: str, by_form: dict[str, Reading]) -> Reading | None:
    """The first form (leftmost, then shortest) of ``by_form`` that ``text`` holds: every
    piece of at most ``MAX_READING_CHARS`` characters looked up, so linear in the text whatever
    the number of forms."""
    if not by_form:
        return None
    for start in range(len(text)):
        for end in range(start + 1, min(start + MAX_READING_CHARS, len(text)) + 1):
            found = by_form.get(text[start:end])
            if found is not None:
                return found
    return None


def _check_lexicon_readings(lexicon: Lexicon, check: _Checker) -> None:
    """Lexicon words are matched against questions after their reading: a word holding a form
    that is read as something else would never be seen."""
    if not lexicon.readings:
        return
    words = [(word, group.line) for group in lexicon.groups for word in group.words]
    words += [(word, 0) for talk in lexicon.smalltalk for word in talk.words]
    words += [(word, 0) for talk in lexicon.conversation for word in talk.words]
    words += [(word, 0) for word in lexicon.followup + lexicon.relative_time]
    by_form = {r.form: r for r in lexicon.readings}
    for word, line in words:
        reading = reading_in(word, by_form)
        if reading:
            check.add(
                line or reading.line,
                f"lexicon word '{word}' holds '{reading.form}', which questions read as "
                f"'{reading.standard}': write the standard form",
            )


def _read_conversation_words(root: LinedMap, check: _Checker) -> tuple[ConversationWords, ...]:
    """``conversation:`` maps each kind (more, source, why, ...) to its phrases."""
    value = root.get("conversation")
    if value is None:
        return ()
    table = check.mapping(value, root.line_of("conversation"), "conversation")
    found: list[ConversationWords] = []
    seen: dict[str, str] = {}
    for kind in table or {}:
        what = f"conversation '{kind}'"
        if kind not in CONVERSATION_KINDS:
            check.add(
                table.line_of(kind),
                f"unknown {what} (use one of {', '.join(CONVERSATION_KINDS)})",
            )
            continue
        words = tuple(w.casefold() for w in check.text_list(table, kind, "conversation"))
        for word in words:
            if seen.setdefault(word, kind) != kind:
                check.add(table.line_of(kind), f"'{word}' is already under '{seen[word]}'")
        found.append(ConversationWords(kind=kind, words=words))
    return tuple(found)


FACT_FIELDS_REQUIRED = ("id", "questions", "answer", "as_of", "citations")
FACT_FIELDS_OPTIONAL = ("keywords", "related", "shortcut", "note", "attributes")


def _read_topic_file(
    data: Any, check: _Checker
) -> tuple[Topic | None, list[Fact], list[tuple[Fact, list[int]]]]:
    """Read one topic file; returns the topic, its facts and each fact's citation lines."""
    root = check.mapping(data, 1, "a topic file")
    if root is None:
        return None, [], []
    check.fields(root, "a topic file", required=("topic", "facts"))
    topic = None
    topic_map = (
        check.mapping(root.get("topic"), root.line_of("topic"), "'topic'")
        if "topic" in root
        else None
    )
    if topic_map is not None:
        check.fields(topic_map, "'topic'", required=("id", "title"), optional=("order",))
        order = topic_map.get("order", 100)
        if not isinstance(order, int) or isinstance(order, bool):
            check.add(topic_map.line_of("order"), "'order' of 'topic' must be a whole number")
            order = 100
        topic_id = check.text(topic_map, "id", "'topic'") or ""
        if topic_id:
            _check_id(
                topic_map,
                check,
                "topic",
                MAX_TOPIC_ID_LENGTH,
                "it must fit in the /topics buttons",
            )
        title = check.bilingual(topic_map, "title", "'topic'") if "title" in topic_map else None
        if topic_id and title:
            topic = Topic(id=topic_id, title=title, file=check.file, order=order)
    facts: list[Fact] = []
    citation_lines: list[tuple[Fact, list[int]]] = []
    items = root.get("facts")
    if items is not None and not isinstance(items, LinedList):
        check.add(root.line_of("facts"), "'facts' must be a list of facts")
        return topic, [], []
    for item, line in zip(items or [], getattr(items, "item_lines", []), strict=True):
        entry = check.mapping(item, line, "a fact")
        if entry is None:
            continue
        fact, lines = _read_fact(entry, check, topic.id if topic else "")
        if fact is not None:
            facts.append(fact)
            citation_lines.append((fact, lines))
    return topic, facts, citation_lines


def _check_id(
    entry: LinedMap, check: _Checker, kind: str, max_length: int = 0, why: str = ""
) -> None:
    """``entry``'s id as written (not trimmed: a quoted "goals\\n" is refused, not read as
    goals) is a-z, 0-9 and '-' only, and at most ``max_length`` characters when given."""
    written = str(entry.get("id"))
    if not FACT_ID_PATTERN.fullmatch(written):
        check.add(entry.line_of("id"), f"{kind} id '{written}' may only use a-z, 0-9 and '-'")
    elif max_length and len(written) > max_length:
        check.add(
            entry.line_of("id"),
            f"{kind} id '{written}' is longer than {max_length} characters ({why})",
        )


def _read_fact(entry: LinedMap, check: _Checker, topic_id: str) -> tuple[Fact | None, list[int]]:
    fact_id = check.text(entry, "id", "a fact") or ""
    what = f"fact '{fact_id or '?'}'"
    check.fields(entry, what, FACT_FIELDS_REQUIRED, FACT_FIELDS_OPTIONAL)
    if fact_id:
        _check_id(
            entry,
            check,
            "fact",
            MAX_FACT_ID_LENGTH,
            "it must fit in Telegram buttons and deep links",
        )
    questions = {"en": (), "zh": ()}
    q_map = entry.get("questions")
    if q_map is not None:
        q_map = check.mapping(q_map, entry.line_of("questions"), f"'questions' of {what}")
    if q_map is not None:
        check.fields(q_map, f"'questions' of {what}", required=(), optional=LANGUAGES)
        for language in LANGUAGES:
            phrasings = check.text_list(q_map, language, f"'questions' of {what}")
            questions[language] = phrasings
            if not phrasings:
                check.add(q_map.line_of(language), f"{what} has no '{language}' questions")
            elif len(phrasings) < MIN_PHRASINGS_PER_LANGUAGE:
                check.add(
                    q_map.line_of(language),
                    f"{what} has only {len(phrasings)} '{language}' questions; "
                    f"{MIN_PHRASINGS_PER_LANGUAGE} or more help users find it",
                    warning=True,
                )
    answer = check.bilingual(entry, "answer", what) if "answer" in entry else None
    as_of = _read_as_of(entry, check, what)
    note = check.bilingual(entry, "note", what) if "note" in entry else None
    shortcut = check.text(entry, "shortcut", what)
    if shortcut is not None:
        if not SHORTCUT_PATTERN.match(shortcut):
            check.add(
                entry.line_of("shortcut"),
                f"shortcut '{shortcut}' of {what} is not a valid Telegram command "
                "(1-32 characters: a-z, 0-9, _)",
            )
        elif shortcut in BUILTIN_COMMANDS:
            check.add(
                entry.line_of("shortcut"),
                f"shortcut '{shortcut}' of {what} clashes with the built-in /{shortcut}",
            )
    attributes = _read_attributes(entry, check, what)
    citations: list[Citation] = []
    lines: list[int] = []
    raw = entry.get("citations")
    if raw is not None and not isinstance(raw, LinedList):
        check.add(entry.line_of("citations"), f"'citations' of {what} must be a list")
    elif raw is not None:
        if not raw:
            check.add(entry.line_of("citations"), f"{what} needs at least one citation")
        for item, line in zip(raw, raw.item_lines, strict=True):
            cite = check.mapping(item, line, f"a citation of {what}")
            if cite is None:
                continue
            check.fields(
                cite, f"a citation of {what}", required=("source", "where"), optional=("quote",)
            )
            where = None
            if isinstance(cite.get("where"), LinedMap):
                where = check.bilingual(cite, "where", f"a citation of {what}")
            elif cite.get("where") is not None:
                check.add(
                    cite.line_of("where"),
                    f"'where' of a citation of {what} must be in both languages, "
                    "e.g. where: {en: paragraph 7, zh: 第7段}",
                )
            quote = check.text(cite, "quote", what)
            if quote and _quote_words(quote) > MAX_QUOTE_WORDS:
                check.add(
                    cite.line_of("quote"),
                    f"evidence quote of {what} has {_quote_words(quote)} words; keep it under "
                    f"{MAX_QUOTE_WORDS} (answers are in our own words)",
                )
            citations.append(
                Citation(
                    source_id=check.text(cite, "source", what) or "",
                    where=where.en if where else "",
                    quote=quote,
                    where_zh=where.zh if where else "",
                )
            )
            lines.append(cite.line_of("source"))
    if not fact_id or answer is None:
        return None, lines
    fact = Fact(
        id=fact_id,
        topic=topic_id,
        questions_en=questions["en"],
        questions_zh=questions["zh"],
        answer=answer,
        as_of=as_of.en if as_of else "",
        as_of_zh=as_of.zh if as_of else "",
        citations=tuple(citations),
        keywords=check.text_list(entry, "keywords", what),
        related=check.text_list(entry, "related", what),
        shortcut=shortcut,
        note=note,
        attributes=attributes,
        file=check.file,
        line=entry.line,
    )
    return fact, lines


def _read_attributes(entry: LinedMap, check: _Checker, what: str) -> Attributes:
    """A fact's attributes; values are checked against the lexicon later (``_cross_check``)."""
    if "attributes" not in entry:
        return Attributes()
    where = f"'attributes' of {what}"
    data = check.mapping(entry["attributes"], entry.line_of("attributes"), where)
    if data is None:
        return Attributes()
    check.fields(data, where, required=("entity", "measure", "answer"), optional=("period",))
    period = check.text(data, "period", where) or ""
    if period and not _PERIOD.match(period):
        check.add(
            data.line_of("period"),
            f"period '{period}' of {what} is not a year or a range of years (2020, 2020-2025)",
        )

    def values(slot: str) -> tuple[str, ...]:
        raw = data.get(slot)
        if isinstance(raw, str):
            return (check.text(data, slot, where) or "",)
        return check.text_list(data, slot, where)

    answer = values("answer")
    for kind in answer:
        if kind not in ANSWER_TYPES:
            check.add(
                data.line_of("answer"),
                f"unknown answer type '{kind}' of {what} (use one of {', '.join(ANSWER_TYPES)})",
            )
    return Attributes(
        entity=values("entity"), measure=values("measure"), period=period, answer=answer
    )


# --------------------------------------------------------------------------------------------
# Cross-file checks and the entry point
# --------------------------------------------------------------------------------------------


def _cross_check(
    facts: list[Fact],
    sources: list[Source],
    citation_lines: list[tuple[Fact, list[int]]],
    problems: list[Problem],
    lexicon: Lexicon,
    unreadable: frozenset[str] = frozenset(),
) -> None:
    """Checks across files. A file that could not be read at all (``unreadable``) was reported
    once at its line; references into it are not checked, so one broken file never produces
    errors in files nobody touched."""
    sources_unreadable = SOURCES_FILE in unreadable
    topics_unreadable = any(name != LEXICON_FILE for name in unreadable - {SOURCES_FILE})
    first_fact: dict[str, Fact] = {}
    for fact in facts:
        if fact.id in first_fact:
            other = first_fact[fact.id]
            problems.append(
                Problem(
                    fact.file,
                    fact.line,
                    f"duplicate fact id '{fact.id}' (first at {other.file}:{other.line})",
                )
            )
        first_fact.setdefault(fact.id, fact)
    first_source: dict[str, Source] = {}
    for source in sources:
        if source.id in first_source:
            problems.append(
                Problem(source.file, source.line, f"duplicate source id '{source.id}'")
            )
        first_source.setdefault(source.id, source)

    cited: set[str] = set()
    for fact, lines in citation_lines:
        for citation, line in zip(fact.citations, lines, strict=True):
            cited.add(citation.source_id)
            if citation.source_id not in first_source and not sources_unreadable:
                problems.append(
                    Problem(
                        fact.file,
                        line,
                        f"fact '{fact.id}' cites unknown source '{citation.source_id}'",
                    )
                )
    for fact in facts:
        for related in fact.related:
            if related not in first_fact:
                if topics_unreadable:
                    continue
                problems.append(
                    Problem(
                        fact.file,
                        fact.line,
                        f"fact '{fact.id}' lists unknown related fact '{related}'",
                    )
                )
            elif related == fact.id:
                problems.append(
                    Problem(fact.file, fact.line, f"fact '{fact.id}' lists itself as related")
                )

    shortcut_owner: dict[str, Fact] = {}
    phrasing_owner: dict[str, Fact] = {}
    for fact in facts:
        if fact.shortcut and SHORTCUT_PATTERN.match(fact.shortcut):
            owner = shortcut_owner.setdefault(fact.shortcut, fact)
            if owner is not fact:
                problems.append(
                    Problem(
                        fact.file,
                        fact.line,
                        f"shortcut '{fact.shortcut}' is used by '{owner.id}' and '{fact.id}'",
                    )
                )
        for phrasing in fact.questions:
            key = normalise_phrasing(phrasing)
            owner = phrasing_owner.setdefault(key, fact)
            if owner.id != fact.id:
                problems.append(
                    Problem(
                        fact.file,
                        fact.line,
                        f"question '{phrasing}' is on both '{owner.id}' and '{fact.id}'",
                    )
                )
    for fact in facts:
        for slot in VOCABULARY_SLOTS:
            allowed = lexicon.vocabulary.get(slot, ())
            for value in getattr(fact.attributes, slot):
                if value not in allowed:
                    problems.append(
                        Problem(
                            fact.file,
                            fact.line,
                            f"fact '{fact.id}' has {slot} '{value}', which the lexicon's "
                            f"attributes vocabulary does not list",
                        )
                    )
    by_form = {r.form: r for r in lexicon.readings}
    for fact in facts if by_form else ():
        texts = (*fact.questions, *fact.keywords, fact.answer.zh)
        found = next(((t, r) for t in texts if (r := reading_in(t, by_form))), None)
        if found:
            problems.append(
                Problem(
                    fact.file,
                    fact.line,
                    f"fact '{fact.id}' has '{excerpt(found[0], 40)}', whose '{found[1].form}' "
                    f"questions read as '{found[1].standard}' (lexicon readings): write the "
                    f"standard form",
                )
            )
    for source in sources:
        if source.id not in cited and not topics_unreadable:
            problems.append(
                Problem(
                    source.file,
                    source.line,
                    f"source '{source.id}' is not cited by any fact",
                    warning=True,
                )
            )


def default_knowledge_dir() -> Path:
    """The shipped fact base: inside the installed package, or beside it in a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "knowledge_data", package_dir.parent / "knowledge"):
        if candidate.is_dir():
            return candidate
    return package_dir.parent / "knowledge"


def load_knowledge(directory: Path | str | None = None) -> tuple[KnowledgeBase, list[Problem]]:
    """Load and validate every YAML file in ``directory``.

    Returns:
        The fact base and its warnings (problems that do not stop it from working).

    Raises:
        KnowledgeError: with every error found, each naming its file and line.
    """
    directory = Path(directory) if directory else default_knowledge_dir()
    problems: list[Problem] = []
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), 0, "fact base folder not found")])

    sources: list[Source] = []
    lexicon = Lexicon()
    topics: list[Topic] = []
    facts: list[Fact] = []
    citation_lines: list[tuple[Fact, list[int]]] = []
    paths = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    budget = ReadBudget(MAX_TOTAL_BYTES)
    unreadable: set[str] = set()
    for path in paths:
        display = str(path)
        data = read_yaml(path, display, problems, directory, budget)
        check = _Checker(display, problems)
        if data is None:
            unreadable.add(path.name)
            if not any(p.file == display for p in problems):
                problems.append(Problem(display, 1, "file is empty"))
            continue
        if path.name == SOURCES_FILE:
            sources = _read_sources(data, check)
        elif path.name == LEXICON_FILE:
            lexicon = _read_lexicon(data, check)
        else:
            topic, topic_facts, lines = _read_topic_file(data, check)
            if topic:
                if any(t.id == topic.id for t in topics):
                    problems.append(
                        Problem(display, 1, f"topic id '{topic.id}' is used by another file too")
                    )
                topics.append(topic)
            facts.extend(topic_facts)
            citation_lines.extend(lines)
    if not (directory / SOURCES_FILE).is_file():
        problems.append(Problem(str(directory / SOURCES_FILE), 0, "sources file is missing"))
    if not facts and not any(not p.warning for p in problems):
        problems.append(
            Problem(str(directory), 0, "no facts found (add a topic file with 'facts:')")
        )
    _cross_check(facts, sources, citation_lines, problems, lexicon, frozenset(unreadable))

    errors = [p for p in problems if not p.warning]
    if errors:
        raise KnowledgeError(errors)
    updated = max((p.stat().st_mtime for p in paths), default=0.0)
    # Topics (and their facts) in the curators' order: /topics, shortcuts and inline lists use it.
    topics.sort(key=lambda t: (t.order, t.id))
    rank = {t.id: n for n, t in enumerate(topics)}
    facts.sort(key=lambda f: rank.get(f.topic, len(rank)))
    knowledge = KnowledgeBase(
        facts=tuple(facts),
        sources={s.id: s for s in sources},
        topics=tuple(topics),
        lexicon=lexicon,
        directory=directory,
        updated=dt.datetime.fromtimestamp(updated, tz=dt.UTC).strftime("%Y-%m-%d"),
    )
    return knowledge, [p for p in problems if p.warning]


def iter_citation_sources(
    knowledge: KnowledgeBase, fact: Fact
) -> Iterator[tuple[Citation, Source]]:
    """Each citation of ``fact`` with the source it names (validated to exist)."""
    for citation in fact.citations:
        yield citation, knowledge.sources[citation.source_id]


def fact_to_json(knowledge: KnowledgeBase, fact: Fact) -> dict[str, Any]:
    """The stable JSON form of a fact that ``facts --json`` prints for other tools."""
    return {
        "id": fact.id,
        "topic": fact.topic,
        "questions": list(fact.questions),
        "questions_by_language": {"en": list(fact.questions_en), "zh": list(fact.questions_zh)},
        "keywords": list(fact.keywords),
        "answer": {"en": fact.answer.en, "zh": fact.answer.zh},
        "note": {"en": fact.note.en, "zh": fact.note.zh} if fact.note else None,
        "as_of": fact.as_of,
        "as_of_by_language": {"en": fact.as_of_in("en"), "zh": fact.as_of_in("zh")},
        "citations": [
            {
                "source_id": source.id,
                "title": source.title,
                "publisher": source.publisher,
                "date": source.date,
                "url": source.url,
                "where": citation.where,
                "where_by_language": {"en": citation.where, "zh": citation.where_in("zh")},
                "quote": citation.quote,
            }
            for citation, source in iter_citation_sources(knowledge, fact)
        ],
        "related": list(fact.related),
        "shortcut": fact.shortcut,
    }
