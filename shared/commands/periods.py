"""Month-end close and recompute requests: recorded now, carried out by the scoring worker."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from shared import ledger, org
from shared.auth import MANAGERS, Principal
from shared.commands.meta import RequestMeta, employee_stream, metadata
from shared.db import Database
from shared.domain import events as ev
from shared.domain.complaints import stats
from shared.domain.events import NewEvent, RecordedEvent
from shared.domain.periods import is_month, month_of, previous_month, today_in_shanghai
from shared.errors import Forbidden, Invalid, NotFound
from shared.eventstore import EventStore
from shared.limits import EARLIEST_MONTH
from shared.org import OrgView
from shared.tables import event_revocations, events, period_closures
from shared.tasklog import create_task, get_task

SYSTEM = Principal(user="system:beat", role="admin", projects=frozenset())


def _check_manager(principal: Principal, project: str | None) -> None:
    if principal.role not in MANAGERS:
        raise Forbidden(f"角色 {principal.role} 不能结账或重算 (manager and above only)")
    if project is not None and not principal.in_scope(project):
        raise NotFound(f"无此项目 (no project {project})")


def _check_period(period: str, now: datetime) -> None:
    if not is_month(period):
        raise Invalid.field("period", "应为 YYYY-MM (must be YYYY-MM)")
    if period < EARLIEST_MONTH:
        raise Invalid.field("period", f"不能早于 {EARLIEST_MONTH} (must not be before {EARLIEST_MONTH})")
    if period > month_of(today_in_shanghai(now)):
        raise Invalid.field("period", f"{period} 尚未开始,不能结账或重算 (period is in the future)")


def close_period(db: Database, principal: Principal, project: str, period: str, meta: RequestMeta,
                 now: datetime) -> str:
    """Close `period` for `project` (idempotent) and queue the month-end scoring task."""
    _check_manager(principal, project)
    _check_period(period, now)
    with db.write() as conn:
        if not org.project_exists(conn, project):
            raise NotFound(f"无此项目 (no project {project})")
        if not org.is_closed(conn, project, period):
            rec = EventStore(conn).append([NewEvent(
                stream=f"period:{project}:{period}", type=ev.PERIOD_CLOSED,
                payload={"project": project, "period": period, "closed_on": today_in_shanghai(now)},
                metadata=metadata(principal, meta), project=project, period=period,
            )], now=now)[0]
            conn.execute(period_closures.insert().values(
                project=project, period=period, closed_at=now, closed_by=principal.user, event_id=rec.id))
        record_ledger_metrics(conn, project, period, metadata(principal, meta), now)
        return create_task(conn, "close_month", {"project": project, "period": period}, principal.user)


def close_previous_month_for_all(db: Database, now: datetime) -> list[str]:
    """The month-end schedule: close last month (Asia/Shanghai) for every project; the task ids."""
    period = previous_month(month_of(today_in_shanghai(now)))
    with db.read() as conn:
        projects = [p["code"] for p in org.list_projects(conn)]
    meta = RequestMeta(request_id=f"beat:{period}")
    return [close_period(db, SYSTEM, code, period, meta, now) for code in projects]


def request_recompute(db: Database, principal: Principal, period: str, project: str | None,
                      now: datetime) -> str:
    _check_manager(principal, project)
    _check_period(period, now)
    if project is None and not principal.is_admin:
        projects = sorted(principal.projects)
    else:
        projects = [project] if project else []
    with db.write() as conn:
        for code in projects:
            if not org.project_exists(conn, code):
                raise NotFound(f"无此项目 (no project {code})")
        meta = metadata(principal, RequestMeta(request_id=f"recompute:{period}"))
        for code in projects or [p["code"] for p in org.list_projects(conn)]:
            record_ledger_metrics(conn, code, period, meta, now)
        return create_task(conn, "recompute", {"period": period, "projects": projects}, principal.user)


def record_ledger_metrics(conn: Connection, project: str, period: str, meta: dict[str, Any],
                          now: datetime) -> list[RecordedEvent]:
    """The rates of rules fed by the complaint ledger (SPEC §7.7), as metric events.

    For every employee of the project on a rubric with such a rule: the project's rate of the
    month, with its counts as evidence. A rate already recorded at that value is not recorded
    again, so closing twice records nothing new, and a recompute after a late follow-up
    records the new rate (the score follows, with a revision).
    """
    view = OrgView(conn)
    fed = [(m, t, item, rule) for m in view.members(period, project)
           if (t := view.template(m.template, period)) is not None
           for item in t.items for rule in item.rules if rule.source]
    if not fed:
        return []
    month = stats(ledger.complaints(conn, project, period).values(), period, ledger.deadlines(conn, project))
    known = _latest_metrics(conn, project, period)
    news = []
    for m, t, item, rule in fed:
        rate = str(rule.source).split(".", 1)[1]
        value = month.rates[rate]
        if known.get((m.employee_no, item.code, rule.code)) == value:
            continue
        news.append(NewEvent(
            stream=employee_stream(m.employee_no), type=ev.METRIC, period=period, employee=m.employee_no,
            project=project, metadata={**meta, "template": t.code, "template_version": t.version},
            payload={"item": item.code, "rule": rule.code, "period": period, "value": value,
                     "evidence": month.evidence(rate), "source": "投诉台账"}))
    return EventStore(conn).append(news, now=now) if news else []


def _latest_metrics(conn: Connection, project: str, period: str) -> dict[tuple[str, str, str], Decimal]:
    """(employee, item, rule) → the latest metric value that still counts."""
    rows = conn.execute(select(events.c.employee, events.c.payload).where(
        events.c.project == project, events.c.period == period, events.c.type == ev.METRIC,
        events.c.id.not_in(select(event_revocations.c.event_id))).order_by(events.c.position))
    return {(r.employee, str(r.payload["item"]), str(r.payload["rule"])): Decimal(str(r.payload["value"]))
            for r in rows}


def task_status(db: Database, principal: Principal, task_id: str) -> dict[str, Any]:
    with db.read() as conn:
        task = get_task(conn, task_id)
    if task is None:
        raise NotFound(f"无此任务 (no task {task_id})")
    projects = task["args"].get("projects") or [task["args"].get("project")]
    visible = principal.is_admin or task["requested_by"] == principal.user or \
        any(principal.in_scope(p) for p in projects if p)
    if not visible:
        raise NotFound(f"无此任务 (no task {task_id})")
    out = {"task_id": task["id"], "kind": task["kind"], "state": task["state"],
           "progress": task["progress"], "args": task["args"]}
    if task["result"] is not None:
        out["result"] = task["result"]
    if task["error"]:
        out["error"] = task["error"]
    return out
