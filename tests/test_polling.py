"""The bot's long polling through failing getUpdates, in process on a scaled clock.

The process-level behaviour (exit codes, SIGTERM during an outage, kill -9) is in
test_runtime_polling; here the Poller the bot runs reads the fake Bot API with the bot's
own Application behind it, and its backoff runs on an injected clock: the seconds of
backoff between failed polls pass in milliseconds, in the same order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bench.fakeapi.botapi import FakeBotApi
from bench.fakeapi.botapi_faults import FaultRule
from bot.app import ALLOWED_UPDATES
from bot.polling import Poller
from tests.conftest_delivery import ScaledClock, wait_until
from tests.inproc import READER_EN, InProcessBot, inproc_bot

pytestmark = pytest.mark.timeout(60)


def failed_polls(server: FakeBotApi, status: int) -> int:
    return sum(1 for c in server.calls("getUpdates") if c.status == status)


@asynccontextmanager
async def polling(bot: InProcessBot) -> AsyncIterator[asyncio.Task[None]]:
    """The bot's Poller handing updates to its Application, as `python -m bot` wires it."""
    poller = Poller(
        bot.app.bot,
        bot.app.process_update,
        allowed_updates=ALLOWED_UPDATES,
        token_grace_s=bot.app.bot_data.settings.token_rejected_grace_seconds,
        long_poll_s=5,
        clock=ScaledClock(100),
    )
    task = asyncio.create_task(poller.run())
    try:
        await bot.server.wait_until_polling(timeout=10)
        yield task
    finally:
        poller.stop()
        await asyncio.wait_for(task, 10)


async def answered(bot: InProcessBot, text: str) -> str:
    """Send a message through polling and wait for the bot's answer."""
    update = bot.server.send_text(READER_EN, text)
    await bot.server.wait_for_reply(READER_EN, after_update=update, timeout=10)
    return bot.server.sent_messages(READER_EN)[-1].text or ""


async def test_passing_401_on_get_updates_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    async with inproc_bot(tmp_path) as bot, polling(bot) as task:
        server = bot.server
        rule = server.faults.add(FaultRule(kind="unauthorized", method="getUpdates", times=3))
        # Wake the pending long poll so the next getUpdates meets the fault at once.
        server.send_text(READER_EN, "/help")
        await wait_until(lambda: rule.exhausted, within=10)
        assert "Commands" in await answered(bot, "/help")
        assert not task.done()
        assert failed_polls(server, 401) == 3
    assert "Traceback" not in caplog.text


async def test_bad_gateway_on_get_updates_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    async with inproc_bot(tmp_path) as bot, polling(bot) as task:
        rule = bot.server.faults.add(
            FaultRule(kind="server_error", status=502, method="getUpdates", times=4)
        )
        bot.server.send_text(READER_EN, "/help")
        await wait_until(lambda: rule.exhausted, within=10)
        assert "Welcome" in await answered(bot, "/start")
        assert not task.done()
    log = caplog.text
    assert "Traceback" not in log
    # One warning when it starts and one when it ends, not one per failed poll.
    assert sum("getUpdates failed" in line for line in log.splitlines()) == 1
    assert "polling: resumed" in log
