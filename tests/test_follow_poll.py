"""A followed source over time: new entries pushed once, edits corrected, faults survived."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from bench.fakeapi.botapi import FakeBotApi
from bench.fakeapi.feeds import (
    FakeResolver,
    FeedEntry,
    FeedServer,
    article,
    atom,
    json_feed,
    liveblog,
    rss,
)
from bot.db import sources, stories
from bot.db.connection import Database
from bot.follow.fetcher import Fetcher
from bot.follow.safety import AddressPolicy
from bot.services.editor import EditorService
from bot.services.follow import FollowError, FollowService
from tests.conftest_delivery import make_engine, run_until_idle, sends, subscribe_users

QUOTE_BODY = "„Wir sind erleichtert“, sagte Bürgermeisterin Anna Keller am Abend vor Journalisten."


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class World:
    db: Database
    feeds: FeedServer
    fake: FakeBotApi
    service: FollowService
    clock: Clock

    def url(self, path: str) -> str:
        return self.feeds.url(path, host="news.test")


@pytest.fixture
async def world(db: Database, fake: FakeBotApi) -> AsyncIterator[World]:
    async with FeedServer() as feeds:
        clock = Clock()
        fetcher = Fetcher(
            AddressPolicy(allow_loopback=True),
            user_agent="briefing-bot/test",
            resolver=FakeResolver({"news.test": "127.0.0.1", "intranet.test": "10.0.0.7"}),
            timeout_s=2,
        )
        editor = EditorService(db, notify=lambda: None)
        service = FollowService(db, editor, fetcher, interval=30, clock=clock)
        try:
            yield World(db, feeds, fake, service, clock)
        finally:
            await fetcher.close()


def entries(n: int, **changes: str) -> list[FeedEntry]:
    out = [
        FeedEntry(
            id=f"urn:entry:{i}",
            title=f"Meldung {i}",
            body=f"Text der Meldung {i}. {QUOTE_BODY if i == 1 else ''}".strip(),
            published=f"2025-10-08T{10 + i:02d}:00:00+02:00",
        )
        for i in range(1, n + 1)
    ]
    for key, value in changes.items():
        index, _, attr = key.partition("_")
        setattr(out[int(index.removeprefix("e")) - 1], attr, value)
    return list(reversed(out))  # newest first, as publishers list them


FORMATS: dict[str, tuple[Callable[[str, list[FeedEntry]], str], str]] = {
    "rss": (rss, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "jsonfeed": (json_feed, "application/feed+json"),
    "liveblog": (liveblog, "text/html; charset=utf-8"),
}


async def texts(fake: FakeBotApi, chat: int) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(chat, include_deleted=False)]


@pytest.mark.parametrize("kind", sorted(FORMATS))
async def test_new_entry_pushed_once_and_edit_corrects_delivered_copies(
    world: World, kind: str
) -> None:
    build, content_type = FORMATS[kind]
    world.feeds.put("live", build("Hochwasser in Passau", entries(2)), content_type)
    followed = await world.service.follow(42, world.url("live"))
    assert followed.created_story and followed.story.title == "Hochwasser in Passau"
    assert followed.items == 2 and followed.source.format == kind
    story = followed.story.id
    await subscribe_users(world.db, world.fake, story, 101, 102)

    # The starting state is not news: nothing is pushed for it.
    await run_until_idle(make_engine(world.db, world.fake))
    assert sends(world.fake) == []
    quotes = await stories.quotes(world.db, story)
    assert any(q.speaker == "Anna Keller" for q in quotes), quotes

    world.feeds.put("live", build("Hochwasser in Passau", entries(3)), content_type)
    result = await world.service.poll_source(followed.source.id)
    assert len(result.new_item_ids) == 1
    again = await world.service.poll_source(followed.source.id)  # 304 or the same bytes
    assert again.new_item_ids == [] and again.not_modified
    await run_until_idle(make_engine(world.db, world.fake))
    for chat in (101, 102):
        got = await texts(world.fake, chat)
        assert len(got) == 1 and "Meldung 3" in got[0]

    edited = entries(3, e3_body="Text der Meldung 3, korrigiert: 40 Helfer.")
    world.feeds.put("live", build("Hochwasser in Passau", edited), content_type)
    result = await world.service.poll_source(followed.source.id)
    assert result.corrected_item_ids and not result.new_item_ids
    await run_until_idle(make_engine(world.db, world.fake))
    for chat in (101, 102):
        got = await texts(world.fake, chat)
        assert len(got) == 1 and "40 Helfer" in got[0]
    assert len(world.fake.calls("editMessageText")) == 2


async def test_removed_entry_is_retracted_only_when_the_source_says_so(world: World) -> None:
    world.feeds.put("atom", atom("Wahl", entries(2)), "application/atom+xml")
    followed = await world.service.follow(42, world.url("atom"))
    await subscribe_users(world.db, world.fake, followed.story.id, 101)
    world.feeds.put("atom", atom("Wahl", entries(3)), "application/atom+xml")
    await world.service.poll_source(followed.source.id)
    await run_until_idle(make_engine(world.db, world.fake))
    assert len(await texts(world.fake, 101)) == 1

    # Dropped from the feed's window: not a retraction.
    world.feeds.put("atom", atom("Wahl", entries(3)[:1]), "application/atom+xml")
    result = await world.service.poll_source(followed.source.id)
    assert result.retracted_item_ids == []
    # A tombstone for entry 3: the delivered copy goes.
    world.feeds.put(
        "atom", atom("Wahl", entries(2), deleted=("urn:entry:3",)), "application/atom+xml"
    )
    result = await world.service.poll_source(followed.source.id)
    assert len(result.retracted_item_ids) == 1
    await run_until_idle(make_engine(world.db, world.fake))
    assert await texts(world.fake, 101) == []


async def test_liveblog_status_deleted_retracts(world: World) -> None:
    page = "text/html; charset=utf-8"
    world.feeds.put("blog", liveblog("Gipfel", entries(2)), page)
    followed = await world.service.follow(42, world.url("blog"))
    world.feeds.put("blog", liveblog("Gipfel", entries(2, e2_status="Deleted")), page)
    result = await world.service.poll_source(followed.source.id)
    assert len(result.retracted_item_ids) == 1


async def test_faults_keep_the_last_good_state_and_back_off(world: World) -> None:
    world.feeds.put("feed", rss("Streik", entries(2)), "application/rss+xml")
    followed = await world.service.follow(42, world.url("feed"))
    source_id = followed.source.id
    before = await stories.count_items(world.db, followed.story.id)

    world.feeds.put("feed", "<rss version='2.0'><channel><item><title>x", "application/rss+xml")
    world.feeds.routes["feed"].body = b"\x00\x01garbage{"  # neither HTML nor a feed
    result = await world.service.poll_source(source_id)
    assert result.error and result.error.startswith("unreadable")
    source = await sources.get_source(world.db, source_id)
    assert source is not None and source.last_error == result.error and source.failures == 1
    assert await stories.count_items(world.db, followed.story.id) == before

    world.feeds.fail("feed", 500)
    await world.service.poll_source(source_id)
    source = await sources.get_source(world.db, source_id)
    assert source is not None and source.failures == 2 and "HTTP 500" in (source.last_error or "")
    assert source.next_fetch_at >= world.clock.now + 30 * 4  # doubled twice

    world.feeds.fail("feed", 503, **{"Retry-After": "600"})
    await world.service.poll_source(source_id)
    source = await sources.get_source(world.db, source_id)
    assert source is not None and source.next_fetch_at >= world.clock.now + 600

    world.feeds.put("feed", rss("Streik", entries(3)), "application/rss+xml")
    result = await world.service.poll_source(source_id)
    assert len(result.new_item_ids) == 1
    source = await sources.get_source(world.db, source_id)
    assert source is not None and source.last_error is None and source.failures == 0
    assert source.next_fetch_at <= world.clock.now + 30


async def test_follow_refuses_with_a_reason_and_stores_nothing(world: World) -> None:
    world.feeds.redirect("jump", "http://intranet.test/secret")
    cases = {
        "ftp://example.org/x": "follow-refused",
        "http://10.0.0.1/feed": "follow-refused",
        world.url("jump"): "follow-refused",
        "http://intranet.test/feed": "follow-refused",
        world.url("missing"): "follow-fetch-failed",
    }
    for url, code in cases.items():
        with pytest.raises(FollowError) as caught:
            await world.service.follow(42, url)
        assert caught.value.code == code, url
    assert await sources.list_sources(world.db) == []
    assert await stories.list_stories(world.db) == []


async def test_follow_into_an_existing_story_and_unfollow(world: World) -> None:
    story_id = await stories.create_story(world.db, "Eigenes Thema", "de")
    world.feeds.put("feed", json_feed("Fremder Titel", entries(2)), "application/feed+json")
    followed = await world.service.follow(42, world.url("feed"), story_id)
    assert followed.story.id == story_id and not followed.created_story
    with pytest.raises(FollowError) as caught:
        await world.service.follow(42, world.url("feed"), story_id)
    assert caught.value.code == "follow-exists"
    story = await stories.get_story(world.db, story_id)
    assert story is not None and story.title == "Eigenes Thema"

    await world.service.unfollow(42, followed.source.id)
    assert await sources.list_sources(world.db) == []
    assert await stories.count_items(world.db, story_id) == 2
    # Followed again: the same entries are the same items, not doubled.
    again = await world.service.follow(42, world.url("feed"), story_id)
    assert again.items == 0
    assert await stories.count_items(world.db, story_id) == 2
    # A new number: "/unfollow 1" typed late (or read in /audit) must not mean the new source.
    assert again.source.id > followed.source.id


TICKER = [
    "Der Streik im Nahverkehr geht weiter; die Gewerkschaft ruft zu weiteren Warnstreiks auf.",
    "Liveblog",
    "21:15 Uhr",
    "Gewerkschaft lehnt Angebot ab",
    "Die Gewerkschaft hat das Angebot der Arbeitgeber abgelehnt, wie ein Sprecher sagte.",
    "20:40 Uhr",
    "Arbeitgeber legen neues Angebot vor",
    "Die Arbeitgeber haben ein neues Angebot vorgelegt: 4,5 Prozent mehr Lohn.",
]


async def test_a_plain_page_through_the_importer_pushes_new_items_and_corrects_edits(
    world: World,
) -> None:
    page = "text/html; charset=utf-8"
    world.feeds.put("page", article("Streik im Nahverkehr", TICKER), page)
    followed = await world.service.follow(42, world.url("page"))
    assert followed.source.format == "html" and followed.items == 2
    await subscribe_users(world.db, world.fake, followed.story.id, 101)
    newer = [*TICKER[:2], "21:50 Uhr", "Verhandlungen vertagt", "Weiter am Montag.", *TICKER[2:]]
    world.feeds.put("page", article("Streik im Nahverkehr", newer), page)
    result = await world.service.poll_source(followed.source.id)
    assert len(result.new_item_ids) == 1
    item = await stories.get_item(world.db, result.new_item_ids[0])
    assert item is not None and item.headline == "Verhandlungen vertagt" and item.time == "21:50"
    await run_until_idle(make_engine(world.db, world.fake))
    assert len(await texts(world.fake, 101)) == 1
    newer[4] = "Weiter am Montag um 10 Uhr."
    world.feeds.put("page", article("Streik im Nahverkehr", newer), page)
    result = await world.service.poll_source(followed.source.id)
    assert result.corrected_item_ids == [item.id] and not result.new_item_ids
    await run_until_idle(make_engine(world.db, world.fake))
    (shown,) = await texts(world.fake, 101)
    assert "um 10 Uhr" in shown


async def test_items_per_source_are_capped_and_the_cap_is_shown(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.services.follow.MAX_ITEMS_PER_SOURCE", 3)
    world.feeds.put("feed", rss("Viel", entries(2)), "application/rss+xml")
    followed = await world.service.follow(42, world.url("feed"))
    world.feeds.put("feed", rss("Viel", entries(5)), "application/rss+xml")
    result = await world.service.poll_source(followed.source.id)
    assert len(result.new_item_ids) == 1
    source = await sources.get_source(world.db, followed.source.id)
    assert source is not None and "limit of 3 items" in (source.last_error or "")
    assert await stories.count_items(world.db, followed.story.id) == 3


async def test_a_malformed_answer_is_one_log_line(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.feeds.put("feed", rss("Streik", entries(1)), "application/rss+xml")
    followed = await world.service.follow(42, world.url("feed"))
    world.feeds.put("feed", b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html")
    with caplog.at_level("WARNING", logger="bot.services.follow"):
        await world.service.poll_source(followed.source.id)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.services.follow"]
    assert len(lines) == 1 and "without an items list" in lines[0] and "\n" not in lines[0]
    assert caplog.records[0].exc_info is None


async def test_an_unexpected_failure_reschedules_the_source_with_back_off(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.feeds.put("feed", rss("Streik", entries(1)), "application/rss+xml")
    followed = await world.service.follow(42, world.url("feed"))
    world.feeds.put("feed", rss("Streik", entries(2)), "application/rss+xml")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(world.service, "_apply", broken)
    await world.service.poll(followed.source.id)  # the poller's entry point: never raises
    source = await sources.get_source(world.db, followed.source.id)
    assert source is not None and source.last_error == "internal error (RuntimeError)"
    assert source.next_fetch_at >= world.clock.now + 60
    assert await stories.count_items(world.db, followed.story.id) == 1


async def test_an_importer_crash_on_a_page_reads_as_unreadable(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.feeds.put("page", article("Streik im Nahverkehr", TICKER), "text/html")
    followed = await world.service.follow(42, world.url("page"))

    def crash(text: str) -> None:
        raise IndexError("importer bug")

    monkeypatch.setattr("bot.follow.formats.parse_story", crash)
    world.feeds.put("page", article("Streik im Nahverkehr", TICKER[:5]), "text/html")
    result = await world.service.poll_source(followed.source.id)
    assert result.error == "unreadable: the page's text cannot be imported (IndexError)"
