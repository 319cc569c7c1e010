"""Pending uploads: one import per preview, a double tap is told apart from expiry, and
unconfirmed previews neither live forever nor pile up."""

from __future__ import annotations

from bot.context import PENDING_IMPORT_TTL_S, AppState, PendingImport, PendingImports


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_second_press_is_a_double_tap_not_an_expiry() -> None:
    state = AppState()
    state.pending_imports.add("t1", PendingImport(b"x", "p.txt", 42, None))
    assert state.take_pending_import("t1") is not None
    assert state.take_pending_import("t1") is None
    assert state.import_taken("t1")
    assert not state.import_taken("never-seen")


def test_old_previews_expire_on_the_clock() -> None:
    clock = Clock()
    store = PendingImports(clock=clock)
    store.add("old", PendingImport(b"x", "p.txt", 42, None))
    clock.now += PENDING_IMPORT_TTL_S + 1
    assert len(store) == 0
    assert store.take("old") is None
    assert not store.taken("old")


def test_unconfirmed_previews_are_bounded_per_editor_and_in_total() -> None:
    store = PendingImports(clock=Clock(), max_total=8, max_per_user=3)
    for n in range(25):
        store.add(f"a{n}", PendingImport(b"x" * 1000, "p.txt", 42, None))
    assert len(store) == 3
    assert "a24" in store and "a21" not in store  # the newest previews survive
    for user in range(100, 120):
        store.add(f"u{user}", PendingImport(b"x", "p.txt", user, None))
    assert len(store) == 8
