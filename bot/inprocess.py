"""A Bot API answered inside this process: the console's chat and the benchmarks' transport.

`InProcessBotApi` is a real PTB `BaseRequest` (and the engine's `JsonTransport`), so the
Application, its handlers and the delivery engine run unchanged against it; nothing leaves
the process. Every message the bot sends, edits or deletes is handed to `on_message`.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from telegram.request import BaseRequest, RequestData

BOT_USER: dict[str, Any] = {
    "id": 1,
    "is_bot": True,
    "first_name": "Briefing",
    "username": "briefing_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_TAG = re.compile(r"<[^>]+>")
_NOT_FOUND = b'{"ok": false, "error_code": 404, "description": "Not Found"}'
_SENDS = frozenset({"sendmessage", "sendphoto", "sendvideo", "sendanimation", "senddocument"})


def html_to_plain(text: str) -> str:
    """What a reader sees of our HTML: tags dropped, entities resolved."""
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True)
class Outgoing:
    """One thing the bot did in a chat: a message sent, edited or deleted, or a notice."""

    event: Literal["sent", "edited", "deleted", "notice"]
    chat_id: int
    message_id: int
    # The HTML the bot sent (a notice: its plain text; a deletion: "").
    text: str
    # The Message as answered to the bot ({} for a deletion or a notice).
    message: dict[str, Any]


class InProcessBotApi(BaseRequest):
    """Answers the Bot API methods the bot calls at once, without a network.

    Message ids count per chat, as Telegram's do; messages are not kept, so a run of a
    million sends costs no memory. Files the user "sends" are served from `files`.
    """

    def __init__(self, on_message: Callable[[Outgoing], None] | None = None) -> None:
        self.on_message = on_message
        self.sent = 0
        self.files: dict[str, Path] = {}
        self._last_id: Counter[int] = Counter()

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        # Time-outs typed as `object`: PTB's own alias lives in a private module, and a
        # local answer never waits anyway.
        if "/file/" in url:
            path = self.files.get(url.rsplit("/", 1)[-1])
            if path is None:
                return 404, _NOT_FOUND
            return 200, await asyncio.to_thread(path.read_bytes)
        params = request_data.parameters if request_data else {}
        result = self._answer(url.rsplit("/", 1)[-1].lower(), params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def call_json(
        self,
        url: str,
        payload: dict[str, Any],
        *,
        encoded: bytes | None = None,
        on_write: Callable[[], None] | None = None,
    ) -> Any:
        """The engine's JSON fast path: the same answer, the body encoded as a real one is."""
        if encoded is None:
            json.dumps(payload)  # what a real transport spends on the body
        if on_write is not None:
            on_write()
        return self._answer(url.rsplit("/", 1)[-1].lower(), payload)

    def _emit(self, event: Outgoing) -> None:
        if self.on_message is not None:
            self.on_message(event)

    def _message(self, params: dict[str, Any], message_id: int) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        text = str(params.get("text", params.get("caption", "")))
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": BOT_USER,
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": html_to_plain(text),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup:
            message["reply_markup"] = markup
        return message

    def _send(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        self._last_id[chat_id] += 1
        self.sent += 1
        message = self._message(params, self._last_id[chat_id])
        text = str(params.get("text", params.get("caption", "")))
        self._emit(Outgoing("sent", chat_id, message["message_id"], text, message))
        return message

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getme":
            return BOT_USER
        if method in _SENDS:
            return self._send(params)
        if method == "sendmediagroup":
            media = params.get("media")
            parts = json.loads(media) if isinstance(media, str) else media or []
            return [self._send({**params, **part}) for part in parts]
        if method in ("editmessagetext", "editmessagecaption", "editmessagemedia"):
            message_id = int(params.get("message_id", 0))
            message = self._message(params, message_id)
            text = str(params.get("text", params.get("caption", "")))
            self._emit(Outgoing("edited", message["chat"]["id"], message_id, text, message))
            return message
        if method == "deletemessage":
            chat_id, message_id = int(params.get("chat_id", 0)), int(params.get("message_id", 0))
            self._emit(Outgoing("deleted", chat_id, message_id, "", {}))
            return True
        if method == "answercallbackquery":
            if params.get("text"):
                self._emit(Outgoing("notice", 0, 0, str(params["text"]), {}))
            return True
        if method == "getfile":
            file_id = str(params.get("file_id"))
            path = self.files[file_id]
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": path.stat().st_size,
                "file_path": file_id,
            }
        if method == "getchatmember":
            return {
                "status": "creator",
                "user": {"id": params.get("user_id"), "is_bot": False, "first_name": "Console"},
                "is_anonymous": False,
            }
        # setMyCommands, pinChatMessage, deleteWebhook and the like: nothing to show.
        return True
