"""Staff lists with search, and each person's page: months, documents, audit trail, and the
records of a month (with revocation for supervisors and above: corrections)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request

from services.reports import access, queries
from services.web import rubric, scope
from services.web.pages import current, for_roles, page
from shared import org
from shared.auth import READERS
from shared.domain.periods import is_month
from shared.errors import DomainError
from shared.eventstore import EventStore
from shared.web import get_db

bp = Blueprint("staff", __name__)
STAFF_READERS = READERS - {"employee"}


@bp.get("/staff")
@for_roles(STAFF_READERS)
def staff() -> Any:
    """The staff of the person's projects in a month, by department, searchable by name or 工号."""
    period = request.args.get("period") or scope.this_month()
    q = (request.args.get("q") or "").strip()
    if not is_month(period):
        abort(404)
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = request.args.get("project") or None
        if project is not None and project not in projects:
            abort(404)
        found = scope.staff(conn, current(), period, q, project)[: scope.SHOWN * 5]
        stored = queries.stored_scores(conn, [m.employee_no for m in found], period)
    return page("staff.html", people=found, scores={k: v["result"] for k, v in stored.items()}, q=q,
                period=period, projects=projects, project=project or "", departments=_departments(found))


def _departments(people: list[org.Member]) -> list[tuple[str, str]]:
    return sorted({(m.project, m.department) for m in people})


@bp.get("/staff/<employee_no>")
@for_roles(STAFF_READERS)
def person(employee_no: str) -> Any:
    """One person: every month with its sheet and audit trail, and the records of one month."""
    period = request.args.get("period") or scope.this_month()
    if not is_month(period):
        abort(404)
    with get_db().read() as conn:
        try:
            emp = access.employee_for(conn, current(), employee_no, [period, scope.this_month()])
        except DomainError:
            abort(404)
        months = queries.employee_months(conn, employee_no)
        events = EventStore(conn).query(employee=employee_no, period=period, types=rubric.RECORDED, limit=10_000)
        lines = rubric.lines(conn, events)
        place = org.assignment_for(conn, employee_no, period)
    return page("person.html", emp=emp, months=months, period=period, lines=lines, place=place)
