"""Keyword filters: a subscriber follows only items that mention their words (issue 13)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from bot.db import deliveries, subscriptions
from bot.folding import mentions, parse_keywords
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)


def test_keywords_match_as_search_does() -> None:
    assert parse_keywords(" Rutte,  Gipfel ,rutte,, ") == ("Rutte", "Gipfel")
    assert parse_keywords("von der Leyen; Sýbiha") == ("von der Leyen", "Sýbiha")
    assert mentions(["gipfel"], "Das Gipfeltreffen beginnt")  # a word's start, any case
    assert mentions(["Sybiha"], "Außenminister Sýbiha sagt")  # accents
    assert mentions(["Muenchen"], "Sicherheitskonferenz in München")  # umlauts both ways
    assert mentions(["München"], "MUENCHEN: Konferenz")
    assert mentions(["Muller"], "Minister Müller sagt") and mentions(["Müller"], "MULLER sagt")
    assert mentions(["Gipfel"], "GIPFEL IN BRÜSSEL") and mentions(["GIPFEL"], "der Gipfel")
    assert mentions(["von der Leyen"], "Ursula von der  Leyen spricht")
    assert not mentions(["Rutte"], "Die Brutternte")  # inside a word is no mention
    assert not mentions([], "anything")


def _pushed(bot: InProcessBot, chat: int, words: str) -> bool:
    return any(words in (m.text or "") for m in bot.sent(chat))


async def test_a_filtered_reader_gets_only_matching_items_and_nothing_fails(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        db = bot.app.bot_data.db
        for reader in (READER_DE, READER_EN):
            await bot.ask(reader, "/subscribe")
        assert "/filter off" in await bot.ask_text(READER_DE, "/filter")
        done = await bot.ask_text(READER_DE, "/filter rutte, Gipfel, Muenchen")
        assert "rutte, Gipfel, Muenchen" in done
        view = (await bot.ask_messages(READER_DE, "/settings"))[-1]
        assert "Filter: nur Meldungen mit rutte, Gipfel, Muenchen" in (view.text or "")

        await bot.ask(EDITOR_ID, "/post Wetterlage in Brüssel\nRegen den ganzen Tag.")
        await bot.ask(EDITOR_ID, "/post Gipfeltreffen vertagt\nDie Runde geht morgen weiter.")
        await bot.ask(EDITOR_ID, "/post Neues aus München\nKonferenz eröffnet.")
        for words in ("Wetterlage", "Gipfeltreffen", "Neues aus München"):
            await eventually(partial(_pushed, bot, READER_EN, words), f"{words} to EN")
        await eventually(lambda: _pushed(bot, READER_DE, "Gipfeltreffen"), "the match")
        await eventually(lambda: _pushed(bot, READER_DE, "Neues aus München"), "umlaut match")
        assert not _pushed(bot, READER_DE, "Wetterlage")

        # A message at the fake is recorded as delivered a flush later: wait for the store.
        await bot.pushes_settled()
        weather = await deliveries.item_progress(db, 1 + await _first_posted_id(bot))
        assert weather.skipped == 1 and weather.failed == 0
        assert weather.delivered == 1 and weather.total == 1 and weather.done
        stats = await bot.ask_text(EDITOR_ID, "/stats")
        line = next(x for x in stats.split("\n\n")[-1].split("#") if "Wetterlage" in x)
        assert "1 ausgefiltert" in line and "fehlgeschlagen" not in line

        assert "alle Meldungen" in await bot.ask_text(READER_DE, "/filter off")
        sub = await subscriptions.get_subscription(db, READER_DE, 1)
        assert sub is not None and sub.keywords == ()
        await bot.ask(EDITOR_ID, "/post Sonne über Brüssel\nEndlich.")
        await eventually(lambda: _pushed(bot, READER_DE, "Sonne über Brüssel"), "after off")


async def _first_posted_id(bot: InProcessBot) -> int:
    row = await bot.app.bot_data.db.fetchone(
        "SELECT MIN(id) - 1 AS id FROM ticker_items WHERE origin = 'posted'", ()
    )
    assert row is not None
    return int(row["id"])


async def test_filter_needs_a_subscription_and_resubscribing_clears_it(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        assert "/subscribe" in await bot.ask_text(READER_EN, "/filter Rutte")
        await bot.ask(READER_EN, "/subscribe")
        assert "Rutte" in await bot.ask_text(READER_EN, "/filter Rutte")
        await bot.ask(READER_EN, "/unsubscribe")
        await bot.ask(READER_EN, "/subscribe")
        sub = await subscriptions.get_subscription(bot.app.bot_data.db, READER_EN, 1)
        assert sub is not None and sub.keywords == ()
        assert "/filter" in await bot.ask_text(READER_EN, "/help")
