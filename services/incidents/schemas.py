"""Request and response schemas of the incidents API (SPEC §7.2); they become /openapi.json.

Text, names, numbers and dates use the field types of `shared.limits` (SPEC §7.9); every
request schema refuses unknown fields, query strings included.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from services.incidents.event_schemas import SCHEMAS
from shared.limits import POSITION_MAX, Month, Name, Points, Strict, Text
from shared.schemas.template import CODE, TemplateSchema

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="应为 YYYY-MM (must be YYYY-MM)")
PROJECT_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
                               error="项目代码只能含字母、数字、_ - (letters, digits, _ -)")


class ProjectIn(Strict):
    code = fields.String(required=True, validate=PROJECT_CODE)
    name = Name(required=True)


class EmployeeIn(Strict):
    employee_no = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", error="工号只能含字母、数字、_ - (letters, digits, _ -)"))
    name = Name(required=True)
    project = fields.String(required=True, validate=PROJECT_CODE)
    department = Name(required=True)
    position = Name(required=True)
    template = fields.String(required=True, validate=CODE)
    effective_from = Month(load_default=None, allow_none=True)


class EmployeeOut(Schema):
    employee_no = fields.String()
    name = fields.String()
    project = fields.String()
    department = fields.String()
    position = fields.String()
    template = fields.String()
    effective_from = fields.String(allow_none=True)


class TransferIn(Strict):
    project = fields.String(required=True, validate=PROJECT_CODE)
    department = Name(required=True)
    effective_from = Month(required=True)


class TransferOut(Schema):
    employee_no = fields.String()
    project = fields.String()
    department = fields.String()
    effective_from = fields.String()


class TemplateQuery(Strict):
    code = Name(load_default=None)


class TemplatesOut(Schema):
    results = fields.List(fields.Nested(TemplateSchema))


class AppendedOut(Schema):
    id = fields.String()
    position = fields.Integer()
    recorded_at = fields.String()
    hash = fields.String()
    stream = fields.String()
    version = fields.Integer()


class BatchOut(Schema):
    events = fields.List(fields.Nested(AppendedOut))


class EventQuery(Strict):
    employee = Name(load_default=None)
    project = Name(load_default=None)
    period = fields.String(load_default=None, validate=MONTH)
    type = Name(load_default=None)
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=POSITION_MAX))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class EventOut(Schema):
    id = fields.String()
    position = fields.Integer()
    stream = fields.String()
    version = fields.Integer()
    type = fields.String()
    employee = fields.String(allow_none=True)
    project = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    occurred_on = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})
    payload = fields.Dict()
    metadata = fields.Dict()
    recorded_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    hash = fields.String()
    prev_hash = fields.String()


class EventsOut(Schema):
    results = fields.List(fields.Nested(EventOut))
    next_after = fields.Integer(metadata={"description": "pass as `after` for the next page"})


class RevokeIn(Strict):
    reason = Text(required=True)


class RecomputeIn(Strict):
    period = Month(required=True)
    project = fields.String(load_default=None, validate=PROJECT_CODE)


class TaskOut(Schema):
    task_id = fields.String()


class TaskStatusOut(Schema):
    task_id = fields.String()
    kind = fields.String()
    state = fields.String(metadata={"description": "PENDING, STARTED, SUCCESS or FAILURE"})
    progress = fields.Dict()
    args = fields.Dict()
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)


def event_body_doc() -> dict[str, Any]:
    """One event (SPEC §7.4): one schema per type, told apart by `type`."""
    return {"oneOf": list(SCHEMAS.values())}


def batch_doc() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["events"],
            "properties": {"events": {"type": "array", "minItems": 1, "maxItems": 1000,
                                      "items": event_body_doc()}}}


class BatchIn(Strict):
    """The batch envelope: only `events`; each event is checked on its own (event_schemas)."""

    events = fields.List(fields.Raw(), required=True)


class AppealsQuery(Strict):
    project = fields.String(load_default=None, validate=PROJECT_CODE)
    period = fields.String(load_default=None, validate=MONTH)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["open", "resolved"], error="应为 open 或 resolved (must be open or resolved)"))


class AppealedEventOut(Schema):
    id = fields.String()
    type = fields.String()
    item = fields.String(allow_none=True)
    rule = fields.String(allow_none=True)
    bonus = fields.String(allow_none=True)
    count = fields.Integer(allow_none=True)
    points = fields.Raw(allow_none=True, metadata={"description": "as recorded (a decimal as text)"})
    value = fields.Raw(allow_none=True, metadata={"description": "as recorded (a decimal as text)"})
    occurred_on = fields.String(allow_none=True)
    evidence = fields.String()
    recorded_by = fields.String(allow_none=True)
    revoked = fields.Boolean()


class AppealOut(Schema):
    appeal_id = fields.String()
    employee = fields.String()
    project = fields.String(allow_none=True)
    period = fields.String(allow_none=True)
    reason = fields.String()
    filed_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    filed_by = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "open or resolved"})
    decision = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    event = fields.Nested(AppealedEventOut, allow_none=True)


class AppealsOut(Schema):
    results = fields.List(fields.Nested(AppealOut))


class ResolveIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(
        ["upheld", "rejected"], error="应为 upheld 或 rejected (must be upheld or rejected)"))
    reason = Text(required=True)


class ResolvedOut(Schema):
    resolution = fields.Nested(AppendedOut)
    revocation = fields.Nested(AppendedOut, allow_none=True)


class DeadlinesIn(Strict):
    reply_hours = fields.Integer(load_default=24, strict=True, validate=validate.Range(
        min=1, max=720, error="回复时限应为 1–720 小时 (1–720 hours)"))
    escalate_hours = fields.Integer(load_default=2, strict=True, validate=validate.Range(
        min=1, max=720, error="上报时限应为 1–720 小时 (1–720 hours)"))
    followup_days = fields.Integer(load_default=3, strict=True, validate=validate.Range(
        min=1, max=90, error="回访时限应为 1–90 天 (1–90 days)"))


class ConfirmIn(Strict):
    item = Name(load_default=None)
    rule = Name(load_default=None)
    points = Points(load_default=None)


class DismissIn(Strict):
    reason = Text(required=True)
