"""Webhook mode and the health server, end to end: updates posted as Telegram posts them.

The bot's serve() runs in the test's loop (start-up, webhook, health server and stop as the
process runs them); one smoke test runs the process itself, its SIGTERM and its log."""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bot.app import serve
from tests.e2e import EDITOR_ID, READER_EN, start_bot_process
from tests.inproc import settings_for

pytestmark = pytest.mark.timeout(90)

SECRET = "s3cret-Token_for-the-webhook"
PUBLIC_URL = "https://bot.example.org/telegram/updates"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class WebhookBot:
    server: FakeBotApi
    workdir: Path
    hook: str
    health: str
    http: aiohttp.ClientSession

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with self.http.post(self.hook, json=update, headers=headers) as response:
            return response.status


async def until(condition: Any, within: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, what
        await asyncio.sleep(0.02)


async def until_listening(http: aiohttp.ClientSession, url: str, within: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        assert loop.time() < deadline, f"{url} never answered"
        await asyncio.sleep(0.02)


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[WebhookBot]:
    """The bot's own start-up, webhook and stop (`serve`) in this loop; the process and its
    signals are the smoke test's below."""
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    server.add_user(READER_EN, "Alice", language_code="en")
    server.add_user(EDITOR_ID, "Eda", language_code="de")
    hook_port, health_port = free_port(), free_port()
    settings = settings_for(
        server,
        tmp_path,
        webhook_url=PUBLIC_URL,
        webhook_secret=SECRET,
        webhook_listen="127.0.0.1",
        webhook_port=hook_port,
        health_port=health_port,
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(settings, stop))
    http = aiohttp.ClientSession()
    try:
        await until(lambda: bool(server.webhook_url) or serving.done(), 30, "no setWebhook")
        assert not serving.done(), f"the bot stopped with {serving.result()}"
        health = f"http://127.0.0.1:{health_port}"
        await until_listening(http, f"{health}/healthz")
        hook = f"http://127.0.0.1:{hook_port}/telegram/updates"
        yield WebhookBot(server, tmp_path, hook, health, http)
    finally:
        await http.close()
        stop.set()
        code = await asyncio.wait_for(serving, 30)
        await server.stop()
        assert code == 0


async def test_the_webhook_process_answers_and_ends_on_sigterm(tmp_path: Path) -> None:
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    server.add_user(READER_EN, "Alice", language_code="en")
    hook_port = free_port()
    bot = start_bot_process(
        server,
        tmp_path,
        WEBHOOK_URL=PUBLIC_URL,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(hook_port),
    )
    try:
        await until(lambda: bool(server.webhook_url), 30, f"no setWebhook:\n{bot.log()}")
        update = server.send_text(READER_EN, "/start")
        hook = f"http://127.0.0.1:{hook_port}/telegram/updates"
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with aiohttp.ClientSession() as http:
            for _ in range(500):  # the listener opens just after setWebhook
                try:
                    async with http.post(hook, json=update, headers=headers) as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.02)
        reply = await server.wait_for_reply(READER_EN, after_update=update, timeout=10)
        assert reply.text
    finally:
        code = await bot.stop()
        await server.stop()
    assert code == 0, bot.log()
    assert DEFAULT_TOKEN not in bot.log() and SECRET not in bot.log()


async def test_set_webhook_carries_secret_allowed_updates_and_keeps_pending(
    webhook_bot: WebhookBot,
) -> None:
    server = webhook_bot.server
    call = next(c for c in server.calls("setWebhook"))
    assert call.params["url"] == PUBLIC_URL
    assert call.params["secret_token"] == SECRET
    assert set(call.params["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    assert not call.params.get("drop_pending_updates")
    assert server.calls("getUpdates") == []


async def test_update_with_the_secret_is_answered(webhook_bot: WebhookBot) -> None:
    server = webhook_bot.server
    update = server.send_text(READER_EN, "/start")
    assert await webhook_bot.post(update) == 200
    reply = await server.wait_for_reply(READER_EN, after_update=update, timeout=10)
    assert reply.text


@pytest.mark.parametrize("secret", [None, "wrong-secret", SECRET + "x"])
async def test_update_without_the_matching_secret_gets_403_and_changes_nothing(
    webhook_bot: WebhookBot, secret: str | None
) -> None:
    server = webhook_bot.server
    forged = server.send_text(EDITOR_ID, "/post Forged item\nNot from Telegram.")
    assert await webhook_bot.post(forged, secret=secret) == 403
    # A genuine update after it is answered, and it is the only answer.
    genuine = server.send_text(READER_EN, "/ticker 1")
    assert await webhook_bot.post(genuine) == 200
    answer = await server.wait_for_reply(READER_EN, after_update=genuine, timeout=10)
    assert "Forged item" not in (answer.text or "")
    assert server.sent_messages(EDITOR_ID) == []


async def metrics(webhook_bot: WebhookBot) -> str:
    async with webhook_bot.http.get(f"{webhook_bot.health}/metrics") as response:
        assert response.status == 200
        return await response.text()


def handled(metrics_text: str, command: str) -> float:
    found = re.search(
        rf'^bot_updates_handled_total{{command="{command}"}} (\S+)$', metrics_text, re.M
    )
    return 0.0 if found is None else float(found.group(1))


async def test_health_ready_and_metrics(webhook_bot: WebhookBot) -> None:
    http, base = webhook_bot.http, webhook_bot.health
    server = webhook_bot.server
    # The registry is the process's: other bots this test process ran counted too.
    helps_before = handled(await metrics(webhook_bot), "help")
    update = server.send_text(READER_EN, "/help")
    assert await webhook_bot.post(update) == 200
    await server.wait_for_reply(READER_EN, after_update=update, timeout=10)
    async with http.get(f"{base}/readyz") as response:
        verdict = await response.json()
        assert response.status == 200, verdict
    assert verdict["checks"]["database"] == "writable"
    assert verdict["checks"]["push_engine"] == "running"
    text = await metrics(webhook_bot)
    assert handled(text, "help") == helps_before + 1
    assert "bot_update_seconds_bucket" in text
    assert 'bot_api_requests_total{method="sendMessage",outcome="ok"}' in text
    assert "bot_outbox_pending 0.0" in text
    assert 'bot_subscribers{status="active"} 0.0' in text


async def test_readyz_fails_when_the_database_cannot_take_a_write(
    webhook_bot: WebhookBot,
) -> None:
    path = webhook_bot.workdir / "data" / "bot.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        holder.execute("BEGIN IMMEDIATE")
        async with webhook_bot.http.get(f"{webhook_bot.health}/readyz") as response:
            assert response.status == 503
            verdict = await response.json()
        assert verdict["checks"]["database"].startswith("not writable")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    async with webhook_bot.http.get(f"{webhook_bot.health}/readyz") as response:
        assert response.status == 200
