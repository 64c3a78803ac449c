"""The scoring worker's jobs: score a chunk of employee-months, rank a project's month, and
carry a close/recompute task through both stages.

Each job is idempotent: running it twice, or concurrently on two workers, gives the same
read models and no extra revision. A task fans out in two stages tracked in `task_chunks`
(in the database, not in a Redis chord): first its chunks of employees are scored, then
each project is ranked on a job of its own, so the rankings spread over the workers too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, case, func, select

from services.scoring import load
from services.scoring.publish import publish_annuals, rank_month, score_batch
from services.scoring.writers import Upsert
from shared import org
from shared.clock import Clock
from shared.db import Database
from shared.domain.periods import months_of_year, next_month, previous_month
from shared.tables import task_chunks
from shared.tasklog import FAILURE, STARTED, SUCCESS, get_task, update_task

CHUNK = 100


class Dispatcher(Protocol):
    """Where jobs go: Celery on Redis, or the in-process runner."""

    def run_task(self, task_id: str) -> None: ...

    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> None: ...

    def rank(self, project: str, period: str, task_id: str, chunk_no: int) -> None: ...


def chunks(items: Sequence[str], size: int = CHUNK) -> list[list[str]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def score_lock(employee: str, period: str) -> str:
    return f"score:{employee}:{period}"


def rank_lock(project: str, period: str) -> str:
    return f"rank:{project}:{period}"


class Worker:
    """The jobs, bound to a database, a clock and where follow-up jobs go."""

    def __init__(self, db: Database, clock: Clock, dispatch: Dispatcher) -> None:
        self.db, self.clock, self.dispatch = db, clock, dispatch

    def now(self) -> datetime:
        return self.clock.now()

    # -- jobs ---------------------------------------------------------------------------
    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> set[str]:
        """Score a chunk of employee-months; rank their projects unless a task ranks them later."""
        employees = list(dict.fromkeys(employees))
        with self.db.update(*(score_lock(no, period) for no in employees)) as conn:
            view = org.OrgView(conn)
            view.prefetch(employees)
            writer = Upsert(conn, self.now())
            found = load.month_events(conn, employees, period)
            scored = score_batch(view, [(no, period, found.get(no, [])) for no in employees], writer)
            # an annual composite moves with a changed final, or with an inspection or review
            due = sorted({s.employee for s in scored if s.changed}
                         | load.annual_due(e for no in employees for e in found.get(no, [])))
            year = period[:4]
            stored = load.stored_months(conn, due, months_of_year(year)) if due else {}
            publish_annuals(view, load.by_year(stored), writer, load.annual_inputs(conn, due, year) if due else {})
        projects = {s.project for s in scored} | {s.previous_project for s in scored if s.previous_project}
        if task_id is None or chunk_no is None:
            for project in sorted(projects):
                self.rank_months(project, period)
        else:
            self._chunk_done(task_id, chunk_no)
        return projects

    def rank(self, project: str, period: str, task_id: str, chunk_no: int) -> None:
        """A task's ranking job for one project."""
        self.rank_months(project, period)
        self._chunk_done(task_id, chunk_no)

    def rank_months(self, project: str, period: str) -> None:
        """Rank a project's month, then each later month whose last-place streaks it changed."""
        month: str | None = period
        while month is not None:
            with self.db.update(rank_lock(project, month)) as conn:
                view = org.OrgView(conn)
                members = [m.employee_no for m in view.members(month, project)]
                finals = {no: m for (no, _), m in load.stored_months(conn, members, [month]).items()}
                previous = load.stored_rankings(conn, project, previous_month(month))
                plans = load.plans_filed(conn, project, month).get((project, month), {})
                changed, rows = rank_month(view, project, month, finals, previous, plans, Upsert(conn, self.now()))
                following = next_month(month)
                later = load.stored_rankings(conn, project, following) if changed else {}
                month = following if later and streaks_moved(rows, later) else None

    def run_task(self, task_id: str) -> None:
        """Start (or resume) a task: dispatch the jobs of its current stage, or finish it."""
        pending = self._plan(task_id)
        scoring = [c for c in pending if c["project"] is None]
        if len(scoring) == 1:  # a small task (one project's close): no fan-out, no round trips
            self.score(scoring[0]["period"], scoring[0]["employees"], task_id, scoring[0]["chunk_no"])
            return
        for c in scoring:
            self.dispatch.score(c["period"], c["employees"], task_id, c["chunk_no"])
        if not scoring:
            self._rank_stage(task_id, pending)
        if not pending:
            self._finish(task_id)

    # -- the task's fan-out and fan-in ------------------------------------------------------
    def _plan(self, task_id: str) -> list[dict[str, Any]]:
        """Split a task into its jobs once (score chunks, then one ranking per project);
        return the jobs not done yet."""
        with self.db.update(f"task:{task_id}") as conn:
            task = get_task(conn, task_id)
            if task is None or task["state"] in (SUCCESS, FAILURE):
                return []
            rows = _jobs(conn, task_id)
            if not rows:
                period = task["args"]["period"]
                projects = _task_projects(conn, task["args"])
                people = org.load_people(conn, project=projects[0] if len(projects) == 1 else None)
                employees = [m.employee_no for p in projects for m in people.members(period, p)]
                planned = [{"task_id": task_id, "chunk_no": i, "period": period, "employees": c, "project": None}
                           for i, c in enumerate(chunks(employees))]
                planned += [{"task_id": task_id, "chunk_no": len(planned) + i, "period": period, "employees": [],
                             "project": p} for i, p in enumerate(projects)]
                if planned:
                    conn.execute(task_chunks.insert(), [{**p, "done": False, "done_at": None} for p in planned])
                rows = _jobs(conn, task_id)
            done = sum(1 for r in rows if r["done"])
            update_task(conn, task_id, state=STARTED, progress={"done": done, "total": len(rows)})
            return [r for r in rows if not r["done"]]

    def _chunk_done(self, task_id: str, chunk_no: int) -> None:
        """Mark a job done. The call that completes the scoring stage starts the rankings;
        the one that completes every job finishes the task."""
        c = task_chunks.c
        with self.db.update(f"task:{task_id}") as conn:
            where = (c.task_id == task_id) & (c.chunk_no == chunk_no)
            job = conn.execute(select(c.done, c.project).where(where)).first()
            if job is None or job.done:
                return  # unknown job, or a duplicate delivery
            conn.execute(task_chunks.update().where(where).values(done=True, done_at=self.now()))
            total, left, scoring_left = conn.execute(
                select(func.count(), func.sum(case((~c.done, 1), else_=0)),
                       func.sum(case((c.project.is_(None) & ~c.done, 1), else_=0)))
                .where(c.task_id == task_id)).one()
            update_task(conn, task_id, progress={"done": int(total) - int(left or 0), "total": int(total)})
            ranking = [dict(r._mapping) for r in conn.execute(
                select(c.chunk_no, c.period, c.project).where(c.task_id == task_id, c.project.is_not(None),
                                                              ~c.done))] \
                if job.project is None and not scoring_left else []
        if not left:
            self._finish(task_id)
        elif ranking:
            self._rank_stage(task_id, ranking)

    def _rank_stage(self, task_id: str, pending: list[dict[str, Any]]) -> None:
        """Rank each project on a job of its own; one project is ranked here and now."""
        jobs = [c for c in pending if c["project"] is not None]
        if len(jobs) == 1:
            self.rank(jobs[0]["project"], jobs[0]["period"], task_id, jobs[0]["chunk_no"])
            return
        for c in jobs:
            self.dispatch.rank(c["project"], c["period"], task_id, c["chunk_no"])

    def _finish(self, task_id: str) -> None:
        """Mark the task done with what it covered (idempotent)."""
        with self.db.update(f"task:{task_id}") as conn:
            task = get_task(conn, task_id)
            if task is None or task["state"] in (SUCCESS, FAILURE):
                return
            rows = _jobs(conn, task_id)
            period = task["args"]["period"]
            projects = _task_projects(conn, task["args"])
            employees = sum(len(r["employees"]) for r in rows)
            update_task(conn, task_id, state=SUCCESS, progress={"done": len(rows), "total": len(rows)},
                        result={"period": period, "projects": projects, "employees": employees})


def _jobs(conn: Connection, task_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(task_chunks).where(task_chunks.c.task_id == task_id)
                        .order_by(task_chunks.c.chunk_no))
    return [dict(r._mapping) for r in rows]


def _task_projects(conn: Connection, args: dict[str, Any]) -> list[str]:
    if args.get("project"):
        return [args["project"]]
    return list(args.get("projects") or []) or [p["code"] for p in org.list_projects(conn)]


def streaks_moved(rows: dict[tuple[str, str], list[dict[str, Any]]],
                  later: dict[tuple[str, str], list[dict[str, Any]]]) -> bool:
    """Whether the month after, as stored, counted its last places from other streaks than
    these rows now give (a last place's streak is the one before it plus one)."""
    for group, following in later.items():
        now = {r["employee"]: int(r.get("last_streak", 0)) for r in rows.get(group, [])}
        for r in following:
            streak = int(r.get("last_streak", 0))
            if streak and streak - 1 != now.get(r["employee"], 0):
                return True
    return False
