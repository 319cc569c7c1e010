"""Shared test set-up."""

from __future__ import annotations

import os

# PTB 22 warns when it builds RetryAfter unless the timedelta behaviour is chosen; the
# bot opts in at start too (bot/__init__.py), so tests run the way production does.
os.environ.setdefault("PTB_TIMEDELTA", "1")

# The store and fake-server fixtures the delivery, subscription and limit tests share;
# a test module's own fixture of the same name takes precedence.
from tests.conftest_delivery import db, fake  # noqa: F401
