"""Score results as the JSON API returns them (SPEC §7.5), stored or computed read-only.

A member without a stored score gets the pure `score_month` over their events, so a
month without events reads as the perfect month it is. Nothing here writes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from services.reports import queries
from services.scoring.documents import score_document
from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.monthly import score_month
from services.scoring.projection import Templates
from shared import org
from shared.domain.periods import months_of_year
from shared.errors import NotFound

PROVENANCE = ("bonuses", "event_ids")


def computed_document(conn: Connection, member: org.Member, period: str,
                      templates: Templates) -> dict[str, Any] | None:
    """The full document (with provenance) the worker would store; None without a template."""
    template = templates.for_period(member.template, period)
    if template is None:
        return None
    result = score_month(template, member.employee_no, period,
                         queries.employee_events(conn, member.employee_no, period))
    return score_document(result, member.project, member.department)


def documents(conn: Connection, members: list[org.Member], period: str) -> dict[str, dict[str, Any]]:
    """Employee → stored document plus its revision (0 when computed here)."""
    stored = queries.stored_scores(conn, [m.employee_no for m in members], period)
    templates = Templates(conn)
    out: dict[str, dict[str, Any]] = {}
    for m in members:
        if m.employee_no in stored:
            out[m.employee_no] = {**stored[m.employee_no]["result"], "revision": stored[m.employee_no]["revision"]}
        elif (doc := computed_document(conn, m, period, templates)) is not None:
            out[m.employee_no] = {**doc, "revision": 0}
    return out


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
    return [summary(docs[m.employee_no], m.name, ranks.get(m.employee_no))
            for m in members if m.employee_no in docs]


def employee_result(conn: Connection, emp: org.Employee, period: str, today: date) -> dict[str, Any]:
    """One employee-month with its item breakdown and provenance."""
    place = org.assignment_for(conn, emp.employee_no, period)
    if place is None:
        raise NotFound(f"{emp.employee_no} 在 {period} 尚未入职 (not assigned in {period})")
    member = org.Member(emp.employee_no, emp.name, place.project, place.department, emp.template, emp.position)
    doc = documents(conn, [member], period).get(emp.employee_no)
    if doc is None:
        raise NotFound(f"{period} 无生效的考核表 (no template in force)")
    ranks = {r["employee"]: r for r in ranking_rows(conn, place.project, period, today)}
    return with_rank(doc, emp.name, ranks.get(emp.employee_no))


def annual_result(conn: Connection, emp: org.Employee, year: str) -> dict[str, Any]:
    """The stored annual composite, or the same computation over the stored monthly finals."""
    stored = queries.stored_annual(conn, emp.employee_no, year)
    if stored is not None:
        return {**stored, "stored": True}
    template = org.template_for(conn, emp.template, f"{year}-12")
    if template is None:
        raise NotFound(f"{year} 无生效的考核表 (no template in force)")
    months = queries.finals_in_year(conn, [emp.employee_no], year).get(emp.employee_no, {})
    finals = {c.code: [Decimal(str(m["final"])) for m in months.values()
                       if m["template"] == (c.template or emp.template)]
              for c in template.annual.components}
    doc = annual_result_to_dict(annual_composite(template.annual, finals))
    doc.update(employee=emp.employee_no, year=year, template=emp.template,
               months={p: months[p]["final"] for p in months_of_year(year) if p in months}, stored=False)
    return doc


def ranking(conn: Connection, project: str, period: str, department: str | None,
            today: date) -> dict[str, Any]:
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
    return {"period": period, "project": project, "department": department, "rows": rows}
