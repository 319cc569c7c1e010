"""The fake Bot API's media methods, through the real python-telegram-bot client.

They follow core.telegram.org/bots/api: sendMediaGroup answers an array of Messages, the
InputMedia objects travel as a JSON-serialised field, and the fake refuses what Telegram
refuses (captions over 1024 visible characters, albums of 1 or 11, documents mixed with
photos, animations in albums, a caption edit of a text message)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    InputMediaAnimation,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bench.fakeapi.botapi import FakeBotApi
from tests.ptb_client import httpx_bot

ALICE = 1001


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as srv:
        srv.add_user(ALICE, "Alice", language_code="de")
        srv.send_text(ALICE, "/start")
        yield srv


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with httpx_bot(server.token, server.base_url) as client:
        yield client


def file_id(server: FakeBotApi, kind: str) -> str:
    """A file the user sent, as the bot would reuse it (the largest photo size)."""
    update = server.send_media(ALICE, kind)
    message = update["message"]
    return str(message["photo"][-1]["file_id"] if kind == "photo" else message[kind]["file_id"])


async def test_send_media_group_returns_one_message_per_item_sharing_a_group(
    server: FakeBotApi, bot: Bot
) -> None:
    photo, video = file_id(server, "photo"), file_id(server, "video")
    messages = await bot.send_media_group(
        ALICE,
        [
            InputMediaPhoto(photo, caption="<b>Gipfel</b> &amp; mehr", parse_mode=ParseMode.HTML),
            InputMediaVideo(video),
        ],
    )
    assert len(messages) == 2
    assert messages[0].media_group_id and messages[0].media_group_id == messages[1].media_group_id
    assert messages[0].photo and messages[1].video
    assert messages[0].caption == "Gipfel & mehr"
    assert messages[0].caption_entities[0].type == "bold"
    call = server.calls("sendMediaGroup")[-1]
    assert isinstance(call.params["media"], list)  # the JSON-serialised field, parsed


async def test_albums_follow_telegrams_rules(server: FakeBotApi, bot: Bot) -> None:
    photo = file_id(server, "photo")
    document = file_id(server, "document")
    animation = file_id(server, "animation")
    with pytest.raises(BadRequest, match=r"(?i)2-10"):
        await bot.send_media_group(ALICE, [InputMediaPhoto(photo)])
    with pytest.raises(BadRequest, match=r"(?i)too many messages"):
        await bot.send_media_group(ALICE, [InputMediaPhoto(photo)] * 11)
    with pytest.raises(BadRequest, match=r"(?i)can't be mixed"):
        await bot.send_media_group(ALICE, [InputMediaPhoto(photo), InputMediaDocument(document)])
    with pytest.raises(BadRequest, match=r"(?i)unsupported media type"):
        await bot.send_media_group(
            ALICE,
            [InputMediaPhoto(photo), InputMediaAnimation(animation)],  # type: ignore[list-item]
        )
    docs = await bot.send_media_group(
        ALICE, [InputMediaDocument(document), InputMediaDocument(document)]
    )
    assert all(m.document for m in docs)


async def test_captions_count_visible_characters_and_refuse_more_than_1024(
    server: FakeBotApi, bot: Bot
) -> None:
    photo = file_id(server, "photo")
    markup_heavy = "<b>" + "x" * 1000 + "</b>" + "<i>" + "y" * 24 + "</i>"
    sent = await bot.send_photo(ALICE, photo, caption=markup_heavy, parse_mode=ParseMode.HTML)
    assert sent.caption is not None and len(sent.caption) == 1024
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(ALICE, photo, caption="z" * 1025)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.edit_message_caption(ALICE, sent.message_id, caption="z" * 1025)


async def test_a_file_is_sent_again_only_as_its_own_kind(server: FakeBotApi, bot: Bot) -> None:
    photo, video = file_id(server, "photo"), file_id(server, "video")
    with pytest.raises(BadRequest, match=r"(?i)type of file mismatch"):
        await bot.send_video(ALICE, photo)
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ALICE, "AgACAgIAAxkBAAnot-a-real-file")
    message = await bot.send_video(ALICE, video)
    assert message.video is not None


async def test_edits_of_media_messages(server: FakeBotApi, bot: Bot) -> None:
    photo, other = file_id(server, "photo"), file_id(server, "photo")
    text = await bot.send_message(ALICE, "nur Text")
    with pytest.raises(BadRequest, match=r"(?i)there is no caption in the message to edit"):
        await bot.edit_message_caption(ALICE, text.message_id, caption="Bild?")
    with pytest.raises(BadRequest, match=r"(?i)there is no media in the message to edit"):
        await bot.edit_message_media(InputMediaPhoto(photo), ALICE, text.message_id)
    sent = await bot.send_photo(ALICE, photo, caption="alt")
    edited = await bot.edit_message_caption(ALICE, sent.message_id, caption="neu")
    assert not isinstance(edited, bool) and edited.caption == "neu"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_caption(ALICE, sent.message_id, caption="neu")
    replaced = await bot.edit_message_media(
        InputMediaPhoto(other, caption="neu"), ALICE, sent.message_id
    )
    assert not isinstance(replaced, bool)
    assert replaced.photo[-1].file_unique_id != sent.photo[-1].file_unique_id
    stored = server.messages[ALICE][sent.message_id]
    assert stored.versions[0].media == sent.photo[-1].file_unique_id

    album = await bot.send_media_group(ALICE, [InputMediaPhoto(photo), InputMediaPhoto(photo)])
    document = file_id(server, "document")
    with pytest.raises(BadRequest, match=r"(?i)can't be mixed"):
        await bot.edit_message_media(InputMediaDocument(document), ALICE, album[1].message_id)
