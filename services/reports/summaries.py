"""Build the project-level records: department, annual, payroll and group overview."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from services.reports import queries, results
from services.reports.models import (
    AnnualModel,
    AnnualRow,
    ComponentPart,
    DepartmentModel,
    DepartmentRow,
    DepartmentSection,
    OverviewModel,
    PayrollModel,
    PayrollRow,
    ProjectOverview,
    distribution,
)
from services.reports.render.labels import COMPONENT, payroll_reason
from shared import org
from shared.domain.periods import months_of_year
from shared.errors import NotFound

ZERO = Decimal(0)


def yuan(value: Any) -> Decimal:
    """A payroll amount as stored (a JSON number, or absent) in exact yuan: 100, not 100.0."""
    amount = Decimal(str(value or 0))
    return amount.quantize(Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01"))


def _rank_order(row: DepartmentRow) -> tuple[int, float, str]:
    return (row.rank if row.rank is not None else 10**6, -row.final, row.employee_no)


def build_department(conn: Connection, project: str, project_name: str, department: str,
                     period: str, today: date, show_money: bool = True) -> DepartmentModel:
    """员工月绩效考核情况统计表: every member's final, rank, awards and consequences, one
    section per rubric, each ranked and counted among itself as the rankings are computed."""
    members = {m.employee_no: m for m in org.members(conn, period, project) if m.department == department}
    if not members and not queries.department_exists(conn, project, department):
        raise NotFound(f"部门不存在 (no department {department} in {project})")
    found = results.project_results(conn, project, period, department, today)
    ranks = {r["employee"]: r if show_money else {k: v for k, v in r.items() if k != "payroll_adjustment"}
             for r in results.ranking_rows(conn, project, period, today)}
    by_template: dict[str, list[DepartmentRow]] = defaultdict(list)
    for r in found:
        by_template[r["template"]].append(DepartmentRow(
            employee_no=r["employee"], name=r["name"], position=members[r["employee"]].position,
            final=float(r["final"]), rank=r["rank"], rank_of=r["rank_of"], awards=tuple(r["awards"]),
            status=r["status"], ranking=ranks.get(r["employee"], {})))
    sections = [DepartmentSection(code, _template_name(conn, code, period), tuple(sorted(rows, key=_rank_order)),
                                  distribution([r.final for r in rows])) for code, rows in by_template.items()]
    sections.sort(key=lambda s: (-len(s.rows), s.template))  # the staff first, then the fewer on other rubrics
    return DepartmentModel(project, project_name, department, period, tuple(sections))


def _template_name(conn: Connection, code: str, period: str) -> str:
    template = org.template_for(conn, code, period)
    return template.name if template else code


def build_annual(conn: Connection, project: str, project_name: str, year: str) -> AnnualModel:
    """年度员工绩效考核情况统计表: monthly finals, the annual composite and 优秀员工."""
    people = org.load_people(conn, project=project)
    members = {m.employee_no: m for m in people.members(f"{year}-12", project)}
    nos = sorted(set(members) | set(queries.scored_in_project_year(conn, project, year)))
    finals = queries.finals_in_year(conn, nos, year)
    annuals = queries.stored_annuals(conn, nos, year)
    rows = []
    for no in nos:
        emp = people.employee(no) or org.get_employee(conn, no)
        if emp is None:
            continue
        months = finals.get(no, {})
        annual = annuals.get(no, {})
        parts = component_parts(annual)
        rows.append(AnnualRow(
            employee_no=no, name=emp.name,
            department=members[no].department if no in members else emp.department,
            months=tuple(months[p]["final"] if p in months else None for p in months_of_year(year)),
            composite=annual.get("composite"), excellent="excellent" in annual.get("awards", []),
            excellent_months=sum(1 for m in months.values() if "excellent" in m["awards"]),
            flags=tuple(annual.get("flags", [])), parts=parts))
    shown = {p for months in finals.values() for p in months}
    closed = org.closed_periods(conn, project, months_of_year(year))
    open_months = tuple(n for n, p in enumerate(months_of_year(year), 1) if p in shown and p not in closed)
    heads = next((r.parts for r in rows if r.parts), ())
    return AnnualModel(project, project_name, year, tuple(rows), heads, open_months)


def component_parts(annual: dict[str, Any]) -> tuple[ComponentPart, ...]:
    """The stored composite's parts (an older document without titles gets the labels)."""
    return tuple(ComponentPart(
        code=c["code"], title=c.get("title") or COMPONENT.get(c["code"], c["code"]),
        weight=float(c.get("weight", c["weight_applied"])), weight_applied=float(c["weight_applied"]),
        mean=c.get("mean"), count=int(c.get("count", 0))) for c in annual.get("components", []))


def build_payroll(conn: Connection, project: str, project_name: str, period: str,
                  today: date) -> PayrollModel:
    """Payroll adjustments (yuan) from the month's rankings, for the payroll clerk."""
    names = {m.employee_no: m for m in org.members(conn, period, project)}
    rows = []
    for r in results.ranking_rows(conn, project, period, today):
        amount = yuan(r.get("payroll_adjustment"))
        if not amount:
            continue
        member = names.get(r["employee"])
        emp = None if member else org.get_employee(conn, r["employee"])
        rows.append(PayrollRow(
            employee_no=r["employee"], name=member.name if member else (emp.name if emp else ""),
            department=member.department if member else str(r.get("department", "")),
            rank=int(r["rank"]), rank_of=int(r["rank_of"]), final=float(r["final"]),
            amount=amount, reason=payroll_reason(r)))
    rows.sort(key=lambda p: (p.department, p.rank, p.employee_no))
    return PayrollModel(project, project_name, period, tuple(rows))


def _deductions_by_item(found: list[dict[str, Any]]) -> tuple[tuple[str, float], ...]:
    totals: dict[str, float] = defaultdict(float)
    for r in found:
        for item in r["items"]:
            if item["deducted"]:
                totals[item.get("title") or item["code"]] += float(item["deducted"])
    return tuple(sorted(((t, round(v, 2)) for t, v in totals.items()), key=lambda p: (-p[1], p[0])))


def _project_overview(conn: Connection, code: str, name: str, period: str, today: date) -> ProjectOverview:
    found = results.project_results(conn, code, period, None, today)
    ranking = results.ranking_rows(conn, code, period, today)
    consequences = Counter(c for r in ranking for c in r.get("consequences", []))
    return ProjectOverview(
        project=code, project_name=name, headcount=len(found),
        distribution=distribution([float(r["final"]) for r in found]),
        deductions=_deductions_by_item(found),
        awards=sum(1 for r in found if "excellent" in r["awards"]),
        consequences=dict(consequences),
        payroll_rewards=sum((max(yuan(r.get("payroll_adjustment")), ZERO) for r in ranking), ZERO),
        payroll_deductions=sum((max(-yuan(r.get("payroll_adjustment")), ZERO) for r in ranking), ZERO))


def build_overview(conn: Connection, projects: dict[str, str], period: str, today: date) -> OverviewModel:
    """集团绩效概览: per project average, distribution, deductions by item, awards, consequences."""
    return OverviewModel(period, tuple(_project_overview(conn, code, name, period, today)
                                       for code, name in sorted(projects.items())))
