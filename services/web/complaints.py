"""The complaint ledger on the web (SPEC §7.7, seed 004): the desk registers a complaint on a
phone, the complaint's page carries its timeline and the next steps (reply, escalate, close,
回访), the lists show what is open and what is overdue, and supervisors work through the
suggested deductions. Every form goes to the API's command; pages read the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, redirect, request

from services.incidents import complaint_commands
from services.incidents.event_commands import record_events
from services.incidents.schemas import ConfirmIn, DismissIn
from services.reports import complaints as ledger_view
from services.web import forms, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page
from shared import org
from shared.auth import RECORDERS, SUPERVISORS
from shared.domain import complaints as c
from shared.domain.periods import TZ, is_month
from shared.web import get_db, now

bp = Blueprint("ledger", __name__)
READERS = frozenset(("lead", "supervisor", "manager", "gm", "auditor", "admin"))
RECEIPT = ("project", "complaint", "received_at", "channel", "severity", "category", "summary", "location",
           "responsible")
# A step's form: its event type, who may record it, its fields (the event's own names).
STEPS: dict[str, tuple[str, frozenset[str], tuple[str, ...]]] = {
    "reply": (c.REPLIED, RECORDERS, ("at", "text")),
    "escalate": (c.ESCALATED, SUPERVISORS, ("at", "to", "note")),
    "close": (c.CLOSED, SUPERVISORS, ("at", "resolution")),
    "followup": (c.FOLLOWUP, SUPERVISORS, ("at", "result", "note", "next_at")),
}
SUGGESTION_STATES = {"open": "待处理", "confirmed": "已确认扣分", "dismissed": "已驳回"}


def _minute() -> str:
    """Now as a datetime-local field shows it (Beijing time)."""
    return now().astimezone(TZ).strftime("%Y-%m-%dT%H:%M")


@bp.get("/complaints")
@for_roles(READERS)
def listing() -> Any:
    """A project's complaints of a month (or everything overdue now), with the month's rates."""
    view = request.args.get("view") if request.args.get("view") in ("overdue", "open") else "month"
    period = request.args.get("period") or scope.this_month()
    if not is_month(period):
        abort(404)
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = scope.chosen(projects, request.args.get("project"))
        found = ledger_view.list_complaints(conn, project, None if view == "overdue" else period,
                                            "open" if view == "open" else None, view == "overdue", now())
        stats = ledger_view.month_stats(conn, project, period) if view == "month" else None
    return page("complaints/list.html", projects=projects, project=project, period=period, view=view,
                complaints=found, stats=stats, labels=c.LABELS, extra={"view": view, "period": period})


def _new(values: Mapping[str, str], outcome: Outcome) -> Any:
    me = current()
    with get_db().read() as conn:
        projects = {k: v for k, v in scope.projects(conn, me).items() if org.project_exists(conn, k)}
        project = values.get("project") or (sorted(projects)[0] if projects else "")
        staff = scope.staff(conn, me, scope.this_month())
        suggested = ledger_view.next_id(conn, project, now().astimezone(TZ).year) if project in projects else ""
    defaults = {"complaint": suggested, "received_at": _minute(), "channel": "phone", "severity": "general",
                "project": project}
    return page("complaints/new.html", outcome.status, projects=projects, staff=staff, outcome=outcome,
                values={**defaults, **{k: v for k, v in values.items() if v}}, fields=RECEIPT, labels=c.LABELS,
                channels=c.CHANNELS, severities=c.SEVERITIES, categories=c.CATEGORIES)


@bp.route("/complaints/new", methods=["GET", "POST"])
@for_roles(RECORDERS)
def register() -> Any:
    """登记投诉: the desk's form (五清楚: who, where, what, when, and who answers for it)."""
    if request.method == "GET":
        return _new(request.args, Outcome())
    body = forms.body(request.form, RECEIPT, type=c.RECEIVED)
    done, outcome = attempt(lambda: record_events(get_db(), current(), [body], forms.meta(), batch=False,
                                                  now=now()))
    if done is None:
        return _new(request.form, outcome)
    return redirect(f"/complaints/{body['project']}/{body['complaint']}?done=received", code=303)


def _show(project: str, complaint: str, failed: str = "", outcome: Outcome | None = None,
          values: Mapping[str, str] | None = None) -> Any:
    me = current()
    if not me.in_scope(project):
        abort(404)
    with get_db().read() as conn:
        found = ledger_view.one_complaint(conn, project, complaint, now())
        names = scope.projects(conn, me)
    if found is None:
        abort(404)
    actions = [a for a, (_, roles, _) in STEPS.items() if me.role in roles
               and (a == "followup") == (found["status"] == "closed")]
    outcome = outcome or Outcome()
    return page("complaints/show.html", outcome.status, x=found, project_name=names.get(project, project),
                actions=actions, failed=failed, outcome=outcome, values=values or {}, now=_minute(),
                labels=c.LABELS, results=c.RESULTS, done=request.args.get("done"),
                open_action=_next_step(found, actions))


def _next_step(x: dict[str, Any], actions: list[str]) -> str:
    """The step the desk is most likely to take next (its form starts open)."""
    kinds = {s["type"] for s in x["timeline"]}
    if x["status"] == "closed":
        wanted = "followup"
    elif x["severity"] == "major" and c.ESCALATED not in kinds:
        wanted = "escalate"
    elif c.REPLIED not in kinds:
        wanted = "reply"
    else:
        wanted = "close"
    return wanted if wanted in actions else (actions[0] if actions else "")


@bp.get("/complaints/<project>/<complaint>")
@for_roles(READERS)
def show(project: str, complaint: str) -> Any:
    """A complaint: its receipt, its timeline, what is overdue, and the forms of its next steps."""
    return _show(project, complaint)


@bp.post("/complaints/<project>/<complaint>/<any(reply,escalate,close,followup):action>")
@for_roles(RECORDERS)
def step(project: str, complaint: str, action: str) -> Any:
    """回复, 上报, 办结 or 回访: one step of the timeline."""
    kind, _, names = STEPS[action]
    body = forms.body(request.form, names, type=kind, project=project, complaint=complaint)
    done, outcome = attempt(lambda: record_events(get_db(), current(), [body], forms.meta(), batch=False,
                                                  now=now()))
    if done is None:
        return _show(project, complaint, action, outcome, request.form)
    return redirect(f"/complaints/{project}/{complaint}?done={action}", code=303)


def _choices(view: org.OrgView, row: dict[str, Any]) -> list[tuple[str, str]]:
    """The rules a suggestion may be confirmed under, when the rubric names none for it."""
    placed = view.placement(str(row["responsible"]), row["period"]) if row["responsible"] else None
    if placed is None:
        return []
    return [(f"{i.code}|{r.code}", f"{i.title} · {r.title}") for i in placed[2].items for r in i.rules
            if r.kind in ("fixed", "range")]


def _inbox(project_arg: str | None, status: str, failed: str = "", outcome: Outcome | None = None) -> Any:
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = scope.chosen(projects, project_arg)
        rows = ledger_view.suggestions(conn, project, status, now())
        view = org.OrgView(conn)
        for row in rows:
            row["choices"] = _choices(view, row) if row["status"] == "open" and row["rule"] is None else []
    outcome = outcome or Outcome()
    return page("suggestions.html", outcome.status, projects=projects, project=project, state=status,
                suggestions=rows, states=SUGGESTION_STATES, failed=failed, outcome=outcome,
                extra={"status": status}, done=request.args.get("done"))


@bp.get("/record/suggestions")
@for_roles(SUPERVISORS)
def suggestions() -> Any:
    """投诉建议扣分: missed deadlines suggested as deductions, to confirm or dismiss with a reason."""
    status = request.args.get("status") or "open"
    return _inbox(request.args.get("project"), status if status in SUGGESTION_STATES else "open")


@bp.post("/record/suggestions/<path:key>/<any(confirm,dismiss):action>")
@for_roles(SUPERVISORS)
def decide(key: str, action: str) -> Any:
    """Confirm (one ordinary deduction whose evidence names the complaint) or dismiss (with a reason)."""
    project = key.partition(":")[0]
    if action == "confirm":
        item, _, rule = (request.form.get("choice") or "").partition("|")

        def run() -> Any:
            data = forms.load(ConfirmIn(), forms.body(request.form, (), ("points",), **(
                {"item": item, "rule": rule} if item and rule else {})))
            chosen = (data["item"], data["rule"]) if data.get("item") and data.get("rule") else None
            return complaint_commands.confirm(get_db(), current(), key, chosen, data.get("points"),
                                              forms.meta(), now())
    else:
        def run() -> Any:
            reason = forms.load(DismissIn(), forms.body(request.form, ["reason"]))["reason"]
            return complaint_commands.dismiss(get_db(), current(), key, reason, forms.meta(), now())
    done, outcome = attempt(run)
    if done is None:
        return _inbox(project, "open", key, outcome)
    return redirect(f"/record/suggestions?project={project}&done={action}", code=303)
