"""The aiohttp transport, error classification, and the token staying out of every text."""

from __future__ import annotations

import logging
import socket
import traceback

import pytest
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bench.fakeapi.botapi import FakeBotApi, FaultRule
from bot.config import Settings
from bot.delivery.errors import FailureKind, classify
from bot.delivery.transport import (
    AiohttpRequest,
    ConnectTimedOut,
    PoolTimedOut,
    ReadTimedOut,
    build_push_bot,
)
from bot.logs import RedactingFormatter, redact
from tests.conftest_delivery import TOKEN, make_bot

SECRET = TOKEN.split(":")[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _full_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc)


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (RetryAfter(3), FailureKind.RETRY_AFTER),
        (Forbidden("Forbidden: bot was blocked by the user"), FailureKind.GONE),
        (Forbidden("Forbidden: user is deactivated"), FailureKind.GONE),
        (BadRequest("Bad Request: chat not found"), FailureKind.GONE),
        (BadRequest("Bad Request: TOPIC_CLOSED"), FailureKind.TOPIC_GONE),
        (BadRequest("Bad Request: message thread not found"), FailureKind.TOPIC_GONE),
        (ChatMigrated(-100123), FailureKind.MIGRATED),
        (NetworkError("Bad Gateway"), FailureKind.TRANSIENT),
        (PoolTimedOut(), FailureKind.TRANSIENT),
        (ConnectTimedOut(), FailureKind.TRANSIENT),
        (
            TimedOut("Pool timeout: All connections in the connection pool are occupied."),
            FailureKind.TRANSIENT,
        ),
        (ReadTimedOut(), FailureKind.AMBIGUOUS),
        (TimedOut(), FailureKind.AMBIGUOUS),
        (
            BadRequest("Message is not modified: specified new message content"),
            FailureKind.NOT_MODIFIED,
        ),
        (BadRequest("Message to edit not found"), FailureKind.MESSAGE_GONE),
        (BadRequest("Message can't be deleted for everyone"), FailureKind.CANT_DELETE),
        (BadRequest("Can't parse entities: unclosed tag"), FailureKind.PERMANENT),
        (TelegramError("something new"), FailureKind.TRANSIENT),
    ],
)
def test_classify(exc: Exception, kind: FailureKind) -> None:
    failure = classify(exc)
    assert failure.kind is kind
    if kind is FailureKind.RETRY_AFTER:
        assert failure.retry_after == 3
    if kind is FailureKind.MIGRATED:
        assert failure.new_chat_id == -100123


def test_redact() -> None:
    assert SECRET not in redact(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    assert redact("nothing secret") == "nothing secret"
    record = logging.LogRecord("x", logging.INFO, "f", 1, "url %s", (f"/bot{TOKEN}/getMe",), None)
    assert SECRET not in RedactingFormatter("%(message)s").format(record)


async def test_connection_refused_never_shows_the_token() -> None:
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{_free_port()}/bot", request=AiohttpRequest())
    await bot.request.initialize()
    try:
        with pytest.raises(NetworkError) as info:
            await bot.send_message(1, "hello")
    finally:
        await bot.request.shutdown()
    assert SECRET not in _full_text(info.value)
    assert classify(info.value).kind is FailureKind.TRANSIENT


async def test_read_timeout_is_marked_ambiguous_and_hides_the_token(fake: FakeBotApi) -> None:
    fake.add_user(5, "U")
    fake.faults.add(FaultRule(kind="hang", method="sendMessage"))
    bot = make_bot(fake, read_timeout=0.2)
    await bot.request.initialize()
    try:
        with pytest.raises(TimedOut) as info:
            await bot.send_message(5, "hello")
    finally:
        await bot.request.shutdown()
    assert isinstance(info.value, ReadTimedOut)
    assert SECRET not in _full_text(info.value)


async def test_pool_timeout_means_not_sent(fake: FakeBotApi) -> None:
    import asyncio

    fake.add_user(5, "U")
    fake.faults.add(FaultRule(kind="delay", method="sendMessage", delay=0.5))
    request = AiohttpRequest(pool_size=1, pool_timeout=0.1)
    bot = Bot(TOKEN, base_url=fake.base_url, request=request)
    await request.initialize()
    try:
        results = await asyncio.gather(
            bot.send_message(5, "one"), bot.send_message(5, "two"), return_exceptions=True
        )
    finally:
        await request.shutdown()
    assert sum(isinstance(r, PoolTimedOut) for r in results) == 1
    assert len(fake.calls("sendMessage")) == 1


async def test_transport_round_trip_and_settings(fake: FakeBotApi) -> None:
    fake.add_user(5, "U")
    settings = Settings(
        bot_token=TOKEN, telegram_base_url=fake.base_url, push_rate=1000, paid_broadcast=True
    )
    bot = build_push_bot(settings)
    async with bot:
        message = await bot.send_message(5, "<b>hi</b>", parse_mode="HTML")
        assert message.text == "hi"
        assert (await bot.get_me()).username == fake.bot_username
    assert isinstance(bot.request, AiohttpRequest)
