"""`python -m bot import PATH [--dry-run] [--json]` as an operator runs it.

The CLI's main runs in process with the operator's environment, folder and streams; a
few tests run it as a process of its own (exit codes, a closed pipe, a first import)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.db import stories
from bot.db.connection import Database
from bot.services.editor import EditorService
from tests.seed_page import SEED, changed_seed

ROOT = Path(__file__).resolve().parents[1]
SETTING_NAMES = (
    "BOT_TOKEN",
    "ADMIN_IDS",
    "DATABASE_PATH",
    "SEEDS_DIR",
    "MAX_IMPORT_BYTES",
    "LOG_LEVEL",
    "SEEDS_POLL_SECONDS",
)


def _environment(tmp_path: Path, env: dict[str, str] | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    environment.update(
        PYTHONPATH=str(ROOT),
        DATABASE_PATH=str(tmp_path / "data" / "bot.sqlite3"),
        PYTHONIOENCODING="utf-8",
    )
    environment.update(env or {})
    return environment


def run_bot(
    tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot import ARGS` in this process: the CLI's own main, with the operator's
    environment and working folder, its output and exit code as the shell would see them.
    (Interpreters cost a second each; what needs one is run by run_bot_process.)"""
    argv = ["import", *map(str, args)]
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in os.environ:
            if name.upper() in SETTING_NAMES:
                patch.delenv(name)
        for name, value in _environment(tmp_path, env).items():
            patch.setenv(name, value)
        patch.chdir(tmp_path)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    done = subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def run_bot_process(
    tmp_path: Path, *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot import ARGS` as a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", "import", *map(str, args)],
        cwd=tmp_path,
        env=_environment(tmp_path, env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def query(tmp_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    path = tmp_path / "data" / "bot.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql, params).fetchall())


def story_counts(tmp_path: Path) -> tuple[int, int, int, int, int]:
    """Rows of every table a story consists of."""
    if not (tmp_path / "data" / "bot.sqlite3").exists():
        return (0, 0, 0, 0, 0)
    counts = [
        query(tmp_path, f"SELECT COUNT(*) FROM {table}")[0][0]
        for table in ("stories", "paragraphs", "quotes", "people", "ticker_items")
    ]
    return (counts[0], counts[1], counts[2], counts[3], counts[4])


# ---------------------------------------------------------------- dry run


def test_dry_run_json_is_one_object_in_the_agreed_shape(tmp_path: Path) -> None:
    done = run_bot(tmp_path, SEED, "--dry-run", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # one object, nothing else on stdout
    assert isinstance(data, dict)
    assert data["language"] == "de"
    assert data["lead"].startswith("Nach Ansicht der Ukraine")
    assert data["title"] and data["lead"].startswith(data["title"].rstrip("…"))
    assert isinstance(data["body"], list) and len(data["body"]) == 5
    assert data["body"][2].startswith("Letzterer")
    assert 3 <= len(data["summary"]) <= 5
    assert len(data["quotes"]) == 9
    for quote in data["quotes"]:
        assert set(quote) >= {"text", "speaker", "role", "fragment"}
        assert isinstance(quote["fragment"], bool)
    assert data["quotes"][1]["speaker"] == "Gabrielius Landsbergis"
    assert data["quotes"][3]["speaker"] == "Tucker Carlson"
    assert [p["name"] for p in data["people"]] == [
        "Donald Trump",
        "Gabrielius Landsbergis",
        "Andriï Sybiga",
        "Tucker Carlson",
        "Sergej Lawrow",
        "Wladimir Putin",
        "Mark Rutte",
        "Margus Tsahkna",
    ]
    assert all(set(p) >= {"name", "role"} for p in data["people"])
    [item] = data["ticker"]
    assert item["headline"] == "TUCKER CARLSON NOCH IN RUSSLAND"
    assert item["time"] is None
    assert len(item["body"]) == 4
    # A dry run stores nothing.
    assert story_counts(tmp_path) == (0, 0, 0, 0, 0)


def test_dry_run_json_gives_the_time_of_a_stamped_item(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(changed_seed(), encoding="utf-8")
    data = json.loads(run_bot(tmp_path, page, "--dry-run", "--json").stdout)
    times = {t["headline"]: t["time"] for t in data["ticker"]}
    assert times == {
        "RUTTE TRIFFT SYBIGA IN BRÜSSEL": "18:45",
        "TUCKER CARLSON NOCH IN RUSSLAND": None,
    }


def test_dry_run_is_readable_by_default(tmp_path: Path) -> None:
    done = run_bot(tmp_path, SEED, "--dry-run")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert not out.lstrip().startswith("{")
    assert "Nach Ansicht der Ukraine" in out
    assert "Quotes (9)" in out and "People (8)" in out and "Ticker items (1)" in out
    assert "Tucker Carlson noch in Russland" in out
    assert "Gabrielius Landsbergis" in out
    assert story_counts(tmp_path) == (0, 0, 0, 0, 0)


def test_a_dry_run_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    # `python -m bot import PAGE --dry-run | head -3`: the reader is gone before we write.
    environment = {k: v for k, v in os.environ.items() if k.upper() not in SETTING_NAMES}
    environment.update(PYTHONPATH=str(ROOT), DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    with subprocess.Popen(
        [sys.executable, "-m", "bot", "import", str(SEED), "--dry-run"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read().decode("utf-8", errors="replace")
        assert process.wait(timeout=60) == 0
    assert "Traceback" not in errors and errors == ""


# ---------------------------------------------------------------- storing


def test_import_stores_the_story_and_an_unchanged_page_changes_nothing(tmp_path: Path) -> None:
    first = run_bot_process(tmp_path, SEED)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    assert story_counts(tmp_path) == (1, 5, 9, 8, 1)
    [(headline, origin)] = query(tmp_path, "SELECT headline, origin FROM ticker_items")
    assert (headline, origin) == ("Tucker Carlson noch in Russland", "imported")
    # A first import is the story's starting state, not news: nothing is pushed.
    assert query(tmp_path, "SELECT COUNT(*) FROM fanout_jobs") == [(0,)]
    before = query(tmp_path, "SELECT updated_at FROM stories")
    imported = query(tmp_path, "SELECT source_name, page_hash, imported_at FROM page_imports")
    assert [row[0] for row in imported] == ["seeds/ukraine-nato-liveblog.de.txt"]

    again = run_bot(tmp_path, SEED)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    assert story_counts(tmp_path) == (1, 5, 9, 8, 1)
    assert query(tmp_path, "SELECT updated_at FROM stories") == before
    assert query(tmp_path, "SELECT source_name, page_hash, imported_at FROM page_imports") == (
        imported
    )
    assert query(tmp_path, "SELECT COUNT(*) FROM fanout_jobs") == [(0,)]


def test_a_changed_page_adds_exactly_its_new_item_and_pushes_it(tmp_path: Path) -> None:
    page = tmp_path / "ukraine-nato-liveblog.de.txt"
    shutil.copy(SEED, page)
    assert run_bot(tmp_path, page).returncode == 0
    [(old_id,)] = query(tmp_path, "SELECT id FROM ticker_items")

    page.write_text(changed_seed(), encoding="utf-8")
    done = run_bot(tmp_path, page)
    assert done.returncode == 0, done.stderr
    assert "updated" in done.stdout and "new ticker items: 1" in done.stdout
    items = query(tmp_path, "SELECT id, time, headline FROM ticker_items ORDER BY position")
    assert items[0] == (old_id, None, "Tucker Carlson noch in Russland")
    assert [(t, h) for _, t, h in items[1:]] == [("18:45", "Rutte trifft Sybiga in Brüssel")]
    new_id = items[1][0]
    # The new item is promised to subscribers (one fan-out job), the old one is not.
    assert query(tmp_path, "SELECT kind, item_id, state FROM fanout_jobs") == [
        ("item", new_id, "open")
    ]

    # Importing the changed page once more is a no-op.
    assert "unchanged" in run_bot(tmp_path, page).stdout
    assert len(query(tmp_path, "SELECT id FROM ticker_items")) == 2
    assert query(tmp_path, "SELECT COUNT(*) FROM fanout_jobs") == [(1,)]


def test_items_posted_through_the_bot_survive_a_reimport(tmp_path: Path) -> None:
    page = tmp_path / "ukraine-nato-liveblog.de.txt"
    shutil.copy(SEED, page)
    assert run_bot(tmp_path, page).returncode == 0

    async def post() -> int:
        db = await Database.open(tmp_path / "data" / "bot.sqlite3")
        try:
            [story] = await stories.list_stories(db)
            editor = EditorService(db, notify=lambda: None)
            item = await editor.post(42, story, "Sybiga trifft Rutte\nEin Treffen in Brüssel.")
            return item.id
        finally:
            await db.close()

    posted_id = asyncio.run(post())
    page.write_text(changed_seed(), encoding="utf-8")
    assert run_bot(tmp_path, page).returncode == 0

    rows = query(
        tmp_path, "SELECT id, origin, headline, body, retracted_at FROM ticker_items ORDER BY id"
    )
    assert (posted_id, "posted", "Sybiga trifft Rutte", "Ein Treffen in Brüssel.", None) in rows
    assert [r[1] for r in rows] == ["imported", "posted", "imported"]
    assert story_counts(tmp_path)[4] == 3


def test_the_database_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "bot.sqlite3"
    done = run_bot(tmp_path, SEED, env={"DATABASE_PATH": str(target)})
    assert done.returncode == 0, done.stderr
    assert target.exists()


# ---------------------------------------------------------------- bad input


@pytest.fixture(scope="module")
def imported_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database that already holds the seed story, to copy into each test."""
    folder = tmp_path_factory.mktemp("imported")
    assert run_bot(folder, SEED).returncode == 0
    return folder / "data"


def five_megabytes_of_text() -> bytes:
    paragraphs = SEED.read_text(encoding="utf-8").split("\n")[2:4]
    chunk = ("\n".join(paragraphs) + "\n").encode("utf-8")
    return chunk * (5_000_000 // len(chunk) + 1)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06" + bytes(64)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "no text"),
        ("blank.txt", b"  \n\n\t\n", "no text"),
        ("image.txt", PNG, "not a text page"),
        ("huge.txt", None, "too large"),
        ("missing.txt", "missing", "No such file"),
        ("folder", "folder", "directory"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_unusable_input_is_refused_in_one_line_and_stores_nothing(
    tmp_path: Path,
    imported_db: Path,
    name: str,
    content: bytes | str | None,
    reason: str,
    dry_run: bool,
) -> None:
    shutil.copytree(imported_db, tmp_path / "data")
    before = story_counts(tmp_path)
    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif content is None:
        path.write_bytes(five_megabytes_of_text())
    elif isinstance(content, bytes):
        path.write_bytes(content)

    done = run_bot(tmp_path, path, *(["--dry-run"] if dry_run else []))
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert name in lines[0] and reason in lines[0]
    assert story_counts(tmp_path) == before


def test_the_size_message_names_the_limit(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes(SEED.read_bytes())
    done = run_bot(tmp_path, page, env={"MAX_IMPORT_BYTES": "1000"})
    assert done.returncode == 1
    assert "MAX_IMPORT_BYTES is 1000" in done.stderr
    assert story_counts(tmp_path) == (0, 0, 0, 0, 0)


def test_a_store_that_is_not_a_database_gives_one_line_not_a_hang(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("not SQLite\n" * 200, encoding="utf-8")
    done = run_bot(tmp_path, SEED, env={"DATABASE_PATH": str(not_a_db)})
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "Cannot store" in done.stderr and "not a database" in done.stderr


def test_a_malformed_setting_stops_with_exit_code_2(tmp_path: Path) -> None:
    done = run_bot_process(tmp_path, SEED, env={"MAX_IMPORT_BYTES": "lots"})
    assert done.returncode == 2
    assert "MAX_IMPORT_BYTES" in done.stderr and done.stderr.count("\n") == 1


# ---------------------------------------------------------------- usable odd input


LATIN1_PAGE = (
    "Die Straße nach München bleibt gesperrt, sagte Bürgermeister Jürgen Müller am Montag.\n"
    "Jürgen Müller, der Bürgermeister von München, sagte: „Wir öffnen sie frühestens "
    "übermorgen.“ Die Anwohner ärgern sich über die Umleitung.\n"
    "Der Verkehr wird über die Isarbrücke geführt, heißt es von der Stadt.\n"
)


def test_a_latin1_page_is_decoded_and_imported(tmp_path: Path) -> None:
    page = tmp_path / "muenchen.txt"
    page.write_bytes(LATIN1_PAGE.replace("„", '"').replace("“", '"').encode("latin-1"))
    done = run_bot(tmp_path, page)
    assert done.returncode == 0, done.stderr
    [(lead,)] = query(tmp_path, "SELECT lead FROM stories")
    assert lead.startswith("Die Straße nach München bleibt gesperrt")
    text = " ".join(row[0] for row in query(tmp_path, "SELECT text FROM paragraphs"))
    assert "frühestens übermorgen" in text and "heißt" in text
    assert "\ufffd" not in lead + text


def test_a_windows_1252_page_keeps_its_typographic_quotes(tmp_path: Path) -> None:
    page = tmp_path / "muenchen.txt"
    page.write_bytes(LATIN1_PAGE.encode("cp1252"))
    data = json.loads(run_bot(tmp_path, page, "--dry-run", "--json").stdout)
    assert any("frühestens übermorgen" in q["text"] for q in data["quotes"])


def test_a_page_without_a_ticker_is_imported(tmp_path: Path) -> None:
    page = tmp_path / "article.txt"
    page.write_text(
        "Der Bundestag hat am Donnerstag den Haushalt für das kommende Jahr beschlossen.\n"
        "Finanzministerin Petra Lang sprach von einem „soliden Fundament“ für die Zukunft.\n"
        "Die Opposition kritisierte die Pläne als unzureichend.\n",
        encoding="utf-8",
    )
    done = run_bot(tmp_path, page)
    assert done.returncode == 0, done.stderr
    stories_, paragraphs, _, _, items = story_counts(tmp_path)
    assert (stories_, items) == (1, 0) and paragraphs >= 1


def test_a_page_with_unbalanced_quotes_is_imported_whole(tmp_path: Path) -> None:
    page = tmp_path / "quotes.txt"
    page.write_text(
        "Die Verhandlungen in Genf sind am Abend ohne Ergebnis zu Ende gegangen.\n"
        "Der Vermittler Tomas Berg sagte, man sei „weit von einer Einigung entfernt.\n"
        "Die Delegationen wollen am Freitag wieder zusammenkommen.\n"
        "„Wir geben nicht auf“, sagte Berg, „aber es wird dauern.\n",
        encoding="utf-8",
    )
    done = run_bot(tmp_path, page)
    assert done.returncode == 0, done.stderr
    text = " ".join(row[0] for row in query(tmp_path, "SELECT text FROM paragraphs"))
    lead = query(tmp_path, "SELECT lead FROM stories")[0][0]
    # Nothing after a stray quote mark is swallowed.
    assert "Die Delegationen wollen am Freitag wieder zusammenkommen." in text
    assert "Genf" in lead + text and "aber es wird dauern" in text
