"""Logging set-up that never lets a bot token reach a log line."""

from __future__ import annotations

import logging
import re
import sys
import threading
from types import TracebackType
from urllib.parse import unquote, urlsplit

TOKEN_IN_TEXT = re.compile(r"(?<!\d)\d{3,20}:[A-Za-z0-9_-]{20,100}")
REDACTED = "<redacted-token>"


def url_secrets(url: str) -> tuple[str, ...]:
    """What of a database URL no text may show: the URL, its password as written and decoded."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    found = [url] if url else []
    if password:
        found += [password, unquote(password)]
    return tuple(found)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Text with every bot token (and the given secrets) replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_IN_TEXT.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts: covers messages, args and tracebacks alike."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


class QuietTransportErrors(logging.Filter):
    """Drop PTB's traceback for an answer that is not JSON (a proxy's error page, a wrong
    TELEGRAM_BASE_URL): the error it raises says the same, once, where it is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram.request") and "invalid JSON" in str(record.msg):
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


def setup_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Root logging to stderr with redaction; chatty HTTP loggers kept at WARNING."""
    handler = logging.StreamHandler()
    handler.addFilter(QuietTransportErrors())
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL contains the token.
    for noisy in ("httpx", "httpcore", "aiohttp.access", "telegram.request"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("telegram.ext.Updater").setLevel(logging.getLevelName(level))
    # warnings.warn (aiohttp's "Unclosed client session", PTB's deprecations) would go
    # straight to stderr, past the redaction.
    logging.captureWarnings(True)
    redacting_excepthooks()


def redacting_excepthooks() -> None:
    """Uncaught exceptions (main thread and others) go through the redacting log handler."""
    crash_log = logging.getLogger("bot.crash")

    def show(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        crash_log.critical("uncaught exception", exc_info=(kind, exc, tb))

    sys.excepthook = show
    threading.excepthook = lambda args: show(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
    )
