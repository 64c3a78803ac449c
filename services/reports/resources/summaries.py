"""Project-level documents: department, annual, payroll and the group overview."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.reports import access, summaries
from services.reports.payroll_changes import build_payroll_changes
from services.reports.render import documents
from services.reports.resources.helpers import document, file_doc
from shared.web import authenticated, current_principal, get_db, today

blp = Blueprint("summaries", __name__, url_prefix="/reports", description="汇总报表 (summaries)")


@blp.route("/department/<project>/<path:department>/<month:period>.<any(html,csv,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "csv", "xlsx", "pdf"))
@authenticated()
def department(project: str, department: str, period: str, fmt: str) -> Any:
    """员工月绩效考核情况统计表: finals, ranks, awards, consequences and the distribution."""
    with get_db().read() as conn:
        name = access.project_for(conn, current_principal(), project)
        model = summaries.build_department(conn, project, name, department, access.check_month(period), today(),
                                           show_money=current_principal().sees_money)
    return document(documents.department(model, fmt), fmt, f"员工月绩效考核情况统计表_{project}_{department}_{period}",
                    f"department_{project}_{department}_{period}")


@blp.route("/annual/<project>/<year:year>.<any(html,csv,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "csv", "xlsx", "pdf"))
@authenticated()
def annual(project: str, year: str, fmt: str) -> Any:
    """年度员工绩效考核情况统计表: monthly finals, each part's mean and weight, the annual
    composite, 优秀员工, months not yet closed (未结账) and signature lines."""
    with get_db().read() as conn:
        name = access.project_for(conn, current_principal(), project)
        access.money(current_principal())
        model = summaries.build_annual(conn, project, name, access.check_year(year))
    return document(documents.annual(model, fmt), fmt, f"年度员工绩效考核情况统计表_{project}_{year}",
                    f"annual_{project}_{year}")


@blp.route("/payroll/<project>/<month:period>.<any(csv,xlsx):fmt>")
@blp.doc(**file_doc("csv", "xlsx"))
@authenticated()
def payroll(project: str, period: str, fmt: str) -> Any:
    """Payroll adjustments (yuan) from the month's rankings, with a total row."""
    with get_db().read() as conn:
        name = access.project_for(conn, current_principal(), project)
        access.money(current_principal())
        model = summaries.build_payroll(conn, project, name, access.check_month(period), today())
    return document(documents.payroll(model, fmt), fmt, f"绩效考核薪资调整表_{project}_{period}",
                    f"payroll_{project}_{period}")


@blp.route("/payroll/<project>/<month:period>/changes.<any(html,csv,xlsx):fmt>")
@blp.doc(**file_doc("html", "csv", "xlsx"))
@authenticated()
def payroll_changes(project: str, period: str, fmt: str) -> Any:
    """薪资调整变更表: adjustments changed after the month was first closed: old, new, when, who."""
    with get_db().read() as conn:
        name = access.project_for(conn, current_principal(), project)
        access.money(current_principal())
        model = build_payroll_changes(conn, project, name, access.check_month(period))
    return document(documents.payroll_changes(model, fmt), fmt, f"薪资调整变更表_{project}_{period}",
                    f"payroll_changes_{project}_{period}")


@blp.route("/overview/<month:period>.<any(html):fmt>")
@blp.doc(**file_doc("html"))
@authenticated()
def overview(period: str, fmt: str) -> Any:
    """集团绩效概览: per project in your scope: average, distribution, deductions, awards."""
    with get_db().read() as conn:
        projects = access.projects_in_scope(conn, current_principal())
        access.money(current_principal())
        model = summaries.build_overview(conn, projects, access.check_month(period), today())
    return document(documents.overview(model), fmt, f"集团绩效概览_{period}", f"overview_{period}")
