"""PUSH_ENGINE=process: the bot pushes from a child process it supervises.

Pushing once and restarting a killed engine run the bot's serve() in the test's loop (its
engine is then this process's child); the engine dying with a killed bot needs the bot's
own process (`python -m bot`)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.e2e import EDITOR_ID, READER_DE, READER_EN, running_bot
from tests.served import Serving, serving

# The push engine is a process of its own here, even where the bot runs in this loop.
pytestmark = pytest.mark.e2e

READERS = (READER_EN, READER_DE)


def children(pid: int) -> set[int]:
    """The live child processes of pid (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def engine_pids(pid: int) -> set[int]:
    """The live children of pid that run the engine (the parse worker is a child too)."""
    return {
        child
        for child in children(pid)
        if b"bot.engineproc" in Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        and alive(child)
    }


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


async def engine_child(bot_pid: int, *, other_than: int | None = None) -> int:
    """The pid of the bot's engine process, once it is up (a new one if other_than)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while True:
        for pid in await asyncio.to_thread(engine_pids, bot_pid):
            if pid != other_than:
                return pid
        assert loop.time() < deadline, "no engine process"
        await asyncio.sleep(0.05)


async def wait_gone(pid: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while alive(pid):
        assert loop.time() < deadline, f"process {pid} is still running"
        await asyncio.sleep(0.05)


def claimed_rows(database: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return int(
            conn.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'").fetchone()[0]
        )


async def wait_recorded(database: Path) -> None:
    """Until every send's outcome is in the store: nothing is in flight any more."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while await asyncio.to_thread(claimed_rows, str(database)):
        assert loop.time() < deadline, "sends stayed claimed"
        await asyncio.sleep(0.05)


def pushes_of(bot: Serving, chat_id: int, headline: str) -> int:
    return sum(headline in (m.text or "") for m in bot.server.sent_messages(chat_id))


async def post_and_wait(bot: Serving, headline: str) -> None:
    await bot.ask(EDITOR_ID, f"/post {headline}\nDie Beratungen dauern an.")
    for reader in READERS:
        await bot.server.wait_for_message(
            lambda m: headline in (m.text or ""), chat_id=reader, timeout=20
        )


@pytest.mark.asyncio
async def test_the_engine_process_pushes_each_item_once_and_stops_with_the_bot(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, push_engine="process") as bot:
        engine = await engine_child(os.getpid())
        for reader in READERS:
            await bot.ask(reader, "/subscribe")
        await post_and_wait(bot, "Gipfel beginnt in Brüssel")
        assert await bot.stopped() == 0
        await wait_gone(engine)
        for reader in READERS:
            assert pushes_of(bot, reader, "Gipfel beginnt in Brüssel") == 1


@pytest.mark.asyncio
async def test_a_killed_engine_process_is_started_again_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, push_engine="process") as bot:
        first = await engine_child(os.getpid())
        for reader in READERS:
            await bot.ask(reader, "/subscribe")
        await post_and_wait(bot, "Erste Meldung vor dem Absturz")
        # Only sends in flight at the kill may go out twice; this test has none.
        await wait_recorded(tmp_path / "data" / "bot.sqlite3")
        os.kill(first, signal.SIGKILL)
        second = await engine_child(os.getpid(), other_than=first)
        await post_and_wait(bot, "Zweite Meldung nach dem Neustart")
        assert await bot.stopped() == 0
        await wait_gone(second)
        for reader in READERS:
            assert pushes_of(bot, reader, "Erste Meldung vor dem Absturz") == 1
            assert pushes_of(bot, reader, "Zweite Meldung nach dem Neustart") == 1


@pytest.mark.asyncio
async def test_the_engine_process_dies_with_a_killed_bot(tmp_path: Path) -> None:
    async with running_bot(tmp_path, PUSH_ENGINE="process") as bot:
        engine = await engine_child(bot.process.pid)
        bot.process.kill()
        await asyncio.to_thread(bot.process.wait, 10)
        await wait_gone(engine)
