"""Command line: `python -m bot [run|import|console]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import MISSING_TOKEN_MESSAGE, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.story.model import StoryError

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The briefing bot.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (long polling); the default")
    imp = sub.add_parser("import", help="import a story page into the database")
    imp.add_argument("path", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="show the result, store nothing")
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    back = sub.add_parser(
        "backup", help="write a consistent copy of the database (safe while running)"
    )
    back.add_argument("path", type=Path, help="the copy's file name, or a folder to put it in")
    res = sub.add_parser("restore", help="put a backup in place of the database (bot stopped)")
    res.add_argument("path", type=Path, help="the backup file")
    con = sub.add_parser("console", help="chat with the bot offline in this terminal")
    con.add_argument("--user-id", type=int, default=1000, help="the reader's user id")
    con.add_argument("--admin", action="store_true", help="act as an editor")
    con.add_argument("--language", default="de", help="the reader's Telegram language")
    return parser


def _settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _readable_preview(parsed_json: dict[str, object]) -> str:
    lines = [f"Title:    {parsed_json['title']}", f"Language: {parsed_json['language']}"]
    lines.append(f"Lead:     {parsed_json['lead']}")
    for key in ("body", "summary"):
        items = parsed_json[key]
        assert isinstance(items, list)
        lines.append(f"\n{key.capitalize()} ({len(items)}):")
        lines += [f"  - {text}" for text in items]
    quotes = parsed_json["quotes"]
    assert isinstance(quotes, list)
    lines.append(f"\nQuotes ({len(quotes)}):")
    for q in quotes:
        who = q["speaker"] or "(no speaker)"
        kind = " [fragment]" if q["fragment"] else ""
        lines.append(f"  «{q['text']}» — {who}{kind}")
    people = parsed_json["people"]
    assert isinstance(people, list)
    lines.append(f"\nPeople ({len(people)}):")
    lines += [f"  {p['name']}: {p['role'] or '-'}" for p in people]
    ticker = parsed_json["ticker"]
    assert isinstance(ticker, list)
    lines.append(f"\nTicker items ({len(ticker)}):")
    for t in ticker:
        lines.append(f"  [{t['time'] or '--:--'}] {t['display_headline']}")
        lines += [f"      {p}" for p in t["body"]]
    return "\n".join(lines)


def _import(args: argparse.Namespace) -> int:
    from bot.story import decode_page, parse_story
    from bot.story.model import StoryError

    path: Path = args.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"Cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    settings = _settings_or_exit()
    try:
        if not args.dry_run:
            return asyncio.run(_store(settings, path, data))
        parsed = parse_story(decode_page(data, max_bytes=settings.max_import_bytes))
    except StoryError as exc:
        print(f"Cannot import {path}: {_reason(exc, settings)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (sqlite3.Error, OSError) as exc:
        # The page was fine; the store was not (unwritable folder, not a database, locked).
        where = "DATABASE_URL" if settings.database_url else settings.database_path
        reason = str(exc)
        for secret in settings.secrets:
            reason = reason.replace(secret, "***")
        print(f"Cannot store {path} in {where}: {reason}", file=sys.stderr)
        return EXIT_BAD_INPUT
    result = parsed.to_json_dict()
    text = json.dumps(result, ensure_ascii=False, indent=2) if args.json else None
    try:
        print(text or _readable_preview(result), flush=True)
    except BrokenPipeError:
        # The reader went away (`... --dry-run | head`): not worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def _reason(exc: StoryError, settings: Settings) -> str:
    """Why a page cannot be imported, in words an operator understands."""
    if exc.code == "too_large":
        limit = settings.max_import_bytes
        return f"the page is too large ({exc.detail}); MAX_IMPORT_BYTES is {limit}"
    if exc.code == "empty":
        more = f" ({exc.detail})" if exc.detail != exc.code else ""
        return f"the page has no text to import{more}"
    if exc.code == "binary":
        return f"this is not a text page ({exc.detail})"
    return exc.detail


async def _store(settings: Settings, path: Path, data: bytes) -> int:
    from bot.db.connection import Database
    from bot.services.stories import StoryService

    db = await Database.open(settings.store)
    try:
        service = StoryService(db, max_import_bytes=settings.max_import_bytes)
        outcome = await service.import_page(data, source_name=f"seeds/{path.name}")
    finally:
        await db.close()
    if outcome.unchanged:
        print(f"Story {outcome.story_id}: unchanged")
    else:
        verb = "created" if outcome.created else "updated"
        print(f"Story {outcome.story_id} {verb}; new ticker items: {len(outcome.new_item_ids)}")
    return EXIT_OK


def _backup_or_restore(command: str, path: Path, settings: Settings) -> int:
    from bot.backup import BackupError, backup_database, check_backup, restore_database
    from bot.db.numbers import Numbered

    database = settings.database_path
    try:
        if command == "backup":
            written = backup_database(database, path)
            print(f"Backup of {database} written to {written}")
            return EXIT_OK
        check = check_backup(path)
        restored = restore_database(path, database)
    except BackupError as exc:
        print(f"Cannot {command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    later = (
        f"; {len(check.missing)} newer migrations apply at the next start" if check.missing else ""
    )
    old = f"; the replaced database is kept as {restored.kept}" if restored.kept else ""
    print(f"Restored {path} to {database}{old}{later}")
    following = restored.next_numbers
    promise = ": none issued before the restore is given again" if restored.unread is None else ""
    print(
        f"Numbers continue from update #{following[Numbered.ITEMS]}, story no."
        f" {following[Numbered.STORIES]}, quote #{following[Numbered.QUOTES]} and source"
        f" {following[Numbered.SOURCES]}{promise}"
    )
    if restored.unread is not None:
        print(
            f"Warning: the replaced database could not be read ({restored.unread}); numbers"
            " issued after the backup may be given again",
            file=sys.stderr,
        )
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    if command == "import":
        return _import(args)
    settings = _settings_or_exit()
    if command in ("backup", "restore"):
        if settings.database_url is not None:
            print(
                f"Cannot {command}: DATABASE_URL puts the store on PostgreSQL; back it up with"
                " pg_dump and restore with pg_restore (docs/operations.md)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return _backup_or_restore(command, args.path, settings)
    if command == "console":
        from bot.console import run_console

        return run_console(settings, user_id=args.user_id, admin=args.admin, language=args.language)
    if settings.bot_token is None:
        print(MISSING_TOKEN_MESSAGE, file=sys.stderr)
        return EXIT_USAGE
    from bot.app import run_bot

    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
