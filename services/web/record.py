"""/record: leads and above record a deduction or a bonus for the staff of their projects, on a
phone; supervisors also revoke and report metrics. Every form goes to the API's command."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, redirect, request

from services.incidents.event_commands import record_events, revoke_event
from services.incidents.schemas import RevokeIn
from services.reports import queries
from services.web import forms, rubric, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page, part
from shared.auth import RECORDERS, SUPERVISORS
from shared.eventstore import EventStore
from shared.web import get_db, now, today

bp = Blueprint("record", __name__)
FIELDS = {"deduction": ("employee", "item", "rule", "count", "points", "occurred_on", "evidence", "source"),
          "bonus": ("employee", "bonus", "points", "occurred_on", "evidence", "source"),
          "metric": ("employee", "item", "rule", "period", "value", "evidence", "source")}
NUMBERS = ("count", "points", "value")


def _kind(values: Mapping[str, str], allowed: tuple[str, ...] = ("deduction", "bonus")) -> str:
    kind = values.get("type") or allowed[0]
    return kind if kind in allowed else allowed[0]


def _body(kind: str, form: Mapping[str, str]) -> dict[str, Any]:
    names = FIELDS[kind]
    return forms.body(form, [n for n in names if n not in NUMBERS], [n for n in names if n in NUMBERS], type=kind)


def _form(kind: str, values: Mapping[str, str], outcome: Outcome, block: str | None = None) -> Any:
    me = current()
    with get_db().read() as conn:
        rub = rubric.rubric(conn, me, values)
        q = (values.get("q") or "").strip()
        found = scope.staff(conn, me, rub.period, q)
        todays = rubric.recorded_today(conn, me, today()) if block is None else []
        revokers = {p: rubric.supervisors(conn, p) for p in sorted(me.projects)}
    template = "metric.html" if kind == "metric" else "record.html"
    ctx = dict(kind=kind, r=rub, values=values, people=found[:scope.SHOWN], q=q, outcome=outcome,
               todays=todays, today=today(), fields=FIELDS[kind], revokers=revokers)
    return part(template, block, outcome.status, **ctx) if block else page(template, outcome.status, **ctx)


def _record(kind: str) -> Any:
    body = _body(kind, request.form)
    done, outcome = attempt(lambda: record_events(get_db(), current(), [body], forms.meta(), batch=False,
                                                  now=now()))
    if done is not None:
        return redirect(f"/record/done/{done.events[0].id}", code=303)
    return _form(kind, request.form, outcome)


@bp.route("/record", methods=["GET", "POST"])
@for_roles(RECORDERS)
def record() -> Any:
    """The record form (deduction, or bonus with `type=bonus`); fields are the event's fields."""
    if request.method == "POST":
        return _record(_kind(request.form))
    return _form(_kind(request.args), request.args, Outcome())


@bp.get("/record/rubric")
@for_roles(RECORDERS)
def rubric_part() -> Any:
    """The form's rubric block for the person, item and rule chosen so far (htmx)."""
    kind = _kind(request.args, ("deduction", "bonus", "metric"))
    return _form(kind, request.args, Outcome(), "rubric")


@bp.get("/record/people")
@for_roles(RECORDERS)
def people() -> Any:
    """Staff of the person's projects whose name or 工号 contains `q` (htmx)."""
    return _form(_kind(request.args), request.args, Outcome(), "people")


@bp.route("/record/metric", methods=["GET", "POST"])
@for_roles(SUPERVISORS)
def metric() -> Any:
    """Report a metric (e.g. 计划完成率) for a per-percent rule."""
    if request.method == "POST":
        return _record("metric")
    return _form("metric", {"period": scope.this_month(), **request.args.to_dict()}, Outcome())


@bp.get("/record/done/<event_id>")
@for_roles(RECORDERS)
def done(event_id: str) -> Any:
    """What was just recorded, and the person's month as it now stands."""
    with get_db().read() as conn:
        event = EventStore(conn).get(event_id)
        if event is None or event.type not in rubric.RECORDED or not current().in_scope(event.project):
            abort(404)
        line = rubric.lines(conn, [event])[0]
        stored = queries.stored_scores(conn, [event.employee or ""], event.period or "").get(event.employee or "")
    doc = stored["result"] if stored else None
    scored = doc is not None and event.id in doc.get("event_ids", [])
    return part("done.html", "month", line=line, doc=doc, scored=scored)


@bp.post("/record/<event_id>/revoke")
@for_roles(SUPERVISORS)
def revoke(event_id: str) -> Any:
    """Revoke a record with a reason (supervisors and above; a closed month: managers and above)."""
    done_, outcome = attempt(lambda: revoke_event(
        get_db(), current(), event_id, forms.load(RevokeIn(), forms.body(request.form, ["reason"]))["reason"],
        forms.meta(), now=now()))
    back = request.form.get("next") or "/record"
    if done_ is not None:
        return redirect(back if back.startswith("/") and not back.startswith("//") else "/record", code=303)
    return page("refused.html", outcome.status, outcome=outcome, back=back)
