"""`python -m bot console`: an offline chat in the terminal through the real handlers."""

from __future__ import annotations

import asyncio
import itertools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bot.app import build_app, running
from bot.config import Settings
from bot.db import deliveries
from bot.db.connection import Database
from bot.inprocess import InProcessBotApi, Outgoing, html_to_plain
from bot.logs import setup_logging

CONSOLE_TOKEN = "1:console-offline-token-never-sent-anywhere"


class ChatView:
    """Prints what the bot does in the console's chat and remembers the last keyboard."""

    def __init__(self, show: Callable[[str], None], chat_id: int) -> None:
        self.show = show
        self.chat_id = chat_id
        self.last_keyboard_message: dict[str, Any] | None = None

    def __call__(self, event: Outgoing) -> None:
        if event.event == "notice":
            self.show(f"bot (notice): {event.text}")
            return
        if event.event == "deleted":
            self.show(f"bot: (deleted message {event.message_id})")
            return
        prefix = "bot:" if event.event == "sent" else f"bot (edited message {event.message_id}):"
        header = prefix if event.chat_id == self.chat_id else f"{prefix} → chat {event.chat_id}"
        self.show(f"{header}\n{html_to_plain(event.text)}")
        keyboard = (event.message.get("reply_markup") or {}).get("inline_keyboard")
        if keyboard:
            buttons = [b for row in keyboard for b in row]
            labels = "  ".join(f"[:{i}] {b['text']}" for i, b in enumerate(buttons, 1))
            self.show(f"  {labels}")
            self.last_keyboard_message = event.message


class Console:
    """Turns typed lines into updates for the Application and prints its replies."""

    def __init__(
        self, user_id: int, language: str, request: InProcessBotApi, view: ChatView
    ) -> None:
        self.user_id = user_id
        self.language = language
        self.request = request
        self.view = view
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100_000)

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": "Console",
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": "Console"}

    def text_update(self, text: str) -> dict[str, Any]:
        """An update carrying a typed message, commands marked as Telegram marks them."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "from": self._user(),
            "chat": self._chat(),
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"update_id": next(self._update_ids), "message": message}

    def button_update(self, index: int) -> dict[str, Any] | None:
        """A callback query for button `index` (1-based) of the last keyboard shown."""
        message = self.view.last_keyboard_message
        if not message:
            return None
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        if not 1 <= index <= len(buttons) or "callback_data" not in buttons[index - 1]:
            return None
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": self._user(),
                "message": message,
                "chat_instance": "console",
                "data": buttons[index - 1]["callback_data"],
            },
        }

    def document_update(self, path: Path) -> dict[str, Any]:
        """An update carrying a file the user sends, served from the local disk."""
        file_id = f"console-{next(self._message_ids)}"
        self.request.files[file_id] = path
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "from": self._user(),
                "chat": self._chat(),
                "document": {
                    "file_id": file_id,
                    "file_unique_id": file_id,
                    "file_name": path.name,
                    "mime_type": "text/plain",
                    "file_size": path.stat().st_size,
                },
            },
        }


HELP = """Type as you would in Telegram (/help, /summary, /ticker 3 …); \\n breaks a line.
  :N          press button N of the last message with buttons
  :send PATH  send a file (editors: import a page)
  :quit       leave (Ctrl-D works too)"""


def run_console(settings: Settings, *, user_id: int, admin: bool, language: str) -> int:
    """Run the offline chat until the user quits; returns the exit code."""
    return asyncio.run(_console(settings, user_id=user_id, admin=admin, language=language))


async def _console(settings: Settings, *, user_id: int, admin: bool, language: str) -> int:
    setup_logging("WARNING")
    if admin:
        settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {user_id}})

    def show(text: str) -> None:
        print(text, flush=True)

    view = ChatView(show, user_id)
    request = InProcessBotApi(on_message=view)
    push_bot = Bot(CONSOLE_TOKEN, request=request)
    app = build_app(
        settings, request=request, updates_request=request, token=CONSOLE_TOKEN, push_bot=push_bot
    )
    console = Console(user_id, language, request, view)
    role = "editor" if admin else "reader"
    show(f"briefing-bot console — you are user {user_id} ({role}). {HELP}")
    async with running(app):
        while True:
            try:
                line = await asyncio.to_thread(input, "you: ")
            except EOFError:
                break
            line = line.strip()
            if not line:
                continue
            if line in (":quit", ":q"):
                break
            update = _update_for(console, line, show)
            if update is None:
                continue
            await app.process_update(Update.de_json(update, app.bot))
            await _pushes_shown(app.bot_data.db)
    return 0


PUSH_WAIT_S = 3.0  # a push due now is shown within this; one held for later is not waited for
_PUSH_POLL_S = 0.02


async def _pushes_shown(db: Database) -> None:
    """Wait until what the command set off is pushed, so it shows before the next prompt."""
    deadline = time.monotonic() + PUSH_WAIT_S
    while time.monotonic() < deadline:
        if not await deliveries.work_due(db, before=time.time() + 1.0):
            return
        await asyncio.sleep(_PUSH_POLL_S)


def _update_for(console: Console, line: str, show: Callable[[str], None]) -> dict[str, Any] | None:
    if line.startswith(":send "):
        path = Path(line[6:].strip()).expanduser()
        if not path.is_file():
            show(f"(no such file: {path})")
            return None
        return console.document_update(path)
    if line.startswith(":") and line[1:].isdigit():
        update = console.button_update(int(line[1:]))
        if update is None:
            show("(no such button)")
        return update
    if line.startswith(":"):
        show(HELP)
        return None
    # One terminal line is one message; a typed "\n" stands for a line break (/post).
    return console.text_update(line.replace("\\n", "\n"))


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run: python -m bot console")
