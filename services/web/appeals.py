"""/appeals: managers and gms decide the appeals of their projects (upheld revokes the record)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

from services.incidents.appeals import list_appeals, resolve_appeal
from services.incidents.schemas import ResolveIn
from services.web import forms, rubric
from services.web.forms import Outcome, attempt
from services.web.pages import current, for_roles, page
from shared.auth import MANAGERS
from shared.eventstore import EventStore
from shared.web import get_db, now

bp = Blueprint("appeals", __name__)
READERS = MANAGERS | {"auditor", "supervisor"}


def _show(outcome: Outcome, failed: str = "") -> Any:
    db, me = get_db(), current()
    open_, decided = list_appeals(db, me, None, None, "open"), list_appeals(db, me, None, None, "resolved")
    with db.read() as conn:
        ids = [a["event"]["id"] for a in open_ + decided if a.get("event")]
        lines = {line.event.id: line for line in rubric.lines(conn, EventStore(conn).query(ids=ids, limit=len(ids) + 1))}
    return page("appeals.html", outcome.status, open=open_, decided=decided[-20:][::-1], lines=lines,
                outcome=outcome, failed=failed, values=request.form)


@bp.get("/appeals")
@for_roles(READERS)
def appeals() -> Any:
    """Open appeals with the record and its evidence, and the latest decisions."""
    return _show(Outcome())


@bp.post("/appeals/<appeal_id>")
@for_roles(MANAGERS)
def resolve(appeal_id: str) -> Any:
    """Decide one appeal: 申诉成立 (upheld: the record is revoked) or 申诉驳回 (rejected), with a reason."""
    def run() -> Any:
        data = forms.load(ResolveIn(), forms.body(request.form, ["decision", "reason"]))
        return resolve_appeal(get_db(), current(), appeal_id, data["decision"], data["reason"], forms.meta(), now())

    done, outcome = attempt(run)
    if done is not None:
        return redirect("/appeals?saved=1", code=303)
    return _show(outcome, appeal_id)
