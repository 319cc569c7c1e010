"""Held pushes (digest, quiet hours) of a subscription that ends are dropped, never left
pending: archived story, a reader who blocks the bot, a group that unsubscribes (issue 13)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from bot.db.connection import Database
from bot.delivery.engine import DeliveryEngine
from tests.idle import wait_idle
from tests.inproc import (
    EDITOR_ID,
    GROUP_ADMIN,
    GROUP_ID,
    READER_DE,
    READER_EN,
    READER_FR,
    InProcessBot,
    eventually,
    inproc_bot,
)

pytestmark = pytest.mark.timeout(90)
HEADLINE = "Nachtsitzung vertagt"


async def _item_rows(db: Database, chat: int) -> list[tuple[str, str | None]]:
    rows = await db.fetchall(
        "SELECT status, error FROM deliveries WHERE chat_id = ? AND kind = 'item'", (chat,)
    )
    return [(r["status"], r["error"]) for r in rows]


async def _until(check: object, what: str) -> None:
    """Poll an async condition (the engine records outcomes just after Telegram answers)."""
    assert callable(check)
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def _got(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def test_held_pushes_of_an_ended_subscription_are_dropped(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        db = bot.app.bot_data.db
        hour = datetime.now(UTC).hour  # quiet hours around now: pushes are held
        window = f"{hour}-{(hour + 3) % 24}"
        for reader in (READER_DE, READER_EN, READER_FR):
            await bot.ask(reader, "/subscribe")
        await bot.ask(GROUP_ADMIN, "/subscribe", chat_id=GROUP_ID)
        await bot.ask(READER_DE, f"/quiet {window}")
        await bot.ask(READER_FR, f"/quiet {window}")
        await bot.ask(GROUP_ADMIN, f"/quiet {window}", chat_id=GROUP_ID)
        view = (await bot.ask_messages(READER_EN, "/settings"))[-1]
        hourly = next(d for d in view.callback_data if d.endswith(":hourly"))
        await bot.press(READER_EN, view, hourly)

        await bot.ask(EDITOR_ID, f"/post {HEADLINE}\nWeiter am Morgen.")
        chats = (READER_DE, READER_EN, READER_FR, GROUP_ID)

        async def all_held() -> bool:
            rows = [await _item_rows(db, chat) for chat in chats]
            return all(r and r[0][0] == "pending" for r in rows)

        await _until(all_held, "the item held for every reader")

        # A reader who blocks the bot: what was held for them is gone at once.
        bot.server.block_user(READER_FR)
        await bot.process(bot.server.pending_updates[-1])
        assert [s for s, _ in await _item_rows(db, READER_FR)] == ["blocked"]
        # A group that unsubscribes: its held item goes nowhere.
        await bot.ask(GROUP_ADMIN, "/unsubscribe", chat_id=GROUP_ID)
        assert await _item_rows(db, GROUP_ID) == [("cancelled", "unsubscribed")]

        # The story ends: what was held is dropped at once; the recap, not the item, follows
        # (for the quiet-hour reader when the quiet hours end).
        await bot.ask(EDITOR_ID, "/archive 1")
        for chat in (READER_DE, READER_EN):
            assert await _item_rows(db, chat) == [("cancelled", "story archived")], chat
        await eventually(lambda: _got(bot, READER_EN, "🏁"), "the recap to the digest reader")
        engine = bot.app.bot_data.engine
        assert isinstance(engine, DeliveryEngine) and await wait_idle(engine, 10)
        for chat in chats:
            assert _got(bot, chat, HEADLINE) is None, f"{chat} got the held item after all"
        assert _got(bot, READER_DE, "🏁") is None  # still quiet hours
        left = await db.fetchall(
            "SELECT chat_id, kind FROM deliveries WHERE status IN ('pending', 'claimed')", ()
        )
        assert [(r["chat_id"], r["kind"]) for r in left] == [(READER_DE, "recap")]


async def test_an_item_fanned_out_after_the_archive_holds_nothing_back(tmp_path: Path) -> None:
    from bot.db import deliveries

    async with inproc_bot(tmp_path, with_delivery=False) as bot:
        db = bot.app.bot_data.db
        hour = datetime.now(UTC).hour
        for reader in (READER_DE, READER_EN):
            await bot.ask(reader, "/subscribe")
        await bot.ask(READER_DE, f"/quiet {hour}-{(hour + 3) % 24}")
        # Posted, then archived before the fan-out reached the readers.
        await bot.ask(EDITOR_ID, f"/post {HEADLINE}\nWeiter am Morgen.")
        await bot.ask(EDITOR_ID, "/archive 1")
        for _ in range(10):  # bounded: each round makes rows until every job is done
            if not await deliveries.materialize(db):
                break
        rows = await db.fetchall(
            "SELECT chat_id, kind, status FROM deliveries ORDER BY chat_id, kind", ()
        )
        made = {(r["chat_id"], r["kind"]) for r in rows}
        # The reader without quiet hours still gets the item (it came before the end); the
        # quiet-hour reader gets only the recap, held for the end of the quiet hours.
        assert (READER_EN, "item") in made and (READER_DE, "item") not in made
        recap = await db.fetchone(
            "SELECT next_at FROM deliveries WHERE chat_id = ? AND kind = 'recap'", (READER_DE,)
        )
        assert recap is not None
        assert datetime.fromtimestamp(recap["next_at"], UTC).hour == (hour + 3) % 24
