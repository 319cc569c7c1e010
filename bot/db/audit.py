"""The editors' audit trail, written in the transaction of the change it records."""

from __future__ import annotations

import json
from typing import Any

from bot.db.connection import Database
from bot.db.models import AuditEntry, now_iso


async def record(
    db: Database,
    *,
    user_id: int,
    action: str,
    story_id: int | None = None,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one editor action; call inside the atomic() block of the change."""
    await db.execute(
        "INSERT INTO audit_log (at, user_id, action, story_id, target, before_json, after_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            now_iso(),
            user_id,
            action,
            story_id,
            target,
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
        ),
    )


async def latest(db: Database, limit: int = 10) -> list[AuditEntry]:
    """The newest audit entries first."""
    rows = await db.fetchall("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,))
    return [AuditEntry.from_row(r) for r in rows]
