"""Application wiring: builder, lifetime of services, handlers in one ordered place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast

from telegram import Bot, BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import Application, BaseRateLimiter, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot import metrics
from bot.backup import BackupError, DatabaseInUse, backup_database, hold_database, rotate
from bot.config import Settings
from bot.context import AppState, BotContext
from bot.db.connection import Database, DatabaseUnusable
from bot.db.lease import AdvisoryLease, lease_for
from bot.db.stories import ImportOutcome
from bot.delivery.engine import DeliveryEngine
from bot.delivery.ratelimit import ChatPacer, SharedRateLimiter, shared_budget
from bot.delivery.transport import AiohttpRequest, build_push_bot
from bot.engineproc import EngineProcess
from bot.flood import FloodGuard
from bot.follow.poller import Poller as SourcePoller
from bot.handlers.registry import register_handlers
from bot.health import HealthServer
from bot.heap import settle_after_start
from bot.logs import redact, setup_logging
from bot.metered import MeteredApplication, MeteredRequest
from bot.polling import TOKEN_REJECTED, Poller, PollingEnded, describe
from bot.render import TextRenderer
from bot.services.editor import EditorService
from bot.services.follow import build_follow_service
from bot.services.stories import StoryService
from bot.story.worker import SHARED_WORKER
from bot.texts import DEFAULT_LANGUAGE, LANGUAGES, Formatter, Texts
from bot.watch import watch_seeds
from bot.webhook import WebhookFailed, serve_webhook

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
    pacer: ChatPacer | None = None,
) -> BotApplication:
    """The configured Application; services start in post_init, stop in post_stop.

    `pacer` replaces the process-wide per-chat pacer for replies and pushes alike (tests
    run Telegram's per-chat limits faster)."""
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
        .application_class(MeteredApplication)
        # Updates are handled concurrently: one user's slow request never holds up another.
        .concurrent_updates(64)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request)
    else:
        # The same transport as the fan-out: httpx spends ~1 ms of CPU per request and
        # caps how many updates a second the bot can answer (docs/benchmarks.md).
        builder = builder.request(AiohttpRequest(pool_size=64, read_timeout=15))
    if updates_request is not None:
        builder = builder.get_updates_request(updates_request)
    else:
        # PTB adds the long-poll timeout to this read timeout on every getUpdates.
        builder = builder.get_updates_request(HTTPXRequest(connection_pool_size=2, read_timeout=10))
    if with_delivery:
        # Reply calls pass no per-call rate-limit arguments, so the limiter's argument
        # type does not matter to the builder.
        limiter = cast(
            "BaseRateLimiter[None]",
            SharedRateLimiter.for_settings(settings)
            if pacer is None
            else SharedRateLimiter(
                shared_budget(settings.push_rate, settings.paid_broadcast), pacer=pacer
            ),
        )
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
    state.pacer = pacer
    register_handlers(app)
    return app


async def _post_init(app: BotApplication) -> None:
    state = app.bot_data
    settings = state.settings
    if not hasattr(state, "db"):
        state.db = await Database.open(settings.store)
    state.texts = Texts()
    state.stories = StoryService(
        state.db, max_import_bytes=settings.max_import_bytes, on_new_items=state.notify_delivery
    )
    state.editor = EditorService(state.db, notify=state.notify_delivery)
    state.follow = build_follow_service(
        settings, state.db, state.editor, notify=state.notify_delivery
    )
    state.lease = lease_for(state.db)
    if isinstance(state.lease, AdvisoryLease):
        # Replicas on one PostgreSQL: only the lease holder pushes and polls sources.
        state.standby = True
        state.background.append(asyncio.create_task(_hold_lease(state), name="lease"))
    else:
        await _start_singletons(state)
    await _register_commands(app)


async def _hold_lease(state: AppState) -> None:
    """Wait for the lease, run the singleton work while it is held; when it is lost, stop
    the process (a supervisor starts it again as a standby): another replica may be
    pushing by now, and two engines on one outbox would send twice."""
    assert state.lease is not None
    log.info("lease: standby until no other replica runs the push engine")
    await state.lease.acquire()
    state.standby = False
    log.info("lease: taken; this replica runs the push engine and the pollers")
    await _start_singletons(state)
    await state.lease.lost.wait()
    log.error("lease: lost; stopping so that only one replica pushes")
    state.engine_stopped = True
    state.lease_lost = True
    if state.stop_requested is not None:
        # serve's own stop, not a signal to the process: serve may run inside a host loop
        # (the tests), and the exit code says the stop was a failure, for the supervisor.
        state.stop_requested.set()
    else:
        os.kill(os.getpid(), signal.SIGTERM)


async def _start_singletons(state: AppState) -> None:
    """The work exactly one process runs per store: seeds, the push engine, following."""
    settings = state.settings
    if state.options.get("load_seeds", True):
        for path, outcome in await state.stories.load_seed_folder(settings.seeds_dir):
            log.info("seed %s: %s", path.name, _describe(outcome))
            if not isinstance(outcome, ImportOutcome):
                metrics.import_failed()
    if state.options.get("with_delivery", True) and settings.push_engine == "process":
        state.engine = EngineProcess(settings)
        await state.engine.start()
    elif state.options.get("with_delivery", True):
        state.engine = DeliveryEngine(
            state.db,
            state.push_bot or build_push_bot(settings),
            TextRenderer(state.db, state.texts, default_zone=settings.timezone),
            rate=settings.push_rate,
            paid=settings.paid_broadcast,
            channel_id=settings.channel_id,
            deadline=settings.delivery_deadline_seconds,
            pacer=state.pacer,
        )
        # The engine's tasks read on a connection of their own: readers never queue behind
        # a push's reads.
        with state.db.background_reads():
            await state.engine.start()
    if state.options.get("load_seeds", True):
        state.background.append(asyncio.create_task(watch_seeds(state), name="watch-seeds"))
    await _start_following(state)


async def _start_following(state: AppState) -> None:
    if state.options.get("follow", True):
        state.poller = SourcePoller(state.follow)
        state.follow.on_schedule_change = state.poller.wake
        await state.poller.start()
        if state.settings.follow_urls:
            state.background.append(
                asyncio.create_task(
                    state.follow.keep_following(state.settings.follow_urls), name="follow-urls"
                )
            )


def _describe(outcome: object) -> str:
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
    await _register_editor_commands(app)
    await _describe_bot(app)


async def _register_editor_commands(app: BotApplication) -> None:
    """Editors see their commands in their own chat's menu, readers never do."""
    texts = app.bot_data.texts
    for editor_id in sorted(app.bot_data.settings.admin_ids):
        scope = BotCommandScopeChat(editor_id)
        try:
            for language in (*LANGUAGES, None):
                fmt = Formatter(texts, language or DEFAULT_LANGUAGE)
                commands = [BotCommand(c, d) for c, d in fmt.command_menu(is_editor=True)]
                await app.bot.set_my_commands(commands, scope=scope, language_code=language)
        except TelegramError as exc:
            # An editor who never opened the bot has no chat yet: the next start tries again.
            log.warning("could not register the editor menu for %s (%s)", editor_id, exc)


async def _describe_bot(app: BotApplication) -> None:
    """What Telegram shows before /start and on the bot's profile, in both languages."""
    texts = app.bot_data.texts
    try:
        for language in (*LANGUAGES, None):
            fmt = Formatter(texts, language or DEFAULT_LANGUAGE)
            await app.bot.set_my_description(fmt.plain("bot-description"), language_code=language)
            await app.bot.set_my_short_description(
                fmt.plain("bot-short-description"), language_code=language
            )
    except TelegramError as exc:
        log.warning("could not set the bot's description (%s); running on", exc)


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
        state.engine_stopped = True
        # Docker and most supervisors send SIGKILL 10 s after SIGTERM.
        await state.engine.stop(drain_timeout=4)


async def _post_shutdown(app: BotApplication) -> None:
    state = app.bot_data
    if state.lease is not None:
        # After the engine stopped (post_stop): a standby may take over at once.
        await state.lease.release()
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


ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)
EXIT_FAILED, EXIT_SETUP = 1, 2
# A stop must end the process: the push engine drains for up to 10 s, the rest is quick.
SHUTDOWN_LIMIT_S = 20.0
START_ATTEMPTS = 1
HANDLER_GRACE_S = 3.0


class StartupError(Exception):
    """A start-up condition the operator must fix; the message is one line naming it."""


def run_bot(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM, or until polling cannot go on; returns the exit code."""
    assert settings.bot_token is not None
    setup_logging(settings.log_level, secrets=settings.secrets)
    try:
        code = asyncio.run(serve(settings))
    except KeyboardInterrupt:
        code = 0
    # The parse worker's management thread is not a daemon: end it here, before the check
    # below, or every stop would report it and skip the worker's clean shutdown.
    SHARED_WORKER.close()
    _exit_if_threads_linger(code)
    return code


def _exit_if_threads_linger(code: int) -> None:
    # Worker threads that were not closed (a connection of a crashed service) would keep
    # the interpreter alive after main returns; a supervisor expects the process gone.
    lingering = [
        t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon
    ]
    if lingering:
        log.warning("exiting with %d worker threads still open", len(lingering))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


async def serve(settings: Settings, stop_when: asyncio.Event | None = None) -> int:
    """Start, poll or serve the webhook until SIGINT or SIGTERM (or until `stop_when` is
    set, instead of signals: tests run it so in their own loop), then stop; the exit code."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event() if stop_when is None else stop_when
    signals = (signal.SIGINT, signal.SIGTERM) if stop_when is None else ()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            # A second signal while stopping: the operator wants it gone now.
            log.warning("second %s while stopping: exiting now", signal.Signals(signum).name)
            logging.shutdown()
            os._exit(EXIT_FAILED)
        log.info("%s received: stopping", signal.Signals(signum).name)
        stop.set()

    for signum in signals:
        loop.add_signal_handler(signum, on_signal, signum)
    requests: list[BaseRequest] = [
        MeteredRequest(pool_size=64, read_timeout=15),
        HTTPXRequest(connection_pool_size=2, read_timeout=10),
    ]
    app = build_app(settings, request=requests[0], updates_request=requests[1])
    state = app.bot_data
    state.stop_requested = stop
    started: list[str] = []
    code = 0
    try:
        try:
            await _start(app, started, stop)
        except StartupError as exc:
            print(redact(str(exc)), file=sys.stderr, flush=True)
            return EXIT_SETUP
        if stop.is_set():
            return 0
        if stop_when is None:
            # A process of its own (not a test's loop, whose heap is shared by many bots).
            settle_after_start()
        base = _public_base(settings.telegram_base_url)
        if settings.webhook_url is not None:
            try:
                await serve_webhook(app, stop, started)
            except WebhookFailed as exc:
                print(redact(str(exc)), file=sys.stderr, flush=True)
                return EXIT_SETUP
            return EXIT_FAILED if state.lease_lost else 0
        log.info("running (long polling against %s)", base)
        code = await _poll_until_stopped(app, stop)
        return EXIT_FAILED if state.lease_lost else code
    finally:
        try:
            await asyncio.wait_for(_stop(app, started), SHUTDOWN_LIMIT_S)
        except Exception as exc:
            log.error("stopping did not finish cleanly: %s", describe(exc))
        finally:
            if hasattr(state, "db"):
                with contextlib.suppress(Exception):
                    await state.db.close()
            for request in requests:
                with contextlib.suppress(Exception):
                    await request.shutdown()
            state.exit_stack.close()
            for signum in signals:
                loop.remove_signal_handler(signum)


def _store_problem(settings: Settings, exc: DatabaseUnusable) -> str:
    """One line naming the store's setting; a PostgreSQL message names DATABASE_URL itself
    (and never the URL, which holds the password)."""
    if settings.database_url is not None:
        return redact(str(exc), settings.secrets)
    return f"DATABASE_PATH {exc}"


async def _start(app: BotApplication, started: list[str], stop: asyncio.Event) -> None:
    settings = app.bot_data.settings
    path = settings.database_path
    # On PostgreSQL replicas share the store by design (a lease picks who pushes); the
    # file lock is SQLite's guard against a second bot on one file.
    if settings.database_url is None and str(path) != ":memory:":
        try:
            # Held while the bot runs: a second bot on the same file (it would send every
            # push twice) and a restore underneath it are refused.
            app.bot_data.exit_stack.enter_context(hold_database(path))
        except DatabaseInUse:
            raise StartupError(
                f"DATABASE_PATH {path}: in use by another running bot (stop it first)"
            ) from None
        except OSError as exc:
            raise StartupError(
                f"DATABASE_PATH {path}: cannot create its folder ({exc.strerror or exc})"
            ) from None
    try:
        app.bot_data.db = await Database.open(settings.store)
    except DatabaseUnusable as exc:
        raise StartupError(_store_problem(settings, exc)) from None
    await _initialize(app, stop)
    started.append("initialized")
    try:
        await _post_init(app)
    except DatabaseUnusable as exc:
        raise StartupError(_store_problem(settings, exc)) from None
    except sqlite3.Error as exc:
        raise StartupError(f"DATABASE_PATH {settings.database_path}: {exc}") from None
    finally:
        started.append("services")
    await app.start()
    started.append("app")
    if settings.backup_dir is not None:
        app.bot_data.background.append(
            asyncio.create_task(_back_up_every(app.bot_data), name="backups")
        )
    if settings.health_port is not None:
        health = HealthServer(app.bot_data, settings.health_listen, settings.health_port)
        try:
            await health.start()
        except OSError as exc:
            raise StartupError(
                f"HEALTH_PORT {settings.health_port} on HEALTH_LISTEN {settings.health_listen}"
                f" cannot be opened ({exc.strerror or exc})"
            ) from None
        app.bot_data.health_server = health
        started.append("health")


async def _initialize(app: BotApplication, stop: asyncio.Event) -> None:
    """getMe through app.initialize(), retried briefly; failures become one line."""
    settings = app.bot_data.settings
    base = _public_base(settings.telegram_base_url)
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            await app.initialize()
            return
        except InvalidToken as exc:
            # PTB re-raises with the token in the message; only the cause says 401 or 404.
            cause = exc.__cause__ if isinstance(exc.__cause__, TelegramError) else exc
            if "not found" in cause.message.lower():
                raise StartupError(
                    f"TELEGRAM_BASE_URL {base} answers 404 Not Found: it does not look like "
                    "the Bot API (the address ends in /bot)"
                ) from None
            raise StartupError(TOKEN_REJECTED) from None
        except (NetworkError, TimedOut) as exc:
            if attempt == START_ATTEMPTS or stop.is_set():
                raise StartupError(
                    f"TELEGRAM_BASE_URL {base} cannot be reached ({describe(exc)})"
                ) from None
            log.warning("the Bot API at %s cannot be reached yet (%s)", base, describe(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), attempt * 2.0)
        except TelegramError as exc:
            raise StartupError(
                f"TELEGRAM_BASE_URL {base} refused getMe ({describe(exc)})"
            ) from None


async def _poll_until_stopped(app: BotApplication, stop: asyncio.Event) -> int:
    settings = app.bot_data.settings
    with contextlib.suppress(TelegramError):
        # A webhook left from webhook mode would answer every getUpdates with 409.
        await app.bot.delete_webhook(drop_pending_updates=False)
        # An answer now tells /readyz the Bot API is reachable: the first long poll may
        # hold its own for 30 s.
        app.bot_data.api_health.ok()
    poller = Poller(
        app.bot,
        app.update_queue.put,
        allowed_updates=ALLOWED_UPDATES,
        token_grace_s=settings.token_rejected_grace_seconds,
        health=app.bot_data.api_health,
    )
    polling = asyncio.create_task(poller.run(), name="polling")
    stopping = asyncio.create_task(stop.wait(), name="stop-signal")
    try:
        await asyncio.wait({polling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    poller.stop()
    try:
        await polling
    except PollingEnded as exc:
        log.error("%s; exiting so a supervisor can restart the bot", exc)
        return EXIT_SETUP if exc.token_rejected else EXIT_FAILED
    except Exception as exc:
        log.error("polling failed (%s); exiting so a supervisor can restart the bot", describe(exc))
        return EXIT_FAILED
    await poller.confirm(timeout_s=1.0)
    return 0


async def _back_up_every(state: AppState) -> None:
    """Rotating backups into BACKUP_DIR; a failed one is a warning, the next one is tried."""
    settings = state.settings
    assert settings.backup_dir is not None
    while True:
        await asyncio.sleep(settings.backup_every)
        try:
            await asyncio.to_thread(settings.backup_dir.mkdir, parents=True, exist_ok=True)
            written = await asyncio.to_thread(
                backup_database, settings.database_path, settings.backup_dir
            )
            dropped = await asyncio.to_thread(rotate, settings.backup_dir, settings.backup_keep)
        except (BackupError, OSError) as exc:
            log.warning("backup failed: %s", exc)
            continue
        log.info("backup written to %s (%d old ones removed)", written, len(dropped))


async def _stop_application(app: BotApplication) -> None:
    try:
        await asyncio.wait_for(app.stop(), HANDLER_GRACE_S)
    except TimeoutError:
        # A reply stuck in a hung request must not hold the stop; the user's update was
        # confirmed already, the reply is lost either way.
        log.warning("replies still in flight after %.0f s were cancelled", HANDLER_GRACE_S)


async def _stop(app: BotApplication, started: list[str]) -> None:
    """Undo what _start did, step by step; one failing step does not skip the others."""
    steps: list[tuple[str, Callable[[], Awaitable[object]]]] = []
    if "updater" in started and app.updater is not None:
        steps.append(("stopping the webhook", app.updater.stop))
    if "health" in started and app.bot_data.health_server is not None:
        steps.append(("stopping the health server", app.bot_data.health_server.stop))
    if "app" in started:
        steps.append(("stopping the application", lambda: _stop_application(app)))
    if "services" in started:
        steps.append(("stopping the services", lambda: _post_stop(app)))
    if "initialized" in started:
        steps.append(("shutting down", app.shutdown))
    steps.append(("closing the database", lambda: _post_shutdown(app)))
    for what, step in steps:
        try:
            await step()
        except Exception as exc:
            log.warning("%s failed: %s", what, describe(exc))


def _public_base(url: str) -> str:
    return url.split("/bot")[0] if "/bot" in url else url
