"""The page a person opens: sign in with a token, then links to every report in scope."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, redirect, request

from services.reports import queries
from services.reports.render import labels
from services.reports.render.html import render
from shared.auth import Principal, authenticate
from shared.web import SESSION_COOKIE, bearer_token, get_db

bp = Blueprint("portal", __name__)
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'"


def _page(html: str, status: int = 200) -> Response:
    resp = Response(html, status=status, content_type="text/html; charset=utf-8")
    resp.headers["Content-Security-Policy"] = POLICY
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def _principal(token: str | None) -> Principal | None:
    if not token:
        return None
    with get_db().read() as conn:
        return authenticate(conn, token, current_app.config.get("JIXIAO_ADMIN_TOKEN"))


@bp.get("/")
def index() -> Any:
    """Sign-in form, or the reports the signed-in token may read."""
    principal = _principal(bearer_token())
    context: dict[str, Any] = {"principal": principal, "failed": request.args.get("failed") == "1",
                               "employee_months": None, "index": [], "months": []}
    if principal is not None:
        context["role"] = labels.ROLE.get(principal.role, principal.role)
        with get_db().read() as conn:
            if principal.role == "employee":
                context["employee_months"] = queries.employee_months(conn, principal.user)
            else:
                scope = None if principal.is_admin else sorted(principal.projects)
                context["index"] = queries.portal_index(conn, scope)
                context["months"] = sorted({m for p in context["index"] for m in p["months"]}, reverse=True)
    return _page(render("portal.html", **context))


@bp.post("/login")
def login() -> Any:
    """Keep a valid token in an HttpOnly, SameSite=Strict cookie for browsing the reports."""
    token = (request.form.get("token") or "").strip()
    if _principal(token) is None:
        return redirect("/?failed=1", code=303)
    resp = redirect("/", code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict", secure=request.is_secure,
                    max_age=12 * 3600)
    return resp


@bp.get("/logout")
def logout() -> Any:
    resp = redirect("/", code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp
