"""Read access to the organisation, templates and closures (every side uses it).

Membership has one implementation, `People.members`, over employees and their
assignments read in one query. `OrgView` is the prefetching view one transaction
works with: employees, assignments, template versions and closures, each read once.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from shared.domain.periods import TZ
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


@dataclass(frozen=True)
class Member:
    employee_no: str
    name: str
    project: str
    department: str
    template: str
    position: str


def project_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(projects.c.code).where(projects.c.code == code)).first() is not None


def list_projects(conn: Connection) -> list[dict[str, str]]:
    rows = conn.execute(select(projects.c.code, projects.c.name).order_by(projects.c.code))
    return [{"code": r.code, "name": r.name} for r in rows]


def _employee(row: Row[Any]) -> Employee:
    return Employee(row.employee_no, row.name, row.project, row.department, row.position,
                    row.template, bool(row.active))


def get_employee(conn: Connection, employee_no: str) -> Employee | None:
    return load_people(conn, [employee_no]).employee(employee_no)


def assignment_in(assignments: list[Assignment], period: str) -> Assignment | None:
    """Where an employee belonged in `period` (YYYY-MM): the latest assignment not after it,
    from the employee's assignments listed oldest first."""
    found = None
    for a in assignments:
        if a.effective_from <= period:
            found = a
    return found


@dataclass
class People:
    """Employees and every assignment of each (oldest first), as read together."""

    employees: dict[str, Employee] = field(default_factory=dict)
    places: dict[str, list[Assignment]] = field(default_factory=dict)

    def employee(self, employee_no: str) -> Employee | None:
        return self.employees.get(employee_no)

    def assignment(self, employee_no: str, period: str) -> Assignment | None:
        return assignment_in(self.places.get(employee_no, []), period)

    def first_month(self, employee_no: str) -> str | None:
        """The month the employee's first assignment starts (ALWAYS when it has no start)."""
        places = self.places.get(employee_no)
        return places[0].effective_from if places else None

    def members(self, period: str, project: str | None = None) -> list[Member]:
        """Active employees and where they belonged in `period`, optionally of one project."""
        found = []
        for no, emp in self.employees.items():
            place = self.assignment(no, period) if emp.active else None
            if place is not None and (project is None or place.project == project):
                found.append(Member(no, emp.name, place.project, place.department, emp.template, emp.position))
        return sorted(found, key=lambda m: m.employee_no)

    def update(self, other: People) -> None:
        self.employees.update(other.employees)
        self.places.update(other.places)


def _people_query(employee_nos: list[str] | None, project: str | None) -> Any:
    a = employee_assignments
    query = (select(employees, a.c.effective_from.label("a_from"), a.c.project.label("a_project"),
                    a.c.department.label("a_department"))
             .select_from(employees.outerjoin(a, a.c.employee_no == employees.c.employee_no))
             .order_by(employees.c.employee_no, a.c.effective_from))
    if employee_nos is not None:
        query = query.where(employees.c.employee_no.in_(employee_nos))
    if project is not None:
        query = query.where(employees.c.employee_no.in_(select(a.c.employee_no).where(a.c.project == project)))
    return query


def _people(rows: Iterable[Any]) -> People:
    out = People()
    places: dict[str, list[Assignment]] = defaultdict(list)
    for r in rows:
        out.employees.setdefault(r.employee_no, _employee(r))
        place = Assignment(r.a_project, r.a_department, r.a_from)
        if r.a_from is not None and place not in places[r.employee_no]:
            places[r.employee_no].append(place)
    out.places = {no: places.get(no, []) for no in out.employees}
    return out


def load_people(conn: Connection, employee_nos: Iterable[str] | None = None,
                project: str | None = None) -> People:
    """The employees among `employee_nos` (None: all; with `project`: everyone ever assigned
    there) with all their assignments, in one query."""
    wanted = None if employee_nos is None else sorted(set(employee_nos))
    if wanted == []:
        return People()
    return _people(conn.execute(_people_query(wanted, project)))


def members(conn: Connection, period: str, project: str | None = None) -> list[Member]:
    """Active employees and where they belonged in `period`, optionally of one project."""
    return load_people(conn, project=project).members(period, project)


def assignment_for(conn: Connection, employee_no: str, period: str) -> Assignment | None:
    """Where the employee belonged in `period` (YYYY-MM)."""
    return load_people(conn, [employee_no]).assignment(employee_no, period)


def latest_assignment(conn: Connection, employee_no: str) -> Assignment | None:
    return load_people(conn, [employee_no]).assignment(employee_no, "9999-99")


# -- templates -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Catalog:
    """Every published template version, by code (oldest first)."""

    versions: dict[str, list[Template]]

    def of(self, code: str) -> list[Template]:
        return list(self.versions.get(code, []))

    def in_force(self, code: str, period: str) -> Template | None:
        return version_in_force(self.versions.get(code, []), period)

    def all(self) -> list[Template]:
        return [t for code in sorted(self.versions) for t in self.versions[code]]


_CATALOGS: dict[str, tuple[tuple[Any, ...], Catalog]] = {}
_STAMP = (select(func.count()).select_from(templates).scalar_subquery().label("t_count"),
          select(func.max(templates.c.published_at)).scalar_subquery().label("t_latest"))


def catalog(conn: Connection, stamp: tuple[Any, ...] | None = None) -> Catalog:
    """Every template version, parsed once per process and database.

    Versions are only ever added, never changed, so the parsed catalog is reused while a
    small query (or `stamp`, the same values read along with something else) shows that no
    version was added since.
    """
    if stamp is None:
        stamp = tuple(conn.execute(select(*_STAMP)).one())
    key = conn.engine.url.render_as_string(hide_password=False)
    cached = _CATALOGS.get(key)
    if cached is None or cached[0] != stamp:
        versions: dict[str, list[Template]] = defaultdict(list)
        for r in conn.execute(select(templates.c.document, templates.c.version)
                              .order_by(templates.c.code, templates.c.version)):
            template = _template(r.document, r.version)
            versions[template.code].append(template)
        cached = (stamp, Catalog(dict(versions)))
        _CATALOGS[key] = cached
    return cached[1]


def template_versions(conn: Connection, code: str) -> list[Template]:
    """Every published version of `code`, oldest first."""
    return catalog(conn).of(code)


def template_for(conn: Connection, code: str, period: str) -> Template | None:
    """The version of template `code` in force in `period`."""
    return catalog(conn).in_force(code, period)


# Published versions are never edited, so one validation per distinct document is enough.
# Keyed by the document's content, so databases that publish different documents under
# the same code and version never share an entry.
_PARSED: dict[tuple[str, int], Template] = {}
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


# -- closures --------------------------------------------------------------------------------

def closed_on(conn: Connection, project: str, period: str) -> datetime | None:
    return conn.execute(
        select(period_closures.c.closed_at)
        .where(period_closures.c.project == project, period_closures.c.period == period)
    ).scalar()


def is_closed(conn: Connection, project: str, period: str) -> bool:
    return closed_on(conn, project, period) is not None


def closed_periods(conn: Connection, project: str, periods: Iterable[str]) -> set[str]:
    """Which of `periods` the project has closed, in one query."""
    return set(conn.execute(select(period_closures.c.period).where(
        period_closures.c.project == project, period_closures.c.period.in_(list(periods)))).scalars())


def shanghai_date(moment: datetime | None) -> date | None:
    """The calendar day of an instant in Asia/Shanghai (a naive instant is UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).date()


class OrgView:
    """The organisation as one transaction sees it: each thing read once, then kept.

    Only for use inside one transaction that does not change the organisation itself
    (employees, assignments, closures, templates). `complete()` reads everyone and every
    closure at once (the rebuild); otherwise employees are read as they are asked for,
    `prefetch` reads a batch of them in one query.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.people = People()
        self._asked: set[str] = set()
        self._projects: set[str] = set()
        self._everyone = False
        self._closed: dict[tuple[str, str], date | None] = {}
        self._all_closures = False
        self._catalog: Catalog | None = None
        self._members: dict[str, dict[str, list[Member]]] = {}  # complete view: period → project → members
        self._templates: dict[tuple[str, str], Template | None] = {}

    def complete(self) -> OrgView:
        """Read every employee and every closure now (one query each)."""
        self.people = load_people(self.conn)
        self._everyone = True
        self._closed = {(r.project, r.period): shanghai_date(r.closed_at)
                        for r in self.conn.execute(select(period_closures))}
        self._all_closures = True
        return self

    def prefetch(self, employee_nos: Iterable[str], periods: Iterable[str] = ()) -> None:
        """Read these employees and all their assignments in one query; with `periods`, the
        same query also reads whether their projects closed those months, and whether the
        template catalog is still current (the write side's one round trip per request)."""
        if self._everyone:
            return
        wanted = sorted({no for no in employee_nos if no not in self._asked})
        months = sorted(set(periods))
        if not wanted:
            return
        if not months or self._catalog is not None:
            self.people.update(load_people(self.conn, wanted))
        else:
            self._prefetch_with_closures(wanted, months)
        self._asked.update(wanted)

    def _prefetch_with_closures(self, wanted: list[str], months: list[str]) -> None:
        a, pc = employee_assignments, period_closures
        query = (_people_query(wanted, None)
                 .add_columns(pc.c.period.label("c_period"), pc.c.closed_at.label("c_at"), *_STAMP)
                 .outerjoin(pc, (pc.c.project == a.c.project) & pc.c.period.in_(months)))
        rows = self.conn.execute(query).all()
        self.people.update(_people(rows))
        projects = {place.project for no in wanted for place in self.people.places.get(no, [])}
        self._closed.update({(p, m): None for p in projects for m in months})
        self._closed.update({(r.a_project, r.c_period): shanghai_date(r.c_at) for r in rows if r.c_period})
        if rows:
            self._catalog = catalog(self.conn, (rows[0].t_count, rows[0].t_latest))

    def employee(self, employee_no: str) -> Employee | None:
        self.prefetch([employee_no])
        return self.people.employee(employee_no)

    def assignment(self, employee_no: str, period: str) -> Assignment | None:
        self.prefetch([employee_no])
        return self.people.assignment(employee_no, period)

    def first_month(self, employee_no: str) -> str | None:
        self.prefetch([employee_no])
        return self.people.first_month(employee_no)

    def members(self, period: str, project: str) -> list[Member]:
        if self._everyone:  # everyone's place in a month, worked out once per month
            if period not in self._members:
                by_project: dict[str, list[Member]] = defaultdict(list)
                for m in self.people.members(period):
                    by_project[m.project].append(m)
                self._members[period] = by_project
            return list(self._members[period].get(project, []))
        if project not in self._projects:
            found = load_people(self.conn, project=project)
            self.people.update(found)
            self._asked.update(found.employees)
            self._projects.add(project)
        return self.people.members(period, project)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = catalog(self.conn)
        return self._catalog

    def template(self, code: str, period: str) -> Template | None:
        """The version of template `code` in force in `period`."""
        key = (code, period)
        if key not in self._templates:
            self._templates[key] = self.catalog.in_force(code, period)
        return self._templates[key]

    def placement(self, employee_no: str, period: str) -> tuple[Employee, Assignment, Template] | None:
        """The employee, where they belonged in `period` and their rubric then; None when any is missing."""
        emp = self.employee(employee_no)
        place = self.assignment(employee_no, period)
        template = None if emp is None or place is None else self.template(emp.template, period)
        if emp is None or place is None or template is None:
            return None
        return emp, place, template

    def closed_on(self, project: str, period: str) -> date | None:
        """The day (Asia/Shanghai) the month was closed, or None while it is open."""
        key = (project, period)
        if key not in self._closed and not self._all_closures:
            self._closed[key] = shanghai_date(closed_on(self.conn, project, period))
        return self._closed.get(key)

    def is_closed(self, project: str, period: str) -> bool:
        return self.closed_on(project, period) is not None

    def closed_months(self) -> list[tuple[str, str]]:
        """(project, period) of every closed month known to the view (all, after `complete`)."""
        return sorted(k for k, v in self._closed.items() if v is not None)
