"""Catch-up: a returning reader sees what they missed, and can page through it (issue 13)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)


def _pushed(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def test_a_returning_reader_sees_the_count_the_newest_and_pages_back(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path, with_delivery=False) as bot:
        first = await bot.ask_messages(READER_DE, "/start")
        assert len(first) == 1  # a newcomer gets the welcome only
        for n in range(1, 8):
            await bot.ask(EDITOR_ID, f"/post Lage Nummer {n}\nText {n}.")
        answer = await bot.ask_messages(READER_DE, "/start")
        assert len(answer) == 2, [m.text for m in answer]
        missed = answer[-1]
        text = missed.text or ""
        assert "Verpasst: 7 neue Meldungen" in text and "1–5 von 7" in text
        assert text.index("Lage Nummer 7") < text.index("Lage Nummer 3")  # newest first
        assert "Lage Nummer 2" not in text
        older = next(d for d in missed.callback_data if d.startswith("ms:"))
        await bot.press(READER_DE, missed, older)
        page = bot.current(missed).text or ""
        assert "6–7 von 7" in page and "Lage Nummer 1" in page and "Lage Nummer 7" not in page
        assert any(d.startswith("ms:") for d in bot.current(missed).callback_data)  # newer

        assert "Nichts verpasst" in await bot.ask_text(READER_DE, "/missed")
        await bot.ask(EDITOR_ID, "/post Lage Nummer 8\nText 8.")
        assert "eine neue Meldung" in await bot.ask_text(READER_DE, "/missed")
        await bot.ask(EDITOR_ID, "/post Lage Nummer 9\nText 9.")
        await bot.ask(READER_DE, "/ticker")  # the ticker showed the newest: nothing missed
        assert "Nichts verpasst" in await bot.ask_text(READER_DE, "/missed")
        assert "/missed" in await bot.ask_text(READER_DE, "/help")


async def test_subscribing_again_shows_what_came_since_the_last_push(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        await bot.ask(EDITOR_ID, "/post First news\nText.")
        await eventually(lambda: _pushed(bot, READER_EN, "First news"), "the push")
        db = bot.app.bot_data.db
        for _ in range(500):  # the engine records the send just after Telegram took it
            if await db.fetchval(
                "SELECT COUNT(*) FROM message_items WHERE chat_id = ?", (READER_EN,)
            ):
                break
            await asyncio.sleep(0.02)
        await bot.ask(READER_EN, "/unsubscribe")
        await bot.ask(EDITOR_ID, "/post Second news\nText.")
        await bot.ask(EDITOR_ID, "/post Third news\nText.")
        answer = await bot.ask_text(READER_EN, "/subscribe")
        assert "Missed: 2 new updates" in answer
        assert "Third news" in answer and "Second news" in answer
        assert "First news" not in answer.split("Missed")[1]
