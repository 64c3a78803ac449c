"""Fold the event log into read models: load, score (pure), store with a revision if changed.

Every function takes a connection inside `Database.update(...)`; the callers hold the
advisory lock for the key they write, so concurrent workers cannot lose an update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, select, text

from services.scoring.documents import changed_events, score_document
from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.monthly import score_month
from shared import org
from shared.domain.events import RecordedEvent
from shared.domain.periods import TZ, months_of_year
from shared.domain.template import Template
from shared.eventstore import EventStore
from shared.tables import annual_scores, score_revisions, scores


def score_lock(employee: str, period: str) -> str:
    return f"score:{employee}:{period}"


@dataclass(frozen=True)
class Scored:
    employee: str
    period: str
    project: str
    department: str
    final: Decimal
    changed: bool
    previous_project: str | None = None  # where the stored row said it was, if elsewhere


class Templates:
    """Template versions looked up once per task, not once per employee."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cache: dict[tuple[str, str], Template | None] = {}

    def for_period(self, code: str, period: str) -> Template | None:
        key = (code, period)
        if key not in self._cache:
            self._cache[key] = org.template_for(self.conn, code, period)
        return self._cache[key]


def score_employee_month(conn: Connection, employee_no: str, period: str,
                         templates: Templates | None = None) -> Scored | None:
    """Recompute one employee-month from the log; store it and a revision if it changed."""
    emp = org.get_employee(conn, employee_no)
    place = org.assignment_for(conn, employee_no, period)
    if emp is None or place is None:
        return None
    template = (templates or Templates(conn)).for_period(emp.template, period)
    if template is None:
        return None
    events = EventStore(conn).query(employee=employee_no, period=period, limit=1_000_000)
    doc, final = month_document(template, employee_no, period, events, place)
    changed, before = store_score(conn, doc, final)
    if changed:
        refresh_annual(conn, employee_no, period[:4])
    moved = before if before not in (None, place.project) else None
    return Scored(employee_no, period, place.project, place.department, final, changed, moved)


def month_document(template: Template, employee_no: str, period: str, events: Iterable[RecordedEvent],
                   place: org.Assignment) -> tuple[dict[str, Any], Decimal]:
    """The read-model document of one employee-month (pure), and its final."""
    result = score_month(template, employee_no, period, events)
    return score_document(result, place.project, place.department), result.final


def score_values(doc: dict[str, Any], final: Decimal, revision: int, now: datetime) -> dict[str, Any]:
    """A `scores` row's columns besides its key."""
    return {"project": doc["project"], "department": doc["department"], "template": doc["template"],
            "template_version": doc["template_version"], "final": final, "result": doc,
            "position": doc["position"], "revision": revision, "computed_at": now}


def revision_row(old: Any, doc: dict[str, Any], final: Decimal, revision: int, now: datetime) -> dict[str, Any]:
    """The `score_revisions` row publishing `doc` over `old` (a stored row, or None)."""
    return {"employee": doc["employee"], "period": doc["period"], "revision": revision,
            "old_final": None if old is None else old.final, "new_final": final,
            "old": None if old is None else old.result, "new": doc,
            "cause_event_ids": changed_events(None if old is None else old.result, doc),
            "position": doc["position"], "created_at": now}


# What `revision_row(None, doc, final, 1, now)` holds for a new score, from the score's row:
# no old value (JSON null), the document, all its events as the cause, its position and time.
_FIRST_REVISIONS = text(
    "INSERT INTO score_revisions (employee, period, revision, old_final, new_final, old, new, "
    "cause_event_ids, position, created_at) "
    "SELECT s.employee, s.period, 1, NULL, s.final, 'null'::jsonb, s.result, s.result->'event_ids', "
    "s.position, s.computed_at FROM scores s "
    "JOIN unnest(CAST(:employees AS text[]), CAST(:periods AS text[])) AS k(employee, period) "
    "ON s.employee = k.employee AND s.period = k.period")


def copy_first_revisions(conn: Connection, employees: list[str], periods: list[str]) -> None:
    """On PostgreSQL: the first revision of each of these new scores, copied from its row by
    the server (so the document is sent and parsed once, for the score alone)."""
    conn.execute(_FIRST_REVISIONS, {"employees": employees, "periods": periods})


def store_score(conn: Connection, doc: dict[str, Any], final: Decimal) -> tuple[bool, str | None]:
    """Upsert one score; append a revision when it changed. Returns (changed, old project)."""
    key = (scores.c.employee == doc["employee"]) & (scores.c.period == doc["period"])
    old = conn.execute(select(scores.c.result, scores.c.revision, scores.c.final, scores.c.project)
                       .where(key)).first()
    if old is not None and old.result == doc:
        return False, old.project
    now = datetime.now(UTC)
    revision = 1 if old is None else old.revision + 1
    values = score_values(doc, final, revision, now)
    if old is None:
        conn.execute(scores.insert().values(employee=doc["employee"], period=doc["period"], **values))
    else:
        conn.execute(scores.update().where(key).values(**values))
    conn.execute(score_revisions.insert().values(**revision_row(old, doc, final, revision, now)))
    return True, None if old is None else old.project


class StoredMonth(NamedTuple):
    """One stored monthly final, as the annual composite reads it."""

    period: str
    template: str
    final: Decimal
    position: int


def refresh_annual(conn: Connection, employee_no: str, year: str) -> None:
    """The year-end composite from the stored monthly finals (SPEC §4, seed 003 §4.6)."""
    emp = org.get_employee(conn, employee_no)
    if emp is None:
        return
    template = org.template_for(conn, emp.template, f"{year}-12")
    if template is None:
        return
    rows = conn.execute(select(scores.c.period, scores.c.template, scores.c.final, scores.c.position)
                        .where(scores.c.employee == employee_no,
                               scores.c.period.in_(months_of_year(year)))
                        .order_by(scores.c.period)).all()
    stored = [StoredMonth(r.period, r.template, Decimal(str(r.final)), int(r.position)) for r in rows]
    doc, position = annual_document(template, emp.template, employee_no, year, stored)
    key = (annual_scores.c.employee == employee_no) & (annual_scores.c.year == year)
    old = conn.execute(select(annual_scores.c.result).where(key)).scalar()
    if old == doc:
        return
    values = {"template": emp.template, "result": doc, "position": position, "computed_at": datetime.now(UTC)}
    if old is None:
        conn.execute(annual_scores.insert().values(employee=employee_no, year=year, **values))
    else:
        conn.execute(annual_scores.update().where(key).values(**values))


def annual_document(template: Template, employee_template: str, employee_no: str, year: str,
                    rows: Sequence[StoredMonth]) -> tuple[dict[str, Any], int]:
    """The annual read-model document from the year's stored finals (by period), and its position."""
    finals: dict[str, list[Decimal]] = {}
    for c in template.annual.components:
        code = c.template or employee_template
        finals[c.code] = [r.final for r in rows if r.template == code]
    doc = annual_result_to_dict(annual_composite(template.annual, finals))
    doc.update(employee=employee_no, year=year, template=employee_template,
               months={r.period: float(r.final) for r in rows})
    return doc, max((r.position for r in rows), default=0)


def shanghai_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).date()
