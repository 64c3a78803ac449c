"""Scores (SPEC §7.5): a project's month, one employee-month with provenance, its revisions."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from services.reports import access, queries, results
from services.reports.schemas import HistoryOut, ResultOut, ResultsOut, ScoresQuery
from shared.web import authenticated, current_principal, get_db, today

blp = Blueprint("scores", __name__, url_prefix="/api/v1", description="考核得分 (scores)")


@blp.get("/scores")
@authenticated()
@blp.arguments(ScoresQuery, location="query", unknown=RAISE)
@blp.response(200, ResultsOut)
def list_scores(args: dict[str, Any]) -> Any:
    """One result per active member of the project in the month (optionally one department).

    A stored score is used when there is one; otherwise the month is scored read-only from
    its events, so a month without events is a perfect month. `revision` is 0 when not stored.
    """
    with get_db().read() as conn:
        access.project_for(conn, current_principal(), args["project"])
        found = results.project_results(conn, args["project"], args["period"], args["department"], today())
    return {"results": found}


@blp.get("/scores/<employee_no>/<month:period>")
@authenticated()
@blp.response(200, ResultOut)
def get_score(employee_no: str, period: str) -> Any:
    """One employee-month with its item breakdown and provenance: for every deducted point
    the event id, who recorded it, when and the evidence; plus the bonuses."""
    with get_db().read() as conn:
        emp = access.employee_for(conn, current_principal(), employee_no, [access.check_month(period)])
        return results.employee_result(conn, emp, period, today())


@blp.get("/scores/<employee_no>/<month:period>/history")
@authenticated()
@blp.response(200, HistoryOut)
def score_history(employee_no: str, period: str) -> Any:
    """Every published revision of the score, oldest first (old → new and what caused it)."""
    with get_db().read() as conn:
        access.employee_for(conn, current_principal(), employee_no, [access.check_month(period)])
        return {"revisions": queries.revisions(conn, employee_no, period)}
