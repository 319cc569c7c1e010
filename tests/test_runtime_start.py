"""Start-up as an operator meets it: every bad condition is one line naming it, exit 2.

A rejected token runs `python -m bot` against the fake Bot API and reads what the
operator would read on the terminal (exit code, the one line, no token in it); the Bot API
address and database cases run the bot's own serve() in this process, which stops at the
same line and logs nothing beside it, and so does the seed watcher's unreadable page.
"""

from __future__ import annotations

import asyncio
import io
import logging
import socket
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bot.app import serve
from bot.logs import QuietTransportErrors
from tests.e2e import bot_env
from tests.inproc import settings_for
from tests.seed_page import SEED, changed_seed
from tests.served import serving
from tests.terminal import terminal_log

pytestmark = pytest.mark.timeout(90)

OTHER_TOKEN = "4242424242:AAHrejectedSecretPartOfTheTokenXYZ123"


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(token=DEFAULT_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def start_and_wait(
    server: FakeBotApi, workdir: Path, limit_s: float = 30, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run the bot to its exit (it must exit by itself) and return what it printed."""
    (workdir / "seeds").mkdir(exist_ok=True)
    env = bot_env(server, workdir, **extra)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=limit_s,
            stdin=subprocess.DEVNULL,
        )

    return await asyncio.to_thread(run)


def assert_one_clean_line(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.returncode == 2, output
    assert len(lines) == 1, output
    assert "Traceback" not in output and "Unclosed" not in output, output
    for secret in (DEFAULT_TOKEN, OTHER_TOKEN, OTHER_TOKEN.split(":")[1], "AAH"):
        assert secret not in output, output
    for needle in needles:
        assert needle in lines[0], output
    return lines[0]


@dataclass
class Outcome:
    code: int
    out: str
    records: list[logging.LogRecord]


async def serve_until_it_exits(
    server: FakeBotApi,
    workdir: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    **settings: Any,
) -> Outcome:
    """The bot's serve() in this loop, to its exit (it must exit by itself)."""
    capsys.readouterr()
    with caplog.at_level(logging.INFO):
        code = await asyncio.wait_for(serve(settings_for(server, workdir, **settings)), 30)
    captured = capsys.readouterr()
    return Outcome(code, captured.out + captured.err, list(caplog.records))


def assert_one_clean_line_in_process(outcome: Outcome, *needles: str) -> str:
    """As assert_one_clean_line: exit 2, one line, and no log line beside it (the process
    logs at INFO to the same terminal)."""
    lines = [line for line in outcome.out.splitlines() if line.strip()]
    assert outcome.code == 2, outcome.out
    assert len(lines) == 1, outcome.out
    # What the terminal would show: the handler of setup_logging drops PTB's traceback of
    # an answer that is not JSON (the error line says it).
    shown = [r for r in outcome.records if QuietTransportErrors().filter(r)]
    logged = [r.getMessage() for r in shown if r.name.startswith("bot")]
    assert logged == [], logged
    assert not [r for r in shown if r.levelno >= logging.WARNING], shown
    assert DEFAULT_TOKEN not in outcome.out
    assert not [r for r in outcome.records if DEFAULT_TOKEN in r.getMessage()]
    for needle in needles:
        assert needle in lines[0], outcome.out
    return lines[0]


async def test_rejected_token_is_one_line_without_the_token(
    server: FakeBotApi, tmp_path: Path
) -> None:
    result = await start_and_wait(server, tmp_path, BOT_TOKEN=OTHER_TOKEN)
    line = assert_one_clean_line(result)
    assert line == "the Bot API rejected BOT_TOKEN: check it with @BotFather"
    assert server.calls("getUpdates") == []


async def test_base_url_that_is_not_the_bot_api_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"{server.url}/nothing/"
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog, telegram_base_url=url)
    assert_one_clean_line_in_process(result, "TELEGRAM_BASE_URL", server.url)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_unreachable_base_url_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/bot"
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog, telegram_base_url=url)
    assert_one_clean_line_in_process(result, "TELEGRAM_BASE_URL", "cannot be reached")


def foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")


def corrupted_database(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 64)


def not_a_database(path: Path) -> None:
    path.write_text("just some notes\n" * 100)


def newer_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        conn.execute("INSERT INTO schema_migrations VALUES ('999_from_the_future', 'x')")


@pytest.mark.parametrize(
    ("prepare", "needle"),
    [
        (foreign_database, "another program"),
        (corrupted_database, "not a usable SQLite database"),
        (not_a_database, "not a usable SQLite database"),
        (newer_database, "newer version"),
    ],
)
async def test_unusable_database_file_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    prepare: object,
    needle: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    path.parent.mkdir()
    assert callable(prepare)
    prepare(path)
    before = path.read_bytes()
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog)
    assert_one_clean_line_in_process(result, "DATABASE_PATH", str(path), needle)
    assert path.read_bytes() == before, "the file was changed"
    assert server.calls("getMe") == []


async def test_database_path_that_is_a_folder_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    path.mkdir(parents=True)
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog)
    assert_one_clean_line_in_process(result, "DATABASE_PATH", str(path), "folder")


async def test_database_path_below_a_file_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    path = tmp_path / "blocker" / "bot.sqlite3"
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog, database_path=path)
    assert_one_clean_line_in_process(result, "DATABASE_PATH", str(path), "folder")


async def test_unwritable_database_location_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # /proc refuses new entries even to root, so this holds whoever runs the tests.
    path = Path("/proc/briefing-bot-test/bot.sqlite3")
    result = await serve_until_it_exits(server, tmp_path, capsys, caplog, database_path=path)
    assert_one_clean_line_in_process(result, "DATABASE_PATH", str(path))


async def test_locked_database_is_named(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    path.parent.mkdir()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        holder.execute("BEGIN EXCLUSIVE")
        result = await serve_until_it_exits(server, tmp_path, capsys, caplog)
    finally:
        holder.close()
    assert_one_clean_line_in_process(result, "DATABASE_PATH", str(path), "locked")


async def wait_for_log(terminal: io.StringIO, needle: str, within: float = 15) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while needle not in terminal.getvalue():
        assert loop.time() < deadline, f"{needle!r} never logged:\n{terminal.getvalue()}"
        await asyncio.sleep(0.05)


def unreadable_page(path: Path) -> None:
    # A link to the reading process's own memory file: a regular file that fails with EIO
    # on read for everyone, root included (permission bits would not stop root).
    path.symlink_to("/proc/self/mem")


async def test_unreadable_seed_is_skipped_with_one_warning(tmp_path: Path) -> None:
    # The bot's serve() in this loop, its log read through its own setup_logging.
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_bytes(SEED.read_bytes())
    unreadable_page(seeds / "broken.txt")
    with terminal_log() as terminal:
        async with serving(tmp_path, seeds_poll_seconds=0.2) as bot:
            assert "NATO" in await bot.ask_text(1001, "/summary")
            unreadable_page(seeds / "broken-later.txt")
            # A page dropped in after the broken one is imported: the watcher polled past
            # it several times (each page waits one poll to settle).
            (seeds / "zz-second.txt").write_bytes(changed_seed().encode())
            await wait_for_log(terminal, "seed zz-second.txt imported")
            assert await bot.stopped() == 0
    log = terminal.getvalue()
    for name in ("broken.txt", "broken-later.txt"):
        warnings = [line for line in log.splitlines() if name in line]
        assert len(warnings) == 1, log
        assert "WARNING" in warnings[0]
