"""Health and metrics over HTTP (HEALTH_PORT): /healthz, /readyz, /metrics.

/healthz answers while the process runs; /readyz says whether the bot can do its work
(the database takes a write, the Bot API answered within a minute, the push engine
runs); /metrics is the Prometheus text format of bot/metrics.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot import metrics
from bot.db.health import probe_writable, store_figures
from bot.engineproc import EngineProcess

if TYPE_CHECKING:
    from bot.context import AppState

log = logging.getLogger(__name__)

API_FRESH_S = 60.0
PROBE_LIMIT_S = 2.0
_probes: set[asyncio.Future[None]] = set()


async def readiness(state: AppState) -> dict[str, Any]:
    """Each check with its verdict; `ready` is true when all pass."""
    checks: dict[str, Any] = {}
    # Never cancelled: a probe waiting for the write lock finishes on its own.
    probe = asyncio.ensure_future(probe_writable(state.db))
    _probes.add(probe)
    probe.add_done_callback(_probes.discard)
    done, _ = await asyncio.wait({probe}, timeout=PROBE_LIMIT_S)
    if not done:
        checks["database"] = f"not writable: no write lock within {PROBE_LIMIT_S:.0f} s"
    elif probe.exception() is not None:
        checks["database"] = f"not writable: {type(probe.exception()).__name__}"
    else:
        checks["database"] = "writable"
    last_ok = state.api_health.last_ok
    age = None if last_ok is None else time.monotonic() - last_ok
    if age is not None and age <= API_FRESH_S:
        checks["bot_api"] = f"answered {age:.0f} s ago"
    else:
        checks["bot_api"] = "no answer within a minute" if age is not None else "no answer yet"
    if not state.options.get("with_delivery", True):
        checks["push_engine"] = "off"
    elif state.standby:
        checks["push_engine"] = "standby (another replica holds the lease)"
    elif state.engine is None or state.engine_stopped:
        checks["push_engine"] = "not running"
    elif isinstance(state.engine, EngineProcess) and not state.engine.running:
        checks["push_engine"] = "not running (its process is starting again)"
    else:
        checks["push_engine"] = "running"
    ready = (
        checks["database"] == "writable"
        and checks["bot_api"].startswith("answered")
        and (checks["push_engine"] in ("running", "off") or state.standby)
    )
    return {"ready": ready, "checks": checks}


async def refresh_gauges(state: AppState) -> None:
    """Set the gauges that are read from the database and the engine at scrape time."""
    figures = await store_figures(state.db)
    metrics.OUTBOX_PENDING.set(figures.outbox_pending)
    metrics.OUTBOX_OLDEST_SECONDS.set(figures.oldest_open_push_s)
    for status in ("active", "blocked", "unsubscribed", "ended"):
        metrics.SUBSCRIBERS.labels(status=status).set(figures.subscribers.get(status, 0))
    metrics.FOLLOW_ERRORS.set(figures.failing_sources)
    engine = state.engine
    if engine is not None:
        for name, value in dataclasses.asdict(engine.stats).items():
            metrics.MESSAGES.labels(outcome=name).set(value)
        metrics.PUSH_STALLED.set(1 if engine.stalled_since is not None else 0)
    last_ok = state.api_health.last_ok
    if last_ok is not None:
        metrics.API_LAST_OK.set(time.time() - (time.monotonic() - last_ok))


def make_app(state: AppState) -> web.Application:
    """The aiohttp application of the three endpoints."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def readyz(_: web.Request) -> web.Response:
        verdict = await readiness(state)
        return web.Response(
            text=json.dumps(verdict) + "\n",
            status=200 if verdict["ready"] else 503,
            content_type="application/json",
        )

    async def metrics_page(_: web.Request) -> web.Response:
        try:
            await refresh_gauges(state)
        except Exception as exc:
            # Counters still count; the database figures keep their last values.
            log.warning("metrics: database figures not read (%s)", type(exc).__name__)
        body = generate_latest(metrics.REGISTRY)
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    return app


class HealthServer:
    """The HTTP server of health and metrics, started and stopped with the bot."""

    def __init__(self, state: AppState, listen: str, port: int) -> None:
        self.state = state
        self.listen = listen
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(make_app(self.state), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("health and metrics on http://%s:%d/", self.listen, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
