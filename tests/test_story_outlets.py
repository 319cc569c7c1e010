"""Annotated pages in the layouts of outlets the dev pages do not cover (tests/pages/*.json).

Each NAME.json says what the importer must make of NAME.txt, in the format of the shared
pages-dev annotations: ticker items with their times and body words, quotes with speaker and
role, the people, and the furniture that must not appear anywhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.story import ParsedStory, decode_page, parse_story

PAGES = Path(__file__).resolve().parent / "pages"
ANNOTATED = sorted(p.stem for p in PAGES.glob("*.json"))
NOW = datetime(2025, 3, 12, 23, 59, tzinfo=UTC)


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def contains(hay: str, needle: str) -> bool:
    return f" {norm(needle)} " in f" {norm(hay)} "


def load(name: str) -> tuple[ParsedStory, dict[str, Any]]:
    story = parse_story(decode_page((PAGES / f"{name}.txt").read_bytes()), now=NOW)
    annotation = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return story, annotation


def everything(story: ParsedStory) -> str:
    parts = [story.title, story.lead, *story.body, *story.summary]
    parts += [f"{q.text} {q.speaker or ''} {q.role or ''}" for q in story.quotes]
    for item in story.ticker:
        parts += [item.headline, item.display_headline, *item.body]
    return "\n".join(parts)


def clock(text: str | None) -> str | None:
    match = re.search(r"(\d{1,2})[:.](\d{2})", text or "")
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


@pytest.mark.parametrize("name", ANNOTATED)
def test_every_item_with_its_time_and_body(name: str) -> None:
    story, annotation = load(name)
    items = list(story.ticker)
    assert len(items) == len(annotation["ticker"])
    for item, expected in zip(items, annotation["ticker"], strict=True):
        if expected["headline"]:
            assert norm(item.display_headline) == norm(expected["headline"])
        if re.search(r"ago|vor", expected["time"] or ""):
            assert item.stamp is not None and norm(item.stamp) == norm(expected["time"])
            assert item.time is not None and item.published_at is not None
        else:
            assert item.time == clock(expected["time"])
        wanted = expected["body_has"]
        for phrase in [wanted] if isinstance(wanted, str) else wanted:
            assert contains("\n".join(item.body), phrase), phrase


@pytest.mark.parametrize("name", ANNOTATED)
def test_quotes_have_their_speaker_and_role(name: str) -> None:
    story, annotation = load(name)
    for expected in annotation["quotes"]:
        found = [q for q in story.quotes if contains(q.text, expected["text"])]
        assert found, expected["text"]
        names = [expected["speaker"], *expected.get("speaker_alt", [])]
        assert any(
            found[0].speaker and norm(n).split()[-1] in norm(found[0].speaker).split()
            for n in names
        ), (expected["text"], found[0].speaker)
        roles = [expected["role"], *expected.get("role_alt", [])]
        got = found[0].role
        assert (got is None and None in roles) or any(
            r is not None and got is not None and all(w in norm(got) for w in norm(r).split())
            for r in roles
        ), (expected["text"], got)


@pytest.mark.parametrize("name", ANNOTATED)
def test_people_under_their_exact_names(name: str) -> None:
    story, annotation = load(name)
    names = {p.name for p in story.people}
    for person in annotation["people"]:
        assert person["name"] in names


@pytest.mark.parametrize("name", ANNOTATED)
def test_furniture_is_nowhere_and_the_main_text_is_the_article(name: str) -> None:
    story, annotation = load(name)
    text = everything(story)
    for furniture in annotation["cta"] + annotation["not_anywhere"]:
        assert not contains(text, furniture), furniture
    main = "\n".join([story.lead, *story.body])
    for phrase in annotation["body_has"]:
        assert contains(main, phrase), phrase
    for phrase in annotation["not_in_body"]:
        assert not contains(main, phrase) if norm(phrase) else phrase not in main, phrase
