"""Standalone runner: ``python -m bench.fakeapi.botapi [--port 8081] [--latency-ms 50]``.

The first stdout line is the server URL alone, so a parent process can read it (``--port 0`` picks
a free port). After that a person can chat as a demo user by typing into stdin, and the bot's
messages are echoed; other processes use the ``/_control/*`` HTTP endpoints instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import shlex
import signal
import sys
import threading
from pathlib import Path

from .botapi import DEFAULT_TOKEN, FakeBotApi
from .botapi_faults import FAULT_KINDS, FaultRule
from .botapi_models import StoredMessage

HELP = """\
Type a line to send it as the current user in the current chat (e.g. /start).
  :user ID              act as user ID (switches to their private chat)
  :chat ID              write in group ID; ':chat' alone returns to the private chat
  :press MSG_ID DATA    press the inline button with callback data DATA on message MSG_ID
  :doc PATH [CAPTION]   send the file at PATH as a document
  :msgs [N]             show the last N messages of the current chat (default 10)
  :stats                show counters (sends, windows, duplicates)
  :fault KIND [METHOD] [TIMES]   add a fault, KIND one of: {kinds}
  :clearfaults          remove all faults
  :latency MS           set the per-request latency
  :block / :unblock     the current user blocks / unblocks the bot
  :reset                forget messages, requests and updates
  :help                 this text"""


def add_demo_data(server: FakeBotApi) -> None:
    server.add_user(1001, "Alice", "en", "alice_demo")
    server.add_user(1002, "Bruno", "de", "bruno_demo")
    server.add_user(1003, "Chloé", "fr")
    server.add_group(-1001, "Demo Group", admins=[1001], members=[1002, 1003])
    server.add_group(
        -1001234567890,
        "Demo Supergroup",
        admins=[1002],
        type="supergroup",
        members=[1001],
        username="demo_supergroup",
    )


def _format_message(event: str, msg: StoredMessage) -> str:
    arrow = {"sent": "<<", "edited": "<~", "deleted": "<x"}.get(event, "<<")
    body = msg.text if msg.text is not None else f"[document {msg.document}] {msg.caption or ''}"
    lines = [f"{arrow} chat {msg.chat_id} #{msg.message_id} {event}: {body}"]
    for row in (msg.reply_markup or {}).get("inline_keyboard", []):
        buttons = [f"[{b['text']} -> {b.get('callback_data') or b.get('url')}]" for b in row]
        lines.append("     " + " ".join(buttons))
    return "\n".join(lines)


class _Console:
    def __init__(self, server: FakeBotApi, user_id: int) -> None:
        self.server = server
        self.user_id = user_id
        self.chat_id: int | None = None

    def handle(self, line: str) -> str | None:
        line = line.rstrip("\n")
        if not line.strip():
            return None
        if not line.startswith(":"):
            update = self.server.send_text(self.user_id, line, self.chat_id)
            if "update_id" not in update:
                return "(not delivered: group privacy mode hides it from the bot)"
            return None
        words = shlex.split(line[1:])
        command, args = words[0].lower(), words[1:]
        server = self.server
        chat_id = self.chat_id if self.chat_id is not None else self.user_id
        if command == "help":
            return HELP.format(kinds=", ".join(FAULT_KINDS))
        if command == "user":
            self.user_id, self.chat_id = int(args[0]), None
            return f"now user {self.user_id} in their private chat"
        if command == "chat":
            self.chat_id = int(args[0]) if args else None
            return f"now writing in chat {self.chat_id or self.user_id}"
        if command == "press":
            server.press_button(self.user_id, (chat_id, int(args[0])), args[1])
            return None
        if command == "doc":
            path = Path(args[0])
            caption = " ".join(args[1:]) or None
            server.send_document(
                self.user_id, path.name, path.read_bytes(), chat_id=self.chat_id, caption=caption
            )
            return None
        if command == "msgs":
            count = int(args[0]) if args else 10
            messages = list(server.messages.get(chat_id, {}).values())[-count:]
            return "\n".join(m.summary() for m in messages) or "(no messages)"
        if command == "stats":
            return json.dumps(server.stats.snapshot(), indent=2, ensure_ascii=False)
        if command == "fault":
            rule = FaultRule(
                kind=args[0],  # type: ignore[arg-type]  # validated by FaultRule itself
                method=args[1] if len(args) > 1 else None,
                times=int(args[2]) if len(args) > 2 else None,
            )
            server.faults.add(rule)
            return f"added {rule}"
        if command == "clearfaults":
            server.faults.clear()
            return "faults cleared"
        if command == "latency":
            server.latency = float(args[0]) / 1000
            return f"latency {args[0]} ms"
        if command in ("block", "unblock"):
            server.block_user(self.user_id, command == "block")
            return f"user {self.user_id} {command}ed the bot"
        if command == "reset":
            server.reset()
            return "state reset"
        return f"unknown command {command!r}; :help lists them"


def _start_stdin_reader(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
    # A daemon thread, so that a blocked readline() never keeps the process alive at exit.
    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="fake-botapi-stdin", daemon=True).start()


async def run(args: argparse.Namespace) -> None:
    server = FakeBotApi(
        token=args.token,
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        latency=args.latency_ms / 1000,
        record=not args.no_record,
        seed=args.seed,
        privacy_mode=not args.no_privacy,
        open_chats=args.open_chats,
    )
    if not args.no_demo:
        add_demo_data(server)
    await server.start()
    if args.no_record:
        # A benchmark's server: its start-up heap is moved out of the collector's way, so a
        # full collection does not pause it for a few hundred milliseconds and then stamp
        # every waiting request at once (Telegram counts sends as they arrive).
        gc.freeze()
        # What the run adds (a stored message per send, the counters) would be walked by a
        # full collection again and again as it grows: 7 of them in a 20,000-send fan-out,
        # up to 600 ms each. The process lives for a benchmark only (--max-seconds); young
        # garbage is still collected, survivors simply stay.
        gc.set_threshold(*gc.get_threshold()[:2], 1 << 30)
    print(server.url, flush=True)
    if not args.quiet:
        users = ", ".join(
            f"{u.id} {u.first_name} ({u.language_code})" for u in server.users.values()
        )
        groups = ", ".join(f"{c.id} {c.title!r}" for c in server.chats.values() if c.title)
        print(
            f"# token {server.token}\n"
            f"# base_url {server.base_url}  base_file_url {server.base_file_url}\n"
            f"# users: {users or '-'}\n# groups: {groups or '-'}\n"
            f"# control: POST {server.url}/_control/send_text "
            '{"user_id": 1001, "text": "/start"}; GET /_control/messages, /_control/stats\n'
            "# type a line to send it as the first user, ':help' for commands",
            flush=True,
        )
    if args.echo:
        server.on_bot_message = lambda event, msg: print(_format_message(event, msg), flush=True)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    lines: asyncio.Queue[str | None] = asyncio.Queue()
    if not args.no_stdin and sys.stdin is not None and not sys.stdin.closed:
        _start_stdin_reader(loop, lines)
    console = _Console(server, next(iter(server.users), 1001))

    async def consume() -> None:
        while (line := await lines.get()) is not None:
            try:
                output = console.handle(line)
            except Exception as exc:  # a typo at the prompt must not kill the server
                output = f"error: {type(exc).__name__}: {exc}"
            if output:
                print(output, flush=True)

    consumer = asyncio.create_task(consume())
    try:
        # Bounded: a parent that forgets to stop us (a crashed benchmark) does not leak us.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.max_seconds)
    finally:
        consumer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consumer
        await server.stop()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fakeapi.botapi", description="Fake Telegram Bot API server"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="BriefingTestBot")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-demo", action="store_true", help="start without demo users")
    parser.add_argument("--no-stdin", action="store_true", help="ignore standard input")
    parser.add_argument("--no-record", action="store_true", help="counters only (benchmarks)")
    parser.add_argument("--no-privacy", action="store_true", help="disable group privacy mode")
    parser.add_argument(
        "--open-chats", action="store_true", help="any chat id is a chat that started the bot"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="stop by itself after this long"
    )
    parser.add_argument(
        "--echo",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="print the bot's messages (default: when stdin is a terminal)",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the URL line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.echo is None:
        args.echo = sys.stdin is not None and sys.stdin.isatty()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
