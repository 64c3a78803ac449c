"""What the scoring use case reads: employee-months' events and the published read models.

The fold reads an event's id, type, period, employee, dates, payload and recorder
(`metadata["actor"]`); nothing else is fetched, and stream, version and hash are left
blank. Events come either for a batch of employees (`month_events`) or as one stream over
the whole log (`stream_months`, the rebuild), through a server-side cursor on PostgreSQL,
in (employee, period, position) order so that memory stays flat whatever the log's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from services.scoring.domain.documents import AnnualInputs, Inspection, StoredMonth, YearEndReview
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import months_of_year
from shared.eventstore import as_utc, to_recorded
from shared.org import shanghai_date
from shared.tables import event_revocations, events, rankings, scores

# The year-end inputs ride along: the fold ignores them, but a job that sees one (or a
# revocation) publishes the employee's annual composite again.
SCORED_TYPES: tuple[str, ...] = (*ev.REVOCABLE_TYPES, ev.REVOCATION)
# Of the metadata the fold reads the recorder alone, as text: the rest is not even sent.
FOLD_COLUMNS = ("employee", "period", "type", "payload", "position", "id", "recorded_at",
                "metadata->>'actor' AS actor", "occurred_on")
_WHERE = (f"employee IS NOT NULL AND period IS NOT NULL "
          f"AND type IN ({', '.join(repr(t) for t in SCORED_TYPES)})")
_ORDER = "ORDER BY employee, period, position"
FOLD_SQL = f"SELECT {', '.join(FOLD_COLUMNS)} FROM events WHERE {_WHERE} {_ORDER}"
ITERSIZE = 5000

Month = tuple[str, str]  # (employee, period)


def fold_event(employee: str, period: str, type_: str, payload: dict[str, Any], position: int, id_: str,
               recorded_at: datetime, metadata: dict[str, Any], occurred_on: date | None) -> RecordedEvent:
    return RecordedEvent.from_fields({
        "id": id_, "position": int(position), "stream": "", "version": 0, "type": type_,
        "payload": payload, "metadata": metadata, "recorded_at": as_utc(recorded_at), "hash": "",
        "prev_hash": "", "occurred_on": occurred_on, "period": period, "employee": employee,
        "project": None, "idempotency_key": None, "schema_version": 1})


def month_events(conn: Connection, employees: Sequence[str], period: str) -> dict[str, list[RecordedEvent]]:
    """Each employee's scored events of `period`, by position."""
    wanted = sorted(set(employees))
    out: dict[str, list[RecordedEvent]] = {}
    if not wanted:
        return out
    if conn.dialect.name != "postgresql":
        query = (select(events).where(events.c.employee.in_(wanted), events.c.period == period,
                                      events.c.type.in_(SCORED_TYPES)).order_by(events.c.position))
        found: Iterable[RecordedEvent] = (to_recorded(r) for r in conn.execute(query))
    else:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur:
            cur.execute(f"SELECT {', '.join(FOLD_COLUMNS)} FROM events WHERE employee = ANY(%s) "
                        f"AND period = %s AND type = ANY(%s) ORDER BY position",
                        (wanted, period, list(SCORED_TYPES)))
            found = [fold_event(no, month, kind, payload, position, id_, at, {"actor": actor}, day)
                     for no, month, kind, payload, position, id_, at, actor, day in cur]
    for e in found:
        out.setdefault(e.employee or "", []).append(e)
    return out


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
    with raw.cursor(name="jixiao_rebuild") as cur:
        cur.itersize = ITERSIZE
        cur.execute(FOLD_SQL if shard is None else shard.sql())
        for employee, period, type_, payload, position, id_, recorded_at, actor, occurred_on in cur:
            yield fold_event(employee, period, type_, payload, position, id_, recorded_at, {"actor": actor},
                             occurred_on)


def stored_months(conn: Connection, employees: Sequence[str] | None = None,
                  periods: Sequence[str] | None = None) -> dict[Month, StoredMonth]:
    """Published monthly finals (as the database gives them back), optionally of some
    employees and periods."""
    query = select(scores.c.employee, scores.c.period, scores.c.template, scores.c.final, scores.c.position)
    if employees is not None:
        if not employees:
            return {}
        query = query.where(scores.c.employee.in_(sorted(set(employees))))
    if periods is not None:
        query = query.where(scores.c.period.in_(sorted(set(periods))))
    return {(r.employee, r.period): StoredMonth(r.period, r.template, Decimal(str(r.final)), int(r.position))
            for r in conn.execute(query.order_by(scores.c.employee, scores.c.period))}


def by_year(months: dict[Month, StoredMonth]) -> dict[tuple[str, str], list[StoredMonth]]:
    """(employee, year) → that year's published months, by period."""
    out: dict[tuple[str, str], list[StoredMonth]] = defaultdict(list)
    for (no, period), month in sorted(months.items()):
        out[(no, period[:4])].append(month)
    return out


def annual_inputs(conn: Connection, employees: Sequence[str] | None = None,
                  year: str | None = None) -> dict[tuple[str, str], AnnualInputs]:
    """(employee, year) → its non-revoked inspections and year-end reviews (of some employees
    and one year, or all of them)."""
    revoked = select(event_revocations.c.event_id)
    query = select(events.c.id, events.c.position, events.c.type, events.c.employee, events.c.period,
                   events.c.payload, events.c.metadata, events.c.recorded_at, events.c.occurred_on).where(
        events.c.type.in_(ev.ANNUAL_TYPES), events.c.id.not_in(revoked))
    if employees is not None:
        if not employees:
            return {}
        query = query.where(events.c.employee.in_(sorted(set(employees))))
    if year is not None:  # a review is filed under a month of its year, an inspection under its day's
        query = query.where(events.c.period.in_(months_of_year(year)))
    found: dict[tuple[str, str], tuple[list[Inspection], list[YearEndReview]]] = defaultdict(lambda: ([], []))
    for r in conn.execute(query.order_by(events.c.position)):
        payload, meta = r.payload, r.metadata or {}
        actor = meta.get("actor_name") or meta.get("actor")  # as the record prints it: 姓名 (工号)
        if r.type == ev.INSPECTION:
            day = r.occurred_on.isoformat() if r.occurred_on else str(payload["occurred_on"])
            found[(r.employee, day[:4])][0].append(Inspection(
                str(r.id), int(r.position), day, str(payload["kind"]), Decimal(str(payload["score"])),
                str(payload.get("note", "")), actor))
        else:
            recorded = shanghai_date(as_utc(r.recorded_at))
            found[(r.employee, str(payload["year"]))][1].append(YearEndReview(
                str(r.id), int(r.position), Decimal(str(payload["score"])), str(payload.get("comment", "")),
                actor, recorded.isoformat() if recorded else None))
    return {key: AnnualInputs(tuple(i), tuple(y)) for key, (i, y) in found.items()}


def annual_due(found: Iterable[RecordedEvent]) -> set[str]:
    """Employees whose year-end inputs these events may change (an inspection, a review,
    or a revocation, which may take one back)."""
    return {e.employee for e in found
            if e.employee and (e.type in ev.ANNUAL_TYPES or e.type == ev.REVOCATION)}


def scored_projects(conn: Connection) -> list[tuple[str, str]]:
    """(project, period) of every published score."""
    return sorted(tuple(r) for r in conn.execute(select(scores.c.project, scores.c.period).distinct()))


def stored_rankings(conn: Connection, project: str, period: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(scope, template) → the published ranking rows of `project` in `period`."""
    rows = conn.execute(select(rankings.c.department, rankings.c.template, rankings.c.rows)
                        .where(rankings.c.project == project, rankings.c.period == period))
    return {(r.department, r.template): list(r.rows) for r in rows}


def plans_filed(conn: Connection, project: str | None = None,
                period: str | None = None) -> dict[tuple[str, str], dict[str, date]]:
    """(project, period) → when each employee filed their first (non-revoked) improvement plan."""
    revoked = select(event_revocations.c.event_id)
    query = (select(events.c.project, events.c.period, events.c.employee, events.c.recorded_at)
             .where(events.c.type == ev.IMPROVEMENT_PLAN, events.c.id.not_in(revoked)))
    if project is not None:
        query = query.where(events.c.project == project)
    if period is not None:
        query = query.where(events.c.period == period)
    out: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
    for r in conn.execute(query.order_by(events.c.position)):
        day = shanghai_date(r.recorded_at)
        filed = out[(r.project, r.period)]
        if r.employee not in filed and day is not None:
            filed[r.employee] = day
    return out
