"""Archived stories stay readable; the channel gets the recap; held items are dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)
CHANNEL = -100777


def _find(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def test_archive_reaches_the_channel_drops_held_items_and_stays_readable(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path, channel_id=CHANNEL) as bot:
        bot.server.add_group(CHANNEL, "Kanal", type="channel", bot_is_admin=True)
        db = bot.app.bot_data.db
        await bot.ask(READER_DE, "/subscribe")
        await bot.ask(READER_EN, "/subscribe")
        hour = datetime.now(UTC).hour  # quiet hours around now: the EN push is held
        await bot.ask(READER_EN, f"/quiet {hour}-{(hour + 3) % 24}")
        await bot.ask(EDITOR_ID, "/post Letzte Sitzung beginnt\nAlle sind da.")
        await eventually(lambda: _find(bot, READER_DE, "Letzte Sitzung"), "the push")
        await eventually(lambda: _find(bot, CHANNEL, "Letzte Sitzung"), "the channel copy")
        assert _find(bot, READER_EN, "Letzte Sitzung") is None
        old_ticker = (await bot.ask_messages(READER_DE, "/ticker"))[-1]

        await bot.ask(EDITOR_ID, "/archive 1")
        # The held item is dropped with the archive, not when (or whether) the recap goes.
        row = await db.fetchone(
            "SELECT status, error FROM deliveries WHERE chat_id = ? AND kind = 'item'",
            (READER_EN,),
        )
        assert row is not None and (row["status"], row["error"]) == ("cancelled", "story archived")
        for chat in (READER_DE, CHANNEL):
            await eventually(partial(_find, bot, chat, "🏁"), f"the recap to {chat}")
        # The story's last message wakes nobody: in quiet hours it waits for their end.
        recap = await db.fetchone(
            "SELECT status, next_at FROM deliveries WHERE chat_id = ? AND kind = 'recap'",
            (READER_EN,),
        )
        assert recap is not None and recap["status"] == "pending"
        assert datetime.fromtimestamp(recap["next_at"], UTC).hour == (hour + 3) % 24
        assert _find(bot, READER_EN, "🏁") is None
        assert _find(bot, READER_EN, "Letzte Sitzung") is None

        listed = await bot.ask_text(READER_DE, "/stories")
        assert "(archiviert)" in listed
        shown = (await bot.ask_messages(READER_DE, "/story 1"))[-1]
        assert "archiviert" in (shown.text or "") and "nur zum Lesen" in (shown.text or "")
        ticker = next(d for d in shown.callback_data if d.startswith("tk:1:"))
        await bot.press(READER_DE, shown, ticker)
        assert "Letzte Sitzung" in (bot.current(shown).text or "")
        answer = await bot.press_raw(READER_DE, old_ticker, "tk:1:0:5")
        assert "gibt es nicht mehr" not in answer.get("text", "")
