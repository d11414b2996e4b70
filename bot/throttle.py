"""Per-sender flood control: a sliding window, so one sender cannot monopolise the bot."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["allow", "warn", "drop"]


@dataclass
class Throttle:
    """Allows ``limit`` questions per ``window`` seconds per sender (a user id, or any key).

    The first question over the limit gets ``warn`` (tell the user to slow down); further ones
    get ``drop`` (silence) until the window has room again. A sender is warned at most once per
    window, however the flood is timed (so the bot's notices never flood a group themselves).
    Users never affect each other.
    """

    limit: int = 10
    window: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[Hashable, deque[float]] = field(default_factory=dict)
    #: When each sender was last warned.
    _warned: dict[Hashable, float] = field(default_factory=dict)
    _checks: int = 0

    def check(self, user_id: Hashable) -> Verdict:
        now = self.clock()
        self._checks += 1
        if self._checks % 1000 == 0:
            self.forget_idle()
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            return "allow"
        warned = self._warned.get(user_id)
        if warned is not None and now - warned < self.window:
            return "drop"
        self._warned[user_id] = now
        return "warn"

    def forget_idle(self) -> None:
        """Drop users with no recent questions (keeps memory flat on a busy bot)."""
        now = self.clock()
        for user_id in [u for u, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[user_id]
            self._warned.pop(user_id, None)
