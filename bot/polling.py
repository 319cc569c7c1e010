"""Long polling that survives the Bot API's bad minutes and says why when it cannot go on.

PTB's own polling loop gives up for good on the first 401 and leaves the process running
without reading updates. This loop retries every failure with backoff; only a token the
API keeps rejecting for longer than the grace period ends it, with one line and an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut

from bot import metrics
from bot.delivery.clock import SYSTEM_CLOCK, Clock
from bot.delivery.ratelimit import retry_after_seconds
from bot.logs import redact

log = logging.getLogger(__name__)

TOKEN_REJECTED = "the Bot API rejected BOT_TOKEN: check it with @BotFather"
LONG_POLL_S = 30
MAX_BACKOFF_S = 30.0
# A failure is logged when it starts and then at most this often while it lasts.
REPEAT_LOG_S = 60.0


class PollingEnded(Exception):
    """Polling cannot go on; the message is the one line the operator reads."""

    def __init__(self, message: str, *, token_rejected: bool = False) -> None:
        super().__init__(message)
        self.token_rejected = token_rejected


@dataclass
class PollingHealth:
    """What the health endpoint needs to know about the Bot API connection."""

    last_ok: float | None = None
    failing_since: float | None = None
    clock: Callable[[], float] = field(default=time.monotonic)

    def ok(self) -> None:
        self.last_ok = self.clock()
        self.failing_since = None


def describe(exc: BaseException) -> str:
    """A failure in a few words, without any token."""
    text = str(exc).strip() or type(exc).__name__
    return redact(f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text)


class Poller:
    """Reads updates with getUpdates and hands them to `deliver` until stopped."""

    def __init__(
        self,
        bot: Bot,
        deliver: Callable[[Update], object],
        *,
        allowed_updates: Sequence[str],
        token_grace_s: float,
        health: PollingHealth | None = None,
        long_poll_s: int = LONG_POLL_S,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.bot = bot
        self.deliver = deliver
        self.allowed_updates = list(allowed_updates)
        self.token_grace_s = token_grace_s
        self.health = health or PollingHealth()
        self.long_poll_s = long_poll_s
        # Backoffs, the token's grace and the log's repeat interval run on it, so a test
        # plays minutes of failing polls in a fraction of a second.
        self.clock = clock
        self.offset: int | None = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def _pause(self, seconds: float) -> None:
        await self.clock.wait(self._stop, seconds)

    async def run(self) -> None:
        """Poll until stop(); raises PollingEnded when polling cannot go on."""
        backoff = 0.0
        rejected_since: float | None = None
        failing_since: float | None = None
        last_logged = 0.0
        while not self._stop.is_set():
            poll = asyncio.ensure_future(
                self.bot.get_updates(
                    offset=self.offset,
                    timeout=self.long_poll_s,
                    allowed_updates=self.allowed_updates,
                )
            )
            stop = asyncio.ensure_future(self._stop.wait())
            try:
                await asyncio.wait({poll, stop}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stop.cancel()
            if not poll.done():
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await poll
                return
            now = self.clock.monotonic()
            try:
                updates = poll.result()
            except TimedOut:
                # A long poll that outlived the read timeout: nothing wrong, poll again.
                continue
            except RetryAfter as exc:
                wait = retry_after_seconds(exc) + 0.5
                log.warning("polling: the Bot API asks to wait %.0f s (429)", wait)
                await self._pause(wait)
                continue
            except (InvalidToken, Conflict, TelegramError) as exc:
                metrics.poll_failed(type(exc).__name__)
                if failing_since is None:
                    failing_since = now
                    self.health.failing_since = now
                if isinstance(exc, InvalidToken):
                    rejected_since = rejected_since or now
                    if now - rejected_since >= self.token_grace_s:
                        raise PollingEnded(
                            f"{TOKEN_REJECTED} (polling stopped after "
                            f"{now - rejected_since:.0f} s of 401 answers)",
                            token_rejected=True,
                        ) from None
                else:
                    rejected_since = None
                backoff = min(MAX_BACKOFF_S, max(1.0, backoff * 2))
                if now - last_logged >= REPEAT_LOG_S:
                    last_logged = now
                    log.warning(
                        "polling: getUpdates failed (%s)%s; retrying with backoff",
                        describe(exc),
                        " - another instance polling, or a webhook set?"
                        if isinstance(exc, Conflict)
                        else "",
                    )
                await self._pause(backoff)
                continue
            if failing_since is not None:
                log.warning("polling: resumed after %.0f s", now - failing_since)
            failing_since = rejected_since = None
            backoff = 0.0
            last_logged = 0.0
            self.health.ok()
            for update in updates:
                await _maybe_await(self.deliver(update))
                self.offset = update.update_id + 1

    async def confirm(self, timeout_s: float = 3.0) -> None:
        """Tell the API which updates were handed over, so a restart does not fetch them again."""
        if self.offset is None:
            return
        with contextlib.suppress(TelegramError, TimeoutError):
            await asyncio.wait_for(
                self.bot.get_updates(
                    offset=self.offset, timeout=0, allowed_updates=self.allowed_updates
                ),
                timeout_s,
            )


async def _maybe_await(result: object) -> None:
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        await result
