"""Replay from position 0: recompute every read model from the log alone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, union

from services.scoring import work
from services.scoring.inprocess import InProcessRunner
from shared.db import Database
from shared.tables import annual_scores, checkpoints, period_closures, rankings, scores


def rebuild_read_models(db: Database, runner: InProcessRunner) -> None:
    """Follow the whole log again, then rank every month that has scores or was closed."""
    with db.update() as conn:
        conn.execute(checkpoints.delete().where(checkpoints.c.name == "relay"))
    runner.drain()
    with db.read() as conn:
        months = conn.execute(union(select(scores.c.project, scores.c.period),
                                    select(period_closures.c.project, period_closures.c.period))).all()
    for project, period in sorted(months):
        work.rank(db, project, period)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything a replay must reproduce exactly (not revision counters or timestamps)."""
    with db.read() as conn:
        return {
            "scores": {(r.employee, r.period): (r.result, r.position, str(r.final), r.template_version)
                       for r in conn.execute(select(scores))},
            "rankings": {(r.project, r.department, r.template, r.period): (r.rows, r.closed_on, r.position)
                         for r in conn.execute(select(rankings))},
            "annual": {(r.employee, r.year): (r.result, r.position)
                       for r in conn.execute(select(annual_scores))},
        }
