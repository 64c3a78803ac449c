"""The relay: the event log is the outbox. Follow it by position and dispatch the work.

One tick: queue new and stale tasks, open the months that have begun, then read events
past the checkpoint, work out which employee-months they touch and dispatch those. The
checkpoints advance in the same transaction only after dispatch succeeded, so a broker
outage loses nothing: the next tick after it comes back sends the same work (duplicates
are harmless).

Every active employee has a published result for every month of their employment up to
the current one (SPEC §4.11: a month without events is a perfect month). A registration,
a transfer or a new rubric version dispatches the months it concerns; a month that begins
is opened for everyone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, case, select

from services.scoring.publish import employment_months
from services.scoring.work import Dispatcher, chunks
from shared import org
from shared.clock import Clock
from shared.db import Database, try_advisory_lock
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import next_month
from shared.eventstore import EventStore
from shared.tables import checkpoints, employees, tasks
from shared.tasklog import PENDING, STARTED

RELAY = "relay"
OPENED = "opened"  # the last month opened for everyone, as YYYYMM
QUEUED = "QUEUED"


class Relay:
    def __init__(self, db: Database, clock: Clock, dispatch: Dispatcher, stale_after: float = 60.0,
                 batch: int = 5000) -> None:
        self.db, self.clock, self.dispatch = db, clock, dispatch
        self.stale_after, self.batch = timedelta(seconds=stale_after), batch

    def tick(self) -> int:
        """Dispatch what is due; returns how many events were relayed."""
        now = datetime.now(UTC)  # the relay's own bookkeeping runs on real time
        with self.db.update() as conn:
            if not try_advisory_lock(conn, RELAY):
                return 0  # another worker is relaying right now
            self._dispatch_tasks(conn, now)
            current = self.clock.month()
            view = org.OrgView(conn)
            self._open_months(conn, view, current, now)
            found = EventStore(conn).query(after=checkpoint(conn, RELAY), limit=self.batch)
            if not found:
                return 0
            self._send(affected(view, found, current))
            save_checkpoint(conn, RELAY, found[-1].position, now)
            return len(found)

    def _send(self, months: dict[str, set[str]]) -> None:
        for period, people in sorted(months.items()):
            for chunk in chunks(sorted(people)):
                self.dispatch.score(period, chunk)

    def _dispatch_tasks(self, conn: Connection, now: datetime) -> None:
        """New tasks, and tasks that made no progress for a while (their worker may be gone)."""
        cutoff = now - self.stale_after
        due = conn.execute(select(tasks.c.id).where(
            (tasks.c.state == PENDING)
            | (tasks.c.state.in_([QUEUED, STARTED]) & (tasks.c.updated_at < cutoff))
        ).order_by(tasks.c.created_at).limit(100)).scalars().all()
        for task_id in due:
            self.dispatch.run_task(task_id)
            # One statement: a new task becomes QUEUED; a stale one keeps its state, gets a fresh clock.
            conn.execute(tasks.update().where(tasks.c.id == task_id).values(
                state=case((tasks.c.state == PENDING, QUEUED), else_=tasks.c.state), updated_at=now))

    def _open_months(self, conn: Connection, view: org.OrgView, current: str, now: datetime) -> None:
        """Every month that began since the last one opened gets a result for everyone."""
        opened = checkpoint(conn, OPENED)
        month = current if not opened else next_month(_month(opened))
        if month > current:
            return
        people = org.load_people(conn)
        while month <= current:
            self._send({month: {m.employee_no for m in people.members(month)}})
            month = next_month(month)
        save_checkpoint(conn, OPENED, int(current.replace("-", "")), now)


def affected(view: org.OrgView, found: list[RecordedEvent], current: str) -> dict[str, set[str]]:
    """period → employees whose result these events may change."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in found:
        if e.type in ev.REVOCABLE_TYPES or e.type == ev.REVOCATION:
            if e.employee and e.period:
                out[e.period].add(e.employee)
        elif e.type in (ev.EMPLOYEE_REGISTERED, ev.EMPLOYEE_TRANSFERRED) and e.employee:
            since = None if e.type == ev.EMPLOYEE_REGISTERED else str(e.payload["effective_from"])
            for period in employment_months(view, e.employee, current, since):
                out[period].add(e.employee)
        elif e.type == ev.TEMPLATE_PUBLISHED:
            on_rubric = view.conn.execute(select(employees.c.employee_no).where(
                employees.c.template == e.payload["code"])).scalars().all()
            view.prefetch(on_rubric)
            for no in on_rubric:
                for period in employment_months(view, no, current, str(e.payload["effective_from"])[:7]):
                    out[period].add(no)
    return out


def _month(yyyymm: int) -> str:
    return f"{yyyymm // 100:04d}-{yyyymm % 100:02d}"


def checkpoint(conn: Connection, name: str) -> int:
    pos = conn.execute(select(checkpoints.c.position).where(checkpoints.c.name == name)).scalar()
    return int(pos or 0)


def save_checkpoint(conn: Connection, name: str, position: int, now: datetime) -> None:
    updated = conn.execute(checkpoints.update().where(checkpoints.c.name == name)
                           .values(position=position, updated_at=now))
    if updated.rowcount == 0:
        conn.execute(checkpoints.insert().values(name=name, position=position, updated_at=now))
