"""Backups while the bot runs, restores that refuse what would hurt, rotating backups.

The bots run serve() in the test's loop (tests/served.py); `python -m bot backup` and
`restore` run as processes of their own, as the operator runs them."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi.botapi import FakeBotApi
from bot.app import serve
from bot.backup import (
    BackupError,
    DatabaseInUse,
    backup_database,
    check_backup,
    hold_database,
    restore_database,
    rotate,
)
from bot.db import sources, stories
from bot.db.connection import Database
from bot.db.models import now_iso
from bot.db.numbers import Numbered
from tests.e2e import EDITOR_ID, READER_EN, bot_env
from tests.inproc import settings_for
from tests.served import fake_api, serving, start_serving
from tests.terminal import terminal_log

pytestmark = pytest.mark.timeout(120)
# A bot that sends as fast as a paid broadcast may: for the steps that are not the test.
FAST: dict[str, Any] = {"push_rate": 200.0, "paid_broadcast": True, "flood_limit": 1000}


async def add_story(db: Database, slug: str) -> None:
    now = now_iso()
    await db.execute(
        "INSERT INTO stories (slug, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (slug, slug, now, now),
    )


def slugs(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT slug FROM stories ORDER BY id")]


def has_wal(path: Path) -> bool:
    return Path(f"{path}-wal").exists()


async def test_backup_while_writing_is_one_consistent_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    try:
        for n in range(20):
            await add_story(db, f"before-{n}")
        stop = asyncio.Event()

        async def keep_writing() -> int:
            n = 0
            while not stop.is_set():
                await add_story(db, f"during-{n}")
                n += 1
                await asyncio.sleep(0)
            return n

        writer = asyncio.create_task(keep_writing())
        (tmp_path / "backups").mkdir()
        copy = await asyncio.to_thread(backup_database, path, tmp_path / "backups")
        stop.set()
        written_during = await writer
    finally:
        await db.close()
    assert copy.parent == tmp_path / "backups" and copy.name.startswith("bot-")
    rows = slugs(copy)
    assert rows[:20] == [f"before-{n}" for n in range(20)]
    # A prefix of the writes made during the copy, never a gap: one moment's state.
    during = rows[20:]
    assert during == [f"during-{n}" for n in range(len(during))]
    assert len(during) <= written_during
    check = check_backup(copy)
    assert check.missing == ()
    assert not has_wal(copy)


async def test_restore_keeps_the_replaced_file_and_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await add_story(db, "old")
    await db.close()
    backup = backup_database(path, tmp_path / "copy.sqlite3")
    db = await Database.open(path)
    await add_story(db, "newer")
    await db.close()
    kept = restore_database(backup, path).kept
    assert kept is not None and kept.name.startswith("bot.sqlite3.replaced-")
    assert slugs(path) == ["old"]
    assert slugs(kept) == ["old", "newer"]


def test_restore_refuses_while_a_bot_holds_the_database(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_make_db(path))
    backup = backup_database(path, tmp_path / "copy.sqlite3")
    before = path.read_bytes()
    with hold_database(path), pytest.raises(DatabaseInUse, match="running bot"):
        restore_database(backup, path)
    assert path.read_bytes() == before


async def _make_db(path: Path) -> None:
    db = await Database.open(path)
    await add_story(db, "kept")
    await db.close()


def test_restore_refuses_a_damaged_or_foreign_or_newer_backup(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    newer = tmp_path / "newer.sqlite3"
    asyncio.run(_make_db(newer))
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('999_future', 'x')")
    for path, reason in (
        (damaged, "not a usable|damaged"),
        (foreign, "not a backup"),
        (newer, "newer version"),
        (tmp_path / "missing.sqlite3", "does not exist"),
    ):
        with pytest.raises(BackupError, match=reason):
            restore_database(path, tmp_path / "bot.sqlite3")
    assert not (tmp_path / "bot.sqlite3").exists()


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    names = [f"bot-2026120{n}T000000Z.sqlite3" for n in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    removed = rotate(tmp_path, keep=2)
    assert sorted(p.name for p in removed) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == [*names[3:], "notes.txt"]


async def test_second_bot_on_the_same_database_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both bots run serve() in this loop: the file lock (flock) is per open file, so a
    # second opener in the same process is refused as one in another process is.
    async with serving(tmp_path) as bot:
        capsys.readouterr()
        settings = settings_for(bot.server, tmp_path)
        code = await asyncio.wait_for(serve(settings, stop_when=asyncio.Event()), 30)
        printed = capsys.readouterr()
        lines = [line for line in (printed.out + printed.err).splitlines() if line.strip()]
        assert code == 2
        assert len(lines) == 1 and "DATABASE_PATH" in lines[0] and "running bot" in lines[0]
        assert "Subscribed" in await bot.ask_text(READER_EN, "/subscribe"), "the first runs on"


def outbox_left(workdir: Path) -> int:
    """Deliveries the bot's database still has to make (pending or claimed)."""
    with contextlib.closing(sqlite3.connect(workdir / "data" / "bot.sqlite3")) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'claimed')"
        ).fetchone()
    return int(row[0])


def cli(workdir: Path, server: FakeBotApi, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a process of its own, on the bot's settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=workdir,
        env=bot_env(server, workdir),
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_backup_mid_fan_out_then_restore_loses_nothing(tmp_path: Path) -> None:
    # The bot runs serve() in this loop (twice: before the restore and after it); backup
    # and restore run as the operator's commands, processes of their own.
    readers = list(range(5000, 5060))
    backup = tmp_path / "mid-fan-out.sqlite3"
    async with fake_api() as server:
        for reader in readers:
            server.add_user(reader, f"Reader {reader}", language_code="en")
        # The readers subscribe to a bot at full speed (the slow one below answers a
        # /subscribe at its push rate too: 60 of them took 7 s), then it restarts slow.
        subscribing = await start_serving(server, tmp_path, **FAST)
        try:
            for reader in readers:
                assert "Subscribed" in await subscribing.ask_text(reader, "/subscribe")
        finally:
            assert await subscribing.stopped() == 0
        bot = await start_serving(server, tmp_path, push_rate=8.0)
        try:
            await bot.ask(EDITOR_ID, "/post Backup item\nPushed to every reader.")

            def got(reader: int) -> int:
                return sum("Backup item" in (m.text or "") for m in server.sent_messages(reader))

            for _ in range(600):
                if sum(got(r) > 0 for r in readers) >= 5:
                    break
                await asyncio.sleep(0.02)
            done = await asyncio.to_thread(cli, tmp_path, server, "backup", str(backup))
            assert done.returncode == 0, done.stderr
            sent_at_backup = sum(got(r) for r in readers)
            assert 0 < sent_at_backup < len(readers), "the backup was not taken mid fan-out"
            refused = await asyncio.to_thread(cli, tmp_path, server, "restore", str(backup))
            assert refused.returncode == 1 and "running bot" in refused.stderr
        finally:
            assert await bot.stopped() == 0
        sent_at_stop = sum(got(r) for r in readers)
        with sqlite3.connect(backup) as conn:
            in_flight = conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE status = 'claimed'"
            ).fetchone()[0]

        restored = await asyncio.to_thread(cli, tmp_path, server, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert "kept as" in restored.stdout
        again = await start_serving(server, tmp_path, **FAST)
        try:
            # Until the restored outbox is empty, so every resend (duplicate) has arrived.
            for _ in range(1500):
                if outbox_left(tmp_path) == 0:
                    break
                await asyncio.sleep(0.02)
        finally:
            assert await again.stopped() == 0
    counts = {r: got(r) for r in readers}
    assert all(n >= 1 for n in counts.values()), f"lost: {counts}"
    duplicates = sum(n - 1 for n in counts.values())
    # Sent after the snapshot (the copy still has them as to do) or in flight at it.
    assert duplicates <= (sent_at_stop - sent_at_backup) + in_flight, counts


async def test_backup_dir_gets_rotating_backups(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    with terminal_log() as terminal:
        async with serving(tmp_path, backup_dir=folder, backup_every=1.0, backup_keep=2):
            for _ in range(400):
                if terminal.getvalue().count("backup written") >= 3:
                    break
                await asyncio.sleep(0.05)
    log = terminal.getvalue()
    assert log.count("backup written") >= 3, log
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2, kept
    for name in kept:
        assert check_backup(folder / name).missing == ()


def update_number(reply: str) -> int:
    """The number in an editor's "Beitrag #N veröffentlicht" / "Update #N published"."""
    found = re.search(r"#(\d+)", reply)
    assert found, reply
    return int(found[1])


async def test_restore_never_gives_out_again_a_number_issued_after_the_backup(
    tmp_path: Path,
) -> None:
    # Readers got updates #N pushed after the backup, and an editor's /retract N or an old
    # button still names them: after the restore the next /post must not take one.
    backup = tmp_path / "before.sqlite3"
    async with fake_api() as server:
        bot = await start_serving(server, tmp_path)
        try:
            await bot.ask_text(EDITOR_ID, "/post Before the backup\nIn the copy.")
            done = await asyncio.to_thread(cli, tmp_path, server, "backup", str(backup))
            assert done.returncode == 0, done.stderr
            after = [
                update_number(await bot.ask_text(EDITOR_ID, f"/post After {n}\nNot in the copy."))
                for n in range(3)
            ]
        finally:
            assert await bot.stopped() == 0
        restored = await asyncio.to_thread(cli, tmp_path, server, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        assert f"Numbers continue from update #{max(after) + 1}," in restored.stdout
        again = await start_serving(server, tmp_path)
        try:
            posted = update_number(await again.ask_text(EDITOR_ID, "/post Restored\nNew."))
        finally:
            assert await again.stopped() == 0
    assert posted == max(after) + 1, (after, posted)


async def _numbered_rows(db: Database, tag: str) -> dict[Numbered, int]:
    """One new row of every numbered kind, made by the store as editors make them."""
    async with db.atomic():
        story = await stories.create_story(db, f"Story {tag}", "en")
        item = await stories.insert_item(db, story, origin="posted", headline=tag, body="")
        quote = await stories.insert_editor_quote(
            db, story, f"Quote {tag}", "Ada", None, fragment=False
        )
        source = await sources.add_source(
            db,
            url=f"https://example.org/{tag}",
            story_id=story,
            title=tag,
            source_format="rss",
            created_by=EDITOR_ID,
            started_story=False,
            next_fetch_at=0.0,
        )
    return {
        Numbered.STORIES: story,
        Numbered.ITEMS: item,
        Numbered.QUOTES: quote,
        Numbered.SOURCES: source,
    }


@pytest.mark.parametrize("copy_level", ["current", "before-issued-numbers"])
async def test_restore_numbers_stories_quotes_and_sources_above_the_replaced_ones(
    tmp_path: Path, copy_level: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await _numbered_rows(db, "in-copy")
    await db.close()
    backup = backup_database(path, tmp_path / "copy.sqlite3")
    if copy_level == "before-issued-numbers":
        # Every backup taken before this version: the restore must carry the floor anyway.
        with contextlib.closing(sqlite3.connect(backup)) as conn, conn:
            conn.execute("DROP TABLE issued_numbers")
            conn.execute("DELETE FROM schema_migrations WHERE name = '140_issued_numbers'")
    db = await Database.open(path)
    for n in range(3):
        issued = await _numbered_rows(db, f"after-{n}")
    await db.close()
    restored = restore_database(backup, path)
    assert restored.unread is None
    assert restored.next_numbers == {kind: number + 1 for kind, number in issued.items()}
    db = await Database.open(path)
    try:
        new = await _numbered_rows(db, "restored")
        later = await _numbered_rows(db, "later")
    finally:
        await db.close()
    assert new == restored.next_numbers
    assert later == {kind: number + 1 for kind, number in new.items()}


def test_restore_over_an_unreadable_database_still_restores_and_says_numbers_may_repeat(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    asyncio.run(_make_db(path))
    backup = backup_database(path, tmp_path / "copy.sqlite3")
    path.write_bytes(b"not a database at all" * 100)
    restored = restore_database(backup, path)
    assert restored.unread is not None
    assert slugs(path) == ["kept"]
    assert restored.next_numbers[Numbered.STORIES] == 2
