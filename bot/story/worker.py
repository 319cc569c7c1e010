"""Parsing off the event loop: a worker process, started on first use, shut down at exit.

A thread would still hold the GIL while a large page is parsed, and the bot's replies and
pushes would stall behind it; a process leaves the event loop alone.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.story.model import ParsedStory
from bot.story.parse import parse_story
from bot.story.text import decode_page


def parse_page(data: bytes, max_bytes: int) -> ParsedStory:
    """Decode and parse a page (what the worker process runs)."""
    return parse_story(decode_page(data, max_bytes=max_bytes))


# On a busy machine the parse must yield the CPU to the bot's own process (replies and
# pushes), never the other way round.
_WORKER_NICENESS = 10


# How often the worker checks that the bot that started it still runs.
_PARENT_CHECK_S = 1.0


def _worker_start(parent_pid: int) -> None:
    """Set the parsing process up (called in the worker at its start).

    It runs below the bot's priority, and it ends when the bot is gone: a bot killed with
    SIGKILL runs no shutdown, and its worker would otherwise live on as an orphan."""
    with contextlib.suppress(OSError, AttributeError):
        # A bot run with a real-time policy (chrt) hands it to its children, and niceness
        # means nothing to that policy: the parse held a core the bot needed.
        if os.sched_getscheduler(0) != os.SCHED_OTHER:
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    with contextlib.suppress(OSError, AttributeError):
        os.nice(_WORKER_NICENESS)
    threading.Thread(
        target=_exit_with_parent, args=(parent_pid,), name="parent-watch", daemon=True
    ).start()


def _exit_with_parent(parent_pid: int) -> None:
    # A thread that polls rather than PR_SET_PDEATHSIG: that signal follows the thread that
    # started the worker, which in a pool may end long before the bot does.
    while os.getppid() == parent_pid:
        time.sleep(_PARENT_CHECK_S)
    os._exit(0)


@contextlib.contextmanager
def _script_not_rerun() -> Iterator[None]:
    """While a worker starts, hide the path of a script run as `python script.py`.

    A "spawn" child runs the parent's main script again to rebuild its globals; a script
    without an `if __name__ == "__main__"` guard would then import a page in the child,
    which would start a worker of its own and die ("BrokenProcessPool"). The parse needs
    nothing of that script, only this module. `python -m …` names its module instead of a
    path: the child imports it under another name, and nothing is hidden.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    path = getattr(main, "__file__", None)
    if main is None or spec is not None or path is None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


class ParseWorker:
    """One process that parses pages, created once and reused; `close` ends it."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # "spawn": a fork of a process with running threads (aiosqlite, the loop)
                # may inherit held locks.
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=context,
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
            return self._pool

    async def parse(self, data: bytes, max_bytes: int) -> ParsedStory:
        """Parse a page in the worker process; raises StoryError for unusable input."""
        try:
            return await self._submit(data, max_bytes)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): start a new one and try once more.
            self._discard()
            return await self._submit(data, max_bytes)

    def _submit(self, data: bytes, max_bytes: int) -> asyncio.Future[ParsedStory]:
        loop = asyncio.get_running_loop()
        # The worker process starts inside this call; it must not run the caller's script.
        with _script_not_rerun():
            return loop.run_in_executor(self._executor(), parse_page, data, max_bytes)

    def _discard(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """End the worker process (waits for a parse in progress)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


SHARED_WORKER = ParseWorker()
atexit.register(SHARED_WORKER.close)
