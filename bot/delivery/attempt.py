"""A claimed group of deliveries and what one attempt at it achieved so far."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.db.deliveries import ClaimedDelivery, GroupResult, RefreshState, SentPart
from bot.db.outcomes import Outcome

__all__ = ["Attempt", "Group", "Released"]


@dataclass
class Group:
    """Deliveries for one chat that go out together (one message, or one refresh)."""

    chat_id: int
    story_id: int
    kind: str
    rows: list[ClaimedDelivery]


@dataclass
class Attempt:
    """What one group's processing achieved so far; read when it is cancelled mid-way."""

    group: Group
    sent: list[SentPart] = field(default_factory=list)
    done: list[tuple[int, int | None]] = field(default_factory=list)
    refreshed: list[tuple[int, RefreshState]] = field(default_factory=list)
    media_changed: list[tuple[int, str, str]] = field(default_factory=list)
    in_flight: bool = False

    def rest(self, kept: Iterable[int] = ()) -> list[ClaimedDelivery]:
        """The group's rows neither done nor `kept` (settled otherwise)."""
        settled = {d for d, _ in self.done} | set(kept)
        return [r for r in self.group.rows if r.id not in settled]

    def result(
        self, outcome: Outcome, *, kept: Iterable[int] = (), subscriptions: bool = True
    ) -> GroupResult:
        """What went out so far, and `outcome` for the rest."""
        group = self.group
        return GroupResult(
            group.chat_id,
            group.story_id,
            group.kind,
            done=self.done,
            sent=self.sent,
            refreshed=self.refreshed,
            media_changed=self.media_changed,
            rest_ids=[r.id for r in self.rest(kept)],
            outcome=outcome,
            sub_ids=(
                [r.sub_id for r in group.rows if r.sub_id is not None] if subscriptions else []
            ),
        )


class Released(Exception):
    """Give the group back to the queue without counting a failed attempt."""

    def __init__(self, delay: float) -> None:
        super().__init__("released")
        self.delay = delay
