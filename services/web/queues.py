"""What managers and gms work through: the months of a project, the 初评/审核 queue of a month,
and the overdue 整改方案 and 调岗审查 lists. Read from the read models only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from services.reports import queries, results
from services.reports.sheets import local_time
from shared.domain.periods import previous_month
from shared.tables import period_closures, scores

SHOWN_MONTHS = 12
# Which sheets wait for which stage (SPEC §4.8): 初评 before 审核.
WAITING = {"manager": ("draft", "self_assessed"), "gm": ("reviewed",)}


@dataclass(frozen=True)
class Month:
    period: str
    closed_at: str  # Beijing time, "" while open
    closed_by: str


def months(conn: Connection, project: str, current: str) -> list[Month]:
    """The project's months, newest first: every month with scores, and the current one."""
    found = set(conn.execute(select(scores.c.period).distinct().where(scores.c.project == project)).scalars())
    closed = {r.period: r for r in conn.execute(select(period_closures).where(period_closures.c.project == project))}
    periods = sorted(found | {current, previous_month(current)} | set(closed), reverse=True)[:SHOWN_MONTHS]
    return [Month(p, local_time(closed[p].closed_at) if p in closed else "",
                  closed[p].closed_by if p in closed else "") for p in periods]


def queue(conn: Connection, project: str, period: str, today: date) -> list[dict[str, Any]]:
    """Every result of the project-month with its sign-off status, by department and 工号."""
    rows = results.project_results(conn, project, period, None, today)
    return sorted(rows, key=lambda r: (r.get("department") or "", r["employee"]))


def stage_for(role: str, asked: str | None) -> str:
    """The review stage a person records: 经理初评 for managers, 总经理审核 for gms; an admin chooses."""
    if role == "gm":
        return "gm"
    if role == "admin" and asked in WAITING:
        return asked
    return "manager"


def followups(conn: Connection, project: str, today: date) -> dict[str, list[dict[str, Any]]]:
    """The 整改方案 not filed (overdue first) and the 调岗审查 of the project's closed months."""
    closed = sorted(conn.execute(select(period_closures.c.period).where(period_closures.c.project == project))
                    .scalars(), reverse=True)[:SHOWN_MONTHS]
    plans: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    for period in closed:
        for row in results.ranking_rows(conn, project, period, today):
            line = {**row, "period": period}
            if "improvement_plan" in (row.get("consequences") or []) and row.get("improvement_status") != "filed":
                plans.append(line)
            if "reassignment_review" in (row.get("consequences") or []):
                reviews.append(line)
    names = queries.employee_names(conn, sorted({r["employee"] for r in plans + reviews}))
    for r in plans + reviews:
        r["name"] = names.get(r["employee"], "")
    plans.sort(key=lambda r: (r.get("improvement_status") != "overdue", r.get("improvement_due") or ""))
    return {"plans": plans, "reviews": reviews}
