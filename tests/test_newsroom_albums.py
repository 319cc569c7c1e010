"""More than ten pictures: one item, pushed as several albums, corrected and retracted whole."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from bot.albums import AlbumCollector
from bot.db.models import Attachment, MediaKind
from bot.delivery.media import plan as media_plan
from bot.delivery.media import runs
from tests.inproc import EDITOR_ID, READER_EN, eventually, inproc_bot
from tests.test_media import StepClock, item_id_in, media_count, media_of, send

pytestmark = pytest.mark.timeout(90)


def _photos(count: int) -> list[Attachment]:
    return [Attachment(MediaKind.PHOTO, f"f{n}", f"u{n}") for n in range(count)]


def test_more_than_ten_pictures_become_even_albums_none_cut() -> None:
    sizes = [len(run) for run in runs(_photos(15))]
    assert sizes == [8, 7]
    assert [len(run) for run in runs(_photos(21))] == [7, 7, 7]
    assert [len(run) for run in runs(_photos(10))] == [10]
    mixed = [*_photos(12), Attachment(MediaKind.DOCUMENT, "d", "ud")]
    assert [len(run) for run in runs(mixed)] == [6, 6, 1]
    # Every attachment goes out exactly once, in order.
    assert [a for run in runs(_photos(23)) for a in run] == _photos(23)


def test_a_long_text_keeps_the_caption_under_1024_and_follows_as_text() -> None:
    text = "\n\n".join(f"Absatz {n}: " + "Die Gespräche dauern an. " * 9 for n in range(8))
    planned = media_plan(_photos(12), [text])
    assert [len(s.attachments) for s in planned.sends] == [6, 6]
    assert 0 < len(planned.sends[0].caption) <= 1024 and planned.sends[1].caption == ""
    assert planned.follow_ups and "Absatz 7" in planned.follow_ups[-1]
    # No buttons on an album: they go under the last follow-up text.
    assert planned.buttons_on == 12 + len(planned.follow_ups) - 1


async def test_fifteen_pictures_sent_as_two_albums_are_one_item_pushed_whole(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")
        # A client sends fifteen pictures as an album of ten, then one of five; the caption
        # sits on the first.
        for n in range(15):
            await send(
                bot,
                EDITOR_ID,
                "photo",
                caption="/post Bilder aus dem Saal" if n == 0 else None,
                media_group_id="big-1" if n < 10 else "big-2",
            )
        clock.advance(2.0)
        confirmations = await eventually(
            lambda: [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")], "the confirmation"
        )
        assert len(confirmations) == 1  # one item, not two
        item_id = item_id_in(confirmations)
        assert not any("höchstens" in (m.text or "") for m in bot.sent(EDITOR_ID))

        pushed = await eventually(
            partial(media_count, bot, READER_EN, 15),
            "all fifteen pictures",
        )
        await bot.pushes_settled()
        assert len(media_of(bot, READER_EN)) == 15  # none cut, none twice
        albums = [c for c in bot.server.calls("sendMediaGroup") if c.chat_id == READER_EN]
        assert [c.status for c in albums] == [200, 200]
        assert len({m.media_group_id for m in pushed}) == 2
        captions = [m.caption for m in pushed if m.caption]
        assert len(captions) == 1 and "Bilder aus dem Saal" in captions[0]
        refused = [c for c in bot.server.requests if c.status not in (200, None)]
        assert not refused, [c.summary() for c in refused]
        ticker = await bot.ask_text(READER_EN, "/ticker")
        assert "15 attachments" in ticker

        await bot.ask(EDITOR_ID, f"/edit {item_id} Bilder aus dem Saal, korrigiert")
        first = next(m for m in pushed if m.caption)
        await eventually(
            lambda: "korrigiert" in (bot.current(first).caption or ""), "the corrected caption"
        )
        await bot.pushes_settled()
        assert len(media_of(bot, READER_EN)) == 15  # corrected in place, nothing resent

        await bot.ask(EDITOR_ID, f"/delete {item_id}")
        # Deletes are paced like sends (one a second to a private chat).
        await eventually(
            lambda: all(bot.current(m).deleted for m in pushed),
            "every picture of both albums removed",
            within=45,
        )


def test_albums_in_one_window_join_until_a_second_caption_starts_a_new_item() -> None:
    from bot.handlers.media import MediaPart, uploads

    def part(n: int, album: str, caption: str = "") -> MediaPart:
        return MediaPart(n, _photos(20)[n], caption, album)

    first = [part(n, "a", "Erste" if n == 0 else "") for n in range(10)]
    second = [part(10 + n, "b") for n in range(3)]
    third = [part(13, "c", "Zweite"), part(14, "c")]
    items = uploads([*third, *second, *first])  # arrival order does not matter
    assert [[p.message_id for p in item] for item in items] == [list(range(13)), [13, 14]]
    # The caption may sit on the later album: still one item.
    late = uploads([part(0, "a"), part(1, "a"), part(2, "b", "Text"), part(3, "b")])
    assert len(late) == 1 and len(late[0]) == 4


async def test_a_big_album_replaced_by_another_number_is_shown_anew_whole(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        clock = StepClock()
        bot.app.bot_data.albums = AlbumCollector(window=1.5, clock=clock)
        await bot.ask(READER_EN, "/subscribe")

        async def upload(count: int, caption: str, key: str) -> None:
            for n in range(count):
                await send(
                    bot,
                    EDITOR_ID,
                    "photo",
                    caption=caption if n == 0 else None,
                    media_group_id=f"{key}-{n // 10}",
                )
            clock.advance(2.0)

        await upload(12, "/post Zwölf Bilder", "first")
        confirmation = await eventually(
            lambda: [m for m in bot.sent(EDITOR_ID) if "#" in (m.text or "")], "the confirmation"
        )
        item_id = item_id_in(confirmation)
        old = await eventually(
            partial(media_count, bot, READER_EN, 12),
            "twelve pictures",
        )
        assert len({m.media_group_id for m in old}) == 2  # six and six

        await upload(11, f"/edit {item_id} Elf Bilder", "second")
        await eventually(
            lambda: all(bot.current(m).deleted for m in old), "the old pictures gone", within=45
        )
        new = await eventually(
            partial(media_count, bot, READER_EN, 11),
            "the eleven new pictures shown",
            within=30,
        )
        assert len({m.media_group_id for m in new}) == 2
        captions = [m.caption for m in new if m.caption]
        assert len(captions) == 1 and "Elf Bilder" in captions[0]
        refused = [c for c in bot.server.requests if c.status not in (200, None)]
        assert not refused, [c.summary() for c in refused]
