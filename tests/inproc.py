"""The real Application in the test's own event loop, talking to the fake Bot API.

Faster than a subprocess (tests/e2e.py) and just as honest about what users see: updates
are built by the fake server exactly as Telegram would deliver them, handed to
`Application.process_update` (which returns once the handlers are done), and the answers
are read back from the fake's chats.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from telegram import Update

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi, StoredMessage
from bot.app import BotApplication, build_app, running
from bot.config import Settings
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import ChatPacer
from bot.delivery.transport import AiohttpRequest
from tests.conftest_delivery import migrated_store
from tests.idle import wait_idle
from tests.seed_page import SEED

EDITOR_ID = 42
READER_DE = 1002
READER_EN = 1001
READER_FR = 1003
GROUP_ID = -100500
GROUP_ADMIN = 2001
GROUP_MEMBER = 2002

T = TypeVar("T")


@dataclass
class InProcessBot:
    server: FakeBotApi
    app: BotApplication
    workdir: Path

    async def process(self, update: dict[str, Any]) -> None:
        """Hand one update to the application and wait until its handlers are done."""
        assert "update_id" in update, "the fake did not deliver this message to the bot"
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def ask(self, user_id: int, text: str, *, chat_id: int | None = None) -> list[str]:
        """Send a message; the texts of every message the bot sent to that chat in answer."""
        return [m.text or "" for m in await self.ask_messages(user_id, text, chat_id=chat_id)]

    async def ask_text(self, user_id: int, text: str, *, chat_id: int | None = None) -> str:
        return "\n\n".join(await self.ask(user_id, text, chat_id=chat_id))

    async def ask_messages(
        self, user_id: int, text: str, *, chat_id: int | None = None
    ) -> list[StoredMessage]:
        chat = user_id if chat_id is None else chat_id
        before = {m.message_id for m in self.server.sent_messages(chat)}
        update = self.server.send_text(user_id, text, chat_id=chat_id)
        if "update_id" not in update:  # group privacy kept it from the bot, as Telegram does
            return []
        await self.process(update)
        return [m for m in self.server.sent_messages(chat) if m.message_id not in before]

    async def press(self, user_id: int, message: StoredMessage, data: str) -> dict[str, Any]:
        """Press a button; returns the callback answer (text, show_alert) the bot gave."""
        update = self.server.press_button(user_id, message, data)
        await self.process(update)
        record = self.server.callback_queries[update["callback_query"]["id"]]
        assert record.answer is not None, f"callback query {data!r} was never answered"
        return dict(record.answer)

    async def press_raw(self, user_id: int, message: StoredMessage, data: str) -> dict[str, Any]:
        """Press a button with data the message does not carry (a forged or stale client)."""
        update = self.server.press_button(user_id, message, data, strict=False)
        await self.process(update)
        record = self.server.callback_queries[update["callback_query"]["id"]]
        assert record.answer is not None, f"callback query {data!r} was never answered"
        return dict(record.answer)

    async def pushes_settled(self, within: float = 10.0) -> None:
        """Wait until the push engine has nothing left to send soon (held digests aside):
        what has not arrived by then is not on its way."""
        engine = self.app.bot_data.engine
        assert isinstance(engine, DeliveryEngine), "this bot runs no push engine in process"
        assert await wait_idle(engine, within), "the pushes did not settle"

    def current(self, message: StoredMessage) -> StoredMessage:
        return self.server.messages[message.chat_id][message.message_id]

    def sent(self, chat_id: int) -> list[StoredMessage]:
        return self.server.sent_messages(chat_id, include_deleted=False)


def when(condition: bool, value: T) -> T | None:
    """`value` once `condition` holds: a check for `eventually` that returns what it found."""
    return value if condition else None


async def eventually(check: Callable[[], T | None], what: str, within: float = 10.0) -> T:
    """Poll until `check` returns something truthy (bounded)."""
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def settings_for(server: FakeBotApi, workdir: Path, **extra: Any) -> Settings:
    seeds = workdir / "seeds"
    if not seeds.exists():
        seeds.mkdir(parents=True)
        shutil.copy(SEED, seeds / SEED.name)
    values: dict[str, Any] = {
        "bot_token": server.token,
        "telegram_base_url": server.base_url,
        "telegram_base_file_url": server.base_file_url,
        "admin_ids": frozenset({EDITOR_ID}),
        "database_path": workdir / "data" / "bot.sqlite3",
        "seeds_dir": seeds,
        "seeds_poll_seconds": 60.0,
        "push_rate": 30.0,
    }
    values.update(extra)
    return Settings(_env_file=None, **values)


class Population(Enum):
    """Who the fake Bot API knows before a test starts."""

    # Two readers (English, German) and the editor: the journeys of one reader.
    READERS = "readers"
    # Those, a French reader, and a group with its admin and a member.
    NEWSROOM = "newsroom"


@asynccontextmanager
async def demo_api(population: Population) -> AsyncIterator[FakeBotApi]:
    """A started fake Bot API with the demo users of `population`, stopped after."""
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    try:
        server.add_user(READER_EN, "Alice", language_code="en")
        server.add_user(READER_DE, "Bruno", language_code="de")
        if population is Population.NEWSROOM:
            server.add_user(READER_FR, "Chloé", language_code="fr")
        server.add_user(EDITOR_ID, "Eda", language_code="de")
        if population is Population.NEWSROOM:
            server.add_user(GROUP_ADMIN, "Greta", language_code="de")
            server.add_user(GROUP_MEMBER, "Gustav", language_code="de")
            server.add_group(GROUP_ID, "Newsroom", admins=[GROUP_ADMIN], members=[GROUP_MEMBER])
        yield server
    finally:
        await server.stop()


async def new_store_as_migrated_copy(settings: Settings) -> None:
    """A new SQLite store as a copy of one migrated per session: the migrations cost each
    bot ~70 ms of CPU; their own tests open new files (test_db), and the process smoke
    tests (tests/e2e.py) start on an empty folder."""
    if settings.database_url is None:
        await migrated_store(settings.database_path)


# How much faster than Telegram's per-chat limits the in-process bot paces its sends.
PACING_SPEED_UP = 20.0


def fast_pacer() -> ChatPacer:
    """Telegram's per-chat limits (one message a second to a private chat, 20 a minute to a
    group) on a clock 20 times as fast: sends keep their order, spacing and grouping, and a
    journey of dozens of paced sends (albums, deletes) takes a second, not half a minute.
    The limits at their real speed are tested on the pacer itself (test_delivery_limits)."""
    return ChatPacer(
        private_interval=1.0 / PACING_SPEED_UP,
        group_period=60.0 / PACING_SPEED_UP,
        slack=0.05 / PACING_SPEED_UP,
    )


@asynccontextmanager
async def inproc_bot(
    workdir: Path,
    *,
    with_delivery: bool = True,
    pacer: ChatPacer | None = None,
    **extra: Any,
) -> AsyncIterator[InProcessBot]:
    """A fake server with readers, an editor and a group, and the bot's Application on it.

    Replies and pushes share `pacer` (a fast_pacer of its own unless given), as they share
    the process-wide one in the running bot."""
    async with demo_api(Population.NEWSROOM) as server:
        settings = settings_for(server, workdir, **extra)
        await new_store_as_migrated_copy(settings)
        app = build_app(
            settings,
            with_delivery=with_delivery,
            # Nothing here polls: the default getUpdates client (httpx) loads the system's
            # CA bundle, ~60 ms of CPU per bot, for a connection never opened.
            updates_request=AiohttpRequest(pool_size=1),
            pacer=pacer if pacer is not None else fast_pacer(),
        )
        async with running(app):
            yield InProcessBot(server=server, app=app, workdir=workdir)
