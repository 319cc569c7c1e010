"""State objects of the fake Bot API: users, chats, messages, files, recorded calls.

``to_dict`` methods produce exactly the Bot API JSON shapes (core.telegram.org/bots/api): optional
fields are omitted rather than sent as null, dates are unix ints, the sender is under "from".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackQueryRecord",
    "FakeChat",
    "FakeUser",
    "MessageVersion",
    "StoredFile",
    "StoredMessage",
    "UploadedFile",
]

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer: HTTP status = error_code, plus the optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


@dataclass(eq=False)
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    # Whether the user has pressed Start; the bot cannot message users who never did.
    started: bool = True
    blocked: bool = False
    deactivated: bool = False

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data


@dataclass(eq=False)
class FakeChat:
    id: int
    type: str  # "private" | "group" | "supergroup" | "channel"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    # Forum topics (message_thread_id) closed or deleted by the group's admins.
    closed_topics: set[int] = field(default_factory=set)
    deleted_topics: set[int] = field(default_factory=set)
    creator: int | None = None
    admins: list[int] = field(default_factory=list)
    members: set[int] = field(default_factory=set)
    bot_is_admin: bool = False
    bot_member: bool = True  # False once the bot was removed from the group
    migrated_to: int | None = None
    migrated_from: int | None = None
    next_message_id: int = 1
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    menu_button: JSON | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
            if self.username:
                data["username"] = self.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        data["type"] = self.type
        if self.is_forum:
            data["is_forum"] = True
        return data

    def to_full_dict(self) -> JSON:
        """ChatFullInfo as returned by getChat."""
        data = self.to_dict()
        # Required ChatFullInfo fields; values as a fresh chat without customisation has them.
        data["accent_color_id"] = abs(self.id) % 7
        data["max_reaction_count"] = 11
        everyone_gifts = self.type == "private"
        data["accepted_gift_types"] = {
            "unlimited_gifts": everyone_gifts,
            "limited_gifts": everyone_gifts,
            "unique_gifts": everyone_gifts,
            "premium_subscription": everyone_gifts,
            "gifts_from_channels": everyone_gifts,
        }
        if self.username:
            data["active_usernames"] = [self.username]
        if self.type in ("group", "supergroup"):
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        pinned = [m for m in self.messages.values() if m.pinned and not m.deleted]
        if pinned:
            data["pinned_message"] = pinned[-1].to_dict(with_reply=False)
        if self.migrated_from is not None:
            data["has_visible_history"] = True
        return data


@dataclass(slots=True)
class MessageVersion:
    """One state of a message: the original, or the result of an edit."""

    date: int
    text: str | None
    entities: list[JSON]
    caption: str | None
    reply_markup: JSON | None
    media: str | None = None  # the file_unique_id shown, for a media message


@dataclass(slots=True, eq=False)
class StoredMessage:
    chat_id: int
    message_id: int
    date: int
    chat: JSON
    from_user: JSON | None
    outgoing: bool  # sent by the bot
    seq: int  # global order of events, shared with updates (see FakeBotApi.wait_for_reply)
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    document: JSON | None = None
    photo: list[JSON] | None = None  # PhotoSize array, smallest first
    video: JSON | None = None
    animation: JSON | None = None  # Telegram also sets `document` for an animation
    media_group_id: str | None = None
    reply_markup: JSON | None = None  # inline keyboards only; other markups are not echoed
    reply_keyboard: JSON | None = None  # ReplyKeyboardMarkup / Remove / ForceReply, if sent
    reply_to: StoredMessage | None = None
    sender_chat: JSON | None = None
    message_thread_id: int | None = None
    is_topic_message: bool = False
    link_preview_options: JSON | None = None
    extra: JSON | None = None  # service-message fields (pinned_message, migrate_to_chat_id, ...)
    has_protected_content: bool = False
    disable_notification: bool = False
    allow_paid_broadcast: bool = False
    edit_date: int | None = None
    edit_seq: int = 0
    deleted: bool = False
    pinned: bool = False
    _versions: list[MessageVersion] | None = None

    def to_dict(self, *, with_reply: bool = True) -> JSON:
        data: JSON = {"message_id": self.message_id}
        if self.message_thread_id is not None:
            data["message_thread_id"] = self.message_thread_id
        if self.from_user is not None:
            data["from"] = self.from_user
        if self.sender_chat is not None:
            data["sender_chat"] = self.sender_chat
        data["chat"] = self.chat
        data["date"] = self.date
        if self.is_topic_message:
            data["is_topic_message"] = True
        if with_reply and self.reply_to is not None:
            # The nested message never carries its own reply_to_message (documented).
            data["reply_to_message"] = self.reply_to.to_dict(with_reply=False)
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.has_protected_content:
            data["has_protected_content"] = True
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
            if self.link_preview_options:
                data["link_preview_options"] = self.link_preview_options
        if self.media_group_id is not None:
            data["media_group_id"] = self.media_group_id
        for name in ("photo", "video", "animation", "document"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = self.caption_entities
        if self.extra:
            data.update(self.extra)
        if self.reply_markup is not None:
            data["reply_markup"] = self.reply_markup
        return data

    def _snapshot(self) -> MessageVersion:
        return MessageVersion(
            date=self.edit_date if self.edit_date is not None else self.date,
            text=self.text,
            entities=list(self.entities),
            caption=self.caption,
            reply_markup=self.reply_markup,
            media=self.file_unique_id,
        )

    @property
    def versions(self) -> list[MessageVersion]:
        """Original state first, current state last (a single entry if never edited)."""
        return list(self._versions) if self._versions else [self._snapshot()]

    @property
    def edited(self) -> bool:
        return self.edit_date is not None

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, flattened row by row."""
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", []) for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    @property
    def media_kind(self) -> str | None:
        """photo, video, animation or document; None for a text or service message."""
        for name in ("photo", "video", "animation", "document"):
            if getattr(self, name) is not None:
                return name
        return None

    @property
    def file_unique_id(self) -> str | None:
        """The unique id of the file the message shows (the largest photo size)."""
        if self.photo:
            return str(self.photo[-1]["file_unique_id"])
        for value in (self.video, self.animation, self.document):
            if value is not None:
                return str(value["file_unique_id"])
        return None

    def to_control_dict(self) -> JSON:
        """Message plus the fake's bookkeeping, for the control endpoint and failure dumps."""
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "seq": self.seq,
            "outgoing": self.outgoing,
            "deleted": self.deleted,
            "pinned": self.pinned,
            "edited": self.edited,
            "disable_notification": self.disable_notification,
            "allow_paid_broadcast": self.allow_paid_broadcast,
            "reply_keyboard": self.reply_keyboard,
            "versions": [
                {
                    "date": v.date,
                    "text": v.text,
                    "caption": v.caption,
                    "reply_markup": v.reply_markup,
                }
                for v in self.versions
            ]
            if self._versions
            else [],
            "message": self.to_dict(),
        }

    def summary(self) -> str:
        flags = "".join(
            flag for flag, on in (("E", self.edited), ("D", self.deleted), ("P", self.pinned)) if on
        )
        who = "bot" if self.outgoing else f"user {self.from_user['id'] if self.from_user else '?'}"
        body = self.text if self.text is not None else f"[{self.media_kind}] {self.caption or ''}"
        if self.extra:
            body = f"[service] {sorted(self.extra)}"
        if len(body) > 80:
            body = body[:77] + "..."
        keys = f" buttons={self.callback_data}" if self.reply_markup else ""
        return f"#{self.message_id} {who}{f' [{flags}]' if flags else ''}: {body!r}{keys}"


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    kind: str = "document"  # photo, video, animation or document: what it may be sent as

    def document_dict(self) -> JSON:
        data: JSON = {}
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        data["file_id"] = self.file_id
        data["file_unique_id"] = self.file_unique_id
        data["file_size"] = len(self.content)
        return data

    def media_dict(self) -> JSON:
        """The Video, Animation or Document object of this file."""
        data = self.document_dict()
        if self.kind in ("video", "animation"):
            data.update(width=640, height=360, duration=5)
        return data

    def photo_size(self, width: int, height: int) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "width": width,
            "height": height,
        }

    def file_dict(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(slots=True)
class UploadedFile:
    """A multipart file part of a request."""

    field_name: str
    filename: str | None
    content_type: str | None
    data: bytes

    def describe(self) -> JSON:
        return {
            "file_name": self.filename,
            "mime_type": self.content_type,
            "size": len(self.data),
        }


@dataclass(slots=True)
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float  # monotonic
    answer: JSON | None = None  # answerCallbackQuery parameters once answered


@dataclass(slots=True)
class ApiCall:
    """One Bot API request as the server saw it.

    ``params`` are normalised: ints for ids, decoded JSON for reply_markup/entities/..., and
    UploadedFile for file parts. ``status`` is None while the request is in flight and 499 when
    the client gave up before the answer (a hung or delayed request).
    """

    seq: int
    time: float  # time.monotonic() at arrival
    method: str  # canonical spelling, e.g. "sendMessage" whatever case the client used
    params: JSON
    status: int | None = None
    result: Any = None
    description: str | None = None
    fault: str | None = None
    duration: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None

    @property
    def text(self) -> str | None:
        value = self.params.get("text")
        return value if isinstance(value, str) else None

    def to_dict(self) -> JSON:
        params = {
            key: value.describe() if isinstance(value, UploadedFile) else value
            for key, value in self.params.items()
        }
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "params": params,
            "status": self.status,
            "result": self.result,
            "description": self.description,
            "fault": self.fault,
            "duration": self.duration,
        }

    def summary(self) -> str:
        status = self.status if self.status is not None else "pending"
        detail = ""
        if self.chat_id is not None:
            detail += f" chat={self.chat_id}"
        if "message_id" in self.params:
            detail += f" message_id={self.params['message_id']}"
        if self.text is not None:
            text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
            detail += f" text={text!r}"
        if self.description:
            detail += f" -> {self.description!r}"
        fault = f" fault={self.fault}" if self.fault else ""
        return f"[{self.seq}] {self.method}{detail} status={status}{fault}"
