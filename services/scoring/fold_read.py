"""The fold's view of the log: only the events and columns a score depends on.

`score_month` reads an event's id, type, period, employee, dates, payload and recorder
(`metadata["actor"]`); nothing else is fetched, and stream, version and hash are left blank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.eventstore import as_utc, to_recorded
from shared.tables import events

# The events a score depends on, and only the columns the fold reads.
SCORED_TYPES: tuple[str, ...] = (*ev.INCIDENT_TYPES, ev.REVOCATION)
FOLD_COLUMNS = ("employee", "period", "type", "payload", "position", "id", "recorded_at", "metadata",
                "occurred_on")


def months_of(conn: Connection, employees: Sequence[str], period: str) -> dict[str, list[RecordedEvent]]:
    """Each employee's scored events of `period` by position, as the fold reads them: what
    `EventStore.query(employee=e, period=period)` gives the fold, for many employees at once."""
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
        # Of the metadata the fold reads the recorder alone: the rest is not even parsed.
        columns = ", ".join("metadata->'actor'" if c == "metadata" else c for c in FOLD_COLUMNS)
        with raw.cursor() as cur:
            cur.execute(f"SELECT {columns} FROM events WHERE employee = ANY(%s) "
                        f"AND period = %s AND type = ANY(%s) ORDER BY position",
                        (wanted, period, list(SCORED_TYPES)))
            found = [fold_event(no, month, kind, payload, position, id_, at, {"actor": actor}, day)
                     for no, month, kind, payload, position, id_, at, actor, day in cur]
    for e in found:
        out.setdefault(e.employee or "", []).append(e)
    return out


def fold_event(employee: str, period: str, type_: str, payload: dict[str, Any], position: int, id_: str,
            recorded_at: datetime, metadata: dict[str, Any], occurred_on: date | None) -> RecordedEvent:
    # The fold reads no stream, version, hash or key: they are left blank, not fetched.
    return RecordedEvent.from_fields({
        "id": id_, "position": int(position), "stream": "", "version": 0, "type": type_,
        "payload": payload, "metadata": metadata, "recorded_at": as_utc(recorded_at), "hash": "",
        "prev_hash": "", "occurred_on": occurred_on, "period": period, "employee": employee,
        "project": None, "idempotency_key": None, "schema_version": 1})
