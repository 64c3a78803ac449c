"""The one composition root: settings read once, then the engine, the scoring runner or the
Celery app, and the web apps, built from them. `serve`, `worker`, `beat`, every CLI command
and the WSGI entry points start here; nothing is built at import time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.config import Settings
from shared.db import Database
from shared.logs import configure_logging

if TYPE_CHECKING:
    from celery import Celery
    from flask import Flask

    from services.scoring.inprocess import InProcessRunner


@dataclass
class Runtime:
    settings: Settings
    db: Database
    runner: InProcessRunner | None  # the embedded default's scoring; None with a broker

    def incidents_app(self) -> Flask:
        from services.incidents.app import create_app

        return create_app(self.settings, self.db, on_write=self.runner.wake if self.runner else None)

    def reports_app(self) -> Flask:
        from services.reports.app import create_app

        return create_app(self.settings, self.db)

    def web_app(self) -> Flask:
        from services.web.app import create_app

        return create_app(self.settings, self.db, on_write=self.runner.wake if self.runner else None)

    def celery(self) -> Celery:
        """The Celery app on the broker; each worker process opens its own small pool."""
        from services.scoring.celery_app import make_celery

        url = self.settings.database_url
        return make_celery(self.settings, lambda: Database(url, pool_size=2))

    def score_now(self) -> None:
        """On the embedded default, carry out whatever is due (with a broker, workers do)."""
        if self.runner is not None:
            self.runner.drain()


def bootstrap(settings: Settings | None = None, db: Database | None = None, *,
              logging: bool = True) -> Runtime:
    """Build the runtime from the environment (or the given settings and database)."""
    settings = settings or Settings.from_env()
    if logging:
        configure_logging(settings.log_level)
    db = db or Database(settings.database_url)
    runner = None
    if settings.embedded:
        from services.scoring.inprocess import InProcessRunner

        runner = InProcessRunner(db, settings.clock, settings.relay_interval, settings.task_stale_seconds)
    return Runtime(settings, db, runner)
