"""The first page after signing in: what this person can open."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.reports import queries
from services.web.pages import current, page, signed_in
from shared.web import get_db

bp = Blueprint("home", __name__)


@bp.get("/")
@signed_in
def index() -> Any:
    """Links to every document in the person's scope (their own sheets, for an employee)."""
    me = current()
    with get_db().read() as conn:
        if me.role == "employee":
            return page("home.html", own_months=queries.employee_months(conn, me.user), index=[], months=[])
        scope = None if me.is_admin else sorted(me.projects)
        index = queries.portal_index(conn, scope)
    months = sorted({m for p in index for m in p["months"]}, reverse=True)
    return page("home.html", own_months=None, index=index, months=months)
