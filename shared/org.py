"""Read access to the organisation, templates and closures (both sides use it)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

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


def _employee(row: Row[Any]) -> Employee:
    return Employee(row.employee_no, row.name, row.project, row.department, row.position,
                    row.template, bool(row.active))


def get_employee(conn: Connection, employee_no: str) -> Employee | None:
    row = conn.execute(select(employees).where(employees.c.employee_no == employee_no)).first()
    return None if row is None else _employee(row)


def get_employees(conn: Connection, employee_nos: Iterable[str]) -> dict[str, Employee]:
    """The employees among `employee_nos` that exist, in one query."""
    wanted = sorted(set(employee_nos))
    if not wanted:
        return {}
    rows = conn.execute(select(employees).where(employees.c.employee_no.in_(wanted)))
    return {r.employee_no: _employee(r) for r in rows}


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


def assignments_of(conn: Connection, employee_nos: Iterable[str]) -> dict[str, list[Assignment]]:
    """Every assignment of each of `employee_nos`, oldest first (see `assignment_in`)."""
    return employees_with_assignments(conn, employee_nos)[1]


def employees_with_assignments(
    conn: Connection, employee_nos: Iterable[str] | None
) -> tuple[dict[str, Employee], dict[str, list[Assignment]]]:
    """`get_employees` and `assignments_of` in one query (None: every employee): the
    employees that exist, and every assignment of each (oldest first; empty when none)."""
    wanted = None if employee_nos is None else sorted(set(employee_nos))
    people: dict[str, Employee] = {}
    places: dict[str, list[Assignment]] = defaultdict(list)
    places.update({no: [] for no in wanted or ()})
    if wanted == []:
        return people, places
    a = employee_assignments
    query = (select(employees, a.c.effective_from.label("a_from"), a.c.project.label("a_project"),
                    a.c.department.label("a_department"))
             .select_from(employees.outerjoin(a, a.c.employee_no == employees.c.employee_no))
             .order_by(employees.c.employee_no, a.c.effective_from))
    if wanted is not None:
        query = query.where(employees.c.employee_no.in_(wanted))
    for r in conn.execute(query):
        people.setdefault(r.employee_no, _employee(r))
        if r.a_from is not None:
            places[r.employee_no].append(Assignment(r.a_project, r.a_department, r.a_from))
    return people, places


def assignment_in(assignments: list[Assignment], period: str) -> Assignment | None:
    """What `assignment_for` answers, from an employee's assignments listed oldest first."""
    found = None
    for a in assignments:
        if a.effective_from <= period:
            found = a
    return found


def latest_assignment(conn: Connection, employee_no: str) -> Assignment | None:
    return assignment_for(conn, employee_no, "9999-99")


def template_versions(conn: Connection, code: str) -> list[Template]:
    """Every published version of `code`, oldest first.

    Versions are only ever added, never changed, so the parsed list is kept per database
    and code, and reused while a small query shows no version was added since.
    """
    stamp = tuple(conn.execute(
        select(func.count(), func.max(templates.c.version), func.max(templates.c.published_at))
        .where(templates.c.code == code)).one())
    key = (conn.engine.url.render_as_string(hide_password=False), code)
    cached = _VERSIONS.get(key)
    if cached is None or cached[0] != stamp:
        rows = conn.execute(
            select(templates.c.document, templates.c.version)
            .where(templates.c.code == code).order_by(templates.c.version)
        )
        cached = (stamp, [_template(r.document, r.version) for r in rows])
        if len(_VERSIONS) >= _PARSED_MAX:
            _VERSIONS.clear()
        _VERSIONS[key] = cached
    return list(cached[1])


def all_template_versions(conn: Connection) -> list[Template]:
    rows = conn.execute(select(templates.c.document, templates.c.version)
                        .order_by(templates.c.code, templates.c.version))
    return [_template(r.document, r.version) for r in rows]


def template_for(conn: Connection, code: str, period: str) -> Template | None:
    """The version of template `code` in force in `period`."""
    return version_in_force(template_versions(conn, code), period)


# Published versions are never edited, so one validation per distinct document is enough.
# Keyed by the document's content (not by code and version alone), so databases that
# publish different documents under the same code and version never share an entry.
_PARSED: dict[tuple[str, int], Template] = {}
_VERSIONS: dict[tuple[str, str], tuple[tuple[Any, ...], list[Template]]] = {}
_PARSED_MAX = 1024


def _template(document: dict[str, Any], version: int) -> Template:
    key = (json.dumps(document, sort_keys=True, ensure_ascii=False, default=str), version)
    template = _PARSED.get(key)
    if template is None:
        template = replace(load_template(document), version=version)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = template
    return template


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
    a = employee_assignments
    query = (select(a, employees.c.name, employees.c.template, employees.c.position.label("job"))
             .join(employees, employees.c.employee_no == a.c.employee_no)
             .where(a.c.effective_from <= period, employees.c.active.is_(True))
             .order_by(a.c.employee_no, a.c.effective_from))
    if project is not None:
        # Only people who were in `project` at some point by then can be in it in `period`.
        query = query.where(a.c.employee_no.in_(
            select(a.c.employee_no).where(a.c.project == project, a.c.effective_from <= period)))
    rows = conn.execute(query)
    latest: dict[str, Member] = {}
    for r in rows:  # ordered by effective_from: the last one per employee wins
        latest[r.employee_no] = Member(r.employee_no, r.name, r.project, r.department, r.template, r.job)
    found = [m for m in latest.values() if project is None or m.project == project]
    return sorted(found, key=lambda m: m.employee_no)


def members_from(people: dict[str, Employee], places: dict[str, list[Assignment]], period: str,
                 project: str | None = None) -> list[Member]:
    """What `members` answers, from `employees_with_assignments(conn, None)` read once."""
    found = []
    for no, emp in people.items():
        place = assignment_in(places.get(no, []), period) if emp.active else None
        if place is not None and (project is None or place.project == project):
            found.append(Member(no, emp.name, place.project, place.department, emp.template, emp.position))
    return sorted(found, key=lambda m: m.employee_no)


def closed_on(conn: Connection, project: str, period: str) -> datetime | None:
    return conn.execute(
        select(period_closures.c.closed_at)
        .where(period_closures.c.project == project, period_closures.c.period == period)
    ).scalar()
