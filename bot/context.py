"""Typed application state and callback context: no string lookups in bot_data."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.ext import CallbackContext, ExtBot

from bot.db import chats
from bot.db.models import ChatRecord
from bot.handlers.flood import FloodGuard

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.db.connection import Database
    from bot.delivery.engine import DeliveryEngine
    from bot.services.editor import EditorService
    from bot.services.stories import StoryService
    from bot.texts import Texts

PENDING_IMPORT_TTL_S = 15 * 60


@dataclass
class PendingImport:
    """An uploaded page waiting for the editor's Import or Cancel."""

    data: bytes
    file_name: str
    user_id: int
    target_story_id: int | None
    created: float = field(default_factory=time.monotonic)


class AppState:
    """Services shared by all handlers; filled in by post_init before any update."""

    settings: Settings
    db: Database
    texts: Texts
    stories: StoryService
    editor: EditorService
    engine: DeliveryEngine | None

    def __init__(self) -> None:
        self.engine = None
        self.flood = FloodGuard()
        self.pending_imports: dict[str, PendingImport] = {}
        self.taken_imports: dict[str, float] = {}
        self.background: list[asyncio.Task[Any]] = []
        self.options: dict[str, bool] = {}
        self.push_bot: Bot | None = None

    def take_pending_import(self, token: str) -> PendingImport | None:
        """Remove and return a pending upload unless it has expired."""
        now = time.monotonic()
        for key in [
            k for k, p in self.pending_imports.items() if now - p.created > PENDING_IMPORT_TTL_S
        ]:
            del self.pending_imports[key]
        for key in [k for k, at in self.taken_imports.items() if now - at > PENDING_IMPORT_TTL_S]:
            del self.taken_imports[key]
        pending = self.pending_imports.pop(token, None)
        if pending is not None:
            self.taken_imports[token] = now
        return pending

    def import_taken(self, token: str) -> bool:
        """Whether a button of this upload was already pressed (a double tap, not expiry)."""
        return token in self.taken_imports

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
