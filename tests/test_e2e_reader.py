"""Readers against the fake Bot API, as on Telegram: a flood and a failing reply through
the Application in this process (process_update); what needs the bot polling (its start-up
log, its loop serving one chat while another's reply hangs) through the bot's own serve()
in the test's loop, which polls with the same concurrent updates as `python -m bot`.

The reader journeys run in process (tests/test_inproc_reader.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.fakeapi.botapi import FaultRule
from tests.inproc import READER_DE, READER_EN, inproc_bot
from tests.served import fake_api, serving, start_serving
from tests.terminal import terminal_log

pytestmark = pytest.mark.timeout(90)


async def test_flood_gets_one_notice_then_silence(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, flood_limit=12) as bot:
        for _ in range(20):
            await bot.ask(READER_EN, "/people")
        await bot.ask(READER_DE, "/people")  # other users are still served
        assert bot.sent(READER_DE)
        texts = [m.text or "" for m in bot.server.sent_messages(READER_EN)]
        assert sum("slow" in t.lower() for t in texts) == 1
        assert len(texts) < 20


async def test_a_failing_reply_does_not_stop_the_bot(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with inproc_bot(tmp_path) as bot:
        rule = bot.server.faults.add(FaultRule(kind="bad_request", method="sendMessage", times=2))
        await bot.ask(READER_EN, "/summary")
        # The reply is refused, so is the apology; the next request is served as usual.
        assert rule.hits == 2
        answer = await bot.ask_text(READER_EN, "/people")
        assert "Rutte" in answer
    assert "handler failed" in caplog.text


async def test_a_reply_during_a_short_outage_arrives_after_it(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path) as bot:
        rule = bot.server.faults.add(FaultRule(kind="server_error", method="sendMessage", times=1))
        answer = await bot.ask_text(READER_EN, "/people")
        # The first try got a 502-like answer; the retry a second later brought the reply.
        assert rule.hits == 1
        assert "Rutte" in answer


async def test_failing_command_registration_is_a_warning_not_a_stop(tmp_path: Path) -> None:
    with terminal_log() as terminal:
        async with fake_api() as server:
            server.faults.add(FaultRule(kind="server_error", method="setMyCommands"))
            bot = await start_serving(server, tmp_path)
            try:
                assert "Rutte" in await bot.ask_text(READER_EN, "/people")
            finally:
                assert await bot.stopped() == 0
    assert "could not register the command lists" in terminal.getvalue()


async def test_one_slow_chat_does_not_hold_up_another(tmp_path: Path) -> None:
    async with serving(tmp_path) as bot:
        bot.server.faults.add(
            FaultRule(kind="delay", method="sendMessage", chat_id=READER_EN, delay=3.0, times=1)
        )
        bot.server.send_text(READER_EN, "/summary")
        await bot.server.wait_for(lambda call: call.chat_id == READER_EN, timeout=10)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert "Rutte" in await bot.ask_text(READER_DE, "/people")
        assert loop.time() - started < 2.0
