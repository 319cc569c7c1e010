"""The probe pages (tests/pages-probe/) do not fall back below what the importer reached on them.

They are no held-out figure any more (the importer was fixed against their families); the
floors are the counts when the fixes were made, over the whole set, by the rules of the
shared page scorer (tests/page_scores.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.page_scores import Score, score_pages

PROBE = Path(__file__).resolve().parent / "pages-probe"
PAGES = sorted(p.stem for p in PROBE.glob("*.json") if p.with_suffix(".txt").exists())
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
FLOORS = {
    "quotes": 205,
    "speakers": 177,
    "roles": 166,
    "people": 107,
    "ticker items": 120,
    "times": 120,
    "item bodies": 120,
    "main text": 261,
    "furniture": 533,
}


@pytest.fixture(scope="module")
def probe_score() -> Score:
    return score_pages(PROBE, NOW)


def test_the_set_is_the_24_probe_pages() -> None:
    assert len(PAGES) == 24


@pytest.mark.parametrize("metric", list(FLOORS))
def test_field_keeps_its_floor_over_the_probe_set(probe_score: Score, metric: str) -> None:
    hits, total = probe_score.counts[metric]
    misses = [m for m in probe_score.misses if f": {metric}: " in m]
    assert hits >= FLOORS[metric], (f"{metric} {hits}/{total} < {FLOORS[metric]}", misses)
