"""One command table: every command is in /help (both languages), the README and the menus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.texts import EDITOR_COMMANDS, READER_COMMANDS
from tests.inproc import EDITOR_ID, READER_DE, READER_EN, inproc_bot

pytestmark = pytest.mark.timeout(90)
README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_command_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"`/([a-z]+)", README.read_text(encoding="utf-8")))
    missing = {"start", *READER_COMMANDS, *EDITOR_COMMANDS} - documented
    assert not missing, f"commands missing from the README: {sorted(missing)}"


async def test_help_and_menus_list_every_command_in_both_languages(tmp_path: Path) -> None:
    async with inproc_bot(tmp_path, with_delivery=False) as bot:
        await bot.ask(READER_EN, "/language en")
        await bot.ask(READER_DE, "/language de")
        for reader in (READER_DE, READER_EN):
            shown = await bot.ask_text(reader, "/help")
            listed = set(re.findall(r"(?m)^/([a-z]+)", shown))
            assert listed == set(READER_COMMANDS), (reader, shown)
            assert "/post" not in shown  # editor commands are for editors
        editor_help = await bot.ask_text(EDITOR_ID, "/help")
        assert set(re.findall(r"(?m)^/([a-z]+)", editor_help)) == {
            *READER_COMMANDS,
            *EDITOR_COMMANDS,
        }

        editor_scope = {"type": "chat", "chat_id": EDITOR_ID}
        for language in ("de", "en", ""):
            readers = bot.server.commands_for(None, language)
            assert [c["command"] for c in readers] == list(READER_COMMANDS), language
            editors = bot.server.commands_for(editor_scope, language)
            assert [c["command"] for c in editors] == [*READER_COMMANDS, *EDITOR_COMMANDS]
            for command in (*readers, *editors):  # Telegram: 1–256 characters, one line
                description = command["description"]
                assert 1 <= len(description) <= 256 and "\n" not in description
        german = {c["command"]: c["description"] for c in bot.server.commands_for(None, "de")}
        english = {c["command"]: c["description"] for c in bot.server.commands_for(None, "en")}
        assert german["timezone"] != english["timezone"]  # each in its language
        assert german["missed"] != english["missed"]
