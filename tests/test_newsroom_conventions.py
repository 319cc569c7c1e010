"""Telegram conventions: descriptions, editor-only menus, my_chat_member (issue 13)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.db import subscriptions
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)


def _sends_to(bot: InProcessBot, chat: int) -> list[object]:
    return [c for c in bot.server.calls("sendMessage") if c.params.get("chat_id") == chat]


async def _status(bot: InProcessBot, chat: int) -> str | None:
    sub = await subscriptions.get_subscription(bot.app.bot_data.db, chat, 1)
    return sub.status if sub else None


async def test_descriptions_and_editor_menus_are_set_at_start(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        texts = bot.server.bot_texts
        assert "Live-Ticker" in texts[("short_description", "de")]
        assert "live ticker" in texts[("short_description", "en")]
        assert "/subscribe" in texts[("description", "de")]
        assert texts[("description", "")] == texts[("description", "en")]
        scope = {"type": "chat", "chat_id": EDITOR_ID}
        for language in ("de", "en", ""):
            editor_menu = [c["command"] for c in bot.server.commands_for(scope, language)]
            assert "post" in editor_menu and "archive" in editor_menu and "summary" in editor_menu
        for language in ("de", "en", ""):
            reader_menu = [c["command"] for c in bot.server.commands_for(None, language)]
            assert "post" not in reader_menu and "missed" in reader_menu


async def test_blocking_the_bot_stops_pushes_at_once_and_unblocking_resumes(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        for reader in (READER_DE, READER_EN):
            await bot.ask(reader, "/subscribe")
        bot.server.block_user(READER_DE)
        await bot.process(bot.server.pending_updates[-1])
        assert await _status(bot, READER_DE) == "blocked"
        calls_before = len(_sends_to(bot, READER_DE))
        await bot.ask(EDITOR_ID, "/post Nach der Blockade\nText.")
        await eventually(
            lambda: any("Blockade" in (m.text or "") for m in bot.sent(READER_EN)), "the push"
        )
        assert len(_sends_to(bot, READER_DE)) == calls_before  # no wasted send

        bot.server.block_user(READER_DE, blocked=False)
        await bot.process(bot.server.pending_updates[-1])
        assert await _status(bot, READER_DE) == "active"
        await bot.ask(EDITOR_ID, "/post Wieder erreichbar\nText.")
        await eventually(
            lambda: any("Wieder erreichbar" in (m.text or "") for m in bot.sent(READER_DE)),
            "the push after unblocking",
        )


async def test_pin_can_also_pin_the_item_in_the_channel(tmp_path: Path) -> None:
    channel = -100777
    async with inproc_bot(tmp_path, channel_id=channel) as bot:
        bot.server.add_group(channel, "Kanal", type="channel", bot_is_admin=True)
        answer = await bot.ask_text(EDITOR_ID, "/post Kanalmeldung\nText.")
        found = re.search(r"#(\d+)", answer)
        assert found is not None
        item_id = int(found.group(1))
        copy = await eventually(
            lambda: next((m for m in bot.sent(channel) if "Kanalmeldung" in (m.text or "")), None),
            "the channel copy",
        )
        db = bot.app.bot_data.db
        for _ in range(500):  # the send is recorded just after Telegram took it
            if await db.fetchval(
                "SELECT COUNT(*) FROM message_items WHERE chat_id = ?", (channel,)
            ):
                break
            await asyncio.sleep(0.02)
        done = await bot.ask_text(EDITOR_ID, f"/pin {item_id} kanal")
        assert "angeheftet" in done and "Im Kanal angeheftet" in done
        assert bot.current(copy).pinned
        # Pinned in the bot already: asking for the channel again still answers for it.
        assert "Im Kanal angeheftet" in await bot.ask_text(EDITOR_ID, f"/pin {item_id} kanal")
        assert "nicht mehr" in await bot.ask_text(EDITOR_ID, f"/unpin {item_id} kanal")
        assert not bot.current(copy).pinned
        assert "/pin 12 kanal" in await bot.ask_text(EDITOR_ID, f"/pin {item_id} woanders")
