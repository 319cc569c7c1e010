"""An editor's read-only commands answer while the store's writer is busy (a push's batch).

The push engine records outcomes in write transactions; a command that only reads must not
queue behind them. The editor's name is kept for the audit log, but written only when it
changed, so /stats and /audit need no write at all.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.db.connection import Database
from tests.inproc import EDITOR_ID, inproc_bot

pytestmark = pytest.mark.timeout(60)


async def test_stats_and_audit_answer_while_a_push_transaction_holds_the_writer(
    tmp_path: Path,
) -> None:
    async with inproc_bot(tmp_path, with_delivery=False) as bot:
        db = bot.app.bot_data.db
        await bot.ask_text(EDITOR_ID, "/post Eilmeldung\nDer Gipfel beginnt.")
        held, release = asyncio.Event(), asyncio.Event()

        async def push_transaction() -> None:
            with Database.background_reads():
                async with db.atomic():
                    held.set()
                    await release.wait()

        holder = asyncio.create_task(push_transaction())
        try:
            await asyncio.wait_for(held.wait(), 5)
            stats = await asyncio.wait_for(bot.ask_text(EDITOR_ID, "/stats"), 5)
            audit = await asyncio.wait_for(bot.ask_text(EDITOR_ID, "/audit"), 5)
        finally:
            release.set()
            await holder
        assert stats and "Eilmeldung" in audit
        assert "Eda" in audit  # the editor's name, written by the first command

        # A renamed editor shows under the new name: the name is written when it changes.
        bot.server.add_user(EDITOR_ID, "Edith", language_code="de")
        await bot.ask_text(EDITOR_ID, "/pin 1")
        audit = await bot.ask_text(EDITOR_ID, "/audit")
        assert "Edith" in audit and "Eda " not in audit
