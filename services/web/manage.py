"""Managers and gms: the months of each project with 结账 (following the task to its end), the
初评 and 审核 queues, and the overdue 整改方案 and 调岗审查 lists."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request

from services.incidents.event_commands import record_events
from services.web import forms, queues, scope
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page, part
from shared.auth import MANAGERS
from shared.commands import periods as period_commands
from shared.domain.periods import is_month
from shared.errors import DomainError
from shared.web import get_db, now, today

bp = Blueprint("manage", __name__)
READERS = MANAGERS | {"auditor"}


@bp.get("/months")
@for_roles(READERS)
def months() -> Any:
    """The months of a project, open or closed, with the 结账 button and the review queues."""
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = scope.chosen(projects, request.values.get("project"))
        found = queues.months(conn, project, scope.this_month())
    return page("months.html", projects=projects, project=project, months=found)


@bp.post("/months/<project>/<period>/close")
@for_roles(MANAGERS)
def close(project: str, period: str) -> Any:
    """结账: close the month and follow the scoring task."""
    if not is_month(period):
        abort(404)
    task, outcome = attempt(lambda: period_commands.close_period(get_db(), current(), project, period,
                                                                 forms.meta(), now()))
    if task is None:
        return page("refused.html", outcome.status, outcome=outcome, back=f"/months?project={project}")
    return redirect(f"/tasks/{task}", code=303)


@bp.get("/tasks/<task_id>")
@for_roles(MANAGERS)
def task(task_id: str) -> Any:
    """The progress of a close (htmx polls the progress block until the task ends)."""
    try:
        status = period_commands.task_status(get_db(), current(), task_id)
    except DomainError:
        abort(404)
    return part("task.html", "progress", task=status)


@bp.route("/reviews", methods=["GET", "POST"])
@for_roles(READERS)
def reviews() -> Any:
    """The 初评 (manager) or 审核 (gm) queue of a project-month; POST reviews the checked sheets."""
    outcome = Outcome()
    stage = queues.stage_for(current().role, request.values.get("stage"))
    if request.method == "POST":
        outcome = _review(stage)
        if outcome.ok:
            return redirect(f"/reviews?project={request.form['project']}&period={request.form['period']}"
                            f"&stage={stage}&done=1", code=303)
    return _queue(stage, outcome)


def _review(stage: str) -> Outcome:
    if current().role not in MANAGERS:
        abort(403)
    chosen = request.form.getlist("employee")
    if not chosen:
        return Outcome({"employee": ["请至少勾选一人 (choose at least one)"]}, "未勾选任何人，未写入", 422)
    bodies = [forms.body(request.form, ["period", "comment"], type="review", employee=no, stage=stage)
              for no in chosen]
    _, outcome = attempt(lambda: record_events(get_db(), current(), bodies, forms.meta(), batch=True, now=now()))
    return outcome


def _queue(stage: str, outcome: Outcome) -> Any:
    period = request.values.get("period") or scope.this_month()
    if not is_month(period):
        abort(404)
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = scope.chosen(projects, request.values.get("project"))
        rows = queues.queue(conn, project, period, today())
        closed = any(m.period == period and m.closed_at for m in queues.months(conn, project, period))
    return page("reviews.html", outcome.status, projects=projects, project=project, period=period, rows=rows,
                stage=stage, waiting=queues.WAITING[stage], closed=closed, outcome=outcome,
                done=request.args.get("done"))


@bp.get("/followups")
@for_roles(READERS)
def followups() -> Any:
    """Overdue and pending 整改方案, and the 调岗审查 of the project's closed months."""
    with get_db().read() as conn:
        projects = scope.projects(conn, current())
        project = scope.chosen(projects, request.values.get("project"))
        found = queues.followups(conn, project, today())
    return page("followups.html", projects=projects, project=project, plans=found["plans"], reviews=found["reviews"])
