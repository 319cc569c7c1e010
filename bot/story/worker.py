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
import threading
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


def _lower_priority() -> None:
    """Run the parsing process below the bot's priority (called in the worker at its start)."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(_WORKER_NICENESS)


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
                    max_workers=1, mp_context=context, initializer=_lower_priority
                )
            return self._pool

    async def parse(self, data: bytes, max_bytes: int) -> ParsedStory:
        """Parse a page in the worker process; raises StoryError for unusable input."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), parse_page, data, max_bytes)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): start a new one and try once more.
            self._discard()
            return await loop.run_in_executor(self._executor(), parse_page, data, max_bytes)

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
