"""Following live sources: /follow, /sources, /unfollow, and what each poll brings.

New entries become ticker items pushed to subscribers once; a changed entry becomes a
correction and a withdrawn one a retraction, both through the editors' own service, so
delivered copies are edited or deleted exactly as after /edit and /delete. No Telegram."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

from yarl import URL

from bot.config import Settings
from bot.db import audit, deliveries, sources, stories
from bot.db.connection import Database
from bot.db.models import StoryRecord
from bot.db.sources import SourceRecord
from bot.follow.fetcher import Fetched, Fetcher, FetchError, Validators
from bot.follow.formats import Entry, FormatError, Snapshot, read_source
from bot.follow.poller import next_delay
from bot.follow.safety import AddressPolicy, RefusedAddress
from bot.services.editor import EditorError, EditorService

log = logging.getLogger(__name__)

MAX_ITEMS_PER_SOURCE = 5000
SOURCE_USER_ID = 0  # the audit trail's author of changes a source made by itself


class FollowError(Exception):
    """A /follow or /unfollow that cannot be carried out; `code` picks the reply text."""

    def __init__(self, code: str, **args: str | int) -> None:
        super().__init__(code)
        self.code = code
        self.args_for_text = args


@dataclass(frozen=True)
class Followed:
    source: SourceRecord
    story: StoryRecord
    created_story: bool
    items: int


@dataclass
class PollResult:
    """What one poll changed (for logs, tests and benchmarks)."""

    new_item_ids: list[int] = field(default_factory=list)
    corrected_item_ids: list[int] = field(default_factory=list)
    retracted_item_ids: list[int] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False


def describe_failure(exc: FetchError | FormatError) -> str:
    """The one line /sources and the log show for a failed poll."""
    if isinstance(exc, FormatError):
        return f"unreadable: {exc}"
    return str(exc)


def chronological(entries: Iterable[Entry]) -> list[Entry]:
    """Entries oldest first: by their times when every one has one, else reversed (feeds
    and live blogs list the newest first)."""
    listed = list(entries)
    if listed and all(e.published for e in listed):
        return sorted(listed, key=lambda e: e.published or "")
    return list(reversed(listed))


class FollowService:
    """Sources of stories on the web, and turning what they say into ticker items."""

    def __init__(
        self,
        db: Database,
        editor: EditorService,
        fetcher: Fetcher,
        *,
        interval: float,
        notify: Callable[[], Awaitable[None] | None] | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.editor = editor
        self.fetcher = fetcher
        self.interval = interval
        self._notify_cb = notify
        self.clock = clock
        self.rng = rng or random.Random()
        self.on_schedule_change: Callable[[], None] | None = None

    # --- editors ------------------------------------------------------------------------

    async def follow(self, user_id: int | None, url: str, story_id: int | None = None) -> Followed:
        """Fetch a source once and attach it to a story (a new one titled from the source).

        What the source holds now is the story's starting state: stored, not pushed."""
        try:
            checked = str(self.fetcher.policy.check_url(url))
        except RefusedAddress as exc:
            raise FollowError(
                "follow-refused", reason=exc.reason.value, detail=exc.detail
            ) from None
        story: StoryRecord | None = None
        if story_id is not None:
            story = await stories.get_story(self.db, story_id)
            if story is None or story.archived_at is not None:
                raise FollowError("follow-no-story", id=story_id)
            if await sources.find_source(self.db, story_id, checked):
                raise FollowError("follow-exists", url=checked)
        try:
            fetched = await self.fetcher.fetch(checked)
            snapshot = await self._read(fetched)
        except FetchError as exc:
            if exc.refusal is not None:
                # A name that resolves to a private address, or a redirect to one.
                refusal = exc.refusal
                raise FollowError(
                    "follow-refused", reason=refusal.reason.value, detail=refusal.detail
                ) from None
            raise FollowError("follow-fetch-failed", detail=describe_failure(exc)) from None
        except FormatError as exc:
            raise FollowError("follow-unreadable", detail=str(exc)) from None
        title = snapshot.title or (fetched_host(checked))
        async with self.db.atomic():
            created = story is None
            if story is None:
                language = snapshot.parsed.language if snapshot.parsed else "de"
                new_id = await stories.create_story(self.db, title[:200], language)
                story = await stories.get_story(self.db, new_id)
                assert story is not None
            elif await sources.find_source(self.db, story.id, checked):
                raise FollowError("follow-exists", url=checked)
            source_id = await sources.add_source(
                self.db,
                url=checked,
                story_id=story.id,
                title=title,
                source_format=snapshot.format.value,
                created_by=user_id,
                started_story=created,
                next_fetch_at=self.clock() + next_delay(self.interval, rng=self.rng),
            )
            source = await sources.get_source(self.db, source_id)
            assert source is not None
            result = await self._apply(source, snapshot, push=False)
            await sources.record_success(
                self.db,
                source.id,
                etag=fetched.validators.etag,
                last_modified=fetched.validators.last_modified,
                body_hash=_digest(fetched.body),
                changed=True,
                next_fetch_at=source.next_fetch_at,
            )
            await audit.record(
                self.db,
                user_id=user_id if user_id is not None else SOURCE_USER_ID,
                action="follow",
                story_id=story.id,
                target=checked,
                after={"source": source.id, "format": snapshot.format.value},
            )
        self._schedule_changed()
        refreshed = await sources.get_source(self.db, source_id)
        assert refreshed is not None
        return Followed(refreshed, story, created, len(result.new_item_ids))

    async def list_sources(self) -> list[tuple[SourceRecord, StoryRecord | None]]:
        """Every source with its story."""
        out: list[tuple[SourceRecord, StoryRecord | None]] = []
        for source in await sources.list_sources(self.db):
            out.append((source, await stories.get_story(self.db, source.story_id)))
        return out

    async def unfollow(self, user_id: int, source_id: int) -> SourceRecord:
        """Stop following a source; what it brought stays in the story."""
        async with self.db.atomic():
            source = await sources.get_source(self.db, source_id)
            if source is None:
                raise FollowError("unfollow-unknown", id=source_id)
            await sources.delete_source(self.db, source_id)
            await audit.record(
                self.db,
                user_id=user_id,
                action="unfollow",
                story_id=source.story_id,
                target=source.url,
            )
        self._schedule_changed()
        return source

    async def keep_following(self, urls: Iterable[str]) -> None:
        """Follow FOLLOW_URLS; one that cannot be fetched at start is tried again each interval."""
        pending = list(urls)
        while pending:
            pending = await self.follow_configured(pending)
            if pending:
                await asyncio.sleep(self.interval)

    async def follow_configured(self, urls: Iterable[str]) -> list[str]:
        """Follow the FOLLOW_URLS not followed yet; the ones that could not be fetched now."""
        followed = await sources.urls_followed(self.db)
        failed: list[str] = []
        for url in urls:
            if url in followed:
                continue
            try:
                outcome = await self.follow(None, url)
            except FollowError as exc:
                log.warning(
                    "FOLLOW_URLS %s not followed yet: %s %s",
                    url,
                    exc.code,
                    " ".join(str(v) for v in exc.args_for_text.values()),
                )
                failed.append(url)
                continue
            log.info(
                "following %s as source %s (story %s)", url, outcome.source.id, outcome.story.id
            )
        return failed

    # --- the poller's side ----------------------------------------------------------------

    async def due_source_ids(self, now: float, limit: int) -> list[int]:
        """Ids of the sources whose fetch is due."""
        return [s.id for s in await sources.due_sources(self.db, now, limit)]

    async def next_due_at(self) -> float | None:
        """When the next fetch is due."""
        return await sources.next_due_at(self.db)

    async def poll(self, source_id: int) -> None:
        """Fetch a source once and store what changed (the poller's entry point).

        Whatever goes wrong, the source is rescheduled with back-off: an unexpected error
        must not leave it due at once, fetched again and again."""
        try:
            await self.poll_source(source_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("polling source %s failed unexpectedly", source_id)
            source = await sources.get_source(self.db, source_id)
            if source is not None:
                delay = next_delay(self.interval, failures=source.failures + 1, rng=self.rng)
                await sources.record_failure(
                    self.db,
                    source_id,
                    error=f"internal error ({type(exc).__name__})",
                    next_fetch_at=self.clock() + delay,
                )

    async def poll_source(self, source_id: int) -> PollResult:
        """Fetch a source once, conditionally, and store what changed in one transaction."""
        source = await sources.get_source(self.db, source_id)
        if source is None:
            return PollResult(error="gone")
        validators = Validators(etag=source.etag, last_modified=source.last_modified)
        try:
            fetched = await self.fetcher.fetch(source.url, validators)
            if fetched.not_modified or _digest(fetched.body) == source.body_hash:
                await self._unchanged(source, fetched)
                return PollResult(not_modified=True)
            snapshot = await self._read(fetched)
        except (FetchError, FormatError) as exc:
            return await self._failed(source, exc)
        async with self.db.atomic():
            # The source may have been unfollowed while it was being fetched.
            current = await sources.get_source(self.db, source_id)
            if current is None:
                return PollResult(error="gone")
            result = await self._apply(current, snapshot, push=True)
            changed = bool(
                result.new_item_ids or result.corrected_item_ids or result.retracted_item_ids
            )
            await sources.record_success(
                self.db,
                source.id,
                etag=fetched.validators.etag,
                last_modified=fetched.validators.last_modified,
                body_hash=_digest(fetched.body),
                changed=changed,
                next_fetch_at=self.clock() + next_delay(self.interval, rng=self.rng),
                source_format=snapshot.format.value,
                title=snapshot.title,
            )
            if result.error:
                await sources.note_error(self.db, source.id, result.error)
        if result.new_item_ids:
            log.info("source %s: %d new items", source.id, len(result.new_item_ids))
            await self._notify()
        return result

    async def _read(self, fetched: Fetched) -> Snapshot:
        assert fetched.body is not None
        # Parsing a large page takes tens of milliseconds: off the event loop.
        return await asyncio.to_thread(read_source, fetched.body, fetched.content_type)

    async def _unchanged(self, source: SourceRecord, fetched: Fetched) -> None:
        await sources.record_success(
            self.db,
            source.id,
            etag=fetched.validators.etag,
            last_modified=fetched.validators.last_modified,
            body_hash=None,
            changed=False,
            next_fetch_at=self.clock() + next_delay(self.interval, rng=self.rng),
        )

    async def _failed(self, source: SourceRecord, exc: FetchError | FormatError) -> PollResult:
        line = describe_failure(exc)
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        throttled = isinstance(exc, FetchError) and exc.status in (429, 503)
        delay = next_delay(
            self.interval,
            failures=source.failures + 1,
            retry_after=retry_after if throttled else None,
            rng=self.rng,
        )
        await sources.record_failure(
            self.db, source.id, error=line, next_fetch_at=self.clock() + delay
        )
        log.warning("source %s (%s): %s; next try in %.0f s", source.id, source.url, line, delay)
        return PollResult(error=line)

    async def _apply(self, source: SourceRecord, snapshot: Snapshot, *, push: bool) -> PollResult:
        """Store a snapshot's news (caller's transaction): new items, corrections, retractions."""
        result = PollResult()
        known = await sources.known_entries(self.db, source.id)
        count = len(known)
        for entry in chronological(snapshot.entries):
            seen = known.get(entry.key)
            digest = entry.content_hash()
            if seen is None:
                if count >= MAX_ITEMS_PER_SOURCE:
                    result.error = f"limit of {MAX_ITEMS_PER_SOURCE} items reached; newer skipped"
                    continue
                item_id, created = await sources.add_entry_item(
                    self.db,
                    source=source,
                    entry_key=entry.key,
                    headline=entry.headline,
                    body="\n\n".join(entry.body),
                    clock=entry.clock,
                    published=entry.published,
                    content_hash=digest,
                )
                count += 1
                if created:
                    await stories.reindex_entry(self.db, source.story_id, "ticker", item_id)
                    if push:
                        await deliveries.enqueue_item(self.db, source.story_id, item_id)
                    result.new_item_ids.append(item_id)
            elif seen.content_hash != digest and not seen.retracted:
                if await self._correct(seen.item_id, entry):
                    result.corrected_item_ids.append(seen.item_id)
                await sources.set_entry_hash(self.db, source.id, entry.key, digest)
        for key in snapshot.retracted_keys:
            seen = known.get(key)
            if seen is not None and not seen.retracted:
                try:
                    await self.editor.retract(SOURCE_USER_ID, seen.item_id)
                    result.retracted_item_ids.append(seen.item_id)
                except EditorError as exc:
                    log.info(
                        "source %s: retraction of #%s skipped (%s)",
                        source.id,
                        seen.item_id,
                        exc.code,
                    )
        if snapshot.parsed is not None:
            parsed = snapshot.parsed
            quote_ids = await sources.apply_reading(
                self.db,
                source.story_id,
                summary=list(parsed.summary),
                lead=parsed.lead,
                quotes=[(q.text, q.speaker, q.role, q.fragment) for q in parsed.quotes],
                people=[(p.name, p.role) for p in parsed.people],
                replace_summary=source.started_story,
            )
            for quote_id in quote_ids:
                await stories.reindex_entry(self.db, source.story_id, "quote", quote_id)
        if snapshot.truncated:
            log.info("source %s: only the first entries of a long answer were read", source.id)
        return result

    async def _correct(self, item_id: int, entry: Entry) -> bool:
        """The source changed an entry: the editors' /edit path corrects delivered copies."""
        raw = "\n".join((entry.headline, "\n\n".join(entry.body))).strip()
        try:
            await self.editor.edit(SOURCE_USER_ID, item_id, raw)
        except EditorError as exc:
            # Unchanged text (only markup moved) or an item an editor retracted: nothing to do.
            log.info("correction of #%s from its source skipped (%s)", item_id, exc.code)
            return False
        return True

    def _schedule_changed(self) -> None:
        if self.on_schedule_change is not None:
            self.on_schedule_change()

    async def _notify(self) -> None:
        if self._notify_cb is not None:
            outcome = self._notify_cb()
            if outcome is not None:
                await outcome


def user_agent() -> str:
    """The User-Agent of every fetch: names the bot, so a publisher knows who polls."""
    try:
        release = version("briefing-bot")
    except PackageNotFoundError:
        release = "dev"
    return f"briefing-bot/{release} (follows live blogs and feeds for a Telegram news briefing)"


def build_follow_service(
    settings: Settings,
    db: Database,
    editor: EditorService,
    *,
    notify: Callable[[], Awaitable[None] | None] | None = None,
) -> FollowService:
    """The follow service with the fetcher and address policy the settings ask for."""
    policy = AddressPolicy(allow_loopback=settings.follow_allow_loopback)
    fetcher = Fetcher(policy, user_agent=user_agent(), max_bytes=settings.follow_max_bytes)
    return FollowService(
        db, editor, fetcher, interval=settings.follow_interval_seconds, notify=notify
    )


def _digest(body: bytes | None) -> str | None:
    return hashlib.sha256(body).hexdigest() if body is not None else None


def fetched_host(url: str) -> str:
    """A story title of last resort: the source's host name."""
    return URL(url).host or url
