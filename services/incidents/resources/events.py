"""Incident events: record one or a batch, list, revoke."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import RAISE, ValidationError

from services.incidents import event_commands
from services.incidents.resources.helpers import appended, event_json, json_body, request_meta
from services.incidents.schemas import (
    AppendedOut,
    BatchIn,
    BatchOut,
    EventQuery,
    EventsOut,
    RevokeIn,
    batch_doc,
    event_body_doc,
)
from shared.errors import Invalid, invalid_from
from shared.eventstore import MAX_BATCH
from shared.guard import MB, body_limit
from shared.web import authenticated, current_principal, get_db, now

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="考核事件 (incident events)")
BATCH_BODY_MAX = 8 * MB


def _body(schema: Any) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


@blp.post("/events")
@blp.doc(**_body(event_body_doc()))
@authenticated()
@blp.response(201, AppendedOut)
def record_event() -> Any:
    """Record one event (SPEC §7.4). A repeated `Idempotency-Key` returns the first result."""
    result = event_commands.record_events(get_db(), current_principal(), [json_body()], request_meta(), batch=False,
                                          now=now())
    return appended(result.events[0]), 200 if result.replayed else 201


@blp.post("/events/batch")
@blp.doc(**_body(batch_doc()))
@body_limit(BATCH_BODY_MAX)
@authenticated()
@blp.response(201, BatchOut)
def record_batch() -> Any:
    """Record up to 1,000 events in one transaction: all or nothing. The body is `{"events": [...]}`
    and nothing else (at most 8 MB)."""
    items = _batch_items(json_body())
    result = event_commands.record_events(get_db(), current_principal(), items, request_meta(), batch=True,
                                          now=now())
    # Already in BatchOut's shape: a Response skips the schema's per-event dump (same JSON).
    return jsonify({"events": [appended(e) for e in result.events]}), 200 if result.replayed else 201


def _batch_items(body: Any) -> list[Any]:
    """The envelope's events; an envelope with anything else, or without events, is 422."""
    if not isinstance(body, dict):
        raise Invalid.field("events", '应为 {"events": [...]} (the body must be {"events": [...]})')
    try:
        items: list[Any] = BatchIn().load(body)["events"]
    except ValidationError as exc:
        raise invalid_from(exc.messages) from None
    if not items:
        raise Invalid.field("events", "应为非空数组 (must be a non-empty list)")
    if len(items) > MAX_BATCH:
        raise Invalid.field("events", f"一次最多 {MAX_BATCH} 条 (at most {MAX_BATCH} events)")
    return items


@blp.get("/events")
@authenticated()
@blp.arguments(EventQuery, location="query", unknown=RAISE)
@blp.response(200, EventsOut)
def list_events(args: dict[str, Any]) -> Any:
    """Events in position order; filter by employee, project, period, type, after, limit."""
    found = event_commands.list_events(get_db(), current_principal(), **args)
    return jsonify({"results": [event_json(e) for e in found],
                    "next_after": found[-1].position if found else args["after"]})


@blp.post("/events/<event_id>/revoke")
@authenticated()
@blp.arguments(RevokeIn)
@blp.response(201, AppendedOut)
def revoke_event(data: dict[str, Any], event_id: str) -> Any:
    """Revoke an event with a reason; the revocation is itself an event."""
    result = event_commands.revoke_event(get_db(), current_principal(), event_id, data["reason"], request_meta(),
                                         now=now())
    return appended(result.events[0]), 200 if result.replayed else 201
