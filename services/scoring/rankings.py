"""Monthly rankings of a project's groups (SPEC §5), stored as read models.

A group is (department or the whole project, template). Members without a stored
score are scored first, so a ranking never uses a guess. When a month's last-place
streaks change, the following month's ranking is recomputed too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from services.scoring.chunks import score_months
from services.scoring.domain.ranking import rank_group, ranking_row_to_dict
from services.scoring.projection import Templates, score_lock, shanghai_date
from shared import org
from shared.db import advisory_locks
from shared.domain import events as ev
from shared.domain.periods import next_month, previous_month
from shared.domain.template import Template
from shared.tables import event_revocations, events, rankings, scores


def rank_lock(project: str, period: str) -> str:
    return f"rank:{project}:{period}"


def rank_project_period(conn: Connection, project: str, period: str) -> bool:
    """Rank every group of `project` in `period`; True when any stored ranking changed."""
    templates = Templates(conn)
    groups = group_members(org.members(conn, period, project), templates.for_period, period)
    closed = shanghai_date(org.closed_on(conn, project, period))
    plans = _plans_filed(conn, project, period)
    finals = _finals(conn, [m.employee_no for group in groups.values() for m in group], period)
    previous = _stored_rankings(conn, project, previous_month(period))
    current = _stored_rankings(conn, project, period)
    changed = False
    for (scope, code), group in sorted(groups.items()):
        template = templates.for_period(code, period)
        assert template is not None
        mine = {m.employee_no: finals[m.employee_no] for m in group if m.employee_no in finals}
        # Only finals stored before this ranking count towards its position.
        position = max((p for _, p in mine.values() if p is not None), default=0)
        streaks = last_streaks(getattr(previous.get((scope, code)), "rows", None))
        docs = ranking_docs(template, code, scope, {no: f for no, (f, _) in mine.items()}, closed, plans,
                            streaks)
        changed |= _store(conn, (project, scope, code, period), docs, closed, position,
                          current.get((scope, code)))
    return changed


def group_members(members: Iterable[org.Member], template_for: Callable[[str, str], Template | None],
                  period: str) -> dict[tuple[str, str], list[org.Member]]:
    """(scope, template code) → its members: the department, or "*" for a project-wide scope."""
    groups: dict[tuple[str, str], list[org.Member]] = defaultdict(list)
    for m in members:
        template = template_for(m.template, period)
        if template is None:
            continue
        scope = m.department if template.ranking.scope == "department" else "*"
        groups[(scope, m.template)].append(m)
    return groups


def ranking_docs(template: Template, code: str, scope: str, finals: dict[str, Decimal], closed: date | None,
                 plans: dict[str, date], streaks: dict[str, int]) -> list[dict[str, Any]]:
    """One group's stored ranking rows (pure)."""
    rows = rank_group(finals, template.ranking, closed_on=closed, plans_filed=plans,
                      previous_last_streaks=streaks)
    return [{**ranking_row_to_dict(r), "last_streak": r.last_streak, "template": code,
             "department": scope} for r in rows]


def last_streaks(rows: list[dict[str, Any]] | None) -> dict[str, int]:
    """Each employee's last-place streak from a stored ranking's rows."""
    return {r["employee"]: int(r.get("last_streak", 0)) for r in rows or []}


def months_to_rerank(conn: Connection, project: str, period: str) -> list[str]:
    """Later months already ranked in this project: their streaks depend on this one."""
    rows = conn.execute(select(rankings.c.period).distinct()
                        .where(rankings.c.project == project, rankings.c.period > period)
                        .order_by(rankings.c.period)).scalars().all()
    return [p for p in rows if p == next_month(period)][:1]


def _finals(conn: Connection, employees: list[str], period: str) -> dict[str, tuple[Decimal, int | None]]:
    """Each member's final and its stored position; members without a stored score are
    scored now (a month without events is a perfect month), their position None."""
    rows = {r.employee: r for r in conn.execute(
        select(scores.c.employee, scores.c.final, scores.c.position)
        .where(scores.c.period == period, scores.c.employee.in_(employees)))}
    missing = [no for no in employees if no not in rows]
    advisory_locks(conn, [score_lock(no, period) for no in missing])
    scored = {s.employee: s.final for s in score_months(conn, missing, period)}
    finals: dict[str, tuple[Decimal, int | None]] = {}
    for no in employees:
        if no in rows:
            finals[no] = (Decimal(str(rows[no].final)), int(rows[no].position))
        elif no in scored:
            finals[no] = (scored[no], None)
    return finals


def _plans_filed(conn: Connection, project: str, period: str) -> dict[str, date]:
    return plans_filed(conn, project, period).get((project, period), {})


def plans_filed(conn: Connection, project: str | None = None,
                period: str | None = None) -> dict[tuple[str, str], dict[str, date]]:
    """(project, period) → when each employee filed their first (non-revoked) improvement plan."""
    revoked = select(event_revocations.c.event_id)
    query = (select(events.c.project, events.c.period, events.c.employee, events.c.recorded_at)
             .where(events.c.type == ev.IMPROVEMENT_PLAN, events.c.id.not_in(revoked)))
    if project is not None:
        query = query.where(events.c.project == project)
    if period is not None:
        query = query.where(events.c.period == period)
    out: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
    for r in conn.execute(query.order_by(events.c.position)):
        day = shanghai_date(r.recorded_at)
        filed = out[(r.project, r.period)]
        if r.employee not in filed and day is not None:
            filed[r.employee] = day
    return out


def _stored_rankings(conn: Connection, project: str, period: str) -> dict[tuple[str, str], Any]:
    """(scope, template) → the stored ranking row of `project` in `period`."""
    rows = conn.execute(select(rankings.c.department, rankings.c.template, rankings.c.rows,
                               rankings.c.closed_on, rankings.c.revision)
                        .where(rankings.c.project == project, rankings.c.period == period))
    return {(r.department, r.template): r for r in rows}


def _store(conn: Connection, key: tuple[str, str, str, str], docs: list[dict[str, Any]],
           closed: date | None, position: int, old: Any) -> bool:
    project, scope, template, period = key
    where = ((rankings.c.project == project) & (rankings.c.department == scope)
             & (rankings.c.template == template) & (rankings.c.period == period))
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
