"""The year-end inputs by form (SPEC §7.8): supervisors and above record a 周检/月检 inspection,
managers and above the 年终考评 year-end review. Both bodies go to the API's command
(`record_events`), so a refusal is the API's, beside its field, and nothing is written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, redirect, request
from sqlalchemy import Connection

from services.incidents.event_commands import record_events
from services.reports import queries
from services.reports.render.labels import INSPECTION_KIND
from services.reports.sheets import local_time
from services.reports.summaries import component_parts
from services.web import forms, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page, part
from shared.auth import MANAGERS, SUPERVISORS
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.eventstore import EventStore
from shared.tables import event_revocations
from shared.web import get_db, now, today

bp = Blueprint("annual_inputs", __name__)
# The form's fields are the event's own (SPEC §7.8); numbers stay text for the schema to judge.
FIELDS = {ev.INSPECTION: ("employee", "kind", "occurred_on", "score", "note"),
          ev.YEAR_END_REVIEW: ("employee", "year", "score", "comment")}
PATHS = {ev.INSPECTION: "/record/inspection", ev.YEAR_END_REVIEW: "/record/year-end-review"}
TITLES = {ev.INSPECTION: "录入周检/月检", ev.YEAR_END_REVIEW: "录入年终考评"}


def _form(kind: str, values: Mapping[str, str], outcome: Outcome, block: str | None = None) -> Any:
    """The form with the staff search (own projects only), as /record has it."""
    me = current()
    q = (values.get("q") or "").strip()
    with get_db().read() as conn:
        found = scope.staff(conn, me, scope.this_month(), q) if q else []
        shown = scope.staff(conn, me, scope.this_month()) if block is None else []
        person = scope.member(conn, me, (values.get("employee") or "").strip(), scope.this_month())
    ctx = dict(kind=kind, values=values, q=q, found=found[:scope.SHOWN], people=shown[:scope.SHOWN],
               person=person, outcome=outcome, fields=FIELDS[kind], today=today(), path=PATHS[kind],
               kinds=INSPECTION_KIND, title=TITLES[kind])
    return part("annual_form.html", block, outcome.status, **ctx) if block else page("annual_form.html",
                                                                                       outcome.status, **ctx)


def _record(kind: str) -> Any:
    names = FIELDS[kind]
    body = forms.body(request.form, [n for n in names if n != "score"], ["score"], type=kind)
    done, outcome = attempt(lambda: record_events(get_db(), current(), [body], forms.meta(), batch=False,
                                                  now=now()))
    if done is not None:
        return redirect(f"{PATHS[kind]}/done/{done.events[0].id}", code=303)
    return _form(kind, request.form, outcome)


def _get(kind: str) -> Any:
    if request.args.get("q") is not None and request.headers.get("HX-Request") == "true":
        return _form(kind, request.args, Outcome(), "people")
    return _form(kind, request.args, Outcome())


@bp.route("/record/inspection", methods=["GET", "POST"])
@for_roles(SUPERVISORS)
def inspection() -> Any:
    """Record a 周检/月检: person, kind, date (today by default), score 0–100, note."""
    return _record(ev.INSPECTION) if request.method == "POST" else _get(ev.INSPECTION)


@bp.route("/record/year-end-review", methods=["GET", "POST"])
@for_roles(MANAGERS)
def year_end_review() -> Any:
    """Record the 年终考评 of a person and year (this year by default): score 0–100, comment."""
    return _record(ev.YEAR_END_REVIEW) if request.method == "POST" else _get(ev.YEAR_END_REVIEW)


def _event(conn: Connection, event_id: str, kind: str) -> RecordedEvent:
    event = EventStore(conn).get(event_id)
    if event is None or event.type != kind or not current().in_scope(event.project):
        abort(404)
    return event


def _of_year(conn: Connection, employee: str, kind: str, year: str) -> list[tuple[RecordedEvent, bool]]:
    """The person's events of `kind` about `year`, oldest first, each with whether it was revoked."""
    found = [e for e in EventStore(conn).query(employee=employee, type=kind, limit=10_000)
             if (e.payload.get("year") if kind == ev.YEAR_END_REVIEW else str(e.occurred_on or "")[:4]) == year]
    ids = [e.id for e in found]
    revoked = set(conn.execute(event_revocations.select().with_only_columns(event_revocations.c.event_id)
                               .where(event_revocations.c.event_id.in_(ids))).scalars()) if ids else set()
    return [(e, e.id in revoked) for e in found]


def _done(kind: str, event_id: str) -> Any:
    """What was just recorded, the person's entries of that year, and the annual composite."""
    with get_db().read() as conn:
        event = _event(conn, event_id, kind)
        year = str(event.payload["year"]) if kind == ev.YEAR_END_REVIEW else str(event.occurred_on or "")[:4]
        employee = event.employee or ""
        entries = _of_year(conn, employee, kind, year)
        name = queries.employee_names(conn, [employee]).get(employee, "")
        annual = queries.stored_annual(conn, employee, year)
    ctx: dict[str, Any] = dict(
        kind=kind, event=event, name=name, year=year, entries=entries, annual=annual,
        scored=_scored(event, annual, entries),
        parts=component_parts(annual) if annual else (), kinds=INSPECTION_KIND, path=PATHS[kind],
        recorded_at=local_time(event.recorded_at))
    return part("annual_done.html", "composite", **ctx)


def _scored(event: RecordedEvent, annual: dict[str, Any] | None, entries: list[tuple[RecordedEvent, bool]]) -> bool:
    """Whether the published composite has taken the event in (or no longer waits for it: it
    was revoked, or a later review replaced it); until then the page asks again."""
    if any(revoked for e, revoked in entries if e.id == event.id):
        return True
    if annual is None:
        return False
    if event.type == ev.INSPECTION:
        return event.id in {str(i.get("event_id")) for i in annual.get("inspections", [])}
    shown = str((annual.get("year_end_review") or {}).get("event_id"))
    later = {e.id for e, _ in entries if e.position > event.position}
    return shown == event.id or shown in later


@bp.get("/record/inspection/done/<event_id>")
@for_roles(SUPERVISORS)
def inspection_done(event_id: str) -> Any:
    return _done(ev.INSPECTION, event_id)


@bp.get("/record/year-end-review/done/<event_id>")
@for_roles(MANAGERS)
def year_end_review_done(event_id: str) -> Any:
    return _done(ev.YEAR_END_REVIEW, event_id)
