"""What readers and group members notice, through the real handlers in-process (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from bot.db import chats, subscriptions
from tests.inproc import (
    EDITOR_ID,
    GROUP_ADMIN,
    GROUP_ID,
    GROUP_MEMBER,
    READER_DE,
    READER_EN,
    READER_FR,
    InProcessBot,
    eventually,
    inproc_bot,
)

pytestmark = pytest.mark.timeout(60)
BOT = "@BriefingTestBot"


def _button(message: StoredMessage, prefix: str) -> str:
    return next(d for d in message.callback_data if d.startswith(prefix))


async def _settings(bot: InProcessBot, user: int, chat_id: int | None = None) -> StoredMessage:
    answer = await bot.ask_messages(user, "/settings", chat_id=chat_id)
    assert answer and answer[-1].callback_data, [m.text for m in answer]
    return answer[-1]


async def test_subscribing_by_button_keeps_the_readers_language_for_pushes(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        view = await _settings(bot, READER_EN)
        instant = next(d for d in view.callback_data if d.endswith(":instant"))
        await bot.press(READER_EN, view, instant)
        prefs = await chats.get_chat(bot.app.bot_data.db, READER_EN)
        assert prefs is not None and prefs.language == "en"
        await bot.ask(EDITOR_ID, "/post Eilmeldung aus Brüssel\nText")
        item = await eventually(
            lambda: next(
                (m for m in bot.sent(READER_EN) if "Eilmeldung aus Brüssel" in (m.text or "")),
                None,
            ),
            "the push to the English reader",
        )
        await bot.ask(EDITOR_ID, "/edit 1 x")
        # An English date ("05:20 UTC, 2 Dec"), not a German one ("05:20 UTC, 02.12.").
        assert re.search(r"\d\d:\d\d \S+, \d{1,2} [A-Z][a-z]{2}", item.text or ""), item.text
        await bot.ask(EDITOR_ID, "/archive 1")
        recap = await eventually(
            lambda: next((m for m in bot.sent(READER_EN) if "🏁" in (m.text or "")), None),
            "the archive recap",
        )
        assert "has ended" in (recap.text or "") and "beendet" not in (recap.text or "")


async def test_unknown_languages_get_english_and_de_variants_german(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        assert "Commands" in await bot.ask_text(READER_FR, "/help")
        assert "Befehle" in await bot.ask_text(READER_DE, "/help")


async def test_bare_language_offers_the_choice_and_a_button_switches(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        answer = await bot.ask_messages(READER_DE, "/language")
        assert len(answer) == 1
        assert "kenne ich nicht" not in (answer[0].text or "")
        assert "Deutsch" in (answer[0].text or "")
        await bot.press(READER_DE, answer[0], "lg:en")
        assert "English" in (bot.current(answer[0]).text or "")
        assert "Commands" in await bot.ask_text(READER_DE, "/help")
        unknown = await bot.ask_messages(READER_DE, "/language klingonisch")
        assert "don't know" in (unknown[0].text or "") and unknown[0].callback_data


async def test_settings_show_the_language_with_buttons_to_change_it(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        view = await _settings(bot, READER_DE)
        assert "Sprache: Deutsch" in (view.text or "")
        assert "lg:en" in view.callback_data
        await bot.press(READER_DE, view, "lg:en")
        shown = bot.current(view)  # the same view, now in English, buttons kept
        assert "Language: English" in (shown.text or "") and "lg:de" in shown.callback_data
        assert "Language: English" in (await _settings(bot, READER_DE)).text  # type: ignore[operator]


async def test_only_group_admins_change_the_groups_settings(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        db = bot.app.bot_data.db
        for command in (f"/language{BOT} en", f"/story{BOT} 1", f"/subscribe{BOT}"):
            answer = await bot.ask_text(GROUP_MEMBER, command, chat_id=GROUP_ID)
            assert "nur Admins" in answer, command
        prefs = await chats.get_chat(db, GROUP_ID)
        assert prefs is None or (prefs.language is None and prefs.current_story_id is None)
        assert await subscriptions.get_subscription(db, GROUP_ID, 1) is None
        view = await _settings(bot, GROUP_MEMBER, GROUP_ID)  # reading is for everyone
        for data in ("lg:en", _button(view, "st:")):
            answered = await bot.press(GROUP_MEMBER, view, data)
            assert answered.get("show_alert") and "Admins" in answered.get("text", "")
        prefs = await chats.get_chat(db, GROUP_ID)
        assert prefs is None or prefs.language is None
        assert "English" in await bot.ask_text(GROUP_ADMIN, f"/language{BOT} en", chat_id=GROUP_ID)
        switched = await bot.ask_text(GROUP_ADMIN, f"/story{BOT} 1", chat_id=GROUP_ID)
        assert "reading" in switched


async def test_unknown_commands_addressed_to_the_bot_are_answered_in_groups(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        answer = await bot.ask_text(GROUP_MEMBER, f"/foo{BOT}", chat_id=GROUP_ID)
        assert "/help" in answer
        assert await bot.ask(GROUP_MEMBER, "/foo", chat_id=GROUP_ID) == []  # maybe another bot's


async def test_resubscribing_after_off_means_every_item_again(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        view = await _settings(bot, READER_DE)
        hourly = next(d for d in view.callback_data if d.endswith(":hourly"))
        await bot.press(READER_DE, view, hourly)
        off = next(d for d in view.callback_data if d.endswith(":off"))
        await bot.press(READER_DE, bot.current(view), off)
        assert "kommen ab jetzt" in await bot.ask_text(READER_DE, "/subscribe")
        sub = await subscriptions.get_subscription(bot.app.bot_data.db, READER_DE, 1)
        assert sub is not None and sub.mode == "each" and sub.quiet_start is None
        assert "jede Meldung sofort" in (await _settings(bot, READER_DE)).text  # type: ignore[operator]


async def test_quotes_say_how_many_more_and_name_the_speaker_as_stored(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        state = bot.app.bot_data
        story = await state.stories.live_story(1)
        assert story is not None
        for n in range(40):
            quote = f'"Aussage Nummer {n} heute" — Eda Meyer'
            await state.editor.add_quote(EDITOR_ID, story, quote)
        answer = await bot.ask_text(READER_DE, "/quotes")
        assert "weitere" in answer
        filtered = await bot.ask_text(READER_DE, "/quotes tsahkna")
        assert "Zitate von Margus Tsahkna" in filtered
        assert "„" in filtered and "«" not in filtered  # one quotation style in German


async def test_junk_input_gets_a_plain_answer_not_a_traceback(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        for text in ("/search \ud800abc", "/quotes \udfff", "/search Rutte\ud83d"):
            answer = await bot.ask_text(READER_DE, text)
            assert answer and "schiefgegangen" not in answer, text
        message = (await bot.ask_messages(READER_DE, "/ticker 2"))[-1]
        for data in (
            f"tk:{2**70}:0:5",
            f"tk:1:{2**64}:5",
            "tk:1:0:999",
            f"st:{2**80}:instant",
            "st:1:loud",
            "lg:fr",
            "im:../../etc",
            "zz:1",
        ):
            answered = await bot.press_raw(READER_DE, message, data)
            assert "schiefgegangen" not in answered.get("text", ""), data


def _labelled(message: StoredMessage, label: str) -> str | None:
    return next((b["callback_data"] for b in message.buttons if label in b["text"]), None)


async def _press_page(bot: InProcessBot, message: StoredMessage, data: str) -> list[StoredMessage]:
    """Press a pager button: the edited message and any parts sent after it."""
    before = {m.message_id for m in bot.sent(message.chat_id)}
    await bot.press(READER_DE, message, data)
    fresh = [m for m in bot.sent(message.chat_id) if m.message_id not in before]
    return [bot.current(message), *fresh]


ITEM = re.compile(r"Kurzmeldung \d+|Angeheftete Meldung|Lange Meldung")


async def test_ticker_paging_by_button_never_loses_an_item(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        state = bot.app.bot_data
        story = await state.stories.live_story(1)
        assert story is not None
        for n in range(6):
            await state.editor.post(EDITOR_ID, story, f"Kurzmeldung {n}\nText {n}")
        pinned = await state.editor.post(EDITOR_ID, story, "Angeheftete Meldung\nWichtig")
        await state.editor.set_pinned(EDITOR_ID, pinned.id, True)
        long_body = "\n\n".join(f"Absatz {n} " + "lang " * 80 for n in range(10))
        await state.editor.post(EDITOR_ID, story, "Lange Meldung\n" + long_body[:4000])
        first = await bot.ask_messages(READER_DE, "/ticker 2")
        shown = "\n".join(m.text or "" for m in first)
        assert "Angeheftete Meldung" in shown and "Lange Meldung" in shown
        pager = first[-1]
        older = _labelled(pager, "Älter")
        assert older is not None
        second = await _press_page(bot, pager, older)
        newer = _labelled(second[-1], "Neuer")
        assert newer is not None
        third = await _press_page(bot, second[-1], newer)
        again = "\n".join(m.text or "" for m in third)
        assert "(1–2 von" in again
        # The whole page again, not only its first 4,096 characters.
        assert "Angeheftete Meldung" in again and "Absatz 9" in again
        # Walking every page by Older shows every item exactly once.
        seen = ITEM.findall(again)
        message = third[-1]
        for _ in range(40):
            data = _labelled(message, "Älter")
            if data is None:
                break
            page = await _press_page(bot, message, data)
            seen += ITEM.findall("\n".join(m.text or "" for m in page))
            message = page[-1]
        assert len(seen) == len(set(seen)), seen
        assert {f"Kurzmeldung {n}" for n in range(6)} <= set(seen)


async def test_settings_without_a_story_still_offer_the_language(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    async with inproc_bot(tmp_path) as bot:
        answer = await bot.ask_messages(READER_DE, "/settings")
        assert "Deutsch" in (answer[-1].text or "") and "lg:en" in answer[-1].callback_data


async def test_a_language_changed_after_subscribing_reaches_the_next_push(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")

        def push(headline: str) -> StoredMessage | None:
            return next((m for m in bot.sent(READER_DE) if headline in (m.text or "")), None)

        await bot.ask(EDITOR_ID, "/post Erste Meldung\nText")
        first = await eventually(lambda: push("Erste Meldung"), "the first push")
        assert re.search(r"\d\d:\d\d \S+, \d\d\.\d\d\.", first.text or "")  # a German date
        await bot.ask(READER_DE, "/language en")
        await bot.ask(EDITOR_ID, "/post Zweite Meldung\nText")
        second = await eventually(lambda: push("Zweite Meldung"), "the second push")
        assert re.search(r"\d\d:\d\d \S+, \d{1,2} [A-Z][a-z]{2}", second.text or ""), second.text
