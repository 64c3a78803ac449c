"""The scoring worker's use cases: score chunks, plan and finish close/recompute tasks.

Each is idempotent: running it twice, or concurrently on two workers, gives the same
read models and no extra revision. Fan-in is tracked in `task_chunks`, in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import case, func, select

from services.scoring.chunks import score_months
from services.scoring.projection import score_lock
from services.scoring.rankings import months_to_rerank, rank_lock, rank_project_period
from shared import org
from shared.db import Database
from shared.tables import task_chunks
from shared.tasklog import FAILURE, STARTED, SUCCESS, get_task, update_task

CHUNK = 50


class Dispatcher(Protocol):
    """Where work goes: Celery on Redis, or the in-process runner."""

    def run_task(self, task_id: str) -> None: ...

    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> None: ...


def chunks(items: Sequence[str], size: int = CHUNK) -> list[list[str]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def score_employees(db: Database, period: str, employees: list[str], task_id: str | None = None,
                    chunk_no: int | None = None) -> set[str]:
    """Score a chunk of employee-months; rank their projects unless a task will at the end."""
    projects: set[str] = set()
    with db.update(*(score_lock(no, period) for no in employees)) as conn:
        for scored in score_months(conn, employees, period):
            projects.add(scored.project)
            if scored.previous_project:
                projects.add(scored.previous_project)
    if task_id is None or chunk_no is None:
        for project in sorted(projects):
            rank(db, project, period)
    elif finish_chunk(db, task_id, chunk_no):
        finalize(db, task_id)
    return projects


def rank(db: Database, project: str, period: str) -> None:
    """Rank a project's month, then later months whose streaks it changed."""
    while True:
        with db.update(rank_lock(project, period)) as conn:
            changed = rank_project_period(conn, project, period)
            later = months_to_rerank(conn, project, period) if changed else []
        if not later:
            return
        period = later[0]


def _task_projects(conn: Any, args: dict[str, Any]) -> list[str]:
    if args.get("project"):
        return [args["project"]]
    return list(args.get("projects") or []) or [p["code"] for p in org.list_projects(conn)]


def plan_task(db: Database, task_id: str) -> list[dict[str, Any]]:
    """Split a close/recompute task into chunks once; return the chunks not done yet."""
    with db.update(f"task:{task_id}") as conn:
        task = get_task(conn, task_id)
        if task is None or task["state"] in (SUCCESS, FAILURE):
            return []
        rows = conn.execute(select(task_chunks).where(task_chunks.c.task_id == task_id)
                            .order_by(task_chunks.c.chunk_no)).all()
        if not rows:
            period = task["args"]["period"]
            employees = [m.employee_no for p in _task_projects(conn, task["args"])
                         for m in org.members(conn, period, p)]
            planned = [{"task_id": task_id, "chunk_no": i, "period": period, "employees": c,
                        "done": False, "done_at": None} for i, c in enumerate(chunks(employees))]
            if planned:
                conn.execute(task_chunks.insert(), planned)
            rows = conn.execute(select(task_chunks).where(task_chunks.c.task_id == task_id)
                                .order_by(task_chunks.c.chunk_no)).all()
        done = sum(1 for r in rows if r.done)
        update_task(conn, task_id, state=STARTED, progress={"done": done, "total": len(rows)})
        return [dict(r._mapping) for r in rows if not r.done]


def run_task(db: Database, dispatch: Dispatcher, task_id: str) -> None:
    """Start (or resume) a task: dispatch its pending chunks, or finish it if none are left."""
    pending = plan_task(db, task_id)
    if not pending:
        finalize(db, task_id)
        return
    for c in pending:
        dispatch.score(c["period"], c["employees"], task_id, c["chunk_no"])


def finish_chunk(db: Database, task_id: str, chunk_no: int) -> bool:
    """Mark a chunk done; True for the one call that completes the task's last chunk."""
    with db.update(f"task:{task_id}") as conn:
        where = (task_chunks.c.task_id == task_id) & (task_chunks.c.chunk_no == chunk_no)
        if conn.execute(select(task_chunks.c.done).where(where)).scalar() is not False:
            return False  # unknown chunk, or a duplicate delivery
        conn.execute(task_chunks.update().where(where).values(done=True, done_at=datetime.now(UTC)))
        total, done = conn.execute(
            select(func.count(), func.sum(case((task_chunks.c.done, 1), else_=0)))
            .where(task_chunks.c.task_id == task_id)).one()
        update_task(conn, task_id, progress={"done": int(done or 0), "total": int(total)})
        return int(done or 0) == int(total)


def finalize(db: Database, task_id: str) -> None:
    """Rank every project the task covers, then mark it done (idempotent)."""
    with db.read() as conn:
        task = get_task(conn, task_id)
        if task is None or task["state"] in (SUCCESS, FAILURE):
            return
        projects = _task_projects(conn, task["args"])
        total = conn.execute(select(func.count()).select_from(task_chunks)
                             .where(task_chunks.c.task_id == task_id)).scalar()
    period = task["args"]["period"]
    for project in projects:
        rank(db, project, period)
    with db.update(f"task:{task_id}") as conn:
        employees = sum(len(org.members(conn, period, p)) for p in projects)
        update_task(conn, task_id, state=SUCCESS, progress={"done": total, "total": total},
                    result={"period": period, "projects": projects, "employees": employees})
