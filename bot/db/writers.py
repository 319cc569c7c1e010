"""A write lock the bot's processes share, so that a waiting writer gets SQLite's next.

SQLite grants its write lock to whoever asks first after it is released and keeps no queue:
a connection that finds it held can only try again later. The bot and its push engine (a
process of its own with PUSH_ENGINE=process) each asked from their event loop, every half
to two milliseconds, and a busy loop woke late: an editor's change slipped past the
engine's gaps between transactions and waited 15-50 ms at a million subscribers. An
advisory lock on a file beside the database (flock) has a queue in the kernel: a writer
blocked on it is woken the moment the holder lets go. Writers that do not take it (another
program, `python -m bot import` while the bot runs) still meet SQLite's own lock.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager


class ProcessWriteLock:
    """An exclusive flock on `path`, taken without blocking the event loop."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        # One thread waits for the lock at a time: the process's own writers are already
        # serialised before they get here.
        self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-lock")

    def _descriptor(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Hold the lock for the block; waits in a thread while another process holds it."""
        fd = self._descriptor()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting = asyncio.get_running_loop().run_in_executor(
                self._waiter, fcntl.flock, fd, fcntl.LOCK_EX
            )
            try:
                await asyncio.shield(waiting)
            except asyncio.CancelledError:
                # The thread cannot be stopped: once it has the lock, give it back.
                waiting.add_done_callback(lambda done: done.cancelled() or self._unlock(fd))
                raise
        try:
            yield
        finally:
            self._unlock(fd)

    @staticmethod
    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the file (releasing the lock should it be held) and the waiting thread."""
        self._waiter.shutdown(wait=False, cancel_futures=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
