"""Two replicas of the bot on one PostgreSQL: one pushes (it holds the lease), the other
stands by; kill -9 the one pushing mid fan-out and the other takes over within seconds.
Every subscriber gets the item; duplicates are at most the sends that were in flight."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bot.db import subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import add_item, add_story
from tests.conftest_pg import TEST_DATABASE, reset
from tests.e2e import RunningBot, start_bot_process
from tests.pgserver import PgServer

pytestmark = pytest.mark.timeout(120)

CHATS = range(5001, 5121)
HEADLINE = "Waffenruhe gebrochen"
TAKEOVER_LIMIT_S = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(
    condition: Callable[[], bool], within: float, what: str, *bots: RunningBot | None
) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- replica log:\n{b.log()[-4000:]}" for b in bots if b)
            raise AssertionError(f"{what}\n{logs}")
        await asyncio.sleep(0.02)


def replica(server: FakeBotApi, workdir: Path, url: str) -> RunningBot:
    # Replicas behind a load balancer take updates by webhook (two getUpdates pollers on
    # one token would end each other's requests with 409).
    return start_bot_process(
        server,
        workdir,
        DATABASE_URL=url,
        WEBHOOK_URL="https://bot.example.org/telegram/updates",
        WEBHOOK_SECRET="replica-secret",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(free_port()),
        # Slow enough that the fan-out to 120 chats takes four seconds: it has a middle
        # (the kill comes after about one), and what is left takes the standby three.
        PUSH_RATE="30",
        PAID_BROADCAST="false",
    )


def received(server: FakeBotApi) -> dict[int, int]:
    """How many messages with the item each subscriber got."""
    return {
        chat: sum(HEADLINE in (m.text or "") for m in server.sent_messages(chat)) for chat in CHATS
    }


async def test_killing_the_pushing_replica_mid_fan_out_loses_nothing(
    tmp_path: Path, pg_server: PgServer
) -> None:
    url = pg_server.url(TEST_DATABASE)
    await reset(url)
    db = await Database.open(url)
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    first = second = None
    try:
        story = await add_story(db, "Live")
        for chat in CHATS:
            server.add_user(chat, f"Reader {chat}", language_code="en")
            await subscriptions.subscribe(db, chat, "private", story)
        first = replica(server, tmp_path / "a", url)
        await until(lambda: "lease: taken" in first.log(), 60, "no lease", first)
        second = replica(server, tmp_path / "b", url)
        await until(lambda: "lease: standby" in second.log(), 60, "no standby", second)
        await until(lambda: bool(server.webhook_url), 30, "no setWebhook", first, second)

        await add_item(db, story, HEADLINE)
        await until(lambda: sum(received(server).values()) >= 30, 30, "no push", first, second)
        first.process.kill()  # SIGKILL: no drain, no goodbye
        await asyncio.to_thread(first.process.wait, 10)
        killed_at = time.monotonic()
        # Claimed and not recorded: what the dead replica may have sent already.
        in_flight = await db.fetchval("SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'")
        sent_by_first = sum(received(server).values())
        assert sent_by_first < len(CHATS), "killed too late: the fan-out had ended"

        await until(
            lambda: second.log().count("lease: taken") == 1,
            TAKEOVER_LIMIT_S,
            "the standby did not take over",
            second,
        )
        took_over_s = time.monotonic() - killed_at
        await until(
            lambda: min(received(server).values()) >= 1,
            60,
            "not every subscriber got the item",
            second,
        )
        counts = received(server)
        duplicates = sum(counts.values()) - len(CHATS)
        assert duplicates <= in_flight, (duplicates, in_flight)
        assert took_over_s < TAKEOVER_LIMIT_S
        assert "lease: taken" not in second.log().split("lease: standby", 1)[0]
    finally:
        for bot in (first, second):
            if bot is not None:
                await bot.stop()
        await server.stop()
        await db.close()
