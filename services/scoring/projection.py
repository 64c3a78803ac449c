"""Fold the event log into read models: load, score (pure), store with a revision if changed.

Every function takes a connection inside `Database.update(...)`; the callers hold the
advisory lock for the key they write, so concurrent workers cannot lose an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from services.scoring.documents import changed_events, score_document
from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.monthly import score_month
from shared import org
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
    result = score_month(template, employee_no, period, events)
    doc = score_document(result, place.project, place.department)
    changed, before = store_score(conn, doc, result.final)
    if changed:
        refresh_annual(conn, employee_no, period[:4])
    moved = before if before not in (None, place.project) else None
    return Scored(employee_no, period, place.project, place.department, result.final, changed, moved)


def store_score(conn: Connection, doc: dict[str, Any], final: Decimal) -> tuple[bool, str | None]:
    """Upsert one score; append a revision when it changed. Returns (changed, old project)."""
    key = (scores.c.employee == doc["employee"]) & (scores.c.period == doc["period"])
    old = conn.execute(select(scores.c.result, scores.c.revision, scores.c.final, scores.c.project)
                       .where(key)).first()
    if old is not None and old.result == doc:
        return False, old.project
    now = datetime.now(UTC)
    revision = 1 if old is None else old.revision + 1
    values = {"project": doc["project"], "department": doc["department"], "template": doc["template"],
              "template_version": doc["template_version"], "final": final, "result": doc,
              "position": doc["position"], "revision": revision, "computed_at": now}
    if old is None:
        conn.execute(scores.insert().values(employee=doc["employee"], period=doc["period"], **values))
    else:
        conn.execute(scores.update().where(key).values(**values))
    conn.execute(score_revisions.insert().values(
        employee=doc["employee"], period=doc["period"], revision=revision,
        old_final=None if old is None else old.final, new_final=final,
        old=None if old is None else old.result, new=doc,
        cause_event_ids=changed_events(None if old is None else old.result, doc),
        position=doc["position"], created_at=now))
    return True, None if old is None else old.project


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
    finals: dict[str, list[Decimal]] = {}
    for c in template.annual.components:
        code = c.template or emp.template
        finals[c.code] = [Decimal(str(r.final)) for r in rows if r.template == code]
    doc = annual_result_to_dict(annual_composite(template.annual, finals))
    doc.update(employee=employee_no, year=year, template=emp.template,
               months={r.period: float(r.final) for r in rows})
    position = max((int(r.position) for r in rows), default=0)
    key = (annual_scores.c.employee == employee_no) & (annual_scores.c.year == year)
    old = conn.execute(select(annual_scores.c.result).where(key)).scalar()
    if old == doc:
        return
    values = {"template": emp.template, "result": doc, "position": position, "computed_at": datetime.now(UTC)}
    if old is None:
        conn.execute(annual_scores.insert().values(employee=employee_no, year=year, **values))
    else:
        conn.execute(annual_scores.update().where(key).values(**values))


def shanghai_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).date()
