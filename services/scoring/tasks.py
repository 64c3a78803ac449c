"""Celery tasks: thin adapters from a message (ids only) to a use case in `work`."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from celery import Celery, current_app, shared_task

from services.scoring import work
from services.scoring.relay import relay_tick
from shared.config import Settings
from shared.db import Database

_dbs: dict[tuple[int, str], Database] = {}


def database(app: Celery | None = None) -> Database:
    """One engine per process (and per fork: pools must not cross a fork)."""
    settings: Settings = (app or current_app).conf.jixiao_settings
    key = (os.getpid(), settings.database_url)
    if key not in _dbs:
        _dbs[key] = Database(settings.database_url, pool_size=2)
    return _dbs[key]


class CeleryDispatcher:
    """Sends work by task name; `retry=False` so a dead broker fails fast, not silently."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def run_task(self, task_id: str) -> None:
        self.app.send_task("jixiao.run_task", args=[task_id], retry=False)

    def score(self, period: str, employees: list[str], task_id: str | None = None,
              chunk_no: int | None = None) -> None:
        self.app.send_task("jixiao.score", args=[period, employees, task_id, chunk_no], retry=False)


def relay_once(app: Celery) -> int:
    return relay_tick(database(app), CeleryDispatcher(app))


@shared_task(name="jixiao.score")
def score(period: str, employees: list[str], task_id: str | None = None,
          chunk_no: int | None = None) -> int:
    """Recompute a chunk of employee-months (idempotent)."""
    work.score_employees(database(), period, employees, task_id, chunk_no)
    return len(employees)


@shared_task(name="jixiao.run_task")
def run_task(task_id: str) -> None:
    """Plan or resume a close/recompute task and fan its chunks out."""
    work.run_task(database(), CeleryDispatcher(current_app), task_id)


@shared_task(name="jixiao.close_previous_month")
def close_previous_month() -> list[str]:
    """Beat: on the 1st, close last month for every project."""
    from services.scoring.month_end import close_previous_month_for_all

    return close_previous_month_for_all(database(), datetime.now(UTC))


