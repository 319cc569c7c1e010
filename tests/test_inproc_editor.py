"""Editors run the story from the chat: the real Application against the fake Bot API.

What is asserted is what people notice: the answers in the editor's chat, the copies in the
subscribers' chats (the fake records every edit and deletion), and the audit trail. Nothing
here needs a process of its own (start-up, signals and exit codes are tested in
test_runtime_*), so the journeys run in process (tests/inproc.py): `process_update` returns
once the answer is complete, and the push engine is asked when it is idle, so no step waits
a fixed time.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from tests.inproc import (
    EDITOR_ID,
    READER_DE,
    READER_EN,
    InProcessBot,
    eventually,
    inproc_bot,
    when,
)
from tests.seed_page import SEED

pytestmark = pytest.mark.timeout(90)

PAGES = Path(__file__).resolve().parent / "pages"

# Every editor command with plausible arguments, and the handler that answers it.
EDITOR_COMMANDS = {
    "/post Eilmeldung\nText": "post",
    "/edit 1 Korrigiert": "edit",
    "/delete 1": "delete",
    "/pin 1": "pin",
    "/unpin 1": "unpin",
    "/setsummary Eigene Zusammenfassung": "set_summary",
    "/resetsummary": "reset_summary",
    '/addquote "Wir bleiben dran" — Eda Meyer, Redaktion': "add_quote",
    "/delquote 1": "del_quote",
    "/setspeaker 1 Jemand": "set_speaker",
    "/newstory Neues Thema": "new_story",
    "/archive 1": "archive",
    "/stats": "stats",
    "/audit": "audit_command",
}


# ------------------------------------------------------------------ helpers


@asynccontextmanager
async def editor_bot(workdir: Path) -> AsyncIterator[InProcessBot]:
    """The bot as `python -m bot` runs it for these journeys: no flood limit in the way,
    pushes as fast as paid broadcast allows."""
    async with inproc_bot(workdir, flood_limit=1000, push_rate=200.0, paid_broadcast=True) as bot:
        yield bot


def current(bot: InProcessBot, message: StoredMessage) -> StoredMessage:
    return bot.server.messages[message.chat_id][message.message_id]


async def press(
    bot: InProcessBot, user_id: int, message: StoredMessage, data: str
) -> StoredMessage:
    """Press a button and return the message as the bot left it."""
    await bot.press(user_id, message, data)
    return current(bot, message)


def copies(bot: InProcessBot, chat_id: int, needle: str) -> list[StoredMessage]:
    """The bot's messages in a chat that show `needle` now or showed it once."""
    return [
        m
        for m in bot.server.sent_messages(chat_id)
        if any(needle in (v.text or "") for v in m.versions)
    ]


async def copy_of(bot: InProcessBot, chat_id: int, needle: str) -> StoredMessage:
    """Wait for the push showing `needle` to arrive in a subscriber's chat."""
    return await bot.server.wait_for_message(
        lambda m: needle in (m.text or ""), chat_id=chat_id, timeout=10
    )


def styled(message: StoredMessage, kind: str) -> list[str]:
    """The pieces of a message's current text shown in a style ("bold", "strikethrough")."""
    raw = (message.text or "").encode("utf-16-le")
    return [
        raw[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message.entities
        if e["type"] == kind
    ]


def item_id_in(confirmation: str) -> int:
    match = re.search(r"Meldung #(\d+) veröffentlicht", confirmation)
    assert match, confirmation
    return int(match[1])


def retracted_everywhere(bot: InProcessBot, chat_id: int, headline: str) -> bool:
    """No message in the chat shows the item any more, except as a struck-out notice
    (a message that also shows other items is edited, not deleted)."""
    return all(
        headline in styled(m, "strikethrough") and "Zurückgezogen" in (m.text or "")
        for m in bot.server.sent_messages(chat_id, include_deleted=False)
        if headline in (m.text or "")
    )


async def post(bot: InProcessBot, text: str) -> tuple[int, StoredMessage]:
    answer = await bot.ask_messages(EDITOR_ID, f"/post {text}")
    assert len(answer) == 1, [m.text for m in answer]
    return item_id_in(answer[0].text or ""), answer[0]


async def audit_count(bot: InProcessBot) -> int:
    """How many entries the audit log has, as /audit 50 tells the editor."""
    answer = await bot.ask_text(EDITOR_ID, "/audit 50")
    if "Noch keine Einträge" in answer:
        return 0
    match = re.search(r"Protokoll \(letzte (\d+)\)", answer)
    assert match, answer
    return int(match[1])


async def send_file(
    bot: InProcessBot, user_id: int, name: str, content: bytes, mime: str = "text/plain"
) -> list[StoredMessage]:
    before = {m.message_id for m in bot.server.sent_messages(user_id)}
    await bot.process(bot.server.send_document(user_id, name, content, mime))
    return [m for m in bot.server.sent_messages(user_id) if m.message_id not in before]


def subscription_status(bot: InProcessBot, chat_id: int, story_id: int) -> str | None:
    path = bot.workdir / "data" / "bot.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT status FROM subscriptions WHERE chat_id = ? AND story_id = ?",
            (chat_id, story_id),
        ).fetchone()
    return None if row is None else str(row[0])


async def away_from_the_full_hour() -> None:
    """Hourly digests go out at the full hour: keep the 'still pending' checks away from it."""
    to_full_hour = 3600 - time.time() % 3600
    if to_full_hour < 12:  # the held part below takes about 5 s
        await asyncio.sleep(to_full_hour + 1)


# ------------------------------------------------------------------ who may do what


async def test_non_editors_are_refused_and_nothing_changes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    async with editor_bot(tmp_path) as bot:
        reader_ticker = await bot.ask_text(READER_DE, "/ticker")
        reader_summary = await bot.ask_text(READER_DE, "/summary")

        for command in EDITOR_COMMANDS:
            assert await bot.ask_text(READER_EN, command) == ("Only editors may do that."), command
            assert await bot.ask_text(READER_DE, command) == ("Das dürfen nur Redakteure."), command
        upload = await send_file(
            bot, READER_DE, "page.txt", (PAGES / "en-live-updates.txt").read_bytes()
        )
        # A reader's file is no page upload and no item: a short answer, nothing stored.
        assert [m.text for m in upload] == [
            "Bilder und Dateien kann ich nicht annehmen – schick mir lieber einen Befehl, "
            "z. B. /ticker oder /help."
        ]

        # In a group even an editor is sent to the private chat; others are refused there too.
        group = -4243
        bot.server.add_group(group, "Newsroom", admins=[EDITOR_ID], members=[READER_EN])
        for command in ("/post Im Gruppenchat", "/audit", "/delete 1"):
            answer = await bot.ask_text(EDITOR_ID, command, chat_id=group)
            assert answer == "Redaktionsbefehle bitte im privaten Chat mit mir.", command
            answer = await bot.ask_text(READER_EN, command, chat_id=group)
            assert answer == "Only editors may do that.", command

        # Every refusal is logged with the user, and nothing changed.
        log = caplog.text
        for handler in set(EDITOR_COMMANDS.values()):
            assert f"refused editor command {handler} from user {READER_DE}" in log, handler
        assert f"refused editor command post from user {READER_EN}" in log
        assert await audit_count(bot) == 0
        assert await bot.ask_text(READER_DE, "/ticker") == reader_ticker
        assert await bot.ask_text(READER_DE, "/summary") == reader_summary
        stories = await bot.ask_text(EDITOR_ID, "/stories")
        # "²" is a digit to str.isdigit() but no number to int(): a clear answer, no apology.
        assert await bot.ask_text(READER_DE, "/story ²") == (
            "Bitte die Nummer eines Themas angeben, z. B. /story 1"
        )
        assert (
            await bot.ask_text(EDITOR_ID, "/delete ²")
            == "/delete: Die Nummer fehlt.\nSo geht's: /delete N – Meldung N zurückziehen,"
            " z. B. /delete 12"
        )
        assert "2 ·" not in stories and "archiviert" not in stories

        # Readers see neither editor commands nor ids; editors see both.
        reader_help = await bot.ask_text(READER_EN, "/help")
        assert "/post" not in reader_help and "/audit" not in reader_help
        editor_help = await bot.ask_text(EDITOR_ID, "/help")
        for command in ("/post", "/edit", "/delete", "/pin", "/setsummary", "/addquote", "/audit"):
            assert command in editor_help, command
        assert "Textdatei senden" in editor_help
        assert "#1" not in reader_ticker
        assert "#1" in await bot.ask_text(EDITOR_ID, "/ticker")
        assert not re.search(r"#\d", await bot.ask_text(READER_DE, "/quotes"))
        editor_quotes = await bot.ask_text(EDITOR_ID, "/quotes")
        assert re.search(r"#\d+ „Es gab keine Fortschritte“", editor_quotes), editor_quotes


# ------------------------------------------------------------------ post, edit, delete


async def test_post_edit_delete_reach_every_delivered_copy(tmp_path: Path) -> None:
    async with editor_bot(tmp_path) as bot:
        assert "Abonniert" in await bot.ask_text(READER_DE, "/subscribe")
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe")

        # /post: the first line heads; HTML and entities are shown as typed.
        first, confirmation = await post(
            bot,
            "Brücke <A1> gesperrt & umgeleitet\n"
            "Die Polizei rät, den Bereich zu meiden.\n\nMehr <b>folgt</b> &amp; bald.",
        )
        assert first == 2  # the seed page brought item 1
        assert re.fullmatch(
            r"✅ Meldung #2 veröffentlicht in „[^“]+“ – zugestellt [012]/2", confirmation.text or ""
        )
        de_copy = await copy_of(bot, READER_DE, "Brücke <A1> gesperrt & umgeleitet")
        en_copy = await copy_of(bot, READER_EN, "Brücke <A1> gesperrt & umgeleitet")
        assert "Mehr <b>folgt</b> &amp; bald." in (de_copy.text or "")
        assert "Brücke <A1> gesperrt & umgeleitet" in styled(de_copy, "bold")
        assert "Die Polizei rät" not in "".join(styled(de_copy, "bold"))
        assert "#2" not in (de_copy.text or "")  # ids are for editors

        # The confirmation follows the delivery, edited in place.
        done = await eventually(
            lambda: "zugestellt 2/2" in (current(bot, confirmation).text or ""),
            "the delivery progress to reach 2/2",
        )
        assert done
        progress = current(bot, confirmation)
        assert all("Meldung #2 veröffentlicht" in (v.text or "") for v in progress.versions)
        assert len(bot.server.sent_messages(EDITOR_ID)) == len(
            {m.message_id for m in bot.server.sent_messages(EDITOR_ID)}
        )

        # /edit: every delivered copy is corrected in place and marked.
        answer = await bot.ask_text(
            EDITOR_ID, "/edit 2\nBrücke A1 wieder frei\nDie Sperrung ist aufgehoben."
        )
        assert answer.startswith("✏️ Meldung #2 korrigiert")
        de_now = await eventually(
            lambda: when(
                "Brücke A1 wieder frei" in (current(bot, de_copy).text or ""),
                current(bot, de_copy),
            ),
            "the German copy to be corrected",
        )
        en_now = await eventually(
            lambda: when(
                "Brücke A1 wieder frei" in (current(bot, en_copy).text or ""),
                current(bot, en_copy),
            ),
            "the English copy to be corrected",
        )
        assert "(korrigiert)" in (de_now.text or "") and "(corrected)" in (en_now.text or "")
        assert "Die Sperrung ist aufgehoben." in (de_now.text or "")
        assert "gesperrt" not in (de_now.text or "") and "gesperrt" in (
            de_now.versions[0].text or ""
        )
        assert "Brücke A1 wieder frei" in styled(de_now, "bold")  # the new first line heads
        for reader in (READER_DE, READER_EN):
            assert len(copies(bot, reader, "Brücke")) == 1  # edited, not sent again
        edits = bot.server.calls("editMessageText")
        assert {c.params["chat_id"] for c in edits} >= {READER_DE, READER_EN}
        ticker = await bot.ask_text(READER_DE, "/ticker 1")
        assert "Brücke A1 wieder frei (korrigiert)" in ticker

        # /delete: delivered copies are deleted.
        second, _ = await post(bot, "Zug entgleist bei Köln")
        de_second = await copy_of(bot, READER_DE, "Zug entgleist")
        en_second = await copy_of(bot, READER_EN, "Zug entgleist")
        answer = await bot.ask_text(EDITOR_ID, f"/delete {second}")
        assert answer.startswith(f"🗑 Meldung #{second} zurückgezogen")
        await eventually(lambda: current(bot, de_second).deleted, "the German copy to go")
        await eventually(lambda: current(bot, en_second).deleted, "the English copy to go")
        assert "Zug entgleist" not in await bot.ask_text(READER_DE, "/ticker")

        # Older than 48 hours a copy cannot be deleted: it becomes a retraction notice.
        third, _ = await post(bot, "Flughafen geschlossen\nWegen Nebels.")
        de_third = await copy_of(bot, READER_DE, "Flughafen geschlossen")
        en_third = await copy_of(bot, READER_EN, "Flughafen geschlossen")
        bot.server.mark_old(READER_DE, de_third.message_id)
        await bot.ask(EDITOR_ID, f"/delete {third}")
        notice = await eventually(
            lambda: when(
                "Zurückgezogen" in (current(bot, de_third).text or ""), current(bot, de_third)
            ),
            "the old copy to become a retraction notice",
        )
        assert not notice.deleted
        assert "Flughafen geschlossen" in styled(notice, "strikethrough")
        assert "Wegen Nebels" not in (notice.text or "")
        await eventually(lambda: current(bot, en_third).deleted, "the recent copy to go")

        # Pending deliveries go out corrected, or not at all once retracted.
        await away_from_the_full_hour()
        settings = (await bot.ask_messages(READER_EN, "/settings"))[-1]
        hourly = next(d for d in settings.callback_data if d.endswith(":hourly"))
        await press(bot, READER_EN, settings, hourly)
        fourth, _ = await post(bot, "Stromausfall in Mitte")
        fifth, _ = await post(bot, "Falsche Meldung zum Zoo")
        de_fourth = await copy_of(bot, READER_DE, "Stromausfall in Mitte")
        de_fifth = await copy_of(bot, READER_DE, "Falsche Meldung zum Zoo")
        await bot.ask(EDITOR_ID, f"/edit {fourth} Stromausfall in Mitte behoben")
        await bot.ask(EDITOR_ID, f"/delete {fifth}")
        await eventually(
            lambda: "behoben" in (current(bot, de_fourth).text or ""), "the German copy to update"
        )
        await eventually(
            lambda: retracted_everywhere(bot, READER_DE, "Falsche Meldung zum Zoo"),
            "the German copy to go",
        )
        assert de_fifth.message_id == de_fourth.message_id or current(bot, de_fifth).deleted
        assert copies(bot, READER_EN, "Stromausfall") == []  # still held for the digest
        settings = current(bot, settings)
        instant = next(d for d in settings.callback_data if d.endswith(":instant"))
        await press(bot, READER_EN, settings, instant)
        held = await copy_of(bot, READER_EN, "Stromausfall in Mitte behoben")
        assert len(held.versions) == 1 and "(corrected)" in (held.text or "")
        await bot.pushes_settled()
        assert copies(bot, READER_EN, "Zoo") == []  # retracted before it went out

        # A retracted item cannot be edited, pinned or retracted again.
        entries = await audit_count(bot)
        for command in (f"/edit {second} Doch richtig", f"/pin {second}", f"/delete {second}"):
            answer = await bot.ask_text(EDITOR_ID, command)
            assert answer == f"Meldung #{second} ist bereits zurückgezogen.", command
        assert await audit_count(bot) == entries

        # /stats and /audit: who did what, before and after.
        stats = await bot.ask_text(EDITOR_ID, "/stats")
        assert "Abonnenten: 2 aktiv" in stats and f"#{fourth} Stromausfall" in stats
        # A retracted item is marked as one; a live item is not.
        assert re.search(rf"^#{fifth} [^\n]*\n🗑 zurückgezogen · ", stats, re.M), stats
        assert not re.search(rf"^#{fourth} [^\n]*\n🗑", stats, re.M), stats
        audit = await bot.ask_text(EDITOR_ID, "/audit 3")
        assert audit.startswith("🧾 Protokoll (letzte 3)")
        lines = [line for line in audit.splitlines() if line.startswith("#")]
        assert [re.sub(r"^#\d+ \d\d:\d\d \S+ \S+ · ", "", line) for line in lines] == [
            f"Nutzer Eda ({EDITOR_ID}) · zurückgezogen · Meldung #{fifth}",
            f"Nutzer Eda ({EDITOR_ID}) · korrigiert · Meldung #{fourth}",
            f"Nutzer Eda ({EDITOR_ID}) · veröffentlicht · Meldung #{fifth}",
        ]
        edit_entry = audit.split("korrigiert", 1)[1].split("\n\n", 1)[0]
        before, after = edit_entry.split(" → ")
        assert "Stromausfall in Mitte" in before and "behoben" not in before
        assert "Stromausfall in Mitte behoben" in after and "headline" not in edit_entry
        full = await bot.ask_text(EDITOR_ID, "/audit")
        assert "korrigiert · Meldung #2" in full and "Brücke <A1> gesperrt" in full


# ------------------------------------------------------------ pins, summary, quotes, bad input


async def test_pins_summary_quotes_and_bad_input(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    async with editor_bot(tmp_path) as bot:
        newer, _ = await post(bot, "Neue Lage am Abend")

        def first_block(ticker: str) -> str:
            return ticker.split("\n\n", 2)[1]

        assert "Neue Lage am Abend" in first_block(await bot.ask_text(READER_DE, "/ticker"))
        assert await bot.ask_text(EDITOR_ID, "/pin 1") == "📌 Meldung #1 angeheftet."
        ticker = await bot.ask_text(READER_DE, "/ticker")
        assert first_block(ticker).startswith("📌") and "Tucker Carlson" in first_block(ticker)
        summary = await bot.ask_text(READER_EN, "/summary")
        pinned = summary.split("📌 Pinned", 1)[1]
        assert "Tucker Carlson" in pinned.split("\n\n")[0]
        assert await bot.ask_text(EDITOR_ID, "/unpin 1") == (
            "Meldung #1 ist nicht mehr angeheftet."
        )
        assert "Neue Lage am Abend" in first_block(await bot.ask_text(READER_DE, "/ticker"))
        assert "Pinned" not in await bot.ask_text(READER_EN, "/summary")

        # The editor's own summary, with HTML shown as typed, then the extracted one again.
        extracted = "Weniger als zwei Monate vor der Rückkehr"
        assert extracted in await bot.ask_text(READER_DE, "/summary")
        answer = await bot.ask_text(
            EDITOR_ID, "/setsummary Die Lage <ist> ruhig & klar.\n\nZweiter Absatz."
        )
        assert answer == "✅ Eigene Zusammenfassung gespeichert."
        summary = await bot.ask_text(READER_DE, "/summary")
        assert "Die Lage <ist> ruhig & klar.\n\nZweiter Absatz." in summary
        assert extracted not in summary
        assert await bot.ask_text(EDITOR_ID, "/resetsummary") == (
            "✅ Es gilt wieder die automatische Zusammenfassung."
        )
        assert extracted in await bot.ask_text(READER_DE, "/summary")

        # Quotes: add, fix the speaker, remove.
        answer = await bot.ask_text(
            EDITOR_ID, '/addquote "Wir <bleiben> dran & berichten" — Eda Meyer, Chefin vom Dienst'
        )
        match = re.fullmatch(r"✅ Zitat #(\d+) hinzugefügt\.", answer)
        assert match, answer
        quote = int(match[1])
        shown = await bot.ask_text(READER_DE, "/quotes Meyer")
        assert "„Wir <bleiben> dran & berichten“ — Eda Meyer, Chefin vom Dienst" in shown
        assert f"#{quote} „Wir <bleiben>" in await bot.ask_text(EDITOR_ID, "/quotes Meyer")
        answer = await bot.ask_text(EDITOR_ID, f"/setspeaker {quote} Eda Müller, Redaktion")
        assert answer == f"✅ Zitat #{quote} ist jetzt von Eda Müller."
        assert "— Eda Müller, Redaktion" in await bot.ask_text(READER_DE, "/quotes Müller")
        assert await bot.ask_text(EDITOR_ID, f"/delquote {quote}") == f"🗑 Zitat #{quote} gelöscht."
        assert "Niemand namens „Müller“" in await bot.ask_text(READER_DE, "/quotes Müller")

        # Bad input: a clear answer each, nothing half-changed.
        entries = await audit_count(bot)
        ticker = await bot.ask_text(EDITOR_ID, "/ticker 20")
        quotes = await bot.ask_text(EDITOR_ID, "/quotes")
        summary = await bot.ask_text(READER_DE, "/summary")
        # A command short of an argument names it and shows how the command goes.
        no_number = "Die Nummer fehlt.\nSo geht's: "
        cases = [
            ("/post", "/post: Der Text fehlt.\nSo geht's: /post TEXT – neue Meldung"),
            ("/post    ", "/post: Der Text fehlt."),
            ("/post " + "x" * 5000, "Der Text ist zu lang: 5.000 Zeichen, erlaubt sind 4.096."),
            ("/edit", "/edit: " + no_number + "/edit N TEXT – Meldung N korrigieren"),
            ("/edit abc Text", "/edit: " + no_number),
            ("/edit <b>1</b> Text", "/edit: " + no_number),
            ("/edit 999 Text", "Meldung #999 gibt es nicht."),
            ("/edit 99999999999999 Text", "/edit: " + no_number),
            (
                f"/edit {newer}",
                "/edit: Der neue Text fehlt.\nSo geht's: /edit N TEXT – Meldung N korrigieren,"
                " z. B. /edit 12 Neuer Text",
            ),
            (f"/edit {newer} " + "y" * 4100, "Der Text ist zu lang: 4.100 Zeichen"),
            (f"/edit {newer} Neue Lage am Abend", f"Meldung #{newer} ist unverändert"),
            ("/delete", "/delete: " + no_number + "/delete N"),
            ("/delete 999", "Meldung #999 gibt es nicht."),
            ("/pin 999", "Meldung #999 gibt es nicht."),
            ("/pin", "/pin: " + no_number + "/pin N [kanal]"),
            ("/unpin x", "/unpin: " + no_number + "/unpin N"),
            ("/setsummary", "/setsummary: Der Text fehlt.\nSo geht's: /setsummary TEXT"),
            ("/setsummary " + "z" * 4000, "Der Text ist zu lang: 4.000 Zeichen"),
            ("/addquote", '/addquote: Das Zitat fehlt.\nSo geht\'s: /addquote "TEXT"'),
            ('/addquote "Ein Zitat ohne Sprecher"', "So geht's: /addquote"),
            ('/addquote "Ein Zitat" —', "So geht's: /addquote"),
            ("/addquote Kein Zitat — Eda", "So geht's: /addquote"),
            ("/delquote", "/delquote: " + no_number + "/delquote N"),
            ("/delquote 999", "Zitat #999 gibt es nicht."),
            ("/setspeaker 999 Jemand", "Zitat #999 gibt es nicht."),
            ("/setspeaker", "/setspeaker: " + no_number + "/setspeaker N NAME"),
            ("/setspeaker 1", "/setspeaker: Der Name fehlt.\nSo geht's: /setspeaker N NAME"),
            ("/newstory", "/newstory: Der Titel fehlt.\nSo geht's: /newstory TITEL"),
            ("/newstory " + "T" * 300, "Der Text ist zu lang: 300 Zeichen, erlaubt sind 200."),
            ("/settitle", "/settitle: Der Titel fehlt.\nSo geht's: /settitle TITEL"),
            ("/archive", "/archive: " + no_number + "/archive N"),
            ("/archive 99", "Ein Thema Nr. 99 gibt es nicht."),
            ("/audit 0", "Bitte eine Zahl von 1 bis 50"),
            ("/audit viele", "Bitte eine Zahl von 1 bis 50"),
        ]
        for command, expected in cases:
            replies = await bot.ask_messages(EDITOR_ID, command)
            assert len(replies) == 1, command
            assert expected in (replies[0].text or ""), (command, replies[0].text)
            assert "Meldung der" not in (replies[0].text or "")
        assert await audit_count(bot) == entries
        assert await bot.ask_text(EDITOR_ID, "/ticker 20") == ticker
        assert await bot.ask_text(EDITOR_ID, "/quotes") == quotes
        assert await bot.ask_text(READER_DE, "/summary") == summary
        assert "handler failed" not in caplog.text


# ------------------------------------------------------------------ import, stories, archive


async def test_import_from_the_chat_new_stories_and_archive(tmp_path: Path) -> None:
    async with editor_bot(tmp_path) as bot:
        assert "Abonniert" in await bot.ask_text(READER_DE, "/subscribe")

        # Text files that cannot be a page are refused with a reason (an image or any other
        # file is an item with an attachment: tests/test_media*).
        refusals = {
            ("riesig.txt", "text/plain", b"a" * (50 * 1024 * 1024)): "höchstens 2.000 KB",
            ("gross.txt", "text/plain", b"Zeile mit Text.\n" * 140_000): "höchstens 2.000 KB",
            ("kaputt.txt", "text/plain", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8): "lesbaren",
            ("leer.txt", "text/plain", b""): "leer",
        }
        for (name, mime, content), reason in refusals.items():
            refused = await send_file(bot, EDITOR_ID, name, content, mime)
            assert len(refused) == 1 and reason in (refused[0].text or ""), (name, refused[0].text)
            assert not refused[0].callback_data

        # A new page: the preview, then Cancel changes nothing.
        page = (PAGES / "en-live-updates.txt").read_bytes()
        preview = (await send_file(bot, EDITOR_ID, "geneva.txt", page))[-1]
        text = preview.text or ""
        assert text.startswith("📄 Vorschau: Ceasefire talks resume in Geneva")
        assert "1 Absatz · 4 Zitate · 2 Tickermeldungen" in text
        assert "„Nobody should expect a breakthrough tonight“ — Laura Benson" in text
        assert "Aktualisiert" not in text
        import_data, cancel_data = preview.callback_data
        assert import_data.startswith("im:") and cancel_data.startswith("ix:")
        assert [b["text"] for b in preview.buttons] == ["Importieren", "Abbrechen"]
        cancelled = await press(bot, EDITOR_ID, preview, cancel_data)
        assert cancelled.text == "Import abgebrochen." and not cancelled.callback_data
        assert "Geneva" not in await bot.ask_text(EDITOR_ID, "/stories")

        # Import creates story 2; readers can switch to it and subscribe.
        preview = (await send_file(bot, EDITOR_ID, "geneva.txt", page))[-1]
        done = await press(bot, EDITOR_ID, preview, preview.callback_data[0])
        assert done.text == (
            "✅ Neues Thema Nr. 2 angelegt: Ceasefire talks resume in Geneva (2 Meldungen)"
        )
        assert "2 · Ceasefire talks" in await bot.ask_text(READER_EN, "/stories")
        assert "Geneva" in await bot.ask_text(READER_EN, "/story 2")
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe")
        assert copies(bot, READER_EN, "Mediators") == []  # a story's first import is no news

        # A changed page of the current story: its new item is pushed to the subscribers.
        seed = SEED.read_text(encoding="utf-8")
        changed = seed.replace(
            "Minute für Minute\n",
            "Minute für Minute\nSELENSKYJ TRIFFT RUTTE IN BRÜSSEL\n"
            "Der ukrainische Präsident traf am Mittwoch NATO-Generalsekretär Mark Rutte.\n",
            1,
        )
        assert changed != seed
        preview = (await send_file(bot, EDITOR_ID, SEED.name, changed.encode()))[-1]
        assert "Aktualisiert ein vorhandenes Thema." in (preview.text or "")
        assert "2 Tickermeldungen" in (preview.text or "")
        done = await press(bot, EDITOR_ID, preview, preview.callback_data[0])
        assert done.text is not None and done.text.startswith("✅ Thema Nr. 1 aktualisiert")
        assert "(1 neue Meldung)" in done.text
        pushed = await copy_of(bot, READER_DE, "Selenskyj trifft Rutte in Brüssel")
        assert "NATO-Generalsekretär Mark Rutte" in (pushed.text or "")
        assert copies(bot, READER_EN, "Selenskyj") == []  # subscribed to story 2 only
        assert "Selenskyj trifft Rutte" in await bot.ask_text(READER_DE, "/ticker 1")
        preview = (await send_file(bot, EDITOR_ID, SEED.name, changed.encode()))[-1]
        again = await press(bot, EDITOR_ID, preview, preview.callback_data[0])
        assert again.text == "Nichts Neues – diese Seite ist schon importiert."

        # /newstory switches the editor's chat to it; posts go there.
        answer = await bot.ask_text(EDITOR_ID, "/newstory Sturm <Xaver> & Folgen")
        assert answer.startswith("✅ Neues Thema Nr. 3: Sturm <Xaver> & Folgen – /post")
        listing = await bot.ask_text(EDITOR_ID, "/stories")
        assert "3 · Sturm <Xaver> & Folgen ← aktuell" in listing
        item, _ = await post(bot, "Bäume auf der Fahrbahn")
        assert "Bäume auf der Fahrbahn" in await bot.ask_text(EDITOR_ID, "/ticker")
        assert "Bäume" not in await bot.ask_text(READER_DE, "/ticker")  # another story
        assert copies(bot, READER_DE, "Bäume") == []

        # /archive: subscribers get a final recap, then their subscription ends.
        answer = await bot.ask_text(EDITOR_ID, "/archive 2")
        assert answer.startswith("🏁 Thema Nr. 2 archiviert: Ceasefire talks resume in Geneva")
        recap = await copy_of(bot, READER_EN, "The live ticker on this story has ended.")
        assert "Ceasefire talks resume in Geneva" in (recap.text or "")
        assert "2 updates in total." in (recap.text or "")
        await eventually(
            lambda: subscription_status(bot, READER_EN, 2) == "ended",
            "the subscription to end",
        )
        assert subscription_status(bot, READER_DE, 1) == "active"
        assert copies(bot, READER_DE, "has ended") == []
        assert copies(bot, READER_DE, "ist beendet") == []
        assert await bot.ask_text(EDITOR_ID, "/archive 2") == "Thema Nr. 2 ist schon archiviert."
        # Archived, it stays readable (issue 13): listed as such, shown read-only.
        assert "Geneva (archived)" in await bot.ask_text(READER_EN, "/stories")
        assert "is archived" in await bot.ask_text(READER_EN, "/story 2")
        assert len(copies(bot, READER_EN, "has ended")) == 1

        # The audit trail names each of these actions.
        audit = await bot.ask_text(EDITOR_ID, "/audit 5")
        for what in (
            "Thema archiviert · Thema Nr. 2",
            f"veröffentlicht · Meldung #{item}",
            "Thema angelegt",
            f"importiert · Thema Nr. 1 ({SEED.name})",
            "importiert · Thema Nr. 2 (geneva.txt)",
        ):
            assert what in audit, what
        assert "→ Sturm <Xaver> & Folgen" in audit


# ------------------------------------------------------------ a long item in several messages


async def test_a_long_item_is_corrected_without_duplicates(tmp_path: Path) -> None:
    async with editor_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")
        paragraph = ("Satz über die Lage in der Stadt. " * 30).strip()
        body = "\n\n".join(f"Absatz {n}: {paragraph}" for n in range(1, 5))
        item, _ = await post(bot, "Lange Meldung\n" + body)
        parts = await eventually(
            lambda: when(
                len(copies(bot, READER_DE, "Satz über")) >= 2, copies(bot, READER_DE, "Satz über")
            ),
            "the long item to arrive in parts",
        )
        assert len(parts) == 2  # one item, too long for one message

        corrected = body.replace("Stadt", "Dorf!")  # same length: still one item of ≤ 4096
        answer = await bot.ask_text(EDITOR_ID, f"/edit {item} Lange Meldung\n{corrected}")
        assert answer.startswith(f"✏️ Meldung #{item} korrigiert")

        def live() -> list[StoredMessage]:
            return [
                m
                for m in bot.server.sent_messages(READER_DE, include_deleted=False)
                if "Satz über" in (m.text or "")
            ]

        await eventually(
            lambda: all("Stadt" not in (m.text or "") for m in live()),
            "every part to be corrected",
        )
        await bot.pushes_settled()  # let any further refresh land
        shown = "\n".join(m.text or "" for m in live())
        for n in range(1, 5):
            assert shown.count(f"Absatz {n}:") == 1, (n, [m.message_id for m in live()])
        assert "(korrigiert)" in shown

        await bot.ask(EDITOR_ID, f"/delete {item}")
        await eventually(lambda: not live(), "every part to be deleted")
