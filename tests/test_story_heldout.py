"""Issue 8's targets on the held-out pages (tests/pages-heldout/), annotated before any import.

Each field is scored over the whole set, by the rules of the shared page scorer
(tests/page_scores.py), and must reach its target; a miss lists what the importer got wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.page_scores import TARGETS, Score, score_pages

HELDOUT = Path(__file__).resolve().parent / "pages-heldout"
PAGES = sorted(p.stem for p in HELDOUT.glob("*.json") if p.with_suffix(".txt").exists())
# After every page's own dates, so that no stamp lies in the future of the import.
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def heldout_score() -> Score:
    return score_pages(HELDOUT, NOW)


def test_the_set_is_the_ten_heldout_pages() -> None:
    assert len(PAGES) == 10


@pytest.mark.parametrize("metric", list(TARGETS))
def test_field_reaches_its_target_over_the_heldout_set(heldout_score: Score, metric: str) -> None:
    hits, total = heldout_score.counts[metric]
    assert total > 0, f"the annotations check no {metric}"
    misses = [m for m in heldout_score.misses if f": {metric}: " in m]
    assert heldout_score.share(metric) >= TARGETS[metric], (
        f"{metric} {hits}/{total} < {TARGETS[metric]:.0%}",
        misses,
    )
