"""Forum topics: a subscription made in a topic pushes there; a closed topic is a gone chat."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import pytest

from bench.fakeapi.botapi import StoredMessage
from bot.db import subscriptions
from tests.inproc import EDITOR_ID, GROUP_ADMIN, InProcessBot, eventually, inproc_bot

pytestmark = pytest.mark.timeout(90)
FORUM = -100900
TOPIC = 7
BOT = "@BriefingTestBot"


def _sent_with(bot: InProcessBot, chat: int, words: str) -> StoredMessage | None:
    return next((m for m in bot.sent(chat) if words in (m.text or "")), None)


async def _status(bot: InProcessBot) -> str | None:
    sub = await subscriptions.get_subscription(bot.app.bot_data.db, FORUM, 1)
    return sub.status if sub else None


async def test_a_topic_subscription_pushes_to_its_topic_until_the_topic_closes(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        bot.server.add_group(FORUM, "Forum", admins=[GROUP_ADMIN], type="supergroup", is_forum=True)
        update = bot.server.send_text(
            GROUP_ADMIN, f"/subscribe{BOT}", chat_id=FORUM, message_thread_id=TOPIC
        )
        await bot.process(update)
        answer = bot.sent(FORUM)[-1]
        assert answer.message_thread_id == TOPIC  # the confirmation answers in the topic
        sub = await subscriptions.get_subscription(bot.app.bot_data.db, FORUM, 1)
        assert sub is not None and sub.thread_id == TOPIC

        await bot.ask(EDITOR_ID, "/post Neues im Forum\nText.")
        pushed = await eventually(
            lambda: next((m for m in bot.sent(FORUM) if "Neues im Forum" in (m.text or "")), None),
            "the push into the topic",
        )
        assert pushed.message_thread_id == TOPIC

        bot.server.close_topic(FORUM, TOPIC)
        await bot.ask(EDITOR_ID, "/post Nach dem Schließen\nText.")
        for _ in range(500):
            if await _status(bot) == "blocked":
                break
            await asyncio.sleep(0.02)
        assert await _status(bot) == "blocked"
        assert not any("Nach dem Schließen" in (m.text or "") for m in bot.sent(FORUM))


async def test_a_closed_topic_ends_only_its_own_subscription(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        bot.server.add_group(FORUM, "Forum", admins=[GROUP_ADMIN], type="supergroup", is_forum=True)
        await bot.process(
            bot.server.send_text(
                GROUP_ADMIN, f"/subscribe{BOT}", chat_id=FORUM, message_thread_id=TOPIC
            )
        )
        # A second story, followed by the same group in General.
        await bot.ask(EDITOR_ID, "/newstory Zweites Thema")
        db = bot.app.bot_data.db
        await subscriptions.subscribe(db, FORUM, "supergroup", 2, thread_id=None)

        bot.server.close_topic(FORUM, TOPIC)
        await bot.ask(EDITOR_ID, "/story 1")
        await bot.ask(EDITOR_ID, "/post Nach dem Schließen\nText.")
        for _ in range(500):
            if await _status(bot) == "blocked":
                break
            await asyncio.sleep(0.02)
        assert await _status(bot) == "blocked"

        general = await subscriptions.get_subscription(db, FORUM, 2)
        assert general is not None and general.status == "active"
        await bot.ask(EDITOR_ID, "/story 2")
        await bot.ask(EDITOR_ID, "/post Im General weiter\nText.")
        pushed = await eventually(
            lambda: next(
                (m for m in bot.sent(FORUM) if "Im General weiter" in (m.text or "")), None
            ),
            "the push to General after the topic closed",
        )
        assert pushed.message_thread_id is None


async def test_a_closed_topic_leaves_the_groups_other_topic_and_general_pushing(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path) as bot:
        bot.server.add_group(FORUM, "Forum", admins=[GROUP_ADMIN], type="supergroup", is_forum=True)
        db = bot.app.bot_data.db
        await bot.ask(EDITOR_ID, "/newstory Zweites Thema")
        await bot.ask(EDITOR_ID, "/newstory Drittes Thema")
        await subscriptions.subscribe(db, FORUM, "supergroup", 1, thread_id=TOPIC)
        await subscriptions.subscribe(db, FORUM, "supergroup", 2, thread_id=TOPIC + 1)
        await subscriptions.subscribe(db, FORUM, "supergroup", 3, thread_id=None)

        bot.server.close_topic(FORUM, TOPIC)  # the fake answers 400 TOPIC_CLOSED, as Telegram
        await bot.ask(EDITOR_ID, "/story 1")
        await bot.ask(EDITOR_ID, "/post Ins geschlossene Thema\nText.")
        for _ in range(500):
            if await _status(bot) == "blocked":
                break
            await asyncio.sleep(0.02)
        assert await _status(bot) == "blocked"

        for story, title, thread in ((2, "Ins offene Thema", TOPIC + 1), (3, "Ins General", None)):
            await bot.ask(EDITOR_ID, f"/story {story}")
            await bot.ask(EDITOR_ID, f"/post {title}\nText.")
            pushed = await eventually(
                partial(_sent_with, bot, FORUM, title),
                f"the push of story {story} after topic {TOPIC} closed",
            )
            assert pushed.message_thread_id == thread
            sub = await subscriptions.get_subscription(db, FORUM, story)
            assert sub is not None and sub.status == "active"
