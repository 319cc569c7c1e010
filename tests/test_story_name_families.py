"""Families of speakers and names seen on outlets' pages: an unnamed spokesperson speaks for
the body the page describes, and a multi-part name in apposition keeps all its parts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.story import parse_story

NOW = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)

STRIKE_EN = """Airline strike: flights grounded across Europe

Thousands of passengers were stranded on Friday as cabin crew walked out.

A spokesperson for the transport ministry said: "Contingency plans are in place."

A spokeswoman for the state health department said the hospitals were "coping so far".
"""

SUMMIT_DE = """Gipfel in Brüssel: Einigung in Sicht

Die Staats- und Regierungschefs beraten seit dem Morgen über den Haushalt.

Ursula von der Leyen, die Präsidentin der EU-Kommission, mahnte zur Einigung.

Peter van den Berg, der Vorsitzende des Haushaltsausschusses, warnte vor Kürzungen.
"""


def test_a_spokesperson_for_a_described_body_speaks_for_it() -> None:
    story = parse_story(STRIKE_EN, now=NOW)
    speakers = [(q.speaker, q.role) for q in story.quotes]
    assert speakers == [
        ("transport ministry", "spokesperson"),
        ("state health department", "spokeswoman"),
    ]


def test_a_name_with_particles_in_apposition_is_a_person_with_its_role() -> None:
    story = parse_story(SUMMIT_DE, now=NOW)
    people = {(p.name, p.role) for p in story.people}
    assert ("Ursula von der Leyen", "Präsidentin der EU-Kommission") in people
    assert ("Peter van den Berg", "Vorsitzende des Haushaltsausschusses") in people
