"""The retry policy as pure functions: an error and a history in, one typed decision out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.errors import Failure, FailureKind
from bot.delivery.policy import (
    Backoff,
    Block,
    DeadLetter,
    History,
    Migrate,
    Retry,
    backoff_delay,
    decide,
    duration,
)

NOW = 1_000_000.0
POLICY = Backoff(deadline=600.0, base=1.0, maximum=60.0)

attempts = st.integers(min_value=0, max_value=10_000)
jitters = st.floats(min_value=0.0, max_value=1.0)
ages = st.floats(min_value=0.0, max_value=10 * 24 * 3600.0)


def fail(kind: FailureKind, *, new_chat_id: int | None = None) -> Failure:
    return Failure(kind, f"{kind.value} answer", new_chat_id=new_chat_id)


@given(attempts, st.integers(min_value=0, max_value=5), st.one_of(st.none(), ages), jitters)
def test_a_blocked_chat_is_deactivated_whatever_it_went_through(
    tried: int, timeouts: int, age: float | None, jitter: float
) -> None:
    since = None if age is None else NOW - age
    decision = decide(
        fail(FailureKind.GONE),
        History(tried, timeouts, since),
        now=NOW,
        backoff=POLICY,
        jitter=jitter,
    )
    assert decision == Block("gone answer")


@given(st.one_of(st.none(), st.integers(min_value=-(10**13), max_value=-1)))
def test_a_migrated_group_moves_to_its_new_chat(new_chat_id: int | None) -> None:
    decision = decide(
        fail(FailureKind.MIGRATED, new_chat_id=new_chat_id),
        History(),
        now=NOW,
        backoff=POLICY,
        jitter=0.5,
    )
    assert decision == Migrate("migrated answer", new_chat_id)


@given(attempts, st.floats(min_value=0.0, max_value=599.0), jitters)
def test_a_transient_failure_within_the_deadline_is_retried_later(
    tried: int, age: float, jitter: float
) -> None:
    decision = decide(
        fail(FailureKind.TRANSIENT),
        History(attempts=tried, failing_since=NOW - age),
        now=NOW,
        backoff=POLICY,
        jitter=jitter,
    )
    assert isinstance(decision, Retry)
    assert decision.counts_attempt and not decision.counts_timeout
    assert decision.failing_since == NOW - age
    ceiling = min(POLICY.maximum, POLICY.base * 2 ** min(tried, 64))
    assert NOW + ceiling / 2 <= decision.next_at <= NOW + ceiling


@given(attempts, jitters)
def test_the_first_transient_failure_starts_the_deadline_clock(tried: int, jitter: float) -> None:
    decision = decide(
        fail(FailureKind.TRANSIENT),
        History(attempts=tried),
        now=NOW,
        backoff=POLICY,
        jitter=jitter,
    )
    assert isinstance(decision, Retry)
    assert decision.failing_since == NOW


@given(attempts, st.floats(min_value=600.0, max_value=30 * 24 * 3600.0), jitters)
def test_a_transient_failure_past_the_deadline_is_a_dead_letter(
    tried: int, age: float, jitter: float
) -> None:
    decision = decide(
        fail(FailureKind.TRANSIENT),
        History(attempts=tried, failing_since=NOW - age),
        now=NOW,
        backoff=POLICY,
        jitter=jitter,
    )
    assert isinstance(decision, DeadLetter)
    assert decision.counts_attempt
    assert decision.reason.startswith(f"gave up after {tried + 1} attempts over ")
    assert decision.reason.endswith(": transient answer")


@given(attempts, st.floats(min_value=0.0, max_value=599.0))
def test_during_an_outage_a_transient_failure_is_due_again_at_once(tried: int, age: float) -> None:
    decision = decide(
        fail(FailureKind.TRANSIENT),
        History(attempts=tried, failing_since=NOW - age),
        now=NOW,
        backoff=POLICY,
        jitter=1.0,
        paused=True,
    )
    assert isinstance(decision, Retry)
    assert decision.next_at == NOW


@given(jitters)
def test_a_read_timeout_is_resent_once(jitter: float) -> None:
    decision = decide(
        fail(FailureKind.AMBIGUOUS), History(), now=NOW, backoff=POLICY, jitter=jitter
    )
    assert isinstance(decision, Retry)
    assert decision.counts_timeout and not decision.counts_attempt
    assert NOW + 0.5 <= decision.next_at <= NOW + 1.0


@given(st.integers(min_value=1, max_value=100), attempts)
def test_a_second_read_timeout_is_a_dead_letter_never_a_third_send(
    timeouts: int, tried: int
) -> None:
    decision = decide(
        fail(FailureKind.AMBIGUOUS),
        History(attempts=tried, timeouts=timeouts),
        now=NOW,
        backoff=POLICY,
        jitter=0.0,
    )
    assert decision == DeadLetter(
        "read timeout twice, may have arrived: ambiguous answer", counts_timeout=True
    )


@given(
    st.sampled_from(
        [
            FailureKind.PERMANENT,
            FailureKind.MESSAGE_GONE,
            FailureKind.NOT_MODIFIED,
            FailureKind.CANT_DELETE,
            FailureKind.RETRY_AFTER,
        ]
    ),
    attempts,
)
def test_a_permanent_failure_is_a_dead_letter_at_once(kind: FailureKind, tried: int) -> None:
    decision = decide(fail(kind), History(attempts=tried), now=NOW, backoff=POLICY, jitter=0.0)
    assert decision == DeadLetter(f"{kind.value} answer", counts_attempt=True)


@given(attempts, jitters, jitters)
def test_backoff_grows_with_attempts_and_stays_bounded(tried: int, low: float, high: float) -> None:
    low, high = sorted((low, high))
    delay = backoff_delay(tried, POLICY, low)
    assert POLICY.base / 2 <= delay <= POLICY.maximum
    assert delay <= backoff_delay(tried, POLICY, high)
    assert backoff_delay(tried, POLICY, low) <= backoff_delay(tried + 1, POLICY, low)


def test_dead_letter_durations_read_as_a_person_would_say_them() -> None:
    assert duration(45) == "45s"
    assert duration(12 * 60) == "12m"
    assert duration(6 * 3600) == "6.0h"
