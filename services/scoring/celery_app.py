"""The Celery application, built by a factory (nothing at import time).

Redis is at-least-once with duplicates (celery#5935, #3541), so: acks_late,
reject on worker loss, prefetch 1, time limits well under the visibility timeout
(which is set in all three places, celery#7651), and every task idempotent.
Correctness lives in the database; the broker only carries ids.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, bootsteps
from celery.schedules import crontab

from shared.config import Settings

log = logging.getLogger("jixiao.scoring")


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def make_celery(settings: Settings | None = None) -> Celery:
    """A Celery app on the configured Redis; raises if REDIS_URL is not set."""
    settings = settings or Settings.from_env()
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: the Celery worker needs a Redis broker "
                           "(without it, `jixiao serve` scores in-process)")
    visibility = _int_env("JIXIAO_VISIBILITY_TIMEOUT", 1800)
    hard_limit = _int_env("JIXIAO_TASK_TIME_LIMIT", 300)
    prefix = settings.redis_prefix
    transport = {"visibility_timeout": visibility, "global_keyprefix": f"{prefix}:"}
    app = Celery("jixiao", broker=settings.redis_url, include=["services.scoring.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=hard_limit,
        task_soft_time_limit=max(1, hard_limit - 30),
        visibility_timeout=visibility,
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
        redbeat_lock_timeout=_int_env("JIXIAO_BEAT_LOCK_TIMEOUT", 60),
        beat_max_loop_interval=5,
        # The seeds close on the 1st for the previous month; 01:00 Asia/Shanghai.
        beat_schedule={"close-previous-month": {
            "task": "jixiao.close_previous_month",
            "schedule": crontab(minute=0, hour=1, day_of_month=1),
        }},
    )
    app.conf.jixiao_settings = settings
    app.steps["worker"].add(RelayStep)
    return app


class RelayStep(bootsteps.StartStopStep):
    """Every worker runs the relay on its timer; an advisory lock lets one relay at a time."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None
        self.interval = float(os.environ.get("JIXIAO_RELAY_INTERVAL", "0.5"))

    def start(self, worker: Any) -> None:
        self.tref = worker.timer.call_repeatedly(self.interval, self.tick, (worker,), priority=10)

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def tick(self, worker: Any) -> None:
        from services.scoring.tasks import relay_once

        try:
            relay_once(worker.app)
        except Exception as exc:  # broker or database down: the next tick retries
            log.warning("relay tick failed, will retry: %s", exc)
