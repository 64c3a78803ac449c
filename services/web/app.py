"""The web app's composition: sessions in the database, CSRF on every form, the pages, and
the documents of the reports service on the same origin."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

from services.reports.resources import complaints, sheets, summaries, yearend
from services.web import admin, annual_inputs, appeals, auth, employee, home, manage, record, staff
from services.web import complaints as ledger
from services.web.pages import install_filters, page_error
from shared.config import Settings
from shared.db import Database
from shared.sessions import DatabaseSessions
from shared.web import init_web

log = logging.getLogger("jixiao.web")


def create_app(settings: Settings, db: Database, on_write: Callable[[], None] | None = None) -> Flask:
    """Build the web app on the composition root's settings and database.

    `on_write` is called after every form that wrote (the in-process scorer's wake-up).
    """
    app = Flask(__name__.rsplit(".", 1)[0], template_folder="templates", static_folder="static")
    secret = settings.secret_key
    if not secret:
        log.warning("JIXIAO_SECRET_KEY is not set: using a random key, so sessions end when this process "
                    "stops and several processes cannot share them; set it in production")
        secret = secrets.token_urlsafe(32)
    app.config.update(SECRET_KEY=secret, WTF_CSRF_TIME_LIMIT=None, MAX_CONTENT_LENGTH=2 * 1024 * 1024,
                      SESSION_COOKIE_NAME="jixiao_session")
    app.session_interface = DatabaseSessions(db)
    CSRFProtect(app)
    init_web(app, settings, db)
    for bp in (auth.bp, home.bp, record.bp, annual_inputs.bp, employee.bp, manage.bp, appeals.bp, staff.bp,
               admin.bp, ledger.bp, sheets.blp, summaries.blp, complaints.blp, yearend.blp):
        app.register_blueprint(bp)
    install_filters(app)
    app.jinja_env.globals["new_key"] = lambda: secrets.token_urlsafe(16)
    app.register_error_handler(400, page_error)
    app.register_error_handler(403, page_error)
    app.register_error_handler(404, page_error)
    if on_write is not None:
        @app.after_request
        def _wake(resp: Any) -> Any:
            if request.method == "POST" and resp.status_code < 400:
                on_write()
            return resp
    return app
