"""Run `python -m bot` as a subprocess against the fake Bot API and talk to it as users do."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi, StoredMessage
from tests.seed_page import SEED

REPO = Path(__file__).resolve().parents[1]
EDITOR_ID = 42
READER_DE = 1002
READER_EN = 1001


@dataclass
class RunningBot:
    server: FakeBotApi
    process: subprocess.Popen[bytes]
    workdir: Path
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def seeds(self) -> Path:
        return self.workdir / "seeds"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def ask(
        self, user_id: int, text: str, *, chat_id: int | None = None, replies: int = 1
    ) -> list[StoredMessage]:
        """Send a message and wait for the bot's answer in that chat: `replies` messages
        (an answer too long for one message comes in parts), not a fixed time."""
        chat = user_id if chat_id is None else chat_id
        before = {m.message_id for m in self.server.sent_messages(chat)}
        update = self.server.send_text(user_id, text, chat_id=chat_id)
        await self.server.wait_for_reply(chat, after_update=update, timeout=10)

        def answer() -> list[StoredMessage]:
            return [m for m in self.server.sent_messages(chat) if m.message_id not in before]

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while len(answer()) < replies:
            assert loop.time() < deadline, f"fewer than {replies} answers to {text!r}"
            await asyncio.sleep(0.02)
        return answer()

    async def ask_text(self, user_id: int, text: str, **kwargs: Any) -> str:
        """The text of every answer message, joined by blank lines."""
        return "\n\n".join(m.text or "" for m in await self.ask(user_id, text, **kwargs))

    async def press(self, user_id: int, message: StoredMessage, data: str) -> StoredMessage:
        """Press an inline button and return the message once the bot edited it."""
        versions = len(message.versions)
        self.server.press_button(user_id, message, data)
        chat = message.chat_id

        def edited() -> StoredMessage | None:
            current = self.server.messages[chat][message.message_id]
            return current if len(current.versions) > versions else None

        for _ in range(100):
            found = edited()
            if found is not None:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"message {message.message_id} was not edited\n{self.server.dump()}")

    async def stop(self, sig: int = signal.SIGTERM, wait_s: float = 20) -> int:
        """Stop the bot with a signal and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                await asyncio.to_thread(self.process.wait, wait_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait, 5)
        return int(self.process.returncode)


def bot_env(server: FakeBotApi, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process pointed at the fake server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_"))}
    env.update(
        BOT_TOKEN=server.token,
        TELEGRAM_BASE_URL=server.base_url,
        TELEGRAM_BASE_FILE_URL=server.base_file_url,
        ADMIN_IDS=str(EDITOR_ID),
        DATABASE_PATH=str(workdir / "data" / "bot.sqlite3"),
        SEEDS_DIR=str(workdir / "seeds"),
        SEEDS_POLL_SECONDS="0.2",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(REPO),
        PUSH_RATE="200",
        PAID_BROADCAST="true",
        FLOOD_LIMIT="1000",
    )
    env.update(extra)
    return env


def start_bot_process(
    server: FakeBotApi, workdir: Path, log_name: str = "bot.log", **extra: str
) -> RunningBot:
    """Start `python -m bot` (seeds copied into workdir) logging to a file."""
    seeds = workdir / "seeds"
    if not seeds.exists():
        seeds.mkdir(parents=True)
        shutil.copy(SEED, seeds / SEED.name)
    env = bot_env(server, workdir, **extra)
    log_path = workdir / log_name
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=workdir,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return RunningBot(server=server, process=process, workdir=workdir, log_path=log_path, env=env)


@asynccontextmanager
async def running_bot(
    workdir: Path, *, prepare: Callable[[FakeBotApi], None] | None = None, **extra: str
) -> AsyncIterator[RunningBot]:
    """A fake server with a few users and a bot process polling it; both stopped after.

    `prepare` runs before the bot starts (faults for its start-up calls, say)."""
    server = FakeBotApi(token=DEFAULT_TOKEN)
    await server.start()
    server.add_user(READER_EN, "Alice", language_code="en")
    server.add_user(READER_DE, "Bruno", language_code="de")
    server.add_user(EDITOR_ID, "Eda", language_code="de")
    if prepare is not None:
        prepare(server)
    bot = start_bot_process(server, workdir, **extra)
    try:
        try:
            await server.wait_until_polling(timeout=30)
        except AssertionError:
            raise AssertionError(f"bot did not start polling:\n{bot.log()}") from None
        yield bot
    finally:
        await bot.stop()
        await server.stop()
        assert DEFAULT_TOKEN not in bot.log(), "the token appeared in the bot's output"
