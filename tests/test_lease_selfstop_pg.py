"""A replica that loses its lease (its lock connection cut) stops itself and exits 1, so
its supervisor starts it again as a standby: another replica may be pushing by now."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bot.app import EXIT_FAILED, serve
from tests.conftest_pg import TEST_DATABASE, reset
from tests.inproc import settings_for
from tests.pgserver import PgServer

pytestmark = pytest.mark.timeout(90)

HOLDER = (
    "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'briefing-bot lease'"
)


async def test_a_replica_whose_lease_connection_is_cut_stops_and_exits_1(
    tmp_path: Path, pg_server: PgServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = pg_server.url(TEST_DATABASE)
    await reset(url)
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    admin = await asyncpg.connect(url)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(settings_for(server, tmp_path, database_url=url), stop))
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        holder = None
        while holder is None:
            assert not serving.done(), f"the bot stopped with {serving.result()}"
            assert loop.time() < deadline, "the bot never took the lease"
            holder = await admin.fetchval(HOLDER)
            if holder is None:
                await asyncio.sleep(0.05)
        # What a network cut or a server restart does to the connection holding the lock.
        await admin.execute("SELECT pg_terminate_backend($1)", holder)
        code = await asyncio.wait_for(serving, 30)
        assert code == EXIT_FAILED
        assert "lease: lost" in caplog.text, "the bot exited 1 for another reason"
        assert await admin.fetchval(HOLDER) is None, "the stopped replica still holds a lock"
    finally:
        stop.set()
        if not serving.done():
            await asyncio.wait_for(serving, 30)
        await admin.close()
        await server.stop()
