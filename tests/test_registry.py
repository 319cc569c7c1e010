"""The command table: /help, the menu and the registry read the same list."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import ApplicationBuilder, CommandHandler

from bot.handlers import registry
from bot.texts import EDITOR_COMMANDS, READER_COMMANDS


def _app() -> Any:
    return ApplicationBuilder().token("1:x").updater(None).build()


def test_every_listed_command_is_registered_and_nothing_else() -> None:
    app = _app()
    registry.register_handlers(app)
    registered = {
        name
        for handlers in app.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }
    assert registered == {"start", *READER_COMMANDS, *EDITOR_COMMANDS}


def test_a_listed_command_without_handler_stops_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handlers = dict(registry.HANDLERS)
    del handlers["ticker"]
    monkeypatch.setattr(registry, "HANDLERS", handlers)
    with pytest.raises(RuntimeError, match="ticker"):
        registry.register_handlers(_app())
