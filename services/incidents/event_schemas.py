"""The event bodies of SPEC §7.4, structurally: one marshmallow schema per type."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from services.incidents.fast_load import fast_load
from shared.domain import complaints
from shared.domain import events as ev
from shared.domain.complaints import CATEGORIES, CHANNELS, RESULTS, SEVERITIES
from shared.domain.periods import TZ

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="应为 YYYY-MM (must be YYYY-MM)")
TEXT = validate.Length(max=4000)
REQUIRED_TEXT = validate.Length(min=1, max=4000, error="不能为空 (must not be empty)")


class _Base(Schema):
    class Meta:
        unknown = RAISE

    type = fields.String(required=True)
    employee = fields.String(required=True, validate=validate.Length(min=1, max=64))
    expected_version = fields.Integer(load_default=None, validate=validate.Range(min=0))


class DeductionBody(_Base):
    item = fields.String(required=True)
    rule = fields.String(required=True)
    occurred_on = fields.Date(required=True, error_messages={"invalid": "不是有效日期 (not a valid date)"})
    count = fields.Integer(load_default=1, strict=True,
                           validate=validate.Range(min=1, max=1000, error="次数至少为1 (count must be ≥ 1)"))
    points = fields.Decimal(load_default=None, allow_none=True, allow_nan=False)
    evidence = fields.String(required=True, validate=REQUIRED_TEXT)
    source = fields.String(load_default="", validate=TEXT)


class MetricBody(_Base):
    item = fields.String(required=True)
    rule = fields.String(required=True)
    period = fields.String(required=True, validate=MONTH)
    value = fields.Decimal(required=True, allow_nan=False,
                           validate=validate.Range(min=0, max=1000),
                           error_messages={"invalid": "不是数字 (not a number)"})
    evidence = fields.String(load_default="", validate=TEXT)
    source = fields.String(load_default="", validate=TEXT)


class BonusBody(_Base):
    bonus = fields.String(required=True)
    occurred_on = fields.Date(required=True, error_messages={"invalid": "不是有效日期 (not a valid date)"})
    points = fields.Decimal(required=True, allow_nan=False)
    evidence = fields.String(required=True, validate=REQUIRED_TEXT)
    source = fields.String(load_default="", validate=TEXT)


class SelfAssessmentBody(_Base):
    period = fields.String(required=True, validate=MONTH)
    scores = fields.Dict(keys=fields.String(), values=fields.Decimal(allow_nan=False), required=True)
    analysis = fields.String(load_default="", validate=TEXT)


class ReviewBody(_Base):
    period = fields.String(required=True, validate=MONTH)
    stage = fields.String(required=True, validate=validate.OneOf(["manager", "gm"]))
    comment = fields.String(load_default="", validate=TEXT)


class AcknowledgementBody(_Base):
    period = fields.String(required=True, validate=MONTH)
    comment = fields.String(load_default="", validate=TEXT)


class ImprovementPlanBody(_Base):
    period = fields.String(required=True, validate=MONTH)
    plan = fields.String(required=True, validate=REQUIRED_TEXT)


class AppealBody(_Base):
    event_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    reason = fields.String(required=True, validate=REQUIRED_TEXT)


class _Ledger(Schema):
    """A step of the complaint ledger (SPEC §7.7): named by its project and its id."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True)
    project = fields.String(required=True, validate=validate.Length(min=1, max=32))
    complaint = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", error="投诉编号只能含字母、数字、_ . - (letters, digits, _ . -)"))


def _moment(required: bool = True) -> fields.AwareDateTime:
    """A moment: ISO 8601, with its offset (without one it is Asia/Shanghai)."""
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.AwareDateTime(default_timezone=TZ, error_messages={"invalid": "不是有效的时间 (not a valid date-time)"},
                                **extra)


class ComplaintReceivedBody(_Ledger):
    received_at = _moment()
    channel = fields.String(required=True, validate=validate.OneOf(
        CHANNELS, error="渠道应为 phone、visit、written 或 online"))
    severity = fields.String(required=True, validate=validate.OneOf(
        SEVERITIES, error="级别应为 general 或 major"))
    category = fields.String(required=True, validate=validate.OneOf(
        CATEGORIES, error="类别应为 维修、清洁、安全、服务态度 或 其他"))
    summary = fields.String(required=True, validate=REQUIRED_TEXT)
    location = fields.String(load_default="", validate=validate.Length(max=200))
    responsible = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=64))


class ComplaintRepliedBody(_Ledger):
    at = _moment()
    text = fields.String(required=True, validate=REQUIRED_TEXT)


class ComplaintEscalatedBody(_Ledger):
    at = _moment()
    to = fields.String(required=True, validate=validate.Length(min=1, max=100, error="须写明上报给谁"))
    note = fields.String(load_default="", validate=TEXT)


class ComplaintClosedBody(_Ledger):
    at = _moment()
    resolution = fields.String(required=True, validate=REQUIRED_TEXT)


class FollowupBody(_Ledger):
    at = _moment()
    result = fields.String(required=True, validate=validate.OneOf(
        RESULTS, error="回访结果应为 satisfied、fairly_satisfied 或 unsatisfied"))
    note = fields.String(load_default="", validate=TEXT)
    next_at = _moment(required=False)


SCHEMAS: dict[str, type[Schema]] = {
    ev.DEDUCTION: DeductionBody,
    ev.METRIC: MetricBody,
    ev.BONUS: BonusBody,
    ev.SELF_ASSESSMENT: SelfAssessmentBody,
    ev.REVIEW: ReviewBody,
    ev.ACKNOWLEDGEMENT: AcknowledgementBody,
    ev.IMPROVEMENT_PLAN: ImprovementPlanBody,
    ev.APPEAL: AppealBody,
    complaints.RECEIVED: ComplaintReceivedBody,
    complaints.REPLIED: ComplaintRepliedBody,
    complaints.ESCALATED: ComplaintEscalatedBody,
    complaints.CLOSED: ComplaintClosedBody,
    complaints.FOLLOWUP: FollowupBody,
}


def load_body(body: Any) -> dict[str, Any]:
    """Structural validation of one event body; raises ValidationError naming fields."""
    if not isinstance(body, dict):
        raise ValidationError({"body": ["应为 JSON 对象 (must be a JSON object)"]})
    kind = body.get("type")
    schema = SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise ValidationError({"type": [f"未知的事件类型 (unknown event type: {kind!r}); "
                                        f"one of {', '.join(SCHEMAS)}"]})
    instance = _instance(schema)
    fast = fast_load(instance, body)
    if fast is not None:
        return fast
    data: dict[str, Any] = instance.load(body)
    return data


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: building one deep-copies its fields, loading keeps no state."""
    return schema()
