"""The incidents service (write side): create_app is its composition root."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request

from services.incidents.resources import appeals, events, org, periods
from shared.config import Settings
from shared.db import Database
from shared.web import service_app


def create_app(settings: Settings, db: Database,
               on_write: Callable[[], None] | None = None) -> Flask:
    """Build the incidents app on the composition root's settings and database.

    `on_write` is called after every successful write (the in-process scorer's wake-up).
    """
    app, api = service_app("jixiao.incidents", "jixiao incidents (考核事件)", settings, db)
    for blp in (org.blp, events.blp, periods.blp, appeals.blp):
        api.register_blueprint(blp)
    if on_write is not None:
        app.extensions["jixiao_task_wake"] = on_write

        @app.after_request
        def _wake(resp: Any) -> Any:
            if request.method == "POST" and resp.status_code < 300:
                on_write()
            return resp

    return app
