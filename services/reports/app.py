"""The reports service (read side): create_app is its composition root."""

from __future__ import annotations

from flask import Flask

from services.reports.resources import (
    annual,
    complaints,
    rankings,
    scores,
    sheets,
    summaries,
    yearend,
)
from shared.config import Settings
from shared.db import Database
from shared.web import service_app


def create_app(settings: Settings, db: Database) -> Flask:
    """Build the reports app on the composition root's settings and database."""
    app, api = service_app("jixiao.reports", "jixiao reports (绩效报表)", settings, db)
    for blp in (scores.blp, rankings.blp, annual.blp, sheets.blp, summaries.blp, complaints.blp,
                yearend.blp):
        api.register_blueprint(blp)
    return app
