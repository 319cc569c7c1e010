"""Flood protection: a polite notice once, then silence, then normal service again."""

from __future__ import annotations

from bot.flood import FloodGuard, Verdict


def test_warns_once_then_drops_then_recovers() -> None:
    guard = FloodGuard(limit=3, window_s=10, silence_s=30)
    verdicts = [guard.check(7, now=float(i) * 0.1) for i in range(6)]
    assert verdicts[:3] == [Verdict.ALLOW] * 3
    assert verdicts[3] == Verdict.WARN
    assert verdicts[4:] == [Verdict.DROP] * 2
    assert guard.check(7, now=40.0) == Verdict.ALLOW


def test_users_are_counted_apart() -> None:
    guard = FloodGuard(limit=2, window_s=10, silence_s=30)
    for i in range(2):
        guard.check(1, now=float(i))
    assert guard.check(2, now=2.0) == Verdict.ALLOW


def test_memory_stays_bounded_under_many_users() -> None:
    guard = FloodGuard(limit=2, window_s=1, silence_s=1, max_users=100)
    for uid in range(1000):
        guard.check(uid, now=float(uid) * 2)
    assert len(guard._users) <= 101


def test_a_silenced_user_learns_how_long_to_wait() -> None:
    guard = FloodGuard(limit=2, window_s=10, silence_s=30)
    for i in range(2):
        guard.check(5, now=float(i))
    assert guard.check(5, now=2.0) == Verdict.WARN
    assert guard.retry_in(5, now=2.0) == 30.0
    assert guard.retry_in(5, now=20.0) == 12.0
    assert guard.retry_in(5, now=40.0) == 0.0
    assert guard.retry_in(99, now=2.0) == 0.0
