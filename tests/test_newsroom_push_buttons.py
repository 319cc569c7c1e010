"""Buttons under every push: more on the story, mute, unsubscribe, each with an undo."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.fakeapi.botapi import StoredMessage
from bot.db import subscriptions
from bot.handlers.push import next_morning
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)


def _push(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def _posted(bot: InProcessBot, chat: int, headline: str) -> StoredMessage:
    await bot.ask(EDITOR_ID, f"/post {headline}\nMehr dazu in Kürze.")
    return await eventually(lambda: _push(bot, chat, headline), f"the push of {headline}")


def test_until_tomorrow_is_the_next_morning_on_the_readers_clock() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    evening = datetime(2026, 1, 10, 22, 30, tzinfo=berlin).timestamp()
    assert datetime.fromtimestamp(next_morning(evening, "Europe/Berlin"), berlin) == datetime(
        2026, 1, 11, 7, tzinfo=berlin
    )
    night = datetime(2026, 1, 11, 3, 0, tzinfo=berlin).timestamp()
    assert datetime.fromtimestamp(next_morning(night, "Europe/Berlin"), berlin).day == 11


async def test_mute_skips_pushes_until_undone_and_unsubscribe_has_an_undo(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path, timezone="Europe/Berlin") as bot:
        db = bot.app.bot_data.db
        for reader in (READER_DE, READER_EN):
            await bot.ask(reader, "/subscribe")
        await bot.ask(READER_DE, "/filter Brüssel, Gipfel")
        first = await _posted(bot, READER_DE, "Gipfel in Brüssel beginnt")
        assert {"pu:m:1", "pu:h:1", "pu:t:1", "pu:u:1"} <= set(first.callback_data)

        answer = await bot.press(READER_DE, first, "pu:h:1")
        assert "Stumm bis" in answer["text"] and re.search(r"\bMES?Z\b", answer["text"])
        assert "pu:um:1" in bot.current(first).callback_data
        await _posted(bot, READER_EN, "Gipfel in Brüssel unterbrochen")
        assert _push(bot, READER_DE, "unterbrochen") is None  # muted: skipped, not queued
        row = await db.fetchone(
            "SELECT COUNT(*) AS n FROM deliveries WHERE chat_id = ? AND status = 'pending'",
            (READER_DE,),
        )
        assert row is not None and row["n"] == 0

        answer = await bot.press(READER_DE, bot.current(first), "pu:um:1")
        assert "Wieder an" in answer["text"]
        assert "pu:h:1" in bot.current(first).callback_data
        await _posted(bot, READER_DE, "Gipfel in Brüssel geht weiter")

        answer = await bot.press(READER_DE, bot.current(first), "pu:u:1")
        assert "Abbestellt" in answer["text"]
        sub = await subscriptions.get_subscription(db, READER_DE, 1)
        assert sub is not None and not sub.active
        answer = await bot.press(READER_DE, bot.current(first), "pu:uu:1")
        assert "Wieder abonniert" in answer["text"]
        sub = await subscriptions.get_subscription(db, READER_DE, 1)
        assert sub is not None and sub.active and sub.keywords == ("Brüssel", "Gipfel")


async def test_more_opens_the_ticker_and_a_correction_keeps_the_buttons(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        confirmation = await bot.ask_text(EDITOR_ID, "/post Eilmeldung aus Genf\nMehr bald.")
        item_id = re.search(r"#(\d+)", confirmation)
        assert item_id is not None, confirmation
        pushed = await eventually(lambda: _push(bot, READER_EN, "aus Genf"), "the push")
        before = {m.message_id for m in bot.sent(READER_EN)}
        await bot.press(READER_EN, pushed, "pu:m:1")
        shown = [m for m in bot.sent(READER_EN) if m.message_id not in before]
        assert shown and "Eilmeldung aus Genf" in (shown[0].text or "")

        await bot.ask(EDITOR_ID, f"/edit {item_id.group(1)} Eilmeldung aus Genf: Einigung")
        await eventually(
            lambda: "Einigung" in (bot.current(pushed).text or ""), "the corrected push"
        )
        assert "pu:u:1" in bot.current(pushed).callback_data
