"""The read model of the audit trail: every event and revision behind a score."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuditEvent:
    position: int
    id: str
    type: str
    summary: str
    recorder: str
    recorded_at: str
    hash: str
    prev_hash: str
    revoked_by: str = ""


@dataclass(frozen=True)
class AuditRevision:
    revision: int
    old_final: float | None
    new_final: float
    cause_event_ids: tuple[str, ...]
    position: int
    created_at: str


@dataclass(frozen=True)
class AuditModel:
    """考核追溯记录: every event and revision behind one score."""

    employee_no: str
    name: str
    project: str
    period: str
    final: float | None
    position: int
    revision: int
    events: tuple[AuditEvent, ...]
    revisions: tuple[AuditRevision, ...]


