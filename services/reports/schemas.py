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
    weight_applied = fields.Float()
    mean = fields.Float(allow_none=True)
    count = fields.Integer()


class AnnualOut(Schema):
    employee = fields.String()
    year = fields.String()
    template = fields.String()
    composite = fields.Float(allow_none=True)
    components = fields.List(fields.Nested(ComponentOut))
    awards = fields.List(fields.String())
    flags = fields.List(fields.String())
    months = fields.Dict(keys=fields.String(), values=fields.Float())
    stored = fields.Boolean()
