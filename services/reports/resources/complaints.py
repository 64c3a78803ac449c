"""The complaint ledger (SPEC §7.7): complaints, the month's rates, suggested deductions, and
the forms 用户意见受理表 and 回访用户月统计表."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.reports import access
from services.reports import complaints as ledger_view
from services.reports.render import documents
from services.reports.resources.helpers import document, file_doc
from services.reports.schemas import (
    ComplaintsOut,
    ComplaintsQuery,
    StatsOut,
    StatsQuery,
    SuggestionsOut,
    SuggestionsQuery,
)
from shared.auth import Principal
from shared.errors import Forbidden
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("complaints", __name__, description="投诉台账 (complaint ledger)")
READERS = ("lead", "supervisor", "manager", "gm", "auditor", "admin")


def _staff(principal: Principal) -> Principal:
    if principal.role not in READERS:
        raise Forbidden("投诉台账仅限项目工作人员查看 (the ledger is for the project's staff)")
    return principal


@blp.get("/api/v1/complaints")
@authenticated()
@blp.arguments(ComplaintsQuery, location="query")
@blp.response(200, ComplaintsOut)
def list_complaints(args: dict[str, Any]) -> Any:
    """A project's complaints (of one month), each with its timeline and what is overdue now."""
    with get_db().read() as conn:
        access.project_for(conn, _staff(current_principal()), args["project"])
        return {"results": ledger_view.list_complaints(conn, args["project"], args["period"], args["status"],
                                                       bool(args["overdue"]), now())}


@blp.get("/api/v1/complaints/stats")
@authenticated()
@blp.arguments(StatsQuery, location="query")
@blp.response(200, StatsOut)
def stats(args: dict[str, Any]) -> Any:
    """A project-month's counts and its handling, follow-up and satisfaction rates."""
    with get_db().read() as conn:
        access.project_for(conn, _staff(current_principal()), args["project"])
        return ledger_view.month_stats(conn, args["project"], args["period"]).as_json()


@blp.get("/api/v1/complaints/suggestions")
@authenticated()
@blp.arguments(SuggestionsQuery, location="query")
@blp.response(200, SuggestionsOut)
def suggestions(args: dict[str, Any]) -> Any:
    """Missed deadlines, suggested as deductions for the complaint's responsible employee."""
    with get_db().read() as conn:
        access.project_for(conn, _staff(current_principal()), args["project"])
        return {"results": ledger_view.suggestions(conn, args["project"], args["status"], now())}


@blp.route("/reports/complaints/<project>/<month:period>.<any(html,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "xlsx", "pdf"))
@authenticated()
def complaints_form(project: str, period: str, fmt: str) -> Any:
    """用户意见受理表: every complaint of the month, its channel, severity, timeline, handler, follow-up."""
    with get_db().read() as conn:
        name = access.project_for(conn, _staff(current_principal()), project)
        model = ledger_view.complaints_model(conn, project, name, access.check_month(period))
    return document(documents.complaints(model, fmt), fmt, f"用户意见受理表_{project}_{period}",
                    f"complaints_{project}_{period}")


@blp.route("/reports/followups/<project>/<month:period>.<any(html,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "xlsx", "pdf"))
@authenticated()
def followups_form(project: str, period: str, fmt: str) -> Any:
    """回访用户月统计表: counts, rates, the satisfaction split, unsatisfied cases and their next follow-up."""
    with get_db().read() as conn:
        name = access.project_for(conn, _staff(current_principal()), project)
        model = ledger_view.followups_model(conn, project, name, access.check_month(period))
    return document(documents.followups(model, fmt), fmt, f"回访用户月统计表_{project}_{period}",
                    f"followups_{project}_{period}")
