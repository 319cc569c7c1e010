"""Cheap counters the fake Bot API keeps for every request, used by benchmarks and soak tests.

Everything here is cheap per request (O(1) amortised; a window's reordering is a heap of the
last tenth of a second) so that counting never limits the throughput being measured. Sliding
windows use monotonic time; "sends" are requests to send* methods (attempts, whatever the
outcome, because that is what flood control and the bot's pacing are about).
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter, deque
from typing import Any

__all__ = ["SendStats"]

SEND_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendvideo",
        "sendanimation",
        "sendmediagroup",
    }
)


class _Window:
    """Sliding-window counter that remembers the maximum it has ever seen.

    Sends are stamped as they arrive, but requests on different connections are handled in
    whatever order the loop reads them, so stamps come a little out of order. Counted as
    they come, an early stamp behind a later one stayed in the window too long and a full
    second read one more. Stamps wait `REORDER_S` before they are counted, in order.
    """

    __slots__ = ("_counted", "_max", "_newest", "_pending", "span")

    REORDER_S = 0.1

    def __init__(self, span: float) -> None:
        self.span = span
        self._counted: deque[float] = deque()
        self._pending: list[float] = []  # a heap
        self._newest = -math.inf
        self._max = 0

    def add(self, now: float) -> None:
        heapq.heappush(self._pending, now)
        if now > self._newest:
            self._newest = now
        settled = self._newest - self.REORDER_S
        pending = self._pending
        while pending and pending[0] <= settled:
            self._max = max(self._max, _count(self._counted, heapq.heappop(pending), self.span))

    @property
    def max(self) -> int:
        """The most stamps in any window so far, those still waiting to be counted included."""
        if not self._pending:
            return self._max
        counted = deque(self._counted)
        best = self._max
        for stamp in sorted(self._pending):
            best = max(best, _count(counted, stamp, self.span))
        return best


def _count(times: deque[float], stamp: float, span: float) -> int:
    # `stamp` is no earlier than any in `times`: the window ending at it, counted.
    times.append(stamp)
    limit = stamp - span
    while times[0] <= limit:
        times.popleft()
    return len(times)


class SendStats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.started = time.monotonic()
        self.requests = 0
        self.by_method: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.sends_attempted = 0
        self.sends_ok = 0
        self.paid_broadcast_sends = 0
        self.attempts_per_chat: Counter[int | str] = Counter()
        self.sent_per_chat: Counter[int] = Counter()
        self.per_second: Counter[int] = Counter()  # whole seconds since reset -> send attempts
        # Seconds since reset of the first and the latest send attempt, as the server saw
        # them arrive (before any injected latency): a benchmark's throughput is over this.
        self.first_send_s: float | None = None
        self.last_send_s: float | None = None
        self._global_1s = _Window(1.0)
        self._chat_1s: dict[int | str, _Window] = {}
        self._chat_60s: dict[int | str, _Window] = {}
        self._seen: dict[tuple[int, str], int] = {}
        # (chat_id, text, first message_id, duplicate message_id)
        self.duplicates: list[tuple[int, str, int, int]] = []

    def request(self, method: str, status: int) -> None:
        self.requests += 1
        self.by_method[method] += 1
        self.by_status[status] += 1

    def send_attempt(self, chat_id: int | str, paid: bool, now: float) -> None:
        self.sends_attempted += 1
        if paid:
            self.paid_broadcast_sends += 1
        self.attempts_per_chat[chat_id] += 1
        since = now - self.started
        if self.first_send_s is None:
            self.first_send_s = since
        self.last_send_s = since
        self.per_second[int(since)] += 1
        self._global_1s.add(now)
        window = self._chat_1s.get(chat_id)
        if window is None:
            window = self._chat_1s[chat_id] = _Window(1.0)
            self._chat_60s[chat_id] = _Window(60.0)
        window.add(now)
        self._chat_60s[chat_id].add(now)

    def send_ok(self, chat_id: int, content_key: str, message_id: int) -> None:
        self.sends_ok += 1
        self.sent_per_chat[chat_id] += 1
        key = (chat_id, content_key)
        first = self._seen.get(key)
        if first is None:
            self._seen[key] = message_id
        else:
            self.duplicates.append((chat_id, content_key, first, message_id))

    @property
    def max_per_1s_window(self) -> int:
        """Most send attempts seen within any 1-second sliding window, all chats together."""
        return self._global_1s.max

    def max_per_1s_window_per_chat(self) -> dict[int | str, int]:
        return {chat: window.max for chat, window in self._chat_1s.items()}

    def max_per_60s_window_per_chat(self) -> dict[int | str, int]:
        return {chat: window.max for chat, window in self._chat_60s.items()}

    def snapshot(self, *, per_chat: bool = True) -> dict[str, Any]:
        """JSON-serialisable summary (keys of per-chat maps become strings in JSON).

        ``per_chat=False`` leaves out the maps keyed by chat and the duplicates' texts
        (their counts stay): a benchmark's million chats would make megabytes of JSON.
        """
        per_chat_1s = self.max_per_1s_window_per_chat()
        per_chat_60s = self.max_per_60s_window_per_chat()
        summary: dict[str, Any] = {
            "elapsed_s": round(time.monotonic() - self.started, 3),
            "requests": self.requests,
            "by_method": dict(self.by_method),
            "by_status": {str(k): v for k, v in self.by_status.items()},
            "sends_attempted": self.sends_attempted,
            "sends_ok": self.sends_ok,
            "paid_broadcast_sends": self.paid_broadcast_sends,
            "max_per_1s_window": self.max_per_1s_window,
            "max_per_1s_window_any_chat": max(per_chat_1s.values(), default=0),
            "max_per_60s_window_any_chat": max(per_chat_60s.values(), default=0),
            "chats_sent_to": len(self.sent_per_chat),
            "duplicate_count": len(self.duplicates),
            "first_send_s": self.first_send_s,
            "last_send_s": self.last_send_s,
        }
        if not per_chat:
            return summary
        return {
            **summary,
            "max_per_1s_window_per_chat": {str(k): v for k, v in per_chat_1s.items()},
            "sent_per_chat": {str(k): v for k, v in self.sent_per_chat.items()},
            "attempts_per_second": {str(k): v for k, v in sorted(self.per_second.items())},
            "duplicates": [
                {"chat_id": c, "text": t, "first_message_id": a, "duplicate_message_id": b}
                for c, t, a, b in self.duplicates
            ],
        }
