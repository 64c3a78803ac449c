"""Celery tasks: thin adapters from a message (ids only) to a job of `work.Worker`."""

from __future__ import annotations

from celery import Celery, current_app, shared_task

from services.scoring.work import Worker


class CeleryDispatcher:
    """Sends jobs by task name; `retry=False` so a dead broker fails fast, not silently."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def run_task(self, task_id: str) -> None:
        self.app.send_task("jixiao.run_task", args=[task_id], retry=False)

    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> None:
        self.app.send_task("jixiao.score", args=[period, employees, task_id, chunk_no], retry=False)

    def rank(self, project: str, period: str, task_id: str, chunk_no: int) -> None:
        self.app.send_task("jixiao.rank", args=[project, period, task_id, chunk_no], retry=False)


def worker(app: Celery | None = None) -> Worker:
    """The jobs of this process, on the runtime the composition root attached to the app."""
    app = app or current_app
    return Worker(app.jixiao_database(), app.conf.jixiao_settings.clock, CeleryDispatcher(app))


@shared_task(name="jixiao.score")
def score(period: str, employees: list[str], task_id: str | None = None,
          chunk_no: int | None = None) -> int:
    """Recompute a chunk of employee-months (idempotent)."""
    worker().score(period, employees, task_id, chunk_no)
    return len(employees)


@shared_task(name="jixiao.rank")
def rank(project: str, period: str, task_id: str, chunk_no: int) -> None:
    """A close/recompute task's ranking of one project (idempotent)."""
    worker().rank(project, period, task_id, chunk_no)


@shared_task(name="jixiao.run_task")
def run_task(task_id: str) -> None:
    """Plan or resume a close/recompute task and fan its jobs out."""
    worker().run_task(task_id)


@shared_task(name="jixiao.close_previous_month")
def close_previous_month() -> list[str]:
    """Beat: on the 1st, close last month for every project."""
    from shared.commands.periods import close_previous_month_for_all

    app = current_app
    return close_previous_month_for_all(app.jixiao_database(), app.conf.jixiao_settings.now())
