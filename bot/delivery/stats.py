"""What the push engine has done since it started (read by /stats and the metrics)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EngineStats"]


@dataclass
class EngineStats:
    """Counters of the engine's sends and failures; the engine's parts count into one."""

    sent: int = 0  # messages that went out (pushes, recaps, overflow parts)
    edited: int = 0
    deleted: int = 0
    retry_after: int = 0  # 429 answers: waited, never counted as failed attempts
    transient: int = 0  # 5xx, network, not-sent timeouts: backed off
    read_timeouts: int = 0  # ambiguous: the message may have arrived
    late_copies: int = 0  # timed-out sends whose answer came later: the message exists
    late_copies_deleted: int = 0  # of those, extra copies deleted (another was delivered)
    dead_lettered: int = 0
    outages: int = 0  # times the Bot API failed for many chats at once: paused and probed
    blocked: int = 0
    migrated: int = 0
    recovered_claims: int = 0  # claimed by a dead process: the only possible duplicates
