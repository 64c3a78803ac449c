"""Score results as the JSON API returns them (SPEC §7.5), read from the read models.

The scoring worker publishes a result for every active employee and every month of
their employment (a month without events as the perfect month it is), the rankings and
the annual composites; this module only reads and shapes them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from services.reports import queries, signoffs
from shared import org
from shared.errors import NotFound

PROVENANCE = ("bonuses", "event_ids")


def documents(conn: Connection, members: list[org.Member], period: str) -> dict[str, dict[str, Any]]:
    """Employee → published document plus its revision."""
    stored = queries.stored_scores(conn, [m.employee_no for m in members], period)
    return {no: {**s["result"], "revision": s["revision"]} for no, s in stored.items()}


def with_overdue(row: dict[str, Any], today: date) -> dict[str, Any]:
    """A pending plan whose due date has passed (Asia/Shanghai) reads as overdue."""
    due = row.get("improvement_due")
    if row.get("improvement_status") == "pending" and due and date.fromisoformat(due) < today:
        return {**row, "improvement_status": "overdue"}
    return dict(row)


def ranking_rows(conn: Connection, project: str, period: str, today: date) -> list[dict[str, Any]]:
    rows = [r for g in queries.ranking_groups(conn, project, period) for r in g["rows"]]
    return [with_overdue(r, today) for r in rows]


def summary(doc: dict[str, Any], name: str, ranking: dict[str, Any] | None) -> dict[str, Any]:
    """§7.5 without per-event provenance, plus rank, revision and the employee's name."""
    out = {k: v for k, v in doc.items() if k not in PROVENANCE}
    out["items"] = [{k: v for k, v in i.items() if k != "deductions"} for i in doc["items"]]
    return with_rank(out, name, ranking)


def with_rank(doc: dict[str, Any], name: str, ranking: dict[str, Any] | None) -> dict[str, Any]:
    return {**doc, "name": name, "rank": ranking["rank"] if ranking else None,
            "rank_of": ranking["rank_of"] if ranking else None, "revision": doc.get("revision", 0)}


def project_results(conn: Connection, project: str, period: str, department: str | None,
                    today: date) -> list[dict[str, Any]]:
    """One result per active member of the project (optionally one department) in `period`."""
    members = [m for m in org.members(conn, period, project)
               if department is None or m.department == department]
    docs = documents(conn, members, period)
    ranks = {r["employee"]: r for r in ranking_rows(conn, project, period, today)}
    found = signoffs.trails(conn, docs, period)
    out = []
    for m in members:
        if m.employee_no in docs:
            doc, rank, trail = docs[m.employee_no], ranks.get(m.employee_no), found[m.employee_no]
            sign = signoffs.state(conn, doc, rank, trail)
            out.append(signoffs.with_signoff(summary(doc, m.name, rank), sign, trail))
    return out


def employee_result(conn: Connection, emp: org.Employee, period: str, today: date) -> dict[str, Any]:
    """One employee-month with its item breakdown and provenance."""
    place = org.assignment_for(conn, emp.employee_no, period)
    if place is None:
        raise NotFound(f"{emp.employee_no} 在 {period} 尚未入职 (not assigned in {period})")
    member = org.Member(emp.employee_no, emp.name, place.project, place.department, emp.template, emp.position)
    doc = documents(conn, [member], period).get(emp.employee_no)
    if doc is None:
        raise NotFound(f"{emp.employee_no} 在 {period} 无考核结果 (no result for {period})")
    rank = {r["employee"]: r for r in ranking_rows(conn, place.project, period, today)}.get(emp.employee_no)
    trail = signoffs.trails(conn, [emp.employee_no], period)[emp.employee_no]
    sign = signoffs.state(conn, doc, rank, trail)
    return signoffs.with_signoff(with_rank(doc, emp.name, rank), sign, trail)


def annual_result(conn: Connection, emp: org.Employee, year: str) -> dict[str, Any]:
    """The published annual composite of one employee-year."""
    stored = queries.stored_annual(conn, emp.employee_no, year)
    if stored is None:
        raise NotFound(f"{emp.employee_no} 在 {year} 年无考核结果 (no results in {year})")
    return {**stored, "stored": True}


def ranking(conn: Connection, project: str, period: str, department: str | None,
            today: date, money: bool = True) -> dict[str, Any]:
    """The §7.4 ranking of a project-month, optionally of one department, best first."""
    members = {m.employee_no: m for m in org.members(conn, period, project)}
    rows = []
    for group in queries.ranking_groups(conn, project, period):
        for row in group["rows"]:
            member = members.get(row["employee"])
            home = member.department if member else group["department"]
            if department is None or group["department"] == department or (
                    group["department"] == "*" and home == department):
                rows.append({**with_overdue(row, today), "name": member.name if member else None})
    if not money:  # need to know (SPEC §1): ranks for leads and supervisors, not the yuan
        rows = [{**r, "payroll_adjustment": None} for r in rows]
    return {"period": period, "project": project, "department": department, "rows": rows}
