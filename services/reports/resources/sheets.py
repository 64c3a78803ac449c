"""Per-employee documents: the monthly record (考核记录表) and the audit trail."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.reports import access, sheets
from services.reports.render import documents
from services.reports.resources.helpers import document, file_doc
from shared.web import authenticated, current_principal, get_db, today

blp = Blueprint("sheets", __name__, url_prefix="/reports", description="员工考核记录 (employee records)")


@blp.route("/sheet/<employee_no>/<month:period>.<any(html,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "xlsx", "pdf"))
@authenticated()
def sheet(employee_no: str, period: str, fmt: str) -> Any:
    """员工月绩效考核记录表: items, deductions with evidence, self/初评/审核 columns, sign-off."""
    with get_db().read() as conn:
        principal = current_principal()
        emp = access.employee_for(conn, principal, employee_no, [access.check_month(period)])
        # Need to know (SPEC §1): the yuan for manager and above, and for the employee, on their own sheet.
        model = sheets.build_sheet(conn, emp, period, today(), money=principal.sees_money or principal.role == "employee")
    return document(documents.sheet(model, fmt), fmt, f"员工月绩效考核记录表_{employee_no}_{period}",
                    f"sheet_{employee_no}_{period}")


@blp.route("/audit/<employee_no>/<month:period>.<any(html):fmt>")
@blp.doc(**file_doc("html"))
@authenticated()
def audit(employee_no: str, period: str, fmt: str) -> Any:
    """The full trail behind one score: every event (revocations, appeals) and revision."""
    with get_db().read() as conn:
        emp = access.employee_for(conn, current_principal(), employee_no, [access.check_month(period)])
        model = sheets.build_audit(conn, emp, period)
    return document(documents.audit(model), fmt, f"考核追溯记录_{employee_no}_{period}",
                    f"audit_{employee_no}_{period}")
