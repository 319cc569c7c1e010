"""Scores an import against a hand annotation in the format of the shared pages-dev pages.

The rules follow the shared page scorer (score_pages.py, outside the repository) so that a
test over annotated pages reports the same figures as the scorer the importer is judged by:
what counts as a found quote, a right speaker, a right role, a found ticker item and so on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.story import decode_page, parse_story

# Issue 8's targets, per field over a whole set of pages.
TARGETS = {
    "quotes": 0.98,
    "speakers": 0.90,
    "roles": 0.85,
    "people": 0.90,
    "ticker items": 0.95,
    "times": 0.95,
    "item bodies": 0.90,
    "main text": 0.90,
    "furniture": 0.90,
}

STOP = {
    "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem",
    "einen", "von", "vom", "im", "in", "am", "an", "zu", "zum", "zur", "und", "bei",
    "the", "a", "of", "for", "to", "at", "and", "s", "on",
}  # fmt: skip

# A speaker that holds one of these words has its role glued to the name ("Ministerin Vogt").
ROLE_WORDS = {
    "präsident", "präsidentin", "kanzler", "kanzlerin", "bundeskanzler", "bundeskanzlerin",
    "minister", "ministerin", "ministerpräsident", "ministerpräsidentin", "sprecher",
    "sprecherin", "polizeisprecher", "regierungssprecher", "bürgermeister",
    "bürgermeisterin", "landrat", "landrätin", "oberstleutnant", "oberst", "general",
    "generalsekretär", "chef", "chefin", "leiter", "leiterin", "staatschef", "virologe",
    "virologin", "meteorologe", "meteorologin", "kreisbrandmeister", "kommandeur",
    "gouverneur", "sondergesandte", "sondergesandter", "berater", "beraterin", "politiker",
    "politikerin", "bundesfinanzminister", "verteidigungsminister", "us",
    "präsidentenberater", "hauptmann", "bundesrat", "bundesrätin", "stadtrat", "stadträtin",
    "vorstandschef", "vorstandschefin", "direktor", "direktorin", "professor", "professorin",
    "prof", "landeshauptmann", "landeshauptfrau", "abgeordnete", "abgeordneter",
    "president", "prime", "secretary", "spokesperson", "spokesman",
    "spokeswoman", "chief", "executive", "adviser", "advisor", "mayor", "director",
    "ambassador", "reporter", "official", "harbourmaster", "deputy", "press", "defence",
    "defense", "governor", "gov", "sen", "senator", "rep", "commissioner", "chancellor",
    "superintendent", "inspector", "sheriff", "chair", "chairman", "chairwoman",
    "mr", "mrs", "ms", "dr", "herr", "frau", "gen", "lord",
}  # fmt: skip


def norm(text: str | None) -> str:
    """Lower-case letters and digits, single spaces: quote marks and punctuation do not count."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def contains(hay: str, needle: str) -> bool:
    """The needle's words stand as whole words in the hay."""
    wanted = norm(needle)
    return not wanted or f" {wanted} " in f" {norm(hay)} "


def content_words(text: str | None) -> list[str]:
    return [w for w in norm(text).split() if w not in STOP]


def same_stem(wanted: str, got: str) -> bool:
    """Equal up to a German inflection ending ("russische" / "russischer")."""
    keep = max(4, len(wanted) - 3)
    return wanted == got or (len(got) >= keep and got[:keep] == wanted[:keep])


def role_ok(expected: dict[str, Any], got: str | None) -> bool:
    accepted = [expected.get("role"), *expected.get("role_alt", [])]
    if not got:
        return None in accepted
    got_words = norm(got).split()
    return any(
        role is not None
        and (need := content_words(role))
        and all(any(same_stem(w, g) for g in got_words) for w in need)
        for role in accepted
    )


def speaker_ok(expected: dict[str, Any], got: str | None) -> bool:
    """The surname starts a word of the speaker, and no role word is glued to the name."""
    if not got:
        return False
    names = [expected["speaker"], *expected.get("speaker_alt", [])]
    got_words = norm(got).split()
    surnames = [norm(n).split()[-1] for n in names if norm(n)]
    if not any(w.startswith(s) for s in surnames for w in got_words):
        return False
    own = {w for n in names for w in norm(n).split()}
    role_words = set(ROLE_WORDS)
    for role in [expected.get("role"), *expected.get("role_alt", [])]:
        role_words |= set(content_words(role))
    return not any(w in role_words - own for w in got_words)


def clock(stamp: str | None) -> str | None:
    """HH:MM of a stamp ("9:58 PM" -> "21:58"), the normalised text where it has no clock."""
    if not stamp:
        return None
    match = re.search(r"(\d{1,2})[:.](\d{2})\s*(a\.?m\.?|p\.?m\.?|am|pm)?", stamp, re.I)
    if not match:
        return norm(stamp)
    hour, minute, half = int(match.group(1)), int(match.group(2)), match.group(3)
    if half:
        hour = hour % 12 + (12 if half.lower().startswith("p") else 0)
    return f"{hour:02d}:{minute:02d}"


RELATIVE = re.compile(r"\bago\b|\bvor\b|\bmin\b|\bstd\b|\bhr\b", re.I)


def is_relative(stamp: str | None) -> bool:
    return bool(RELATIVE.search(stamp or ""))


def quote_match(expected: str, got: str) -> int:
    """3 same words, 2 the expected inside a longer quote, 1 a piece of >= 80 %, 0 none."""
    want, have = norm(expected), norm(got)
    if not want or not have:
        return 0
    if want == have:
        return 3
    if f" {want} " in f" {have} ":
        return 2
    if f" {have} " in f" {want} " and len(have) >= 0.8 * len(want):
        return 1
    return 0


def texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value or []]


def everything(out: dict[str, Any]) -> str:
    """All text a reader could meet: title, lead, body, summary, quotes and ticker."""
    parts = [out.get("title") or "", out.get("lead") or ""]
    parts += texts(out.get("body")) + texts(out.get("summary"))
    for q in out.get("quotes") or []:
        parts += [q.get("text") or "", q.get("speaker") or "", q.get("role") or ""]
    for t in out.get("ticker") or []:
        parts += [t.get("headline") or "", t.get("display_headline") or "", *texts(t.get("body"))]
    return "\n".join(parts)


@dataclass
class Score:
    """Hits and checks per field, and a line for every miss."""

    counts: dict[str, list[int]] = field(default_factory=lambda: {m: [0, 0] for m in TARGETS})
    misses: list[str] = field(default_factory=list)

    def add(self, metric: str, hit: bool, miss: str = "") -> None:
        self.counts[metric][0] += int(hit)
        self.counts[metric][1] += 1
        if not hit and miss:
            self.misses.append(f"{metric}: {miss}")

    def merge(self, other: Score, page: str) -> None:
        for metric, (hits, total) in other.counts.items():
            self.counts[metric][0] += hits
            self.counts[metric][1] += total
        self.misses += [f"{page}: {m}" for m in other.misses]

    def share(self, metric: str) -> float:
        hits, total = self.counts[metric]
        return hits / total if total else 1.0


def score_import(annotation: dict[str, Any], out: dict[str, Any]) -> Score:
    """Score one import (the `--dry-run --json` shape) against its page's annotation."""
    score = Score()
    _score_quotes(score, annotation, out.get("quotes") or [])
    names = {" ".join((p.get("name") or "").split()) for p in out.get("people") or []}
    for person in annotation.get("people", []):
        found = any(n in names for n in [person["name"], *person.get("name_alt", [])])
        score.add("people", found, person["name"])
    _score_ticker(score, annotation, out.get("ticker") or [])
    main_text = "\n".join([out.get("lead") or "", *texts(out.get("body"))])
    for phrase in annotation.get("body_has", []):
        score.add("main text", contains(main_text, phrase), f"lacks {phrase!r}")
    for phrase in annotation.get("not_in_body", []):
        # A pure separator ("+++") has no words to look for; it must not stand there as typed.
        kept = contains(main_text, phrase) if norm(phrase) else phrase in main_text
        score.add("main text", not kept, f"holds {phrase!r}")
    all_text = everything(out)
    for phrase in annotation.get("cta", []) + annotation.get("not_anywhere", []):
        score.add("furniture", not contains(all_text, phrase), f"kept {phrase!r}")
    return score


def _score_quotes(score: Score, annotation: dict[str, Any], got: list[dict[str, Any]]) -> None:
    for expected in annotation.get("quotes", []):
        best, best_i = 0, -1
        for i, quote in enumerate(got):
            match = quote_match(expected["text"], quote.get("text") or "")
            if match > best:
                best, best_i = match, i
        score.add("quotes", best > 0, repr(expected["text"]))
        if best == 0:
            score.add("speakers", False)
            score.add("roles", False)
            continue
        quote = got[best_i]
        speaker = speaker_ok(expected, quote.get("speaker"))
        what = f"{expected['text'][:40]!r} got {quote.get('speaker')!r} ({quote.get('role')!r})"
        score.add("speakers", speaker, f"{what}, want {expected['speaker']!r}")
        # A role is only right for the right speaker.
        right_role = speaker and role_ok(expected, quote.get("role"))
        score.add("roles", right_role, f"{what}, want role {expected['role']!r}")


def _score_ticker(score: Score, annotation: dict[str, Any], got: list[dict[str, Any]]) -> None:
    used: set[int] = set()
    for expected in annotation.get("ticker", []):
        wanted = texts(expected.get("body_has"))
        index = _find_item(expected, wanted, got, used)
        label = expected.get("headline") or repr(wanted[:1])
        score.add("ticker items", index >= 0, label)
        if index < 0:
            score.add("times", False)
            score.add("item bodies", False)
            continue
        used.add(index)
        item = got[index]
        if expected.get("time") is None:
            time_ok = item.get("time") is None
        elif is_relative(expected["time"]):
            time_ok = item.get("time") is not None  # any resolved time will do
        else:
            time_ok = clock(item.get("time")) == clock(expected["time"])
        score.add("times", time_ok, f"{label} got {item.get('time')!r}, want {expected['time']!r}")
        body = texts(item.get("body"))
        if not expected.get("headline"):
            body.append(item.get("headline") or "")
        missing = [w for w in wanted if not contains("\n".join(body), w)]
        score.add("item bodies", not missing, f"{label} lacks {missing}")


def _find_item(
    expected: dict[str, Any], wanted: list[str], got: list[dict[str, Any]], used: set[int]
) -> int:
    """By headline; an item without a printed headline by its first body words, its time first."""
    if expected.get("headline"):
        for i, item in enumerate(got):
            heads = (norm(item.get("headline")), norm(item.get("display_headline")))
            if i not in used and norm(expected["headline"]) in heads:
                return i
        return -1
    candidates = []
    for i, item in enumerate(got):
        text = "\n".join([item.get("headline") or "", *texts(item.get("body"))])
        if i not in used and wanted and contains(text, wanted[0]):
            candidates.append((clock(item.get("time")) == clock(expected.get("time")), -i))
    return -max(candidates)[1] if candidates else -1


def score_pages(folder: Path, now: datetime) -> Score:
    """The importer's score over every annotated page of `folder`, imported at `now`."""
    total = Score()
    for annotation_path in sorted(folder.glob("*.json")):
        page = annotation_path.with_suffix(".txt")
        if not page.exists():
            continue
        annotation = json.loads(annotation_path.read_text(encoding="utf-8"))
        story = parse_story(decode_page(page.read_bytes()), now=now)
        total.merge(score_import(annotation, story.to_json_dict()), annotation_path.stem)
    return total
