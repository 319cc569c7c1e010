"""Delivery as editors and readers meet it, the bot's Application against the fake Bot
API in this process: stalls shown in /stats, dead letters sent again with /retry."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from pathlib import Path

import pytest

from bench.fakeapi.botapi import FaultRule
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)

HEADLINE = "Pegel steigt weiter"
SUBSCRIBERS = (2101, 2102, 2103, 2104, 2105)


def pushes(bot: InProcessBot, chat_id: int, needle: str = HEADLINE) -> int:
    return sum(1 for m in bot.server.sent_messages(chat_id) if needle in (m.text or ""))


async def test_an_editor_sends_dead_letters_again_with_retry(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        assert "Abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe")
        # Telegram refuses the push to one reader for good: it becomes a dead letter.
        refusal = bot.server.faults.add(
            FaultRule(kind="bad_request", method="sendMessage", chat_id=READER_EN)
        )
        await bot.ask(EDITOR_ID, f"/post {HEADLINE}")
        await bot.pushes_settled()
        assert pushes(bot, READER_DE) == 1
        stats = await bot.ask_text(EDITOR_ID, "/stats")
        assert "/retry" in stats and "1 fehlgeschlagen" in stats
        assert "/retry" in await bot.ask_text(EDITOR_ID, "/help")

        bot.server.faults.remove(refusal)
        answer = await bot.ask_text(EDITOR_ID, "/retry")
        assert "1 fehlgeschlagene Zustellung geht jetzt erneut raus" in answer
        await bot.pushes_settled()
        assert "Nichts zu wiederholen" in await bot.ask_text(EDITOR_ID, "/retry")
        assert "Nummer einer Meldung" in await bot.ask_text(EDITOR_ID, "/retry zwei")
        assert (pushes(bot, READER_EN), pushes(bot, READER_DE)) == (1, 1)
        # A reader may not retry anything.
        assert "wiederholen" not in await bot.ask_text(READER_DE, "/retry")


async def eventually_stats(bot: InProcessBot, needle: str, within: float = 15.0) -> str:
    """Ask /stats until its answer shows `needle` (the engine notices an outage by itself)."""
    deadline = time.monotonic() + within
    while True:
        answer = await bot.ask_text(EDITOR_ID, "/stats")
        if needle in answer:
            return answer
        assert time.monotonic() < deadline, f"/stats never showed {needle!r}:\n{answer}"
        await asyncio.sleep(0.1)


async def test_stats_shows_a_push_stalled_by_an_outage_and_it_arrives_after(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with inproc_bot(tmp_path) as bot:
        for uid in SUBSCRIBERS:
            bot.server.add_user(uid, f"Reader {uid}", language_code="de")
            assert "Abonniert" in await bot.ask_text(uid, "/subscribe")
        # The Bot API fails for every subscriber and for the engine's getMe probe; the
        # editor's own chat still works, so /stats can tell them.
        outage = [
            bot.server.faults.add(FaultRule(kind="server_error", status=502, chat_id=uid))
            for uid in SUBSCRIBERS
        ]
        outage.append(bot.server.faults.add(FaultRule(kind="server_error", method="getMe")))
        await bot.ask(EDITOR_ID, f"/post {HEADLINE}")
        stats = await eventually_stats(bot, "Zustellung angehalten", within=30)
        assert "stockt" in stats
        assert all(pushes(bot, uid) == 0 for uid in SUBSCRIBERS)
        for rule in outage:
            bot.server.faults.remove(rule)
        for uid in SUBSCRIBERS:
            await eventually(partial(pushes, bot, uid), f"the push to {uid}", 60)
        await bot.pushes_settled()
        assert [pushes(bot, uid) for uid in SUBSCRIBERS] == [1] * len(SUBSCRIBERS)
        assert "angehalten" not in await eventually_stats(bot, "▓▓▓▓▓▓")
    assert "Bot API failed" in caplog.text and "resuming" in caplog.text
