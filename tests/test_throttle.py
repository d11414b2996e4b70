"""Per-user flood control."""

from __future__ import annotations

from bot.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ten_allowed_then_one_warning_then_silence() -> None:
    clock = Clock()
    throttle = Throttle(limit=10, window=30, clock=clock)
    verdicts = [throttle.check(1) for _ in range(13)]
    assert verdicts == ["allow"] * 10 + ["warn", "drop", "drop"]


def test_one_warning_per_window_however_the_flood_is_timed() -> None:
    clock = Clock()
    throttle = Throttle(limit=2, window=30, clock=clock)
    timeline = [
        (0, "allow"), (1, "allow"), (29, "warn"),
        # at 30 a place frees and is taken at once: over the limit again, but warned at 29
        (30, "allow"), (30, "drop"),
        (58, "allow"), (60, "allow"), (60, "warn"), (60, "drop"),
    ]  # fmt: skip
    verdicts = []
    for now, _ in timeline:
        clock.now = now
        verdicts.append(throttle.check(1))
    assert verdicts == [verdict for _, verdict in timeline]


def test_other_users_are_not_affected() -> None:
    throttle = Throttle(limit=2, window=30, clock=Clock())
    assert [throttle.check(1) for _ in range(3)] == ["allow", "allow", "warn"]
    assert throttle.check(2) == "allow"


def test_the_window_slides() -> None:
    clock = Clock()
    throttle = Throttle(limit=2, window=30, clock=clock)
    assert [throttle.check(1) for _ in range(3)] == ["allow", "allow", "warn"]
    clock.now = 30.0
    assert throttle.check(1) == "allow"


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(limit=2, window=30, clock=clock)
    throttle.check(1)
    clock.now = 31.0
    throttle.forget_idle()
    assert throttle._seen == {}
