"""The bot's own serve() in the test's event loop, polling the fake Bot API.

What `python -m bot` runs after reading its settings (start-up checks, polling, the push
engine, the health server, backups, the stop), without an interpreter of its own: the stop
event stands in for SIGTERM's handler. Signals, kill -9 and exit codes seen by a shell stay
with the process smoke tests (tests/e2e.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fakeapi.botapi import FakeBotApi, StoredMessage
from bot.app import serve
from tests.inproc import Population, demo_api, new_store_as_migrated_copy, settings_for


@dataclass
class Serving:
    server: FakeBotApi
    stop: asyncio.Event
    task: asyncio.Task[int]
    workdir: Path

    async def ask(self, user_id: int, text: str) -> list[StoredMessage]:
        """Send a message and wait (bounded) for the bot's answer in that chat."""
        before = {m.message_id for m in self.server.sent_messages(user_id)}
        update = self.server.send_text(user_id, text)
        await self.server.wait_for_reply(user_id, after_update=update, timeout=10)
        return [m for m in self.server.sent_messages(user_id) if m.message_id not in before]

    async def ask_text(self, user_id: int, text: str) -> str:
        return "\n\n".join(m.text or "" for m in await self.ask(user_id, text))

    async def stopped(self, within: float = 30) -> int:
        """Stop it as SIGTERM would and return its exit code."""
        self.stop.set()
        return await asyncio.wait_for(self.task, within)


async def start_serving(server: FakeBotApi, workdir: Path, **settings: Any) -> Serving:
    """serve() on `workdir` as a task, once it polls."""
    stop = asyncio.Event()
    bot_settings = settings_for(server, workdir, **settings)
    await new_store_as_migrated_copy(bot_settings)
    task = asyncio.create_task(serve(bot_settings, stop_when=stop))
    waiting = asyncio.create_task(server.wait_until_polling(timeout=30))
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiting.cancel()
        raise AssertionError(f"the bot ended before it polled (exit {task.result()})")
    await waiting
    return Serving(server, stop, task, workdir)


def fake_api() -> AbstractAsyncContextManager[FakeBotApi]:
    """A fake Bot API with two readers and the editor, closed after."""
    return demo_api(Population.READERS)


@asynccontextmanager
async def serving(workdir: Path, **settings: Any) -> AsyncIterator[Serving]:
    """serve() polling a fresh fake Bot API; stopped (unless it ended by itself) after."""
    async with fake_api() as server:
        bot = await start_serving(server, workdir, **settings)
        try:
            yield bot
        finally:
            bot.stop.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.task, 30)
