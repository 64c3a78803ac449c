"""The event bodies of SPEC §7.4, structurally: one marshmallow schema per type."""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.incidents.fast_load import fast_load
from shared.domain import complaints
from shared.domain import events as ev
from shared.domain.complaints import CATEGORIES, CHANNELS, RESULTS, SEVERITIES
from shared.domain.periods import TZ
from shared.limits import (
    POSITION_MAX,
    Month,
    Name,
    PastDate,
    Points,
    PointsByCode,
    Strict,
    Text,
    Year,
    today,
)


def _kind(name: str) -> fields.String:
    return fields.String(required=True, validate=validate.Equal(name))


class _Base(Strict):
    type = fields.String(required=True)  # each type's schema names its one value (OpenAPI enum)
    employee = Name(required=True)
    expected_version = fields.Integer(load_default=None, validate=validate.Range(min=0, max=POSITION_MAX))


class DeductionBody(_Base):
    type = _kind(ev.DEDUCTION)
    item = Name(required=True)
    rule = Name(required=True)
    occurred_on = PastDate(required=True)
    count = fields.Integer(load_default=1, strict=True,
                           validate=validate.Range(min=1, max=1000, error="次数应为 1–1000 (count must be 1–1000)"))
    points = Points(load_default=None, allow_none=True)
    evidence = Text(required=True)
    source = Text(load_default="")


class MetricBody(_Base):
    type = _kind(ev.METRIC)
    item = Name(required=True)
    rule = Name(required=True)
    period = Month(required=True)
    value = Points(required=True, validate=validate.Range(min=0, max=1000))
    evidence = Text(load_default="")
    source = Text(load_default="")


class BonusBody(_Base):
    type = _kind(ev.BONUS)
    bonus = Name(required=True)
    occurred_on = PastDate(required=True)
    points = Points(required=True)
    evidence = Text(required=True)
    source = Text(load_default="")


class SelfAssessmentBody(_Base):
    type = _kind(ev.SELF_ASSESSMENT)
    period = Month(required=True)
    scores = PointsByCode(required=True)
    analysis = Text(load_default="")


class ReviewBody(_Base):
    type = _kind(ev.REVIEW)
    period = Month(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(["manager", "gm"]))
    comment = Text(load_default="")


class AcknowledgementBody(_Base):
    type = _kind(ev.ACKNOWLEDGEMENT)
    period = Month(required=True)
    comment = Text(load_default="")


class ImprovementPlanBody(_Base):
    type = _kind(ev.IMPROVEMENT_PLAN)
    period = Month(required=True)
    plan = Text(required=True)


class AppealBody(_Base):
    type = _kind(ev.APPEAL)
    event_id = Name(required=True, max_length=36)
    reason = Text(required=True)


SCORE_0_100 = validate.Range(min=0, max=100, error="分数应在 0–100 之间 (score must be 0–100)")


def _year_not_in_future(value: str) -> None:
    if isinstance(value, str) and value.isdigit() and int(value) > today().year:
        raise ValidationError(f"不能晚于今年 {today().year} (must not be after this year)")


class InspectionBody(_Base):
    """周检/月检 (seed 003 §4.6 A): one inspection's score, 0–100."""

    type = _kind(ev.INSPECTION)
    occurred_on = PastDate(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(
        ["weekly", "monthly"], error="检查类型应为 weekly(周检)或 monthly(月检)"))
    score = Points(required=True, validate=SCORE_0_100, error_messages={"required": "缺少分数 (score is required)"})
    note = Text(load_default="")


class YearEndReviewBody(_Base):
    """年终考评 (seed 003 §4.6 C): the year's review score, 0–100; the latest one counts."""

    type = _kind(ev.YEAR_END_REVIEW)
    year = Year(required=True, validate=_year_not_in_future)
    score = Points(required=True, validate=SCORE_0_100, error_messages={"required": "缺少分数 (score is required)"})
    comment = Text(load_default="")


class _Ledger(Strict):
    """A step of the complaint ledger (SPEC §7.7): named by its project and its id."""

    project = Name(required=True, max_length=32)
    complaint = Name(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", error="投诉编号只能含字母、数字、_ . - (letters, digits, _ . -)"))


def _moment(required: bool = True) -> fields.AwareDateTime:
    """A moment: ISO 8601, with its offset (without one it is Asia/Shanghai)."""
    extra: dict[str, Any] = {"required": True} if required else {"load_default": None, "allow_none": True}
    return fields.AwareDateTime(default_timezone=TZ, error_messages={"invalid": "不是有效的时间 (not a valid date-time)"},
                                **extra)


class ComplaintReceivedBody(_Ledger):
    type = _kind(complaints.RECEIVED)
    received_at = _moment()
    channel = fields.String(required=True, validate=validate.OneOf(
        CHANNELS, error="渠道应为 phone、visit、written 或 online"))
    severity = fields.String(required=True, validate=validate.OneOf(
        SEVERITIES, error="级别应为 general 或 major"))
    category = fields.String(required=True, validate=validate.OneOf(
        CATEGORIES, error="类别应为 维修、清洁、安全、服务态度 或 其他"))
    summary = Text(required=True)
    location = Name(load_default="", max_length=200)
    responsible = Name(load_default=None, allow_none=True)


class ComplaintRepliedBody(_Ledger):
    type = _kind(complaints.REPLIED)
    at = _moment()
    text = Text(required=True)


class ComplaintEscalatedBody(_Ledger):
    type = _kind(complaints.ESCALATED)
    at = _moment()
    to = Name(required=True, max_length=100)
    note = Text(load_default="")


class ComplaintClosedBody(_Ledger):
    type = _kind(complaints.CLOSED)
    at = _moment()
    resolution = Text(required=True)


class FollowupBody(_Ledger):
    type = _kind(complaints.FOLLOWUP)
    at = _moment()
    result = fields.String(required=True, validate=validate.OneOf(
        RESULTS, error="回访结果应为 satisfied、fairly_satisfied 或 unsatisfied"))
    note = Text(load_default="")
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
    ev.INSPECTION: InspectionBody,
    ev.YEAR_END_REVIEW: YearEndReviewBody,
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
