"""The replicas' lease on PostgreSQL: one holder at a time, a standby takes over when the
holder goes, and a holder whose lease connection is cut learns it lost the lease."""

from __future__ import annotations

import asyncio

import asyncpg

from bot.db.lease import AdvisoryLease
from tests.conftest_pg import TEST_DATABASE
from tests.pgserver import PgServer

KEY = 4242  # not the bot's key: a bot of another test may hold that one


async def test_one_holder_at_a_time_and_the_standby_takes_over(pg_server: PgServer) -> None:
    url = pg_server.url(TEST_DATABASE)
    holder = AdvisoryLease(url, key=KEY, retry_every=0.05, check_every=0.05)
    standby = AdvisoryLease(url, key=KEY, retry_every=0.05, check_every=0.05)
    await asyncio.wait_for(holder.acquire(), 10)
    waiting = asyncio.create_task(standby.acquire())
    try:
        await asyncio.sleep(0.3)  # six tries of the standby: all refused
        assert not waiting.done() and not standby.held
        await holder.release()
        await asyncio.wait_for(waiting, 5)
        assert standby.held and not holder.held
    finally:
        waiting.cancel()
        await standby.release()
        await holder.release()


async def test_a_holder_whose_connection_is_cut_learns_it_lost_the_lease(
    pg_server: PgServer,
) -> None:
    url = pg_server.url(TEST_DATABASE)
    holder = AdvisoryLease(url, key=KEY, retry_every=0.05, check_every=0.05)
    standby = AdvisoryLease(url, key=KEY, retry_every=0.05, check_every=0.05)
    await asyncio.wait_for(holder.acquire(), 10)
    admin = await asyncpg.connect(url)
    try:
        # What a server restart or a network cut does to the lease's connection.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks"
            " WHERE locktype = 'advisory' AND objid = $1 AND granted",
            KEY,
        )
        await asyncio.wait_for(holder.lost.wait(), 5)
        assert not holder.held
        await asyncio.wait_for(standby.acquire(), 5)  # and the lock is free for another
    finally:
        await admin.close()
        await standby.release()
        await holder.release()
