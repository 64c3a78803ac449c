"""Month-end close, recompute requests and their tasks."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from services.incidents.resources.helpers import request_meta
from services.incidents.schemas import RecomputeIn, TaskOut, TaskStatusOut
from shared.commands import periods as period_commands
from shared.domain.periods import is_month
from shared.errors import Invalid
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("periods", __name__, url_prefix="/api/v1", description="结账与重算 (close and recompute)")


def _notify() -> None:
    """Wake whoever carries tasks out (in-process runner or broker relay), if anyone listens."""
    wake = current_app.extensions.get("jixiao_task_wake")
    if wake is not None:
        wake()


@blp.post("/periods/<project>/<month:period>/close")
@authenticated()
@blp.response(202, TaskOut)
def close_period(project: str, period: str) -> Any:
    """Close a month for a project (manager and above); scoring runs as a task."""
    if not is_month(period):
        raise Invalid.field("period", "应为 YYYY-MM (must be YYYY-MM)")
    task_id = period_commands.close_period(get_db(), current_principal(), project, period, request_meta(), now())
    _notify()
    return {"task_id": task_id}


@blp.post("/recompute")
@authenticated()
@blp.arguments(RecomputeIn)
@blp.response(202, TaskOut)
def recompute(data: dict[str, Any]) -> Any:
    """Recompute one month's scores (optionally one project)."""
    task_id = period_commands.request_recompute(get_db(), current_principal(), data["period"], data["project"], now())
    _notify()
    return {"task_id": task_id}


@blp.get("/tasks/<task_id>")
@authenticated()
@blp.response(200, TaskStatusOut)
def task(task_id: str) -> Any:
    """State and progress of a close or recompute task."""
    return period_commands.task_status(get_db(), current_principal(), task_id)
