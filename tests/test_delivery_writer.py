"""The outcome writer records results in short transactions, in the order they came."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import pytest

from bot.db import deliveries
from bot.db.deliveries import GroupResult
from bot.delivery.clock import SystemClock
from bot.delivery.writer import MAX_BATCH, OutcomeWriter


@dataclass
class _Result:
    chat_id: int
    kind: str = "item"


async def test_a_backlog_is_recorded_in_short_transactions_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite's write lock is the whole store's: one transaction of every outcome piled up
    # held it for tens of milliseconds while an editor's command waited.
    batches: list[list[int]] = []

    async def apply_results(db: Any, results: Sequence[Any], now: float | None = None) -> None:
        batches.append([r.chat_id for r in results])

    monkeypatch.setattr(deliveries, "apply_results", apply_results)
    recorded = 0

    def on_recorded(batch: Sequence[GroupResult]) -> None:
        nonlocal recorded
        recorded += 1

    writer = OutcomeWriter(
        cast(Any, None),
        clock=SystemClock(),
        flush_interval=0.0,
        on_recorded=on_recorded,
        stopping=lambda: False,
    )
    for chat_id in range(3 * MAX_BATCH + 5):
        writer.add(cast(GroupResult, _Result(chat_id)))
    await writer.flush()
    assert [len(b) for b in batches] == [MAX_BATCH] * 3 + [5]
    assert [c for b in batches for c in b] == list(range(3 * MAX_BATCH + 5))
    assert writer.pending == 0 and recorded == len(batches)
