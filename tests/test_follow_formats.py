"""Each format is recognised from its content, read exactly, and fed to the same importer."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fakeapi.feeds import FeedEntry, article, atom, json_feed, liveblog, rss
from bot.follow.formats import (
    MAX_ENTRIES,
    FormatError,
    SourceFormat,
    html_to_paragraphs,
    read_source,
    stable_key,
)

PAGES = Path("/work/shared/pages-dev")
SAID = "„Wir haben alles im Griff“, sagte Innenministerin Petra Lang am Abend in Berlin."


def sample(n: int = 3) -> list[FeedEntry]:
    return [
        FeedEntry(
            id=f"tag:example.org,2025:{i}",
            title=f"Eintrag {i}",
            body=f"Absatz {i}. {SAID}",
            published=f"2025-10-08T1{i}:30:00+02:00",
        )
        for i in range(n, 0, -1)
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (rss("Feed", sample()), SourceFormat.RSS),
        (atom("Feed", sample()), SourceFormat.ATOM),
        (json_feed("Feed", sample()), SourceFormat.JSONFEED),
        (liveblog("Feed", sample()), SourceFormat.LIVEBLOG),
    ],
)
def test_format_is_detected_from_content_whatever_the_type_says(
    document: str, expected: SourceFormat
) -> None:
    for content_type in ("text/html", "application/octet-stream", ""):
        snapshot = read_source(document.encode(), content_type)
        assert snapshot.format is expected
        assert snapshot.title == "Feed"
        assert [e.headline for e in snapshot.entries] == ["Eintrag 3", "Eintrag 2", "Eintrag 1"]
        newest = snapshot.entries[0]
        assert newest.key == "id:tag:example.org,2025:3"
        assert newest.body == ("Absatz 3. " + SAID,)
        assert newest.clock in ("13:30", "11:30")  # RSS dates arrive in UTC
        # Quotes, people and summary come from the story importer for every format.
        assert snapshot.parsed is not None
        assert any(q.speaker == "Petra Lang" for q in snapshot.parsed.quotes)
        assert any(p.name == "Petra Lang" for p in snapshot.parsed.people)
        assert snapshot.parsed.summary


def test_liveblog_in_a_graph_with_a_list_type_and_html_bodies() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "page"},
            {
                "@type": ["LiveBlogPosting", "NewsArticle"],
                "headline": "Gipfel in Brüssel",
                "liveBlogUpdate": {
                    "@type": "BlogPosting",
                    "url": "https://example.org/live#p1",
                    "headline": "Einigung <b>erzielt</b>",
                    "datePublished": "2025-10-08T22:15:00+02:00",
                    "articleBody": "<p>Erster Absatz.</p><script>alert(1)</script><p>Zweiter.</p>",
                },
            },
        ],
    }
    page = (
        "<html><head><script type='application/ld+json'>"
        + json.dumps(data).replace("</", "<\\/")  # as publishers escape it inside <script>
        + "</script></head><body><p>x</p></body></html>"
    )
    snapshot = read_source(page.encode())
    assert snapshot.format is SourceFormat.LIVEBLOG
    (entry,) = snapshot.entries
    assert entry.headline == "Einigung erzielt"
    assert entry.body == ("Erster Absatz.", "Zweiter.")
    assert entry.key == "id:https://example.org/live#p1"
    assert entry.clock == "22:15"


def test_other_html_goes_through_main_text_extraction_and_the_importer() -> None:
    paragraphs = [
        "Die Regierung hat am Abend ein Sparpaket vorgestellt, das Pensionen betrifft.",
        SAID,
        "Die Opposition kritisierte das Paket als unausgewogen und kündigte Widerstand an.",
    ]
    snapshot = read_source(article("Sparpaket vorgestellt", paragraphs).encode(), "text/html")
    assert snapshot.format is SourceFormat.HTML
    assert snapshot.title == "Sparpaket vorgestellt"
    assert snapshot.parsed is not None
    text = " ".join(snapshot.parsed.body) + snapshot.parsed.lead
    assert "Opposition kritisierte" in text
    assert "All rights reserved" not in text and "Politics" not in text
    assert any(q.speaker == "Petra Lang" for q in snapshot.parsed.quotes)


@pytest.mark.skipif(not PAGES.is_dir(), reason="shared development pages not present")
def test_a_live_ticker_page_as_html_yields_its_ticker_items() -> None:
    lines = (PAGES / "de-tagesschau-liveblog.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = [line for line in lines[1:] if line.strip()]
    snapshot = read_source(article(lines[0], paragraphs).encode("utf-8"), "text/html")
    assert len(snapshot.entries) >= 3
    assert all(e.key.startswith("h:") for e in snapshot.entries)
    again = read_source(article(lines[0], paragraphs).encode("utf-8"), "text/html")
    assert [e.key for e in again.entries] == [e.key for e in snapshot.entries]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"{not json", "broken JSON"),
        (b'{"version": "1", "items": []}', "not a JSON Feed"),
        (b"just some words", "neither HTML nor a feed"),
        (b"<?xml version='1.0'?><unknown><a>", "not a readable feed"),
        (b"<html><body></body></html>", "without a main text"),
    ],
)
def test_malformed_sources_give_one_clear_line(body: bytes, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        read_source(body)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_entries_without_ids_get_a_stable_hash_and_duplicates_are_dropped() -> None:
    entries = [FeedEntry(id="", title="Ohne Kennung", body="Text.")] * 2
    document = json.loads(json_feed("F", entries))
    for item in document["items"]:
        del item["id"]
    snapshot = read_source(json.dumps(document).encode())
    assert len(snapshot.entries) == 1
    assert snapshot.entries[0].key == stable_key("Ohne Kennung", "2025-10-08T21:00:00+00:00")


def test_entries_per_fetch_are_capped() -> None:
    many = [FeedEntry(id=f"e{i}", title=f"T{i}", body="b") for i in range(MAX_ENTRIES + 50)]
    snapshot = read_source(rss("Viel", many).encode())
    assert len(snapshot.entries) == MAX_ENTRIES and snapshot.truncated


def test_json_feed_deleted_extension_is_a_retraction() -> None:
    document = json.loads(json_feed("F", sample(2)))
    document["items"][0]["_deleted"] = True
    snapshot = read_source(json.dumps(document).encode())
    assert snapshot.retracted_keys == {"id:tag:example.org,2025:2"}
    assert [e.headline for e in snapshot.entries] == ["Eintrag 1"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_html_to_paragraphs_never_keeps_markup_or_empty_paragraphs(text: str) -> None:
    fragment = f"<div><p>{text}</p><script>var x = '<b>';</script><br>{text}</div>"
    for paragraph in html_to_paragraphs(fragment):
        assert paragraph.strip() == paragraph and paragraph
        assert "var x" not in paragraph


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_a_snapshot_or_a_format_error(data: bytes) -> None:
    with contextlib.suppress(FormatError):
        read_source(data)
