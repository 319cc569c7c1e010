"""A new subscriber gets what is published after it subscribed, and nothing from before."""

from __future__ import annotations

from bench.fakeapi.botapi import FakeBotApi
from bot.db import subscriptions
from bot.db.connection import Database
from tests.conftest_delivery import add_item, add_story, make_engine, run_until_idle, sends

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True


async def test_only_items_after_subscribing_are_pushed(db: Database, fake: FakeBotApi) -> None:
    story, other = await add_story(db, "Story"), await add_story(db, "Other")
    fake.add_user(601, "Early")
    fake.add_user(602, "Late")
    await add_item(db, story, "Before anyone", enqueue=False)
    await subscriptions.subscribe(db, 601, "private", story)
    await add_item(db, story, "For the early one")
    # Newer items elsewhere do not change what the late subscriber has missed or will get.
    await add_item(db, other, "Elsewhere", enqueue=False)
    await subscriptions.subscribe(db, 602, "private", story)
    await add_item(db, story, "For both")
    await run_until_idle(make_engine(db, fake))
    # The engine may put items due at once into one message: compare what each chat read.
    early = "\n".join(c.params.get("text", "") for c in sends(fake, 601))
    late = "\n".join(c.params.get("text", "") for c in sends(fake, 602))
    assert "For the early one" in early and "For both" in early
    assert "For both" in late and "For the early one" not in late
    assert "Before anyone" not in early + late
    assert "Elsewhere" not in early + late
