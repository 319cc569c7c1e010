"""Decoding, sentence splitting, language, quotation marks, headlines and furniture."""

from __future__ import annotations

import pytest

from bot.story import (
    StoryError,
    decode_page,
    detect_language,
    display_headline,
    parse_story,
    split_sentences,
)
from bot.story.furniture import is_furniture, is_ticker_marker, parse_stamp
from bot.story.marks import quote_spans

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(40))


# -- decode_page --------------------------------------------------------------------------
@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", "\ufeff \n".encode()])
def test_empty_pages_are_refused(data: bytes) -> None:
    with pytest.raises(StoryError) as error:
        decode_page(data)
    assert error.value.code == "empty"


@pytest.mark.parametrize("data", [PNG, ZIP, b"text\x00with\x00nul", bytes(range(32)) * 20])
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(StoryError) as error:
        decode_page(data)
    assert error.value.code == "binary"


def test_pages_above_the_limit_are_refused() -> None:
    with pytest.raises(StoryError) as error:
        decode_page(b"Ein Satz.\n" * 500_000)  # 5 MB
    assert error.value.code == "too_large"


def test_the_limit_is_configurable() -> None:
    assert decode_page(b"abc", max_bytes=3) == "abc"
    with pytest.raises(StoryError):
        decode_page(b"abcd", max_bytes=3)


def test_utf8_with_bom() -> None:
    assert decode_page("\ufeffAußenminister".encode()) == "Außenminister"


def test_utf16_with_bom() -> None:
    assert decode_page("Außenminister „zitiert“".encode("utf-16")) == "Außenminister „zitiert“"


def test_latin1_is_decoded_correctly() -> None:
    assert decode_page("Außenminister Müller".encode("latin-1")) == "Außenminister Müller"


def test_windows_1252_quotes_are_decoded() -> None:
    assert decode_page("„Nein“, sagte er – ok".encode("cp1252")) == "„Nein“, sagte er – ok"


def test_newlines_and_nfc_are_normalised() -> None:
    decomposed = "Mu\u0308ller\r\nzwei\rdrei"
    assert decode_page(decomposed.encode()) == "Müller\nzwei\ndrei"


def test_mostly_utf8_with_a_stray_byte_stays_utf8() -> None:
    data = "Außenminister „Müller“ sagte".encode() + b"\xff"
    assert decode_page(data).startswith("Außenminister „Müller“ sagte")


def test_parse_story_refuses_pages_without_text() -> None:
    for text in ["", "   ", "Anzeige\nVerfolgen Sie uns auf X.\n+++ Liveticker +++"]:
        with pytest.raises(StoryError) as error:
            parse_story(text)
        assert error.value.code == "empty"


# -- split_sentences ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Er kam z. B. am 3. Oktober um 18.45 Uhr. Dann ging er.",
            "de",
            ["Er kam z. B. am 3. Oktober um 18.45 Uhr.", "Dann ging er."],
        ),
        (
            "Dr. Weber und Prof. Klein u. a. kamen. Sie blieben.",
            "de",
            ["Dr. Weber und Prof. Klein u. a. kamen.", "Sie blieben."],
        ),
        (
            "Das war im Jahr 2022. Es folgte mehr.",
            "de",
            ["Das war im Jahr 2022.", "Es folgte mehr."],
        ),
        (
            "Mr. Smith went to the U.S. Embassy. He left at 6 p.m. on Friday.",
            "en",
            ["Mr. Smith went to the U.S. Embassy.", "He left at 6 p.m. on Friday."],
        ),
        (
            "„Wir bleiben. Wir kämpfen.“ Das sagte sie. Dann ging sie.",
            "de",
            ["„Wir bleiben. Wir kämpfen.“", "Das sagte sie.", "Dann ging sie."],
        ),
        (
            '"We stay. We fight," she said. Then she left!',
            "en",
            ['"We stay. We fight," she said.', "Then she left!"],
        ),
        ("Erste Zeile\nZweite Zeile.", "de", ["Erste Zeile", "Zweite Zeile."]),
        ("„Wirklich?“, fragte er. Ja.", "de", ["„Wirklich?“, fragte er.", "Ja."]),
    ],
)
def test_split_sentences(text: str, language: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


def test_sentences_are_verbatim_substrings() -> None:
    text = "Erstens:  das. Zweitens … das! Drittens?  Ja."
    for sentence in split_sentences(text, "de"):
        assert sentence in text


# -- detect_language ----------------------------------------------------------------------
def test_detect_language() -> None:
    assert detect_language("Die Ukraine will mit der NATO über den Beitritt reden.") == "de"
    assert detect_language("The ministers said that the talks were over for the day.") == "en"
    assert detect_language("") == "de"


# -- quotation marks ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Er sagte „ja“ und ging.", ["ja"]),
        ("Er sagte “ja“ und ging.", ["ja"]),
        ("Er sagte »ja« und ging.", ["ja"]),
        ("Il a dit «oui» et parti.", ["oui"]),
        ('He said "yes" and left.', ["yes"]),
        ("He said ‘yes’ and Putin’s men left.", ["yes"]),
        ("Es ist “die Lösung„, sagte er.", ["die Lösung"]),
        (
            "„nur wahr„Sicherheit gegenüber Russland“, so Kiew.",
            ["nur wahr„Sicherheit gegenüber Russland"],
        ),
        ("Ein „offenes Zitat ohne Ende.", []),
        ("Ein Ende ohne Anfang“ hier.", []),
        ("„A“ und „B“ und „C“", ["A", "B", "C"]),
    ],
)
def test_quote_marks_are_paired_by_context(text: str, quoted: list[str]) -> None:
    assert [text[s + 1 : e] for s, e, _ in quote_spans(text)] == quoted


def test_broken_quotes_never_crash_and_are_reported() -> None:
    story = parse_story(
        "Titel der Seite\nDer Minister sagte „nie wieder und ging. Dann kam “ nichts„ mehr“."
    )
    assert story.warnings
    for quote in story.quotes:
        assert quote.text and quote.text[0] not in '„“”"»«' and quote.text[-1] not in '„“”"»«'


# -- headlines ----------------------------------------------------------------------------
def test_display_headline_restores_names_from_the_story() -> None:
    story = "Der Moderator Tucker Carlson war in Russland. Er sprach mit der NATO-Spitze."
    assert display_headline("TUCKER CARLSON NOCH IN RUSSLAND", story) == (
        "Tucker Carlson noch in Russland"
    )
    assert display_headline("NATO WARNT RUSSLAND", story) == "NATO warnt Russland"


def test_display_headline_leaves_mixed_case_alone() -> None:
    assert display_headline("Carlson noch in Russland", "") == "Carlson noch in Russland"


def test_display_headline_without_vocabulary_uses_sentence_case() -> None:
    assert display_headline("STORM HITS THE COAST", "") == "Storm hits the coast"


# -- furniture, markers and stamps --------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "Verfolgen Sie die neuesten Informationen zum Konflikt.",
        "Lesen Sie auch: Was jetzt kommt",
        "Mehr zum Thema",
        "Jetzt abonnieren",
        "Anzeige",
        "ADVERTISEMENT",
        "Follow our live coverage here",
        "Sign up for our newsletter",
        "Read more: The talks in full",
        "Share this article",
        "Teilen | Facebook | X | E-Mail",
        "Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.",
        "Von Anna Schmidt und Peter Meyer, Berlin",
        "By Jane Doe",
        "Foto: dpa",
        "© dpa",
        "(AFP)",
        "Stand: 03.12.2024, 18:50 Uhr",
        "Updated: 6:45 p.m. ET",
        "Newsletter: Die wichtigsten Nachrichten",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "Die Ukraine will mögliche Friedensverhandlungen mit Russland angehen.",
        "„Verfolgen Sie uns nicht“, sagte der Minister.",
        "Von Kiew aus reiste der Minister nach Brüssel weiter.",
        "Share prices fell sharply after the announcement on Monday.",
        "Minute für Minute",
    ],
)
def test_text_lines_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


@pytest.mark.parametrize(
    "line",
    ["Minute für Minute", "+++ Liveticker +++", "Live-Ticker", "Live updates", "Der Newsblog"],
)
def test_ticker_markers(line: str) -> None:
    assert is_ticker_marker(line)


@pytest.mark.parametrize(
    ("line", "time", "rest"),
    [
        ("18:45 Uhr – TUCKER CARLSON", "18:45", "TUCKER CARLSON"),
        ("09:12 HEADLINE HERE", "09:12", "HEADLINE HERE"),
        ("18.45 Uhr: Eine Überschrift", "18:45", "Eine Überschrift"),
        ("6:45 p.m. ET", "18:45", ""),
        ("12:05 a.m.", "00:05", ""),
        ("+++ 18:45 Uhr +++", "18:45", ""),
        ("03.12.2024, 7:05 Uhr: Neue Angriffe", "07:05", "Neue Angriffe"),
    ],
)
def test_time_stamps(line: str, time: str, rest: str) -> None:
    stamp = parse_stamp(line)
    assert stamp is not None
    assert (stamp.clock, stamp.rest) == (time, rest)


@pytest.mark.parametrize(
    "line", ["32 NATO-Länder kamen.", "10.000 Soldaten", "2022 war ein Jahr.", "18.45 Euro"]
)
def test_numbers_are_not_time_stamps(line: str) -> None:
    assert parse_stamp(line) is None


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.story; print(sorted(m for m in sys.modules if m.startswith('telegram')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]"
