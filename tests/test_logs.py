"""The token never reaches a log line, whatever carries it."""

from __future__ import annotations

import io
import logging

from bot.logs import REDACTED, RedactingFormatter, redact

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuv"


def test_redact_hides_tokens_in_urls() -> None:
    text = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed"
    assert TOKEN not in redact(text)
    assert REDACTED in redact(text)


def test_formatter_redacts_arguments_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("%(message)s", (TOKEN,)))
    logger = logging.getLogger("test-redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", f"/bot{TOKEN}/getMe")
        try:
            raise RuntimeError(f"boom at https://host/bot{TOKEN}/x")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "calling" in output and "boom" in output
    assert TOKEN not in output
    assert "TEST-token" not in output
