"""The retry policy: what a failed delivery becomes, as pure functions (no I/O, no clock).

The engine classifies the error (bot.delivery.errors), collects what the failing rows have
been through (`History`) and asks `decide`; the answer is one typed outcome the store records.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.outcomes import Block, DeadLetter, Migrate, Retry
from bot.delivery.errors import Failure, FailureKind

__all__ = [
    "Backoff",
    "Block",
    "DeadLetter",
    "Decision",
    "History",
    "Migrate",
    "Retry",
    "backoff_delay",
    "decide",
    "duration",
]


@dataclass(frozen=True)
class Backoff:
    """How long transient failures are retried, and how far apart."""

    deadline: float = 6 * 3600.0  # seconds of failing in a row before a dead letter
    base: float = 1.0
    maximum: float = 120.0


@dataclass(frozen=True)
class History:
    """What the rows of a failing group have been through (the worst row counts)."""

    attempts: int = 0  # failed attempts counted so far
    timeouts: int = 0  # read timeouts so far (the message may have arrived)
    failing_since: float | None = None  # unix time of the first failure since a success


Decision = Block | Migrate | Retry | DeadLetter


def backoff_delay(attempts: int, backoff: Backoff, jitter: float) -> float:
    """Exponential backoff with full jitter in [ceiling/2, ceiling]; jitter is in [0, 1]."""
    # Many chats failing together spread out instead of retrying in step.
    ceiling = min(backoff.maximum, backoff.base * 2.0 ** min(max(0, attempts - 1), 64))
    return ceiling / 2 + ceiling / 2 * min(1.0, max(0.0, jitter))


def decide(
    failure: Failure,
    history: History,
    *,
    now: float,
    backoff: Backoff,
    jitter: float,
    paused: bool = False,
) -> Decision:
    """What a failure of a group's remaining deliveries becomes.

    `paused`: the engine holds every push for an outage, so a transient failure is due again
    at once (it is claimed as soon as the Bot API answers)."""
    kind = failure.kind
    reason = failure.reason
    if kind is FailureKind.GONE:
        return Block(reason)
    if kind is FailureKind.TOPIC_GONE:
        return Block(reason, topic_only=True)
    if kind is FailureKind.MIGRATED:
        return Migrate(reason, failure.new_chat_id)
    if kind is FailureKind.AMBIGUOUS:
        # The message may have arrived: resend once, never twice.
        if history.timeouts >= 1:
            return DeadLetter(
                f"read timeout twice, may have arrived: {reason}", counts_timeout=True
            )
        return Retry(reason, now + backoff_delay(1, backoff, jitter), counts_timeout=True)
    if kind is FailureKind.TRANSIENT:
        attempts = history.attempts + 1
        since = now if history.failing_since is None else history.failing_since
        if now - since >= backoff.deadline:
            return DeadLetter(
                f"gave up after {attempts} attempts over {duration(now - since)}: {reason}",
                counts_attempt=True,
            )
        next_at = now if paused else now + backoff_delay(attempts, backoff, jitter)
        return Retry(reason, next_at, counts_attempt=True, failing_since=since)
    # Permanent, and whatever else reaches here as a failure: Telegram will not accept it.
    return DeadLetter(reason, counts_attempt=True)


def duration(seconds: float) -> str:
    """A short human duration for dead-letter reasons: 45s, 12m, 6.0h."""
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"
