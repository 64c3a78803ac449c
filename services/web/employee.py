"""/me and /me/{YYYY-MM}: an employee's own month; self-assessment, 签字, 申诉 and 整改方案 are
posted to the same page as the event they are (`type` and the event's fields)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, redirect, request

from services.incidents.event_commands import record_events
from services.reports import queries
from services.reports.render import charts
from services.web import forms, month, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page
from shared.domain import events as ev
from shared.domain.periods import is_month
from shared.web import get_db, now, today

bp = Blueprint("employee", __name__)
STEPS = {ev.SELF_ASSESSMENT: ("period", "analysis"), ev.ACKNOWLEDGEMENT: ("period", "comment"),
         ev.APPEAL: ("event_id", "reason"), ev.IMPROVEMENT_PLAN: ("period", "plan")}
SAVED = {ev.SELF_ASSESSMENT: "自评已保存", ev.ACKNOWLEDGEMENT: "已签字确认", ev.APPEAL: "申诉已提交，等待经理或总经理处理",
         ev.IMPROVEMENT_PLAN: "整改方案已提交"}


def _body(kind: str, form: Mapping[str, str], period: str) -> dict[str, Any]:
    out = forms.body({**form, "period": period}, STEPS[kind], type=kind, employee=current().user)
    if kind == ev.SELF_ASSESSMENT:
        out["scores"] = {k.removeprefix("scores."): forms.number(form, k) for k in form if k.startswith("scores.")
                         and forms.number(form, k) is not None}
    return out


def _show(period: str, outcome: Outcome, kind: str = "", values: Mapping[str, str] | None = None) -> Any:
    with get_db().read() as conn:
        mine = month.my_month(conn, current().user, period, today())
    trend = charts.trend_chart(mine.sheet.trend) if mine.sheet else ""
    return page("me.html", outcome.status, m=mine, outcome=outcome, kind=kind, values=values or {}, trend=trend,
                saved=SAVED.get(request.args.get("saved", ""), ""))


@bp.get("/me")
@for_roles({"employee"})
def me() -> Any:
    """The employee's latest month (the current one before anything is published)."""
    with get_db().read() as conn:
        months = queries.employee_months(conn, current().user)
    return _show(months[0] if months else scope.this_month(), Outcome())


@bp.route("/me/<period>", methods=["GET", "POST"])
@for_roles({"employee"})
def my_month(period: str) -> Any:
    """One month of the employee's own record; POST records a step (`type` = the event type)."""
    if not is_month(period):
        abort(404)
    if request.method == "GET":
        return _show(period, Outcome())
    kind = request.form.get("type", "")
    if kind not in STEPS:
        abort(400)
    body = _body(kind, request.form, period)
    done, outcome = attempt(lambda: record_events(get_db(), current(), [body], forms.meta(), batch=False, now=now()))
    if done is not None:
        return redirect(f"/me/{period}?saved={kind}", code=303)
    return _show(period, outcome, kind, request.form)
