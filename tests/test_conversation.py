"""The conversation store: bounded (least recently used forgotten first), expiring, in memory."""

from __future__ import annotations

from bot.conversation import (
    CONVERSATION_TTL,
    MAX_CONVERSATIONS,
    Context,
    ExpiringStore,
    group_key,
    private_key,
    reply_key,
)


class Clock:
    """A clock the test moves by hand (no sleeping, no timed assertions)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_defaults_are_ten_thousand_conversations_for_fifteen_minutes() -> None:
    store: ExpiringStore[Context] = ExpiringStore()
    assert (store.capacity, store.ttl) == (MAX_CONVERSATIONS, CONVERSATION_TTL) == (10_000, 900)


def test_a_conversation_expires_after_the_quiet_period() -> None:
    clock = Clock()
    store: ExpiringStore[Context] = ExpiringStore(ttl=900, clock=clock)
    store.put(private_key(1), Context(fact_id="slogan"))
    clock.now += 899
    assert store.get(private_key(1)) == Context(fact_id="slogan")
    clock.now += 901
    assert store.get(private_key(1)) is None
    assert len(store) == 0


def test_the_least_recently_used_conversation_is_forgotten_first() -> None:
    store: ExpiringStore[str] = ExpiringStore(capacity=2, clock=Clock())
    store.put("a", "first")
    store.put("b", "second")
    assert store.get("a") == "first"  # "a" is now the most recently used
    store.put("c", "third")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("first", None, "third")


def test_keys_keep_private_chats_group_users_and_reply_chains_apart() -> None:
    store: ExpiringStore[str] = ExpiringStore(clock=Clock())
    store.put(group_key(-5, 1), "user 1")
    store.put(group_key(-5, 2), "user 2")
    store.put(reply_key(-5, 1), "reply chain")
    store.put(private_key(1), "private")
    assert [store.get(k) for k in (group_key(-5, 1), group_key(-5, 2))] == ["user 1", "user 2"]
    assert store.get(reply_key(-5, 1)) == "reply chain"
    assert store.get(private_key(1)) == "private"


def test_without_a_ttl_entries_only_leave_by_capacity() -> None:
    clock = Clock()
    store: ExpiringStore[str] = ExpiringStore(capacity=1, ttl=None, clock=clock)
    store.put("a", "kept")
    clock.now += 10**9
    assert store.get("a") == "kept"
