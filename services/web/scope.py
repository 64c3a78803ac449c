"""Whom a person may see (SPEC §1): the staff of their own projects, as the API scopes them."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort
from sqlalchemy import Connection

from services.reports import queries
from shared import org
from shared.auth import Principal
from shared.domain.periods import month_of
from shared.web import today

SHOWN = 200  # at most this many people in a list; the search narrows it


def this_month() -> str:
    return month_of(today())


def projects(conn: Connection, principal: Principal) -> dict[str, str]:
    """Project code → name, of the person's projects (every project for admin)."""
    names = queries.project_names(conn)
    return {code: name for code, name in names.items() if principal.in_scope(code)}


def chosen(projects: Mapping[str, str], asked: str | None) -> str:
    """The project a page shows: the one asked for, else the person's first; 404 for a project
    outside their scope (its existence is confidential), 403 when they have none."""
    project = asked or (sorted(projects)[0] if projects else "")
    if project not in projects:
        abort(404 if project else 403)
    return project


def staff(conn: Connection, principal: Principal, period: str, q: str = "",
          project: str | None = None) -> list[org.Member]:
    """The members of the person's projects in `period`, whose name or 工号 contains `q`."""
    people = org.load_people(conn) if principal.is_admin and project is None else None
    codes = [project] if project else sorted(projects(conn, principal))
    found: list[org.Member] = []
    if people is not None:
        found = people.members(period)
    else:
        for code in codes:
            if principal.in_scope(code):
                found += org.members(conn, period, code)
    needle = q.strip().lower()
    return [m for m in found if not needle or needle in m.name.lower() or needle in m.employee_no.lower()]


def member(conn: Connection, principal: Principal, employee_no: str, period: str) -> org.Member | None:
    """The employee as a member of one of the person's projects in `period`, or None (also
    when they exist elsewhere: existence outside the scope is confidential)."""
    if not employee_no:
        return None
    people = org.load_people(conn, [employee_no])
    emp = people.employee(employee_no)
    place = people.assignment(employee_no, period)
    if emp is None or place is None or not emp.active or not principal.in_scope(place.project):
        return None
    return org.Member(emp.employee_no, emp.name, place.project, place.department, emp.template, emp.position)
