"""What the bot remembers of a conversation: the last answer and the last "Did you mean".

In memory only, never written to disk: a bounded store (least recently used conversations are
forgotten first) whose entries expire after a quiet period. Keys say whose conversation it is:
a private chat, one user in a group, or a reply chain under one of the bot's messages.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.matcher import Match

#: Conversations remembered at most; the least recently used is forgotten first.
MAX_CONVERSATIONS = 10_000
#: A conversation quiet for this long is forgotten (seconds).
CONVERSATION_TTL = 15 * 60.0

Value = TypeVar("Value")


@dataclass(frozen=True)
class Context:
    """One conversation's memory.

    Attributes:
        fact_id: the fact the conversation is about (the last one answered); follow-ups and
            conversation words ("tell me more") refer to it.
        last: the last match shown (for "why?", and the question behind a "Did you mean",
            recorded if the user says "None of these").
        menu: the fact ids offered by the last "Did you mean", in the order shown (empty once
            the user picked one or asked something else).
        language: the language of the last reply (``en`` or ``zh``).
        terms: what the conversation is about, as matcher terms (``Engine.context_terms``):
            a follow-up is matched with these added. After a question left unanswered that
            names a company of its own, its topic terms (and ``fact_id`` is ``None``).
        script: the Chinese script replies are written in (``bot.script``).
    """

    fact_id: str | None = None
    last: Match | None = None
    menu: tuple[str, ...] = ()
    language: str = "en"
    terms: tuple[str, ...] = ()
    #: The conversation's Chinese script (a traditional conversion, or None for simplified).
    script: str | None = None


def private_key(chat_id: int) -> tuple[str, int]:
    return ("private", chat_id)


def group_key(chat_id: int, user_id: int) -> tuple[str, int, int]:
    """Each user in a group has their own conversation: two people never share context."""
    return ("group", chat_id, user_id)


def reply_key(chat_id: int, message_id: int) -> tuple[str, int, int]:
    """A reply to one of the bot's messages continues the conversation of that message."""
    return ("reply", chat_id, message_id)


class ExpiringStore(Generic[Value]):
    """A bounded, expiring in-memory map (LRU order); ``clock`` is injectable for tests.

    An entry is gone once it is ``ttl`` seconds old (a ``ttl`` of 0 keeps nothing)."""

    def __init__(
        self,
        capacity: int = MAX_CONVERSATIONS,
        ttl: float | None = CONVERSATION_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Value]] = OrderedDict()

    def get(self, key: Hashable) -> Value | None:
        """The value, or ``None`` if it was never stored, was evicted or has expired."""
        found = self._items.get(key)
        if found is None:
            return None
        stamp, value = found
        if self.ttl is not None and self.clock() - stamp >= self.ttl:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Value) -> None:
        self._items[key] = (self.clock(), value)
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)
