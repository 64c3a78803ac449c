"""The template contract (SPEC §7.3): JSON in, validated `Template` out, and back.

Errors name the field by its path (``items.2.rules.0.min``) so a 422 says exactly
what is wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from shared.domain.layout import COLUMN_KEYS, Column, SheetLayout
from shared.domain.template import (
    RULE_KINDS,
    SIGNOFF_STAGES,
    AnnualComponent,
    AnnualPolicy,
    BonusRule,
    Item,
    RankingPolicy,
    Rule,
    Template,
)
from shared.limits import Name, Strict, Text

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", error="代码只能含字母、数字、_ . - (code must be [A-Za-z0-9_.-])")
LEDGER_SOURCES = ("complaints.handling_rate", "complaints.followup_rate", "complaints.satisfaction_rate")
PERIOD = validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]))?$", error="期间格式应为 YYYY-MM (period must be YYYY-MM)")
TITLE_MAX = 500  # an item's or rule's wording, as the seed rubric states it
NonNeg = validate.Range(min=0, error="不能为负数 (must not be negative)")
Num = fields.Decimal


def _duplicates(codes: list[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({c for c in codes if c in seen or seen.add(c)})  # type: ignore[func-returns-value]


class RuleSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    title = Text(required=True, max_length=TITLE_MAX)
    kind = fields.String(
        required=True,
        validate=validate.OneOf(RULE_KINDS, error="未知的规则类型 (unknown rule kind: {input})"),
    )
    points = Num(validate=NonNeg, allow_none=True)
    min = Num(validate=NonNeg, allow_none=True)
    max = Num(validate=NonNeg, allow_none=True)
    target = Num(validate=NonNeg, allow_none=True)
    source = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(
        LEDGER_SOURCES, error="数据来源应为 complaints.handling_rate、complaints.followup_rate 或 "
                              "complaints.satisfaction_rate"))
    complaint_deadlines = fields.List(fields.String(validate=validate.OneOf(
        ("reply", "escalation", "followup"), error="应为 reply、escalation 或 followup")), load_default=list)

    @validates_schema
    def _kind_fields(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind")
        if data.get("source") and kind != "per_percent_below":
            raise ValidationError("只有按百分比扣分的规则可以取自台账 (only per_percent_below rules have a source)",
                                  "source")
        if data.get("complaint_deadlines") and kind == "per_percent_below":
            raise ValidationError("按百分比扣分的规则不能用于超时扣分 (a per_percent_below rule cannot deduct "
                                  "a missed deadline)", "complaint_deadlines")
        if kind == "fixed" and data.get("points") is None:
            raise ValidationError("fixed 规则需要 points (fixed rule needs points)", "points")
        if kind == "range":
            lo, hi = data.get("min"), data.get("max")
            if lo is None:
                raise ValidationError("range 规则需要 min (range rule needs min)", "min")
            if hi is None:
                raise ValidationError("range 规则需要 max (range rule needs max)", "max")
            if lo > hi:
                raise ValidationError("min 不能大于 max (min must not exceed max)", "min")
        if kind == "per_percent_below":
            if data.get("points") is None:
                raise ValidationError("需要每低于1%扣分数 (per_percent_below needs points)", "points")
            if data.get("target") is None:
                raise ValidationError("需要目标值 (per_percent_below needs target)", "target")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Rule:
        return Rule(**{**data, "complaint_deadlines": tuple(data.get("complaint_deadlines") or ())})


class ItemSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    title = Text(required=True, max_length=TITLE_MAX)
    points = Num(required=True, validate=NonNeg)
    category = Name(load_default="")
    note = Text(load_default="")
    rules = fields.List(fields.Nested(RuleSchema), load_default=list)

    @validates_schema
    def _unique_rules(self, data: dict[str, Any], **_: Any) -> None:
        dups = _duplicates([r["code"] if isinstance(r, dict) else r.code for r in data.get("rules", [])])
        if dups:
            raise ValidationError(f"规则代码重复 (duplicate rule codes): {', '.join(dups)}", "rules")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Item:
        return Item(**{**data, "rules": tuple(data["rules"])})


class BonusSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    title = Text(required=True, max_length=TITLE_MAX)
    min = Num(load_default=Decimal(1), validate=NonNeg)
    max = Num(load_default=Decimal(10), validate=NonNeg)

    @validates_schema
    def _range(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("min") is not None and data.get("max") is not None and data["min"] > data["max"]:
            raise ValidationError("min 不能大于 max (min must not exceed max)", "min")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> BonusRule:
        return BonusRule(**data)


class RankingSchema(Strict):
    scope = fields.String(load_default="department", validate=validate.OneOf(["department", "project"]))
    min_group_size = fields.Integer(load_default=3, validate=validate.Range(min=2, max=10_000))
    first_reward = Num(load_default=Decimal(100), validate=NonNeg)
    last_penalty = Num(load_default=Decimal(100), validate=NonNeg)
    bottom_n = fields.Integer(load_default=2, validate=validate.Range(min=0, max=10_000))
    improvement_due_days = fields.Integer(load_default=7, validate=validate.Range(min=0, max=366))
    reassign_after_consecutive_last = fields.Integer(load_default=3, validate=validate.Range(min=1, max=120))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> RankingPolicy:
        return RankingPolicy(**data)


class AnnualComponentSchema(Strict):
    code = fields.String(required=True, validate=CODE)
    title = Text(load_default="", max_length=TITLE_MAX)
    weight = Num(required=True, validate=NonNeg)
    template = fields.String(load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> AnnualComponent:
        return AnnualComponent(**data)


class AnnualSchema(Strict):
    components = fields.List(fields.Nested(AnnualComponentSchema), required=True)
    excellent_above = Num(load_default=Decimal(100), validate=NonNeg)

    @validates_schema
    def _weights(self, data: dict[str, Any], **_: Any) -> None:
        comps = data.get("components", [])
        total = sum((c.weight for c in comps), Decimal(0))
        if comps and total != 1:
            raise ValidationError(f"权重之和应为1,实为 {total} (weights must sum to 1)", "components")
        dups = _duplicates([c.code for c in comps])
        if dups:
            raise ValidationError(f"代码重复 (duplicate codes): {', '.join(dups)}", "components")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> AnnualPolicy:
        return AnnualPolicy(components=tuple(data["components"]), excellent_above=data["excellent_above"])


class ColumnSchema(Strict):
    key = fields.String(required=True, validate=validate.OneOf(
        COLUMN_KEYS, error="未知的栏目 (unknown column key: {input})"))
    label = Name(required=True)
    width = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100))
    records = fields.Boolean(load_default=False)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Column:
        return Column(**data)


class SheetSchema(Strict):
    """How the monthly sheet prints: the seed form's columns, rows and footer (additive to §7.3)."""

    title = Name(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True, validate=validate.Length(min=2, max=12))
    total_row = Name(load_default="合计")
    bonus_row = Name(load_default="")
    footer = fields.List(Text(max_length=TITLE_MAX), load_default=list)
    signatures = fields.Dict(keys=fields.String(validate=validate.OneOf(
        SIGNOFF_STAGES, error="未知的签核环节 (unknown sign-off stage: {input})")), values=Name(), load_default=dict)
    analysis_in_signature = fields.Boolean(load_default=False)
    basis = fields.Dict(keys=fields.String(validate=CODE), values=Text(max_length=TITLE_MAX), load_default=dict)

    @validates_schema
    def _columns(self, data: dict[str, Any], **_: Any) -> None:
        columns = data.get("columns") or []
        dups = _duplicates([c.key for c in columns])
        if dups:
            raise ValidationError(f"栏目重复 (duplicate columns): {', '.join(dups)}", "columns")
        if sum(1 for c in columns if c.records) > 1:
            raise ValidationError("只能有一个栏目列出扣分记录 (at most one column lists the records)", "columns")
        if sum(c.width for c in columns) > 100:
            raise ValidationError("栏宽之和不能超过100 (widths must not exceed 100 in all)", "columns")

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> SheetLayout:
        return SheetLayout(**{**data, "columns": tuple(data["columns"]), "footer": tuple(data["footer"])})


class TemplateSchema(Strict):
    """A template version as published (SPEC §7.3)."""

    code = fields.String(required=True, validate=CODE)
    name = Name(required=True)
    period = fields.String(load_default="month", validate=validate.OneOf(["month", "year"]))
    effective_from = fields.String(required=True, validate=PERIOD)
    raters = fields.Dict(
        keys=fields.String(validate=validate.OneOf(["self", "supervisor"])),
        values=Num(validate=NonNeg),
        load_default=lambda: {"supervisor": Decimal(1)},
    )
    item_cap = fields.Boolean(load_default=True)
    items = fields.List(fields.Nested(ItemSchema), required=True, validate=validate.Length(min=1))
    bonuses = fields.List(fields.Nested(BonusSchema), load_default=list)
    excellent_above = Num(load_default=Decimal(100), validate=NonNeg)
    version = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    ranking = fields.Nested(RankingSchema, load_default=RankingPolicy)
    annual = fields.Nested(AnnualSchema, load_default=AnnualPolicy)
    signoff = fields.List(fields.String(validate=validate.OneOf(
        SIGNOFF_STAGES, error="未知的签核环节 (unknown sign-off stage: {input})")),
        load_default=lambda: list(SIGNOFF_STAGES))
    source = Text(load_default="")
    sheet = fields.Nested(SheetSchema, load_default=None, allow_none=True)

    @validates_schema
    def _whole(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        raters = data.get("raters", {"supervisor": Decimal(1)})
        if sum(raters.values(), Decimal(0)) != 1:
            errors["raters"] = [f"评分权重之和应为1 (rater weights must sum to 1, got {sum(raters.values())})"]
        if raters.get("supervisor", Decimal(0)) <= 0:
            errors.setdefault("raters", []).append("需要主管评分权重 (a supervisor weight is required)")
        items = data.get("items") or []
        dups = _duplicates([i.code for i in items])
        if dups:
            errors["items"] = [f"考核项目代码重复 (duplicate item codes): {', '.join(dups)}"]
        bdups = _duplicates([b.code for b in data.get("bonuses") or []])
        if bdups:
            errors["bonuses"] = [f"加分项代码重复 (duplicate bonus codes): {', '.join(bdups)}"]
        stages = data.get("signoff", list(SIGNOFF_STAGES))
        if stages != [s for s in SIGNOFF_STAGES if s in stages] or "acknowledgement" not in stages:
            errors["signoff"] = ["签核环节应按 manager、gm、acknowledgement 的顺序，且须含 acknowledgement "
                                 "(stages in order manager, gm, acknowledgement; acknowledgement required)"]
        sheet = data.get("sheet")
        unknown = sorted(set(sheet.basis) - {i.code for i in items}) if sheet else []
        if unknown:
            errors["sheet"] = [f"考核评分依据指向未知的考核项目 (basis names unknown items): {', '.join(unknown)}"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Template:
        return Template(
            **{**data, "items": tuple(data["items"]), "bonuses": tuple(data["bonuses"]),
               "signoff": tuple(data["signoff"])}
        )


def load_template(data: Any) -> Template:
    """Validate a template document; raises marshmallow.ValidationError naming fields."""
    result: Template = TemplateSchema().load(data)
    return result


def _num(d: Decimal | None) -> float | int | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def dump_template(t: Template) -> dict[str, Any]:
    """The template as JSON-ready data (numbers as JSON numbers), with its version."""
    def rule(r: Rule) -> dict[str, Any]:
        out: dict[str, Any] = {"code": r.code, "title": r.title, "kind": r.kind}
        for k in ("points", "min", "max", "target"):
            v = getattr(r, k)
            if v is not None:
                out[k] = _num(v)
        if r.source:
            out["source"] = r.source
        if r.complaint_deadlines:
            out["complaint_deadlines"] = list(r.complaint_deadlines)
        return out

    return {
        "code": t.code,
        "name": t.name,
        "version": t.version,
        "period": t.period,
        "effective_from": t.effective_from,
        "raters": {k: _num(v) for k, v in t.raters.items()},
        "item_cap": t.item_cap,
        "items": [
            {"code": i.code, "title": i.title, "points": _num(i.points), "category": i.category,
             "note": i.note, "rules": [rule(r) for r in i.rules]}
            for i in t.items
        ],
        "bonuses": [{"code": b.code, "title": b.title, "min": _num(b.min), "max": _num(b.max)}
                    for b in t.bonuses],
        "excellent_above": _num(t.excellent_above),
        "ranking": {
            "scope": t.ranking.scope, "min_group_size": t.ranking.min_group_size,
            "first_reward": _num(t.ranking.first_reward), "last_penalty": _num(t.ranking.last_penalty),
            "bottom_n": t.ranking.bottom_n, "improvement_due_days": t.ranking.improvement_due_days,
            "reassign_after_consecutive_last": t.ranking.reassign_after_consecutive_last,
        },
        "annual": {
            "components": [{"code": c.code, "title": c.title, "weight": _num(c.weight),
                            "template": c.template} for c in t.annual.components],
            "excellent_above": _num(t.annual.excellent_above),
        },
        "signoff": list(t.signoff),
        "source": t.source,
        **({"sheet": dump_sheet(t.sheet)} if t.sheet else {}),
    }


def dump_sheet(s: SheetLayout) -> dict[str, Any]:
    """A sheet layout as JSON-ready data (only what differs from the defaults)."""
    out: dict[str, Any] = {"title": s.title, "columns": [
        {"key": c.key, "label": c.label, **({"width": c.width} if c.width else {}),
         **({"records": True} if c.records else {})} for c in s.columns]}
    defaults = {"total_row": "合计", "bonus_row": "", "footer": (), "signatures": {},
                "analysis_in_signature": False, "basis": {}}
    for key, default in defaults.items():
        value = getattr(s, key)
        if value != default:
            out[key] = list(value) if isinstance(value, tuple) else value
    return out
