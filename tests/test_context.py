"""Pending uploads: one import per preview, a double tap is told apart from expiry."""

from __future__ import annotations

import time

from bot.context import PENDING_IMPORT_TTL_S, AppState, PendingImport


def test_second_press_is_a_double_tap_not_an_expiry() -> None:
    state = AppState()
    state.pending_imports["t1"] = PendingImport(b"x", "p.txt", 42, None)
    assert state.take_pending_import("t1") is not None
    assert state.take_pending_import("t1") is None
    assert state.import_taken("t1")
    assert not state.import_taken("never-seen")


def test_old_previews_expire() -> None:
    state = AppState()
    old = time.monotonic() - PENDING_IMPORT_TTL_S - 1
    state.pending_imports["old"] = PendingImport(b"x", "p.txt", 42, None, created=old)
    assert state.take_pending_import("old") is None
    assert not state.import_taken("old")
