"""IANA time zones by name: what a reader types, checked against the zone database."""

from __future__ import annotations

import functools
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"


@functools.cache
def _canonical_names() -> dict[str, str]:
    names = {name.casefold(): name for name in available_timezones()}
    names.setdefault("utc", "UTC")
    return names


def canonical_zone(name: str) -> str | None:
    """The zone database's spelling of a zone name typed in any case, or None if unknown."""
    cleaned = name.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > 64:
        return None
    return _canonical_names().get(cleaned.casefold())


@functools.cache
def zone(name: str | None) -> tzinfo:
    """The tzinfo of a zone name; UTC for None or a name the zone database lost."""
    if not name or name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC
