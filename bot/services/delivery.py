"""Editors' handling of the push outbox: dead letters sent again, audited."""

from __future__ import annotations

from collections.abc import Callable

from bot.db import audit, deliveries
from bot.db.connection import Database
from bot.db.models import StoryRecord


class DeliveryService:
    """What an editor may do with pushes that failed for good."""

    def __init__(self, db: Database, notify: Callable[[], None] | None = None) -> None:
        self.db = db
        self._notify = notify

    async def retry_dead_letters(
        self, user_id: int, story: StoryRecord, item_id: int | None = None
    ) -> int:
        """Queue the story's dead letters (or one item's) again; how many will be resent."""
        async with self.db.atomic():
            count = await deliveries.requeue_dead_letters(self.db, story.id, item_id)
            if count:
                await audit.record(
                    self.db,
                    user_id=user_id,
                    action="retry",
                    story_id=story.id,
                    target=f"#{item_id}" if item_id is not None else None,
                    after={"deliveries": count},
                )
        if count and self._notify is not None:
            self._notify()
        return count
