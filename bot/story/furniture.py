"""What a page's lines are: furniture, ticker markers, time-stamped item lines, headlines.

The rules describe kinds of lines found on German and English news pages (calls to action,
share bars, bylines, section labels), never the wording of one page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.story.words import lazy, wordset

_BULLETS = "►▶▸→»>•·*–—-+|#■□▪ "

# German formal imperative at the start of a short line: "Verfolgen Sie …", "Lesen Sie …".
_GERMAN_IMPERATIVE = lazy(r"^[A-ZÄÖÜ][a-zäöüß]+(?:en|ern|eln) Sie\b(?! sagte| sagten)")
_CALL_TO_ACTION = lazy(
    r"""^(?:
        mehr\s+(?:zum\s+thema|dazu|lesen|erfahren|anzeigen|news|nachrichten|videos?)
      | (?:das\s+)?könnte\s+sie\s+auch\s+interessieren | auch\s+interessant | zum\s+thema\b
      | weitere\s+(?:artikel|nachrichten|informationen\s+im|news)
      | jetzt\s+(?:abonnieren|anmelden|lesen|kostenlos|registrieren|teilen|herunterladen
                 |testen|weiterlesen|abschließen|entdecken|bestellen|hören|ansehen)
      | hier\s+(?:geht'?s|gehts|lesen|klicken|abonnieren|anmelden|finden\s+sie|können\s+sie)
      | zum\s+(?:newsletter|liveblog|live-?ticker|artikel|video|podcast|abo)
      | zur\s+(?:startseite|übersicht|anmeldung|bildergalerie)
      | (?:artikel|beitrag|seite)\s+(?:teilen|anhören|vorlesen|drucken|merken|verschenken)
      | weiterlesen | alle\s+(?:artikel|news|entwicklungen|infos)\b.*\b(?:im|in\s+unserem)\b
      | empfohlener\s+redaktioneller\s+inhalt | externer\s+inhalt | meistgelesen | top-?themen
      | follow\s+(?:our|us|the\s+latest|live|along|all\s+the|@)
      | sign\s+up | subscribe\b | read\s+(?:more|also|next|the\s+full|our)\b | related\s*:
      | more\s+(?:on\s+this|from|coverage|stories|news)\b | see\s+also | recommended\s*(?::|$)
      | most\s+(?:read|popular|viewed) | click\s+here | tap\s+here | download\s+(?:our|the)\s+app
      | get\s+(?:the\s+latest|our|breaking|unlimited) | join\s+(?:us|our|the\s+conversation)
      | share\s+(?:this|on|via|article|story)\b | don'?t\s+miss | continue\s+reading
      | story\s+continues | skip\s+(?:to|advertisement|ad) | listen\s+to\s+(?:this|the)\s+article
      | watch\s*: | listen\s*: | supported\s+by | support\s+(?:our|independent)\s+journalism
      | we\s+use\s+cookies | accept\s+(?:all\s+)?cookies | wir\s+verwenden\s+cookies
      | diese\s+(?:seite|website)\s+verwendet | copyright\b | ©
      | all\s+rights\s+reserved | alle\s+rechte\s+vorbehalten
      | this\s+(?:article|story)\s+(?:is|was|has\s+been)\s+(?:updated|part|originally)
      | dieser\s+(?:artikel|beitrag)\s+(?:wurde|ist)\s+(?:aktualisiert|zuerst|ursprünglich)
      | (?:stand|aktualisiert|zuletzt\s+aktualisiert|veröffentlicht|updated|published
         |last\s+updated)\s*(?::|am\b|on\b|\d)
      | (?:foto|bild|fotos|bilder|photo|photos|image|credit|quelle|source|grafik|video)\s*:
      | (?:image|photo)\s+(?:caption|credit)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_NEWSLETTER = lazy(r"\bnewsletter|\bcookies?\b|\bpodcast\b.*\b(?:abonnieren|subscribe)", re.I)
_SECTION_WORDS = wordset("""
    anzeige werbung advertisement ad sponsored gesponsert promotion teilen share drucken print
    merken speichern save kommentare kommentieren comments comment e-mail email mail facebook
    twitter x whatsapp telegram linkedin pinterest reddit messenger flipboard xing threads
    bluesky instagram youtube tiktok link kopieren copy startseite home politik ausland inland
    wirtschaft sport kultur panorama meinung news nachrichten world europe europa weltnachrichten
    topthemen top-news breaking eilmeldung live video audio podcast hören anhören listen menü
    menu suche search login anmelden abonnieren subscribe newsletter zurück back weiter next
    schließen close mehr more artikel article
    """)
_BYLINE = lazy(
    r"^(?i:von|by|text|aus|from)\s*:?\s+[A-ZÄÖÜ][\w.'’-]+(?:\s+(?:und|and|&|,)?\s*[A-ZÄÖÜ][\w.'’-]+){0,6}"
    r"(?:\s*(?:,|/|\||–|-)\s*[\wÄÖÜäöüß .]+)?$"
)
_AGENCY = lazy(
    r"^\(?(?:dpa|afp|ap|rtr|reuters|kna|epd|sid|apa|ddp|dts)(?:\s*[/,]\s*\w+)*\)?$", re.I
)
_DATE_ONLY = lazy(
    r"^(?:\w+,?\s+)?(?:\d{1,2}\.\s*\d{1,2}\.\s*\d{2,4}|\d{1,2}\.?\s+[A-Za-zÄÖÜäöü]+\.?\s+\d{4}"
    r"|[A-Za-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{4}-\d{2}-\d{2})"
    r"(?:\s*(?:,|um|at|-|–|\|)?\s*\d{1,2}[:.]\d{2}\s*(?:uhr|h|[ap]\.?m\.?)?\s*\w{0,4})?$",
    re.I,
)
_SYMBOLS_ONLY = lazy(r"^[\W_]+$")

_MARKER = lazy(
    r"""^(?:
        minute\s+für\s+minute | live-?\s?ticker | ticker | (?:der\s+)?news-?\s?blog | live-?\s?blog
      | live\s+updates? | live\s+coverage | latest\s+updates | key\s+(?:events|updates)
      | as\s+it\s+happened | live | die\s+(?:ereignisse|entwicklungen)\s+im\s+(?:überblick|ticker)
      | (?:alle\s+)?(?:aktuellen\s+)?entwicklungen\s+im\s+(?:liveblog|live-?ticker|newsblog)
      | (?:der\s+|zum\s+)?(?:live-?\s?ticker|liveblog|newsblog)\s+(?:zum|zur|zu|on|about)\s+.+
      | .+\s+im\s+(?:live-?\s?ticker|liveblog|newsblog)
      | live\s*(?::|–|-)\s*.+ | live\s+updates?\s*(?::|–|-|on)\s*.+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_MARKER_PHRASES = lazy(
    r"minute für minute|live-?\s?ticker|news-?\s?blog|live-?\s?blog|live updates?|live coverage",
    re.I,
)


def _core(line: str) -> str:
    return line.strip(_BULLETS).strip()


def is_ticker_marker(line: str) -> bool:
    """True for the label that opens a ticker block ("Minute für Minute", "+++ Liveticker +++")."""
    core = _core(line).rstrip(":").strip()
    return 0 < len(core) <= 70 and bool(_MARKER.match(core))


def mentions_ticker(line: str) -> bool:
    """True if a line (such as a page title) names a live format."""
    return bool(_MARKER_PHRASES.search(line))


def is_furniture(line: str) -> bool:
    """True for page furniture: calls to action, share bars, bylines, labels, cookie notes."""
    core = _core(line)
    if not core:
        return bool(line.strip())
    if len(core) > 240 or _mostly_quoted(core):
        return False
    if _SYMBOLS_ONLY.match(core) or _AGENCY.match(core) or _DATE_ONLY.match(core):
        return True
    if _GERMAN_IMPERATIVE.match(core) and len(core) <= 200:
        return True
    if _CALL_TO_ACTION.match(core):
        return True
    if len(core) <= 160 and _NEWSLETTER.search(core):
        return True
    if _BYLINE.match(core) and len(core) <= 80 and not core.endswith("."):
        return True
    tokens = re.split(r"[\s|/·•,>›»]+", core.lower())
    tokens = [t.strip(".:!") for t in tokens if t.strip(".:!")]
    return bool(tokens) and len(tokens) <= 6 and all(t in _SECTION_WORDS for t in tokens)


def _mostly_quoted(core: str) -> bool:
    return core[:1] in "\"„“”«»'‚‘"


@dataclass(frozen=True)
class Stamp:
    """A time stamp at the start of a ticker line and the text after it."""

    time: str
    rest: str


_TIME = lazy(
    r"""^(?:\+{2,}\s*)?
    (?:(?:[A-Z][a-z]{2,8}\.?,?\s+)?\d{1,2}\.\s*\d{1,2}\.(?:\s*\d{2,4})?,?\s+
      |(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+))?
    (?P<hour>[01]?\d|2[0-3])(?:(?P<sep>[:.h])(?P<minute>[0-5]\d))?
    \s*(?P<ampm>[ap]\.?\s?m\.?)?
    \s*(?P<uhr>uhr\b|h\b)?
    \s*(?:(?:MEZ|MESZ|CET|CEST|ET|EST|EDT|GMT|BST|UTC|PT|PST|PDT|CT|Ortszeit|local\stime)\b)?
    \s*(?P<rest>.*)$""",
    re.VERBOSE | re.IGNORECASE,
)
_STAMP_SEPARATORS = ":–—-|/+ \u2013"


def parse_stamp(line: str) -> Stamp | None:
    """The time stamp that opens a ticker line ("18:45 Uhr – …", "6:45 p.m. ET"), if any."""
    match = _TIME.match(line.strip())
    if match is None:
        return None
    minute, ampm, uhr, sep = (match.group(k) for k in ("minute", "ampm", "uhr", "sep"))
    if minute is None and ampm is None:
        return None
    if sep == "." and not (uhr or ampm):
        # "18.45" alone is as likely a number as a time; "18.45 Uhr" is a time.
        return None
    rest = match.group("rest")
    raw_rest = rest
    rest = rest.strip(_STAMP_SEPARATORS).strip()
    # "09:12 HEADLINE" needs the headline to stand apart from the time.
    glued = not line.strip()[match.start("rest") - 1 : match.start("rest")].isspace()
    if raw_rest[:1].isalnum() and not (uhr or ampm) and glued:
        return None
    hour = int(match.group("hour"))
    if ampm:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    return Stamp(f"{hour:02d}:{int(minute or 0):02d}", rest)


_SENTENCE_END = tuple(".;,")


def is_all_caps(line: str) -> bool:
    """True for a line written in capitals ("TUCKER CARLSON NOCH IN RUSSLAND")."""
    letters = [ch for ch in line if ch.isalpha()]
    return len(letters) >= 6 and all(ch.isupper() for ch in letters)


def is_caps_headline(line: str) -> bool:
    """True for an ALL-CAPS item headline of at least two words."""
    core = _core(line)
    return is_all_caps(core) and len(core.split()) >= 2 and len(core) <= 160


def looks_like_headline(line: str, *, max_words: int = 16) -> bool:
    """A short line without closing punctuation: a title or item headline, not a paragraph."""
    core = line.strip()
    if not core or len(core) > 150 or len(core.split()) > max_words:
        return False
    if core.endswith(_SENTENCE_END) or core.endswith((".“", ".”", '."', ".»", ".«")):
        return False
    return core[0].isupper() or core[0].isdigit() or core[0] in "„“\"«»'‚‘"
