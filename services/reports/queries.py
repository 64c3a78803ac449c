"""Read-only SQL over the read models and the log; every function returns plain values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from shared.domain.events import RecordedEvent
from shared.domain.periods import months_of_year
from shared.eventstore import EventStore
from shared.hashing import utc_iso
from shared.tables import (
    accounts,
    annual_scores,
    departments,
    employee_assignments,
    employees,
    event_revocations,
    projects,
    ranking_revisions,
    rankings,
    score_revisions,
    scores,
)

ALL_EVENTS = 1_000_000


def project_names(conn: Connection, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Project code → name, for `codes` (or every project)."""
    q = select(projects.c.code, projects.c.name).order_by(projects.c.code)
    if codes is not None:
        q = q.where(projects.c.code.in_(list(codes)))
    return {r.code: r.name for r in conn.execute(q)}


def department_exists(conn: Connection, project: str, name: str) -> bool:
    row = conn.execute(select(departments.c.name).where(
        departments.c.project == project, departments.c.name == name)).first()
    return row is not None


def assignment_projects(conn: Connection, employee_no: str) -> list[tuple[str, str]]:
    """(effective_from, project) of every assignment of the employee, oldest first."""
    rows = conn.execute(select(employee_assignments.c.effective_from, employee_assignments.c.project)
                        .where(employee_assignments.c.employee_no == employee_no)
                        .order_by(employee_assignments.c.effective_from))
    return [(r.effective_from, r.project) for r in rows]


def stored_scores(conn: Connection, employees: list[str], period: str) -> dict[str, dict[str, Any]]:
    """Employee → {"result": stored document, "revision": n} for one month."""
    if not employees:
        return {}
    rows = conn.execute(select(scores.c.employee, scores.c.result, scores.c.revision)
                        .where(scores.c.period == period, scores.c.employee.in_(employees)))
    return {r.employee: {"result": dict(r.result), "revision": int(r.revision)} for r in rows}


def finals_in_year(conn: Connection, employees: list[str], year: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Employee → period → {"final", "template", "awards"} of the stored monthly scores."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if not employees:
        return out
    # Only the awards of each document: the server extracts them, the documents stay there.
    rows = conn.execute(select(scores.c.employee, scores.c.period, scores.c.final, scores.c.template,
                               scores.c.result["awards"].label("awards"))
                        .where(scores.c.employee.in_(employees), scores.c.period.in_(months_of_year(year)))
                        .order_by(scores.c.employee, scores.c.period))
    for r in rows:
        out.setdefault(r.employee, {})[r.period] = {
            "final": float(r.final), "template": r.template, "awards": list(r.awards or [])}
    return out


def scored_in_project_year(conn: Connection, project: str, year: str) -> list[str]:
    rows = conn.execute(select(scores.c.employee).distinct()
                        .where(scores.c.project == project, scores.c.period.in_(months_of_year(year))))
    return sorted(r.employee for r in rows)


def revisions(conn: Connection, employee_no: str, period: str) -> list[dict[str, Any]]:
    """Every published revision of one score, oldest first."""
    rows = conn.execute(select(score_revisions)
                        .where(score_revisions.c.employee == employee_no, score_revisions.c.period == period)
                        .order_by(score_revisions.c.revision))
    return [{
        "revision": int(r.revision),
        "old_final": None if r.old_final is None else float(r.old_final),
        "new_final": float(r.new_final),
        "cause_event_ids": list(r.cause_event_ids or []),
        "position": int(r.position),
        "created_at": utc_iso(r.created_at),
        "old": r.old,
        "new": r.new,
    } for r in rows]


def ranking_groups(conn: Connection, project: str, period: str) -> list[dict[str, Any]]:
    """The stored ranking groups of a project-month: department ('*' = project), template, rows."""
    rows = conn.execute(select(rankings.c.department, rankings.c.template, rankings.c.rows,
                               rankings.c.closed_on)
                        .where(rankings.c.project == project, rankings.c.period == period)
                        .order_by(rankings.c.department, rankings.c.template))
    return [{"department": r.department, "template": r.template, "rows": list(r.rows or []),
             "closed_on": r.closed_on} for r in rows]


def ranking_history(conn: Connection, project: str, period: str) -> list[dict[str, Any]]:
    """Every published revision of the project-month's rankings, by group, oldest first."""
    t = ranking_revisions.c
    rows = conn.execute(select(ranking_revisions).where(t.project == project, t.period == period)
                        .order_by(t.department, t.template, t.revision))
    return [{"department": r.department, "template": r.template, "revision": int(r.revision),
             "rows": list(r.rows or []), "closed_on": r.closed_on, "position": int(r.position),
             "cause_event_ids": list(r.cause_event_ids or []), "created_at": r.created_at} for r in rows]


def events_with_revocations(conn: Connection, ids: list[str]) -> dict[str, tuple[RecordedEvent, RecordedEvent | None]]:
    """Event id → (the event, its revocation if it was revoked)."""
    store = EventStore(conn)
    revoked: dict[str, str] = {r.event_id: r.revocation_id for r in conn.execute(
        select(event_revocations.c.event_id, event_revocations.c.revocation_id)
        .where(event_revocations.c.event_id.in_(ids)))} if ids else {}
    wanted = [*ids, *revoked.values()]
    read = {e.id: e for e in store.query(ids=wanted, limit=len(wanted) + 1)} if wanted else {}
    return {event_id: (read[event_id], read.get(revoked.get(event_id, ""))) for event_id in ids if event_id in read}


def stored_annual(conn: Connection, employee_no: str, year: str) -> dict[str, Any] | None:
    return stored_annuals(conn, [employee_no], year).get(employee_no)


def stored_annuals(conn: Connection, employees: list[str], year: str) -> dict[str, dict[str, Any]]:
    """Employee → published annual composite of `year`."""
    if not employees:
        return {}
    rows = conn.execute(select(annual_scores.c.employee, annual_scores.c.result).where(
        annual_scores.c.employee.in_(employees), annual_scores.c.year == year))
    return {r.employee: dict(r.result) for r in rows}


def employee_events(conn: Connection, employee_no: str, period: str) -> list[RecordedEvent]:
    """The employee's events of one month (revocations carry their target's month), by position."""
    return EventStore(conn).query(employee=employee_no, period=period, limit=ALL_EVENTS)


def portal_index(conn: Connection, scope: list[str] | None) -> list[dict[str, Any]]:
    """Projects (all when None) with their departments and the months that have scores."""
    q = select(projects.c.code, projects.c.name).order_by(projects.c.code)
    if scope is not None:
        q = q.where(projects.c.code.in_(scope))
    out = []
    for p in conn.execute(q):
        depts = conn.execute(select(departments.c.name).where(departments.c.project == p.code)
                             .order_by(departments.c.name)).scalars().all()
        months = conn.execute(select(scores.c.period).distinct().where(scores.c.project == p.code)
                              .order_by(scores.c.period.desc())).scalars().all()
        out.append({"code": p.code, "name": p.name, "departments": list(depts), "months": list(months),
                    "years": sorted({m[:4] for m in months}, reverse=True)})
    return out


def employee_months(conn: Connection, employee_no: str) -> list[str]:
    return list(conn.execute(select(scores.c.period).where(scores.c.employee == employee_no)
                             .order_by(scores.c.period.desc())).scalars().all())


def people_names(conn: Connection, users: list[str]) -> dict[str, str]:
    """user → how documents name them: 姓名 (工号) for an employee, else the account's display name."""
    if not users:
        return {}
    out = {r.username: r.display_name for r in conn.execute(
        select(accounts.c.username, accounts.c.display_name).where(accounts.c.username.in_(users)))}
    out.update({no: f"{name} ({no})" for no, name in employee_names(conn, users).items()})
    return out


def employee_names(conn: Connection, numbers: list[str]) -> dict[str, str]:
    """工号 → 姓名 for those of `numbers` that are employees (token users often are)."""
    if not numbers:
        return {}
    rows = conn.execute(select(employees.c.employee_no, employees.c.name)
                        .where(employees.c.employee_no.in_(numbers)))
    return {r.employee_no: r.name for r in rows}
