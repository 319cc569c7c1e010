"""Formatters: hostile story text is escaped, output is valid Telegram HTML in both
languages, dates and counts read right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.fakeapi.botapi_text import html_problem
from bot.db.models import AuditEntry, PersonRecord, QuoteRecord, StoryRecord, TickerItemRecord
from bot.db.subscriptions import DeliveryChoice
from bot.story.model import ParsedStory, Quote, TickerEntry
from bot.texts import (
    EDITOR_COMMANDS,
    READER_COMMANDS,
    Argument,
    Formatter,
    ItemDelivery,
    Texts,
    default_texts,
    progress_bar,
    shorten,
    split_message,
    visible_text,
)
from bot.texts.format import word_spans

HOSTILE = '<script>alert("x")</script> & </b> &amp; <i>'
NOW = "2026-11-25T14:05:00+00:00"


@dataclass(frozen=True)
class Hit:
    kind: str
    ref: int
    text: str


def make_story(**changes: object) -> StoryRecord:
    story = StoryRecord(
        id=1,
        slug="nato",
        title="Ukraine drängt auf NATO-Einladung",
        lead="Nach Ansicht der Ukraine ist der NATO-Beitritt die einzige Garantie.",
        language="de",
        summary=("Die Ukraine drängt auf eine Einladung.", "Es gab keine Fortschritte."),
        editor_summary=None,
        archived_at=None,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(story, **changes)  # type: ignore[arg-type]


def make_item(item_id: int = 45, **changes: object) -> TickerItemRecord:
    item = TickerItemRecord(
        id=item_id,
        story_id=1,
        origin="imported",
        position=item_id,
        time="18:45",
        headline="Tucker Carlson noch in Russland",
        body="Der konservative Moderator gab bekannt …\n\nEr hatte bereits im Februar …",
        pinned=False,
        created_by=None,
        created_at=NOW,
        updated_at=NOW,
        corrected_at=None,
        retracted_at=None,
    )
    return replace(item, **changes)  # type: ignore[arg-type]


def make_quote(quote_id: int = 1, **changes: object) -> QuoteRecord:
    quote = QuoteRecord(
        id=quote_id,
        story_id=1,
        position=quote_id,
        text="Es gab keine Fortschritte",
        speaker="Gabrielius Landsbergis",
        role="Leiter der litauischen Diplomatie",
        fragment=False,
        origin="imported",
    )
    return replace(quote, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts(strict=True)


@pytest.fixture(params=["de", "en"])
def fmt(request: pytest.FixtureRequest, texts: Texts) -> Formatter:
    return Formatter(texts, request.param)


def hostile_views(fmt: Formatter) -> dict[str, str]:
    """Every view, fed with hostile text wherever story, editor or user text goes."""
    story = make_story(title=HOSTILE, lead=HOSTILE, summary=(HOSTILE, HOSTILE))
    item = make_item(headline=HOSTILE, body=f"{HOSTILE}\n\n{HOSTILE}", pinned=True)
    corrected = make_item(46, headline=HOSTILE, time=None, corrected_at=NOW)
    quote = make_quote(text=HOSTILE, speaker=HOSTILE, role=HOSTILE)
    fragment = make_quote(2, text=HOSTILE, speaker=None, role=None, fragment=True)
    parsed = ParsedStory(
        title=HOSTILE,
        lead=HOSTILE,
        language="de",
        body=(HOSTILE,),
        summary=(HOSTILE,),
        quotes=(Quote(HOSTILE, HOSTILE, HOSTILE, False),) * 4,
        people=(),
        ticker=(TickerEntry(HOSTILE, None, (HOSTILE,)),),
        warnings=(HOSTILE,),
    )
    audit = AuditEntry(7, NOW, 42, "<edit>", 1, HOSTILE, {"body": HOSTILE}, [HOSTILE])
    return {
        "welcome": fmt.welcome(story, is_editor=True),
        "help": fmt.help(is_editor=True),
        "summary": fmt.summary(story, pinned=[item], latest=corrected),
        "editor-summary": fmt.summary(replace(story, editor_summary=f"{HOSTILE}\n\n\n{HOSTILE}")),
        "quotes": fmt.quotes([quote, fragment], is_editor=True, speaker=HOSTILE),
        "unknown-speaker": fmt.quotes_unknown_speaker(HOSTILE, [HOSTILE, "B"]),
        "ticker": fmt.ticker_page([item, corrected], offset=0, total=37, is_editor=True),
        "push": fmt.push(story, [item, corrected]),
        "retraction": fmt.retraction(item),
        "recap": fmt.archive_recap(story, item_count=2),
        "people": fmt.people([PersonRecord(HOSTILE, HOSTILE), PersonRecord("Mark Rutte", None)]),
        "search": fmt.search_results(HOSTILE, [Hit("quote", 1, HOSTILE), Hit("body", 0, HOSTILE)]),
        "search-none": fmt.search_results(HOSTILE, []),
        "stories": fmt.stories([story, replace(story, id=2, archived_at=NOW)], current_id=1),
        "settings": fmt.settings(language="en", mode=DeliveryChoice.QUIET, story_title=HOSTILE),
        "stats": fmt.stats(
            active=150,
            blocked=45,
            items=[
                ItemDelivery(45, HOSTILE, 120, 70, 5),
                ItemDelivery(44, HOSTILE, 9, 0, 0, retracted=True),
            ],
        ),
        "audit": fmt.audit([audit]),
        "preview": fmt.import_preview(parsed, updates_existing=True),
        "import-done": fmt.import_done(story_id=3, title=HOSTILE, created=False, new_items=2),
        "error-with-arg": fmt.text("story-is-archived", title=HOSTILE),
    }


def test_hostile_text_is_escaped_in_every_view(fmt: Formatter) -> None:
    for name, html in hostile_views(fmt).items():
        # The oracle follows the Bot API docs on its own: whatever a view renders, Telegram
        # takes, whole (markup) and as the messages split_message makes of it.
        assert html_problem(html, kind="markup") is None, (name, html)
        assert "<script>" not in html and "</b> &amp;" not in html, name
        chunks = split_message(html)
        assert chunks, name
        assert [html_problem(chunk) for chunk in chunks] == [None] * len(chunks), name


def test_hostile_text_reaches_the_reader_unchanged(fmt: Formatter) -> None:
    views = hostile_views(fmt)
    for name in ("summary", "quotes", "ticker", "push", "people", "search", "stories"):
        assert HOSTILE in visible_text(views[name]), name


def test_summary_in_both_languages(texts: Texts) -> None:
    story = make_story()
    pinned = make_item(44, headline="Angeheftet: Rutte spricht", pinned=True)
    latest = make_item(45)
    german = Formatter(texts, "de").summary(story, pinned=[pinned], latest=latest, as_of=NOW)
    english = Formatter(texts, "en").summary(story, pinned=[pinned], latest=latest, as_of=NOW)
    assert german.startswith("<b>Ukraine drängt auf NATO-Einladung</b>")
    assert "Stand: 25.11.2026, 14:05 UTC" in german
    assert "As of 25 Nov 2026, 14:05 UTC" in english
    # A story only pages filled has no time of its own: none is invented.
    untimed = Formatter(texts, "de").summary(story, pinned=[pinned], latest=latest)
    assert "Stand" not in untimed
    assert "Neueste Meldung" in german and "Latest" in english
    text = visible_text(german)
    # Pinned items come before the key points, the newest item after them.
    assert text.index("Angeheftet: Rutte") < text.index("• Die Ukraine drängt")
    assert text.index("• Es gab keine") < text.index("Tucker Carlson")


def test_summary_prefers_the_editors_text_and_skips_a_pinned_latest(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    item = make_item(pinned=True)
    html = fmt.summary(make_story(editor_summary="Eigener Text."), pinned=[item], latest=item)
    assert "Eigener Text." in html and "Die Ukraine drängt" not in html
    assert "Neueste Meldung" not in html
    empty = fmt.summary(make_story(summary=(), lead=""))
    assert "Noch keine Zusammenfassung." in empty


def test_dates_in_both_languages(texts: Texts) -> None:
    german, english = Formatter(texts, "de"), Formatter(texts, "en")
    assert german.datetime_long("2026-03-05T09:07:00+00:00") == "05.03.2026, 09:07 UTC"
    assert english.datetime_long("2026-03-05T09:07:00+00:00") == "5 Mar 2026, 09:07 UTC"
    assert german.datetime_short("2026-11-25T14:05:00+00:00") == "14:05 UTC, 25.11."
    assert english.datetime_short("2026-09-01T14:05:00") == "14:05 UTC, 1 Sep"  # naive = UTC
    cet = Formatter(texts, "de", tz=timezone(timedelta(hours=1), "MEZ"))
    assert cet.datetime_long("2026-12-31T23:30:00+00:00") == "01.01.2027, 00:30 MEZ"


def test_item_time_prefers_the_pages_clock(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    # A printed clock without a known zone says whose clock it is.
    assert fmt.item_time(make_item(time="18:45")) == "18:45 Uhr laut Quelle"
    assert fmt.item_time(replace(make_item(time=None), origin="posted")) == "14:05 UTC, 25.11."
    # The moment of an import is not the time of the news: no time rather than that one.
    untimed = replace(make_item(time=None), origin="imported")
    assert fmt.item_time(untimed) == ""
    assert visible_text(fmt.ticker_item(untimed)).startswith(untimed.headline)


def test_ticker_page_marks_and_header(fmt: Formatter) -> None:
    items = [
        make_item(47, headline="Neueste", pinned=True),
        make_item(46, headline="Korrigiert", corrected_at=NOW),
        make_item(45, headline="Älteste"),
    ]
    reader = fmt.ticker_page(items, offset=0, total=37)
    editor = fmt.ticker_page(items, offset=5, total=37, is_editor=True)
    of = "von" if fmt.lang == "de" else "of"
    assert f"(1–3 {of} 37)" in reader and f"(6–8 {of} 37)" in editor
    assert "📌" in reader
    assert ("(korrigiert)" if fmt.lang == "de" else "(corrected)") in reader
    assert "#45" not in reader and "<code>#45</code>" in editor
    assert "<b>Neueste</b>" in reader
    text = visible_text(reader)
    assert text.index("Neueste") < text.index("Korrigiert") < text.index("Älteste")
    assert html_problem(editor) is None
    assert fmt.ticker_page([], offset=0, total=0) == fmt.text("ticker-empty")


def test_a_long_ticker_page_splits_between_items(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    body = "\n\n".join(["Ein Absatz mit etwas Text, der sich wiederholt. " * 8] * 3)
    items = [make_item(i, headline=f"Meldung {i}", body=body) for i in range(20, 0, -1)]
    chunks = split_message(fmt.ticker_page(items, offset=0, total=20))
    assert len(chunks) > 1
    for chunk in chunks[1:]:
        assert chunk.startswith("<i>18:45 Uhr laut Quelle</i> · <b>Meldung ")


def test_quotes_statements_before_fragments(fmt: Formatter) -> None:
    quotes = [
        make_quote(1, text="sehr bald", speaker="Tucker Carlson", role=None, fragment=True),
        make_quote(2),
        make_quote(3, text="irreversibel", speaker=None, role=None, fragment=True),
    ]
    html = fmt.quotes(quotes)
    text = visible_text(html)
    heading = "Kurz zitiert" if fmt.lang == "de" else "In brief"
    assert text.index("Es gab keine Fortschritte") < text.index(heading) < text.index("sehr bald")
    assert "Gabrielius Landsbergis, Leiter der litauischen Diplomatie" in text
    assert ("ohne Quelle" if fmt.lang == "de" else "unattributed") in text
    assert "#2" not in text and "#2" in visible_text(fmt.quotes(quotes, is_editor=True))


def test_quotes_filter_heading_and_unknown_speaker(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    filtered = visible_text(fmt.quotes([make_quote()], speaker="Landsbergis"))
    assert filtered.startswith("💬 Zitate von Landsbergis (1)")
    unknown = fmt.quotes_unknown_speaker("Biden", ["Mark Rutte", "Tucker Carlson"])
    assert unknown == "Niemand namens „Biden“ zitiert. Sprecher: Mark Rutte, Tucker Carlson"
    assert fmt.quotes([]) == "Noch keine Zitate."


def test_push_has_the_title_and_every_item(texts: Texts) -> None:
    fmt = Formatter(texts, "en")
    html = fmt.push(make_story(), [make_item(1, headline="One"), make_item(2, headline="Two")])
    text = visible_text(html)
    assert text.startswith("🔴 Ukraine drängt auf NATO-Einladung")
    assert "One" in text and "Two" in text and "#1" not in text


def test_retraction_and_recap(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    retracted = make_item(retracted_at=NOW)
    notice = "Zurückgezogen: Diese Meldung wurde von der Redaktion zurückgezogen."
    assert notice in visible_text(fmt.retraction(retracted))
    assert fmt.ticker_item(retracted) == fmt.retraction(retracted)
    recap = visible_text(fmt.archive_recap(make_story(), item_count=1))
    assert "Eine Meldung insgesamt." in recap and "Es gab keine Fortschritte." in recap


def test_search_highlights_accent_and_case_insensitively(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    hit = Hit("body", 0, "Andriï Sybiga & die <NATO>: nato-Beitritt, Natoland.")
    html = fmt.search_results("nato sybiga", [hit])
    assert "<b>NATO</b>" in html and "<b>nato</b>-Beitritt" in html and "<b>Natoland</b>" in html
    assert "<b>Sybiga</b>" in html and "&amp; die &lt;" in html
    assert fmt.search_results("  ", []) == fmt.text("search-missing-words")


def test_a_snippet_cut_inside_a_word_does_not_highlight_its_tail(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    # The snippet starts 80 characters before the match, inside the long word.
    text = "x" * 100 + "ba" * 60 + "-am " + "y " * 200
    html = fmt.search_results("a", [Hit("body", 0, text)])
    assert "…a" in visible_text(html) or "…b" in visible_text(html)
    assert "<b>ab" not in html  # "ababab…" is the tail of one long word, not a match
    assert "<b>am</b>" in html


def test_search_snippet_is_cut_around_the_match(texts: Texts) -> None:
    fmt = Formatter(texts, "en")
    long_text = "Vorher " * 80 + "Rutte sagte etwas. " + "Nachher " * 80
    html = fmt.search_results("rutte", [Hit("body", 0, long_text)])
    snippet = visible_text(html).split(": ", 1)[1]
    assert snippet.startswith("…") and snippet.endswith("…") and "Rutte" in snippet
    assert len(snippet) <= 250


# No deadline: the machine is shared, and this asserts validity, not speed.
@settings(deadline=None)
@given(st.text(max_size=300), st.text(max_size=30))
def test_highlighted_snippets_are_always_valid(text: str, query: str) -> None:
    fmt = Formatter(default_texts(), "de")
    html = fmt.search_results(query or "x", [Hit("body", 0, text)])
    assert html_problem(html) is None


def test_word_spans_map_back_through_folding() -> None:
    text = "Straße, STRASSE und Sýbiga"
    spans = word_spans(text, "strasse sybiga")
    assert [text[a:b] for a, b in spans] == ["Straße", "STRASSE", "Sýbiga"]
    assert word_spans("abc", "!!!") == []
    spelt_out = "Müller: Bündnis hält"
    spans = word_spans(spelt_out, "Mueller buendnis")
    assert [spelt_out[a:b] for a, b in spans] == ["Müller", "Bündnis"]


def test_help_lists_every_command_and_editor_commands_only_for_editors(fmt: Formatter) -> None:
    reader = fmt.help()
    editor = fmt.help(is_editor=True)
    for command in READER_COMMANDS:
        assert f"/{command}" in reader
    for command in EDITOR_COMMANDS:
        assert f"/{command} " not in reader and f"/{command}" in editor
    assert "/addquote &quot;" not in editor  # quotes stay literal, no over-escaping
    menu = fmt.command_menu()
    assert [c for c, _ in menu] == list(READER_COMMANDS)
    assert all(0 < len(d) <= 256 for _, d in fmt.command_menu(is_editor=True))


def test_welcome_names_the_story(fmt: Formatter) -> None:
    html = fmt.welcome(make_story())
    assert "<b>Ukraine drängt auf NATO-Einladung</b>" in html
    assert "/help" in html and "/summary" in html
    assert "/post" not in fmt.welcome(make_story(), is_editor=True)
    assert fmt.welcome(None)


def test_stories_mark_the_current_one(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    stories = [make_story(), make_story(id=2, title="Zweites", archived_at=NOW)]
    text = visible_text(fmt.stories(stories, current_id=2))
    assert "1 · Ukraine drängt" in text
    assert "2 · Zweites (archiviert) ← aktuell" in text


def test_settings_view_and_buttons(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    view = visible_text(fmt.settings(language="en-US", mode=DeliveryChoice.HOURLY, story_title="T"))
    assert "Sprache: English" in view and "Zustellung: stündlich gebündelt" in view
    off = visible_text(fmt.settings(language="de", mode=None, story_title=None))
    assert "Nicht abonniert" in off
    labels = [fmt.settings_button(mode) for mode in DeliveryChoice]
    assert labels == ["Jede Meldung", "Stündlich gebündelt", "Ruhezeit 22–07 Uhr", "Aus"]
    assert fmt.settings_button(DeliveryChoice.OFF, selected=True) == "✓ Aus"


def test_stats_and_progress_bar(texts: Texts) -> None:
    assert progress_bar(120, 195) == "▓▓▓▓░░ 120/195"
    assert progress_bar(0, 195) == "░░░░░░ 0/195"
    assert progress_bar(1, 1000) == "▓░░░░░ 1/1000"
    assert progress_bar(999, 1000) == "▓▓▓▓▓░ 999/1000"
    assert progress_bar(195, 195) == "▓▓▓▓▓▓ 195/195"
    assert progress_bar(0, 0) == "░░░░░░ 0/0"
    fmt = Formatter(texts, "de")
    html = fmt.stats(active=150, blocked=3, items=[ItemDelivery(45, "Kopf", 120, 70, 5)])
    text = visible_text(html)
    assert "Abonnenten: 150 aktiv, 3 blockiert" in text
    assert "▓▓▓▓░░ 120/195 · 70 ausstehend · 5 fehlgeschlagen" in text
    assert "Noch keine Meldungen" in fmt.stats(active=0, blocked=0, items=[])


def test_stats_marks_retracted_items_in_both_languages(texts: Texts) -> None:
    items = [ItemDelivery(45, "Kopf", 9, 0, 0), ItemDelivery(44, "Falsch", 9, 0, 0, retracted=True)]
    for language, mark in (("de", "zurückgezogen"), ("en", "retracted")):
        html = Formatter(texts, language).stats(active=9, blocked=0, items=items)
        assert "<s>Falsch</s>" in html and "<s>Kopf</s>" not in html
        live, gone = visible_text(html).split("#44")
        assert mark not in live and gone.splitlines()[1].startswith(f"🗑 {mark} · ")


def test_post_confirmation_shows_progress(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    done = fmt.post_confirmation(12345, delivered=120, total=195)
    assert done == "✅ Meldung #12345 veröffentlicht – zugestellt 120/195"
    assert "noch keine Abonnenten" in fmt.post_confirmation(1, delivered=0, total=0)


def test_audit_shows_who_when_what_and_the_change(texts: Texts) -> None:
    fmt = Formatter(texts, "en")
    entry = AuditEntry(9, NOW, 1234567, "edit", 1, "#45", {"body": "old " * 50}, "new")
    text = visible_text(fmt.audit([entry]))
    assert "14:05 UTC, 25 Nov" in text and "user 1234567" in text and "corrected" in text
    assert "update #45" in text and "→ new" in text
    assert "old old" in text and "…" in text and "body:" not in text
    unknown = visible_text(fmt.audit([replace(entry, action="frobnicate", before=None)]))
    assert "frobnicate" in unknown
    assert fmt.audit([]) == "No entries yet."
    named = visible_text(fmt.audit([entry], {1234567: "Eda <Desk>"}))
    assert "user Eda <Desk> (1234567)" in named


def test_import_preview_counts_and_first_quotes(texts: Texts) -> None:
    quotes = tuple(Quote(f"Zitat {n}", f"Sprecher {n}", None, False) for n in range(5))
    parsed = ParsedStory(
        title="Titel",
        lead="",
        language="de",
        body=("a", "b", "c"),
        summary=(),
        quotes=quotes,
        people=(),
        ticker=(TickerEntry("K", None, ("x",)),),
    )
    text = visible_text(Formatter(texts, "de").import_preview(parsed))
    assert "Vorschau: Titel" in text
    assert "3 Absätze · 5 Zitate · 1 Tickermeldung" in text
    assert "Zitat 2" in text and "Sprecher 2" in text and "Zitat 3" not in text


@pytest.mark.parametrize(
    ("render", "expected"),
    [
        (lambda f: f.text("item-not-found", id=4321), "Meldung #4321 gibt es nicht."),
        (lambda f: f.text("text-too-long", length=5000, max=4096), "5.000 Zeichen"),
        (lambda f: f.text("import-file-too-large", max_kb=2000), "höchstens 2.000 KB"),
        (lambda f: f.plain("button-import"), "Importieren"),
    ],
)
def test_answers(texts: Texts, render: Callable[[Formatter], str], expected: str) -> None:
    assert expected in render(Formatter(texts, "de"))


def test_shorten() -> None:
    assert shorten("  a   b\n c ", 10) == "a b c"
    assert shorten("eins zwei drei vier", 12) == "eins zwei…"
    assert shorten("x" * 30, 10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("code", "args", "expected"),
    [
        ("item-not-found", {"id": 4321}, "Meldung #4321 gibt es nicht."),
        ("item-retracted", {"id": 7}, "Meldung #7 ist bereits zurückgezogen."),
        ("text-too-long", {"limit": 4096, "length": 5000}, "5.000 Zeichen, erlaubt sind 4.096"),
        ("story-archived", {"title": "<T>"}, "„&lt;T&gt;“ ist archiviert"),
        ("quote-format", {}, "/addquote"),
        ("item-not-found", {}, "etwas schiefgegangen"),
        ("no-such-code", {"id": 1}, "etwas schiefgegangen"),
    ],
)
def test_editor_errors(texts: Texts, code: str, args: dict[str, object], expected: str) -> None:
    assert expected in Formatter(texts, "de").editor_error(code, args)


def test_import_errors(texts: Texts) -> None:
    fmt = Formatter(texts, "en")
    assert fmt.import_error("too_large", max_bytes=2_000_000) == (
        "The file is too large – 2,000 KB at most."
    )
    assert fmt.import_error("binary", max_bytes=1) == "The file contains no readable text."
    assert "odd &lt;detail&gt;" in fmt.import_error("weird", max_bytes=1, detail="odd <detail>")


def test_audit_speaks_the_readers_language_not_the_stores(texts: Texts) -> None:
    fmt = Formatter(texts, "de")
    entries = [
        AuditEntry(3, NOW, 7, "pin", 1, "#12", {"pinned": False}, {"pinned": True}),
        AuditEntry(2, NOW, 7, "setsummary", 1, "ukraine-draengt-auf-nato", None, "Neu."),
        AuditEntry(
            1,
            NOW,
            7,
            "edit",
            1,
            "#12",
            {"headline": "Alt", "body": "", "pinned": False},
            {"headline": "Neu", "body": "Text", "pinned": False},
        ),
    ]
    text = visible_text(fmt.audit(entries))
    for internal in ("pinned", "false", "true", "headline", "body", "ukraine-draengt"):
        assert internal not in text.lower(), internal
    assert "angeheftet · Meldung #12" in text
    assert "Zusammenfassung gesetzt · Thema Nr. 1" in text
    assert "Alt → Neu – Text" in text


def test_a_command_short_of_an_argument_names_it_with_usage_in_each_language(
    texts: Texts,
) -> None:
    # Every editor command that takes an argument can say it is missing, with an example
    # in the reader's language (an English editor was shown "/edit 12 Neuer Text").
    for language, missing, how in (
        ("de", "/edit: Der neue Text fehlt.", "So geht's: /edit N TEXT – Meldung N korrigieren"),
        ("en", "/edit: the new text is missing.", "Like this: /edit N TEXT – correct update N"),
    ):
        fmt = Formatter(texts, language)
        first, second = visible_text(fmt.missing_argument("edit", Argument.NEW_TEXT)).split("\n")
        assert first == missing and second.startswith(how)
        for command in EDITOR_COMMANDS:
            if not texts.has(language, f"cmd-{command}.args"):
                continue
            if fmt.plain(f"cmd-{command}.args").startswith("["):
                continue  # nothing required
            example = fmt.plain(f"cmd-{command}.example")
            assert example.startswith(f"/{command} "), (language, command)
            html = fmt.editor_error(
                "missing-argument", {"command": command, "argument": Argument.NUMBER}
            )
            assert example in visible_text(html) and html_problem(html) is None
