"""A fake Telegram Bot API HTTP server on loopback, for tests, benchmarks and manual runs.

It speaks the real wire protocol (``/bot<token>/<method>``, ``/file/bot<token>/<path>``, every
parameter encoding the Bot API accepts) and keeps realistic state: per-chat message ids, edits,
deletions, callback queries, files, commands per scope and language. Error answers use Telegram's
exact descriptions so that python-telegram-bot raises the same exception types as in production.

Typical use::

    async with FakeBotApi() as server:
        server.add_user(1001, "Alice", language_code="de")
        async with telegram.Bot(server.token, base_url=server.base_url) as bot:
            ...
        update = server.send_text(1001, "/start")
        reply = await server.wait_for_reply(1001, after_update=update)

Standalone (a human or another process drives it through stdin or ``/_control/*``)::

    python -m bench.fakeapi.botapi --port 8081 --latency-ms 50
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import hashlib
import itertools
import json
import random
import re
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from .botapi_faults import FAULT_KINDS, FaultKind, FaultRule, FaultSet
from .botapi_models import (
    ApiCall,
    ApiError,
    CallbackQueryRecord,
    FakeChat,
    FakeUser,
    MessageVersion,
    StoredFile,
    StoredMessage,
    UploadedFile,
    bad_request,
)
from .botapi_stats import SEND_METHODS, SendStats
from .botapi_text import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    EntityParseError,
    detect_entities,
    format_text,
    utf16_len,
)

__all__ = [
    "DEFAULT_TOKEN",
    "FAULT_KINDS",
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "FaultKind",
    "FaultRule",
    "FaultSet",
    "MessageVersion",
    "StoredFile",
    "StoredMessage",
]

JSON = dict[str, Any]
_T = TypeVar("_T")

# The example token from the Bot API docs; its numeric prefix becomes the bot's user id.
DEFAULT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHAT_ID_RE = re.compile(r"^-?\d+$")

MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DELETE_WINDOW_S = 48 * 3600
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "allowed_updates",
        "media",
        "message_ids",
    }
)
_INT_PARAMS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "message_thread_id",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "from_chat_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_paid_broadcast",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "disable_content_type_detection",
    }
)
_SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
# What real file ids start with, by the kind of file (photo, video, animation, document).
_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAA",
    "video": "BAACAgIAAxkBAA",
    "animation": "CgACAgIAAxkBAA",
    "document": "BQACAgIAAxkBAA",
}
_MEDIA_KINDS = ("photo", "video", "animation", "document")
MAX_ALBUM = 10
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_STATUS_PHRASES = {401: "Unauthorized", 404: "Not Found", 499: "Client Closed Request"}

ScopeKey = tuple[str, int | str | None, int | None]


class _Poll:
    """One pending getUpdates long poll."""

    __slots__ = ("conflict", "wake")

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.conflict = False


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


# A JSON string escape of a UTF-16 surrogate: the only way a lone one can reach the fake (UTF-8
# bytes cannot encode one, and a body that is no UTF-8 fails to parse). Bodies without such an
# escape skip the walk over every value, which cost a fan-out's fake more than its JSON parse.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")

# Texts already formatted, per (text, parse_mode): a fan-out sends one text to every chat.
_FORMAT_CACHE_SIZE = 256


def _dumps(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A test's user with a broken name: sent as JSON escapes, as JSON allows.
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


@functools.lru_cache(maxsize=_FORMAT_CACHE_SIZE)
def _format_markup_cached(text: str, parse_mode: str | None) -> tuple[str, tuple[JSON, ...]]:
    plain, parsed = format_text(text, parse_mode, None)
    return plain, tuple(parsed)


def _format_markup(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """format_text for a text without explicit entities; each message gets its own copies."""
    plain, parsed = _format_markup_cached(text, parse_mode)
    return plain, [dict(entity) for entity in parsed]


# Linux's SO_TIMESTAMPNS (the socket module has no name for it): the kernel stamps each
# packet as it comes in, and recvmsg hands the stamp over with the bytes.
_SO_TIMESTAMPNS = 35
_TIMESTAMP_SPACE = socket.CMSG_SPACE(16)


class _StampingSocket(socket.socket):
    """A listening socket whose connections learn when the kernel received their bytes.

    Even a stamp taken the moment the event loop reads a request is late by whatever the
    loop did before (a burst of requests, a collection): requests that came 30 ms apart
    were stamped together. The kernel's stamp is the arrival itself. asyncio's transport
    calls `recv` and hands the bytes to the protocol in the same callback, so the protocol
    reads the stamp of the bytes it gets from `last_arrival`.
    """

    last_arrival: float | None = None
    kernel_stamps = False

    def accept(self) -> tuple[socket.socket, Any]:
        fd, address = self._accept()  # type: ignore[attr-defined]
        connection = _StampingSocket(self.family, self.type, self.proto, fileno=fd)
        try:
            connection.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
            connection.kernel_stamps = True
        except OSError:
            connection.kernel_stamps = False  # not Linux: the read's own time below
        return connection, address

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if not self.kernel_stamps:
            _StampingSocket.last_arrival = time.monotonic()
            return super().recv(bufsize, flags)
        data, ancillary, _, _ = self.recvmsg(bufsize, _TIMESTAMP_SPACE, flags)
        now = time.monotonic()
        arrival = now
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS and len(payload) >= 16:
                seconds, nanoseconds = struct.unpack("qq", payload[:16])
                # The kernel's clock is the wall clock: how long ago, on the monotonic one.
                arrival = now - max(0.0, time.time() - (seconds + nanoseconds / 1e9))
        _StampingSocket.last_arrival = arrival
        return data


class _ArrivalStamps(asyncio.Protocol):
    """aiohttp's protocol for one connection, noting when a request's bytes came in.

    Telegram counts a send when it arrives. The handler runs a loop turn or more later, and
    while the loop is busy requests that came apart are handled together: stamped at the
    handler, a second's sends looked like more. The stamp is that of the request's last
    bytes (a client waits for each answer before it reuses a connection).
    """

    def __init__(
        self, inner: asyncio.Protocol, arrivals: dict[asyncio.BaseTransport, float]
    ) -> None:
        self._inner = inner
        self._arrivals = arrivals
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._transport is not None:
            arrival = _StampingSocket.last_arrival
            self._arrivals[self._transport] = time.monotonic() if arrival is None else arrival
            _StampingSocket.last_arrival = None
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._arrivals.pop(self._transport, None)
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()


def _json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(body=_dumps(payload), status=status, content_type="application/json")


class FakeBotApi:
    """Fake Bot API server (usage in the module docstring).

    Not thread-safe: call its methods from the event loop it runs on; other threads and
    processes drive it through the ``/_control/*`` endpoints.

    Attributes meant for tests:
      requests       list[ApiCall], every API request in arrival order (empty if record=False)
      messages       {chat_id: {message_id: StoredMessage}}, current state incl. deleted ones
      faults         FaultSet; ``faults.add(FaultRule(...))``
      latency        seconds added to every API answer (benchmarks); ``latency_jitter`` on top
      stats          SendStats: per-method/status counters, send windows, duplicates
      privacy_mode   group privacy like Telegram's default (True): in groups where the bot is not
                     an admin it only gets commands, replies to it and mentions of it
      open_chats     any numeric chat id is a chat that started the bot (benchmarks push to
                     a million subscribers nobody registered); False: unknown is "chat not found"
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "BriefingTestBot",
        bot_first_name: str = "Briefing Test Bot",
        latency: float = 0.0,
        record: bool = True,
        seed: int | None = 0,
        privacy_mode: bool = True,
        open_chats: bool = False,
    ) -> None:
        if not _TOKEN_RE.match(token):
            raise ValueError(f"token {token!r} is not of the form <digits>:<secret>")
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.latency = latency
        self.latency_jitter = 0.0
        self.record = record
        self.privacy_mode = privacy_mode
        self.open_chats = open_chats
        # Telegram does not publish how long a callback query stays answerable; None = forever.
        self.callback_answer_timeout: float | None = None
        self.faults = FaultSet(seed)
        self.stats = SendStats()
        self.on_bot_message: Callable[[str, StoredMessage], None] | None = None
        self._rng = random.Random(seed)
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self._arrivals: dict[asyncio.BaseTransport, float] = {}
        self._stopping = asyncio.Event()
        self._changed: asyncio.Event | None = None
        self._methods: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, getattr(self, f"_api_{name}")) for name in _API_METHODS
        }
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self._init_dynamic_state()

    def _init_dynamic_state(self) -> None:
        self.requests: list[ApiCall] = []
        self.messages: dict[int, dict[int, StoredMessage]] = {
            chat.id: chat.messages for chat in self.chats.values()
        }
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[ScopeKey, str], list[JSON]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> name/description
        self.webhook_url = ""
        self.webhook_allowed_updates: list[str] | None = None
        self.allowed_updates: list[str] | None = None
        self._updates: list[JSON] = []
        self._update_seq: dict[int, int] = {}  # update_id -> seq at injection
        self._last_chat_update_seq: dict[int, int] = {}
        self._next_update_id = 100_000_001
        self._seq = 0
        self._request_seq = 0
        self._file_counter = 0
        self._callback_counter = 0
        self._active_poll: _Poll | None = None
        self.polls_started = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(token, base_url=server.base_url)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``telegram.Bot(..., base_file_url=server.base_file_url)`` (file downloads)."""
        return f"{self.url}/file/bot"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/bot{token}/", self._handle_no_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        control: list[tuple[str, str, Callable[[web.Request], Any]]] = [
            ("POST", "send_text", self._control_send_text),
            ("POST", "press_button", self._control_press_button),
            ("POST", "send_document", self._control_send_document),
            ("POST", "add_user", self._control_add_user),
            ("POST", "add_group", self._control_add_group),
            ("POST", "block_user", self._control_block_user),
            ("POST", "migrate_group", self._control_migrate_group),
            ("POST", "mark_old", self._control_mark_old),
            ("GET", "faults", self._control_faults_get),
            ("POST", "faults", self._control_faults_post),
            ("DELETE", "faults", self._control_faults_delete),
            ("GET", "requests", self._control_requests),
            ("GET", "messages", self._control_messages),
            ("GET", "updates", self._control_updates),
            ("GET", "users", self._control_users),
            ("POST", "wait_for_reply", self._control_wait_for_reply),
            ("POST", "config", self._control_config),
            ("POST", "reset", self._control_reset),
            ("GET", "stats", self._control_stats),
        ]
        for http_method, name, handler in control:
            app.router.add_route(http_method, f"/_control/{name}", handler)
        return app

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeBotApi already started")
        self._stopping = asyncio.Event()
        # handler_cancellation: a client that gives up (timeout) cancels its hung handler, so
        # "hang" faults do not pile up; access_log=None keeps benchmarks from measuring logging.
        runner = web.AppRunner(
            self.make_app(), handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await runner.setup()
        handler_factory = runner.server
        assert handler_factory is not None
        arrivals = self._arrivals
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listening = _StampingSocket(family, socket.SOCK_STREAM)
        try:
            listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listening.bind((self.host, self.port))
            listening.listen(1024)
            listening.setblocking(False)
            self._server = await asyncio.get_running_loop().create_server(
                lambda: _ArrivalStamps(handler_factory(), arrivals), sock=listening
            )
        except BaseException:
            listening.close()
            raise
        self._runner = runner
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._stopping.set()
        if self._active_poll is not None:
            self._active_poll.wake.set()
        runner, self._runner = self._runner, None
        server, self._server = self._server, None
        if server is not None:
            server.close()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def reset(self) -> None:
        """Forget messages, requests, updates, files, faults, commands and stats.

        Users and chats stay (message ids restart at 1; migrations, blocks and removals are
        undone), so a long-running standalone server can be reused between scenarios.
        """
        for chat in list(self.chats.values()):
            if chat.migrated_from is not None:
                del self.chats[chat.id]
                continue
            chat.messages = {}
            chat.next_message_id = 1
            chat.migrated_to = None
            chat.bot_member = True
        for user in self.users.values():
            user.blocked = user.deactivated = False
        self.faults.clear()
        self.stats.reset()
        self._init_dynamic_state()
        self._notify()

    # ------------------------------------------------------------------ users and chats

    @property
    def bot_user(self) -> JSON:
        """The bot as it appears in "from" of its messages."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def add_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
        *,
        last_name: str | None = None,
        is_premium: bool = False,
        started: bool = True,
    ) -> FakeUser:
        """Register a user and their private chat with the bot (chat id == user id)."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_premium=is_premium,
            started=started,
        )
        self.users[user_id] = user
        chat = self.chats.get(user_id)
        if chat is None:
            chat = FakeChat(id=user_id, type="private")
            self.chats[user_id] = chat
            self.messages[user_id] = chat.messages
        chat.first_name, chat.last_name, chat.username = first_name, last_name, username
        return user

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[int] = (),
        type: Literal["group", "supergroup", "channel"] = "group",
        *,
        members: Iterable[int] = (),
        creator: int | None = None,
        username: str | None = None,
        is_forum: bool = False,
        bot_is_admin: bool = False,
    ) -> FakeChat:
        """Register a group the bot is a member of. ``admins`` are user ids (made up if unknown);
        the creator defaults to the first admin."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        admin_ids = list(admins)
        for uid in [*admin_ids, *members, *([creator] if creator else [])]:
            if uid not in self.users:
                self.add_user(uid, f"User{uid}", language_code=None, started=False)
        chat = FakeChat(
            id=chat_id,
            type=type,
            title=title,
            username=username,
            is_forum=is_forum,
            creator=creator if creator is not None else (admin_ids[0] if admin_ids else None),
            admins=[uid for uid in admin_ids if uid != creator],
            members={*admin_ids, *members, *([creator] if creator else [])},
            bot_is_admin=bot_is_admin,
        )
        if chat.creator is not None and chat.creator in chat.admins:
            chat.admins.remove(chat.creator)
        self.chats[chat_id] = chat
        self.messages[chat_id] = chat.messages
        return chat

    def get_chat(self, chat_id: int) -> FakeChat:
        return self.chats[chat_id]

    def block_user(self, user_id: int, blocked: bool = True, *, emit_update: bool = True) -> None:
        """The user blocks (or unblocks) the bot; sends then fail with 403 like in production.

        Telegram tells the bot with a my_chat_member update, which is queued unless
        ``emit_update`` is False.
        """
        user = self._user(user_id)
        if user.blocked == blocked:
            return
        user.blocked = blocked
        member: JSON = {"status": "member"}
        kicked: JSON = {"status": "kicked", "until_date": 0}
        old, new = (member, kicked) if blocked else (kicked, member)
        if emit_update:
            self._queue_update(
                "my_chat_member",
                {
                    "chat": self.chats[user_id].to_dict(),
                    "from": user.to_dict(),
                    "date": self._now(),
                    "old_chat_member": {"user": self.bot_user, **old},
                    "new_chat_member": {"user": self.bot_user, **new},
                },
                chat_id=user_id,
            )

    def close_topic(self, chat_id: int, thread_id: int, *, delete: bool = False) -> None:
        """An admin closes (or deletes) a forum topic: sends into it fail from then on."""
        chat = self.chats[chat_id]
        (chat.deleted_topics if delete else chat.closed_topics).add(thread_id)

    def deactivate_user(self, user_id: int) -> None:
        self._user(user_id).deactivated = True

    def remove_bot_from_group(self, chat_id: int) -> None:
        self.chats[chat_id].bot_member = False

    def migrate_group(self, chat_id: int, new_chat_id: int | None = None) -> int:
        """Upgrade a basic group to a supergroup, as Telegram does; returns the new chat id.

        The old id keeps answering with the migration error, and both service messages
        (migrate_to_chat_id / migrate_from_chat_id) are queued as updates.
        """
        old = self.chats[chat_id]
        if old.migrated_to is not None:
            return old.migrated_to
        if old.type != "group":
            raise ValueError("only basic groups migrate")
        new_id = new_chat_id if new_chat_id is not None else int(f"-100{abs(chat_id)}")
        new = FakeChat(
            id=new_id,
            type="supergroup",
            title=old.title,
            creator=old.creator,
            admins=list(old.admins),
            members=set(old.members),
            bot_is_admin=old.bot_is_admin,
            migrated_from=chat_id,
        )
        self.chats[new_id] = new
        self.messages[new_id] = new.messages
        actor = self.users.get(old.creator) if old.creator is not None else None
        actor_dict = actor.to_dict() if actor else self.bot_user
        old_msg = self._new_message(
            old, from_user=actor_dict, outgoing=False, extra={"migrate_to_chat_id": new_id}
        )
        new_msg = self._new_message(
            new, from_user=actor_dict, outgoing=False, extra={"migrate_from_chat_id": chat_id}
        )
        old.migrated_to = new_id
        self._queue_update("message", old_msg.to_dict(), chat_id=chat_id, seq=old_msg.seq)
        self._queue_update("message", new_msg.to_dict(), chat_id=new_id, seq=new_msg.seq)
        return new_id

    def mark_old(self, chat_id: int, message_id: int, hours: float = 49.0) -> StoredMessage:
        """Backdate a message so that Telegram's 48-hour deletion limit applies to it."""
        msg = self.messages[chat_id][message_id]
        msg.date = int(time.time() - hours * 3600)
        return msg

    # ------------------------------------------------------------------ injecting updates

    def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
        message_thread_id: int | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """The user sends ``text``; returns the Update dict that getUpdates will deliver.

        Commands ("/start", "/brief@BotName args") get bot_command entities like real clients'
        messages. In a private chat (``chat_id`` None) the user counts as having started the bot.
        If group privacy keeps the message from the bot, nothing is queued and the returned
        dict has no "update_id".
        """
        user = self._user(user_id)
        chat = self._chat_for_user_message(user, chat_id)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = chat.messages.get(reply_to_message_id)
            if reply_to is None or reply_to.deleted:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat.id}")
        msg = self._new_message(
            chat,
            from_user=user.to_dict(),
            outgoing=False,
            text=text,
            entities=entities if entities is not None else detect_entities(text),
            reply_to=reply_to,
            message_thread_id=message_thread_id if chat.is_forum else None,
        )
        if not self._bot_sees(chat, msg):
            return {"message": msg.to_dict()}
        return self._queue_update("message", msg.to_dict(), chat_id=chat.id, seq=msg.seq)

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        *,
        chat_id: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        """The user sends a file; its bytes are then served through getFile + /file/ URLs."""
        user = self._user(user_id)
        chat = self._chat_for_user_message(user, chat_id)
        stored = self._store_file(content, file_name, mime_type, "documents")
        msg = self._new_message(
            chat,
            from_user=user.to_dict(),
            outgoing=False,
            document=stored.document_dict(),
            caption=caption,
            caption_entities=detect_entities(caption) if caption else [],
        )
        if not self._bot_sees(chat, msg):
            return {"message": msg.to_dict()}
        return self._queue_update("message", msg.to_dict(), chat_id=chat.id, seq=msg.seq)

    def send_media(
        self,
        user_id: int,
        kind: str,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        chat_id: int | None = None,
        file_name: str | None = None,
        content: bytes | None = None,
    ) -> JSON:
        """The user sends a photo, video, animation or document (one part of an album when
        ``media_group_id`` is given: Telegram delivers each part as its own update)."""
        if kind not in _MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}")
        user = self._user(user_id)
        chat = self._chat_for_user_message(user, chat_id)
        data = content if content is not None else f"{kind}-{self._file_counter}".encode()
        fields: JSON = {}
        if kind == "photo":
            small = self._store_file(data[:16], None, "image/jpeg", "photos", "photo")
            large = self._store_file(data, None, "image/jpeg", "photos", "photo")
            fields["photo"] = [small.photo_size(90, 67), large.photo_size(1280, 960)]
        else:
            mime = {"video": "video/mp4", "animation": "video/mp4"}.get(kind, "application/pdf")
            name = file_name or {"video": "clip.mp4", "animation": "loop.mp4"}.get(kind, "a.pdf")
            stored = self._store_file(data, name, mime, f"{kind}s", kind)
            fields[kind] = stored.media_dict()
            if kind == "animation":
                fields["document"] = stored.document_dict()
        msg = self._new_message(
            chat,
            from_user=user.to_dict(),
            outgoing=False,
            caption=caption,
            caption_entities=detect_entities(caption) if caption else [],
        )
        for name, value in fields.items():
            setattr(msg, name, value)
        msg.media_group_id = media_group_id
        if not self._bot_sees(chat, msg):
            return {"message": msg.to_dict()}
        return self._queue_update("message", msg.to_dict(), chat_id=chat.id, seq=msg.seq)

    def edit_user_message(
        self,
        chat_id: int,
        message_id: int,
        *,
        caption: str | None = None,
        replace_with: str | None = None,
    ) -> JSON:
        """The user edits their own message: a new caption, or (``replace_with`` a media kind)
        another file in its place, as Telegram clients allow; an ``edited_message`` update."""
        chat = self.chats[chat_id]
        msg = chat.messages[message_id]
        if msg.outgoing or msg.deleted:
            raise ValueError("users edit only their own messages")
        changes: JSON = {}
        if caption is not None:
            changes["caption"] = caption or None
            changes["caption_entities"] = detect_entities(caption) if caption else []
        if replace_with is not None:
            kind = replace_with
            data = f"{kind}-edit-{self._file_counter}".encode()
            folder = "photos" if kind == "photo" else f"{kind}s"
            stored = self._store_file(data, f"new.{kind}", None, folder, kind)
            changes.update({name: None for name in _MEDIA_KINDS})
            changes.update(self._media_fields(stored, kind))
        self._apply_edit(msg, **changes)
        return self._queue_update("edited_message", msg.to_dict(), chat_id=chat.id)

    def press_button(
        self,
        user_id: int,
        message: StoredMessage | JSON | tuple[int, int] | Any,
        callback_data: str,
        *,
        strict: bool = True,
    ) -> JSON:
        """The user presses an inline button of a bot message; returns the callback_query Update.

        ``message`` may be a StoredMessage, a Message dict, a (chat_id, message_id) tuple or any
        object with ``chat_id``/``message_id`` attributes (e.g. telegram.Message). With
        ``strict`` the button must currently exist on the message, as a real client needs.
        """
        chat_id, message_id = self._message_ref(message)
        user = self._user(user_id)
        chat = self.chats.get(chat_id)
        msg = chat.messages.get(message_id) if chat else None
        if chat is None or msg is None or msg.deleted:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if not msg.outgoing:
            raise ValueError("callback buttons can only be pressed on the bot's messages")
        if strict and callback_data not in msg.callback_data:
            raise ValueError(
                f"message {message_id} has no button with callback_data {callback_data!r}; "
                f"current buttons: {msg.callback_data}"
            )
        if chat.type == "private" and chat.id != user_id:
            raise ValueError(f"user {user_id} cannot see private chat {chat_id}")
        chat.members.add(user_id)
        self._callback_counter += 1
        query_id = str(self.bot_id * 10**12 + self._callback_counter * 7919 + 4_000_000_000)
        self.callback_queries[query_id] = CallbackQueryRecord(
            id=query_id,
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            data=callback_data,
            created=time.monotonic(),
        )
        payload = {
            "id": query_id,
            "from": user.to_dict(),
            "message": msg.to_dict(),
            "chat_instance": self._chat_instance(chat_id),
            "data": callback_data,
        }
        return self._queue_update("callback_query", payload, chat_id=chat_id)

    def queue_update(self, kind: str, payload: JSON, *, chat_id: int | None = None) -> JSON:
        """Queue any other update type verbatim (``kind`` is its field name, e.g. "poll")."""
        if kind not in _UPDATE_TYPES:
            raise ValueError(f"unknown update type {kind!r}")
        return self._queue_update(kind, payload, chat_id=chat_id)

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    # ------------------------------------------------------------------ inspecting

    def sent_messages(
        self, chat_id: int | None = None, *, include_deleted: bool = True
    ) -> list[StoredMessage]:
        """Messages the bot sent (current state), in the order it sent them."""
        chats = [self.chats[chat_id]] if chat_id is not None else list(self.chats.values())
        found = [
            msg
            for chat in chats
            for msg in chat.messages.values()
            if msg.outgoing and (include_deleted or not msg.deleted)
        ]
        found.sort(key=lambda m: m.seq)
        return found

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded requests, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.requests)
        wanted = method.lower()
        return [c for c in self.requests if c.method.lower() == wanted]

    def commands_for(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands stored for exactly this scope and language (what getMyCommands returns)."""
        return list(self.commands.get((self._scope_key(scope), language_code or ""), []))

    def effective_commands(
        self, chat_id: int, user_id: int | None = None, language_code: str | None = None
    ) -> list[JSON]:
        """The command list a user would see in a chat, by the Bot API's documented lookup."""
        chat = self.chats[chat_id]
        user_id = user_id if user_id is not None else chat_id
        if language_code is None:
            user = self.users.get(user_id)
            language_code = user.language_code if user is not None else None
        lang = language_code or ""
        candidates: list[ScopeKey]
        if chat.type == "private":
            candidates = [("chat", chat_id, None), ("all_private_chats", None, None)]
        else:
            is_admin = user_id == chat.creator or user_id in chat.admins
            candidates = [("chat_member", chat_id, user_id)]
            if is_admin:
                candidates.append(("chat_administrators", chat_id, None))
            candidates.append(("chat", chat_id, None))
            if is_admin:
                candidates.append(("all_chat_administrators", None, None))
            candidates.append(("all_group_chats", None, None))
        candidates.append(("default", None, None))
        for scope_key in candidates:
            for language in (lang, "") if lang else ("",):
                found = self.commands.get((scope_key, language))
                if found is not None:
                    return list(found)
        return []

    async def wait_for(
        self,
        predicate: Callable[[ApiCall], bool],
        # A plain timeout argument is the pytest-friendly API this helper exists for.
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """Wait until a recorded request satisfies ``predicate``; return it.

        Raises AssertionError with a dump of recent requests and messages on timeout.
        """
        if not self.record:
            raise RuntimeError("wait_for needs record=True")
        return await self._wait(
            lambda: next((c for c in self.requests if predicate(c)), None),
            timeout,
            "no recorded request matched the predicate",
        )

    async def wait_for_message(
        self,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        chat_id: int | None = None,
        outgoing: bool | None = True,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> StoredMessage:
        """Wait until a stored message (by default one the bot sent) satisfies ``predicate``."""

        def find() -> StoredMessage | None:
            chats = [self.chats[chat_id]] if chat_id in self.chats else []
            if chat_id is None:
                chats = list(self.chats.values())
            for chat in chats:
                for msg in chat.messages.values():
                    if outgoing is not None and msg.outgoing != outgoing:
                        continue
                    if predicate is None or predicate(msg):
                        return msg
            return None

        return await self._wait(find, timeout, "no message matched", chat_id)

    async def wait_for_reply(
        self,
        chat_id: int,
        after_update: JSON | int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        include_edits: bool = False,
    ) -> StoredMessage:
        """Wait for the first message the bot sends to ``chat_id`` after an update.

        ``after_update`` is an Update dict returned by send_text/press_button/... or an
        update_id; None means the latest update injected for that chat. With ``include_edits``
        an edit of an existing message made after the update counts as the reply too (typical
        for callback queries).
        """
        after_seq = self._seq_of(after_update, chat_id)

        def find() -> StoredMessage | None:
            chat = self.chats.get(chat_id)
            if chat is None:
                return None
            best: StoredMessage | None = None
            for msg in chat.messages.values():
                if not msg.outgoing:
                    continue
                if msg.seq > after_seq or (include_edits and msg.edit_seq > after_seq):
                    key = msg.seq if msg.seq > after_seq else msg.edit_seq
                    if best is None or key < (best.seq if best.seq > after_seq else best.edit_seq):
                        best = msg
            return best

        return await self._wait(
            find, timeout, f"the bot did not reply in chat {chat_id} after seq {after_seq}", chat_id
        )

    async def wait_until_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is pending, i.e. the bot under test is running."""
        await self._wait(
            lambda: True if self._active_poll is not None else None,
            timeout,
            "no getUpdates poll is pending",
        )

    def dump(self, chat_id: int | None = None, last: int = 25) -> str:
        """Human-readable state summary used in wait_* failures."""
        lines = [f"--- last {last} of {len(self.requests)} requests ---"]
        lines += [call.summary() for call in self.requests[-last:]]
        chats = [self.chats[chat_id]] if chat_id in self.chats else list(self.chats.values())
        for chat in chats:
            if not chat.messages:
                continue
            lines.append(f"--- chat {chat.id} ({chat.type}) ---")
            lines += [msg.summary() for msg in list(chat.messages.values())[-last:]]
        lines.append(f"--- {len(self._updates)} pending updates; faults: {len(self.faults)} ---")
        return "\n".join(lines)

    async def _wait(
        self,
        find: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109
        what: str,
        chat_id: int | None = None,
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = find()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s: {what}\n{self.dump(chat_id)}")
            if self._changed is None:
                self._changed = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _notify(self) -> None:
        # Only allocate a fresh Event when somebody is actually waiting (benchmark hot path).
        changed = self._changed
        if changed is not None:
            self._changed = None
            changed.set()

    def _seq_of(self, update: JSON | int | None, chat_id: int) -> int:
        if update is None:
            return self._last_chat_update_seq.get(chat_id, 0)
        if isinstance(update, int):
            return self._update_seq.get(update, 0)
        update_id = update.get("update_id")
        if isinstance(update_id, int) and update_id in self._update_seq:
            return self._update_seq[update_id]
        message = update.get("message")
        if isinstance(message, dict):
            stored = self.messages.get(message["chat"]["id"], {}).get(message["message_id"])
            if stored is not None:
                return stored.seq
        return 0

    # ------------------------------------------------------------------ internals: state

    def _now(self) -> int:
        return int(time.time())

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _user(self, user_id: int) -> FakeUser:
        user = self.users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; call add_user first")
        return user

    def _chat_for_user_message(self, user: FakeUser, chat_id: int | None) -> FakeChat:
        if chat_id is None or chat_id == user.id:
            user.started = True
            return self.chats[user.id]
        chat = self.chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}; call add_group first")
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        if chat.type == "private":
            raise ValueError(f"user {user.id} cannot write in private chat {chat_id}")
        chat.members.add(user.id)
        return chat

    def _open_chat(self, chat_id: int) -> FakeChat:
        if chat_id > 0:
            self.add_user(chat_id, f"User{chat_id}", language_code=None)
            return self.chats[chat_id]
        return self.add_group(chat_id, f"Group{chat_id}")

    def _bot_sees(self, chat: FakeChat, msg: StoredMessage) -> bool:
        if chat.type == "private" or not self.privacy_mode or chat.bot_is_admin:
            return True
        if not chat.bot_member:
            return False
        if msg.reply_to is not None and msg.reply_to.outgoing:
            return True
        text = msg.text if msg.text is not None else (msg.caption or "")
        me = self.bot_username.lower()
        for entity in msg.entities or msg.caption_entities:
            # Offsets are UTF-16; commands and mentions are ASCII so encode to slice safely.
            raw = text.encode("utf-16-le")
            value = raw[entity["offset"] * 2 : (entity["offset"] + entity["length"]) * 2].decode(
                "utf-16-le"
            )
            if entity["type"] == "bot_command":
                _, _, target = value.partition("@")
                if not target or target.lower() == me:
                    return True
            elif entity["type"] == "mention" and value[1:].lower() == me:
                return True
        return False

    def _new_message(
        self,
        chat: FakeChat,
        *,
        from_user: JSON | None,
        outgoing: bool,
        text: str | None = None,
        entities: list[JSON] | None = None,
        caption: str | None = None,
        caption_entities: list[JSON] | None = None,
        document: JSON | None = None,
        reply_markup: JSON | None = None,
        reply_to: StoredMessage | None = None,
        message_thread_id: int | None = None,
        extra: JSON | None = None,
    ) -> StoredMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        msg = StoredMessage(
            chat_id=chat.id,
            message_id=message_id,
            date=self._now(),
            chat=chat.to_dict(),
            from_user=from_user,
            outgoing=outgoing,
            seq=self._next_seq(),
            text=text,
            entities=entities or [],
            caption=caption,
            caption_entities=caption_entities or [],
            document=document,
            reply_markup=reply_markup,
            reply_to=reply_to,
            message_thread_id=message_thread_id,
            is_topic_message=message_thread_id is not None,
            extra=extra,
        )
        chat.messages[message_id] = msg
        self._notify()
        return msg

    def _queue_update(
        self, kind: str, payload: JSON, *, chat_id: int | None = None, seq: int | None = None
    ) -> JSON:
        update_id = self._next_update_id
        self._next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        seq = seq if seq is not None else self._next_seq()
        self._update_seq[update_id] = seq
        if chat_id is not None:
            self._last_chat_update_seq[chat_id] = seq
        if self._active_poll is not None:
            self._active_poll.wake.set()
        self._notify()
        return update

    def _store_file(
        self,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        folder: str,
        kind: str = "document",
    ) -> StoredFile:
        self._file_counter += 1
        n = self._file_counter
        digest = hashlib.sha256(f"{self.bot_id}:{n}:{len(content)}".encode()).digest()
        # Shaped like real ids (url-safe base64, document ids start with "BQACAgIAAxkBAA").
        prefix = _FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAA")
        file_id = prefix + base64.urlsafe_b64encode(digest[:42]).decode().rstrip("=")
        unique = "AgAD" + base64.urlsafe_b64encode(digest[:9]).decode().rstrip("=")
        ext = ""
        if file_name and "." in file_name:
            ext = "." + re.sub(r"[^A-Za-z0-9]", "", file_name.rsplit(".", 1)[1])[:8]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            file_path=f"{folder}/file_{n}{ext}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
        )
        self.files[file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _chat_instance(self, chat_id: int) -> str:
        digest = hashlib.sha256(f"{self.bot_id}:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    @staticmethod
    def _message_ref(message: Any) -> tuple[int, int]:
        if isinstance(message, StoredMessage):
            return message.chat_id, message.message_id
        if isinstance(message, tuple):
            return int(message[0]), int(message[1])
        if isinstance(message, dict):
            if "callback_query" in message:
                message = message["callback_query"]["message"]
            elif "message" in message:
                message = message["message"]
            return int(message["chat"]["id"]), int(message["message_id"])
        return int(message.chat_id), int(message.message_id)

    def _sender(self, chat: FakeChat) -> JSON | None:
        # Channel posts carry sender_chat instead of "from".
        return None if chat.type == "channel" else self.bot_user

    def _emit(self, event: str, msg: StoredMessage) -> None:
        if self.on_bot_message is not None:
            self.on_bot_message(event, msg)

    # ------------------------------------------------------------------ internals: HTTP

    async def _read_params(self, request: web.Request) -> JSON:
        raw: JSON = dict(request.query) if request.query_string else {}
        may_hold_surrogate = bool(raw)
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.read()
                may_hold_surrogate = may_hold_surrogate or bool(_SURROGATE_ESCAPE.search(body))
                if body.strip():
                    try:
                        data = json.loads(body)
                    except ValueError:
                        raise bad_request("can't parse JSON object") from None
                    if not isinstance(data, dict):
                        raise bad_request("JSON object expected")
                    raw.update(data)
            elif ctype == "multipart/form-data":
                may_hold_surrogate = True
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    data_bytes = bytes(await part.read())
                    if part.filename is not None:
                        raw[part.name] = UploadedFile(
                            field_name=part.name,
                            filename=part.filename,
                            content_type=part.headers.get("Content-Type"),
                            data=data_bytes,
                        )
                    else:
                        raw[part.name] = data_bytes.decode("utf-8")
            else:
                # urlencoded, and also what Telegram does with a missing/odd content type.
                body = await request.read()
                if body:
                    may_hold_surrogate = True
                    raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params = self._normalize(raw)
        if may_hold_surrogate and _has_lone_surrogate(params):
            # JSON can carry "\ud800" escapes that are no UTF-8; Telegram refuses them.
            raise bad_request("strings must be encoded in UTF-8")
        return params

    @staticmethod
    def _normalize(raw: JSON) -> JSON:
        params: JSON = {}
        for key, value in raw.items():
            if isinstance(value, str):
                if key in _JSON_PARAMS:
                    try:
                        value = json.loads(value)
                    except ValueError:
                        if key == "reply_markup":
                            raise bad_request(
                                "can't parse reply keyboard markup JSON object"
                            ) from None
                        raise bad_request(f"can't parse {key} JSON object") from None
                elif key in _INT_PARAMS:
                    try:
                        value = int(value)
                    except ValueError:
                        raise bad_request(f"invalid {key} specified") from None
                elif key in _BOOL_PARAMS:
                    value = _as_bool(value)
                elif key == "chat_id" and _CHAT_ID_RE.match(value):
                    value = int(value)
            elif key in _BOOL_PARAMS and not isinstance(value, UploadedFile):
                value = _as_bool(value)
            params[key] = value
        return params

    async def _handle_no_method(self, request: web.Request) -> web.Response:
        return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        transport = request.transport
        arrival = self._arrivals.pop(transport, None) if transport is not None else None
        if arrival is None:
            arrival = time.monotonic()
        token = request.match_info["token"]
        name = request.match_info["method"]
        if token != self.token:
            # Telegram: 401 for a well-formed but wrong token, 404 for garbage.
            status = 401 if _TOKEN_RE.match(token) else 404
            return _json_response(
                {"ok": False, "error_code": status, "description": _STATUS_PHRASES[status]},
                status,
            )
        lower = name.lower()
        entry = self._methods.get(lower)
        if entry is None:
            self.stats.request(name, 404)
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        canonical, handler = entry
        try:
            params = await self._read_params(request)
        except ApiError as exc:
            self.stats.request(canonical, exc.status)
            return _json_response(exc.payload(), exc.status)

        call: ApiCall | None = None
        if self.record:
            self._request_seq += 1
            call = ApiCall(self._request_seq, arrival, canonical, params)
            self.requests.append(call)
        chat_id = params.get("chat_id")
        if lower in SEND_METHODS and chat_id is not None:
            self.stats.send_attempt(chat_id, bool(params.get("allow_paid_broadcast")), arrival)
        try:
            rule = self.faults.match(lower, chat_id) if self.faults.rules else None
            if call is not None and rule is not None:
                call.fault = rule.kind
            if rule is None:
                status, body = await self._invoke(lower, handler, params)
            else:
                outcome = await self._apply_fault(rule, request, lower, handler, params, chat_id)
                if outcome is None:  # connection dropped on purpose
                    if call is not None:
                        call.status = 0
                        call.description = "connection dropped (fault)"
                    self.stats.request(canonical, 0)
                    self._notify()
                    # The transport is already aborted; this response is never written.
                    return web.Response(status=500)
                status, body = outcome
            if self.latency > 0 or self.latency_jitter > 0:
                await asyncio.sleep(self.latency + self._rng.random() * self.latency_jitter)
        except asyncio.CancelledError:
            # The client went away first (timeout): remember that it never got an answer.
            if call is not None and call.status is None:
                call.status = 499
                call.description = "client closed the connection before the answer"
                call.duration = time.monotonic() - arrival
                self._notify()
            raise
        self.stats.request(canonical, status)
        if call is not None:
            call.status = status
            call.duration = time.monotonic() - arrival
            if status == 200:
                call.result = body["result"]
            else:
                call.description = body.get("description")
        self._notify()
        return _json_response(body, status)

    async def _invoke(
        self, lower: str, handler: Callable[[JSON], Any], params: JSON
    ) -> tuple[int, JSON]:
        try:
            result = handler(params)
            if lower == "getupdates":
                result = await result
        except ApiError as exc:
            return exc.status, exc.payload()
        except EntityParseError as exc:
            error = bad_request(f"can't parse entities: {exc}")
            return error.status, error.payload()
        return 200, {"ok": True, "result": result}

    async def _apply_fault(
        self,
        rule: FaultRule,
        request: web.Request,
        lower: str,
        handler: Callable[[JSON], Any],
        params: JSON,
        chat_id: Any,
    ) -> tuple[int, JSON] | None:
        kind = rule.kind
        if kind in ("delay", "hang", "disconnect"):
            outcome: tuple[int, JSON] | None = None
            if rule.delivers:
                outcome = await self._invoke(lower, handler, params)
            if kind == "disconnect":
                if request.transport is not None:
                    request.transport.abort()
                return None
            if kind == "delay":
                await asyncio.sleep(rule.delay)
            else:
                await self._stopping.wait()
                return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            if outcome is None:
                outcome = await self._invoke(lower, handler, params)
            return outcome
        if kind == "migrated":
            new_id = rule.migrate_to_chat_id
            chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
            if chat is not None and chat.type == "group":
                new_id = self.migrate_group(chat.id, new_id)
            elif new_id is None:
                new_id = int(f"-100{abs(chat_id)}") if isinstance(chat_id, int) else -100123
            error = bad_request(
                "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_id}
            )
            return error.status, error.payload()
        status, description, parameters = rule.error(chat_id)
        return status, ApiError(status, description, parameters).payload()

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self._files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type or "application/octet-stream",
        )

    # ------------------------------------------------------------------ internals: validation

    def _resolve_chat(self, params: JSON, *, sending: bool = False) -> FakeChat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat: FakeChat | None
        if isinstance(chat_id, str):
            wanted = chat_id.removeprefix("@").lower()
            chat = next(
                (
                    c
                    for c in self.chats.values()
                    if c.type != "private" and c.username and c.username.lower() == wanted
                ),
                None,
            )
        else:
            chat = self.chats.get(chat_id)
            if chat is None and self.open_chats and isinstance(chat_id, int):
                chat = self._open_chat(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if sending:
            if chat.type == "private":
                user = self.users[chat.id]
                if user.deactivated:
                    raise ApiError(403, "Forbidden: user is deactivated")
                if user.blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if not user.started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            elif not chat.bot_member:
                kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
                raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        return chat

    @staticmethod
    def _require_int(params: JSON, key: str, missing: str) -> int:
        value = params.get(key)
        if value is None or value == "":
            raise bad_request(missing)
        if not isinstance(value, int) or isinstance(value, bool):
            raise bad_request(f"invalid {key} specified")
        return value

    @staticmethod
    def _format(
        text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSON]]:
        if parse_mode not in (None, "") and str(parse_mode).lower() != "html":
            # Telegram parses Markdown too; the bot sends HTML only, so the fake refuses the
            # rest rather than pretend to check it.
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        if entities is not None and not (
            isinstance(entities, list)
            and all(
                isinstance(e, dict)
                and isinstance(e.get("type"), str)
                and isinstance(e.get("offset"), int)
                and isinstance(e.get("length"), int)
                for e in entities
            )
        ):
            raise bad_request("can't parse entities: entities must be an Array of MessageEntity")
        try:
            if entities is None:
                plain, parsed = _format_markup(str(text), parse_mode or None)
            else:
                plain, parsed = format_text(str(text), parse_mode or None, entities)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        if not caption and not plain:
            raise bad_request("message text is empty")
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if utf16_len(plain) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        return plain, parsed

    @staticmethod
    def _markup(params: JSON) -> tuple[JSON | None, JSON | None]:
        """(inline keyboard or None, other keyboard or None) from reply_markup."""
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            if any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                return None, markup
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        actions = (
            "url",
            "callback_data",
            "web_app",
            "login_url",
            "switch_inline_query",
            "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat",
            "copy_text",
            "callback_game",
            "pay",
        )
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise bad_request(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise bad_request(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if not any(k in button for k in actions):
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not (
                        1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button:
                    url = button["url"]
                    if not isinstance(url, str) or not re.match(
                        r"^(https?|tg)://[^\s]+$", url, re.IGNORECASE
                    ):
                        raise bad_request("BUTTON_URL_INVALID")
        if not any(rows):
            # An empty inline keyboard is no keyboard (this is how bots remove one).
            return None, None
        return {"inline_keyboard": rows}, None

    def _reply_target(self, chat: FakeChat, params: JSON) -> StoredMessage | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or not isinstance(reply.get("message_id"), int):
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if reply.get("chat_id") not in (None, chat.id):
            target_chat = self._resolve_chat({"chat_id": reply["chat_id"]})
        target = target_chat.messages.get(reply["message_id"])
        if target is None or target.deleted:
            if _as_bool(reply.get("allow_sending_without_reply", False)):
                return None
            raise bad_request("message to be replied not found")
        return target

    def _message_for_edit(self, params: JSON) -> StoredMessage:
        chat = self._resolve_chat(params)
        message_id = self._require_int(params, "message_id", "message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise bad_request("message to edit not found")
        if not msg.outgoing:
            raise bad_request("message can't be edited")
        return msg

    def _edit_result(self, msg: StoredMessage, params: JSON) -> JSON:
        self._emit("edited", msg)
        return msg.to_dict()

    def _apply_edit(self, msg: StoredMessage, **changes: Any) -> None:
        if msg._versions is None:
            msg._versions = [msg._snapshot()]
        for key, value in changes.items():
            setattr(msg, key, value)
        msg.edit_date = self._now()
        msg.edit_seq = self._next_seq()
        msg._versions.append(msg._snapshot())
        self._notify()

    @staticmethod
    def _scope_key(scope: Any) -> ScopeKey:
        if scope is None or scope == "":
            return ("default", None, None)
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        chat_id = scope.get("chat_id")
        user_id = scope.get("user_id")
        if kind in ("chat", "chat_administrators", "chat_member"):
            if chat_id is None:
                raise bad_request("chat_id is empty")
            if isinstance(chat_id, str) and _CHAT_ID_RE.match(chat_id):
                chat_id = int(chat_id)
        else:
            chat_id = None
        if kind == "chat_member":
            if user_id is None:
                raise bad_request("user_id is empty")
            user_id = int(user_id)
        else:
            user_id = None
        return (kind, chat_id, user_id)

    def _checked_scope(self, params: JSON) -> tuple[ScopeKey, str]:
        key = self._scope_key(params.get("scope"))
        if key[1] is not None:
            chat = self._resolve_chat({"chat_id": key[1]})
            if key[0] != "chat" and chat.type == "private":
                raise bad_request("can't use this scope in a private chat")
            key = (key[0], chat.id, key[2])
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("invalid language code specified")
        return key, str(language)

    def _chat_member(self, chat: FakeChat, user_id: int) -> JSON:
        if user_id == self.bot_id:
            if chat.type != "private" and chat.bot_is_admin:
                return self._admin_member(self.bot_user, is_bot=True)
            status = "member" if chat.bot_member else "left"
            return {"status": status, "user": self.bot_user}
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            if user_id != chat.id:
                raise bad_request("user not found")
            return {"status": "member", "user": user.to_dict()}
        if user_id == chat.creator:
            return {"status": "creator", "user": user.to_dict(), "is_anonymous": False}
        if user_id in chat.admins:
            return self._admin_member(user.to_dict())
        if user_id in chat.members:
            return {"status": "member", "user": user.to_dict()}
        return {"status": "left", "user": user.to_dict()}

    @staticmethod
    def _admin_member(user: JSON, *, is_bot: bool = False) -> JSON:
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": is_bot,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
            "can_manage_topics": False,
        }

    # ------------------------------------------------------------------ Bot API methods

    def _api_getMe(self, p: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
            "has_topics_enabled": False,
            "allows_users_to_create_topics": False,
        }

    def _api_setWebhook(self, p: JSON) -> bool:
        url = str(p.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self.webhook_allowed_updates = allowed
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_deleteWebhook(self, p: JSON) -> bool:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getUpdates(self, p: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset") or 0
        limit = min(max(p.get("limit") or 100, 1), 100)
        timeout = max(p.get("timeout") or 0, 0)
        allowed = p.get("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise bad_request("can't parse allowed_updates JSON object")
            # Like Telegram, the filter persists until a later call changes it.
            self.allowed_updates = allowed
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # Only one long poll may be open: a newer one terminates the older, like Telegram.
        previous = self._active_poll
        if previous is not None:
            previous.conflict = True
            previous.wake.set()
        poll = _Poll()
        self._active_poll = poll
        self.polls_started += 1
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                batch = self._deliverable(limit)
                if batch or poll.conflict or self._stopping.is_set():
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            if self._active_poll is poll:
                self._active_poll = None
        if poll.conflict:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return batch

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = self.allowed_updates
        if allowed:
            wanted = set(allowed)
            accept: Callable[[str], bool] = wanted.__contains__
        else:
            accept = lambda kind: kind not in _DEFAULT_EXCLUDED_UPDATES  # noqa: E731
        selected = (u for u in self._updates if accept(next(k for k in u if k != "update_id")))
        return list(itertools.islice(selected, limit))

    def _api_setMyCommands(self, p: JSON) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        normalized: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            normalized.append({"command": name, "description": description})
        key = self._checked_scope(p)
        if normalized:
            self.commands[key] = normalized
        else:
            self.commands.pop(key, None)
        return True

    def _set_bot_text(self, kind: str, p: JSON, limit: int) -> bool:
        language = str(p.get("language_code") or "")
        value = str(p.get(kind) or "")
        if len(value) > limit:
            raise bad_request(f"{kind} is too long")
        if value:
            self.bot_texts[(kind, language)] = value
        else:
            self.bot_texts.pop((kind, language), None)
        return True

    def _api_setMyDescription(self, p: JSON) -> bool:
        return self._set_bot_text("description", p, 512)

    def _api_setMyShortDescription(self, p: JSON) -> bool:
        return self._set_bot_text("short_description", p, 120)

    def _api_sendMessage(self, p: JSON) -> JSON:
        chat = self._resolve_chat(p, sending=True)
        text = p.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        plain, entities = self._format(text, p.get("parse_mode"), p.get("entities"))
        inline, keyboard = self._markup(p)
        reply_to = self._reply_target(chat, p)
        preview = p.get("link_preview_options")
        if preview is not None and not isinstance(preview, dict):
            raise bad_request("can't parse link preview options JSON object")
        if preview is None and p.get("disable_web_page_preview"):
            preview = {"is_disabled": True}
        thread = p.get("message_thread_id")
        if chat.is_forum and thread:
            # What Telegram answers for a topic its admins deleted or closed.
            if int(thread) in chat.deleted_topics:
                raise bad_request("message thread not found")
            if int(thread) in chat.closed_topics:
                raise bad_request("TOPIC_CLOSED")
        msg = self._new_message(
            chat,
            from_user=self._sender(chat),
            outgoing=True,
            text=plain,
            entities=entities,
            reply_markup=inline,
            reply_to=reply_to,
            message_thread_id=thread if chat.is_forum and thread else None,
        )
        if chat.type == "channel":
            msg.sender_chat = chat.to_dict()
        msg.reply_keyboard = keyboard
        msg.link_preview_options = preview or None
        msg.disable_notification = bool(p.get("disable_notification"))
        msg.allow_paid_broadcast = bool(p.get("allow_paid_broadcast"))
        msg.has_protected_content = bool(p.get("protect_content"))
        self.stats.send_ok(chat.id, plain, msg.message_id)
        self._emit("sent", msg)
        return msg.to_dict()

    def _input_file(self, value: Any, p: JSON, kind: str) -> StoredFile:
        """The file a send or InputMedia names: a file_id, an upload, or a URL."""
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            folder = f"{kind}s" if kind != "photo" else "photos"
            mime = value.content_type or "application/octet-stream"
            return self._store_file(value.data, value.filename, mime, folder, kind)
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is None and re.match(r"^https?://\S+$", value):
                name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self._store_file(b"", name, "application/octet-stream", f"{kind}s", kind)
            if stored is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            # A document may be sent as a document whatever it is; the others only as such.
            if stored.kind != kind and not (kind == "document" and stored.kind != "photo"):
                raise bad_request("type of file mismatch")
            return stored
        raise bad_request(f"there is no {kind} in the request")

    def _media_fields(self, stored: StoredFile, kind: str) -> JSON:
        """The message fields that show a file sent as `kind`."""
        if kind == "photo":
            return {"photo": [stored.photo_size(90, 67), stored.photo_size(1280, 960)]}
        fields: JSON = {kind: stored.media_dict()}
        if kind == "animation":
            fields["document"] = stored.document_dict()
        return fields

    def _caption(self, p: JSON) -> tuple[str | None, list[JSON]]:
        if not p.get("caption"):
            return None, []
        caption, entities = self._format(
            p["caption"], p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        return caption or None, entities

    def _check_thread(self, chat: FakeChat, p: JSON) -> int | None:
        thread = p.get("message_thread_id")
        if chat.is_forum and thread:
            if int(thread) in chat.deleted_topics:
                raise bad_request("message thread not found")
            if int(thread) in chat.closed_topics:
                raise bad_request("TOPIC_CLOSED")
            return int(thread)
        return None

    def _send_file(self, p: JSON, kind: str) -> JSON:
        chat = self._resolve_chat(p, sending=True)
        stored = self._input_file(p.get(kind), p, kind)
        caption, caption_entities = self._caption(p)
        inline, keyboard = self._markup(p)
        thread = self._check_thread(chat, p)
        msg = self._new_message(
            chat,
            from_user=self._sender(chat),
            outgoing=True,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=inline,
            reply_to=self._reply_target(chat, p),
            message_thread_id=thread,
        )
        for name, value in self._media_fields(stored, kind).items():
            setattr(msg, name, value)
        if chat.type == "channel":
            msg.sender_chat = chat.to_dict()
        msg.reply_keyboard = keyboard
        msg.disable_notification = bool(p.get("disable_notification"))
        msg.allow_paid_broadcast = bool(p.get("allow_paid_broadcast"))
        self.stats.send_ok(
            chat.id, f"{kind}:{stored.file_unique_id}:{caption or ''}", msg.message_id
        )
        self._emit("sent", msg)
        return msg.to_dict()

    def _api_sendDocument(self, p: JSON) -> JSON:
        return self._send_file(p, "document")

    def _api_sendPhoto(self, p: JSON) -> JSON:
        return self._send_file(p, "photo")

    def _api_sendVideo(self, p: JSON) -> JSON:
        return self._send_file(p, "video")

    def _api_sendAnimation(self, p: JSON) -> JSON:
        return self._send_file(p, "animation")

    def _input_media(self, entry: Any, p: JSON, *, in_album: bool) -> tuple[str, StoredFile, JSON]:
        """(kind, file, caption fields) of one InputMedia object."""
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise bad_request("can't parse InputMedia: media not found")
        kind = entry["type"]
        allowed = ("photo", "video", "document", "audio") if in_album else _MEDIA_KINDS
        if kind not in allowed:
            raise bad_request(f'can\'t parse InputMedia: unsupported media type "{kind}"')
        if kind == "audio":
            raise bad_request("can't parse InputMedia: audio is not supported here")
        if "media" not in entry:
            raise bad_request("can't parse InputMedia: media not found")
        stored = self._input_file(entry["media"], p, kind)
        caption, entities = self._caption(
            {
                "caption": entry.get("caption"),
                "parse_mode": entry.get("parse_mode"),
                "caption_entities": entry.get("caption_entities"),
            }
        )
        return kind, stored, {"caption": caption, "caption_entities": entities}

    def _api_sendMediaGroup(self, p: JSON) -> list[JSON]:
        chat = self._resolve_chat(p, sending=True)
        media = p.get("media")
        if not isinstance(media, list):
            raise bad_request("can't parse media JSON object")
        if len(media) > MAX_ALBUM:
            raise bad_request("too many messages to send as an album")
        if len(media) < 2:
            raise bad_request("media must include 2-10 items")
        parsed = [self._input_media(entry, p, in_album=True) for entry in media]
        kinds = {kind for kind, _, _ in parsed}
        if "document" in kinds and kinds != {"document"}:
            raise bad_request("documents can't be mixed with other media types")
        thread = self._check_thread(chat, p)
        reply_to = self._reply_target(chat, p)
        group_id = str(10**17 + self._next_seq())
        out: list[JSON] = []
        for kind, stored, caption in parsed:
            msg = self._new_message(
                chat,
                from_user=self._sender(chat),
                outgoing=True,
                caption=caption["caption"],
                caption_entities=caption["caption_entities"],
                reply_to=reply_to,
                message_thread_id=thread,
            )
            for name, value in self._media_fields(stored, kind).items():
                setattr(msg, name, value)
            msg.media_group_id = group_id
            if chat.type == "channel":
                msg.sender_chat = chat.to_dict()
            msg.disable_notification = bool(p.get("disable_notification"))
            msg.allow_paid_broadcast = bool(p.get("allow_paid_broadcast"))
            self.stats.send_ok(
                chat.id,
                f"{kind}:{stored.file_unique_id}:{caption['caption'] or ''}",
                msg.message_id,
            )
            self._emit("sent", msg)
            out.append(msg.to_dict())
        return out

    def _api_editMessageMedia(self, p: JSON) -> JSON:
        msg = self._message_for_edit(p)
        if msg.media_kind is None:
            raise bad_request("there is no media in the message to edit")
        in_album = msg.media_group_id is not None
        kind, stored, caption = self._input_media(p.get("media"), p, in_album=in_album)
        if in_album and (kind == "document") != (msg.media_kind == "document"):
            raise bad_request("documents can't be mixed with other media types")
        inline, _ = self._markup(p)
        fields = {name: None for name in _MEDIA_KINDS}
        fields.update(self._media_fields(stored, kind))
        if (
            stored.file_unique_id == msg.file_unique_id
            and kind == msg.media_kind
            and caption["caption"] == msg.caption
            and inline == msg.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        self._apply_edit(msg, reply_markup=inline, **fields, **caption)
        return self._edit_result(msg, p)

    def _api_editMessageText(self, p: JSON) -> JSON:
        msg = self._message_for_edit(p)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text = p.get("text")
        if text is None or text == "":
            raise bad_request("message text is empty")
        plain, entities = self._format(text, p.get("parse_mode"), p.get("entities"))
        inline, _ = self._markup(p)  # omitting reply_markup removes the keyboard, as on Telegram
        if plain == msg.text and entities == msg.entities and inline == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        preview = p.get("link_preview_options")
        self._apply_edit(
            msg,
            text=plain,
            entities=entities,
            reply_markup=inline,
            link_preview_options=preview if isinstance(preview, dict) else msg.link_preview_options,
        )
        return self._edit_result(msg, p)

    def _api_editMessageCaption(self, p: JSON) -> JSON:
        msg = self._message_for_edit(p)
        if msg.text is not None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = "", list[JSON]()
        if p.get("caption"):
            caption, entities = self._format(
                p["caption"], p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
        inline, _ = self._markup(p)
        new_caption = caption or None
        if (
            new_caption == msg.caption
            and entities == msg.caption_entities
            and (inline == msg.reply_markup)
        ):
            raise bad_request(NOT_MODIFIED)
        self._apply_edit(msg, caption=new_caption, caption_entities=entities, reply_markup=inline)
        return self._edit_result(msg, p)

    def _api_editMessageReplyMarkup(self, p: JSON) -> JSON:
        msg = self._message_for_edit(p)
        inline, _ = self._markup(p)
        if inline == msg.reply_markup:
            raise bad_request(NOT_MODIFIED)
        self._apply_edit(msg, reply_markup=inline)
        return self._edit_result(msg, p)

    def _api_deleteMessage(self, p: JSON) -> bool:
        chat = self._resolve_chat(p)
        message_id = self._require_int(p, "message_id", "message identifier is not specified")
        self._delete(chat, message_id)
        return True

    def _api_deleteMessages(self, p: JSON) -> bool:
        chat = self._resolve_chat(p)
        ids = p.get("message_ids")
        if ids is None or ids == "":
            raise bad_request("message identifiers are not specified")
        if (
            not isinstance(ids, list)
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
            or not 1 <= len(ids) <= 100
        ):
            raise bad_request("invalid message identifiers specified")
        # Messages not found are skipped (as documented); one that may not be deleted
        # refuses the whole call before anything is deleted.
        found = [i for i in ids if (m := chat.messages.get(i)) is not None and not m.deleted]
        for message_id in found:
            self._check_deletable(chat, chat.messages[message_id])
        for message_id in found:
            self._delete(chat, message_id)
        return True

    def _check_deletable(self, chat: FakeChat, msg: StoredMessage) -> None:
        age = self._now() - msg.date
        supergroup_admin = chat.type in ("supergroup", "channel") and chat.bot_is_admin
        if not msg.outgoing and chat.type != "private" and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        if age >= DELETE_WINDOW_S and not supergroup_admin:
            raise bad_request("message can't be deleted for everyone")

    def _delete(self, chat: FakeChat, message_id: int) -> None:
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise bad_request("message to delete not found")
        self._check_deletable(chat, msg)
        msg.deleted = True
        msg.pinned = False
        self._notify()
        if msg.outgoing:
            self._emit("deleted", msg)

    def _api_answerCallbackQuery(self, p: JSON) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        record = self.callback_queries.get(query_id)
        expired = (
            record is not None
            and self.callback_answer_timeout is not None
            and time.monotonic() - record.created > self.callback_answer_timeout
        )
        if record is None or record.answer is not None or expired:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = p.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answer = {
            key: p[key] for key in ("text", "show_alert", "url", "cache_time") if key in p
        }
        self._notify()
        return True

    def _api_getChatMember(self, p: JSON) -> JSON:
        chat = self._resolve_chat(p)
        user_id = self._require_int(p, "user_id", "user_id is empty")
        return self._chat_member(chat, user_id)

    def _api_getFile(self, p: JSON) -> JSON:
        file_id = p.get("file_id")
        if not file_id:
            raise bad_request("file_id is empty")
        stored = self.files.get(str(file_id))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.file_dict()

    def _api_pinChatMessage(self, p: JSON) -> bool:
        chat = self._resolve_chat(p)
        message_id = self._require_int(p, "message_id", "message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise bad_request("message to pin not found")
        if chat.type in ("supergroup", "channel") and not chat.bot_is_admin:
            raise bad_request("not enough rights to manage pinned messages in the chat")
        msg.pinned = True
        # Pinning leaves a service message in the chat, which takes the next message id.
        self._new_message(
            chat,
            from_user=self.bot_user,
            outgoing=True,
            extra={"pinned_message": msg.to_dict(with_reply=False)},
        )
        return True

    def _api_unpinChatMessage(self, p: JSON) -> bool:
        chat = self._resolve_chat(p)
        message_id = p.get("message_id")
        if message_id is None:
            pinned = [m for m in chat.messages.values() if m.pinned]
            if pinned:
                pinned[-1].pinned = False
            return True
        msg = chat.messages.get(int(message_id))
        if msg is None or msg.deleted:
            raise bad_request("message to unpin not found")
        msg.pinned = False
        return True

    # ------------------------------------------------------------------ control endpoints

    @staticmethod
    async def _control_body(request: web.Request) -> JSON:
        if not request.body_exists:
            return {}
        try:
            data = await request.json()
        except ValueError as exc:
            raise ValueError(f"body must be JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        return data

    @staticmethod
    def _control_ok(result: Any) -> web.Response:
        return _json_response({"ok": True, "result": result})

    async def _control_call(
        self, request: web.Request, action: Callable[[JSON], Any]
    ) -> web.Response:
        try:
            body = await self._control_body(request)
            result = action(body)
            if asyncio.iscoroutine(result):
                result = await result
        except AssertionError as exc:
            return _json_response({"ok": False, "description": str(exc)}, 408)
        except (ValueError, KeyError, TypeError) as exc:
            return _json_response({"ok": False, "description": f"{type(exc).__name__}: {exc}"}, 400)
        return self._control_ok(result)

    async def _control_send_text(self, request: web.Request) -> web.Response:
        return await self._control_call(
            request,
            lambda b: self.send_text(
                int(b["user_id"]),
                str(b["text"]),
                int(b["chat_id"]) if b.get("chat_id") is not None else None,
                reply_to_message_id=b.get("reply_to_message_id"),
            ),
        )

    async def _control_press_button(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            user_id = int(b["user_id"])
            chat_id = int(b.get("chat_id", user_id))
            return self.press_button(
                user_id,
                (chat_id, int(b["message_id"])),
                str(b["callback_data"]),
                strict=bool(b.get("strict", True)),
            )

        return await self._control_call(request, action)

    async def _control_send_document(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            if "content_base64" in b:
                content = base64.b64decode(b["content_base64"])
            else:
                content = str(b.get("content", "")).encode("utf-8")
            return self.send_document(
                int(b["user_id"]),
                str(b["file_name"]),
                content,
                str(b.get("mime_type", "application/octet-stream")),
                chat_id=int(b["chat_id"]) if b.get("chat_id") is not None else None,
                caption=b.get("caption"),
            )

        return await self._control_call(request, action)

    async def _control_add_user(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            user = self.add_user(
                int(b["user_id"]),
                str(b.get("first_name", f"User{b['user_id']}")),
                b.get("language_code", "en"),
                b.get("username"),
                last_name=b.get("last_name"),
                is_premium=bool(b.get("is_premium", False)),
                started=bool(b.get("started", True)),
            )
            return user.to_dict()

        return await self._control_call(request, action)

    async def _control_add_group(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            chat = self.add_group(
                int(b["chat_id"]),
                str(b.get("title", "Group")),
                [int(a) for a in b.get("admins", [])],
                b.get("type", "group"),
                members=[int(m) for m in b.get("members", [])],
                creator=b.get("creator"),
                username=b.get("username"),
                is_forum=bool(b.get("is_forum", False)),
                bot_is_admin=bool(b.get("bot_is_admin", False)),
            )
            return chat.to_dict()

        return await self._control_call(request, action)

    async def _control_block_user(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> bool:
            self.block_user(int(b["user_id"]), bool(b.get("blocked", True)))
            return True

        return await self._control_call(request, action)

    async def _control_migrate_group(self, request: web.Request) -> web.Response:
        return await self._control_call(
            request,
            lambda b: self.migrate_group(
                int(b["chat_id"]), int(b["new_chat_id"]) if b.get("new_chat_id") else None
            ),
        )

    async def _control_mark_old(self, request: web.Request) -> web.Response:
        return await self._control_call(
            request,
            lambda b: self.mark_old(
                int(b["chat_id"]), int(b["message_id"]), float(b.get("hours", 49))
            ).to_control_dict(),
        )

    async def _control_faults_get(self, request: web.Request) -> web.Response:
        return self._control_ok([rule.to_dict() for rule in self.faults])

    async def _control_faults_post(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            if "seed" in b:
                self.faults.seed(b.pop("seed"))
            rule = self.faults.add(FaultRule.from_dict(b))
            return {"index": len(self.faults) - 1, "rule": rule.to_dict()}

        return await self._control_call(request, action)

    async def _control_faults_delete(self, request: web.Request) -> web.Response:
        self.faults.clear()
        return self._control_ok(True)

    async def _control_requests(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", 0))
        method = request.query.get("method")
        calls = self.requests[since:]
        if method:
            calls = [c for c in calls if c.method.lower() == method.lower()]
        return self._control_ok(
            {"requests": [c.to_dict() for c in calls], "next": len(self.requests)}
        )

    async def _control_messages(self, request: web.Request) -> web.Response:
        chat_param = request.query.get("chat_id")
        since_seq = int(request.query.get("since_seq", 0))
        outgoing_only = request.query.get("outgoing") in ("1", "true")
        chats = list(self.chats.values())
        if chat_param:
            chats = [c for c in chats if c.id == int(chat_param)]
        found = [
            msg
            for chat in chats
            for msg in chat.messages.values()
            if max(msg.seq, msg.edit_seq) > since_seq and (msg.outgoing or not outgoing_only)
        ]
        found.sort(key=lambda m: m.seq)
        return self._control_ok(
            {"messages": [m.to_control_dict() for m in found], "seq": self._seq}
        )

    async def _control_updates(self, request: web.Request) -> web.Response:
        return self._control_ok(self.pending_updates)

    async def _control_users(self, request: web.Request) -> web.Response:
        return self._control_ok(
            {
                "users": [u.to_dict() for u in self.users.values()],
                "chats": [c.to_dict() for c in self.chats.values()],
            }
        )

    async def _control_wait_for_reply(self, request: web.Request) -> web.Response:
        async def action(b: JSON) -> JSON:
            after = b.get("after_update_id")
            msg = await self.wait_for_reply(
                int(b["chat_id"]),
                int(after) if after is not None else None,
                float(b.get("timeout", 5.0)),
                include_edits=bool(b.get("include_edits", False)),
            )
            return msg.to_control_dict()

        return await self._control_call(request, action)

    async def _control_config(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> JSON:
            if "latency_ms" in b:
                self.latency = float(b["latency_ms"]) / 1000
            if "latency_jitter_ms" in b:
                self.latency_jitter = float(b["latency_jitter_ms"]) / 1000
            if "privacy_mode" in b:
                self.privacy_mode = bool(b["privacy_mode"])
            if "record" in b:
                self.record = bool(b["record"])
            if "callback_answer_timeout" in b:
                value = b["callback_answer_timeout"]
                self.callback_answer_timeout = float(value) if value is not None else None
            return {
                "latency_ms": self.latency * 1000,
                "latency_jitter_ms": self.latency_jitter * 1000,
                "privacy_mode": self.privacy_mode,
                "record": self.record,
                "callback_answer_timeout": self.callback_answer_timeout,
            }

        return await self._control_call(request, action)

    async def _control_reset(self, request: web.Request) -> web.Response:
        def action(b: JSON) -> bool:
            self.reset()
            return True

        return await self._control_call(request, action)

    async def _control_stats(self, request: web.Request) -> web.Response:
        snapshot = self.stats.snapshot(per_chat=request.query.get("per_chat") != "0")
        snapshot["pending_updates"] = len(self._updates)
        snapshot["recorded_requests"] = len(self.requests)
        snapshot["callback_queries_unanswered"] = sum(
            1 for q in self.callback_queries.values() if q.answer is None
        )
        return self._control_ok(snapshot)


_API_METHODS = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "setMyCommands",
    "setMyDescription",
    "setMyShortDescription",
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "sendVideo",
    "sendAnimation",
    "sendMediaGroup",
    "editMessageMedia",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "getChatMember",
    "getFile",
    "pinChatMessage",
    "unpinChatMessage",
)


if __name__ == "__main__":
    from .botapi_cli import main

    raise SystemExit(main())
