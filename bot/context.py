"""Typed application state and callback context: no string lookups in bot_data."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.ext import CallbackContext, ExtBot

from bot.albums import AlbumCollector
from bot.db import chats
from bot.db.models import ChatRecord
from bot.flood import FloodGuard
from bot.polling import PollingHealth

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db.connection import Database
    from bot.db.lease import Lease
    from bot.delivery.engine import DeliveryEngine
    from bot.delivery.ratelimit import ChatPacer
    from bot.engineproc import EngineProcess
    from bot.follow.poller import Poller
    from bot.health import HealthServer
    from bot.services.editor import EditorService
    from bot.services.follow import FollowService
    from bot.services.stories import StoryService
    from bot.texts import Texts

PENDING_IMPORT_TTL_S = 15 * 60
# Each preview holds the uploaded page (up to MAX_IMPORT_BYTES) in memory until Import or
# Cancel: a bounded number, so unconfirmed uploads cannot grow the process without end.
MAX_PENDING_IMPORTS = 8
MAX_PENDING_PER_EDITOR = 3


@dataclass
class PendingImport:
    """An uploaded page waiting for the editor's Import or Cancel."""

    data: bytes
    file_name: str
    user_id: int
    target_story_id: int | None
    created: float = field(default_factory=time.monotonic)


class PendingImports:
    """Uploads waiting for Import or Cancel: they expire after `ttl_s` on the injected
    clock, and past the bounds the oldest preview is dropped (its buttons then say
    "expired", as after the time-out)."""

    def __init__(
        self,
        *,
        ttl_s: float = PENDING_IMPORT_TTL_S,
        max_total: int = MAX_PENDING_IMPORTS,
        max_per_user: int = MAX_PENDING_PER_EDITOR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_total = max_total
        self.max_per_user = max_per_user
        self.clock = clock
        self._pending: OrderedDict[str, PendingImport] = OrderedDict()
        self._taken: OrderedDict[str, float] = OrderedDict()

    def __len__(self) -> int:
        self.expire()
        return len(self._pending)

    def __contains__(self, token: object) -> bool:
        self.expire()
        return token in self._pending

    def expire(self) -> None:
        """Forget previews and pressed tokens older than the time-out."""
        now = self.clock()
        for token in [t for t, p in self._pending.items() if now - p.created > self.ttl_s]:
            del self._pending[token]
        while self._taken and now - next(iter(self._taken.values())) > self.ttl_s:
            self._taken.popitem(last=False)
        while len(self._taken) > 10 * self.max_total:
            self._taken.popitem(last=False)

    def add(self, token: str, pending: PendingImport) -> None:
        """Keep a new preview, dropping the oldest ones beyond the bounds."""
        self.expire()
        pending.created = self.clock()
        mine = [t for t, p in self._pending.items() if p.user_id == pending.user_id]
        for token_of_user in mine[: max(0, len(mine) - self.max_per_user + 1)]:
            del self._pending[token_of_user]
        while len(self._pending) >= self.max_total:
            self._pending.popitem(last=False)
        self._pending[token] = pending

    def take(self, token: str) -> PendingImport | None:
        """Remove and return a pending upload unless it has expired or was dropped."""
        self.expire()
        pending = self._pending.pop(token, None)
        if pending is not None:
            self._taken[token] = self.clock()
        return pending

    def taken(self, token: str) -> bool:
        """Whether a button of this upload was already pressed (a double tap, not expiry)."""
        return token in self._taken


class AppState:
    """Services shared by all handlers; filled in by post_init before any update."""

    settings: Settings
    db: Database
    texts: Texts
    stories: StoryService
    editor: EditorService
    engine: DeliveryEngine | EngineProcess | None
    follow: FollowService
    poller: Poller | None
    lease: Lease | None

    def __init__(self) -> None:
        self.engine = None
        self.poller = None
        self.lease = None
        self.flood = FloodGuard()
        self.pending_imports = PendingImports()
        # Parts of editors' albums until the album is complete (bot/handlers/media.py).
        self.albums: AlbumCollector[Any] = AlbumCollector()
        self.background: list[asyncio.Task[Any]] = []
        self.options: dict[str, bool] = {}
        self.push_bot: Bot | None = None
        # The per-chat pacer replies and pushes share; None is the process-wide one.
        self.pacer: ChatPacer | None = None
        self.api_health = PollingHealth()
        self.engine_stopped = False
        # Another replica holds the lease: this one answers readers but pushes nothing.
        self.standby = False
        # Set when the lease is lost: the process stops (serve's stop event) and exits 1.
        self.lease_lost = False
        self.stop_requested: asyncio.Event | None = None
        self.exit_stack = contextlib.ExitStack()
        self.health_server: HealthServer | None = None

    def take_pending_import(self, token: str) -> PendingImport | None:
        """Remove and return a pending upload unless it has expired."""
        return self.pending_imports.take(token)

    def import_taken(self, token: str) -> bool:
        """Whether a button of this upload was already pressed (a double tap, not expiry)."""
        return self.pending_imports.taken(token)

    def notify_delivery(self) -> None:
        """Wake the delivery workers after new work was queued."""
        if self.engine is not None:
            self.engine.notify()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], AppState]):
    """CallbackContext whose bot_data is the typed AppState."""

    @property
    def state(self) -> AppState:
        return self.bot_data

    async def chat_prefs(self, chat_id: int) -> ChatRecord | None:
        """A chat's stored preferences, read once per update (language and story need both)."""
        cache: dict[int, ChatRecord | None] = self.__dict__.setdefault("_chat_prefs", {})
        if chat_id not in cache:
            cache[chat_id] = await chats.get_chat(self.state.db, chat_id)
        return cache[chat_id]
