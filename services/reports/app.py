"""The reports service (read side): create_app is its composition root."""

from __future__ import annotations

from flask import Flask

from services.reports.resources import annual, portal, rankings, scores, sheets, summaries
from shared.config import Settings
from shared.db import Database
from shared.web import ProblemApi, init_web


def create_app(settings: Settings | None = None, db: Database | None = None) -> Flask:
    """Build the reports app; nothing is created at import time."""
    settings = settings or Settings.from_env()
    app = Flask("jixiao.reports")
    app.config.update(
        API_TITLE="jixiao reports (绩效报表)",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = ProblemApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    init_web(app, api, db or Database(settings.database_url), settings.admin_token, settings.redis_url)
    for blp in (scores.blp, rankings.blp, annual.blp, sheets.blp, summaries.blp):
        api.register_blueprint(blp)
    app.register_blueprint(portal.bp)
    return app
