"""A Bot API outage loses nothing: the engine pauses, probes, resumes and delivers once."""

from __future__ import annotations

import asyncio

import pytest

from bench.fakeapi.botapi import FakeBotApi, FaultRule
from bot.db import deliveries
from bot.db.connection import Database
from tests.conftest_delivery import (
    ScaledClock,
    add_item,
    add_story,
    make_engine,
    sends,
    subscribe_users,
    wait_until,
)
from tests.idle import wait_idle

SUBSCRIBERS = range(101, 121)


def _exactly_once(fake: FakeBotApi, chats: range) -> None:
    got = sorted(c.chat_id for c in sends(fake))
    assert got == list(chats), f"{len(got)} sends for {len(chats)} chats"


@pytest.mark.parametrize(
    "fault",
    [
        FaultRule(kind="server_error", status=502),
        FaultRule(kind="disconnect"),
    ],
    ids=["502", "dropped-connections"],
)
async def test_minutes_of_outage_right_after_a_post_lose_nothing(
    db: Database, fake: FakeBotApi, fault: FaultRule
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *SUBSCRIBERS)
    item = await add_item(db, story, "During the outage")
    fake.faults.add(fault)  # every method: sends and the getMe probes alike
    clock = ScaledClock(100)
    engine = make_engine(
        db,
        fake,
        clock=clock,
        concurrency=8,
        backoff_base=1,
        backoff_max=60,
        probe_interval=1,
        probe_max=30,
        poll_interval=1,
    )
    await engine.start()
    try:
        await wait_until(lambda: engine.stalled_since is not None)
        stalled = engine.stalled_since
        assert stalled is not None
        # Five minutes of simulated outage.
        await wait_until(lambda: clock.time() > stalled + 300, within=20)
        tried = len(fake.calls("sendMessage"))
        probes = len(fake.calls("getMe"))
        progress = await deliveries.item_progress(db, item)
        assert progress.failed == 0 and progress.delivered == 0
        fake.faults.clear()
        await wait_until(lambda: engine.stalled_since is None, within=20)
        assert await wait_idle(engine, 20)
    finally:
        await engine.stop()
    # Paused instead of spending every delivery's attempts: about one try per sender, and
    # the probe backed off (5 minutes at up to 30 s apart is a dozen or so getMe, not 300).
    assert tried <= 20 + 8
    assert 3 <= probes <= 25
    _exactly_once(fake, SUBSCRIBERS)
    progress = await deliveries.item_progress(db, item)
    assert (progress.delivered, progress.failed, progress.done) == (20, 0, True)
    assert await deliveries.dead_letters(db) == []
    assert engine.stats.outages == 1


async def test_thirty_percent_random_server_errors_lose_nothing(
    db: Database, fake: FakeBotApi
) -> None:
    subscribers = range(1001, 1301)
    story = await add_story(db)
    await subscribe_users(db, fake, story, *subscribers)
    item = await add_item(db, story, "Flaky API")
    fake.faults.seed(7)
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", probability=0.3))
    engine = make_engine(db, fake, concurrency=16)
    await engine.start()
    try:
        await wait_until(lambda: len(sends(fake)) >= 300, within=60)
        assert await wait_idle(engine, 20)
    finally:
        await engine.stop()
    assert any(c.status == 500 for c in fake.calls("sendMessage"))
    _exactly_once(fake, subscribers)
    progress = await deliveries.item_progress(db, item)
    assert (progress.delivered, progress.failed) == (300, 0)


async def test_one_failing_chat_does_not_pause_the_others(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *SUBSCRIBERS)
    await add_item(db, story, "One chat broken")
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", chat_id=101))
    engine = make_engine(db, fake, concurrency=4, outage_failures=3)
    await engine.start()
    try:
        await wait_until(lambda: len(sends(fake)) >= 19)
        # Several failures of the same chat are that chat's problem, not an outage.
        await wait_until(lambda: len(fake.calls("sendMessage")) >= 19 + 4)
    finally:
        await engine.stop()
    assert engine.stats.outages == 0
    assert fake.calls("getMe") == []


async def test_stop_during_an_outage_keeps_every_delivery(db: Database, fake: FakeBotApi) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *SUBSCRIBERS)
    await add_item(db, story, "Stopped while down")
    fake.faults.add(FaultRule(kind="server_error", status=503))
    engine = make_engine(db, fake, concurrency=8)
    await engine.start()
    await wait_until(lambda: engine.stalled_since is not None)
    await asyncio.wait_for(engine.stop(), 10)
    # Nothing was given up on, and nothing was left claimed (a possible duplicate).
    assert await deliveries.dead_letters(db) == []
    fake.faults.clear()
    engine = make_engine(db, fake, concurrency=8)
    await engine.start()
    try:
        assert engine.stats.recovered_claims == 0
        assert await wait_idle(engine, 10)
    finally:
        await engine.stop()
    _exactly_once(fake, SUBSCRIBERS)


async def test_pushes_failing_while_getme_answers_back_off_and_count_as_one_outage(
    db: Database, fake: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    story = await add_story(db)
    await subscribe_users(db, fake, story, *SUBSCRIBERS)
    await add_item(db, story, "Only sending is down")
    # sendMessage fails, getMe answers: every probe succeeds, every resumption fails.
    fake.faults.add(FaultRule(kind="server_error", method="sendMessage", status=502))
    clock = ScaledClock(100)
    engine = make_engine(
        db,
        fake,
        clock=clock,
        concurrency=8,
        backoff_base=1,
        backoff_max=60,
        probe_interval=1,
        probe_max=30,
        poll_interval=1,
    )
    caplog.set_level("INFO", logger="bot.delivery")
    await engine.start()
    try:
        await wait_until(lambda: engine.stalled_since is not None)
        began = engine.stalled_since
        assert began is not None
        # Ten minutes of simulated time in which sending never works.
        await wait_until(lambda: clock.time() > began + 600, within=30)
        tried = len(fake.calls("sendMessage"))
        assert engine.stalled_since in (None, began)
        fake.faults.clear()
        await wait_until(lambda: len(sends(fake)) == len(SUBSCRIBERS), within=20)
        assert await wait_idle(engine, 20)
    finally:
        await engine.stop()
    # One outage, told once: each getMe that answered used to count a new outage and log
    # "resuming" (41 of each in these ten minutes). Each try costs about a round of sends.
    resumed = [r for r in caplog.records if "resuming" in r.getMessage()]
    assert len(resumed) <= 2
    assert engine.stats.outages == 1
    assert tried <= 400
    _exactly_once(fake, SUBSCRIBERS)
