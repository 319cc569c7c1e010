"""DATABASE_URL as an operator meets it: the store on PostgreSQL, and every bad URL or
unreachable server one line naming DATABASE_URL, exit 2, never showing the password.

The bad URLs run the CLI's main in this process (the settings refuse them before anything
starts) and the servers that refuse run the bot's serve() in this loop; one bot process on
PostgreSQL keeps the process's own log free of the password."""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bench.fakeapi.botapi import DEFAULT_TOKEN, FakeBotApi
from bot.__main__ import main
from bot.config import load_settings
from bot.db.connection import Database, Dialect
from bot.logs import setup_logging
from tests.conftest_pg import TEST_DATABASE, reset
from tests.e2e import READER_EN, bot_env, running_bot
from tests.pgserver import GUARDED_PASSWORD, GUARDED_USER, USER, PgServer
from tests.test_runtime_start import (
    assert_one_clean_line,
    assert_one_clean_line_in_process,
    closed_port,
    serve_until_it_exits,
)

pytestmark = pytest.mark.timeout(90)

# Percent-encoded in the URL; neither spelling may be shown anywhere.
PASSWORD = "Sup3r%2Fsecret-db-pass"
DECODED = "Sup3r/secret-db-pass"


def url_on(port: int, database: str = TEST_DATABASE) -> str:
    return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/{database}"


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    fake = FakeBotApi(token=DEFAULT_TOKEN)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def main_exit_of(server: FakeBotApi, workdir: Path, url: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` with DATABASE_URL, as the CLI's main in this process: its exit code
    and what it printed (it must stop before it starts anything)."""
    (workdir / "seeds").mkdir(exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in bot_env(server, workdir, DATABASE_URL=url).items():
            patch.setenv(name, value)
        patch.chdir(workdir)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([])
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(
        ["python", "-m", "bot"], code, out.getvalue(), err.getvalue()
    )


async def serve_exit_of(
    server: FakeBotApi,
    workdir: Path,
    url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> tuple[str, str]:
    """The bot's serve() on DATABASE_URL in this loop, to its exit: its one line (exit 2,
    nothing logged beside it) and all it printed and logged, tracebacks included."""
    outcome = await serve_until_it_exits(server, workdir, capsys, caplog, database_url=url)
    line = assert_one_clean_line_in_process(outcome)
    formatter = logging.Formatter("%(name)s: %(message)s")
    return line, outcome.out + "\n".join(formatter.format(r) for r in outcome.records)


def assert_no_password(text: str) -> None:
    assert PASSWORD not in text and DECODED not in text, text
    assert "secret-db-pass" not in text, text


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://bot:{PASSWORD}@127.0.0.1/bot",
        f"postgresql://bot:{PASSWORD}@127.0.0.1:notaport/bot",
        f"postgresql://bot:{PASSWORD}@127.0.0.1:99999/bot",
    ],
)
async def test_a_malformed_url_is_one_line_naming_database_url(
    server: FakeBotApi, tmp_path: Path, url: str
) -> None:
    result = main_exit_of(server, tmp_path, url)
    line = assert_one_clean_line(result, "DATABASE_URL")
    assert_no_password(result.stdout + result.stderr)
    assert "postgresql://" in line  # says what a good one looks like
    assert server.calls("getMe") == []


async def test_an_unreachable_server_is_one_line_naming_database_url(
    server: FakeBotApi,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = closed_port()
    line, shown = await serve_exit_of(server, tmp_path, url_on(port), capsys, caplog)
    assert "DATABASE_URL" in line and "cannot reach" in line, line
    assert f"127.0.0.1:{port}" in line  # where it tried, without the credentials
    assert_no_password(shown)
    assert not (tmp_path / "data").exists(), "no SQLite file instead"


async def test_a_database_missing_on_the_server_is_one_line(
    server: FakeBotApi,
    tmp_path: Path,
    pg_server: PgServer,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = url_on(pg_server.port, "no_such_database")
    line, shown = await serve_exit_of(server, tmp_path, url, capsys, caplog)
    assert "DATABASE_URL" in line and "does not exist" in line, line
    assert_no_password(shown)


GUARDED_DB = "guarded_store"


async def guarded_role(pg_server: PgServer) -> None:
    """The role whose password the server checks, with its right password set."""
    admin = await asyncpg.connect(pg_server.url(TEST_DATABASE))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", GUARDED_USER)
        verb = "ALTER" if exists else "CREATE"
        await admin.execute(f"{verb} ROLE {GUARDED_USER} LOGIN PASSWORD '{GUARDED_PASSWORD}'")
        # Its own database, so the migrations run as the owner of what they create.
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", GUARDED_DB):
            await admin.execute(f"CREATE DATABASE {GUARDED_DB} OWNER {GUARDED_USER}")
    finally:
        await admin.close()


async def test_a_wrong_password_is_one_line_naming_database_url(
    server: FakeBotApi,
    tmp_path: Path,
    pg_server: PgServer,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await guarded_role(pg_server)
    url = f"postgresql://{GUARDED_USER}:{PASSWORD}@127.0.0.1:{pg_server.port}/{GUARDED_DB}"
    line, shown = await serve_exit_of(server, tmp_path, url, capsys, caplog)
    assert "DATABASE_URL" in line and "refused the user name or password" in line, line
    assert_no_password(shown)
    assert server.calls("getMe") == [], "no polling with a store it cannot open"


async def test_the_right_password_opens_the_store(pg_server: PgServer) -> None:
    await guarded_role(pg_server)
    url = f"postgresql://{GUARDED_USER}:{GUARDED_PASSWORD}@127.0.0.1:{pg_server.port}/{GUARDED_DB}"
    db = await Database.open(url)
    try:
        assert db.dialect is Dialect.POSTGRES
        assert await db.fetchval("SELECT current_user") == GUARDED_USER
    finally:
        await db.close()


async def test_a_bot_on_postgresql_answers_and_logs_no_password(
    tmp_path: Path, pg_server: PgServer
) -> None:
    await reset(pg_server.url(TEST_DATABASE))
    url = url_on(pg_server.port)
    async with running_bot(tmp_path, DATABASE_URL=url, LOG_LEVEL="DEBUG") as bot:
        answer = await bot.ask_text(READER_EN, "/start")
        assert answer
        assert not (tmp_path / "data" / "bot.sqlite3").exists(), "the store is PostgreSQL"
    assert_no_password(bot.log())


def test_a_log_line_or_traceback_naming_the_url_shows_no_password() -> None:
    settings = load_settings(database_url=url_on(5432), bot_token=None)
    stream = io.StringIO()
    saved = (sys.stderr, sys.excepthook, logging.getLogger().handlers[:])
    sys.stderr = stream
    try:
        setup_logging("INFO", secrets=settings.secrets)  # as `python -m bot run` does
        sys.stderr = saved[0]
        log = logging.getLogger("bot.test")
        log.warning("connecting to %s", url_on(5432))
        try:
            raise ConnectionError(f"lost {DECODED} at {url_on(5432)}")
        except ConnectionError:
            log.exception("store failed")
    finally:
        sys.stderr, sys.excepthook = saved[0], saved[1]
        logging.captureWarnings(False)
        logging.getLogger().handlers[:] = saved[2]
    assert "connecting to" in stream.getvalue() and "ConnectionError" in stream.getvalue()
    assert_no_password(stream.getvalue())
    assert_no_password(repr(settings))
    assert settings.store == url_on(5432)


async def test_an_upper_case_scheme_opens_postgresql_not_a_file(
    tmp_path: Path, pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The setting accepts the scheme in any case (RFC 3986); the store must follow it.
    monkeypatch.chdir(tmp_path)
    url = url_on(pg_server.port).replace("postgresql://", "POSTGRESQL://", 1)
    db = await Database.open(url)
    try:
        assert db.dialect is Dialect.POSTGRES
    finally:
        await db.close()
    assert files_in(tmp_path) == [], "no SQLite file named after the URL"


def files_in(folder: Path) -> list[Path]:
    return list(folder.iterdir())
