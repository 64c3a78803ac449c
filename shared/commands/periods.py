"""Month-end close and recompute requests: recorded now, carried out by the scoring worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import org
from shared.auth import MANAGERS, Principal
from shared.commands.meta import RequestMeta, metadata
from shared.db import Database
from shared.domain import events as ev
from shared.domain.events import NewEvent
from shared.domain.periods import is_month, month_of, previous_month, today_in_shanghai
from shared.errors import Forbidden, Invalid, NotFound
from shared.eventstore import EventStore
from shared.limits import EARLIEST_MONTH
from shared.tables import period_closures
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
        return create_task(conn, "recompute", {"period": period, "projects": projects}, principal.user)


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
