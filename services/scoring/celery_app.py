"""The Celery application, built by a factory (nothing at import time).

Redis is at-least-once with duplicates (celery#5935, #3541), so: acks_late,
reject on worker loss, prefetch 1, time limits well under the visibility timeout
(which is set in all three places, celery#7651), and every task idempotent.
Correctness lives in the database; the broker only carries ids.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from celery import Celery, bootsteps
from celery.schedules import crontab

from shared.config import Settings
from shared.db import Database

log = logging.getLogger("jixiao.scoring")


def make_celery(settings: Settings, database: Callable[[], Database]) -> Celery:
    """A Celery app on the configured Redis; raises if REDIS_URL is not set.

    `database` gives this process's Database: the app calls it once per process (a pool
    must not cross a fork), as `app.jixiao_database()`.
    """
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: the Celery worker needs a Redis broker "
                           "(without it, `jixiao serve` scores in-process)")
    prefix = settings.redis_prefix
    transport = {"visibility_timeout": settings.visibility_timeout, "global_keyprefix": f"{prefix}:"}
    app = Celery("jixiao", broker=settings.redis_url, include=["services.scoring.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.task_time_limit,
        task_soft_time_limit=max(1, settings.task_time_limit - 30),
        visibility_timeout=settings.visibility_timeout,
        broker_transport_options=transport,
        result_backend_transport_options=transport,
        task_ignore_result=True,
        task_default_queue=f"{prefix}.scoring",
        task_serializer="json",
        accept_content=["json"],
        timezone="Asia/Shanghai",
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        redbeat_redis_url=settings.redis_url,
        redbeat_key_prefix=f"{prefix}:redbeat",
        redbeat_lock_timeout=settings.beat_lock_timeout,
        beat_max_loop_interval=5,
        # The seeds close on the 1st for the previous month; 01:00 Asia/Shanghai.
        beat_schedule={"close-previous-month": {
            "task": "jixiao.close_previous_month",
            "schedule": crontab(minute=0, hour=1, day_of_month=1),
        }},
    )
    app.conf.jixiao_settings = settings
    app.jixiao_database = _per_process(database)  # type: ignore[attr-defined]
    app.steps["worker"].add(RelayStep)
    return app


def _per_process(factory: Callable[[], Database]) -> Callable[[], Database]:
    made: dict[int, Database] = {}

    def database() -> Database:
        pid = os.getpid()
        if pid not in made:
            made[pid] = factory()
        return made[pid]

    return database


class RelayStep(bootsteps.StartStopStep):
    """Every worker runs the relay on its timer; an advisory lock lets one relay at a time."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.interval = worker.app.conf.jixiao_settings.relay_interval

    def start(self, worker: Any) -> None:
        self.tref = worker.timer.call_repeatedly(self.interval, self.tick, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def tick(self, worker: Any) -> None:
        from services.scoring.relay import Relay
        from services.scoring.tasks import CeleryDispatcher

        app = worker.app
        settings: Settings = app.conf.jixiao_settings
        try:
            Relay(app.jixiao_database(), settings.clock, CeleryDispatcher(app),
                  stale_after=settings.task_stale_seconds).tick()
        except Exception as exc:  # broker or database down: the next tick retries
            log.warning("relay tick failed, will retry: %s", exc)
