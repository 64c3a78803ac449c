"""The annual composite of one employee (SPEC §4, seed 003 §4.6)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.reports import access, results
from services.reports.schemas import AnnualOut
from shared.domain.periods import months_of_year
from shared.web import authenticated, current_principal, get_db

blp = Blueprint("annual", __name__, url_prefix="/api/v1", description="年度综合 (annual composite)")


@blp.get("/annual/<employee_no>/<year:year>")
@authenticated()
@blp.response(200, AnnualOut)
def get_annual(employee_no: str, year: str) -> Any:
    """The stored annual composite, or the same computation over the stored monthly finals."""
    with get_db().read() as conn:
        months = months_of_year(access.check_year(year))
        emp = access.employee_for(conn, current_principal(), employee_no, months)
        access.annual_for(current_principal(), employee_no)
        return results.annual_result(conn, emp, year)
