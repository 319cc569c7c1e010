"""Application wiring: builder, lifetime of services, handlers in one ordered place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from typing import Any, cast

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, BaseRateLimiter, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.config import Settings
from bot.context import AppState, BotContext
from bot.db.connection import Database
from bot.handlers.flood import FloodGuard
from bot.handlers.registry import register_handlers
from bot.logs import setup_logging
from bot.services.editor import EditorService
from bot.services.stories import StoryService
from bot.texts import DEFAULT_LANGUAGE, Formatter, Texts
from bot.watch import watch_seeds

log = logging.getLogger(__name__)

BotApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], AppState, Any]


def build_app(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    token: str | None = None,
    with_delivery: bool = True,
    load_seeds: bool = True,
    push_bot: Bot | None = None,
) -> BotApplication:
    """The configured Application; services start in post_init, stop in post_stop."""
    if token is None:
        assert settings.bot_token is not None
        token = settings.bot_token.get_secret_value()
    context_types = ContextTypes(context=BotContext, bot_data=AppState)
    builder = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.file_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .context_types(context_types)
        # Updates are handled concurrently: one user's slow request never holds up another.
        .concurrent_updates(64)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        from bot.delivery.transport import AiohttpRequest

        # The same transport as the fan-out: httpx spends ~1 ms of CPU per request and
        # caps how many updates a second the bot can answer (docs/benchmarks.md).
        builder = builder.request(AiohttpRequest(pool_size=64, read_timeout=15))
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    else:
        # PTB adds the long-poll timeout to this read timeout on every getUpdates.
        builder = builder.get_updates_request(HTTPXRequest(connection_pool_size=2, read_timeout=10))
    if with_delivery:
        from bot.delivery.ratelimit import SharedRateLimiter

        # Reply calls pass no per-call rate-limit arguments, so the limiter's argument
        # type does not matter to the builder.
        limiter = cast("BaseRateLimiter[None]", SharedRateLimiter.for_settings(settings))
        builder = builder.rate_limiter(limiter)
    app: BotApplication = builder.build()
    state = app.bot_data
    state.settings = settings
    state.flood = FloodGuard(limit=settings.flood_limit)
    state.options = {
        "with_delivery": with_delivery,
        "load_seeds": load_seeds,
        "follow": with_delivery,
    }
    state.push_bot = push_bot
    register_handlers(app)
    return app


async def _post_init(app: BotApplication) -> None:
    state = app.bot_data
    settings = state.settings
    state.db = await Database.open(settings.database_path)
    state.texts = Texts()
    state.stories = StoryService(
        state.db, max_import_bytes=settings.max_import_bytes, on_new_items=state.notify_delivery
    )
    state.editor = EditorService(state.db, notify=state.notify_delivery)
    if state.options.get("load_seeds", True):
        for path, outcome in await state.stories.load_seed_folder(settings.seeds_dir):
            log.info("seed %s: %s", path.name, _describe(outcome))
    if state.options.get("with_delivery", True):
        from bot.delivery.engine import DeliveryEngine, build_push_bot
        from bot.render import TextRenderer

        state.engine = DeliveryEngine(
            state.db,
            state.push_bot or build_push_bot(settings),
            TextRenderer(state.db, state.texts),
            rate=settings.push_rate,
            paid=settings.paid_broadcast,
            channel_id=settings.channel_id,
            deadline=settings.delivery_deadline_seconds,
        )
        await state.engine.start()
    if state.options.get("load_seeds", True):
        state.background.append(asyncio.create_task(watch_seeds(state), name="watch-seeds"))
    await _start_following(state)
    await _register_commands(app)


async def _start_following(state: AppState) -> None:
    from bot.services.follow import build_follow_service

    state.follow = build_follow_service(
        state.settings, state.db, state.editor, notify=state.notify_delivery
    )
    if state.options.get("follow", True):
        from bot.follow.poller import Poller

        state.poller = Poller(state.follow)
        state.follow.on_schedule_change = state.poller.wake
        await state.poller.start()
        if state.settings.follow_urls:
            state.background.append(
                asyncio.create_task(
                    state.follow.keep_following(state.settings.follow_urls), name="follow-urls"
                )
            )


def _describe(outcome: object) -> str:
    from bot.db.stories import ImportOutcome

    if isinstance(outcome, ImportOutcome):
        if outcome.unchanged:
            return f"story {outcome.story_id} unchanged"
        verb = "created" if outcome.created else "updated"
        return f"story {outcome.story_id} {verb}, {len(outcome.new_item_ids)} new items"
    return f"skipped ({outcome})"


async def _register_commands(app: BotApplication) -> None:
    texts = app.bot_data.texts

    def menu(language: str) -> list[BotCommand]:
        return [BotCommand(c, d) for c, d in Formatter(texts, language).command_menu()]

    try:
        for language in ("de", "en"):
            await app.bot.set_my_commands(menu(language), language_code=language)
        # Clients in other languages get the English list, as the reader texts do.
        await app.bot.set_my_commands(menu(DEFAULT_LANGUAGE))
    except TelegramError as exc:
        log.warning("could not register the command lists (%s); running on", exc)


async def _post_stop(app: BotApplication) -> None:
    state = app.bot_data
    if state.poller is not None:
        await state.poller.stop()
    if hasattr(state, "follow"):
        await state.follow.fetcher.close()
    for task in state.background:
        task.cancel()
    for task in state.background:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    state.background.clear()
    if state.engine is not None:
        await state.engine.stop(drain_timeout=10)


async def _post_shutdown(app: BotApplication) -> None:
    state = app.bot_data
    if hasattr(state, "db"):
        await state.db.close()


@contextlib.asynccontextmanager
async def running(app: BotApplication) -> AsyncIterator[BotApplication]:
    """Run the app without polling (console, tests, benchmarks), with the same lifetime
    hooks run_polling calls: post_init after initialize, post_stop, post_shutdown."""
    await app.initialize()
    try:
        await _post_init(app)
        await app.start()
        try:
            yield app
        finally:
            await app.stop()
            await _post_stop(app)
    finally:
        await app.shutdown()
        await _post_shutdown(app)


def run_bot(settings: Settings) -> int:
    """Run long polling until SIGINT or SIGTERM; returns the exit code."""
    assert settings.bot_token is not None
    setup_logging(settings.log_level, secrets=(settings.bot_token.get_secret_value(),))
    app = build_app(settings)
    log.info("starting against %s", _public_base(settings.telegram_base_url))
    app.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER],
        stop_signals=(signal.SIGINT, signal.SIGTERM),
        timeout=30,
        bootstrap_retries=3,
    )
    return 0


def _public_base(url: str) -> str:
    return url.split("/bot")[0] if "/bot" in url else url
