"""What a page's lines are: furniture, ticker markers, time-stamped item lines, headlines.

The rules describe kinds of lines found on German and English news pages (calls to action,
share bars, bylines, section labels), never the wording of one page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.story import lexicon_de as de
from bot.story import lexicon_en as en
from bot.story.stamps import Stamp, is_page_stamp
from bot.story.stamps import parse_stamp as _parse_stamp
from bot.story.words import LazyPattern, lazy, phrase_trie, words_hint, wordset

_BULLETS = "►▶▸→»>•·*–—-+|#■□▪ "

# German formal imperative at the start of a short line: "Verfolgen Sie …", "Lesen Sie …".
_GERMAN_IMPERATIVE = lazy(r"^[A-ZÄÖÜ][a-zäöüß]+(?:en|ern|eln) Sie\b(?! sagte| sagten)")
_CALL_TO_ACTION = lazy(
    r"""^(?:
        mehr\s+(?:zum\s+thema|dazu|lesen|erfahren|anzeigen|news|nachrichten|videos?)
      | (?:das\s+)?könnte\s+sie\s+auch\s+interessieren | auch\s+interessant | zum\s+thema\b
      | weitere\s+(?:artikel|nachrichten|informationen\s+im|news)
      | jetzt\s+\S+\s+(?:lesen|hören|sehen|abonnieren|testen)\b
      | jetzt\s+(?:abonnieren|anmelden|lesen|kostenlos|registrieren|teilen|herunterladen
                 |testen|weiterlesen|abschließen|entdecken|bestellen|hören|ansehen)
      | hier\s+(?:geht'?s|gehts|lesen|klicken|abonnieren|anmelden|finden\s+sie|können\s+sie)
      | zum\s+(?:newsletter|liveblog|live-?ticker|artikel|video|podcast|abo)
      | zur\s+(?:startseite|übersicht|anmeldung|bildergalerie)
      | (?:artikel|beitrag|seite)\s+(?:teilen|anhören|vorlesen|drucken|merken|verschenken)
      | weiterlesen | alle\s+(?:artikel|news|entwicklungen|infos)\b.*\b(?:im|in\s+unserem)\b
      | empfohlener\s+redaktioneller\s+inhalt | externer\s+inhalt | meistgelesen | top-?themen
      | follow\s+(?:our|us|the\s+latest|live|along|all\s+the|@)
      | follow\s+[\w’'. -]{2,40}(?:\s+on\s+\w+)?:?$ | watch\s+[\w ]{2,30}\blive\b
      | join\s+(?:thought|the|our|us|in)\b
      | (?:seite|page)\s+\d+\s*(?:/|of|von)\s*\d+$
      | sign\s+up | subscribe\b | read\s+(?:more|also|next|the\s+full|our)\b | related\s*:
      | more\s+(?:on\s+this|from|coverage|stories|news)\b | see\s+also | recommended\s*(?::|$)
      | most\s+(?:read|popular|viewed) | click\s+here | tap\s+here | download\s+(?:our|the)\s+app
      | get\s+(?:the\s+latest|our|breaking|unlimited) | join\s+(?:us|our|the\s+conversation)
      | share\s+(?:this|on|via|article|story)\b | don'?t\s+miss | continue\s+reading
      | story\s+continues | skip\s+(?:to|advertisement|ad) | listen\s+to\s+(?:this|the)\s+article
      | watch\s*: | listen\s*: | supported\s+by | support\s+(?:our|independent)\s+journalism
      | listen\s+to\s+(?:the|our)\b.{0,60}\bpodcast\b
      | watch\s+the\s+full\s+(?:report|interview|video|episode|programme|program|segment)\b
      | we\s+use\s+cookies | accept\s+(?:all\s+)?cookies | wir\s+verwenden\s+cookies
      | diese\s+(?:seite|website)\s+verwendet | copyright\b | ©
      | all\s+rights\s+reserved | alle\s+rechte\s+vorbehalten
      | this\s+(?:article|story)\s+(?:is|was|has\s+been)\s+(?:updated|part|originally)
      | dieser\s+(?:artikel|beitrag)\s+(?:wurde|ist)\s+(?:aktualisiert|zuerst|ursprünglich)
      | (?:hinweis\s*:\s*)?(?:dieser|der)\s+(?:artikel|beitrag|text|ticker|liveblog|newsblog)\s+
        (?:wurde|wird|ist)\b.{0,60}\b(?:aktualisiert|ergänzt)\b
      | (?:note\s*:\s*)?this\s+(?:story|article|page|blog)\s+(?:is\s+being|will\s+be|has\s+been)
        \s+(?:continually\s+|regularly\s+)?updated
      | (?:stand|aktualisiert|zuletzt\s+aktualisiert|veröffentlicht|updated|published
         |last\s+updated)\s*(?::|am\b|on\b|\d)
      | (?:foto|bild|fotos|bilder|photo|photos|image|credit|quelle|source|grafik|video)\s*:
      | (?:image|photo)\s+(?:caption|credit)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Family calls to action at a short line's end: "BR24 im Radio: Hier hören", "Listen here".
_CTA_ENDING = lazy(
    r"(?:\b(?:hier|jetzt)\s+(?:hören|lesen|ansehen|anschauen|abonnieren|streamen|mitmachen"
    r"|herunterladen|installieren|anmelden|registrieren|melden|testen|entdecken"
    r"|(?:überall\s+)?anhören|(?:überall\s+)?hören)|\bschreib(?:en\s+sie)?\s+uns"
    r"|\b(?:listen|watch|read|subscribe|download|sign\s+up|register)\s+(?:here|now|live|today)"
    r"|\bsubscribe\s+for\s+free|\blearn\s+more|\bget\s+in\s+touch|\bfind\s+out\s+more"
    r"|\brequest\s+a\s+demo)[.!]?$",
    re.IGNORECASE,
)
_RIGHTS_RESERVED = ("alle rechte vorbehalten", "all rights reserved")
_NEWSLETTER = lazy(r"\bnewsletter|\bcookies?\b|\bpodcast\b.*\b(?:abonnieren|subscribe)", re.I)
# One of these words is in every match of the pattern after each.
_NEWSLETTER_HINT = words_hint("newsletter", "cookie", "podcast")
# The search for a call at the line's end tries every character of it, case-folded.
_CTA_ENDING_HINT = words_hint(
    "hier",
    "jetzt",
    "listen",
    "watch",
    "read",
    "subscribe",
    "download",
    "sign",
    "register",
    "request",
    "learn",
    "touch",
    "find",
    "schreib",
)
_APP_CTA_HINT = words_hint("jetzt", "download")


_SECTION_WORDS = wordset("""
    anzeige werbung advertisement ad sponsored gesponsert promotion teilen share drucken print
    merken speichern save kommentare kommentieren comments comment e-mail email mail facebook
    twitter x whatsapp telegram linkedin pinterest reddit messenger flipboard xing threads
    bluesky instagram youtube tiktok link kopieren copy startseite home politik ausland inland
    wirtschaft sport kultur panorama meinung news nachrichten world europe europa weltnachrichten
    topthemen top-news breaking eilmeldung live video audio podcast hören anhören listen menü
    menu suche search login anmelden abonnieren subscribe newsletter zurück back weiter next
    schließen close mehr more artikel article companies bulletin bookmark merkliste feedback
    forum ansichtssache abo donate embed transcript download flipboard copy follow save
    """)
# Family bylines without "By": "Sarah Whitfield in London".
_BYLINE_PLACE = lazy(r"^[A-ZÄÖÜ][\w'’-]+(?:\s+[A-ZÄÖÜ][\w'’-]+){1,2}\s+in\s+[A-ZÄÖÜ][\w-]+$")
_BYLINE = lazy(
    r"^(?:(?i:von|by|text|aus|from)\s*:?\s+|By(?=[A-ZÄÖÜ][a-zäöüß]))[A-ZÄÖÜ][\w.'’-]+"
    r"(?:(?:\s*(?:und|and|&|,)\s*|\s+)[A-ZÄÖÜ][\w.'’-]+){0,6}"
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


@lru_cache(maxsize=65536)
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
    lower = core.lower()
    if len(core) <= 160 and lower.rstrip(". ").endswith(_RIGHTS_RESERVED):
        return True  # Family footers: "Neue Zürcher Zeitung AG. Alle Rechte vorbehalten."
    # A call at the line's end is read in its last 60 characters: what it needs is there.
    tail = max(0, len(core) - 60)
    ending = len(core) <= 160 and _CTA_ENDING_HINT.search(lower, tail) is not None
    if _CALL_TO_ACTION.match(core) or (ending and _CTA_ENDING.search(core, tail)):
        return True
    newsletter = len(core) <= 160 and _NEWSLETTER_HINT.search(lower) is not None
    if newsletter and _NEWSLETTER.search(core):
        return True
    if _BYLINE_PLACE.match(core):
        return True
    if len(core) <= 80 and not core.endswith(".") and (_BYLINE.match(core) or _is_name_list(core)):
        return True
    if is_page_stamp(core) or _is_chrome(core) or is_credit_line(core) or is_caption(core):
        return True
    # A widget line is at most 80 characters long (a line has no line break in it), and
    # it shows a change in per cent: most lines are passed over by a test in C.
    widget = (len(core) <= 80 or "\n" in core) and "%" in core and _WIDGET.search(core)
    if _COUNTER.match(core) or widget or _MEDIA_LINE.match(core):
        return True
    short = len(core) <= _PROGRAMME_LINE_MAX and "\n" not in core
    if short and _PROGRAMME_LINE.match(core):
        return True
    app = _APP_CTA_HINT.search(lower) is not None and _APP_CTA.search(core)
    if len(core) <= 160 and (_CTA_OPENING.match(_bare(core)) or app):
        return True  # Family calls to action: apps, donations, "Don’t miss …"
    if len(core) <= 160 and _MEDIA_OPENING.match(_bare(core)):
        return True  # Family programme lines: "Über dieses Thema berichtet der WDR … 22:00 Uhr."
    initials = len(core) <= 24 and _INITIALS_CREDIT.match(core) is not None
    if _SIGNATURE.match(line.strip()) or _OUTLET_CREDIT.match(core) or initials:
        return True  # Family credits: "— Sarah Min" after a post, "red, ORF.at/Agenturen"
    if _is_teaser_label_line(core) or is_summary_label(core) or _PAYWALL_LABEL.match(line.strip()):
        return True
    return _is_section_bar(core) or _is_menu_line(core)


# Family bylines without "Von"/"By": "Simon Tanner, Chur, Nadja Flury", "Catherine Ashdown
# and Ben Okafor" — two names or more (a place may stand between), nothing else.
_NAME_LIST_SEPARATOR = lazy(r"\s*(?:,|&|\bund\b|\band\b)\s*")
_NAME_WORD = lazy(r"^(?:[A-ZÄÖÜ][\w'’-]*[a-zäöüß][\w'’-]*|von|van|de|der|den|di|da|du|ter|Ní|Ó)$")


def _is_name_list(core: str) -> bool:
    if "," not in core and " und " not in core and " and " not in core and "&" not in core:
        return False  # most lines: decided in C
    if _NOT_IN_MENUS.search(core.replace(",", "")):
        return False
    names = 0
    for part in _NAME_LIST_SEPARATOR.split(core):
        words = part.split()
        if not 1 <= len(words) <= 4 or not all(_NAME_WORD.match(w) for w in words):
            return False
        if not words[0][:1].isupper() or not words[-1][:1].isupper():
            return False
        names += len(words) >= 2
    return names >= 2


# Family navigation: a menu or breadcrumb of any outlet's sections ("Home | World | UK |
# Politics | Business", "Startseite > Panorama > Unwetter"), whose words no list holds:
# three or more short capitalised entries between separators, nothing a sentence has.
_MENU_SEPARATOR = lazy(r"\s*[|›»·•]\s*|\s+[>/]\s+")
_MENU_SEPARATOR_CHAR = lazy(r"[|›»·•>/]")
_NOT_IN_MENUS = lazy(r"[\d.!?:;,\"„“”«()]")


def _is_menu_line(core: str) -> bool:
    if len(core) > 120 or _MENU_SEPARATOR_CHAR.search(core) is None:
        return False  # most lines: decided in C
    if _NOT_IN_MENUS.search(core):
        return False
    entries = _MENU_SEPARATOR.split(core)
    return len(entries) >= 3 and all(
        entry[:1].isupper() and len(entry) <= 25 and len(entry.split()) <= 3 for entry in entries
    )


# The words between the separators of a share bar ("Teilen | Drucken · Merken").
_SECTION_TOKEN = lazy(r"[^\s|/·•,>›»]+")


def _is_section_bar(core: str) -> bool:
    # Family share bars and section labels: one to six section words. Most lines are
    # paragraphs, decided at their first word that is no section word: the words are read
    # one at a time, not split out of the whole line first.
    count = 0
    for found in _SECTION_TOKEN.finditer(core.lower()):
        word = found.group().strip(".:!")
        if not word:
            continue
        if count == 6 or word not in _SECTION_WORDS:
            return False
        count += 1
    return count > 0


_CTA_OPENING = lazy(
    r"^(?:"
    + phrase_trie(
        variant for p in de.CTA_OPENINGS + en.CTA_OPENINGS for variant in (p.replace("'", "’"), p)
    )
    + r")\b"
)
_MEDIA_OPENING = lazy(r"^(?:" + phrase_trie(de.MEDIA_PHRASES + en.MEDIA_PHRASES) + r")")
# Family app calls: "BILD-App jetzt kostenlos herunterladen!", "… download the ABC app".
_APP_CTA = lazy(
    r"(?:\bjetzt\s+(?:\w+\s+)?(?:herunterladen|installieren|downloaden)\b"
    r"|\bdownload\s+(?:the|our)\b.{0,40}\bapp\b)",
    re.IGNORECASE,
)
_SIGNATURE = lazy(r"^[—–]\s*[A-ZÄÖÜ][\w'’.-]+(?:\s+[A-ZÄÖÜ][\w'’.-]+){1,3}$")
# Family credits: editors' initials closing a post ("trh/dpa", "jwi/dfa", "(seb)").
_INITIALS_CREDIT = lazy(r"^(?:\(?[a-z]{2,4}(?:\s*/\s*[a-z]{2,4})+\)?|\([a-z]{2,4}\))$")
_OUTLET_CREDIT = lazy(r"^(?:red|[a-z]{2,4})(?:/[a-z]{2,4})*\s*,\s*[A-Za-z][\w.]*(?:/[\w.]+)+$")
_NOT_BARE = lazy(r"[^\w’'&+\s-]")


@lru_cache(maxsize=65536)
def _bare(line: str) -> str:
    # Five rules of `is_furniture` read the same line this way: it is made once (a long
    # page has tens of thousands of distinct lines, which a smaller cache would lose).
    return " ".join(_NOT_BARE.sub(" ", line.lower()).split())


def _alternation(phrases: tuple[str, ...] | frozenset[str]) -> str:
    # The phrases longest first, as a trie: a line is not tried against each phrase in turn.
    return phrase_trie(phrases)


def _hint(phrases: tuple[str, ...]) -> LazyPattern:
    """A search for a word of each phrase (its longest, the last of those): a text it does
    not find holds none of the phrases. One scan in C before a costlier test."""
    needed = {max(reversed(phrase.split()), key=len) for phrase in phrases}
    return lazy("|".join(re.escape(word) for word in sorted(needed)))


# One compiled alternation per list: a line is read once, not once per phrase.
_TEASER_LABELS = lazy(
    r"^(?:" + _alternation(de.TEASER_LABELS + en.TEASER_LABELS) + r")(?: |$)(?P<more>.*)$"
)
_SUMMARY_LABELS = frozenset(x.replace("'", "’") for x in de.SUMMARY_LABELS + en.SUMMARY_LABELS)
_CHROME_START = lazy(r"^(?:" + _alternation(de.CHROME_PHRASES + en.CHROME_PHRASES) + r")")


def is_label(line: str, labels: tuple[str, ...]) -> bool:
    """True for a short line that is one of `labels` (case, colon and bullets ignored)."""
    bare = _bare(_core(line))
    return (
        bool(bare)
        and len(bare) <= 60
        and any(
            bare == label
            or (bare.startswith(label + " ") and len(bare.split()) <= len(label.split()) + 3)
            for label in labels
        )
    )


def _is_teaser_label_line(core: str) -> bool:
    bare = _bare(core)
    if not bare or len(bare) > 60:
        return False
    match = _TEASER_LABELS.match(bare)
    return match is not None and len(match.group("more").split()) <= 3


_PAYWALL_LABEL = lazy(r"^[A-ZÄÖÜ][\w.-]{0,15}\s?(?:\+|plus|Plus|PLUS)$")


def is_summary_label(line: str) -> bool:
    """Family summary blocks: "Die wichtigsten Entwicklungen:", "Here’s what we know:"."""
    bare = _bare(_core(line)).replace("'", "’")
    return bool(bare) and bare in _SUMMARY_LABELS and len(bare.split()) <= 6


def is_paywall_label(line: str) -> bool:
    """Family paid teasers: "SPIEGEL+", "BILDplus", "SZ Plus"."""
    return _PAYWALL_LABEL.match(line.strip()) is not None


def is_teaser_label(line: str) -> bool:
    """Family teaser boxes: "Mehr zum Thema", "Lesen Sie auch:", "Read more from …:"."""
    core = _core(line)
    if len(core.split()) > 6:
        return False
    if _PAYWALL_LABEL.match(line.strip()):
        return True  # "SPIEGEL+", "F+", "SZ Plus": the paid teaser under it
    return _TEASER_LABELS.match(_bare(core)) is not None


def _is_chrome(core: str) -> bool:
    # Family page chrome: buttons, players, counters and navigation helpers.
    bare = _bare(core)
    if not bare:
        return False
    if bare in de.CHROME_LINES or bare in en.CHROME_LINES or bare in FOOTER_LINES:
        return True
    count = bare.count(" ") + 1
    if count <= 14 and _CHROME_START.match(bare):
        return True
    if count > 30 or _CHROME_ANYWHERE_HINT.search(bare) is None:
        return False
    return _CHROME_ANYWHERE_PATTERN.search(bare) is not None


FOOTER_LINES = frozenset(de.FOOTER_LINES + en.FOOTER_LINES)
_CHROME_ANYWHERE = (
    "opens new tab", "purchase licensing rights", "trust principles", "jetzt herunterladen",
    "in der app", "download the app", "get the app", "startseite", "back to home",
    "accessible video player", "reading list", "scroll to continue", "app herunterladen",
    "turn on javascript", "enable javascript", "javascript aktivieren",
    "not responsible for the content of external", "videolänge", "audiolänge",
)  # fmt: skip
_CHROME_ANYWHERE_PATTERN = lazy(_alternation(_CHROME_ANYWHERE))
_CHROME_ANYWHERE_HINT = _hint(_CHROME_ANYWHERE)
_CREDIT_NAME = r"[A-ZÄÖÜ][\w'’.-]+(?:\s+[A-ZÄÖÜ][\w'’.-]+){0,3}"
_AGENCIES = (
    r"Keystone|KEYSTONE|dpa|DPA|AFP|Reuters|REUTERS|AP|EPA|Getty\s+Images|Getty|imago|IMAGO"
    r"|picture\s+alliance|Shutterstock|Alamy|PA|ANP|APA|Belga|Anadolu|ddp|epd|KNA|SDA"
)
_CREDIT_ONLY = lazy(
    r"^(?:" + _CREDIT_NAME + r"\s+for\s+[A-Z][\w ]{1,30}"  # "Emily Carter for NPR"
    r"|\(?(?:AP|AFP|Reuters|dpa|EPA|Getty|PA)\s+Photo/[^)]*\)?"
    r"|(?:REUTERS|KEYSTONE|AFP|EPA|AP|dpa|Getty\s+Images|picture\s+alliance|IMAGO|Imago)"
    r"\b[/ |].{0,60}"
    r"|(?:Getty\s+Images|Shutterstock|Alamy|PA\s+Wire|PA\s+Media)"
    # "Gian Ehrenzeller / Keystone", "Jan Fenske/dpa", "dpa/Hauke Steffens": a photographer
    # and an agency; "FOCUS online/Wochit": an outlet and its video supplier.
    r"|" + _CREDIT_NAME + r"\s*/\s*(?:" + _AGENCIES + r")\b.{0,30}"
    r"|(?:"
    + _AGENCIES
    + r")\s*/\s*"
    + _CREDIT_NAME
    + r"|[A-Z][\w-]*(?:\s+[\w-]+)?\s*/\s*(?:Wochit|Glomex|Reuters|AFP|dpa|AP|Storyful)"
    r")$"
)
# One search per form: each has a literal or a few letters to look for, which a search
# finds fast; one alternation of them all tries every form at every character.
_INLINE_CREDITS = tuple(
    lazy(form)
    for form in (
        r"\((?:AP|AFP|Reuters|dpa|EPA|Getty|PA)\s+Photo/[^)]*\)\s*$",
        r"\[[^\]]{2,60}/[^\]]{2,40}\]\s*$",
        # "(Quelle: Jan Fenske/dpa)", "(Marc-André Losier/CBC)" closing a caption.
        r"\((?:(?:Quelle|Foto|Bild|Fotos|Photo|Image|Credit)\s*:\s*[^()]{2,60}"
        r"|[A-ZÄÖÜ][\w'’.-]+(?:\s+[A-ZÄÖÜ][\w'’.-]+){1,3}\s*/\s*[A-Z][\w.&-]*(?:\s+[\w.&-]+){0,3})"
        r"\)\s*$",
        r"©",
        r"Credit(?:\.{3}|…)\s*\S",
        r"^\[\d+/\d+\]",
    )
)
# Forms that start a word (a "\b" before them): found without it, then the word start
# is checked at each place found.
_INLINE_CREDIT_WORDS = tuple(
    lazy(form)
    for form in (
        r"(?:REUTERS|KEYSTONE|IMAGO)/",
        r"(?:Bild|Foto|Fotos|Pic|Photo|Photograph|Picture|Image|Credit|Bildquelle|Illustration)"
        r"\s*:\s*\S(?:[^.]|\.(?=\w)){0,60}$",
        r"(?:picture alliance|Getty Images)\b",
    )
)


# The character or words each form cannot do without, in the order of the forms above: a
# line without them is passed over by a test in C, not by a search per form.
_INLINE_CREDIT_NEEDS: tuple[tuple[str, ...], ...] = (
    ("(",),
    ("[",),
    ("(",),
    ("©",),
    ("Credit",),
    ("[",),
)
_INLINE_CREDIT_WORD_NEEDS: tuple[tuple[str, ...], ...] = (
    ("REUTERS/", "KEYSTONE/", "IMAGO/"),
    ("Bild", "Foto", "Pic", "Photo", "Image", "Credit", "Illustration"),
    ("picture alliance", "Getty Images"),
)


# Every character or word the forms need, in one search: most lines have none.
_INLINE_CREDIT_HINT = lazy(
    "|".join(
        sorted(
            {
                re.escape(need)
                for needs in _INLINE_CREDIT_NEEDS + _INLINE_CREDIT_WORD_NEEDS
                for need in needs
            }
        )
    )
)


def _has_inline_credit(core: str) -> bool:
    if _INLINE_CREDIT_HINT.search(core) is None:
        return False
    for form, needs in zip(_INLINE_CREDITS, _INLINE_CREDIT_NEEDS, strict=True):
        if any(need in core for need in needs) and form.search(core):
            return True
    for form, needs in zip(_INLINE_CREDIT_WORDS, _INLINE_CREDIT_WORD_NEEDS, strict=True):
        if not any(need in core for need in needs):
            continue
        found = form.search(core)
        while found is not None:
            start = found.start()
            if start == 0 or not (core[start - 1].isalnum() or core[start - 1] == "_"):
                return True
            found = form.search(core, start + 1)
    return False


def is_credit_line(line: str) -> bool:
    """Family credits: a photo credit alone, a byline-like credit, "Reporting by …"."""
    core = _core(line)
    if len(core) > 2 * 25 and len(core.split()) > 25:  # 26 words take 51 characters
        return False
    lower = core.lower()
    ending = _CREDIT_ENDING_HINT.search(lower) is not None and _CREDIT_ENDING.search(lower)
    if _CREDIT_OPENING.match(lower) or ending:
        return True
    if lower in ("hide caption", "toggle caption", "show caption"):
        return True
    label = lower.split(":", 1)[0].strip() if ":" in core else ""
    if label in _CAPTION_LABELS and len(core.split()) <= 12:
        return True
    return bool(_CREDIT_ONLY.match(core))


_CAPTION_LABELS = de.CAPTION_LABELS | en.CAPTION_LABELS
_CREDIT_OPENING = lazy(r"^(?:" + _alternation(de.CREDIT_OPENERS + en.CREDIT_OPENERS) + r")")
_CREDIT_ENDING = lazy(r"(?:" + _alternation(en.CREDIT_ENDINGS) + r")\.?$")
_CREDIT_ENDING_HINT = _hint(en.CREDIT_ENDINGS)
_PHOTO_CREDIT = lazy(
    r"^\(?(?:bild|foto|fotos|photo|photograph|image|pic|picture|credit|bildquelle|quelle\s+bild)"
    r"\s*:\s*(?:[^.]|\.(?=\w)){1,60}\)?$",
    re.IGNORECASE,
)


def is_photo_credit(line: str) -> bool:
    """Family captions: a credit on its own line ("Bild: …", "Emily Carter for NPR")."""
    core = _core(line)
    if len(core.split()) > 9:
        return False
    if core.lower() in ("hide caption", "toggle caption", "show caption"):
        return True
    return bool(_PHOTO_CREDIT.match(core) or _CREDIT_ONLY.match(core))


def is_caption(line: str) -> bool:
    """Family captions: a picture's text with its credit on the same line."""
    core = _core(line)
    if len(core) > 2 * 60 and len(core.split()) > 60:  # 61 words take 121 characters
        return False
    if ":" in core[:20] and core.split(":", 1)[0].strip().lower() in (
        "legende",
        "bildunterschrift",
        "caption",
        "image",
        "bild",
        "foto",
    ):
        return True
    return _has_inline_credit(core)


# Family counters: "Postings 1.284", "177 Kommentare", "Comments 12".
_COUNTER = lazy(
    r"^(?:(?:(?:show|view|see|read|alle|zeige)\s+(?:all\s+)?)?"
    r"(?:postings|kommentare|comments|likes|shares|leser|reactions)\s*:?\s*\(?[\d.,]+k?\)?"
    r"|[\d.,]+k?\s+(?:postings|kommentare|comments|likes|shares|leser|reactions|antworten|replies))$",
    re.IGNORECASE,
)
# Family widgets: a share price or index line ("Kurs Rheinstahl AG 14,21 € +23,80 %").
_WIDGET = lazy(
    r"^(?=.{0,80}$)(?!.*[.!?]$).*\d[\d.,]*\s*(?:€|\$|£|eur|usd|punkte|pkt)?\s*\(?[+−-]\s?\d+[,.]\d+\s*%",
    re.I,
)
# Family media lines: durations and programme lines ("Laufzeit 2 Minuten", "Listen · 4:12",
# "Tagesschau, 23.11.2025, 19:30 Uhr", "Lesezeit: 4 Min.").
_MEDIA_LINE = lazy(
    r"(?:(?:video|audio|podcast)\s*(?:abspielen|:|\|)|(?:watch|listen|hören|anhören)\s*\|"
    r"|laufzeit\b|lesezeit\b|hördauer\b|dauer\s*:|\d+\s*min\.?\s+lesezeit$"
    r"|estimated\s+reading\s+time\b|reading\s+time\s*:"
    r"|listen\b.{0,20}\d+:\d\d|watch\b.{0,30}\d+:\d\d|\|?\s*\d+\s*(?:mins?|minutes?)(?:\s+read)?$"
    r"|[\w .-]{0,40}\d+:\d\d\s*min\.?$"
    r"|(?:dieses\s+thema\s+im\s+programm|im\s+programm|sendung)\s*:"
    r"|\((?:red|[a-z]{2,5})(?:\s*[,/]\s*[\w.]+)+\)$)",
    re.IGNORECASE,
)
# Family programme lines: "Tagesschau, 23.11.2025, 19:30 Uhr". Apart from the other media
# lines because they fit one short line only: a paragraph is not read up to its commas.
_PROGRAMME_LINE_MAX = 110
_PROGRAMME_LINE = lazy(
    r"(?:[^.!?]*?,\s*(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{1,2}\.\s+[a-zä]+\s+\d{4})"
    r"(?:,\s*\d{1,2}[:.]\d\d(?:\s*uhr)?)?\)?$"
    r"|[^.!?]*?,\s*[\w ]+\s\d{1,2}[:.]\d\d\s*uhr\s*,"
    r"\s*\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}$"
    r"|[^.!?]*?,\s*(?:heute|morgen|today|tonight|tomorrow)\s+(?:(?:ab|um|at|from)\s+)?"
    r"\d{1,2}(?:[:.]\d\d)?\s*(?:uhr|[ap]\.?m\.?)$)",
    re.IGNORECASE,
)


def _mostly_quoted(core: str) -> bool:
    return core[:1] in "\"„“”«»'‚‘"


def parse_stamp(line: str) -> Stamp | None:
    """The time stamp that opens a ticker line, if any (see `bot.story.stamps`)."""
    return _parse_stamp(line)


_SENTENCE_END = tuple(".;,")
_ASCII_LOWER = lazy(r"[a-z]")


def is_all_caps(line: str) -> bool:
    """True for a line written in capitals ("TUCKER CARLSON NOCH IN RUSSLAND")."""
    if _ASCII_LOWER.search(line):
        return False  # most lines: decided in C at their first small letter
    # filter and map run in C: a page's ALL-CAPS headlines each pass here several times.
    letters = list(filter(str.isalpha, line))
    return len(letters) >= 6 and all(map(str.isupper, letters))


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
