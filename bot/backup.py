"""Backups of the SQLite store: consistent copies while the bot runs, and a careful restore.

A copy is taken with SQLite's online backup API: a snapshot of one moment, however busy
the writer is. A restore refuses to run beside a bot on the same database (the bot holds
a lock file while it runs), checks the copy's integrity and migration level, keeps the
file it replaces, and has the copy number new rows above every number the replaced file
had issued.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.db.copies import copy_database, read_contents
from bot.db.migrations import migration_files
from bot.db.numbers import Numbered, highest_issued, raise_floors

log = logging.getLogger(__name__)

BACKUP_PREFIX = "bot-"
BACKUP_SUFFIX = ".sqlite3"


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one line naming the file."""


class DatabaseInUse(BackupError):
    """A running bot holds the database."""


def lock_path(database: Path) -> Path:
    """The lock file a running bot holds beside its database."""
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def hold_database(database: Path) -> Iterator[IO[str]]:
    """Hold the database's lock file for as long as the block runs; DatabaseInUse if held."""
    database.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path(database).open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatabaseInUse(
                f"{database} is in use by a running bot (it holds {lock_path(database).name})"
            ) from None
        yield handle
    finally:
        handle.close()


def backup_file_name(now: float | None = None) -> str:
    """bot-YYYYmmddTHHMMSSZ.sqlite3 in UTC: names sort in time order."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    return f"{BACKUP_PREFIX}{stamp}{BACKUP_SUFFIX}"


def backup_database(database: Path, target: Path) -> Path:
    """Write a consistent copy of `database` to `target` (a file, or a folder to put it in)."""
    if not database.is_file():
        raise BackupError(f"{database} does not exist: nothing to back up")
    if target.is_dir():
        target = target / backup_file_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if not copy_database(database, partial):
            raise BackupError(f"the copy of {database} failed its integrity check")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{database} could not be copied to {target}: {exc}") from None
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{target} could not be written: {exc.strerror or exc}") from None
    return target


@dataclass(frozen=True)
class BackupCheck:
    """What a backup file holds, as far as a restore cares."""

    migrations: int
    missing: tuple[str, ...]  # shipped migrations not in the copy: applied at next start


def check_backup(path: Path) -> BackupCheck:
    """Integrity and migration level of a backup; BackupError when it cannot be restored."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        contents = read_contents(path)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a usable SQLite database ({exc})") from None
    if contents.integrity != "ok":
        raise BackupError(f"{path} is damaged ({contents.integrity})")
    if "schema_migrations" not in contents.tables:
        raise BackupError(f"{path} is not a backup of this bot (no schema_migrations)")
    applied = contents.migrations
    known = [name for name, _ in migration_files()]
    unknown = sorted(applied - set(known))
    if unknown:
        raise BackupError(
            f"{path} was written by a newer version of the bot (migration {unknown[-1]})"
        )
    return BackupCheck(migrations=len(applied), missing=tuple(n for n in known if n not in applied))


@dataclass(frozen=True)
class Restored:
    """What a restore did, for the operator's summary."""

    kept: Path | None  # where the replaced database was put, None when there was none
    next_numbers: dict[Numbered, int]  # each kind's next number in the restored database
    # Why the replaced database's numbers could not be read (they may then repeat).
    unread: str | None = None


def restore_database(backup: Path, database: Path, *, now: float | None = None) -> Restored:
    """Put `backup` in place of `database`, numbering new rows above what it had issued."""
    check_backup(backup)
    with hold_database(database):
        kept: Path | None = None
        issued: dict[Numbered, int] = {}
        unread: str | None = None
        if database.exists():
            # Pushes, buttons and editors still hold the numbers issued after the backup;
            # read them while the file (and its WAL) is where SQLite expects it.
            try:
                issued = highest_issued(database)
            except sqlite3.DatabaseError as exc:
                # The database being damaged may be why it is restored: go on without.
                unread = str(exc)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            kept = database.with_name(f"{database.name}.replaced-{stamp}")
            # The WAL holds committed writes not yet in the main file: keep it beside it.
            for suffix in ("", "-wal", "-shm"):
                part = database.with_name(database.name + suffix)
                if part.exists():
                    part.replace(kept.with_name(kept.name + suffix))
        partial = database.with_name(database.name + ".restoring")
        try:
            if not copy_database(backup, partial, read_only=True):
                raise BackupError(f"the copy of {backup} failed its integrity check")
            next_numbers = raise_floors(partial, issued)
            with partial.open("rb") as handle:
                os.fsync(handle.fileno())
            partial.replace(database)
        except BackupError:
            partial.unlink(missing_ok=True)
            raise
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(f"{backup} could not be restored to {database}: {exc}") from None
    return Restored(kept=kept, next_numbers=next_numbers, unread=unread)


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest backups in `folder` beyond `keep`; returns the deleted ones."""
    backups = sorted(
        p
        for p in folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}")
        if p.is_file() and not p.name.endswith(".partial")
    )
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
