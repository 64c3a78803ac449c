"""Appeals (申诉, SPEC §6) as they stand, from their events: filed, then upheld or rejected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shared.domain import events as ev
from shared.domain.events import RecordedEvent

DECISIONS = ("upheld", "rejected")
DECISION_LABELS = {"upheld": "申诉成立", "rejected": "申诉驳回"}


@dataclass(frozen=True)
class Appeal:
    id: str
    event_id: str  # the deduction, metric or bonus appealed
    employee: str
    period: str
    reason: str
    filed_at: datetime
    filed_by: str
    decision: str | None = None
    decision_reason: str = ""
    resolved_by: str = ""
    resolved_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.decision is None

    @property
    def label(self) -> str:
        return DECISION_LABELS.get(self.decision or "", "待处理")


def appeals(found: Iterable[RecordedEvent]) -> list[Appeal]:
    """Every appeal among `found`, with its decision when one of `found` resolves it, by position."""
    events = sorted({e.id: e for e in found}.values(), key=lambda e: e.position)
    decided = {str(e.payload.get("appeal_id")): e for e in events if e.type == ev.APPEAL_RESOLVED}
    out = []
    for e in events:
        if e.type != ev.APPEAL:
            continue
        d = decided.get(e.id)
        out.append(Appeal(
            id=e.id, event_id=str(e.payload.get("event_id")), employee=e.employee or "", period=e.period or "",
            reason=str(e.payload.get("reason") or ""), filed_at=e.recorded_at,
            filed_by=str(e.metadata.get("actor_name") or e.actor or ""),
            decision=None if d is None else str(d.payload.get("decision")),
            decision_reason="" if d is None else str(d.payload.get("reason") or ""),
            resolved_by="" if d is None else str(d.metadata.get("actor_name") or d.actor or ""),
            resolved_at=None if d is None else d.recorded_at))
    return out
