"""The seed page, and the same page as the site shows it later with one more ticker item."""

from __future__ import annotations

from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "ukraine-nato-liveblog.de.txt"
NEW_ITEM = (
    "18:45 Uhr – RUTTE TRIFFT SYBIGA IN BRÜSSEL\n"
    "NATO-Generalsekretär Mark Rutte hat am Abend den ukrainischen Außenminister Andriï Sybiga"
    " empfangen. Über Ergebnisse wurde zunächst nichts bekannt.\n"
)


def changed_seed() -> str:
    """The seed with a new, time-stamped item on top of its ticker block."""
    text = SEED.read_text(encoding="utf-8")
    changed = text.replace("Minute für Minute\n", "Minute für Minute\n" + NEW_ITEM, 1)
    assert changed != text
    return changed
