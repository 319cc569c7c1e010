"""Items with photos, videos, animations and documents, driven as editors and readers would."""

from __future__ import annotations

import asyncio
import re
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi.botapi import FaultRule, StoredMessage
from bot.albums import AlbumCollector
from bot.db import subscriptions
from bot.db.models import Attachment, MediaKind
from bot.delivery.engine import DeliveryEngine
from bot.delivery.media import plan as media_plan
from bot.delivery.ratelimit import ChatPacer, SendBudget
from tests.idle import wait_idle
from tests.inproc import (
    EDITOR_ID,
    GROUP_ID,
    GROUP_MEMBER,
    READER_DE,
    READER_EN,
    InProcessBot,
    eventually,
    inproc_bot,
)

pytestmark = pytest.mark.timeout(90)


class StepClock:
    """Time that moves only when the test says so: the album window without a sleep."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self._tick = asyncio.Event()

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._tick.set()
        self._tick = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        while self.now < target:
            await self._tick.wait()

    async def wait(self, event: asyncio.Event, seconds: float) -> bool:
        target = self.now + seconds
        while not event.is_set() and self.now < target:
            tick = asyncio.ensure_future(self._tick.wait())
            flag = asyncio.ensure_future(event.wait())
            _, pending = await asyncio.wait({tick, flag}, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        return event.is_set()


def media_of(bot: InProcessBot, chat_id: int) -> list[StoredMessage]:
    return [m for m in bot.sent(chat_id) if m.media_kind is not None]


def media_count(
    bot: InProcessBot, chat_id: int, count: int, *, exact: bool = True
) -> list[StoredMessage] | None:
    """The attachments pushed to a chat, once there are `count` of them (or more)."""
    found = media_of(bot, chat_id)
    return found if len(found) == count or (not exact and len(found) > count) else None


def item_id_in(messages: list[StoredMessage]) -> int:
    for message in messages:
        found = re.search(r"#(\d+)", message.text or "")
        if found:
            return int(found.group(1))
    raise AssertionError(f"no item number in {[m.text for m in messages]}")


async def send(bot: InProcessBot, user_id: int, kind: str, **options: Any) -> list[StoredMessage]:
    """A user sends an attachment; what the bot answered in that chat."""
    chat = options.get("chat_id") or user_id
    before = {m.message_id for m in bot.server.sent_messages(chat)}
    update = bot.server.send_media(user_id, kind, **options)
    if "update_id" in update:
        await bot.process(update)
    return [m for m in bot.server.sent_messages(chat) if m.message_id not in before]


def uploaded(bot: InProcessBot, user_id: int) -> list[StoredMessage]:
    """What the user sent to the bot (their own messages), oldest first."""
    chat = bot.server.messages[user_id]
    return sorted((m for m in chat.values() if not m.outgoing), key=lambda m: m.seq)


async def test_a_photo_with_a_post_caption_is_pushed_by_file_id_and_shown_in_ticker_and_summary(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        answer = await send(bot, EDITOR_ID, "photo", caption="/post Gipfel beginnt\nErste Bilder.")
        item_id = item_id_in(answer)
        original = uploaded(bot, EDITOR_ID)[-1]
        assert original.photo is not None
        pushed = await eventually(lambda: media_of(bot, READER_EN), "the photo push")
        photo = pushed[0]
        assert photo.media_kind == "photo"
        # Sent again by the largest size's file_id: no upload, the full picture.
        assert photo.file_unique_id == original.photo[-1]["file_unique_id"]
        call = bot.server.calls("sendPhoto")[-1]
        assert call.params["photo"] == original.photo[-1]["file_id"]
        assert "Gipfel beginnt" in (photo.caption or "") and "Erste Bilder." in (
            photo.caption or ""
        )
        assert photo.callback_data  # the push buttons sit under the picture
        assert not [m for m in bot.sent(READER_EN) if "Gipfel beginnt" in (m.text or "")]

        page = await bot.ask_messages(READER_EN, "/ticker")
        assert "Gipfel beginnt" in (page[-1].text or "") and "📷 Photo" in (page[-1].text or "")
        # The picture is one tap away under the ticker page.
        before = len(media_of(bot, READER_EN))
        assert f"md:{item_id}" in page[-1].callback_data
        answer_ = await bot.press(READER_EN, page[-1], f"md:{item_id}")
        assert not answer_.get("show_alert")
        assert len(media_of(bot, READER_EN)) == before + 1
        assert media_of(bot, READER_EN)[-1].file_unique_id == photo.file_unique_id
        before = len(media_of(bot, READER_EN))
        summary = await bot.ask_messages(READER_EN, "/summary")
        assert "Gipfel beginnt" in "".join(m.text or "" for m in summary)
        shown = [m for m in summary if m.media_kind == "photo"]
        assert shown and shown[0].file_unique_id == photo.file_unique_id
        assert len(media_of(bot, READER_EN)) == before + 1
        assert item_id > 0


async def test_a_caption_without_command_is_the_item_text_and_no_caption_is_a_bare_picture(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_DE, "/subscribe")
        await send(bot, EDITOR_ID, "video", caption="Rutte trifft ein\nVideo vom Flughafen.")
        await send(bot, EDITOR_ID, "animation")
        pushed = await eventually(
            partial(media_count, bot, READER_DE, 2, exact=False),
            "both pushes",
        )
        video, animation = pushed[0], pushed[1]
        assert video.media_kind == "video" and "Rutte trifft ein" in (video.caption or "")
        assert animation.media_kind == "animation"
        assert bot.server.calls("sendAnimation") and bot.server.calls("sendVideo")
        ticker = await bot.ask_text(READER_DE, "/ticker")
        assert "🎞 GIF" in ticker and "🎬 Video" in ticker


async def test_an_album_is_collected_in_its_window_and_pushed_as_one_media_group(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        await send(bot, EDITOR_ID, "photo", caption="Bilder vom Gipfel", media_group_id="A1")
        await send(bot, EDITOR_ID, "video", media_group_id="A1")
        clock.advance(1.0)  # inside the window: the album is still open
        await send(bot, EDITOR_ID, "photo", media_group_id="A1")
        await asyncio.sleep(0)
        assert not bot.server.calls("sendMediaGroup")
        assert not [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")]
        clock.advance(1.0)  # 1.0 s after the last part: still open
        await asyncio.sleep(0)
        assert not [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")]
        clock.advance(1.0)
        confirmation = await eventually(
            lambda: [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")], "the confirmation"
        )
        item_id_in(confirmation)
        album = await eventually(partial(media_count, bot, READER_EN, 3), "the album")
        assert len(bot.server.calls("sendMediaGroup")) == 1
        assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
        assert [m.media_kind for m in album] == ["photo", "video", "photo"]
        assert "Bilder vom Gipfel" in (album[0].caption or "")
        assert album[1].caption is None and album[2].caption is None
        ticker = await bot.ask_text(READER_EN, "/ticker")
        assert "🖼 3 attachments" in ticker


async def test_documents_make_an_album_of_their_own_and_an_animation_goes_alone(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        for n in range(2):
            await send(
                bot,
                EDITOR_ID,
                "document",
                media_group_id="D1",
                caption="/post Die Abschlusserklärung" if n == 0 else None,
                file_name=f"erklaerung-{n}.pdf",
            )
        clock.advance(2.0)
        docs = await eventually(partial(media_count, bot, READER_EN, 2), "documents")
        assert [m.media_kind for m in docs] == ["document", "document"]
        assert docs[0].media_group_id is not None
        # The fake refuses what Telegram refuses: every request the bot made was accepted.
        refused = [c for c in bot.server.requests if c.status not in (200, None)]
        assert not refused, [c.summary() for c in refused]


async def test_a_long_text_fills_the_caption_and_follows_as_text_then_delete_removes_all(
    tmp_path: Path,
) -> None:
    sentence = "Die Verhandlungen dauern an & gehen weiter. "
    # A client's caption holds 1024 characters; the push adds the story's heading and time.
    caption_text = "Lange Meldung mit Bild\n" + "\n\n".join(
        f"Absatz {n}: " + sentence * 4 for n in range(5)
    )
    assert 950 < len(caption_text) <= 1024
    longer = "\n\n".join(f"Teil {n}: " + sentence * 8 for n in range(9))
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        await send(bot, EDITOR_ID, "photo", caption=caption_text, media_group_id="L1")
        await send(bot, EDITOR_ID, "photo", media_group_id="L1")
        clock.advance(2.0)
        answer = await eventually(
            lambda: [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")], "the confirmation"
        )
        item_id = item_id_in(answer)
        await eventually(
            lambda: any("Absatz 4" in (m.text or "") for m in bot.sent(READER_EN)), "follow-up"
        )
        album = media_of(bot, READER_EN)
        caption = album[0].caption or ""
        assert len(caption) <= 1024 and "Absatz 3" in caption  # Telegram's count: visible text
        assert caption.rstrip().endswith(".")  # cut at a paragraph, not inside a word
        follow_up = next(m for m in bot.sent(READER_EN) if "Absatz 4" in (m.text or ""))
        assert follow_up.callback_data  # an album takes no buttons: they go under the text

        await bot.ask(EDITOR_ID, f"/edit {item_id} Lange Meldung mit Bild\n{longer}")
        await eventually(
            lambda: any("Teil 8" in (m.text or "") for m in bot.sent(READER_EN)),
            "the corrected text's follow-ups",
        )
        assert "Teil 0" in (bot.current(album[0]).caption or "")
        texts = [m for m in bot.sent(READER_EN) if m.text and "Teil" in m.text]
        assert texts[-1].callback_data
        assert all(len(m.text or "") <= 4096 for m in texts)
        everything = [m.message_id for m in album + texts]

        await bot.ask(EDITOR_ID, f"/delete {item_id}")
        await eventually(
            lambda: all(bot.server.messages[READER_EN][m].deleted for m in everything),
            "every message of the album and its follow-ups deleted",
        )


async def test_a_correction_edits_the_caption_and_a_new_picture_replaces_the_media(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        answer = await send(bot, EDITOR_ID, "photo", caption="Erste Fassung")
        item_id = item_id_in(answer)
        photo = (await eventually(lambda: media_of(bot, READER_EN), "the push"))[0]
        first_file = photo.file_unique_id

        await bot.ask(EDITOR_ID, f"/edit {item_id} Zweite Fassung\nMit Details.")
        await eventually(
            lambda: "Zweite Fassung" in (bot.current(photo).caption or ""), "caption edited"
        )
        assert bot.server.calls("editMessageCaption")
        assert bot.current(photo).callback_data  # the buttons survive the edit

        replaced = await send(bot, EDITOR_ID, "photo", caption=f"/edit {item_id}")
        assert any(f"#{item_id}" in (m.text or "") for m in replaced)
        await eventually(
            lambda: bot.current(photo).file_unique_id != first_file, "the picture replaced"
        )
        assert bot.server.calls("editMessageMedia")
        current = bot.current(photo)
        assert current.file_unique_id == uploaded(bot, EDITOR_ID)[-1].file_unique_id
        assert "Zweite Fassung" in (current.caption or "")  # the text stays
        assert len(media_of(bot, READER_EN)) == 1  # replaced in place, nothing resent


async def test_readers_media_get_a_short_answer_in_private_and_silence_in_groups(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        answer = await send(bot, READER_DE, "photo", caption="Schaut mal")
        assert len(answer) == 1 and "Bilder und Dateien" in (answer[0].text or "")
        answer = await send(bot, READER_EN, "document", file_name="x.pdf")
        assert len(answer) == 1 and "/ticker" in (answer[0].text or "")
        bot.server.privacy_mode = False
        in_group = await send(bot, GROUP_MEMBER, "photo", chat_id=GROUP_ID)
        assert in_group == []
        assert not bot.server.calls("sendPhoto")


async def test_an_editor_text_file_without_caption_is_still_a_page_upload(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        update = bot.server.send_document(
            EDITOR_ID, "seite.txt", b"Titel\n\nEin Absatz.", mime_type="text/plain"
        )
        await bot.process(update)
        preview = bot.sent(EDITOR_ID)[-1]
        assert preview.callback_data  # Import / Cancel, as before


async def _album(bot: InProcessBot, clock: StepClock, key: str, caption: str) -> None:
    await send(bot, EDITOR_ID, "photo", caption=caption, media_group_id=key)
    await send(bot, EDITOR_ID, "photo", media_group_id=key)
    await send(bot, EDITOR_ID, "video", media_group_id=key)
    clock.advance(2.0)


async def test_a_429_on_an_album_waits_and_sends_it_once(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        bot.server.faults.add(
            FaultRule(
                kind="retry_after",
                method="sendMediaGroup",
                chat_id=READER_EN,
                times=1,
                retry_after=1,
            )
        )
        await _album(bot, clock, "R1", "Bilder nach der Pause")
        await eventually(lambda: len(media_of(bot, READER_EN)) == 3, "the album after the 429")
        engine = bot.app.bot_data.engine
        assert isinstance(engine, DeliveryEngine)
        await wait_idle(engine, 10)
        assert len(media_of(bot, READER_EN)) == 3  # once, not twice
        calls = bot.server.calls("sendMediaGroup")
        assert [c.status for c in calls if c.chat_id == READER_EN] == [429, 200]


async def test_a_failed_follow_up_is_completed_without_sending_the_album_again(
    tmp_path: Path,
) -> None:
    sentence = "Die Gespräche gehen in die Nacht. "
    caption = "Lange Nacht\n" + "\n\n".join(f"Absatz {n}: " + sentence * 5 for n in range(6))
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        bot.server.faults.add(
            FaultRule(
                kind="server_error", method="sendMessage", chat_id=READER_EN, times=1, status=502
            )
        )
        await _album(bot, clock, "F1", caption[:1020])
        await eventually(
            lambda: any("Absatz 5" in (m.text or "") for m in bot.sent(READER_EN)),
            "the follow-up, sent by the refresh",
        )
        engine = bot.app.bot_data.engine
        assert isinstance(engine, DeliveryEngine)
        await wait_idle(engine, 10)
        assert len(media_of(bot, READER_EN)) == 3  # the album went out once
        follow_ups = [m for m in bot.sent(READER_EN) if "Absatz 5" in (m.text or "")]
        assert len(follow_ups) == 1


async def test_a_blocked_reader_of_a_photo_push_is_deactivated(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        bot.server.block_user(READER_EN, emit_update=False)
        await send(bot, EDITOR_ID, "photo", caption="Foto für alle")
        db = bot.app.bot_data.db

        async def status() -> str | None:
            sub = await subscriptions.get_subscription(db, READER_EN, 1)
            return sub.status if sub else None

        for _ in range(500):
            if await status() == "blocked":
                break
            await asyncio.sleep(0.02)
        assert await status() == "blocked"
        assert [c.status for c in bot.server.calls("sendPhoto") if c.chat_id == READER_EN] == [403]


def test_an_album_of_n_counts_as_n_messages_for_the_chat() -> None:
    now = [100.0]
    pacer = ChatPacer(clock=lambda: now[0])
    pacer.sent(READER_EN, count=4)
    # One a second to a private chat: an album of four holds it about four seconds.
    assert pacer.ready_at(READER_EN) >= 100.0 + 4 * 1.0
    for _ in range(4):
        pacer.sent(GROUP_ID, count=4)
    assert pacer.ready_at(GROUP_ID) <= 100.0  # 16 of a group's 20 a minute: room for 4
    pacer.sent(GROUP_ID, count=4)
    assert pacer.ready_at(GROUP_ID) >= 160.0


async def test_the_shared_budget_is_charged_once_per_album_item() -> None:
    budget = SendBudget(rate=3, window=1.0)
    for _ in range(3):
        await budget.acquire()
    assert budget.granted == 3
    album = media_plan(
        [Attachment(MediaKind.PHOTO, f"id{n}", f"u{n}") for n in range(4)]
        + [Attachment(MediaKind.ANIMATION, "gif", "ugif")],
        ["<b>Titel</b>"],
    )
    assert [len(s.attachments) for s in album.sends] == [4, 1]  # the animation alone
    assert album.sends[0].caption == "<b>Titel</b>" and album.sends[1].caption == ""
    assert album.buttons_on == 4  # the single animation carries the buttons
    await budget.close()


async def test_a_photo_past_telegrams_delete_window_shows_the_retraction_in_its_caption(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        answer = await send(bot, EDITOR_ID, "photo", caption="Falsches Foto")
        item_id = item_id_in(answer)
        photo = (await eventually(lambda: media_of(bot, READER_EN), "the push"))[0]
        bot.server.mark_old(READER_EN, photo.message_id)
        await bot.ask(EDITOR_ID, f"/delete {item_id}")
        await eventually(
            lambda: "Retracted" in (bot.current(photo).caption or ""), "the notice as caption"
        )
        assert not bot.current(photo).deleted
        assert not bot.current(photo).callback_data  # no buttons under a retracted item


async def test_a_text_item_given_a_picture_is_sent_anew_with_it(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        confirmation = await bot.ask(EDITOR_ID, "/post Nur Text zuerst\nDann ein Bild.")
        item_id = int(re.search(r"#(\d+)", "".join(confirmation)).group(1))  # type: ignore[union-attr]
        text = await eventually(
            lambda: next((m for m in bot.sent(READER_EN) if "Nur Text" in (m.text or "")), None),
            "the text push",
        )
        await send(bot, EDITOR_ID, "photo", caption=f"/edit {item_id}")
        photo = (await eventually(lambda: media_of(bot, READER_EN), "the picture"))[0]
        assert "Nur Text zuerst" in (photo.caption or "") and photo.callback_data
        await eventually(lambda: bot.server.messages[READER_EN][text.message_id].deleted, "gone")
        ticker = await bot.ask_text(READER_EN, "/ticker")
        assert "Nur Text zuerst" in ticker and "📷 Photo" in ticker


async def test_an_editors_voice_message_gets_an_answer_not_silence(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        editor = bot.server.users[EDITOR_ID].to_dict()
        voice = {
            "message_id": 9_001,
            "from": editor,
            "chat": {"id": EDITOR_ID, "type": "private", "first_name": editor["first_name"]},
            "date": 1_700_000_000,
            "voice": {
                "file_id": "AwACAgIAAxkBAAvoice",
                "file_unique_id": "AgADvoice",
                "duration": 3,
            },
        }
        before = len(bot.sent(EDITOR_ID))
        await bot.process(bot.server.queue_update("message", voice, chat_id=EDITOR_ID))
        answers = bot.sent(EDITOR_ID)[before:]
        assert len(answers) == 1 and "Sprachnachrichten" in (answers[0].text or "")


async def test_an_editor_editing_the_posted_photo_in_the_chat_corrects_the_item(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        await bot.ask(READER_EN, "/subscribe")
        await send(bot, EDITOR_ID, "photo", caption="Vorläufige Zahl: 40")
        original = uploaded(bot, EDITOR_ID)[-1]
        photo = (await eventually(lambda: media_of(bot, READER_EN), "the push"))[0]

        edited = bot.server.edit_user_message(
            EDITOR_ID, original.message_id, caption="Endgültige Zahl: 42"
        )
        await bot.process(edited)
        await eventually(
            lambda: "Endgültige Zahl: 42" in (bot.current(photo).caption or ""), "caption fixed"
        )
        first_file = bot.current(photo).file_unique_id
        edited = bot.server.edit_user_message(EDITOR_ID, original.message_id, replace_with="photo")
        await bot.process(edited)
        await eventually(
            lambda: bot.current(photo).file_unique_id != first_file, "the picture replaced"
        )
        assert "korrigiert" in (bot.sent(EDITOR_ID)[-1].text or "")
        assert len(media_of(bot, READER_EN)) == 1


async def test_the_channel_gets_the_album_without_buttons_and_can_pin_it(tmp_path: Path) -> None:
    channel = -100777
    async with inproc_bot(tmp_path, channel_id=channel) as bot:
        bot.server.add_group(channel, "Kanal", type="channel", bot_is_admin=True)
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await send(bot, EDITOR_ID, "photo", caption="Für den Kanal", media_group_id="C1")
        await send(bot, EDITOR_ID, "photo", media_group_id="C1")
        clock.advance(2.0)
        answer = await eventually(
            lambda: [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")], "the confirmation"
        )
        item_id = item_id_in(answer)
        album = await eventually(partial(media_count, bot, channel, 2), "the album")
        assert not any(m.callback_data for m in bot.sent(channel))
        engine = bot.app.bot_data.engine
        assert isinstance(engine, DeliveryEngine) and await wait_idle(engine, 10)
        answer_text = await bot.ask_text(EDITOR_ID, f"/pin {item_id} kanal")
        assert "Kanal" in answer_text or "kanal" in answer_text.lower(), answer_text
        assert bot.current(album[0]).pinned
