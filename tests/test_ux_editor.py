"""What editors notice, through the real handlers in-process (issue 9)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from bot.db import audit
from bot.handlers.common import MAX_REPLY_MESSAGES
from tests.inproc import EDITOR_ID, GROUP_ID, READER_DE, InProcessBot, eventually, inproc_bot
from tests.seed_page import changed_seed

pytestmark = pytest.mark.timeout(60)


async def test_editors_are_never_throttled_away_from_their_posts(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        answers = [await bot.ask_text(EDITOR_ID, f"/post Meldung {n}\nText") for n in range(25)]
        assert all("veröffentlicht" in a for a in answers), answers
        ticker = await bot.ask_text(READER_DE, "/ticker 1")
        assert "Meldung 24" in ticker


async def test_a_throttled_reader_is_told_when_to_try_again(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        answers = [await bot.ask(READER_DE, "/help") for _ in range(20)]
        notices = [a for a in answers if any("Langsam" in text for text in a)]
        assert len(notices) == 1
        notice = notices[0][0]
        assert "noch einmal versuchen" in notice and " s " in notice + " "
        assert "gleich wieder" not in notice  # no promise of an answer that never comes
        assert sum(1 for a in answers if a == []) == 20 - 12 - 1


async def test_an_editors_import_button_in_a_group_is_answered(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        bot.server.add_user(EDITOR_ID, "Eda", language_code="de")
        bot.server.get_chat(GROUP_ID).members.add(EDITOR_ID)
        message = (await bot.ask_messages(EDITOR_ID, "/help", chat_id=GROUP_ID))[-1]
        answered = await bot.press_raw(EDITOR_ID, message, "im:abcdefghijkl")
        assert answered.get("text")


async def test_unconfirmed_upload_previews_are_bounded(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        page = changed_seed().encode()
        for n in range(25):
            update = bot.server.send_document(EDITOR_ID, f"seite{n}.txt", page, "text/plain")
            await bot.process(update)
        previews = [m for m in bot.sent(EDITOR_ID) if m.callback_data]
        assert len(previews) == 25
        assert len(bot.app.bot_data.pending_imports) <= 3
        # The newest preview still imports; the oldest says it expired, and both are answered.
        newest, oldest = previews[-1], previews[0]
        assert "abgelaufen" in (await bot.press(EDITOR_ID, oldest, oldest.callback_data[0]))["text"]
        await bot.press(EDITOR_ID, newest, newest.callback_data[0])
        assert "aktualisiert" in (bot.current(newest).text or "")


async def test_one_reply_sends_a_bounded_number_of_messages(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        # About 5 messages' worth, more than MAX_REPLY_MESSAGES (4) may carry.
        huge = ["Ein sehr langer Satz. " * 1_000]
        await bot.app.bot_data.db.execute(
            "UPDATE stories SET summary_json = ? WHERE id = 1", (json.dumps(huge),)
        )
        answer = await bot.ask(READER_DE, "/summary")
        assert 1 < len(answer) <= MAX_REPLY_MESSAGES
        assert "/ticker" in answer[-1]


async def _audit_entries(bot: InProcessBot) -> int:
    return len(await audit.latest(bot.app.bot_data.db, 50))


async def test_a_change_that_changes_nothing_is_neither_audited_nor_confirmed(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(EDITOR_ID, "/post Eilmeldung\nText")
        entries = await _audit_entries(bot)
        assert "Eda Meyer" in await bot.ask_text(EDITOR_ID, "/setspeaker 1 Eda Meyer")
        entries += 1
        for command in ("/unpin 1", "/resetsummary", "/setspeaker 1 Eda Meyer"):
            answer = await bot.ask_text(EDITOR_ID, command)
            assert "nichts geändert" in answer, (command, answer)
        assert "angeheftet" in await bot.ask_text(EDITOR_ID, "/pin 1")
        assert "nichts geändert" in await bot.ask_text(EDITOR_ID, "/pin 1")
        assert await _audit_entries(bot) == entries + 1
        log = await bot.ask_text(EDITOR_ID, "/audit 5")
        assert "angeheftet · Meldung #1" in log
        assert "pinned" not in log and "headline" not in log


async def test_posts_stats_and_pushes_name_the_story_by_its_short_title(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")
        settitle = await bot.ask_text(EDITOR_ID, "/settitle Ukraine und die NATO")
        assert "Ukraine und die NATO" in settitle
        confirmation = await bot.ask_text(EDITOR_ID, "/post Rutte in Kiew\nText")
        assert "veröffentlicht in „Ukraine und die NATO“" in confirmation
        push = await eventually(
            lambda: next((m for m in bot.sent(READER_DE) if "Rutte in" in (m.text or "")), None),
            "the push",
        )
        assert (push.text or "").startswith("🔴 Ukraine und die NATO")
        created = await bot.ask_text(EDITOR_ID, "/newstory Gipfel in Brüssel")
        assert "/post" in created
        answer = await bot.ask_text(EDITOR_ID, "/post Erste Meldung zum Gipfel\nText")
        assert "in „Gipfel in Brüssel“" in answer
        stats = await bot.ask_text(EDITOR_ID, "/stats")
        assert "Thema: Gipfel in Brüssel" in stats


async def test_blocked_subscribers_are_not_failed_deliveries(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")
        bot.server.block_user(READER_DE, emit_update=False)
        await bot.ask(EDITOR_ID, "/post Meldung für Blockierte\nText")
        db = bot.app.bot_data.db

        async def settled() -> bool:
            row = await db.fetchone("SELECT COUNT(*) AS n FROM deliveries WHERE status = 'blocked'")
            return row is not None and row["n"] == 1

        for _ in range(200):
            if await settled():
                break
            await asyncio.sleep(0.02)
        stats = await bot.ask_text(EDITOR_ID, "/stats")
        assert "1 blockiert oder weg" in stats and "fehlgeschlagen" not in stats


async def test_summary_shows_no_invented_time(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        summary = await bot.ask_text(READER_DE, "/summary")
        assert "Stand" not in summary  # only the page filled the story; it gave no time
        assert not re.search(r"\d\d:\d\d \S+, \d\d\.\d\d\.", summary)
        await bot.ask(EDITOR_ID, "/post Neu\nText")
        assert "Stand:" in await bot.ask_text(READER_DE, "/summary")


async def test_quote_numbers_survive_a_reimport(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        state = bot.app.bot_data
        db = state.db
        before = {
            r["text"]: r["id"]
            for r in await db.fetchall("SELECT id, text FROM quotes WHERE deleted_at IS NULL")
        }
        assert len(before) >= 3
        fixed, dropped = sorted(before.values())[:2]
        await bot.ask(EDITOR_ID, f"/setspeaker {fixed} Eda Meyer")
        await bot.ask(EDITOR_ID, f"/delquote {dropped}")
        # The page changes: a new quote on top, as a live page does.
        page = changed_seed().replace(
            "Minute für Minute\n",
            "Minute für Minute\n„Wir sind bereit für Gespräche“, sagte Mark Rutte.\n",
            1,
        )
        await state.stories.import_page(page.encode(), "seeds/ukraine-nato-liveblog.de.txt")
        after = {
            r["text"]: r["id"]
            for r in await db.fetchall("SELECT id, text FROM quotes WHERE deleted_at IS NULL")
        }
        for text, quote_id in before.items():
            if quote_id != dropped and text in after:
                assert after[text] == quote_id, text
        assert dropped not in after.values()
        shown = await bot.ask_text(EDITOR_ID, "/quotes Meyer")
        assert f"#{fixed}" in shown


async def test_a_broken_name_or_text_from_the_client_is_cleaned_not_crashed_on(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        bot.server.add_user(EDITOR_ID, "Eda\ud800", language_code="de")
        answer = await bot.ask_text(EDITOR_ID, "/post Meldung\ud83d mit Bruch\nText\udfff")
        assert "veröffentlicht" in answer
        assert "Eda" in await bot.ask_text(EDITOR_ID, "/audit 1")
