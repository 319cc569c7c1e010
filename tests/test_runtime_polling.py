"""Polling through the Bot API's bad minutes, and stopping whatever state it is in."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e import READER_EN, running_bot, start_bot_process
from tests.fakes.botapi import DEFAULT_TOKEN, FakeBotApi
from tests.fakes.botapi_faults import FaultRule

pytestmark = pytest.mark.timeout(120)


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


def failed_polls(server: FakeBotApi, status: int) -> int:
    return sum(1 for c in server.calls("getUpdates") if c.status == status)


async def test_passing_401_on_get_updates_is_retried(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        server = bot.server
        rule = server.faults.add(FaultRule(kind="unauthorized", method="getUpdates", times=3))
        # Wake the pending long poll so the next getUpdates meets the fault at once.
        server.send_text(READER_EN, "/help")
        await server.wait_for(lambda c: c.method == "getUpdates" and c.status == 401, timeout=10)
        await until(lambda: rule.exhausted, 20, "401s not all consumed")
        answer = await bot.ask_text(READER_EN, "/start")
        assert answer
        assert bot.process.poll() is None
        assert failed_polls(server, 401) == 3
    assert "Traceback" not in bot.log()


async def test_bad_gateway_on_get_updates_is_retried(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        server = bot.server
        rule = server.faults.add(
            FaultRule(kind="server_error", status=502, method="getUpdates", times=4)
        )
        server.send_text(READER_EN, "/help")
        await until(lambda: rule.exhausted, 30, "502s not all consumed")
        assert await bot.ask_text(READER_EN, "/start")
        assert bot.process.poll() is None
        log = bot.log()
    assert "Traceback" not in log
    # One warning when it starts and one when it ends, not one per failed poll.
    assert sum("getUpdates failed" in line for line in log.splitlines()) == 1
    assert "polling: resumed" in log


async def test_lasting_401_ends_polling_with_one_line_and_an_error(tmp_path: Path) -> None:
    async with running_bot(tmp_path, TOKEN_REJECTED_GRACE_SECONDS="2") as bot:
        bot.server.faults.add(FaultRule(kind="unauthorized", method="getUpdates"))
        bot.server.send_text(READER_EN, "/help")
        started = time.monotonic()
        code = await asyncio.to_thread(bot.process.wait, 30)
        took = time.monotonic() - started
        log = bot.log()
    assert code == 2, log
    assert took < 15, took
    ending = [line for line in log.splitlines() if "rejected BOT_TOKEN" in line]
    assert len(ending) == 1 and "@BotFather" in ending[0], log
    assert "Traceback" not in log and "Unclosed" not in log
    assert DEFAULT_TOKEN not in log


async def test_sigterm_ends_the_process_during_an_outage(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe")
        # Everything hangs: the long poll, and every send of the push about to start.
        bot.server.faults.add(FaultRule(kind="hang"))
        bot.server.send_text(READER_EN, "/help")
        await bot.server.wait_for(lambda c: c.fault == "hang", timeout=10)
        started = time.monotonic()
        bot.process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(bot.process.wait, 30)
        took = time.monotonic() - started
        log = bot.log()
    assert code == 0, log
    assert took < 9, f"took {took:.1f} s to stop:\n{log}"
    assert "Traceback" not in log and "Unclosed" not in log


async def test_sigterm_ends_the_process_while_the_api_rejects_the_token(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        bot.server.faults.add(FaultRule(kind="unauthorized"))
        bot.server.send_text(READER_EN, "/help")
        await bot.server.wait_for(lambda c: c.status == 401, timeout=10)
        started = time.monotonic()
        code = await bot.stop(wait_s=30)
        took = time.monotonic() - started
        log = bot.log()
    assert code == 0, log
    assert took < 9, took
    assert "Traceback" not in log
    # The seeds were parsed in the worker process at start; it ends with the bot.
    assert "still open" not in log, log


async def test_kill_9_then_restart_answers_and_resumes(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe")
        bot.process.kill()
        await asyncio.to_thread(bot.process.wait, 10)
        server = bot.server
        polls = server.polls_started
        # The same folder and database; the stale WAL and lock files stay behind.
        again = start_bot_process(server, tmp_path, log_name="restart.log")
        try:
            await until(lambda: server.polls_started > polls, 30, "no restart")
            answer = await again.ask_text(READER_EN, "/subscribe")
            assert "already" in answer.lower(), answer
        finally:
            assert await again.stop() == 0
        assert "Traceback" not in again.log()
