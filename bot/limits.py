"""Limits the services and the texts both keep: one place, imported by both layers."""

from __future__ import annotations

from typing import Final

# /quotes shows at most this many statements and this many short fragments per reply.
MAX_STATEMENTS: Final = 15
MAX_FRAGMENTS: Final = 10
