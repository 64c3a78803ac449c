"""What every page shares: rendering with the signed-in person, and the pages' own errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from shared.auth import Principal
from shared.web import session_principal

F = TypeVar("F", bound=Callable[..., Any])
ROLE_LABELS = {"employee": "员工", "lead": "客服领班", "supervisor": "客服主管", "manager": "管理处经理",
               "gm": "总经理", "auditor": "品质部", "admin": "系统管理员"}
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def page(template: str, status: int = 200, **context: Any) -> Any:
    """A page of the web app, with the person signed in (if any) and safe headers."""
    principal = getattr(g, "principal", None) or session_principal()
    html = render_template(template, me=principal, role_label=ROLE_LABELS.get(principal.role, "") if principal
                           else "", **context)
    return html, status, {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
                          "Cache-Control": "private, no-store", "Referrer-Policy": "same-origin"}


def signed_in(view: F) -> F:
    """Pages for people who are signed in: anyone else goes to the sign-in page first."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = session_principal()
        if principal is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        g.principal = principal
        return view(*args, **kwargs)

    return cast(F, wrapper)


def current() -> Principal:
    return cast(Principal, g.principal)


def page_error(err: HTTPException) -> Any:
    """400/403/404 as a page (a missing CSRF token is a 400 here)."""
    messages = {400: "请求无效或表单已过期，请返回重试 (bad request or an expired form)",
                403: "无权访问 (forbidden)", 404: "未找到 (not found)"}
    return page("error.html", err.code or 400, code=err.code, message=messages.get(err.code or 400, err.name),
                detail=getattr(err, "description", ""))
