"""Reader journeys on the real Application in process (tests/inproc.py), as on Telegram.

Moved from the subprocess suite: nothing here is about start-up, signals or exit codes,
and `process_update` returns when the answer is complete, so no step waits a fixed time."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, inproc_bot

pytestmark = pytest.mark.timeout(90)


async def test_reader_session_in_german_and_english(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, flood_limit=1000) as bot:
        await _welcome_and_help(bot)
        await _summary_quotes_people(bot)
        await _ticker_arguments(bot)
        await _search_and_language(bot)
        await _stories_and_free_text(bot)
        registered = bot.server.commands_for(language_code="de")
        assert any(c["command"] == "summary" for c in registered)
        assert bot.server.commands_for(language_code="en") != registered


async def _welcome_and_help(bot: InProcessBot) -> None:
    welcome = await bot.ask_text(READER_DE, "/start")
    assert "Willkommen" in welcome and "/summary" in welcome
    assert "NATO" in welcome  # the story it covers
    english = await bot.ask_text(READER_EN, "/start")
    assert "Welcome" in english
    help_text = await bot.ask_text(READER_EN, "/help")
    for command in ("/summary", "/quotes", "/ticker", "/people", "/search", "/subscribe"):
        assert command in help_text
    assert "/post" not in help_text  # editor commands only for editors


async def _summary_quotes_people(bot: InProcessBot) -> None:
    summary = await bot.ask_text(READER_DE, "/summary")
    assert "Stand:" not in summary  # the page gave no time; the import time is not one
    # Sentences of the summary itself: the title, shown above them, names NATO anyway.
    assert "Arbeitsessen zwischen den Außenministern" in summary
    assert "NATO-Generalsekretär Mark Rutte" in summary
    assert "Tucker Carlson noch in Russland" in summary  # the newest headline
    assert "Verfolgen Sie" not in summary
    english = await bot.ask_text(READER_EN, "/summary")
    assert "More: /ticker" in english
    assert "Sicherheitsgarantie" in english  # the story stays in its own language

    quotes = await bot.ask_text(READER_DE, "/quotes")
    assert quotes.index("Es gab keine Fortschritte") < quotes.index("irreversibel")
    assert "Gabrielius Landsbergis" in quotes
    for name in ("rutte", "RUTTE", "Mark Rutte"):
        only = await bot.ask_text(READER_DE, f"/quotes {name}")
        assert "irreversibel" in only and "Landsbergis" not in only
    accents = await bot.ask_text(READER_DE, "/quotes Andrii Sybiga")
    assert "Sicherheitsgarantie" in accents
    unknown = await bot.ask_text(READER_DE, "/quotes Merkel")
    assert "Merkel" in unknown and "Rutte" in unknown  # lists who is quoted

    people = await bot.ask_text(READER_EN, "/people")
    assert "Margus Tsahkna" in people and "NATO-Generalsekretär" in people
    assert "Fox News" not in people


async def _ticker_arguments(bot: InProcessBot) -> None:
    ticker = await bot.ask_text(READER_DE, "/ticker")
    assert "Tucker Carlson noch in Russland" in ticker
    assert "Der konservative Moderator" in ticker
    for bad in ("-1", "0", "21", "999999999999", "abc", "x" * 3000, "2\x00\x07x"):
        answer = await bot.ask_text(READER_DE, f"/ticker {bad}")
        assert "1 bis 20" in answer, bad
    # Control characters are dropped, not held against the reader.
    assert "Tucker Carlson" in await bot.ask_text(READER_DE, "/ticker 1\x00\x07")
    english = await bot.ask_text(READER_EN, "/ticker 0")
    assert "1" in english and "20" in english and "Bitte" not in english


async def _search_and_language(bot: InProcessBot) -> None:
    found = await bot.ask_text(READER_DE, "/search Rutte Abendessen")
    assert "Rutte" in found
    nothing = await bot.ask_text(READER_DE, "/search Quantencomputer")
    assert "Quantencomputer" in nothing
    hostile = await bot.ask_text(READER_DE, '/search <b>"NATO" AND OR *')
    # The query comes back as the reader typed it: escaped, not taken as markup or dropped.
    assert '„<b>"NATO" AND OR *“' in hostile
    too_long = await bot.ask_text(READER_DE, "/search " + "wort " * 600)
    assert "200" in too_long

    switched = await bot.ask_text(READER_DE, "/language en")
    assert "English" in switched
    assert "More: /ticker" in await bot.ask_text(READER_DE, "/summary")
    unknown = await bot.ask_text(READER_DE, "/language fr")
    assert "/language de" in unknown
    await bot.ask_text(READER_DE, "/language de")


async def _stories_and_free_text(bot: InProcessBot) -> None:
    listing = await bot.ask_text(READER_DE, "/stories")
    assert "1 · " in listing and "NATO" in listing and "/story N" in listing
    unknown = await bot.ask_text(READER_DE, "/story 99")
    assert "99" in unknown
    pointer = await bot.ask_text(READER_DE, "Hallo, was gibt es Neues?")
    assert "/help" in pointer
    assert "/help" in await bot.ask_text(READER_DE, "/doesnotexist")


async def test_groups_answer_commands_only(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, flood_limit=1000) as bot:
        group = -4242
        bot.server.add_group(group, "Newsroom fans", admins=[READER_DE], members=[READER_EN])
        username = bot.server.bot_user["username"]
        summary = await bot.ask_text(READER_EN, f"/summary@{username}", chat_id=group)
        assert "Arbeitsessen zwischen den Außenministern" in summary
        before = len(bot.server.sent_messages(group))
        bot.server.send_text(READER_EN, "just chatting here", chat_id=group)
        bot.server.send_text(READER_EN, "/nosuchcommand", chat_id=group)
        await bot.ask(READER_EN, "/people", chat_id=group)
        people_only = bot.server.sent_messages(group)[before:]
        assert len(people_only) == 1 and "Rutte" in (people_only[0].text or "")
        refused = await bot.ask_text(READER_EN, "/subscribe", chat_id=group)
        assert "admins" in refused.lower()
        accepted = await bot.ask_text(READER_DE, "/subscribe", chat_id=group)
        assert "Abonniert" in accepted or "Subscribed" in accepted


async def test_ticker_pages_by_button(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, flood_limit=1000) as bot:
        for n in range(1, 8):
            await bot.ask(EDITOR_ID, f"/post Meldung {n}\nText der Meldung {n}.")
        first = (await bot.ask_messages(READER_DE, "/ticker 3"))[-1]
        assert "Meldung 7" in (first.text or "") and "Meldung 4" not in (first.text or "")
        older = next(d for d in first.callback_data if d.startswith("tk:"))
        await bot.press(READER_DE, first, older)
        second = bot.current(first)
        assert "Meldung 4" in (second.text or "") and "Meldung 7" not in (second.text or "")
        assert len(second.callback_data) == 2  # newer and older
        newer = second.callback_data[0]
        await bot.press(READER_DE, second, newer)
        back = bot.current(second)
        assert "Meldung 7" in (back.text or "")
