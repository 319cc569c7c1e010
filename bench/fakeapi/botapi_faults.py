"""Fault injection rules for the fake Bot API.

A rule matches by method and/or chat and turns the matching request into one of the failures a
real bot meets in production. Rules are checked in the order they were added; the first one that
matches and fires wins.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, get_args

__all__ = ["FAULT_KINDS", "FaultKind", "FaultRule", "FaultSet"]

FaultKind = Literal[
    "retry_after",  # 429 + parameters.retry_after
    "server_error",  # 5xx ("Internal Server Error" / "Bad Gateway" / ...)
    "blocked",  # 403 "Forbidden: bot was blocked by the user"
    "deactivated",  # 403 "Forbidden: user is deactivated"
    "chat_not_found",  # 400 "Bad Request: chat not found"
    "migrated",  # 400 + parameters.migrate_to_chat_id; the chat stays migrated afterwards
    "delay",  # normal answer, but only after `delay` seconds
    "hang",  # no answer until the client gives up or the server stops
    "bad_request",  # 400 with a custom `description`
    "disconnect",  # connection dropped without any HTTP response
    "unauthorized",  # 401 "Unauthorized", as for a revoked token (or a passing API fault)
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

_SERVER_ERROR_DESCRIPTIONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(kw_only=True)
class FaultRule:
    """One fault. ``method``/``chat_id`` None match anything; ``times`` None means forever.

    ``deliver`` says whether the request still takes effect (message created, edit applied) before
    the fault's delay: by default True for "delay" (the answer is late, the message exists - the
    case that makes naive retries send duplicates) and False for "hang".
    """

    kind: FaultKind
    method: str | None = None
    chat_id: int | str | None = None
    times: int | None = None
    probability: float = 1.0
    retry_after: int = 5
    status: int = 500
    migrate_to_chat_id: int | None = None
    delay: float = 1.0
    deliver: bool | None = None
    description: str | None = None
    hits: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within [0, 1]")
        if self.kind == "server_error" and not 500 <= self.status <= 599:
            raise ValueError("server_error status must be a 5xx code")
        # Normalised once so matching is a plain comparison per request.
        self._method_lower = self.method.lower() if self.method else None
        self._chat_key = _chat_key(self.chat_id)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    @property
    def delivers(self) -> bool:
        if self.deliver is not None:
            return self.deliver
        return self.kind == "delay"

    def error(self, chat_id: int | str | None) -> tuple[int, str, dict[str, Any] | None]:
        """(HTTP status, description, parameters) for error kinds."""
        kind = self.kind
        if kind == "retry_after":
            return (
                429,
                self.description or f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if kind == "server_error":
            default = _SERVER_ERROR_DESCRIPTIONS.get(self.status, "Internal Server Error")
            return self.status, self.description or default, None
        if kind == "blocked":
            return 403, self.description or "Forbidden: bot was blocked by the user", None
        if kind == "deactivated":
            return 403, self.description or "Forbidden: user is deactivated", None
        if kind == "chat_not_found":
            return 400, self.description or "Bad Request: chat not found", None
        if kind == "unauthorized":
            return 401, self.description or "Unauthorized", None
        if kind == "bad_request":
            return 400, self.description or "Bad Request: fault injected", None
        raise ValueError(f"fault kind {kind!r} is not an error response")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exhausted"] = self.exhausted
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultRule:
        allowed = {f.name for f in fields(cls)} - {"hits"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown FaultRule fields: {sorted(unknown)}")
        return cls(**data)


def _chat_key(chat_id: int | str | None) -> int | str | None:
    if chat_id is None or isinstance(chat_id, int):
        return chat_id
    try:
        return int(chat_id)
    except ValueError:
        return chat_id.lower()


class FaultSet:
    """The server's active rules, with a seeded RNG so probabilistic soak runs are repeatable."""

    def __init__(self, seed: int | None = 0) -> None:
        self.rules: list[FaultRule] = []
        self._rng = random.Random(seed)

    def seed(self, seed: int | None) -> None:
        self._rng.seed(seed)

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def remove(self, rule: FaultRule) -> None:
        self.rules.remove(rule)

    def clear(self) -> None:
        self.rules.clear()

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self.rules)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def match(self, method_lower: str, chat_id: int | str | None) -> FaultRule | None:
        """Return the rule that fires for this request (counting the hit), if any."""
        key = _chat_key(chat_id)
        for rule in self.rules:
            if rule.exhausted:
                continue
            if rule._method_lower is not None and rule._method_lower != method_lower:
                continue
            if rule._chat_key is not None and rule._chat_key != key:
                continue
            if rule.probability < 1.0 and self._rng.random() >= rule.probability:
                continue
            rule.hits += 1
            return rule
        return None
