"""Time stamps of live-ticker items: every way outlets print a clock or a relative time.

A stamp opens a line: an optional frame (`+++`, `|`, `·`, `•`, `–`, a post number), an
optional weekday and date, a clock time (24- or 12-hour, with seconds, `Uhr`, a time
zone) or a relative time (`vor 5 Minuten`, `12 minutes ago`, `2h ago`), then a separator
and the rest of the line (a headline, an author, or nothing). The printed form is kept;
the resolved moment is computed from the import time only where the page gives a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.story import lexicon_de as de
from bot.story import lexicon_en as en
from bot.story.words import lazy

_WEEKDAY = "|".join(sorted(de.WEEKDAYS | en.WEEKDAYS, key=len, reverse=True))
_MONTH = "|".join(sorted(set(de.MONTHS) | set(en.MONTHS), key=len, reverse=True))
_ZONE = "|".join(
    f"(?-i:{z.upper()})" if z in en.CAPITAL_ONLY_ZONES else z
    for z in sorted((z for z in en.TIME_ZONES if len(z) > 1), key=len, reverse=True)
)
_DAY_WORDS = {**de.DAY_WORDS, **en.DAY_WORDS}
_DAY_WORD = "|".join(sorted(_DAY_WORDS, key=len, reverse=True))
# Frames: "+++ 21:40 +++", "| 21:40", "• 21:40", "#12 · 21:40", "Post 12: 21:40".
_FRAME = (
    r"(?:(?:post|eintrag|update)\s*\#?\d+\s*[:|·•–—-]?\s*|[+|·•–—\-*►▶■▪\s]*\#\d+\s*[:|·•–—-]?\s*"
    r"|[+|·•–—\-*►▶■▪\s]+)?"
)
# Dates before the clock: "12.03.2025", "12.03.", "12. März 2025", "March 19, 2025",
# "Thursday 20 November 2025", "2025-03-12", each with an optional weekday.
# A day word ("Heute", "Yesterday") or a weekday alone stands before a clock with minutes
# only ("Donnerstag, 22.49 Uhr"): "Donnerstag, 22 Menschen …" is a sentence.
_DATE = (
    r"(?:(?P<weekday>" + _WEEKDAY + r")\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})\.\s?(?P<m1>\d{1,2})\.(?:\s?(?P<y1>\d{4}|\d{2}))?"
    r"|(?P<d2>\d{1,2})\.?\s+(?P<m2>" + _MONTH + r")\.?(?:\s+(?P<y2>\d{4}))?"
    r"|(?P<m3>" + _MONTH + r")\.?\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y3>\d{4}))?"
    r"|(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2})"
    r"|(?P<dayword>" + _DAY_WORD + r")\b,?\s*(?=\d{1,2}[:.]\d\d(?![.\d]))"
    r"|(?(weekday)(?=\d{1,2}[:.]\d\d(?![.\d]))|(?!)))"
    r"\s*(?:,|•|·|\||–|—|-|um|at|,\s*um)?\s*"
)
_CLOCK = (
    r"(?P<hour>2[0-3]|[01]\d|\d)(?!\d)(?:(?P<sep>[:.h])(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?)?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?(?![a-z]))?"
    r"\s*(?P<uhr>uhr\b|h\b)?"
    r"\s*(?:(?P<zone>"
    + _ZONE
    + r")\b|\((?P<zone2>"
    + _ZONE
    + r")\)|(?P<local>ortszeit|local time)\b)?"
)
_TRAILING_DATE = (
    r"(?:\s*,?\s*(?:(?P<m5>" + _MONTH + r")\.?\s+(?P<d5>\d{1,2}),?\s+(?P<y5>\d{4})"
    r"|(?P<d6>\d{1,2})\.\s?(?P<m6>\d{1,2})\.\s?(?P<y6>\d{4})))?"
)
_CLOCK_STAMP = lazy(
    r"^" + _FRAME + r"(?:" + _DATE + r")?" + _CLOCK + _TRAILING_DATE + r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_UNITS = "|".join(sorted(set(de.RELATIVE_UNITS) | set(en.RELATIVE_UNITS), key=len, reverse=True))
_COUNT_WORDS = "|".join(
    sorted(set(de.RELATIVE_COUNT_WORDS) | set(en.RELATIVE_COUNT_WORDS), key=len, reverse=True)
)
_RELATIVE_STAMP = lazy(
    r"^" + _FRAME + r"(?:"
    r"vor\s+(?P<de_n>\d+|" + _COUNT_WORDS + r")\s*(?P<de_unit>" + _UNITS + r")\.?"
    r"(?:,?\s*(?:und\s+)?(?P<de_n2>\d+)\s*(?P<de_unit2>" + _UNITS + r")\.?)?"
    r"|(?P<en_n>\d+|" + _COUNT_WORDS + r")\s*(?P<en_unit>" + _UNITS + r")\.?"
    r"(?:,?\s*(?:and\s+)?(?P<en_n2>\d+)\s*(?P<en_unit2>" + _UNITS + r")\.?)?\s+ago"
    r"|(?P<now>gerade\s+eben|soeben|just\s+now|moments?\s+ago|a\s+moment\s+ago))"
    r"(?![\w])(?P<rest>.*)$",
    re.IGNORECASE,
)
_STAMP_OPENERS = (
    de.WEEKDAYS | en.WEEKDAYS | set(de.MONTHS) | set(en.MONTHS)
    | set(de.RELATIVE_COUNT_WORDS) | set(en.RELATIVE_COUNT_WORDS) | de.RELATIVE_NOW
    | {"vor", "post", "eintrag", "update", "just", "moments", "few"} | set(_DAY_WORDS)
)  # fmt: skip
_SEPARATORS = ":–—-|/+·•,;> \u2013"
_BARE_DOTTED = lazy(r"^(?:2[0-3]|[01]?\d)\.[0-5]\d$")
_NAME_TOKEN = lazy(r"^(?:[A-ZÄÖÜ][\w'’.-]+|von|van|de|der|di|da|le|la|al|bin)$")
_BY = lazy(r"^(?:von|by|text|autor(?:in)?)\s*:?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Stamp:
    """A stamp that opens a line: as printed, resolved parts, and the rest of the line."""

    printed: str
    rest: str
    hour: int | None = None
    minute: int | None = None
    day: date | None = None
    zone: str | None = None
    ago: timedelta | None = None
    author: str | None = None
    days_ago: int | None = None  # "Heute" 0, "Gestern" 1: the day relative to the import

    @property
    def has_date(self) -> bool:
        """True if the page printed a date with the clock time ("Heute" counts as one)."""
        return self.day is not None or self.days_ago is not None

    @property
    def relative(self) -> bool:
        """True for "vor 5 Minuten", "12 minutes ago"."""
        return self.ago is not None

    @property
    def clock(self) -> str | None:
        """The printed clock time as HH:MM in 24-hour form, or None for a relative stamp."""
        if self.hour is None or self.minute is None:
            return None
        return f"{self.hour:02d}:{self.minute:02d}"

    def moment(self, now: datetime) -> datetime | None:
        """The time the stamp stands for, resolved against the import time `now`."""
        if self.ago is not None:
            return now - self.ago
        if self.hour is None or self.minute is None:
            return None
        zone = _zone_of(self.zone)
        if zone is None:
            # A clock without a zone ("21:40 Uhr") names no moment: the page's zone is not
            # the importer's, and a guess would pass the import's zone off as the page's.
            return None
        local_now = now.astimezone(zone)
        day = self.day or local_now.date() - timedelta(days=self.days_ago or 0)
        resolved = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=zone)
        if not self.has_date and resolved > local_now + timedelta(minutes=5):
            # A time later than now without a date was printed yesterday.
            resolved -= timedelta(days=1)
        return resolved

    def time_of_day(self, now: datetime) -> str | None:
        """HH:MM as a reader sees it: the printed clock, or the resolved relative time."""
        if self.clock is not None:
            return self.clock
        moment = self.moment(now)
        return moment.astimezone(now.tzinfo).strftime("%H:%M") if moment else None


def _zone_of(name: str | None) -> tzinfo | None:
    """The zone a stamp's printed zone name stands for; None for none or an unknown one."""
    if not name:
        return None
    offset = en.TIME_ZONES.get(name)
    if offset is not None:
        return timezone(timedelta(hours=offset))
    region = en.ZONE_REGIONS.get(name)
    if region is None:
        return None
    try:
        return ZoneInfo(region)
    except ZoneInfoNotFoundError:
        return None  # a system without the zone database: no moment rather than a wrong one


@lru_cache(maxsize=65536)
def parse_stamp(line: str) -> Stamp | None:
    """The stamp that opens a ticker line ("22:41 Uhr · …", "11:06 PM EDT", "vor 4 Minuten")."""
    core = line.strip()
    if not core or not (core[0].isdigit() or core[0] in "+|·•–—-*►▶■▪#" or core[0].isalpha()):
        return None
    if core[0].isalpha():
        # Most lines are text: only a weekday, month, "vor", "Post 3" or a count word opens a stamp.
        first = core.split(None, 1)[0].strip(".,:").lower()
        if first not in _STAMP_OPENERS:
            return None
    return _relative(core) or _clock(core)


def _relative(core: str) -> Stamp | None:
    match = _RELATIVE_STAMP.match(core)
    if match is None:
        return None
    if match.group("now"):
        ago = timedelta(0)
    else:
        german = match.group("de_unit") is not None
        count_text = (match.group("de_n") if german else match.group("en_n")).lower()
        unit_text = (match.group("de_unit") if german else match.group("en_unit")).lower()
        words = de.RELATIVE_COUNT_WORDS if german else en.RELATIVE_COUNT_WORDS
        units = de.RELATIVE_UNITS if german else en.RELATIVE_UNITS
        count = int(count_text) if count_text.isdigit() else words.get(count_text)
        seconds = units.get(unit_text) or units.get(unit_text.rstrip("."))
        if count is None or seconds is None:
            return None
        ago = timedelta(seconds=count * seconds)
        # "1 hr 5 min ago", "vor 1 Std. 5 Min.": a second count and unit add to the first.
        second_count = match.group("de_n2" if german else "en_n2")
        second_unit = match.group("de_unit2" if german else "en_unit2")
        if second_count and second_unit:
            ago += timedelta(
                seconds=int(second_count) * units.get(second_unit.lower().rstrip("."), 0)
            )
    return _finish(core, match, ago=ago)


def _clock(core: str) -> Stamp | None:
    match = _CLOCK_STAMP.match(core)
    if match is None:
        return None
    minute, ampm, uhr, sep = match.group("minute", "ampm", "uhr", "sep")
    if minute is None and ampm is None and uhr is None:
        return None
    if minute is None and uhr is not None and uhr.lower() == "h":
        return None  # "5 h" is a duration
    if sep == "." and not (uhr or ampm) and not _BARE_DOTTED.match(core):
        # "18.45 Menschen" is as likely a number as a time; "18.45 Uhr" is a time, and so
        # is "23.12" alone on its line (Family stamps: ORF and other dotted-clock tickers).
        return None
    if sep == "h" and uhr:
        return None
    if (
        minute is None
        and ampm
        and "." not in ampm
        and core[match.end("ampm") :][:2].strip()[:1].isalpha()
    ):
        return None  # "10 am Morgen" is German, not a clock
    rest_start = match.start("rest")
    zone = (match.group("zone") or match.group("zone2") or "").lower() or None
    # "09:12 HEADLINE" needs the headline to stand apart from the time.
    if (
        core[rest_start : rest_start + 1].isalnum()
        and not core[rest_start - 1 : rest_start].isspace()
    ):
        return None
    # "21:40: …" is fine, "21:40:5" is not a clock.
    after_colon = core[rest_start:].startswith(":") and core[rest_start + 1 : rest_start + 2]
    if match.group("second") is None and minute is not None and str(after_colon).isdigit():
        return None
    hour = int(match.group("hour"))
    if ampm:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
    day_word = match.group("dayword")
    return _finish(
        core,
        match,
        hour=hour,
        minute=int(minute or 0),
        day=_date_of(match),
        zone=zone,
        days_ago=_DAY_WORDS[day_word.lower()] if day_word else None,
    )


def _date_of(match: re.Match[str]) -> date | None:
    # Each date's day looked up alone: most stamps have none, and a dict of all the
    # pattern's groups was made for every stamp of the page.
    group = match.group
    for d, m, y in _DATE_GROUPS:
        day_text = group(d)
        if day_text is None:
            continue
        month_text = group(m)
        month = (
            int(month_text)
            if month_text.isdigit()
            else de.MONTHS.get(month_text.lower(), en.MONTHS.get(month_text.lower(), 0))
        )
        year_text = group(y)
        year = int(year_text) if year_text else datetime.now().year
        if year < 100:
            year += 2000
        try:
            return date(year, month, int(day_text))
        except ValueError:
            return None
    return None


_DATE_GROUPS = (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("d3", "m3", "y3"), ("d4", "m4", "y4"),
                ("d5", "m5", "y5"), ("d6", "m6", "y6"))  # fmt: skip


def _finish(
    core: str,
    match: re.Match[str],
    *,
    hour: int | None = None,
    minute: int | None = None,
    day: date | None = None,
    zone: str | None = None,
    ago: timedelta | None = None,
    days_ago: int | None = None,
) -> Stamp:
    """The stamp with its printed form, its rest and its author (made once: a frozen
    dataclass is slow to make, and a page has thousands of stamps)."""
    rest_start = match.start("rest")
    printed = core[:rest_start].strip(_SEPARATORS + " ").lstrip("+|·•–—-*►▶■▪ ")
    raw_rest = match.group("rest")
    rest = raw_rest.strip(_SEPARATORS).strip()
    # "+++ 21:40 Uhr: Fähren fallen aus +++": the frame closes after the headline.
    if "++" in rest:  # what `_CLOSING_FRAME` needs
        rest = _CLOSING_FRAME.sub("", rest).strip()
    author = None
    if rest and _looks_like_author(raw_rest, rest):
        author, rest = _BY.sub("", rest), ""
    return Stamp(
        printed=printed,
        rest=rest,
        hour=hour,
        minute=minute,
        day=day,
        zone=zone,
        ago=ago,
        author=author,
        days_ago=days_ago,
    )


_CLOSING_FRAME = lazy(r"\s*\+{2,}\s*$")


def is_name_shaped(text: str) -> bool:
    """True for two to four capitalised name words ("Anna Berger", "Marc-André Losier")."""
    tokens = text.split()
    return (
        not text.isupper()
        and 2 <= len(tokens) <= 4
        and all(_NAME_TOKEN.match(t) for t in tokens)
        and tokens[0][:1].isupper()
        and tokens[-1][:1].isupper()
    )


def _looks_like_author(raw_rest: str, rest: str) -> bool:
    """ "23:52 , Holly Brennan" / "21:40 | Von Max Muster": an author, not a headline."""
    if _BY.match(rest):
        return len(rest.split()) <= 6
    if raw_rest.lstrip()[:1] != ",":
        # After "|" a short capitalised line is as often a headline ("| Neue Angriffe"):
        # the page's layout decides (`bot.story.page`).
        return False
    return is_name_shaped(rest)


def is_page_stamp(line: str) -> bool:
    """True for the page's own update line ("Stand: 12.03.2025 23:30 Uhr", "Updated 8 mins ago")."""
    if len(line) > 120:
        return False  # before the word scan: most lines are paragraphs
    # The first two words only, in one match: a line is not split into all of its words.
    first_two = _FIRST_TWO_WORDS.match(line.lower())
    words = [word for word in first_two.groups() if word] if first_two else []
    if not words or not (set(words) & _PAGE_STAMP_WORDS):
        return False
    return _DIGIT.search(line) is not None


_FIRST_TWO_WORDS = lazy(r"[\W\d_]*([^\W\d_]+)(?:[\W\d_]+([^\W\d_]+))?")
_DIGIT = lazy(r"\d")
_PAGE_STAMP_WORDS = de.PAGE_STAMP_WORDS | en.PAGE_STAMP_WORDS
