"""The command table: /help, the menu and the registry read the same list."""

from __future__ import annotations

from typing import Any, cast

import pytest
from telegram.ext import ApplicationBuilder, CommandHandler

from bot.delivery.ratelimit import PATIENT_OUTAGE_WAITS, replies_are_patient
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


async def test_editor_commands_reply_patiently_and_reader_commands_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An editor's confirmation waits out ten minutes of outage (a reader's answer 30 s).
    assert sum(PATIENT_OUTAGE_WAITS) >= 600
    seen: dict[str, bool] = {}

    def probe(name: str) -> Any:
        async def handler(update: object, context: object) -> None:
            seen[name] = replies_are_patient()

        return handler

    monkeypatch.setattr(registry, "HANDLERS", {n: probe(n) for n in registry.HANDLERS})
    app = _app()
    registry.register_handlers(app)
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                await handler.callback(cast(Any, None), cast(Any, None))
    assert {n for n, patient in seen.items() if patient} == set(EDITOR_COMMANDS)
    assert set(seen) == set(registry.COMMANDS)
    assert not replies_are_patient()
