"""Monthly rankings of a project's groups (SPEC §5), stored as read models.

A group is (department or the whole project, template). Members without a stored
score are scored first, so a ranking never uses a guess. When a month's last-place
streaks change, the following month's ranking is recomputed too.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from services.scoring.domain.ranking import rank_group, ranking_row_to_dict
from services.scoring.projection import Templates, score_employee_month, score_lock, shanghai_date
from shared import org
from shared.db import advisory_lock
from shared.domain import events as ev
from shared.domain.periods import next_month, previous_month
from shared.tables import event_revocations, events, rankings, scores


def rank_lock(project: str, period: str) -> str:
    return f"rank:{project}:{period}"


def rank_project_period(conn: Connection, project: str, period: str) -> bool:
    """Rank every group of `project` in `period`; True when any stored ranking changed."""
    templates = Templates(conn)
    groups: dict[tuple[str, str], list[org.Member]] = defaultdict(list)
    for m in org.members(conn, period, project):
        template = templates.for_period(m.template, period)
        if template is None:
            continue
        scope = m.department if template.ranking.scope == "department" else "*"
        groups[(scope, m.template)].append(m)
    closed = shanghai_date(org.closed_on(conn, project, period))
    plans = _plans_filed(conn, project, period)
    changed = False
    for (scope, code), group in sorted(groups.items()):
        template = templates.for_period(code, period)
        assert template is not None
        finals, position = _finals(conn, [m.employee_no for m in group], period, templates)
        streaks = _previous_streaks(conn, project, scope, code, period)
        rows = rank_group(finals, template.ranking, closed_on=closed, plans_filed=plans,
                          previous_last_streaks=streaks)
        docs = [{**ranking_row_to_dict(r), "last_streak": r.last_streak, "template": code,
                 "department": scope} for r in rows]
        changed |= _store(conn, (project, scope, code, period), docs, closed, position)
    return changed


def months_to_rerank(conn: Connection, project: str, period: str) -> list[str]:
    """Later months already ranked in this project: their streaks depend on this one."""
    rows = conn.execute(select(rankings.c.period).distinct()
                        .where(rankings.c.project == project, rankings.c.period > period)
                        .order_by(rankings.c.period)).scalars().all()
    return [p for p in rows if p == next_month(period)][:1]


def _finals(conn: Connection, employees: list[str], period: str,
            templates: Templates) -> tuple[dict[str, Decimal], int]:
    rows = {r.employee: r for r in conn.execute(
        select(scores.c.employee, scores.c.final, scores.c.position)
        .where(scores.c.period == period, scores.c.employee.in_(employees)))}
    finals: dict[str, Decimal] = {}
    position = 0
    for no in employees:
        if no in rows:
            finals[no] = Decimal(str(rows[no].final))
            position = max(position, int(rows[no].position))
            continue
        advisory_lock(conn, score_lock(no, period))
        scored = score_employee_month(conn, no, period, templates)
        if scored is not None:
            finals[no] = scored.final
    return finals, position


def _plans_filed(conn: Connection, project: str, period: str) -> dict[str, date]:
    """When each employee filed their (non-revoked) improvement plan for the month."""
    revoked = select(event_revocations.c.event_id)
    rows = conn.execute(
        select(events.c.employee, events.c.recorded_at)
        .where(events.c.type == ev.IMPROVEMENT_PLAN, events.c.project == project,
               events.c.period == period, events.c.id.not_in(revoked))
        .order_by(events.c.position))
    filed: dict[str, date] = {}
    for r in rows:
        day = shanghai_date(r.recorded_at)
        if r.employee not in filed and day is not None:
            filed[r.employee] = day
    return filed


def _previous_streaks(conn: Connection, project: str, scope: str, template: str,
                      period: str) -> dict[str, int]:
    rows = conn.execute(select(rankings.c.rows).where(
        rankings.c.project == project, rankings.c.department == scope,
        rankings.c.template == template, rankings.c.period == previous_month(period))).scalar()
    return {r["employee"]: int(r.get("last_streak", 0)) for r in rows or []}


def _store(conn: Connection, key: tuple[str, str, str, str], docs: list[dict[str, Any]],
           closed: date | None, position: int) -> bool:
    project, scope, template, period = key
    where = ((rankings.c.project == project) & (rankings.c.department == scope)
             & (rankings.c.template == template) & (rankings.c.period == period))
    old = conn.execute(select(rankings.c.rows, rankings.c.closed_on, rankings.c.revision).where(where)).first()
    if old is not None and old.rows == docs and old.closed_on == closed:
        return False
    values = {"rows": docs, "closed_on": closed, "position": position,
              "revision": 1 if old is None else old.revision + 1, "computed_at": datetime.now(UTC)}
    if old is None:
        conn.execute(rankings.insert().values(project=project, department=scope, template=template,
                                              period=period, **values))
    else:
        conn.execute(rankings.update().where(where).values(**values))
    return True
