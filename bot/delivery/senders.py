"""The sender pool: tasks that each take one claimed group at a time and send it.

A sender takes the chat's slot (or puts the group back until it comes), runs the group's
operation and hands every result to the outcome writer. Whatever happens, the group's rows
get an outcome: a bug or a renderer failure is a failure the policy decides on, and a
cancel inside an HTTP request leaves the rows claimed (the message may be out).
"""

from __future__ import annotations

import asyncio
import logging

from bot.db.deliveries import GroupResult
from bot.db.outcomes import Keep, Release
from bot.delivery.attempt import Attempt, Released
from bot.delivery.errors import FailureKind, classify
from bot.delivery.ratelimit import ChatPacer
from bot.delivery.refresh import Refreshing
from bot.delivery.scheduler import Scheduler
from bot.delivery.sending import Sending
from bot.delivery.verdicts import Verdicts
from bot.delivery.writer import OutcomeWriter

__all__ = ["SenderPool"]

log = logging.getLogger(__name__)


class SenderPool:
    """`size` sender tasks fed by the scheduler; results go to the writer."""

    def __init__(
        self,
        scheduler: Scheduler,
        sending: Sending,
        refreshing: Refreshing,
        verdicts: Verdicts,
        writer: OutcomeWriter,
        *,
        pacer: ChatPacer,
        size: int,
    ) -> None:
        self._scheduler = scheduler
        self._sending = sending
        self._refreshing = refreshing
        self._verdicts = verdicts
        self._writer = writer
        self._pacer = pacer
        self.size = size
        self._tasks: list[asyncio.Task[None]] = []
        self._attempts: dict[asyncio.Task[None], Attempt] = {}

    def start(self) -> None:
        """Start the sender tasks."""
        self._tasks = [
            asyncio.create_task(self._sender(), name=f"push-sender-{n}") for n in range(self.size)
        ]

    async def stop(self, drain_timeout: float) -> None:
        """End every sender: those inside an HTTP request get `drain_timeout` to finish it."""
        self._scheduler.end_senders(len(self._tasks))
        # Senders waiting for the budget have not sent anything: cancel them now.
        for task, attempt in list(self._attempts.items()):
            if not attempt.in_flight:
                task.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=drain_timeout)
            for task in pending:
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _sender(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        scheduler, pacer, writer = self._scheduler, self._pacer, self._writer
        while True:
            group = await scheduler.next_group()
            if group is None:
                return
            retry_at = pacer.try_acquire(group.chat_id)
            if retry_at:
                scheduler.delay(group, retry_at)
                continue
            attempt = Attempt(group)
            self._attempts[task] = attempt
            results: list[GroupResult] = []
            try:
                results = await self._process(attempt)
            except asyncio.CancelledError:
                # Cancelled inside an HTTP request: the message may be out; leave the rows
                # claimed so the next start resends them (a possible duplicate, never a loss).
                results = [attempt.result(Keep() if attempt.in_flight else Release())]
                raise
            except Exception as exc:  # a bug or a renderer failure: never lose the rows
                log.exception("push: processing a group for a chat failed")
                results = [self._verdicts.failure(attempt, classify(exc), kept=[])]
            finally:
                for result in results:
                    writer.add(result)
                self._attempts.pop(task, None)
                pacer.release(group.chat_id)
                scheduler.settled(group, gave_back=any(r.gives_back for r in results))

    async def _process(self, attempt: Attempt) -> list[GroupResult]:
        kind = attempt.group.kind
        try:
            if kind == "item":
                return await self._sending.items(attempt)
            if kind == "recap":
                return await self._sending.recap(attempt)
            return await self._refreshing.run(attempt)
        except Released as exc:
            return [self._verdicts.release(attempt, exc.delay)]
        except Exception as exc:
            failure = classify(exc)
            if failure.kind not in (FailureKind.TRANSIENT, FailureKind.AMBIGUOUS):
                log.info("push to a chat failed: %s", failure.reason)
            return [self._verdicts.failure(attempt, failure, kept=[])]
