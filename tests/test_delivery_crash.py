"""A real engine process killed mid-fan-out (SIGKILL) or stopped (SIGTERM), then restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.fakeapi.botapi import FakeBotApi
from bot.db import deliveries, subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import add_item, add_story, open_db

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = 300


async def _spawn(db_path: Path, fake: FakeBotApi, rate: float = 150) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.conftest_delivery",
        "--db",
        str(db_path),
        "--base-url",
        fake.base_url,
        "--rate",
        str(rate),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PTB_TIMEDELTA": "true"},
    )
    assert proc.stdout is not None
    try:
        # Bounded, not short: on a loaded machine an interpreter takes its time to start.
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert line.strip() == b"READY"
    except BaseException:
        # It runs until SIGTERM: a failed start must not leave it running past the test.
        proc.kill()
        await proc.wait()
        raise
    return proc


async def _setup(tmp_path: Path, fake: FakeBotApi) -> tuple[Database, int]:
    db = await open_db(tmp_path)
    story = await add_story(db)
    for uid in range(10_001, 10_001 + SUBSCRIBERS):
        fake.add_user(uid, "U")
        await subscriptions.subscribe(db, uid, "private", story)
    # A real round trip: sends are in flight when the process dies.
    fake.latency = 0.02
    item = await add_item(db, story, "Survives crashes", "body")
    return db, item


async def _wait_sends(fake: FakeBotApi, count: int, within: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while fake.stats.sends_ok < count:
        assert asyncio.get_running_loop().time() < deadline, "the engine did not send"
        await asyncio.sleep(0.02)


async def _wait_done(db: Database, item: int, within: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not (await deliveries.item_progress(db, item)).done:
        assert asyncio.get_running_loop().time() < deadline, "the fan-out did not finish"
        await asyncio.sleep(0.1)


def _received(fake: FakeBotApi) -> Counter[int]:
    return Counter(int(c.chat_id) for c in fake.calls("sendMessage") if c.ok and c.chat_id)


async def test_sigkill_mid_fanout_loses_nothing(tmp_path: Path, fake: FakeBotApi) -> None:
    db, item = await _setup(tmp_path, fake)
    try:
        proc = await _spawn(tmp_path / "bot.sqlite3", fake)
        try:
            await _wait_sends(fake, 80)
            proc.kill()
            await proc.wait()
            await asyncio.sleep(0.1)  # answers still on the wire reach the fake
            in_doubt = await db.fetchval("SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'")
            sent_before = sum(_received(fake).values())
            assert sent_before < SUBSCRIBERS
            proc = await _spawn(tmp_path / "bot.sqlite3", fake)
            await _wait_done(db, item)
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 15)
        received = _received(fake)
        assert set(received) == set(range(10_001, 10_001 + SUBSCRIBERS))  # nothing lost
        duplicates = sum(n - 1 for n in received.values())
        # Only deliveries claimed and unconfirmed at the kill can go out twice.
        assert duplicates <= in_doubt
        progress = await deliveries.item_progress(db, item)
        assert (progress.delivered, progress.failed, progress.pending) == (SUBSCRIBERS, 0, 0)
    finally:
        # Closed even when the test fails: a connection left to the garbage collector
        # fails whichever later test it is collected in.
        await db.close()


async def test_sigterm_drains_in_flight_and_restart_resumes(
    tmp_path: Path, fake: FakeBotApi
) -> None:
    db, item = await _setup(tmp_path, fake)
    try:
        proc = await _spawn(tmp_path / "bot.sqlite3", fake)
        await _wait_sends(fake, 80)
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
        # Stopped cleanly: every send that left was recorded, nothing is left in doubt.
        claimed = await db.fetchval("SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'")
        assert claimed == 0
        delivered = (await deliveries.item_progress(db, item)).delivered
        assert delivered == sum(_received(fake).values())
        assert delivered < SUBSCRIBERS
        proc = await _spawn(tmp_path / "bot.sqlite3", fake)
        try:
            await _wait_done(db, item)
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 15)
        received = _received(fake)
        assert len(received) == SUBSCRIBERS
        assert set(received.values()) == {1}  # a clean stop never duplicates
    finally:
        # Closed even when the test fails: a connection left to the garbage collector
        # fails whichever later test it is collected in.
        await db.close()
