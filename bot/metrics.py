"""The bot's Prometheus metrics, in one registry any layer can feed with one call.

Counters and histograms are updated where things happen (`metrics.update_handled(...)`);
the figures that live in the database (outbox, subscribers, sources) are read when
/metrics is scraped, so nothing has to keep them in step. docs/operations.md says what
each one means and what to alert on.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES = Counter(
    "bot_updates_handled",
    "Updates handled, by command ('callback' for buttons, 'message' for other messages).",
    ["command"],
    registry=REGISTRY,
)
UPDATE_SECONDS = Histogram(
    "bot_update_seconds",
    "Time from an update entering the application until its handlers finished (replies sent).",
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
API_REQUESTS = Counter(
    "bot_api_requests",
    "Bot API requests of replies and start-up calls, by method and outcome.",
    ["method", "outcome"],
    registry=REGISTRY,
)
RETRY_AFTER = Counter(
    "bot_api_retry_after",
    "429 answers of the Bot API (replies and pushes).",
    ["kind"],
    registry=REGISTRY,
)
RETRY_AFTER_SECONDS = Counter(
    "bot_api_retry_after_seconds",
    "Seconds the Bot API asked to wait with its 429 answers.",
    ["kind"],
    registry=REGISTRY,
)
MESSAGES = Gauge(
    "bot_push_messages",
    "Push engine outcomes since start, by kind (sent, edited, deleted, failed reasons).",
    ["outcome"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "bot_outbox_pending",
    "Deliveries waiting to be sent (pending or claimed).",
    registry=REGISTRY,
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "bot_outbox_oldest_seconds",
    "Age of the oldest push that has not reached every subscriber yet (0 when none).",
    registry=REGISTRY,
)
SUBSCRIBERS = Gauge(
    "bot_subscribers",
    "Subscriptions by status (active, blocked, unsubscribed, ended).",
    ["status"],
    registry=REGISTRY,
)
PUSH_STALLED = Gauge(
    "bot_push_stalled",
    "1 while the push engine is paused because the Bot API is down.",
    registry=REGISTRY,
)
IMPORT_ERRORS = Counter(
    "bot_import_errors",
    "Pages that could not be imported (seeds folder, uploads).",
    registry=REGISTRY,
)
FOLLOW_ERRORS = Gauge(
    "bot_follow_sources_failing",
    "Followed sources whose last fetch failed.",
    registry=REGISTRY,
)
POLL_FAILURES = Counter(
    "bot_poll_failures",
    "getUpdates calls that failed (retried with backoff).",
    ["reason"],
    registry=REGISTRY,
)
API_LAST_OK = Gauge(
    "bot_api_last_ok_timestamp_seconds",
    "Unix time of the last successful Bot API answer (getUpdates or probe).",
    registry=REGISTRY,
)


def update_handled(command: str, seconds: float) -> None:
    """Count one handled update and its handling time."""
    UPDATES.labels(command=command).inc()
    UPDATE_SECONDS.observe(seconds)


def api_request(method: str, outcome: str, *, retry_after_s: float | None = None) -> None:
    """Count one Bot API request of the reply transport and its outcome.

    Outcomes: ok, retry_after, client_error, server_error, network."""
    API_REQUESTS.labels(method=method, outcome=outcome).inc()
    if retry_after_s is not None:
        retry_after("reply", retry_after_s)


def retry_after(kind: str, seconds: float) -> None:
    """Count one 429 and the wait it asked for."""
    RETRY_AFTER.labels(kind=kind).inc()
    RETRY_AFTER_SECONDS.labels(kind=kind).inc(seconds)


def import_failed() -> None:
    """Count a page that could not be imported."""
    IMPORT_ERRORS.inc()


def poll_failed(reason: str) -> None:
    """Count a failed getUpdates."""
    POLL_FAILURES.labels(reason=reason).inc()
