"""Classify Bot API failures into what the engine does next."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TimedOut,
)

from bot.delivery.ratelimit import retry_after_seconds
from bot.delivery.transport import ConnectTimedOut, PoolTimedOut
from bot.logs import redact


class FailureKind(Enum):
    RETRY_AFTER = "retry_after"  # flood control: every send waits; not a failed attempt
    GONE = "gone"  # blocked, deactivated, kicked, chat not found: deactivate, never retry
    # The forum topic one subscription pushes to was closed or deleted: only that
    # subscription ends; the group's other topics and General keep theirs.
    TOPIC_GONE = "topic_gone"
    MIGRATED = "migrated"  # group became a supergroup: move and resend
    TRANSIENT = "transient"  # 5xx, network, not sent: back off and retry a bounded number
    AMBIGUOUS = "ambiguous"  # read timeout: it may have arrived; resend at most once
    MESSAGE_GONE = "message_gone"  # edit/delete target no longer exists: nothing to do
    NOT_MODIFIED = "not_modified"  # an edit that changes nothing: done
    CANT_DELETE = "cant_delete"  # deletion refused: edit to a retraction notice instead
    PERMANENT = "permanent"  # a request Telegram will never accept: dead-letter now


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    reason: str
    retry_after: float = 0.0
    new_chat_id: int | None = None


_GONE = (
    "chat not found",
    "user is deactivated",
    "bot was blocked",
    "bot was kicked",
    "bot is not a member",
    "group chat was deactivated",
    "peer_id_invalid",
    "have no rights to send",
    "not enough rights to send",
    "need administrator rights",
)
# The forum topic a subscription pushes to was deleted or closed by the group's admins.
_TOPIC_GONE = ("message thread not found", "topic_closed", "topic_deleted")
_MESSAGE_GONE = ("message to edit not found", "message to delete not found", "message not found")
_CANT_DELETE = ("message can't be deleted", "message can not be deleted")


def _reason(exc: BaseException) -> str:
    return redact(f"{type(exc).__name__}: {exc}")[:300]


def classify(exc: BaseException) -> Failure:
    """What a failed request means: wait, deactivate, move, retry, or give up."""
    text = str(exc).lower()
    reason = _reason(exc)
    if isinstance(exc, RetryAfter):
        return Failure(FailureKind.RETRY_AFTER, reason, retry_after=retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return Failure(FailureKind.MIGRATED, reason, new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return Failure(FailureKind.GONE, reason)
    if isinstance(exc, BadRequest):
        if "message is not modified" in text:
            return Failure(FailureKind.NOT_MODIFIED, reason)
        if any(s in text for s in _MESSAGE_GONE):
            return Failure(FailureKind.MESSAGE_GONE, reason)
        if any(s in text for s in _CANT_DELETE):
            return Failure(FailureKind.CANT_DELETE, reason)
        if any(s in text for s in _TOPIC_GONE):
            return Failure(FailureKind.TOPIC_GONE, reason)
        if any(s in text for s in _GONE):
            return Failure(FailureKind.GONE, reason)
        return Failure(FailureKind.PERMANENT, reason)
    if isinstance(exc, TimedOut):
        # Not sent at all: an ordinary transient failure. PTB's own transport marks its
        # pool timeouts only by message.
        if isinstance(exc, (PoolTimedOut, ConnectTimedOut)) or text.startswith("pool timeout"):
            return Failure(FailureKind.TRANSIENT, reason)
        return Failure(FailureKind.AMBIGUOUS, reason)
    if isinstance(exc, InvalidToken):
        # A configuration error, not the subscriber's: keep the delivery for a fixed token.
        return Failure(FailureKind.TRANSIENT, reason)
    # Anything else (other Telegram errors, a bug, a renderer failure) is retried a bounded
    # number of times before it is dead-lettered with its reason.
    return Failure(FailureKind.TRANSIENT, reason)
