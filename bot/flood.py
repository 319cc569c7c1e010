"""Per-user flood protection: one notice saying when to try again, then silence until then.

Editors are never counted (the registry skips them): throttling a newsroom's /post burst
would drop its work."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


@dataclass
class _UserWindow:
    stamps: deque[float] = field(default_factory=deque)
    silent_until: float = 0.0


class FloodGuard:
    """Sliding-window counter per user; past the limit the user is warned once, then ignored."""

    def __init__(
        self,
        limit: int = 12,
        window_s: float = 10.0,
        silence_s: float = 30.0,
        max_users: int = 100_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.silence_s = silence_s
        self.max_users = max_users
        self._users: dict[int, _UserWindow] = {}

    def check(self, user_id: int, now: float | None = None) -> Verdict:
        """Count one update from a user and say whether to handle it."""
        now = time.monotonic() if now is None else now
        state = self._users.get(user_id)
        if state is None:
            if len(self._users) >= self.max_users:
                self._forget_idle(now)
            state = self._users[user_id] = _UserWindow()
        if now < state.silent_until:
            return Verdict.DROP
        stamps = state.stamps
        while stamps and now - stamps[0] > self.window_s:
            stamps.popleft()
        stamps.append(now)
        if len(stamps) > self.limit:
            stamps.clear()
            state.silent_until = now + self.silence_s
            return Verdict.WARN
        return Verdict.ALLOW

    def retry_in(self, user_id: int, now: float | None = None) -> float:
        """Seconds until a silenced user is answered again (0 when not silenced)."""
        now = time.monotonic() if now is None else now
        state = self._users.get(user_id)
        return max(0.0, state.silent_until - now) if state else 0.0

    def _forget_idle(self, now: float) -> None:
        # Bounded memory under a flood of distinct users: drop everyone idle.
        idle = [
            uid
            for uid, s in self._users.items()
            if now >= s.silent_until and (not s.stamps or now - s.stamps[-1] > self.window_s)
        ]
        for uid in idle:
            del self._users[uid]
