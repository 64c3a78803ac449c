"""What the incidents views share: request metadata and event encoding."""

from __future__ import annotations

from typing import Any

from flask import g, request

from shared.commands.meta import RequestMeta
from shared.domain.events import RecordedEvent
from shared.errors import DomainError, Invalid
from shared.hashing import utc_iso


def request_meta() -> RequestMeta:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        raise Invalid.field("Idempotency-Key", "长度应为1–200 (length 1–200)")
    if key is not None and not key.isprintable():
        raise Invalid.field("Idempotency-Key", "只能含可打印字符 (printable characters only)")
    return RequestMeta(request_id=g.request_id, idempotency_key=key)


def appended(e: RecordedEvent) -> dict[str, Any]:
    return {"id": e.id, "position": e.position, "recorded_at": utc_iso(e.recorded_at),
            "hash": e.hash, "stream": e.stream, "version": e.version}


def event_json(e: RecordedEvent) -> dict[str, Any]:
    return {
        "id": e.id, "position": e.position, "stream": e.stream, "version": e.version,
        "type": e.type, "employee": e.employee, "project": e.project, "period": e.period,
        "occurred_on": e.occurred_on.isoformat() if e.occurred_on else None,
        "payload": e.payload,
        "metadata": {k: v for k, v in e.metadata.items() if k != "request_hash"},
        "recorded_at": utc_iso(e.recorded_at), "hash": e.hash, "prev_hash": e.prev_hash,
    }


def json_body() -> Any:
    """The raw JSON body; malformed JSON is a 400 naming the body."""
    data = request.get_json(silent=True)
    if data is None:
        raise DomainError("请求体不是有效的 JSON (body is not valid JSON)", {"body": ["invalid JSON"]})
    return data
