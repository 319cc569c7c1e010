"""Keep the bot token out of log lines and error texts."""

from __future__ import annotations

import logging
import re

# A token is "<bot id>:<secret>"; it is part of every Bot API URL.
TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{20,100}")


def redact(text: str, token: str | None = None) -> str:
    """The text with anything that looks like a bot token replaced."""
    if token:
        text = text.replace(token, "<token>")
    return TOKEN_RE.sub("<token>", text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts tokens from the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drops a record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
