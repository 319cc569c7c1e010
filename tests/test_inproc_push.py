"""Subscribers get each new item once: posted, re-imported or dropped in.

In process (tests/inproc.py): nothing here is about start-up or signals. "Nothing more
arrives" is asserted once the push engine is idle, not after a fixed wait."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi.botapi import StoredMessage
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot
from tests.seed_page import SEED, changed_seed

pytestmark = pytest.mark.timeout(60)
LATE_READER = 1004  # a German reader who comes later

# As `python -m bot` runs in the subprocess tests: the seeds folder is watched closely.
SETTINGS: dict[str, Any] = {"flood_limit": 1000, "push_rate": 200.0, "paid_broadcast": True}


def pushes(bot: InProcessBot, chat_id: int, needle: str) -> list[StoredMessage]:
    return [m for m in bot.server.sent_messages(chat_id) if needle in (m.text or "")]


async def wait_for_push(bot: InProcessBot, chat_id: int, needle: str) -> None:
    await eventually(lambda: pushes(bot, chat_id, needle), f"the push of {needle!r}")


async def test_posted_item_reaches_each_subscriber_once(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, **SETTINGS) as bot:
        assert "Subscribed" in await bot.ask_text(READER_EN, "/start subscribe")
        assert "Abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        assert "schon abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        bot.server.add_user(LATE_READER, "Dora", language_code="de")
        assert "nicht abonniert" in await bot.ask_text(LATE_READER, "/unsubscribe")

        await bot.ask(EDITOR_ID, "/post Sirenen in Kiew\nIn der Hauptstadt heulten die Sirenen.")
        await wait_for_push(bot, READER_EN, "Sirenen in Kiew")
        await wait_for_push(bot, READER_DE, "Sirenen in Kiew")
        await bot.pushes_settled()
        assert len(pushes(bot, READER_EN, "Sirenen in Kiew")) == 1
        assert len(pushes(bot, READER_DE, "Sirenen in Kiew")) == 1
        assert "Abonniert" in await bot.ask_text(LATE_READER, "/subscribe")

        assert "Abbestellt" in await bot.ask_text(READER_DE, "/unsubscribe")
        await bot.ask(EDITOR_ID, "/post Zweite Meldung\nNoch ein Text.")
        await wait_for_push(bot, READER_EN, "Zweite Meldung")
        await wait_for_push(bot, LATE_READER, "Zweite Meldung")
        await bot.pushes_settled()
        assert pushes(bot, READER_DE, "Zweite Meldung") == []
        # The first item existed before the late reader subscribed: never pushed to them.
        assert pushes(bot, LATE_READER, "Sirenen in Kiew") == []


async def test_changed_page_in_seeds_is_pushed_and_survives_restart(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, seeds_poll_seconds=0.2, **SETTINGS) as bot:
        await bot.ask(READER_DE, "/subscribe")
        (tmp_path / "seeds" / SEED.name).write_text(changed_seed(), encoding="utf-8")
        await wait_for_push(bot, READER_DE, "Rutte trifft Sybiga")
        ticker = await bot.ask_text(READER_DE, "/ticker 5")
        assert ticker.index("Rutte trifft Sybiga") < ticker.index("Tucker Carlson")
        assert "18:45" in ticker
    # Same folder, same database: a restart (which loads the seeds again) pushes nothing.
    async with inproc_bot(tmp_path, seeds_poll_seconds=0.2, **SETTINGS) as bot:
        await bot.ask(READER_DE, "/people")
        await bot.pushes_settled()
        assert pushes(bot, READER_DE, "Rutte trifft Sybiga") == []


async def test_settings_buttons_change_delivery(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, **SETTINGS) as bot:
        await bot.ask(READER_EN, "/subscribe")
        view = (await bot.ask_messages(READER_EN, "/settings"))[-1]
        assert "every" in (view.text or "").lower() or "instant" in (view.text or "").lower()
        hourly = next(d for d in view.callback_data if d.endswith(":hourly"))
        await bot.press(READER_EN, view, hourly)
        after = bot.current(view)
        assert "✓" in str(after.reply_markup)
        await bot.ask(EDITOR_ID, "/post Gebündelt\nKommt mit dem Stundenpaket.")
        await bot.pushes_settled()
        assert pushes(bot, READER_EN, "Gebündelt") == []  # held for the hourly digest
        off = next(d for d in after.callback_data if d.endswith(":off"))
        await bot.press(READER_EN, after, off)
        assert "not subscribed" in (await bot.ask_text(READER_EN, "/unsubscribe")).lower()
