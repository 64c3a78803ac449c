"""Long-running work (close, recompute) tracked in the database, not in the broker.

A task row is written in the same transaction as the request that asks for it, so a
request that succeeded always has its task, even if the broker was down.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from shared.tables import tasks

PENDING, STARTED, SUCCESS, FAILURE = "PENDING", "STARTED", "SUCCESS", "FAILURE"


def create_task(conn: Connection, kind: str, args: dict[str, Any], requested_by: str) -> str:
    task_id = str(uuid.uuid4())
    now = datetime.now(UTC)  # tasks run on real time (staleness), not on the business clock
    conn.execute(tasks.insert().values(
        id=task_id, kind=kind, args=args, state=PENDING, progress={"done": 0, "total": 0},
        result=None, error=None, created_at=now, updated_at=now, requested_by=requested_by,
    ))
    return task_id


def get_task(conn: Connection, task_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(tasks).where(tasks.c.id == task_id)).first()
    return None if row is None else dict(row._mapping)


def update_task(conn: Connection, task_id: str, **values: Any) -> None:
    conn.execute(tasks.update().where(tasks.c.id == task_id)
                 .values(**values, updated_at=datetime.now(UTC)))
