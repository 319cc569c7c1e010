"""Polling through the Bot API's bad minutes, and stopping whatever state it is in.

What needs the process: SIGTERM, kill -9 and the restart after it. The lasting 401, the
stop during an outage and the readiness probe run the bot's serve() in the test's loop (the
same exit code, stop and health server; `stop_when` stands in for the signal). Passing
failures of getUpdates are retried in process on a scaled clock (test_polling)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN
from bench.fakeapi.botapi_faults import FaultRule
from tests.e2e import READER_EN, running_bot, start_bot_process
from tests.served import serving
from tests.terminal import terminal_log
from tests.test_runtime_start import closed_port

pytestmark = pytest.mark.timeout(120)


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.05)


async def test_lasting_401_ends_polling_with_one_line_and_an_error(tmp_path: Path) -> None:
    with terminal_log(secrets=(DEFAULT_TOKEN,)) as terminal:
        async with serving(tmp_path, token_rejected_grace_seconds=2) as bot:
            bot.server.faults.add(FaultRule(kind="unauthorized", method="getUpdates"))
            bot.server.send_text(READER_EN, "/help")
            started = time.monotonic()
            code = await asyncio.wait_for(bot.task, 30)
            took = time.monotonic() - started
    log = terminal.getvalue()
    assert code == 2, log
    assert took < 15, took
    ending = [line for line in log.splitlines() if "rejected BOT_TOKEN" in line]
    assert len(ending) == 1 and "@BotFather" in ending[0], log
    assert "Traceback" not in log and "Unclosed" not in log
    assert DEFAULT_TOKEN not in log


async def test_a_stop_ends_the_bot_during_an_outage(tmp_path: Path) -> None:
    with terminal_log(secrets=(DEFAULT_TOKEN,)) as terminal:
        async with serving(tmp_path) as bot:
            server = bot.server
            update = server.send_text(READER_EN, "/subscribe")
            await server.wait_for_reply(READER_EN, after_update=update, timeout=10)
            assert "Subscribed" in (server.sent_messages(READER_EN)[-1].text or "")
            # Everything hangs: the long poll, and every send of the push about to start.
            rule = server.faults.add(FaultRule(kind="hang"))
            server.send_text(READER_EN, "/help")
            # Hanging now (a hung call is recorded only when it ends): the next long poll
            # and the answer to /help.
            await until(lambda: rule.hits >= 2, 10, "no request hung")
            started = time.monotonic()
            bot.stop.set()  # what SIGTERM's handler does
            code = await asyncio.wait_for(bot.task, 30)
            took = time.monotonic() - started
    log = terminal.getvalue()
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


async def test_readyz_says_ready_before_the_first_long_poll_returns(tmp_path: Path) -> None:
    # A readiness probe right after start: the Bot API has answered the start-up calls,
    # though getUpdates holds its answer for up to 30 s while no one writes.
    port = closed_port()
    async with serving(tmp_path, health_port=port), aiohttp.ClientSession() as http:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        verdict: dict[str, object] = {}
        while loop.time() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    verdict = await response.json()
                    if response.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                pass  # not listening yet
            await asyncio.sleep(0.05)
        assert verdict.get("ready") is True, verdict
