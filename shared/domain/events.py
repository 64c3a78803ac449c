"""Event types and the shape of a recorded event.

Events are facts in the past tense; payloads are plain JSON (decimals as strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Incident events (SPEC §7.4): recorded against one employee's stream.
DEDUCTION = "deduction"
METRIC = "metric"
BONUS = "bonus"
SELF_ASSESSMENT = "self_assessment"
REVIEW = "review"
ACKNOWLEDGEMENT = "acknowledgement"
IMPROVEMENT_PLAN = "improvement_plan"
APPEAL = "appeal"
APPEAL_RESOLVED = "appeal_resolved"
REVOCATION = "revocation"
# Year-end inputs (SPEC §7.8): they feed the annual composite, not a month's score.
INSPECTION = "inspection"
YEAR_END_REVIEW = "year_end_review"

INCIDENT_TYPES: tuple[str, ...] = (
    DEDUCTION, METRIC, BONUS, SELF_ASSESSMENT, REVIEW, ACKNOWLEDGEMENT, IMPROVEMENT_PLAN, APPEAL,
)
ANNUAL_TYPES: tuple[str, ...] = (INSPECTION, YEAR_END_REVIEW)
# What a revocation may take back: whatever a score (monthly or annual) is computed from.
REVOCABLE_TYPES: tuple[str, ...] = (*INCIDENT_TYPES, *ANNUAL_TYPES)

# Organisation and control events.
PROJECT_CREATED = "project_created"
EMPLOYEE_REGISTERED = "employee_registered"
EMPLOYEE_TRANSFERRED = "employee_transferred"
TEMPLATE_PUBLISHED = "template_published"
PERIOD_CLOSED = "period_closed"
RECOMPUTE_REQUESTED = "recompute_requested"


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended: the store assigns id, position, version and hash."""

    stream: str
    type: str
    payload: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    occurred_on: date | None = None
    period: str | None = None
    employee: str | None = None
    project: str | None = None
    idempotency_key: str | None = None
    schema_version: int = 1


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: immutable, positioned, hash-chained."""

    id: str
    position: int
    stream: str
    version: int
    type: str
    payload: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    hash: str
    prev_hash: str
    occurred_on: date | None = None
    period: str | None = None
    employee: str | None = None
    project: str | None = None
    idempotency_key: str | None = None
    schema_version: int = 1

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> RecordedEvent:
        """The event with exactly these fields (every one of them given), built without the
        frozen `__init__`'s one `setattr` per field: a bulk read builds a million of these."""
        event = object.__new__(cls)
        event.__dict__.update(fields)
        return event

    @property
    def actor(self) -> str | None:
        return self.metadata.get("actor")

    def decimal(self, key: str, default: Decimal | None = None) -> Decimal | None:
        raw = self.payload.get(key)
        return default if raw is None else Decimal(str(raw))
