"""End to end, in process: the real Application against the fake Bot API, a publisher on
loopback. /follow → items stored → subscribers get a new entry once → an edit reaches the
delivered copies; /sources shows the state; /unfollow stops it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi, StoredMessage
from bench.fakeapi.feeds import FeedEntry, FeedServer, liveblog
from bot.app import BotApplication, build_app, running
from bot.config import Settings
from bot.db import stories

pytestmark = pytest.mark.timeout(60)
EDITOR, READER, LATE = 42, 1001, 1002


def blog(n: int, **edits: str) -> str:
    posts = [
        FeedEntry(
            id=f"https://news.example/live#post-{i}",
            title=f"Update {i}: rescuers reach shaft {i}",
            body=f"Crews drilled shaft {i} overnight, officials said.",
            published=f"2025-10-08T2{i}:0{i}:00-04:00",
        )
        for i in range(1, n + 1)
    ]
    for index, body in edits.items():
        posts[int(index.removeprefix("e")) - 1].body = body
    return liveblog("Miners trapped in West Virginia", list(reversed(posts)))


async def ask(fake: FakeBotApi, user: int, text: str) -> str:
    update = fake.send_text(user, text)
    reply = await fake.wait_for_reply(user, after_update=update, timeout=15)
    return reply.text or ""


def pushes(fake: FakeBotApi, chat: int, needle: str) -> list[StoredMessage]:
    return [m for m in fake.sent_messages(chat, include_deleted=False) if needle in (m.text or "")]


World = tuple[FakeBotApi, FeedServer, BotApplication]


@contextlib.asynccontextmanager
async def bot_world(
    tmp_path: Path, feeds: FeedServer, **extra: Any
) -> AsyncIterator[tuple[FakeBotApi, BotApplication]]:
    """The fake Bot API with three users and the real Application polling it, in process."""
    fake = FakeBotApi(token=DEFAULT_TOKEN)
    await fake.start()
    for user, name in ((EDITOR, "Eda"), (READER, "Alice"), (LATE, "Bob")):
        fake.add_user(user, name, language_code="en")
    # No .env and no FOLLOW_URLS from the environment: only loopback sources in tests.
    extra.setdefault("follow_urls", ())
    settings = Settings(
        _env_file=None,
        bot_token=DEFAULT_TOKEN,
        telegram_base_url=fake.base_url,
        telegram_base_file_url=fake.base_file_url,
        admin_ids=frozenset({EDITOR}),
        database_path=tmp_path / "bot.sqlite3",
        seeds_dir=tmp_path / "no-seeds",
        flood_limit=1000,
        follow_interval_seconds=1,
        follow_allow_loopback=True,
        **extra,
    )
    app = build_app(settings, load_seeds=False)
    try:
        async with running(app):
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            try:
                yield fake, app
            finally:
                await app.updater.stop()
    finally:
        await fake.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FeedServer() as feeds, bot_world(tmp_path, feeds) as (fake, app):
        yield fake, feeds, app


async def polls_after(app: BotApplication, extra: int) -> None:
    poller = app.bot_data.poller
    assert poller is not None
    target = poller.polls + extra
    for _ in range(300):
        if poller.polls >= target:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the poller did not poll")


async def test_follow_push_once_correct_and_unfollow(
    world: World,
) -> None:
    fake, feeds, app = world
    feeds.put("live", blog(2), "text/html; charset=utf-8")
    url = feeds.url("live")

    refused = await ask(fake, READER, f"/follow {url}")
    assert "Only editors" in refused
    reply = await ask(fake, EDITOR, f"/follow {url}")
    assert "Following" in reply and url in reply and "(new story)" in reply, reply
    assert "2 entries" in reply
    story = (await stories.list_stories(app.bot_data.db))[0]
    assert story.title == "Miners trapped in West Virginia"
    assert await stories.count_items(app.bot_data.db, story.id) == 2
    assert "Subscribed" in await ask(fake, READER, "/subscribe")

    feeds.put("live", blog(3), "text/html; charset=utf-8")
    await fake.wait_for_message(lambda m: "Update 3" in (m.text or ""), chat_id=READER, timeout=15)
    await polls_after(app, 2)  # two more fetches: still one push
    assert len(pushes(fake, READER, "Update 3")) == 1
    assert pushes(fake, READER, "Update 1") == []  # the starting state is not pushed

    feeds.put(
        "live",
        blog(3, e3="Crews drilled shaft 3 overnight; all seven are alive."),
        "text/html; charset=utf-8",
    )

    def corrected(message: StoredMessage) -> bool:
        return "all seven are alive" in (message.text or "")

    await fake.wait_for_message(corrected, chat_id=READER, timeout=15)
    assert len(pushes(fake, READER, "Update 3")) == 1  # edited in place, not sent again
    assert fake.calls("editMessageText")

    listing = await ask(fake, EDITOR, "/sources")
    assert url in listing and "liveblog" in listing and "last fetch" in listing
    assert "never" not in listing.split("next fetch")[0]

    feeds.fail("live", 500)
    await polls_after(app, 1)
    assert "HTTP 500" in await ask(fake, EDITOR, "/sources")

    assert "Stopped following" in await ask(fake, EDITOR, "/unfollow 1")
    assert "No sources" in await ask(fake, EDITOR, "/sources")
    assert "no source number 7" in (await ask(fake, EDITOR, "/unfollow 7")).lower()


async def test_follow_refusals_are_answered_in_the_editors_language(
    world: World,
) -> None:
    fake, feeds, _ = world
    assert "only http:// and https://" in await ask(fake, EDITOR, "/follow ftp://example.org/")
    assert "private network" in await ask(fake, EDITOR, "/follow http://192.168.1.1/feed")
    assert "Please give the address" in await ask(fake, EDITOR, "/follow")
    feeds.put("junk", b"\x00\x01\x02", "application/octet-stream")
    answer = await ask(fake, EDITOR, f"/follow {feeds.url('junk')}")
    assert "neither a live blog" in answer
    assert "no live story number 9" in (await ask(fake, EDITOR, f"/follow {feeds.url('junk')} 9"))


async def test_follow_urls_are_followed_at_start_and_retried_until_they_answer(
    tmp_path: Path,
) -> None:
    async with FeedServer() as feeds:
        feeds.fail("late", 503)
        feeds.put("ready", blog(1), "text/html; charset=utf-8")
        urls = (feeds.url("ready"), feeds.url("late"))
        async with bot_world(tmp_path, feeds, follow_urls=urls) as (fake, app):
            await fake.wait_for(lambda call: call.method == "getUpdates", timeout=10)
            for _ in range(200):
                if len(await app.bot_data.follow.list_sources()) == 1:
                    break
                await asyncio.sleep(0.05)
            listing = await ask(fake, EDITOR, "/sources")
            assert urls[0] in listing and urls[1] not in listing
            feeds.put("late", blog(2), "text/html; charset=utf-8")
            for _ in range(200):  # retried each interval (1 s here)
                if len(await app.bot_data.follow.list_sources()) == 2:
                    break
                await asyncio.sleep(0.05)
            assert urls[1] in await ask(fake, EDITOR, "/sources")
