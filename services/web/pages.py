"""What every page shares: rendering with the signed-in person (whole pages or, for htmx, one
block of the same template), role checks, and the pages' own errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from services.reports.render import html as report_html
from services.reports.render import labels
from services.reports.sheets import local_time
from shared.auth import Principal
from shared.web import session_principal

F = TypeVar("F", bound=Callable[..., Any])
ROLE_LABELS = labels.ROLE
POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Content-Security-Policy": POLICY, "X-Content-Type-Options": "nosniff",
           "Cache-Control": "private, no-store", "Referrer-Policy": "same-origin"}


def _context(context: dict[str, Any]) -> dict[str, Any]:
    principal = getattr(g, "principal", None) or session_principal()
    return {"me": principal, "role_label": ROLE_LABELS.get(principal.role, "") if principal else "", **context}


def page(template: str, status: int = 200, **context: Any) -> Any:
    """A page of the web app, with the person signed in (if any) and safe headers."""
    return render_template(template, **_context(context)), status, HEADERS


def htmx() -> bool:
    """The request comes from htmx (it swaps a part of the page, not the whole)."""
    return request.headers.get("HX-Request") == "true"


def part(template: str, block: str, status: int = 200, **context: Any) -> Any:
    """For htmx, only `block` of `template` (the page and its fragment come from one
    template); for everyone else the whole page."""
    if not htmx():
        return page(template, status, **context)
    env = current_app.jinja_env
    tpl = env.get_template(template)
    ctx = tpl.new_context(_context_with_globals(context))
    return "".join(tpl.blocks[block](ctx)), status, HEADERS


def _context_with_globals(context: dict[str, Any]) -> dict[str, Any]:
    out = _context(context)
    current_app.update_template_context(out)
    return out


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


def for_roles(roles: Iterable[str]) -> Callable[[F], F]:
    """Signed in, and in one of `roles` (else the 403 page)."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def check(*args: Any, **kwargs: Any) -> Any:
            if current().role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return signed_in(cast(F, check))

    return decorate


def current() -> Principal:
    return cast(Principal, g.principal)


def page_error(err: HTTPException) -> Any:
    """400/403/404 as a page (a missing CSRF token is a 400 here)."""
    messages = {400: "请求无效或表单已过期，请返回重试 (bad request or an expired form)",
                403: "无权访问 (forbidden)", 404: "未找到 (not found)"}
    return page("error.html", err.code or 400, code=err.code, message=messages.get(err.code or 400, err.name),
                detail=getattr(err, "description", ""))


def moment(iso: str | None) -> str:
    """An ISO moment of the ledger (already in Beijing time) as people read it: 2026-11-03 09:12."""
    return (iso or "")[:16].replace("T", " ")


def install_filters(app: Any) -> None:
    """The documents' own filters (scores, statuses, consequences), so pages print them alike."""
    app.jinja_env.filters.update(num=report_html.num, status=labels.status, awards=labels.awards,
                                 flag=labels.flag, consequences=labels.consequences, local=local_time,
                                 moment=moment)
    app.jinja_env.globals.update(event_type=labels.EVENT_TYPE, role_labels=ROLE_LABELS,
                                 improvement_status=labels.IMPROVEMENT_STATUS)
