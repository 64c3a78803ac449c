"""Monthly rankings with their consequences (SPEC §5, §7.4)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE

from services.reports import access, results
from services.reports.schemas import RankingOut, RankingsQuery
from shared.web import authenticated, current_principal, get_db, today

blp = Blueprint("rankings", __name__, url_prefix="/api/v1", description="月度排名 (rankings)")


@blp.get("/rankings")
@authenticated()
@blp.arguments(RankingsQuery, location="query", unknown=RAISE)
@blp.response(200, RankingOut)
def get_rankings(args: dict[str, Any]) -> Any:
    """The month's ranking rows, best first, with consequences and payroll adjustments.

    A pending improvement plan whose due date is before today (Asia/Shanghai) reads "overdue".
    """
    with get_db().read() as conn:
        access.project_for(conn, current_principal(), args["project"])
        return results.ranking(conn, args["project"], args["period"], args["department"], today(),
                               money=current_principal().sees_money)
