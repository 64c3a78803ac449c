"""Who may read which record (SPEC §1): the same scope rules as the write side.

Employees read only their own records. Everyone else reads within their projects; an
employee outside the caller's scope is 404 (existence is confidential), a project
outside it 403.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.reports import queries
from shared import org
from shared.auth import Principal
from shared.domain.periods import MONTH_RE, YEAR_RE
from shared.errors import Forbidden, Invalid, NotFound


def check_month(period: str) -> str:
    if not MONTH_RE.match(period):
        raise Invalid.field("period", "应为 YYYY-MM (must be YYYY-MM)")
    return period


def check_year(year: str) -> str:
    if not YEAR_RE.match(year):
        raise Invalid.field("year", "应为 YYYY (must be YYYY)")
    return year


def employee_for(conn: Connection, principal: Principal, employee_no: str,
                 periods: list[str]) -> org.Employee:
    """The employee, if the caller may read their records for any of `periods`."""
    if principal.role == "employee" and principal.user != employee_no:
        raise Forbidden("员工只能查看本人记录 (employees see only their own records)")
    emp = org.get_employee(conn, employee_no)
    if emp is None or not _visible(conn, principal, emp, periods):
        raise NotFound(f"员工不存在 (no employee {employee_no})")
    return emp


def _visible(conn: Connection, principal: Principal, emp: org.Employee, periods: list[str]) -> bool:
    if principal.is_admin or principal.role == "employee":
        return True
    places = {emp.project}
    history = queries.assignment_projects(conn, emp.employee_no)
    for period in periods:
        in_force = [project for start, project in history if start <= period]
        if in_force:
            places.add(in_force[-1])
    return any(principal.in_scope(p) for p in places)


def money(principal: Principal) -> None:
    """Payroll, the annual sheets and the group overview are need-to-know (SPEC §1)."""
    if not principal.sees_money:
        raise Forbidden("薪资、年度及奖惩金额仅限经理、总经理、品质部和管理员查看 "
                        "(payroll, annual and money columns: manager, gm, auditor, admin)")


def annual_for(principal: Principal, employee_no: str) -> None:
    """An employee reads their own annual composite; others need to know money."""
    if not (principal.role == "employee" and principal.user == employee_no):
        money(principal)


def no_employees(principal: Principal) -> None:
    if principal.role == "employee":
        raise Forbidden("员工不能查看汇总报表 (employees see only their own records)")


def project_for(conn: Connection, principal: Principal, project: str) -> str:
    """The project's name, if the caller reads project-level records there."""
    no_employees(principal)
    if not principal.in_scope(project):
        raise Forbidden(f"无权访问项目 {project} (outside your scope)")
    names = queries.project_names(conn, [project])
    if project not in names:
        raise NotFound(f"项目不存在 (no project {project})")
    return names[project]


def projects_in_scope(conn: Connection, principal: Principal) -> dict[str, str]:
    no_employees(principal)
    names = queries.project_names(conn)
    return {code: name for code, name in names.items() if principal.in_scope(code)}
