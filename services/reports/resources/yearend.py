"""员工年终绩效考核记录表 (seed 003 §5): one employee's year."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.reports import access, yearend
from services.reports.render import documents
from services.reports.resources.helpers import document, file_doc
from shared.domain.periods import months_of_year
from shared.web import authenticated, current_principal, get_db

blp = Blueprint("yearend", __name__, url_prefix="/reports", description="员工年终考核记录 (year-end record)")


@blp.route("/yearend/<employee_no>/<year:year>.<any(html,xlsx,pdf):fmt>")
@blp.doc(**file_doc("html", "xlsx", "pdf"))
@authenticated()
def yearend_record(employee_no: str, year: str, fmt: str) -> Any:
    """员工年终绩效考核记录表: monthly finals, inspections, the year-end review, the composite
    with its formula, the awards and sign-off lines. An employee reads only their own."""
    with get_db().read() as conn:
        year = access.check_year(year)
        emp = access.employee_for(conn, current_principal(), employee_no, months_of_year(year))
        model = yearend.build_yearend(conn, emp, year)
    return document(documents.yearend(model, fmt), fmt, f"员工年终绩效考核记录表_{employee_no}_{year}",
                    f"yearend_{employee_no}_{year}")
