"""What a failed or given-back attempt becomes: its GroupResult, decided by the retry policy."""

from __future__ import annotations

import random
from dataclasses import replace

from bot.db.deliveries import GroupResult
from bot.db.outcomes import Cancel, Release
from bot.delivery import policy
from bot.delivery.attempt import Attempt
from bot.delivery.clock import Clock
from bot.delivery.errors import Failure, FailureKind
from bot.delivery.outage import OutageBreaker
from bot.delivery.stats import EngineStats
from bot.logs import redact

__all__ = ["Verdicts"]


class Verdicts:
    """Turns an attempt that did not finish into the outcome for its remaining rows."""

    def __init__(
        self,
        backoff: policy.Backoff,
        *,
        clock: Clock,
        outage: OutageBreaker,
        stats: EngineStats,
    ) -> None:
        self.backoff = backoff
        self._clock = clock
        self._outage = outage
        self._stats = stats

    def release(self, attempt: Attempt, delay: float) -> GroupResult:
        """Give the rest back, due in `delay` seconds, without counting a failed attempt."""
        return attempt.result(Release(self._clock.time() + delay), subscriptions=False)

    def failure(self, attempt: Attempt, failure: Failure, *, kept: list[int]) -> GroupResult:
        """The policy's decision for the rows neither done nor `kept`, given their history."""
        rest = attempt.rest(kept)
        if not rest:
            return attempt.result(Cancel(), kept=kept)
        history = policy.History(
            attempts=max(r.attempts for r in rest),
            timeouts=max(r.timeouts for r in rest),
            failing_since=min(
                (r.failing_since for r in rest if r.failing_since is not None), default=None
            ),
        )
        decision = policy.decide(
            replace(failure, reason=redact(failure.reason)),
            history,
            now=self._clock.time(),
            backoff=self.backoff,
            jitter=random.random(),
            paused=self._outage.paused,
        )
        self._count(failure, decision)
        return attempt.result(decision, kept=kept)

    def _count(self, failure: Failure, decision: policy.Decision) -> None:
        stats = self._stats
        if failure.kind is FailureKind.AMBIGUOUS:
            stats.read_timeouts += 1
        elif failure.kind is FailureKind.TRANSIENT:
            stats.transient += 1
        match decision:
            case policy.Block():
                stats.blocked += 1
            case policy.Migrate():
                stats.migrated += 1
            case policy.DeadLetter():
                stats.dead_lettered += 1
            case _:
                pass
