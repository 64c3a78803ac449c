"""Read access to the organisation, templates and closures (both sides use it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from shared.domain.template import Template, version_in_force
from shared.schemas.template import load_template
from shared.tables import employee_assignments, employees, period_closures, projects, templates

ALWAYS = "0000-00"  # an assignment with no start month: valid for every period


@dataclass(frozen=True)
class Employee:
    employee_no: str
    name: str
    project: str
    department: str
    position: str
    template: str
    active: bool


@dataclass(frozen=True)
class Assignment:
    project: str
    department: str
    effective_from: str


def project_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(projects.c.code).where(projects.c.code == code)).first() is not None


def list_projects(conn: Connection) -> list[dict[str, str]]:
    rows = conn.execute(select(projects.c.code, projects.c.name).order_by(projects.c.code))
    return [{"code": r.code, "name": r.name} for r in rows]


def get_employee(conn: Connection, employee_no: str) -> Employee | None:
    row = conn.execute(select(employees).where(employees.c.employee_no == employee_no)).first()
    if row is None:
        return None
    return Employee(row.employee_no, row.name, row.project, row.department, row.position,
                    row.template, bool(row.active))


def assignment_for(conn: Connection, employee_no: str, period: str) -> Assignment | None:
    """Where the employee belonged in `period` (YYYY-MM): the latest transfer not after it."""
    row = conn.execute(
        select(employee_assignments)
        .where(employee_assignments.c.employee_no == employee_no,
               employee_assignments.c.effective_from <= period)
        .order_by(employee_assignments.c.effective_from.desc())
        .limit(1)
    ).first()
    return None if row is None else Assignment(row.project, row.department, row.effective_from)


def latest_assignment(conn: Connection, employee_no: str) -> Assignment | None:
    return assignment_for(conn, employee_no, "9999-99")


def template_versions(conn: Connection, code: str) -> list[Template]:
    rows = conn.execute(
        select(templates.c.document, templates.c.version)
        .where(templates.c.code == code).order_by(templates.c.version)
    )
    return [_template(r.document, r.version) for r in rows]


def all_template_versions(conn: Connection) -> list[Template]:
    rows = conn.execute(select(templates.c.document, templates.c.version)
                        .order_by(templates.c.code, templates.c.version))
    return [_template(r.document, r.version) for r in rows]


def template_for(conn: Connection, code: str, period: str) -> Template | None:
    """The version of template `code` in force in `period`."""
    return version_in_force(template_versions(conn, code), period)


def _template(document: dict, version: int) -> Template:
    from dataclasses import replace

    return replace(load_template(document), version=version)


def is_closed(conn: Connection, project: str, period: str) -> bool:
    return conn.execute(
        select(period_closures.c.project)
        .where(period_closures.c.project == project, period_closures.c.period == period)
    ).first() is not None


@dataclass(frozen=True)
class Member:
    employee_no: str
    name: str
    project: str
    department: str
    template: str
    position: str


def members(conn: Connection, period: str, project: str | None = None) -> list[Member]:
    """Active employees and where they belonged in `period`, optionally of one project."""
    rows = conn.execute(
        select(employee_assignments, employees.c.name, employees.c.template,
               employees.c.position.label("job"))
        .join(employees, employees.c.employee_no == employee_assignments.c.employee_no)
        .where(employee_assignments.c.effective_from <= period, employees.c.active.is_(True))
        .order_by(employee_assignments.c.employee_no, employee_assignments.c.effective_from)
    )
    latest: dict[str, Member] = {}
    for r in rows:  # ordered by effective_from: the last one per employee wins
        latest[r.employee_no] = Member(r.employee_no, r.name, r.project, r.department, r.template, r.job)
    found = [m for m in latest.values() if project is None or m.project == project]
    return sorted(found, key=lambda m: m.employee_no)


def closed_on(conn: Connection, project: str, period: str) -> datetime | None:
    return conn.execute(
        select(period_closures.c.closed_at)
        .where(period_closures.c.project == project, period_closures.c.period == period)
    ).scalar()
