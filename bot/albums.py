"""Albums arrive as separate updates sharing a media_group_id: collect them, then act once.

Telegram sends the parts of an album within moments of each other, with nothing marking
the last one; a client sending more than ten pictures at once sends several albums in a
row, which the caller may collect under one key. A part starts (or extends) a short quiet
window; when no part has come for `window` seconds the album is complete. Time comes from
an injected clock, so tests step through the window instead of sleeping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bot.db.models import MAX_ATTACHMENTS
from bot.delivery.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)

T = TypeVar("T")
ALBUM_WINDOW_S = 1.5
# As many as one item takes; a client sending more is cut off, never buffered without end.
MAX_PARTS = MAX_ATTACHMENTS
MAX_OPEN_ALBUMS = 1000


@dataclass
class _Album(Generic[T]):
    parts: list[T]
    last: float
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    dropped: int = 0


class AlbumCollector(Generic[T]):
    """Parts of albums by key, each album handed to its `finish` once, after a quiet window."""

    def __init__(self, *, window: float = ALBUM_WINDOW_S, clock: Clock = SYSTEM_CLOCK) -> None:
        self.window = window
        self.clock = clock
        self._open: dict[Hashable, _Album[T]] = {}

    def __len__(self) -> int:
        return len(self._open)

    def add(
        self, key: Hashable, part: T, finish: Callable[[list[T], int], Coroutine[Any, Any, None]]
    ) -> asyncio.Task[None] | None:
        """Add one part; for an album's first part, the task that will finish it.

        `finish` gets the parts in arrival order and how many were dropped past MAX_PARTS."""
        album = self._open.get(key)
        now = self.clock.monotonic()
        if album is not None:
            if len(album.parts) < MAX_PARTS:
                album.parts.append(part)
            else:
                album.dropped += 1
            album.last = now
            album.arrived.set()
            return None
        if len(self._open) >= MAX_OPEN_ALBUMS:
            log.warning("too many albums open at once; finishing this part on its own")
            return asyncio.create_task(finish([part], 0), name="album-finish")
        self._open[key] = _Album([part], now)
        return asyncio.create_task(self._collect(key, finish), name="album-collect")

    async def _collect(
        self, key: Hashable, finish: Callable[[list[T], int], Coroutine[Any, Any, None]]
    ) -> None:
        album = self._open[key]
        try:
            for _ in range(10_000):  # bounded: every round needs a part to arrive
                remaining = album.last + self.window - self.clock.monotonic()
                if remaining <= 0:
                    break
                album.arrived.clear()
                await self.clock.wait(album.arrived, remaining)
        finally:
            self._open.pop(key, None)
        await finish(album.parts, album.dropped)
