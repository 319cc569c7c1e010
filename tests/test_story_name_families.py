"""Families of speakers and names seen on outlets' pages: an unnamed spokesperson speaks for
the body the page describes, and a multi-part name in apposition keeps all its parts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.story import parse_story

NOW = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)


def _on_a_page(paragraph: str) -> str:
    """A page of a headline, a first paragraph and `paragraph`."""
    return f"Schlagzeile der Seite\n\nDer erste Absatz der Seite.\n\n{paragraph}\n"


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


OFFICES_EN = "\n\n".join(
    [
        "Hospital cover to end",
        "The emergency department will close at night from January.",
        "Minister for Health Ciarán Ó Faoláin said in a statement that the decision was"
        ' "clinical, not political".',
        'Local TD Declan Furey said he would raise it. "The Minister can hide behind a review,"'
        " he said.",
        'Dr Niamh Gilligan, a GP in nearby Cloonlara, said: "They will wait until morning."',
        '"She would not be here," said Mr Concannon, a retired postman.',
    ]
)
OFFICES_DE = "\n\n".join(
    [
        "Werk vor dem Aus",
        "Die Belegschaft legte am Abend die Arbeit nieder.",
        "Der Erste Bevollmächtigte der IG Metall Rosenbach, Tobias Wimmer, sprach von einer"
        " „Entscheidung ohne jeden Blick für die Region“.",
        "Hohenrieds Bürgermeister Georg Stadler zeigte sich erschüttert. „Brenner ist das Herz"
        " dieser Stadt“, sagte der Rathauschef.",
    ]
)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            OFFICES_EN,
            [
                ("Ciarán Ó Faoláin", "Minister for Health"),
                ("Declan Furey", "TD"),
                ("Niamh Gilligan", "GP"),
                ("Concannon", "retired postman"),
            ],
        ),
        (
            OFFICES_DE,
            [("Tobias Wimmer", "Bevollmächtigte"), ("Georg Stadler", "Bürgermeister")],
        ),
    ],
    ids=["en", "de"],
)
def test_offices_and_trades_of_any_kind_make_speakers_with_roles(
    page: str, expected: list[tuple[str, str]]
) -> None:
    # Titles of other parliaments (TD), trades (GP, postman), "Minister for …" before a
    # name with particles, German offices and the mayor's epithet "der Rathauschef".
    story = parse_story(page, now=NOW)
    got = [(q.speaker, q.role or "") for q in story.quotes]
    assert [speaker for speaker, _ in got] == [name for name, _ in expected]
    assert all(word in role for (_, role), (_, word) in zip(got, expected, strict=True))


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "Roads were closed, an RCMP spokesperson said, but drivers were asked to"
            ' "stay off the roads".',
            "RCMP",
        ),
        (
            'A Downing Street spokesman said the PM was "disappointed but determined".',
            "Downing Street",
        ),
        (
            "Die Frühschicht soll nach Angaben des Betriebsrats wieder arbeiten – allerdings nur,"
            " „um Liefertermine zu halten“, wie Lechner sagte.",
            "Lechner",
        ),
        (
            "Die Schicht soll arbeiten, „um Termine zu halten“, wie der Betriebsrat mitteilte.",
            "Betriebsrat",
        ),
    ],
    ids=["acronym-body", "named-body", "wie-name-sagte", "wie-body-mitteilte"],
)
def test_the_speaker_named_around_the_quote(text: str, speaker: str) -> None:
    story = parse_story(_on_a_page(text), now=NOW)
    assert [q.speaker for q in story.quotes] == [speaker]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        (
            "Daniel Harrow resigns as Housing Secretary after the vote. In it, the 47-year-old"
            ' says the bill had been "changed beyond recognition".',
            ("Daniel Harrow", "Housing Secretary"),
        ),
        (
            "Anna Weber wird neue Landrätin. „Wir packen es an“, sagte sie.",
            ("Anna Weber", "Landrätin"),
        ),
        (
            "Jens Kurz tritt als Innenminister zurück. „Es ist Zeit“, sagte er.",
            ("Jens Kurz", "Innenminister"),
        ),
    ],
    ids=["resigns-as", "wird-neue", "tritt-als-zurück"],
)
def test_a_person_taking_up_or_leaving_an_office_has_it_as_role(
    text: str, person: tuple[str, str]
) -> None:
    story = parse_story(_on_a_page(text), now=NOW)
    assert [(p.name, p.role) for p in story.people] == [person]
    assert [q.speaker for q in story.quotes] == [person[0]]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        (
            "„Sie haben richtig reagiert“, sagte Ortsstellenleiter Stefan Gasser von der"
            " Bergrettung. „Wir sind froh“, sagte Karl-Heinz von der Weiden.",
            ["Stefan Gasser", "Karl-Heinz von der Weiden"],
        ),
        (
            'The White House said the president would sign the bill. "We will have the votes,"'
            " House Speaker Daniel Orr told reporters.",
            ["Daniel Orr"],
        ),
        (
            'Trooper Dana Whitcomb said: "That was the news we had been waiting for."',
            ["Dana Whitcomb"],
        ),
    ],
    ids=["body-after-von-der", "seat-of-government", "trooper"],
)
def test_names_end_where_the_person_does(text: str, speakers: list[str]) -> None:
    story = parse_story(_on_a_page(text), now=NOW)
    assert [q.speaker for q in story.quotes] == speakers
    assert {p.name for p in story.people} == set(speakers)


@pytest.mark.parametrize(
    ("text", "person"),
    [
        (
            "Der Bürgermeister von Feistritz am Kaltbach, Herwig Pichler, ist fassungslos."
            " „So etwas gab es hier noch nie“, sagte der ÖVP-Politiker.",
            ("Herwig Pichler", "Bürgermeister von Feistritz am Kaltbach"),
        ),
        (
            "Landeshauptmann-Stellvertreterin Daniela Kogler-Wurzer hat Hilfe zugesagt."
            " „Niemand wird alleingelassen“, sagte sie.",
            ("Daniela Kogler-Wurzer", "Landeshauptmann-Stellvertreterin"),
        ),
        (
            "Amtsinhaber Oliver Brandstätter räumte nichts ein. „Jede Stimme zählt“, sagte er.",
            ("Oliver Brandstätter", "Amtsinhaber"),
        ),
        (
            "The hospital's chief medical officer, Dr. Samuel Okafor, told reporters his team"
            ' had treated "broken bones".',
            ("Samuel Okafor", "chief medical officer"),
        ),
    ],
    ids=["place-with-am", "compound-deputy", "incumbent", "courtesy-in-apposition"],
)
def test_roles_before_names_in_apposition_and_compounds(text: str, person: tuple[str, str]) -> None:
    story = parse_story(_on_a_page(text), now=NOW)
    assert [(p.name, p.role) for p in story.people] == [person]
    assert [q.speaker for q in story.quotes] == [person[0]]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        (
            "„Wir kommen nicht durch“, sagte Truppführer Wolfgang van der Meulen.",
            ("Wolfgang van der Meulen", "Truppführer"),
        ),
        (
            '"We prayed," said Fr Liam Ó Gallchobhair, the parish priest.',
            ("Liam Ó Gallchobhair", "parish priest"),
        ),
        (
            '"The crew were magnificent," said lifeboat coxswain Angus Morrison.',
            ("Angus Morrison", "lifeboat coxswain"),
        ),
    ],
    ids=["compound-leader", "priest-with-title", "coxswain"],
)
def test_a_role_or_title_after_the_verb_is_no_part_of_the_name(
    text: str, person: tuple[str, str]
) -> None:
    story = parse_story(_on_a_page(text), now=NOW)
    assert [(p.name, p.role) for p in story.people] == [person]
    assert [q.speaker for q in story.quotes] == [person[0]]
