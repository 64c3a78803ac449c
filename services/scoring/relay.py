"""The relay: the event log is the outbox. Follow it by position and dispatch the work.

One tick: queue new and stale tasks, then read events past the checkpoint, work out
which employee-months they touch and dispatch those. The checkpoint advances in the
same transaction only after dispatch succeeded, so a broker outage loses nothing: the
next tick after it comes back sends the same work (duplicates are harmless).
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, case, select

from services.scoring.work import Dispatcher, chunks
from shared.db import Database, try_advisory_lock
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.eventstore import EventStore
from shared.tables import checkpoints, scores, tasks
from shared.tasklog import PENDING, STARTED

RELAY = "relay"
QUEUED = "QUEUED"


def stale_after() -> timedelta:
    return timedelta(seconds=float(os.environ.get("JIXIAO_TASK_STALE_SECONDS", "60")))


def relay_tick(db: Database, dispatch: Dispatcher, batch: int = 5000, now: datetime | None = None) -> int:
    """Dispatch what is due; returns how many events were relayed."""
    now = now or datetime.now(UTC)
    with db.update() as conn:
        if not try_advisory_lock(conn, "relay"):
            return 0  # another worker is relaying right now
        _dispatch_tasks(conn, dispatch, now)
        after = _checkpoint(conn)
        events = EventStore(conn).query(after=after, limit=batch)
        if not events:
            return 0
        for period, employees in sorted(_affected(conn, events).items()):
            for chunk in chunks(sorted(employees)):
                dispatch.score(period, chunk)
        _save_checkpoint(conn, events[-1].position, now)
        return len(events)


def _dispatch_tasks(conn: Connection, dispatch: Dispatcher, now: datetime) -> None:
    """New tasks, and tasks that made no progress for a while (their worker may be gone)."""
    cutoff = now - stale_after()
    due = conn.execute(select(tasks.c.id).where(
        (tasks.c.state == PENDING)
        | (tasks.c.state.in_([QUEUED, STARTED]) & (tasks.c.updated_at < cutoff))
    ).order_by(tasks.c.created_at).limit(100)).scalars().all()
    for task_id in due:
        dispatch.run_task(task_id)
        # One statement: a new task becomes QUEUED; a stale one keeps its state, gets a fresh clock.
        conn.execute(tasks.update().where(tasks.c.id == task_id).values(
            state=case((tasks.c.state == PENDING, QUEUED), else_=tasks.c.state), updated_at=now))


def _affected(conn: Connection, events: list[RecordedEvent]) -> dict[str, set[str]]:
    """period → employees whose score these events may change."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.type in ev.INCIDENT_TYPES or e.type == ev.REVOCATION:
            if e.employee and e.period:
                out[e.period].add(e.employee)
        elif e.type == ev.EMPLOYEE_TRANSFERRED and e.employee:
            rows = conn.execute(select(scores.c.period).where(
                scores.c.employee == e.employee, scores.c.period >= e.payload["effective_from"]))
            for period in rows.scalars():
                out[period].add(e.employee)
        elif e.type == ev.TEMPLATE_PUBLISHED:
            rows = conn.execute(select(scores.c.period, scores.c.employee).where(
                scores.c.template == e.payload["code"],
                scores.c.period >= str(e.payload["effective_from"])))
            for r in rows:
                out[r.period].add(r.employee)
    return out


def _checkpoint(conn: Connection) -> int:
    pos = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == RELAY)).scalar()
    return int(pos or 0)


def _save_checkpoint(conn: Connection, position: int, now: datetime) -> None:
    updated = conn.execute(checkpoints.update().where(checkpoints.c.name == RELAY)
                           .values(position=position, updated_at=now))
    if updated.rowcount == 0:
        conn.execute(checkpoints.insert().values(name=RELAY, position=position, updated_at=now))
