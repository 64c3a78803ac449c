"""Query and response schemas of the reports API (SPEC §7.2, §7.4, §7.5): /openapi.json."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.limits import Name, Strict

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="应为 YYYY-MM (must be YYYY-MM)")


class ScoresQuery(Strict):
    project = Name(required=True, metadata={"description": "项目代码 (project code)"})
    period = fields.String(required=True, validate=MONTH, metadata={"description": "YYYY-MM"})
    department = Name(load_default=None, metadata={"description": "部门 (optional)"})


class RankingsQuery(ScoresQuery):
    pass


class DeductionOut(Schema):
    event_id = fields.String()
    position = fields.Integer()
    rule = fields.String()
    rule_kind = fields.String()
    amount = fields.Float()
    occurred_on = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.String()
    evidence = fields.String()
    source = fields.String()


class ItemOut(Schema):
    code = fields.String()
    title = fields.String()
    points = fields.Float()
    deducted = fields.Float()
    score = fields.Float()
    deductions = fields.List(fields.Nested(DeductionOut), metadata={"description": "single result only"})


class BonusOut(Schema):
    event_id = fields.String()
    code = fields.String()
    points = fields.Float()
    evidence = fields.String()


class ResultOut(Schema):
    employee = fields.String()
    name = fields.String()
    period = fields.String()
    project = fields.String()
    department = fields.String()
    template = fields.String()
    template_version = fields.Integer()
    items = fields.List(fields.Nested(ItemOut))
    supervisor = fields.Float()
    self_score = fields.Float(data_key="self", attribute="self", allow_none=True)
    weighted = fields.Float()
    bonus = fields.Float()
    final = fields.Float()
    awards = fields.List(fields.String())
    flags = fields.List(fields.String())
    status = fields.String()
    rank = fields.Integer(allow_none=True)
    rank_of = fields.Integer(allow_none=True)
    position = fields.Integer()
    revision = fields.Integer()
    bonuses = fields.List(fields.Nested(BonusOut), metadata={"description": "single result only"})
    event_ids = fields.List(fields.String(), metadata={"description": "single result only"})


class ResultsOut(Schema):
    results = fields.List(fields.Nested(ResultOut))


class RevisionOut(Schema):
    revision = fields.Integer()
    old_final = fields.Float(allow_none=True)
    new_final = fields.Float()
    cause_event_ids = fields.List(fields.String())
    position = fields.Integer()
    created_at = fields.String(metadata={"description": "UTC, ISO 8601"})
    old = fields.Dict(allow_none=True)
    new = fields.Dict()


class HistoryOut(Schema):
    revisions = fields.List(fields.Nested(RevisionOut))


class RankingRowOut(Schema):
    employee = fields.String()
    name = fields.String(allow_none=True)
    final = fields.Float()
    rank = fields.Integer()
    rank_of = fields.Integer()
    consequences = fields.List(fields.String())
    payroll_adjustment = fields.Float(allow_none=True, metadata={"description": "元; null for roles that need not know it"})
    improvement_due = fields.String(allow_none=True)
    improvement_status = fields.String(allow_none=True)
    last_streak = fields.Integer()
    template = fields.String()
    department = fields.String()


class RankingOut(Schema):
    period = fields.String()
    project = fields.String()
    department = fields.String(allow_none=True)
    rows = fields.List(fields.Nested(RankingRowOut))


class ComponentOut(Schema):
    code = fields.String()
    title = fields.String(metadata={"description": "周检、月检 / 月考核 / 年终考评"})
    weight = fields.Float(metadata={"description": "the template's weight"})
    weight_applied = fields.Float(metadata={"description": "after a missing component's weight is redistributed"})
    mean = fields.Float(allow_none=True, metadata={"description": "round_half_up(exact mean, 2)"})
    count = fields.Integer()


class InspectionOut(Schema):
    event_id = fields.String()
    occurred_on = fields.String()
    kind = fields.String(metadata={"description": "weekly (周检) or monthly (月检)"})
    score = fields.Float()
    note = fields.String()
    recorded_by = fields.String(allow_none=True)


class YearEndReviewOut(Schema):
    event_id = fields.String()
    score = fields.Float()
    comment = fields.String()
    recorded_by = fields.String(allow_none=True)
    recorded_on = fields.String(allow_none=True)


class AnnualOut(Schema):
    employee = fields.String()
    year = fields.String()
    template = fields.String()
    composite = fields.Float(allow_none=True)
    components = fields.List(fields.Nested(ComponentOut))
    awards = fields.List(fields.String())
    flags = fields.List(fields.String())
    months = fields.Dict(keys=fields.String(), values=fields.Float())
    inspections = fields.List(fields.Nested(InspectionOut))
    year_end_review = fields.Nested(YearEndReviewOut, allow_none=True,
                                    metadata={"description": "the latest non-revoked 年终考评"})
    stored = fields.Boolean()


class ComplaintsQuery(Strict):
    project = Name(required=True, metadata={"description": "项目代码 (project code)"})
    period = fields.String(load_default=None, validate=MONTH, metadata={"description": "受理月份 YYYY-MM"})
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "closed"]))
    overdue = fields.Boolean(load_default=False, metadata={"description": "only those with a deadline missed now"})


class StepOut(Schema):
    type = fields.String()
    at = fields.String()
    by = fields.String()
    text = fields.String()
    result = fields.String(allow_none=True)
    next_at = fields.String(allow_none=True)


class DeadlineOut(Schema):
    kind = fields.String()
    label = fields.String()
    due = fields.String()
    done_at = fields.String()


class ComplaintOut(Schema):
    project = fields.String()
    complaint = fields.String()
    period = fields.String()
    received_at = fields.String()
    channel = fields.String()
    severity = fields.String()
    category = fields.String()
    summary = fields.String()
    location = fields.String()
    responsible = fields.String(allow_none=True)
    responsible_name = fields.String(allow_none=True)
    status = fields.String()
    timeline = fields.List(fields.Nested(StepOut))
    overdue = fields.List(fields.Nested(DeadlineOut))
    late = fields.List(fields.Nested(DeadlineOut))
    replied_in_time = fields.Boolean(allow_none=True)
    escalated_in_time = fields.Boolean(allow_none=True)
    followed_up_in_time = fields.Boolean(allow_none=True)


class ComplaintsOut(Schema):
    results = fields.List(fields.Nested(ComplaintOut))


class StatsQuery(Strict):
    project = Name(required=True)
    period = fields.String(required=True, validate=MONTH)


class StatsOut(Schema):
    received = fields.Integer()
    closed = fields.Integer()
    replied_in_time = fields.Integer()
    escalated_in_time = fields.Integer()
    followed_up_in_time = fields.Integer()
    satisfied = fields.Integer()
    fairly_satisfied = fields.Integer()
    unsatisfied = fields.Integer()
    handling_rate = fields.Float()
    followup_rate = fields.Float()
    satisfaction_rate = fields.Float()


class SuggestionsQuery(Strict):
    project = Name(required=True)
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "confirmed", "dismissed"]))


class SuggestedRule(Schema):
    item = fields.String()
    rule = fields.String()
    title = fields.String()
    points = fields.String(allow_none=True)


class SuggestionOut(Schema):
    id = fields.String()
    project = fields.String()
    complaint = fields.String()
    period = fields.String()
    kind = fields.String()
    label = fields.String()
    due = fields.String()
    rule = fields.Nested(SuggestedRule, allow_none=True)
    summary = fields.String()
    severity = fields.String()
    responsible = fields.String(allow_none=True)
    responsible_name = fields.String(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    deduction = fields.String(allow_none=True)


class SuggestionsOut(Schema):
    results = fields.List(fields.Nested(SuggestionOut))
