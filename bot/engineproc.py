"""The push engine in a process of its own (PUSH_ENGINE=process), supervised by the bot.

At a million subscribers the engine's callbacks kept the bot's event loop busy: every await
of a command waited behind them (docs/benchmarks.md, "Command latency"). In its own process
the engine has its own loop, store connections and HTTP transport; SQLite's WAL and file
lock order its writes with the bot's, PostgreSQL does so anyway.

The bot talks to the child over its pipes: the settings as the first line on stdin (the
token never on the command line), then one byte per wake-up after an enqueue; the child
answers with one JSON line of figures a half second. The child stops on SIGTERM or when
its stdin closes (the bot is gone, even by kill -9), and asks the kernel for SIGTERM when
its parent dies, so it is never orphaned. A child that dies is started again; what it had
claimed and not recorded is resent, as after any crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import json
import logging
import signal
import sys
from typing import Any

from bot.config import Settings
from bot.delivery.stats import EngineStats
from bot.heap import settle_after_start

log = logging.getLogger(__name__)

# The settings the child needs; everything else of the bot's is none of its business.
_CHILD_SETTINGS = (
    "database_path",
    "telegram_base_url",
    "telegram_base_file_url",
    "log_level",
    "push_rate",
    "paid_broadcast",
    "delivery_deadline_seconds",
    "channel_id",
    "timezone",
)
_SECRET_SETTINGS = ("bot_token", "database_url")
FIGURES_EVERY_S = 0.5
START_LIMIT_S = 30.0
RESTART_DELAY_S = 1.0
_WAKE = b"w"
_PR_SET_PDEATHSIG = 1


def child_settings(settings: Settings) -> dict[str, Any]:
    """The child's settings as JSON values, secrets revealed (sent through a pipe only)."""
    values: dict[str, Any] = settings.model_dump(mode="json", include=set(_CHILD_SETTINGS))
    for name in _SECRET_SETTINGS:
        secret = getattr(settings, name)
        values[name] = None if secret is None else secret.get_secret_value()
    return values


class EngineProcess:
    """The parent's side: starts the child, restarts it when it dies, stops it on stop.

    Offers what the bot uses of a DeliveryEngine: start, stop, notify, stats, stalled_since.
    """

    def __init__(self, settings: Settings, *, restart_delay: float = RESTART_DELAY_S) -> None:
        self._line = (json.dumps(child_settings(settings)) + "\n").encode()
        self.restart_delay = restart_delay
        self.stats = EngineStats()
        self.stalled_since: float | None = None
        self.starts = 0
        self.pid: int | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        self._started = asyncio.Event()

    @property
    def running(self) -> bool:
        """Whether a child is up and has reported that its engine started."""
        return self._proc is not None and self._proc.returncode is None and self._started.is_set()

    async def start(self) -> None:
        """Start the child and wait until its engine runs (recovered claims included)."""
        self._stopping = False
        await self._spawn()
        self._supervisor = asyncio.create_task(self._supervise(), name="push-engine-process")
        await asyncio.wait_for(self._started.wait(), START_LIMIT_S)

    async def _spawn(self) -> None:
        self._started.clear()
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.engineproc",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self.pid = self._proc.pid
        self.starts += 1
        assert self._proc.stdin is not None
        self._proc.stdin.write(self._line)
        log.info("push engine process %d started", self._proc.pid)

    async def _supervise(self) -> None:
        while True:
            proc = self._proc
            assert proc is not None and proc.stdout is not None
            async for line in proc.stdout:
                self._take_figures(line)
            code = await proc.wait()
            if self._stopping:
                return
            log.error("push engine process %d exited with %s; starting it again", proc.pid, code)
            await asyncio.sleep(self.restart_delay)
            if self._stopping:
                return
            await self._spawn()

    def _take_figures(self, line: bytes) -> None:
        try:
            figures = json.loads(line)
        except ValueError:
            return
        self.stats = EngineStats(**figures["stats"])
        self.stalled_since = figures["stalled_since"]
        self._started.set()

    def notify(self) -> None:
        """Wake the child's claim loop after an enqueue (one byte on its stdin)."""
        proc = self._proc
        if proc is None or proc.stdin is None or proc.returncode is not None:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            proc.stdin.write(_WAKE)

    async def stop(self, drain_timeout: float = 10) -> None:
        """SIGTERM the child (it finishes the sends in flight); kill it if it overstays."""
        self._stopping = True
        proc = self._proc
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), drain_timeout + 6)
            except TimeoutError:
                log.error("push engine process %d did not stop; killing it", proc.pid)
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None


def _die_with_parent() -> None:
    # Linux: the kernel sends SIGTERM when the bot's process ends, however it ends. The
    # closed stdin says the same everywhere else.
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def _child_main(settings: Settings) -> int:
    from bot.db.connection import Database
    from bot.delivery.engine import DeliveryEngine
    from bot.delivery.transport import build_push_bot
    from bot.render import TextRenderer
    from bot.texts import Texts

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    db = await Database.open(settings.store)
    try:
        engine = DeliveryEngine(
            db,
            build_push_bot(settings),
            TextRenderer(db, Texts(), default_zone=settings.timezone),
            rate=settings.push_rate,
            paid=settings.paid_broadcast,
            channel_id=settings.channel_id,
            deadline=settings.delivery_deadline_seconds,
        )
        with db.background_reads():
            await engine.start()
        settle_after_start()

        def report() -> None:
            figures = {
                "stats": dataclasses.asdict(engine.stats),
                "stalled_since": engine.stalled_since,
            }
            sys.stdout.write(json.dumps(figures) + "\n")
            sys.stdout.flush()

        async def wakes() -> None:
            while chunk := await reader.read(4096):
                del chunk
                engine.notify()
            stop.set()  # the bot is gone

        async def figures() -> None:
            while True:
                report()
                await asyncio.sleep(FIGURES_EVERY_S)

        tasks = [asyncio.create_task(wakes()), asyncio.create_task(figures())]
        await stop.wait()
        for task in tasks:
            task.cancel()
        await engine.stop(drain_timeout=4)
        with contextlib.suppress(BrokenPipeError):
            report()
    finally:
        await db.close()
    return 0


def main() -> int:
    """The child: read the settings line, run the engine until SIGTERM or stdin closes."""
    _die_with_parent()
    # Until the loop's own handler is set, SIGTERM may end the child outright: nothing is
    # claimed yet.
    line = sys.stdin.buffer.readline()
    if not line:
        return 0
    settings = Settings(**json.loads(line))
    from bot.logs import setup_logging

    setup_logging(settings.log_level, secrets=settings.secrets)
    return asyncio.run(_child_main(settings))


if __name__ == "__main__":
    raise SystemExit(main())
