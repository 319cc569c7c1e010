"""What becomes of the deliveries of a claimed group that did not go out: one type each.

The retry policy (bot.delivery.policy) decides them, the engine adds its own (Cancel,
Release, Keep), and bot.db.deliveries writes each with one function of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Block", "Cancel", "DeadLetter", "Keep", "Migrate", "Outcome", "Release", "Retry"]


@dataclass(frozen=True)
class Cancel:
    """Nothing to send any more (retracted, message gone): the rows are cancelled."""

    reason: str = "nothing to do"


@dataclass(frozen=True)
class Release:
    """Give the rows back, due at `next_at`, without counting a failed attempt."""

    next_at: float = 0.0


@dataclass(frozen=True)
class Keep:
    """Stopped inside a request (the message may be out): leave the rows claimed, so the
    next start resends them — a possible duplicate, never a loss."""


@dataclass(frozen=True)
class Block:
    """The chat blocked the bot, left, or is gone: deactivate its subscriptions, no retry.

    `topic_only`: just the forum topic of this story's subscription is gone (closed or
    deleted), so only that subscription and its pushes end."""

    reason: str
    topic_only: bool = False


@dataclass(frozen=True)
class Migrate:
    """The group became a supergroup: move its subscriptions and resend there."""

    reason: str
    new_chat_id: int | None


@dataclass(frozen=True)
class Retry:
    """Due again at `next_at`; the counters say which kind of failure this was."""

    reason: str
    next_at: float
    counts_attempt: bool = False
    counts_timeout: bool = False
    failing_since: float | None = None


@dataclass(frozen=True)
class DeadLetter:
    """Give up: the rows become dead letters an editor can requeue."""

    reason: str
    counts_attempt: bool = False
    counts_timeout: bool = False


Outcome = Cancel | Release | Keep | Block | Migrate | Retry | DeadLetter
