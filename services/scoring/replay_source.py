"""What the bulk replay reads: the log once, employee-month by employee-month, and the
organisation once, all from one snapshot.

The fold reads only some columns of an event (`FOLD_COLUMNS`); on PostgreSQL they are
streamed through a server-side cursor in (employee, period, position) order, so one
employee-month's events arrive together and memory stays flat whatever the log's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from services.scoring.fold_read import FOLD_COLUMNS, SCORED_TYPES, fold_event
from services.scoring.projection import shanghai_date
from services.scoring.rankings import plans_filed
from shared import org
from shared.domain.events import RecordedEvent
from shared.domain.template import Template, version_in_force
from shared.eventstore import to_recorded
from shared.tables import events, period_closures

_WHERE = (f"employee IS NOT NULL AND period IS NOT NULL "
          f"AND type IN ({', '.join(repr(t) for t in SCORED_TYPES)})")
_ORDER = "ORDER BY employee, period, position"
FOLD_SQL = f"SELECT {', '.join(FOLD_COLUMNS)} FROM events WHERE {_WHERE} {_ORDER}"
ITERSIZE = 5000

Month = tuple[str, str]  # (employee, period)


@dataclass(frozen=True)
class Shard:
    """One of `of` disjoint parts of the log, by employee (an employee's months stay together)."""

    number: int
    of: int

    def sql(self) -> str:
        return (f"SELECT {', '.join(FOLD_COLUMNS)} FROM events WHERE {_WHERE} "
                f"AND (hashtext(employee) & 2147483647) % {int(self.of)} = {int(self.number)} {_ORDER}")


def stream_months(conn: Connection, shard: Shard | None = None) -> Iterator[tuple[Month, list[RecordedEvent]]]:
    """Every employee-month (of `shard`) that has scored events, with those events by position."""
    key: Month | None = None
    batch: list[RecordedEvent] = []
    for e in _stream(conn, shard):
        month = (e.employee or "", e.period or "")
        if month != key:
            if key is not None:
                yield key, batch
            key, batch = month, []
        batch.append(e)
    if key is not None:
        yield key, batch


def _stream(conn: Connection, shard: Shard | None) -> Iterator[RecordedEvent]:
    if conn.dialect.name != "postgresql":
        assert shard is None, "shards need PostgreSQL"
        query = (select(events).where(events.c.employee.is_not(None), events.c.period.is_not(None),
                                      events.c.type.in_(SCORED_TYPES))
                 .order_by(events.c.employee, events.c.period, events.c.position))
        yield from (to_recorded(r) for r in conn.execute(query))
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor(name="jixiao_replay") as cur:
        cur.itersize = ITERSIZE
        cur.execute(FOLD_SQL if shard is None else shard.sql())
        for employee, period, type_, payload, position, id_, recorded_at, metadata, occurred_on in cur:
            yield fold_event(employee, period, type_, payload, position, id_, recorded_at, metadata, occurred_on)


class OrgSnapshot:
    """Employees, assignments, template versions, closures and improvement plans, read once."""

    def __init__(self, conn: Connection) -> None:
        self.people, self.places = org.employees_with_assignments(conn, None)
        self.versions: dict[str, list[Template]] = {}
        for t in org.all_template_versions(conn):
            self.versions.setdefault(t.code, []).append(t)
        self.closed = {(r.project, r.period): shanghai_date(r.closed_at)
                       for r in conn.execute(select(period_closures))}
        self.plans = plans_filed(conn)
        self._templates: dict[tuple[str, str], Template | None] = {}
        self._members: dict[str, list[org.Member]] = {}

    def employee(self, employee_no: str) -> org.Employee | None:
        return self.people.get(employee_no)

    def assignment(self, employee_no: str, period: str) -> org.Assignment | None:
        return org.assignment_in(self.places.get(employee_no, []), period)

    def template(self, code: str, period: str) -> Template | None:
        """As `org.template_for`: the version of `code` in force in `period`."""
        key = (code, period)
        if key not in self._templates:
            self._templates[key] = version_in_force(self.versions.get(code, []), period)
        return self._templates[key]

    def members(self, period: str, project: str) -> list[org.Member]:
        """As `org.members(conn, period, project)`."""
        if period not in self._members:
            self._members[period] = org.members_from(self.people, self.places, period)
        return [m for m in self._members[period] if m.project == project]

    def plans_filed(self, project: str, period: str) -> dict[str, date]:
        return self.plans.get((project, period), {})
