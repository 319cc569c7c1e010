"""Subscribers of `python -m bot` get each new item once: posted, re-imported or dropped in."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e import EDITOR_ID, READER_DE, READER_EN, RunningBot, running_bot
from tests.fakes.botapi import StoredMessage
from tests.seed_page import SEED, changed_seed

pytestmark = pytest.mark.timeout(120)


def pushes(bot: RunningBot, chat_id: int, needle: str) -> list[StoredMessage]:
    return [m for m in bot.server.sent_messages(chat_id) if needle in (m.text or "")]


async def wait_for_push(bot: RunningBot, chat_id: int, needle: str) -> None:
    await bot.server.wait_for_message(
        lambda m: needle in (m.text or ""), chat_id=chat_id, timeout=15
    )


async def test_posted_item_reaches_each_subscriber_once(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        assert "Subscribed" in await bot.ask_text(READER_EN, "/start subscribe")
        assert "Abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        assert "schon abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        late = 1003
        bot.server.add_user(late, "Chloé", language_code="de")
        assert "nicht abonniert" in await bot.ask_text(late, "/unsubscribe")

        await bot.ask(EDITOR_ID, "/post Sirenen in Kiew\nIn der Hauptstadt heulten die Sirenen.")
        await wait_for_push(bot, READER_EN, "Sirenen in Kiew")
        await wait_for_push(bot, READER_DE, "Sirenen in Kiew")
        await asyncio.sleep(1.0)
        assert len(pushes(bot, READER_EN, "Sirenen in Kiew")) == 1
        assert len(pushes(bot, READER_DE, "Sirenen in Kiew")) == 1
        assert "Abonniert" in await bot.ask_text(late, "/subscribe")

        assert "Abbestellt" in await bot.ask_text(READER_DE, "/unsubscribe")
        await bot.ask(EDITOR_ID, "/post Zweite Meldung\nNoch ein Text.")
        await wait_for_push(bot, READER_EN, "Zweite Meldung")
        await wait_for_push(bot, late, "Zweite Meldung")
        await asyncio.sleep(1.0)
        assert pushes(bot, READER_DE, "Zweite Meldung") == []
        # The first item existed before the late reader subscribed: never pushed to them.
        assert pushes(bot, late, "Sirenen in Kiew") == []


async def test_changed_page_in_seeds_is_pushed_and_survives_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")
        (bot.seeds / SEED.name).write_text(changed_seed(), encoding="utf-8")
        await wait_for_push(bot, READER_DE, "Rutte trifft Sybiga")
        ticker = await bot.ask_text(READER_DE, "/ticker 5")
        assert ticker.index("Rutte trifft Sybiga") < ticker.index("Tucker Carlson")
        assert "18:45" in ticker
    # Same folder, same database: a restart pushes nothing again.
    async with running_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/people")
        await asyncio.sleep(1.5)
        assert pushes(bot, READER_DE, "Rutte trifft Sybiga") == []


async def test_settings_buttons_change_delivery(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        view = (await bot.ask(READER_EN, "/settings"))[-1]
        assert "every" in (view.text or "").lower() or "instant" in (view.text or "").lower()
        hourly = next(d for d in view.callback_data if d.endswith(":hourly"))
        after = await bot.press(READER_EN, view, hourly)
        assert "✓" in str(after.reply_markup)
        await bot.ask(EDITOR_ID, "/post Gebündelt\nKommt mit dem Stundenpaket.")
        await asyncio.sleep(1.5)
        assert pushes(bot, READER_EN, "Gebündelt") == []  # held for the hourly digest
        off = next(d for d in after.callback_data if d.endswith(":off"))
        await bot.press(READER_EN, after, off)
        assert "not subscribed" in (await bot.ask_text(READER_EN, "/unsubscribe")).lower()
