"""Every way the token could leave the process in text: PTB's InvalidToken, URLs in
transport errors, warnings, uncaught exceptions, failures of polling."""

from __future__ import annotations

import io
import logging
import sys
import traceback
import warnings
from collections.abc import Iterator

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.delivery.transport import AiohttpRequest
from bot.logs import REDACTED, redacting_excepthooks, setup_logging
from bot.polling import TOKEN_REJECTED, Poller, PollingEnded, describe

TOKEN = "4242424242:AAHsecretPartOfTheTokenThatMustNotLeak"


@pytest.fixture
def stderr_log() -> Iterator[io.StringIO]:
    """The bot's logging set up as `python -m bot` does, writing into a buffer."""
    stream = io.StringIO()
    saved = (sys.stderr, sys.excepthook, logging.getLogger().handlers[:])
    sys.stderr = stream
    try:
        setup_logging("INFO", secrets=(TOKEN,))
        sys.stderr = saved[0]
        yield stream
    finally:
        sys.stderr, sys.excepthook = saved[0], saved[1]
        logging.captureWarnings(False)
        root = logging.getLogger()
        root.handlers[:] = saved[2]


def test_ptb_invalid_token_message_is_redacted_by_describe() -> None:
    # What Bot.initialize raises on a 401: the token inside the message.
    exc = InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    assert TOKEN not in describe(exc)
    assert REDACTED in describe(exc)


async def test_transport_error_for_a_bad_url_does_not_carry_the_token() -> None:
    request = AiohttpRequest(pool_size=1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://[bad-host/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert TOKEN not in str(caught.value)
    # Nor in the traceback an error handler would log (the chained aiohttp error has it).
    assert TOKEN not in "".join(traceback.format_exception(caught.value))


async def test_transport_error_for_a_refused_connection_does_not_carry_the_token() -> None:
    request = AiohttpRequest(pool_size=1, connect_timeout=2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            # Port 9 (discard) on loopback: nothing listens in the test environment.
            await request.do_request(f"http://127.0.0.1:9/bot{TOKEN}/getMe", "POST")
    finally:
        await request.shutdown()
    assert TOKEN not in str(caught.value)


def test_warnings_are_logged_redacted(stderr_log: io.StringIO) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"Unclosed connection to /bot{TOKEN}/getMe", ResourceWarning, stacklevel=1)
    output = stderr_log.getvalue()
    assert "Unclosed connection" in output
    assert TOKEN not in output


def test_uncaught_exception_prints_redacted(stderr_log: io.StringIO) -> None:
    try:
        raise RuntimeError(f"failed at https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    output = stderr_log.getvalue()
    assert "RuntimeError" in output and TOKEN not in output


def test_uncaught_exception_in_a_thread_prints_redacted(stderr_log: io.StringIO) -> None:
    import threading

    redacting_excepthooks()

    def fail() -> None:
        raise ValueError(f"token {TOKEN}")

    thread = threading.Thread(target=fail)
    saved = threading.excepthook
    try:
        redacting_excepthooks()
        thread.start()
        thread.join()
    finally:
        threading.excepthook = saved
    output = stderr_log.getvalue()
    assert "ValueError" in output and TOKEN not in output


class _RejectingBot:
    """getUpdates answering 401, the message carrying the token as PTB's initialize does."""

    calls = 0

    async def get_updates(self, **_: object) -> list[object]:
        self.calls += 1
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")


async def test_polling_failures_are_logged_without_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bot = _RejectingBot()
    poller = Poller(bot, lambda _: None, allowed_updates=[], token_grace_s=0.5)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING), pytest.raises(PollingEnded) as caught:
        await poller.run()
    assert caught.value.token_rejected
    assert str(caught.value).startswith(TOKEN_REJECTED)
    assert TOKEN not in str(caught.value)
    assert bot.calls == 2
    assert "getUpdates failed" in caplog.text
    assert TOKEN not in caplog.text
