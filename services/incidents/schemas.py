"""Request and response schemas of the incidents API (SPEC §7.2); they become /openapi.json."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from shared.schemas.template import CODE

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="应为 YYYY-MM (must be YYYY-MM)")
PROJECT_CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
                               error="项目代码只能含字母、数字、_ - (letters, digits, _ -)")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ProjectIn(Strict):
    code = fields.String(required=True, validate=PROJECT_CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class EmployeeIn(Strict):
    employee_no = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", error="工号只能含字母、数字、_ - (letters, digits, _ -)"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    project = fields.String(required=True, validate=PROJECT_CODE)
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    position = fields.String(required=True, validate=validate.Length(min=1, max=100))
    template = fields.String(required=True, validate=CODE)
    effective_from = fields.String(load_default=None, allow_none=True, validate=MONTH)


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
    department = fields.String(required=True, validate=validate.Length(min=1, max=100))
    effective_from = fields.String(required=True, validate=MONTH)


class TransferOut(Schema):
    employee_no = fields.String()
    project = fields.String()
    department = fields.String()
    effective_from = fields.String()


class TemplateQuery(Schema):
    code = fields.String(load_default=None)


class AppendedOut(Schema):
    id = fields.String()
    position = fields.Integer()
    recorded_at = fields.String()
    hash = fields.String()
    stream = fields.String()
    version = fields.Integer()


class BatchOut(Schema):
    events = fields.List(fields.Nested(AppendedOut))


class EventQuery(Schema):
    employee = fields.String(load_default=None)
    project = fields.String(load_default=None)
    period = fields.String(load_default=None, validate=MONTH)
    type = fields.String(load_default=None)
    after = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class RevokeIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000,
                                                                  error="撤销原因不能为空 (reason required)"))


class RecomputeIn(Strict):
    period = fields.String(required=True, validate=MONTH)
    project = fields.String(load_default=None, validate=PROJECT_CODE)


class TaskOut(Schema):
    task_id = fields.String()


class AppealsQuery(Schema):
    project = fields.String(load_default=None, validate=PROJECT_CODE)
    period = fields.String(load_default=None, validate=MONTH)
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["open", "resolved"], error="应为 open 或 resolved (must be open or resolved)"))


class ResolveIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(
        ["upheld", "rejected"], error="应为 upheld 或 rejected (must be upheld or rejected)"))
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=2000, error="处理理由不能为空，至多 2000 字 (reason required, at most 2000 characters)"))


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
    item = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    rule = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    points = fields.Decimal(load_default=None, allow_nan=False)


class DismissIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=2000, error="不采纳的理由不能为空，至多 2000 字 (reason required)"))
