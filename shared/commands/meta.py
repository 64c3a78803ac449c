"""Who asks and under which request: what every appended event records about its origin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.auth import Principal


@dataclass(frozen=True)
class RequestMeta:
    request_id: str
    idempotency_key: str | None = None


def metadata(principal: Principal, meta: RequestMeta, request_hash: str | None = None) -> dict[str, Any]:
    """An event's metadata: the actor, their role and the request it came from."""
    out = {"actor": principal.user, "actor_name": principal.display, "role": principal.role,
           "request_id": meta.request_id}
    if request_hash:
        out["request_hash"] = request_hash
    return out


def employee_stream(employee_no: str) -> str:
    return f"employee:{employee_no}"
