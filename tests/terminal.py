"""What an operator reads on the terminal, for a bot run in the test's own process."""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from collections.abc import Iterator

from bot.logs import setup_logging


@contextlib.contextmanager
def terminal_log(level: str = "INFO", secrets: tuple[str, ...] = ()) -> Iterator[io.StringIO]:
    """The bot's own logging set-up (setup_logging, as `python -m bot` runs it: its filter,
    its redaction, its quiet HTTP loggers) writing to a buffer instead of stderr; the test
    process's logging is put back after."""
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    hooks = (sys.excepthook, threading.excepthook)
    stream = io.StringIO()
    stderr, sys.stderr = sys.stderr, stream
    try:
        setup_logging(level, secrets=secrets)
    finally:
        sys.stderr = stderr
    try:
        yield stream
    finally:
        logging.captureWarnings(False)
        sys.excepthook, threading.excepthook = hooks
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.setLevel(levels.get(name, logging.NOTSET))
        root.handlers[:] = handlers
        root.setLevel(root_level)
