"""The fake Bot API, exercised through the real python-telegram-bot client.

If PTB raises the production exception types and parses every answer into its objects, the fake
is faithful enough for the bot's own tests to mean something.
"""

from __future__ import annotations

import ast
import asyncio
import datetime as dtm
import json
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi, FaultRule
from bench.fakeapi.botapi_stats import SendStats
from bench.fakeapi.botapi_text import MAX_CAPTION_LENGTH, format_text, html_problem
from tests.ptb_client import httpx_bot, httpx_request

ALICE, BRUNO, GROUP = 1001, 1002, -4001
REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as srv:
        srv.add_user(ALICE, "Alice", language_code="de", username="alice")
        srv.add_user(BRUNO, "Bruno", language_code="en")
        srv.add_group(GROUP, "Briefing Group", admins=[ALICE], members=[BRUNO])
        yield srv


@pytest.fixture
async def bot(server: FakeBotApi) -> AsyncIterator[Bot]:
    async with httpx_bot(
        server.token, server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("More", callback_data="more:1"),
            InlineKeyboardButton("Stop", callback_data="stop"),
        ]
    ]
)


async def test_get_me(bot: Bot, server: FakeBotApi) -> None:
    me = await bot.get_me()
    assert me.id == server.bot_id == 123456
    assert me.is_bot and me.username == "BriefingTestBot"
    assert me.can_join_groups is True and me.can_read_all_group_messages is False
    assert server.calls("getMe")[-1].status == 200


async def test_send_message_round_trip(bot: Bot, server: FakeBotApi) -> None:
    first = await bot.send_message(
        ALICE,
        "<b>Briefing</b> for <i>today</i> &amp; more",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        disable_notification=True,
    )
    assert first.text == "Briefing for today & more"
    assert first.chat.type == "private" and first.chat.id == ALICE
    assert first.from_user is not None and first.from_user.id == server.bot_id
    assert first.entities == (
        MessageEntity(MessageEntity.BOLD, 0, 8),
        MessageEntity(MessageEntity.ITALIC, 13, 5),
    )
    assert first.reply_markup == KEYBOARD
    assert isinstance(first.date, dtm.datetime)

    second = await bot.send_message(
        ALICE,
        "reply",
        reply_parameters=ReplyParameters(first.message_id),
        allow_paid_broadcast=True,
    )
    assert second.message_id == first.message_id + 1
    assert second.reply_to_message is not None
    assert second.reply_to_message.message_id == first.message_id

    stored = server.messages[ALICE][first.message_id]
    assert stored.outgoing and stored.disable_notification and not stored.deleted
    assert stored.callback_data == ["more:1", "stop"]
    assert server.messages[ALICE][second.message_id].allow_paid_broadcast
    call = server.calls("sendMessage")[0]
    assert call.params["chat_id"] == ALICE
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "more:1"
    assert [m.text for m in server.sent_messages(ALICE)] == [first.text, "reply"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Character '&'"),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'expected "</b>", found "</i>"'),
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
        # The documented nesting rules: nothing inside code, blockquotes do not nest,
        # links contain no other link or code.
        ("<code><b>x</b></code>", 'Tag "b" can\'t be nested in tag "code"'),
        ("<pre>a<i>x</i></pre>", 'Tag "i" can\'t be nested in tag "pre"'),
        ("<blockquote>a<blockquote>b</blockquote></blockquote>", "can't be nested"),
        ('<a href="https://e.org"><code>x</code></a>', 'Tag "code" can\'t be nested in tag "a"'),
        ('<a href="https://e.org"><b><a href="https://f.org">x</a></b></a>', "can't be nested"),
    ],
)
async def test_invalid_html_is_bad_request(bot: Bot, text: str, detail: str) -> None:
    with pytest.raises(BadRequest) as info:
        await bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)
    # PTB strips "Bad Request: " and lower-cases the rest of the description.
    assert info.value.message.startswith("Can't parse entities: ")
    assert detail.lower() in info.value.message.lower()


async def test_text_that_is_no_utf8_is_bad_request_not_a_server_error(server: FakeBotApi) -> None:
    # A lone surrogate can reach the server only as a JSON escape; Telegram refuses it (400).
    body = b'{"chat_id": %d, "text": "Bruch\\ud83d"}' % ALICE
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}{server.token}/sendMessage",
            data=body,
            headers={"Content-Type": "application/json"},
        ) as response,
    ):
        answer = await response.json()
    assert response.status == 400
    assert answer["description"] == "Bad Request: strings must be encoded in UTF-8"


@pytest.mark.parametrize(
    "html",
    [
        "plain",
        "<b>bold <i>both</i></b>",
        '<a href="https://x.y/?q=1&amp;r=2">link</a>',
        '<span class="tg-spoiler">secret</span>',
        "<tg-spoiler>secret</tg-spoiler>",
        '<pre><code class="language-python">x = 1</code></pre>',
        "<blockquote expandable>long</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "&lt;&gt;&amp;&quot;&#128512;&#x1F600;",
        # What Telegram's parser tolerates although the bot never sends it.
        "a > b",
        "<a>no href</a>",
        '<b class="x">attr</b>',
    ],
)
def test_the_oracle_accepts_documented_html(html: str) -> None:
    assert html_problem(html) is None


@pytest.mark.parametrize(
    "html",
    [
        "<b>open",
        "close</b>",
        "<b><i>crossed</b></i>",
        "<script>alert(1)</script>",
        "<div>block</div>",
        "a < b",
        "fish & chips",
        "&nbsp;",
        '<span class="other">x</span>',
        "<code><b>nested</b></code>",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        '<a href="x"><a href="y">x</a></a>',
        "<b",
    ],
)
def test_the_oracle_refuses_what_the_docs_forbid(html: str) -> None:
    assert (html_problem(html) or "").startswith("can't parse entities: ")


def test_the_oracle_counts_length_in_utf16_after_parsing() -> None:
    assert html_problem("<b></b>") == "message text is empty"
    assert html_problem(f"<b>{'x' * 4096}</b>") is None
    # An emoji outside the BMP is two UTF-16 units: 2048 of them fill a message.
    assert html_problem("😀" * 2048) is None
    assert html_problem("😀" * 2048 + "x") == "message is too long"
    assert html_problem("&amp;" * MAX_CAPTION_LENGTH, kind="caption") is None
    assert html_problem("é" * (MAX_CAPTION_LENGTH + 1), kind="caption") == (
        "message caption is too long"
    )
    assert html_problem("", kind="caption") is None


async def test_html_parsing_details() -> None:
    text, entities = format_text(
        '<pre><code class="language-python">x = 1</code></pre> <a href="https://e.org">e</a> '
        "<tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote> &#128512;&quot;",
        "HTML",
        None,
    )
    assert text == 'x = 1 e s q \U0001f600"'
    assert entities == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"},
        {"offset": 6, "length": 1, "type": "text_link", "url": "https://e.org"},
        {"offset": 8, "length": 1, "type": "spoiler"},
        {"offset": 10, "length": 1, "type": "expandable_blockquote"},
    ]
    # Styles go anywhere but inside code and pre, and may hold a link or code.
    text, entities = format_text(
        '<b>b <i>i <a href="https://e.org">l</a></i> <code>c</code></b>', "HTML", None
    )
    assert [e["type"] for e in entities] == ["bold", "italic", "text_link", "code"]


async def test_text_limits_and_other_parse_modes(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ALICE, "   ")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ALICE, "x" * 4097)
    # 4096 characters after entity parsing is fine even though the markup is longer.
    ok = await bot.send_message(ALICE, f"<b>{'x' * 4096}</b>", parse_mode=ParseMode.HTML)
    assert ok.text is not None and len(ok.text) == 4096
    # Only HTML is checked, so anything else is refused rather than waved through.
    with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
        await bot.send_message(ALICE, "Hello.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_button_data_invalid(bot: Bot) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ALICE, "hi", reply_markup=markup)


async def test_retry_after(bot: Bot, server: FakeBotApi, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, constructing RetryAfter emits a PTBDeprecationWarning (an error
    # under this project's filterwarnings) instead of the exception under test.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    server.faults.add(
        FaultRule(method="sendMessage", chat_id=ALICE, kind="retry_after", retry_after=2, times=1)
    )
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(ALICE, "hi")
    assert info.value.retry_after == dtm.timedelta(seconds=2)
    await bot.send_message(ALICE, "hi")  # `times` is used up
    call = server.calls("sendMessage")[0]
    assert (call.status, call.fault) == (429, "retry_after")
    assert call.description == "Too Many Requests: retry after 2"


async def test_forbidden_variants(bot: Bot, server: FakeBotApi) -> None:
    server.faults.add(FaultRule(kind="blocked", chat_id=ALICE, times=1))
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ALICE, "hi")
    server.faults.add(FaultRule(kind="deactivated", chat_id=ALICE, times=1))
    with pytest.raises(Forbidden, match=r"(?i)user is deactivated"):
        await bot.send_message(ALICE, "hi")
    server.block_user(BRUNO)  # persistent state, not a fault rule
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(BRUNO, "hi")
    assert "my_chat_member" in server.pending_updates[-1]
    server.add_user(1003, "Never", started=False)
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(1003, "hi")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hi")


async def test_chat_migrated(bot: Bot, server: FakeBotApi) -> None:
    server.faults.add(
        FaultRule(kind="migrated", chat_id=GROUP, migrate_to_chat_id=-100123, times=1)
    )
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(GROUP, "hi")
    assert info.value.new_chat_id == -100123
    # The old id stays migrated after the rule is used up; the new supergroup works.
    with pytest.raises(ChatMigrated):
        await bot.send_message(GROUP, "again")
    message = await bot.send_message(-100123, "hello supergroup")
    assert message.chat.type == "supergroup"
    kinds = [u["message"].get("migrate_to_chat_id") for u in server.pending_updates]
    assert -100123 in kinds


@pytest.mark.parametrize(
    ("status", "description"), [(500, "Internal Server Error"), (502, "Bad Gateway")]
)
async def test_server_error_is_network_error(
    bot: Bot, server: FakeBotApi, status: int, description: str
) -> None:
    server.faults.add(FaultRule(kind="server_error", status=status, times=1))
    with pytest.raises(NetworkError, match=description):
        await bot.send_message(ALICE, "hi")


async def test_hang_times_out_and_delay_still_delivers(bot: Bot, server: FakeBotApi) -> None:
    server.faults.add(FaultRule(kind="hang", method="sendMessage", times=1))
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "lost", read_timeout=0.3)
    call = await server.wait_for(lambda c: c.method == "sendMessage" and c.status == 499, 2)
    assert call.fault == "hang"
    assert not server.sent_messages(ALICE)  # a hang does not take effect by default

    # A delayed answer that the client abandons was still delivered: the retry duplicates it.
    server.faults.add(FaultRule(kind="delay", delay=0.5, method="sendMessage", times=1))
    with pytest.raises(TimedOut):
        await bot.send_message(ALICE, "twice", read_timeout=0.2)
    await bot.send_message(ALICE, "twice")
    assert [m.text for m in server.sent_messages(ALICE)] == ["twice", "twice"]
    assert server.stats.duplicates[0][:2] == (ALICE, "twice")


async def test_disconnect_fault(bot: Bot, server: FakeBotApi) -> None:
    server.faults.add(FaultRule(kind="disconnect", method="sendMessage", times=1))
    with pytest.raises(NetworkError):
        await bot.send_message(ALICE, "hi")
    assert (await bot.send_message(ALICE, "hi")).text == "hi"


async def test_probabilistic_faults_are_seeded(server: FakeBotApi) -> None:
    def pattern(seed: int) -> list[bool]:
        server.faults.clear()
        server.faults.seed(seed)
        server.faults.add(FaultRule(kind="server_error", probability=0.3))
        return [server.faults.match("sendmessage", ALICE) is not None for _ in range(50)]

    assert pattern(7) == pattern(7)
    assert 5 <= sum(pattern(7)) <= 25


async def test_get_updates_with_commands(bot: Bot, server: FakeBotApi) -> None:
    server.send_text(ALICE, "/start ref_42")
    server.send_text(BRUNO, "/brief@BriefingTestBot today", chat_id=GROUP)
    hidden = server.send_text(BRUNO, "just chatting", chat_id=GROUP)
    assert "update_id" not in hidden  # privacy mode: the bot never sees it
    server.send_text(BRUNO, "/other@SomeOtherBot", chat_id=GROUP)

    updates = await bot.get_updates(timeout=0)
    assert len(updates) == 2
    private, group = updates
    assert isinstance(private, Update) and private.message is not None
    assert private.message.text == "/start ref_42"
    assert private.message.entities[0].type == MessageEntity.BOT_COMMAND
    assert private.effective_user is not None and private.effective_user.language_code == "de"
    assert group.message is not None and group.message.chat.type == "group"
    assert group.message.parse_entities([MessageEntity.BOT_COMMAND]).popitem()[1] == (
        "/brief@BriefingTestBot"
    )
    # Confirming with offset drops them.
    assert await bot.get_updates(offset=group.update_id + 1, timeout=0) == ()
    assert server.pending_updates == []


async def test_long_poll_returns_promptly_on_inject(bot: Bot, server: FakeBotApi) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10, read_timeout=12))
    await server.wait_until_polling(timeout=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    server.send_text(ALICE, "hello")
    updates = await asyncio.wait_for(poll, 1)
    assert loop.time() - started < 0.5
    assert updates[0].message is not None and updates[0].message.text == "hello"


async def test_allowed_updates_filter(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_message(ALICE, "pick", reply_markup=KEYBOARD)
    server.send_text(ALICE, "text")
    server.press_button(ALICE, sent, "stop")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_callback_query_round_trip(bot: Bot, server: FakeBotApi) -> None:
    update = server.send_text(ALICE, "/start")
    sent = await bot.send_message(ALICE, "Pick one", reply_markup=KEYBOARD)
    reply = await server.wait_for_reply(ALICE, after_update=update, timeout=1)
    assert reply.message_id == sent.message_id

    with pytest.raises(ValueError, match="no button"):
        server.press_button(ALICE, sent, "not-a-button")
    press = server.press_button(ALICE, sent, "more:1")
    (parsed,) = await bot.get_updates(offset=update["update_id"] + 1, timeout=0)
    query = parsed.callback_query
    assert query is not None and query.data == "more:1" and query.from_user.id == ALICE
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.id == press["callback_query"]["id"]

    assert await bot.answer_callback_query(query.id, text="Loading")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    assert server.callback_queries[query.id].answer == {"text": "Loading"}

    edited = await bot.edit_message_text("Page 2", ALICE, sent.message_id, reply_markup=KEYBOARD)
    assert not isinstance(edited, bool) and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Page 2", ALICE, sent.message_id, reply_markup=KEYBOARD)
    # Editing without reply_markup drops the keyboard, so this is a modification.
    await bot.edit_message_text("Page 2", ALICE, sent.message_id)
    stored = server.messages[ALICE][sent.message_id]
    assert [v.text for v in stored.versions] == ["Pick one", "Page 2", "Page 2"]
    assert stored.reply_markup is None
    assert (await server.wait_for_reply(ALICE, press, include_edits=True)).message_id == (
        sent.message_id
    )
    await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", ALICE, 999)


async def test_delete_rules(bot: Bot, server: FakeBotApi) -> None:
    sent = await bot.send_message(ALICE, "temporary")
    assert await bot.delete_message(ALICE, sent.message_id)
    assert server.messages[ALICE][sent.message_id].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ALICE, sent.message_id)
    old = await bot.send_message(ALICE, "ancient")
    server.mark_old(ALICE, old.message_id, hours=49)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted for everyone"):
        await bot.delete_message(ALICE, old.message_id)


async def test_document_get_file_and_download(bot: Bot, server: FakeBotApi) -> None:
    content = b"%PDF-1.4 fake briefing\n" * 10
    server.send_document(ALICE, "briefing.pdf", content, "application/pdf", caption="read /this")
    (update,) = await bot.get_updates(timeout=0)
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert (document.file_name, document.mime_type, document.file_size) == (
        "briefing.pdf",
        "application/pdf",
        len(content),
    )
    file = await bot.get_file(document.file_id)
    assert file.file_path is not None and file.file_path.endswith(".pdf")
    assert bytes(await file.download_as_bytearray()) == content

    sent = await bot.send_document(
        ALICE, b"report body", filename="report.txt", caption="<b>R</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "report.txt"
    assert sent.caption == "R"
    again = await bot.send_document(ALICE, sent.document.file_id)
    assert (
        again.document is not None and again.document.file_unique_id == sent.document.file_unique_id
    )
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_wrong_token_and_unknown_method(server: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with httpx_bot("123456:WRONG-token", server.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": ALICE})
    # Method names are case-insensitive, as on Telegram.
    assert (await bot.do_api_request("GETME"))["username"] == "BriefingTestBot"


async def test_chats_members_and_commands(bot: Bot, server: FakeBotApi) -> None:
    assert isinstance(await bot.get_chat_member(GROUP, ALICE), ChatMemberOwner)
    assert (await bot.get_chat_member(GROUP, BRUNO)).status == "member"
    server.add_group(-4002, "Admins", admins=[ALICE, BRUNO], creator=ALICE, bot_is_admin=True)
    assert isinstance(await bot.get_chat_member(-4002, BRUNO), ChatMemberAdministrator)

    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("brief", "Briefing")])
    await bot.set_my_commands([BotCommand("start", "Los")], language_code="de")
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(ALICE))
    assert [c["command"] for c in server.commands_for()] == ["start", "brief"]
    assert [c["description"] for c in server.commands_for(language_code="de")] == ["Los"]
    assert server.commands_for({"type": "all_private_chats"}) == []
    assert [c["command"] for c in server.effective_commands(ALICE)] == ["admin"]
    assert [c["command"] for c in server.effective_commands(BRUNO)] == ["start", "brief"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])

    sent = await bot.send_message(GROUP, "pin me")
    assert await bot.pin_chat_message(GROUP, sent.message_id)
    assert await bot.unpin_chat_message(GROUP, sent.message_id)


async def test_every_parameter_encoding(server: FakeBotApi, http: aiohttp.ClientSession) -> None:
    api = f"{server.base_url}{server.token}"
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with http.get(f"{api}/sendMessage", params={"chat_id": str(ALICE), "text": "query"}) as r:
        assert (await r.json())["result"]["text"] == "query"
    async with http.post(
        f"{api}/SENDMESSAGE",
        data={"chat_id": str(ALICE), "text": "form", "reply_markup": json.dumps(markup)},
    ) as r:
        assert (await r.json())["result"]["reply_markup"] == markup
    async with http.post(
        f"{api}/sendMessage", json={"chat_id": ALICE, "text": "json", "reply_markup": markup}
    ) as r:
        assert (await r.json())["result"]["reply_markup"] == markup
    form = aiohttp.FormData()
    form.add_field("chat_id", str(ALICE))
    form.add_field("document", b"bytes!", filename="a.bin", content_type="application/x-test")
    async with http.post(f"{api}/sendDocument", data=form) as r:
        body = await r.json()
        assert body["result"]["document"]["mime_type"] == "application/x-test"
    async with http.post(
        f"{api}/sendMessage", data=b"{oops", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400
    texts = [m.text for m in server.sent_messages(ALICE) if m.text]
    assert texts == ["query", "form", "json"]
    async with http.get(f"{server.url}/bot123456:nope/getMe") as r:
        assert (r.status, await r.json()) == (
            401,
            {"ok": False, "error_code": 401, "description": "Unauthorized"},
        )
    async with http.get(f"{api}/getChatHistory") as r:
        assert (r.status, await r.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found"},
        )


async def test_control_endpoints(server: FakeBotApi, http: aiohttp.ClientSession, bot: Bot) -> None:
    control = f"{server.url}/_control"

    async def post(name: str, body: dict[str, object]) -> dict[str, object]:
        async with http.post(f"{control}/{name}", json=body) as response:
            data = await response.json()
            assert response.status == 200, data
            return data["result"]  # type: ignore[no-any-return]

    await post("add_user", {"user_id": 2001, "first_name": "Dora", "language_code": "fr"})
    await post("add_group", {"chat_id": -5001, "title": "Ctl", "admins": [2001]})
    update = await post("send_text", {"user_id": 2001, "text": "/start"})
    sent = await bot.send_message(2001, "Choose", reply_markup=KEYBOARD)
    waited = await post(
        "wait_for_reply", {"chat_id": 2001, "after_update_id": update["update_id"], "timeout": 1}
    )
    assert waited["message"]["text"] == "Choose"  # type: ignore[index]
    await post(
        "press_button",
        {"user_id": 2001, "chat_id": 2001, "message_id": sent.message_id, "callback_data": "stop"},
    )
    await post("send_document", {"user_id": 2001, "file_name": "n.txt", "content": "note"})
    await post(
        "faults", {"kind": "retry_after", "method": "sendMessage", "retry_after": 3, "times": 1}
    )
    async with http.get(f"{control}/faults") as r:
        assert (await r.json())["result"][0]["retry_after"] == 3
    async with http.get(f"{control}/requests", params={"since": "0", "method": "sendMessage"}) as r:
        requests = (await r.json())["result"]
        assert requests["requests"][0]["params"]["text"] == "Choose"
    async with http.get(f"{control}/messages", params={"chat_id": "2001"}) as r:
        messages = (await r.json())["result"]["messages"]
        assert [m["outgoing"] for m in messages] == [False, True, False]
    async with http.get(f"{control}/stats") as r:
        stats = (await r.json())["result"]
        assert stats["sends_ok"] == 1 and stats["pending_updates"] == 3
    async with http.post(f"{control}/send_text", json={"user_id": 404, "text": "x"}) as r:
        assert r.status == 400
    await post("reset", {})
    assert server.requests == [] and server.pending_updates == [] and not server.faults


async def test_wait_for_timeout_dumps_state(server: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(ALICE, "something else")
    with pytest.raises(AssertionError) as info:
        await server.wait_for_reply(BRUNO, timeout=0.1)
    assert "sendMessage chat=1001 text='something else' status=200" in str(info.value)


async def test_stats_windows_and_duplicates(bot: Bot, server: FakeBotApi) -> None:
    await asyncio.gather(*(bot.send_message(ALICE, f"n{i}") for i in range(5)))
    await bot.send_message(BRUNO, "same")
    await bot.send_message(BRUNO, "same")
    snapshot = server.stats.snapshot()
    assert snapshot["sends_ok"] == 7
    assert snapshot["max_per_1s_window"] == 7
    assert server.stats.max_per_1s_window_per_chat()[ALICE] == 5
    assert snapshot["duplicates"][0]["text"] == "same"


def test_sends_read_out_of_order_count_in_the_second_they_arrived_in() -> None:
    # Requests on different connections are read in the loop's order, not the arrival
    # order: an early stamp behind a later one must not linger in the window.
    stats = SendStats()
    for chat_id, arrival in enumerate((100.010, 100.005, 101.008)):
        stats.send_attempt(chat_id, paid=True, now=arrival)
    assert stats.max_per_1s_window == 2  # (100.008, 101.008] holds 100.010 and 101.008
    stats.send_attempt(9, paid=True, now=101.009)  # read at once, still waiting to count
    assert stats.max_per_1s_window == 3  # (100.009, 101.009] holds three


def test_kernel_stamps_a_send_that_waits_for_a_busy_loop_at_its_arrival() -> None:
    # The fake's loop is blocked while a send arrives: the send is counted when it came.
    async def scenario() -> float:
        async with FakeBotApi(open_chats=True) as server:
            reader, writer = await asyncio.open_connection(server.host, server.port)
            body = json.dumps({"chat_id": 5, "text": "hi"}).encode()
            writer.write(
                f"POST /bot{server.token}/sendMessage HTTP/1.1\r\nHost: x\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            sent = time.monotonic()
            time.sleep(0.3)  # noqa: ASYNC251 - the loop is meant to be blocked
            await reader.readuntil(b"\r\n\r\n")
            writer.close()
            assert server.stats.last_send_s is not None
            return server.stats.started + server.stats.last_send_s - sent

    assert abs(asyncio.run(scenario())) < 0.1


async def test_latency_and_record_off() -> None:
    async with FakeBotApi(record=False, latency=0.05) as server:
        server.add_user(ALICE, "Alice")
        async with httpx_bot(server.token, server.base_url) as client:
            loop = asyncio.get_running_loop()
            started = loop.time()
            await client.send_message(ALICE, "slow")
            assert loop.time() - started >= 0.05
        assert server.requests == [] and server.stats.sends_ok == 1


async def test_standalone_process(http: aiohttp.ClientSession) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.fakeapi.botapi",
        "--port",
        "0",
        "--no-stdin",
        "--quiet",
        cwd=REPO_ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        url = (await asyncio.wait_for(process.stdout.readline(), 10)).decode().strip()
        assert url.startswith("http://127.0.0.1:")
        async with http.post(
            f"{url}/_control/send_text", json={"user_id": 1001, "text": "/start"}
        ) as r:
            assert r.status == 200
        async with http.get(f"{url}/bot{DEFAULT_TOKEN}/getUpdates") as r:
            (update,) = (await r.json())["result"]
            assert update["message"]["from"]["first_name"] == "Alice"
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 5) == 0


async def test_ptb_application_polling_end_to_end(server: FakeBotApi) -> None:
    """A real PTB Application polls the fake: commands, callbacks and a clean shutdown."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "Welcome", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"You chose {query.data}")

    app = (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .request(httpx_request())
        .get_updates_request(httpx_request())
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        try:
            await server.wait_until_polling(timeout=2)
            update = server.send_text(ALICE, "/start")
            welcome = await server.wait_for_reply(ALICE, after_update=update, timeout=2)
            assert welcome.text == "Welcome"
            press = server.press_button(ALICE, welcome, "stop")
            edited = await server.wait_for_reply(ALICE, press, timeout=2, include_edits=True)
            assert edited.text == "You chose stop"
            answered = await server.wait_for(lambda c: c.method == "answerCallbackQuery", 2)
            assert answered.status == 200
        finally:
            await app.updater.stop()
            await app.stop()
    # PTB confirms the last offset on shutdown, so nothing is redelivered.
    assert server.pending_updates == []
    assert not [c.summary() for c in server.requests if c.status not in (200, 499)]


async def test_webhook_channel_and_group_rules(bot: Bot, server: FakeBotApi) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert server.webhook_url == "https://example.org/hook"
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook(drop_pending_updates=True)

    server.add_group(-1009, "News", type="channel", username="news_channel")
    post = await bot.send_message("@news_channel", "breaking")
    assert post.from_user is None and post.sender_chat is not None
    assert post.sender_chat.id == -1009

    # In a group the bot (not an admin) sees replies to its own messages, and may not delete
    # other people's messages.
    mine = await bot.send_message(GROUP, "question?")
    answer = server.send_text(
        BRUNO, "an answer", chat_id=GROUP, reply_to_message_id=mine.message_id
    )
    assert "update_id" in answer
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted$"):
        await bot.delete_message(GROUP, answer["message"]["message_id"])


def test_the_fake_stands_apart_from_the_bot_and_the_suite() -> None:
    """An oracle that borrowed the bot's rules (or a fixture) would pass whatever the bot
    does; the benchmarks import it too, so it must pull in nothing of the suite either."""
    # Not even PTB: the fake answers the wire protocol, whatever client speaks it.
    allowed = {"aiohttp", "brotli"}
    folder = Path(__file__).parent.parent / "bench" / "fakeapi"
    assert sorted(folder.glob("*.py")), folder
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                assert root in sys.stdlib_module_names or root in allowed, (path.name, name)
