"""The store fixtures for both dialects (imported by conftest.py, not a pytest conftest).

A test module that sets `BOTH_STORES = True` runs each test that uses a store twice: on
SQLite and on a throwaway PostgreSQL server this session starts on loopback (see
tests/pgserver.py). Without a server binary (or when it cannot start) the PostgreSQL
runs are skipped, and the session's summary says so in one line.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from tests.pgserver import PgServer, find_bin_dir, sweep_stale_folders

SQLITE = "sqlite"
POSTGRES = "postgres"
SKIPPED = "PostgreSQL store tests skipped"
NO_SERVER = (
    f"{SKIPPED}: no initdb/postgres on PATH or in /usr/lib/postgresql/*/bin"
    " (Debian: apt-get install postgresql)"
)
# The server is the session's own: its default database serves the tests.
TEST_DATABASE = "postgres"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a BOTH_STORES module's store tests on SQLite and on PostgreSQL."""
    if "store" in metafunc.fixturenames and getattr(metafunc.module, "BOTH_STORES", False):
        metafunc.parametrize("store", [SQLITE, POSTGRES], indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session, stopped and removed at its end."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip(NO_SERVER)
    sweep_stale_folders()
    server = PgServer(bin_dir)
    try:
        server.start()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        pytest.skip(f"{SKIPPED}: the server did not start ({first_line[:200]})")
    try:
        yield server
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line when the PostgreSQL runs were skipped, instead of one per test."""
    reasons = {
        str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        for report in terminalreporter.stats.get("skipped", [])
    }
    for reason in sorted(r for r in reasons if SKIPPED in r):
        terminalreporter.write_line(reason[reason.index(SKIPPED) :])


_RESETS: dict[str, str] = {}


async def reset(url: str) -> None:
    """Empty every table of the bot's schema (ids start at 1 again); the schema stays.

    DELETE with the foreign-key triggers off (session_replication_role) and the identity
    sequences set back: ~10 ms on the few rows a test writes, where TRUNCATE of every
    table took ~400 ms, before each of the ~100 PostgreSQL tests."""
    import asyncpg  # only when PostgreSQL runs: the SQLite tests need no driver

    conn = await asyncpg.connect(url)
    try:
        script = _RESETS.get(url)
        if script is None:
            tables = [
                r[0]
                for r in await conn.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                    " AND tablename <> 'schema_migrations' ORDER BY tablename"
                )
            ]
            sequences = [
                r[0]
                for r in await conn.fetch(
                    "SELECT pg_get_serial_sequence(quote_ident(table_name), column_name)"
                    " FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
                )
                if r[0]
            ]
            script = "".join(
                ["SET session_replication_role = replica;"]
                + [f'DELETE FROM "{table}";' for table in tables]
                + [f"SELECT setval('{seq}', 1, false);" for seq in sequences]
                + ["RESET session_replication_role;"]
            )
            if tables:  # before the first migration there is nothing to empty yet
                _RESETS[url] = script
        await conn.execute(script)
    finally:
        await conn.close()


@pytest.fixture
async def store(request: pytest.FixtureRequest) -> str:
    """Where a test's store lives: "sqlite" (a file in tmp_path) or an emptied PostgreSQL
    database's URL."""
    kind = getattr(request, "param", SQLITE)
    if kind == SQLITE:
        return SQLITE
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.url(TEST_DATABASE)
    await reset(url)
    return url
