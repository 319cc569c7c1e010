"""Editors follow live sources on the web: /follow URL [STORY], /sources, /unfollow N."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update

from bot.context import BotContext
from bot.db.models import StoryRecord
from bot.db.sources import SourceRecord
from bot.handlers.common import command_text, reply
from bot.handlers.editor import editor_only
from bot.services.follow import FollowError
from bot.texts import Formatter

REFUSAL_TEXTS = {
    "scheme": "follow-refused-scheme",
    "loopback": "follow-refused-loopback",
    "private": "follow-refused-private",
    "link-local": "follow-refused-link-local",
    "reserved": "follow-refused-reserved",
    "unresolved": "follow-refused-unresolved",
    "malformed": "follow-refused-malformed",
}


def follow_error_text(fmt: Formatter, exc: FollowError) -> str:
    """The reply to a FollowError, in the editor's language."""
    args = exc.args_for_text
    if exc.code == "follow-refused":
        key = REFUSAL_TEXTS.get(str(args.get("reason")), "follow-refused-malformed")
        reason = fmt.text(key, detail=str(args.get("detail", "")))
        return fmt.texts.get(fmt.lang, "follow-refused", reason=reason)
    return fmt.text(exc.code, **args)


@editor_only
async def follow(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    parts = command_text(update).split()
    if not parts or len(parts) > 2:
        await reply(update, context, fmt.text("follow-usage"))
        return
    story_id: int | None = None
    if len(parts) == 2:
        raw = parts[1].lstrip("#")
        if not raw.isdigit() or len(raw) > 9:
            await reply(update, context, fmt.text("follow-usage"))
            return
        story_id = int(raw)
    try:
        outcome = await context.state.follow.follow(user.id, parts[0], story_id)
    except FollowError as exc:
        await reply(update, context, follow_error_text(fmt, exc))
        return
    html = fmt.text(
        "follow-done",
        url=outcome.source.url,
        id=outcome.source.id,
        title=outcome.story.title,
        created="yes" if outcome.created_story else "no",
        total=outcome.items,
    )
    await reply(update, context, html)


def _when(fmt: Formatter, iso: str | None) -> str:
    return fmt.datetime_short(iso) if iso else fmt.plain("sources-never")


def source_block(fmt: Formatter, source: SourceRecord, story: StoryRecord | None) -> str:
    """One source in /sources: URL, story, format, fetch times and the last error."""
    next_at = datetime.fromtimestamp(source.next_fetch_at, UTC).isoformat(timespec="seconds")
    block = fmt.text(
        "sources-entry",
        id=source.id,
        url=source.url,
        story=story.title if story else "?",
        format=source.format or fmt.plain("sources-unknown-format"),
        fetched=_when(fmt, source.last_fetch_at),
        changed=_when(fmt, source.last_change_at),
        next=_when(fmt, next_at),
    )
    if source.last_error:
        block += "\n" + fmt.text(
            "sources-error", error=source.last_error, at=_when(fmt, source.last_error_at)
        )
    return block


@editor_only
async def sources_command(update: Update, context: BotContext, fmt: Formatter) -> None:
    listed = await context.state.follow.list_sources()
    if not listed:
        await reply(update, context, fmt.text("sources-none"))
        return
    blocks = [fmt.text("sources-title")] + [source_block(fmt, s, t) for s, t in listed]
    await reply(update, context, "\n\n".join(blocks))


@editor_only
async def unfollow(update: Update, context: BotContext, fmt: Formatter) -> None:
    user = update.effective_user
    assert user is not None
    raw = command_text(update).lstrip("#")
    if not raw.isdigit() or len(raw) > 9:
        await reply(update, context, fmt.text("unfollow-usage"))
        return
    try:
        source = await context.state.follow.unfollow(user.id, int(raw))
    except FollowError as exc:
        await reply(update, context, follow_error_text(fmt, exc))
        return
    await reply(update, context, fmt.text("unfollow-done", url=source.url, id=source.id))
