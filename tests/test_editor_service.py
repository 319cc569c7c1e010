"""Editors' changes at the service level, on a real SQLite store: each change and its audit
entry and push promise commit together or not at all; bad input changes nothing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.db import audit, deliveries, stories
from bot.db.connection import Database
from bot.handlers.editor import _item_id
from bot.services.editor import EditorError, EditorService, parse_addquote, split_post
from bot.services.stories import StoryService
from bot.texts import Argument, Formatter, Texts
from bot.texts.format import EDITOR_ERROR_TEXTS
from tests.conftest_delivery import open_db

# The store's SQL runs on SQLite and on PostgreSQL (tests/conftest_pg.py).
BOTH_STORES = True

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "ukraine-nato-liveblog.de.txt"
EN_PAGE = REPO / "tests" / "pages" / "en-live-updates.txt"
EDITOR = 42
TABLES = ("stories", "ticker_items", "quotes", "audit_log", "fanout_jobs", "deliveries")


class Desk:
    """The services over one store with the seed story loaded."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.notified = 0
        self.editor = EditorService(db, notify=self._notify)
        self.stories = StoryService(db, on_new_items=self._notify)

    def _notify(self) -> None:
        self.notified += 1

    async def story(self, story_id: int = 1) -> Any:
        story = await stories.get_story(self.db, story_id)
        assert story is not None
        return story

    async def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {
            table: [tuple(r) for r in await self.db.fetchall(f"SELECT * FROM {table}")]
            for table in TABLES
        }

    async def actions(self) -> list[str]:
        return [e.action for e in reversed(await audit.latest(self.db, 100))]

    async def jobs(self) -> list[tuple[str, int | None, str]]:
        rows = await self.db.fetchall("SELECT kind, item_id, state FROM fanout_jobs ORDER BY id")
        return [(r["kind"], r["item_id"], r["state"]) for r in rows]


@pytest.fixture
async def desk(tmp_path: Path, store: str) -> AsyncIterator[Desk]:
    db = await open_db(tmp_path, store)
    service = Desk(db)
    await service.stories.import_page(SEED.read_bytes(), source_name=f"seeds/{SEED.name}")
    try:
        yield service
    finally:
        await db.close()


# ------------------------------------------------------------------ parsing what editors type


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 Neuer Text", (12, "Neuer Text")),
        ("#12 Neuer Text", (12, "Neuer Text")),
        ("12", (12, "")),
        ("  12   Text  mit  Abstand ", (12, "Text  mit  Abstand")),
        # A correction typed on a phone: the id, then the headline on its own line.
        (
            "12\nNeue Überschrift mit Wörtern\nUnd der Text.",
            (12, "Neue Überschrift mit Wörtern\nUnd der Text."),
        ),
        ("12 Überschrift mit Wörtern\nText", (12, "Überschrift mit Wörtern\nText")),
    ],
)
def test_item_id_keeps_the_rest_as_typed(raw: str, expected: tuple[int, str]) -> None:
    assert _item_id(raw, "edit") == expected


@pytest.mark.parametrize("raw", ["", "abc", "12a Text", "-3", "²", "1" * 13, "#", "1.5"])
def test_item_id_refuses_what_is_no_number(raw: str) -> None:
    with pytest.raises(EditorError) as caught:
        _item_id(raw, "edit")
    assert caught.value.code == "missing-argument"
    assert caught.value.args_for_text == {"command": "edit", "argument": Argument.NUMBER}


def test_split_post_first_line_heads() -> None:
    assert split_post("Eilmeldung") == ("Eilmeldung", "")
    assert split_post("  Kopf   mit  Leerraum \n\nErster  Absatz\nweiter\n\n\nZweiter") == (
        "Kopf mit Leerraum",
        "Erster Absatz weiter\n\nZweiter",
    )
    for bad in ("", "   \n  "):
        with pytest.raises(EditorError, match="missing-text"):
            split_post(bad)
    with pytest.raises(EditorError) as caught:
        split_post("x" * 4097)
    assert caught.value.args_for_text == {"limit": 4096, "length": 4097}
    assert split_post("x" * 4096)[0] == "x" * 4096


@pytest.mark.parametrize(
    ("raw", "text", "speaker", "role"),
    [
        (
            '"Wir bleiben dran" — Eda Meyer, Chefin vom Dienst',
            "Wir bleiben dran",
            "Eda Meyer",
            "Chefin vom Dienst",
        ),
        ("„Wir bleiben dran“ – Eda Meyer", "Wir bleiben dran", "Eda Meyer", None),
        ("«Stay   tuned» -- Eda Meyer ,  editor", "Stay tuned", "Eda Meyer", "editor"),
        ('"Er sagte "nein" dazu" - Max Mustermann', 'Er sagte "nein" dazu', "Max Mustermann", None),
    ],
)
def test_parse_addquote(raw: str, text: str, speaker: str, role: str | None) -> None:
    quote = parse_addquote(raw)
    assert (quote.text, quote.speaker, quote.role) == (text, speaker, role)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        '"Ohne Sprecher"',
        '"Ohne Sprecher" —',
        '"Ohne Sprecher" — , Rolle',
        "Ohne Anführung — X",
        '"" — X',
    ],
)
def test_parse_addquote_needs_text_and_speaker(raw: str) -> None:
    with pytest.raises(EditorError, match="quote-format"):
        parse_addquote(raw)


def test_every_editor_error_has_its_own_text() -> None:
    """An EditorError code without a text would answer with the generic apology."""
    sources = (REPO / "bot" / "services" / "editor.py", REPO / "bot" / "handlers" / "editor.py")
    codes = {
        code
        for path in sources
        for code in re.findall(r'EditorError\(\s*"([a-z-]+)"', path.read_text(encoding="utf-8"))
    }
    assert {"missing-argument", "item-not-found", "story-already-archived"} <= codes
    # A missing argument is told by Formatter.missing_argument, with the command's usage.
    known = {*EDITOR_ERROR_TEXTS, "missing-argument"}
    assert codes <= known, codes - known
    texts = Texts()
    for lang in ("de", "en"):
        fmt = Formatter(texts, lang)
        generic = fmt.text("error-generic")
        args = {"id": 7, "title": "T", "limit": 10, "length": 11}
        args |= {"command": "edit", "argument": Argument.NEW_TEXT}
        for code in codes:
            answer = fmt.editor_error(code, args)
            assert answer != generic, (lang, code)
            assert "{" not in answer, (lang, code, answer)


# ------------------------------------------------------------------ audit trail


async def test_every_action_is_audited_with_who_what_before_and_after(desk: Desk) -> None:
    story = await desk.story()
    item = await desk.editor.post(EDITOR, story, "Kopf\nText")
    await desk.editor.edit(43, item.id, "Kopf neu\nText neu")
    await desk.editor.set_pinned(EDITOR, item.id, True)
    await desk.editor.set_pinned(EDITOR, item.id, False)
    await desk.editor.set_summary(EDITOR, story, "Eigene Zusammenfassung")
    await desk.editor.set_summary(EDITOR, await desk.story(), None)
    quote = await desk.editor.add_quote(EDITOR, story, '"Wir bleiben dran" — Eda Meyer')
    await desk.editor.set_speaker(EDITOR, quote.id, "Eda Müller, Redaktion")
    await desk.editor.delete_quote(EDITOR, quote.id)
    await desk.editor.retract(EDITOR, item.id)
    new = await desk.editor.new_story(EDITOR, "Neues Thema", "de")
    await desk.editor.archive(EDITOR, new.id)
    await desk.stories.import_page(EN_PAGE.read_bytes(), "upload/en.txt", editor_id=EDITOR)

    assert await desk.actions() == [
        "post",
        "edit",
        "pin",
        "unpin",
        "setsummary",
        "resetsummary",
        "addquote",
        "setspeaker",
        "delquote",
        "delete",
        "newstory",
        "archive",
        "import",
    ]
    entries = {e.action: e for e in await audit.latest(desk.db, 100)}
    edit = entries["edit"]
    assert edit.user_id == 43 and edit.target == f"#{item.id}" and edit.story_id == story.id
    assert edit.before["headline"] == "Kopf" and edit.after["headline"] == "Kopf neu"
    assert entries["delete"].before["headline"] == "Kopf neu"
    assert entries["setsummary"].after == "Eigene Zusammenfassung"
    assert entries["resetsummary"].before == "Eigene Zusammenfassung"
    assert entries["resetsummary"].after is None
    assert entries["setspeaker"].before == {"speaker": "Eda Meyer", "role": None}
    assert entries["setspeaker"].after == {"speaker": "Eda Müller", "role": "Redaktion"}
    assert entries["import"].after["new_items"] == 2
    assert all(e.at for e in entries.values())


Action = Callable[[Desk], Awaitable[Any]]


async def _post(d: Desk) -> Any:
    return await d.editor.post(EDITOR, await d.story(), "Kopf\nText")


ACTIONS: dict[str, Action] = {
    "post": _post,
    "edit": lambda d: d.editor.edit(EDITOR, 1, "Korrigiert"),
    "delete": lambda d: d.editor.retract(EDITOR, 1),
    "pin": lambda d: d.editor.set_pinned(EDITOR, 1, True),
    "setsummary": lambda d: _with_story(d, lambda s: d.editor.set_summary(EDITOR, s, "Neu")),
    "addquote": lambda d: _with_story(d, lambda s: d.editor.add_quote(EDITOR, s, '"Q" — X')),
    "delquote": lambda d: d.editor.delete_quote(EDITOR, 2),
    "setspeaker": lambda d: d.editor.set_speaker(EDITOR, 2, "Jemand"),
    "newstory": lambda d: d.editor.new_story(EDITOR, "Neues Thema", "de"),
    "archive": lambda d: d.editor.archive(EDITOR, 1),
    "import": lambda d: d.stories.import_page(
        EN_PAGE.read_bytes(), "upload/en.txt", editor_id=EDITOR
    ),
}


async def _with_story(d: Desk, action: Callable[[Any], Awaitable[Any]]) -> Any:
    return await action(await d.story())


@pytest.mark.parametrize("name", sorted(ACTIONS))
async def test_no_change_without_its_audit_entry(
    desk: Desk, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await desk.snapshot()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    # Both services call the store module's function: patched once, both see it.
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await ACTIONS[name](desk)
    assert await desk.snapshot() == before
    monkeypatch.undo()
    await ACTIONS[name](desk)  # and it works once the audit log can be written
    assert (await desk.actions())[-1] == name


async def test_a_correction_that_cannot_be_queued_is_not_made(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = await desk.snapshot()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(deliveries, "enqueue_edit", broken)
    with pytest.raises(RuntimeError):
        await desk.editor.edit(EDITOR, 1, "Korrigiert")
    assert await desk.snapshot() == before


# ------------------------------------------------------------------ bad input


async def test_bad_input_is_refused_and_changes_nothing(desk: Desk) -> None:
    story = await desk.story()
    retracted = await desk.editor.post(EDITOR, story, "Falsch")
    await desk.editor.retract(EDITOR, retracted.id)
    archived = await desk.editor.new_story(EDITOR, "Vorbei", "de")
    await desk.editor.archive(EDITOR, archived.id)
    archived_story = await desk.story(archived.id)
    before = await desk.snapshot()
    notified = desk.notified
    cases: list[tuple[str, Callable[[], Awaitable[Any]], dict[str, object]]] = [
        ("missing-text", lambda: desk.editor.post(EDITOR, story, "  "), {}),
        (
            "text-too-long",
            lambda: desk.editor.post(EDITOR, story, "x" * 5000),
            {"limit": 4096, "length": 5000},
        ),
        (
            "story-archived",
            lambda: desk.editor.post(EDITOR, archived_story, "Text"),
            {"title": "Vorbei"},
        ),
        ("item-not-found", lambda: desk.editor.edit(EDITOR, 999, "Text"), {"id": 999}),
        ("missing-text", lambda: desk.editor.edit(EDITOR, 1, ""), {}),
        (
            "item-retracted",
            lambda: desk.editor.edit(EDITOR, retracted.id, "Richtig"),
            {"id": retracted.id},
        ),
        ("item-retracted", lambda: desk.editor.retract(EDITOR, retracted.id), {"id": retracted.id}),
        ("item-retracted", lambda: desk.editor.set_pinned(EDITOR, retracted.id, True), {}),
        ("item-not-found", lambda: desk.editor.retract(EDITOR, 999), {"id": 999}),
        ("item-not-found", lambda: desk.editor.set_pinned(EDITOR, 999, True), {"id": 999}),
        ("missing-text", lambda: desk.editor.set_summary(EDITOR, story, " \n "), {}),
        ("text-too-long", lambda: desk.editor.set_summary(EDITOR, story, "x" * 4000), {}),
        ("quote-format", lambda: desk.editor.add_quote(EDITOR, story, '"Ohne Sprecher"'), {}),
        (
            "text-too-long",
            lambda: desk.editor.add_quote(EDITOR, story, '"' + "x" * 1001 + '" — X'),
            {},
        ),
        ("quote-not-found", lambda: desk.editor.delete_quote(EDITOR, 999), {"id": 999}),
        ("quote-not-found", lambda: desk.editor.set_speaker(EDITOR, 999, "Name"), {"id": 999}),
        ("missing-text", lambda: desk.editor.set_speaker(EDITOR, 2, " , Rolle"), {}),
        ("text-too-long", lambda: desk.editor.set_speaker(EDITOR, 2, "N, " + "r" * 201), {}),
        ("missing-text", lambda: desk.editor.new_story(EDITOR, "  ", "de"), {}),
        ("text-too-long", lambda: desk.editor.new_story(EDITOR, "T" * 201, "de"), {}),
        ("story-not-found", lambda: desk.editor.archive(EDITOR, 999), {"id": 999}),
        (
            "story-already-archived",
            lambda: desk.editor.archive(EDITOR, archived.id),
            {"id": archived.id},
        ),
    ]
    for code, call, args in cases:
        with pytest.raises(EditorError) as caught:
            await call()
        assert caught.value.code == code, (code, caught.value.code)
        for key, value in args.items():
            assert caught.value.args_for_text.get(key) == value, (code, key)
    assert await desk.snapshot() == before
    assert desk.notified == notified


async def test_an_edit_that_changes_nothing_is_refused(desk: Desk) -> None:
    story = await desk.story()
    item = await desk.editor.post(EDITOR, story, "Kopf\nText")
    before = await desk.snapshot()
    with pytest.raises(EditorError, match="edit-unchanged"):
        await desk.editor.edit(EDITOR, item.id, "  Kopf \n Text ")
    assert await desk.snapshot() == before


# ------------------------------------------------------------------ races (double taps)


async def test_an_edit_racing_a_retraction_is_refused(desk: Desk) -> None:
    item = await desk.editor.post(EDITOR, await desk.story(), "Kopf\nText")
    retracted, edited = await asyncio.gather(
        desk.editor.retract(EDITOR, item.id),
        desk.editor.edit(EDITOR, item.id, "Kopf\nKorrigiert"),
        return_exceptions=True,
    )
    assert not isinstance(retracted, BaseException)
    assert isinstance(edited, EditorError) and edited.code == "item-retracted"
    assert await desk.actions() == ["post", "delete"]
    current = await stories.get_item(desk.db, item.id)
    assert current is not None and current.is_retracted and current.corrected_at is None


async def test_a_double_tap_retracts_and_archives_once(desk: Desk) -> None:
    item = await desk.editor.post(EDITOR, await desk.story(), "Kopf\nText")
    results = await asyncio.gather(
        desk.editor.retract(EDITOR, item.id),
        desk.editor.retract(EDITOR, item.id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, EditorError) for r in results) == 1
    archived = await asyncio.gather(
        desk.editor.archive(EDITOR, 1), desk.editor.archive(EDITOR, 1), return_exceptions=True
    )
    assert sum(isinstance(r, EditorError) for r in archived) == 1
    assert await desk.actions() == ["post", "delete", "archive"]
    jobs = await desk.jobs()
    assert [j for j in jobs if j[0] == "recap"] == [("recap", None, "open")]
    assert len([j for j in jobs if j[0] == "refresh"]) == 1


# ------------------------------------------------------------------ what goes to the outbox


async def test_changes_promise_their_pushes(desk: Desk) -> None:
    story = await desk.story()
    item = await desk.editor.post(EDITOR, story, "Kopf\nText")
    assert await desk.jobs() == [("item", item.id, "open")]
    await desk.editor.edit(EDITOR, item.id, "Kopf\nNeu")
    assert (await desk.jobs())[-1] == ("refresh", item.id, "open")
    await desk.editor.retract(EDITOR, item.id)
    jobs = await desk.jobs()
    assert jobs[0] == ("item", item.id, "cancelled")  # not yet sent: never will be
    assert jobs[-1] == ("refresh", item.id, "open")  # sent copies: deleted or replaced
    await desk.editor.set_pinned(EDITOR, 1, True)  # pins change no delivered message
    assert len(await desk.jobs()) == 3
    await desk.editor.archive(EDITOR, story.id)
    assert (await desk.jobs())[-1] == ("recap", None, "open")
    assert desk.notified == 4  # post, edit, retract, archive woke the delivery workers


async def test_posted_text_is_stored_as_typed_and_indexed(desk: Desk) -> None:
    story = await desk.story()
    item = await desk.editor.post(EDITOR, story, "Preise <steigen> & &amp; fallen\nText mit <b>")
    assert item.headline == "Preise <steigen> & &amp; fallen" and item.body == "Text mit <b>"
    assert item.created_by == EDITOR and item.origin == "posted"
    hits = await stories.search(desk.db, story.id, "steigen")
    assert [h.ref for h in hits] == [item.id]
    await desk.editor.edit(EDITOR, item.id, "Preise sinken")
    assert await stories.search(desk.db, story.id, "steigen") == []
    assert [h.ref for h in await stories.search(desk.db, story.id, "sinken")] == [item.id]
    await desk.editor.retract(EDITOR, item.id)
    assert await stories.search(desk.db, story.id, "sinken") == []


async def test_an_upload_never_lands_in_an_archived_story(desk: Desk) -> None:
    first = await desk.stories.import_page(
        EN_PAGE.read_bytes(), "upload/page.txt", editor_id=EDITOR
    )
    await desk.editor.archive(EDITOR, first.story_id)
    other = (REPO / "tests" / "pages" / "de-liveticker-uhr.txt").read_bytes()
    assert await desk.stories.find_story_for_page(desk.stories.parse(other), "page.txt") is None
    outcome = await desk.stories.import_page(other, "upload/page.txt", editor_id=EDITOR)
    assert outcome.created and outcome.story_id != first.story_id
    assert await desk.stories.live_story(outcome.story_id) is not None
    archived = await desk.story(first.story_id)
    assert "Ceasefire talks resume in Geneva" in archived.title
    assert archived.archived_at is not None
    # The next upload of that file name updates the new, live story.
    target = await desk.stories.find_story_for_page(desk.stories.parse(other), "page.txt")
    assert target is not None and target.id == outcome.story_id


async def test_an_unchanged_page_is_not_audited_again(desk: Desk) -> None:
    page = EN_PAGE.read_bytes()
    await desk.stories.import_page(page, "upload/en.txt", editor_id=EDITOR)
    again = await desk.stories.import_page(page, "upload/en.txt", editor_id=EDITOR)
    assert again.unchanged
    assert await desk.actions() == ["import"]
