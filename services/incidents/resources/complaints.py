"""The complaint ledger's commands: a project's deadlines and the suggested deductions.

The ledger's steps themselves (received, replied, escalated, closed, followup) are events
posted to `/api/v1/events` like every other (SPEC §7.7)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from services.incidents import complaint_commands
from services.incidents.resources.helpers import appended, request_meta
from services.incidents.schemas import BatchOut, ConfirmIn, DeadlinesIn, DismissIn
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("complaints", __name__, url_prefix="/api/v1", description="投诉台账 (complaint ledger)")


@blp.post("/projects/<project>/complaint-deadlines")
@authenticated()
@blp.arguments(DeadlinesIn)
@blp.response(201, DeadlinesIn)
def set_deadlines(data: dict[str, Any], project: str) -> Any:
    """Set a project's complaint deadlines (manager, gm or admin): reply, escalation, follow-up."""
    return complaint_commands.set_deadlines(get_db(), current_principal(), project, data, request_meta(), now())


@blp.post("/complaints/suggestions/<key>/confirm")
@authenticated()
@blp.arguments(ConfirmIn)
@blp.response(201, BatchOut)
def confirm(data: dict[str, Any], key: str) -> Any:
    """Confirm a suggested deduction (supervisor and above): an ordinary deduction for the
    responsible employee whose evidence names the complaint and the deadline missed."""
    rule = (data["item"], data["rule"]) if data.get("item") and data.get("rule") else None
    done = complaint_commands.confirm(get_db(), current_principal(), key, rule, data.get("points"),
                                      request_meta(), now())
    return {"events": [appended(e) for e in done.events]}


@blp.post("/complaints/suggestions/<key>/dismiss")
@authenticated()
@blp.arguments(DismissIn)
@blp.response(201, BatchOut)
def dismiss(data: dict[str, Any], key: str) -> Any:
    """Dismiss a suggested deduction with a reason (supervisor and above)."""
    done = complaint_commands.dismiss(get_db(), current_principal(), key, data["reason"], request_meta(), now())
    return {"events": [appended(e) for e in done.events]}
