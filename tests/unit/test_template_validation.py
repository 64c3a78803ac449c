"""Invalid templates are rejected by `load_template`, naming the offending field (SPEC §7.3)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from marshmallow import ValidationError

from shared.schemas.template import dump_template, load_template
from shared.templates import seed_template_documents


def base() -> dict[str, Any]:
    return {
        "code": "t",
        "name": "测试考核表",
        "effective_from": "2026-01",
        "raters": {"self": 0.15, "supervisor": 0.85},
        "items": [
            {"code": "civility", "title": "文明用语", "points": 10, "rules": [
                {"code": "rude", "title": "服务用语不文明", "kind": "fixed", "points": 2},
                {"code": "complaint", "title": "有效投诉", "kind": "range", "min": 3, "max": 5},
                {"code": "plan_rate", "title": "计划完成率每低于1%", "kind": "per_percent_below",
                 "target": 100, "points": 5},
            ]},
            {"code": "attendance", "title": "考勤", "points": 10, "rules": [
                {"code": "late", "title": "迟到", "kind": "fixed", "points": 2},
            ]},
        ],
        "bonuses": [{"code": "commendation", "title": "受到公司表扬", "min": 1, "max": 10}],
    }


def error_paths(messages: Any, prefix: str = "") -> set[str]:
    """Flatten marshmallow's nested messages into dotted paths ("items.0.rules.1.min")."""
    if isinstance(messages, dict):
        out: set[str] = set()
        for k, v in messages.items():
            out |= error_paths(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    return {prefix}


def rejected(doc: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as exc:
        load_template(doc)
    return error_paths(exc.value.messages)


def test_base_document_is_valid() -> None:
    t = load_template(base())
    assert t.total_points == 10 + 10


def test_duplicate_item_codes() -> None:
    doc = base()
    doc["items"][1]["code"] = "civility"
    with pytest.raises(ValidationError) as exc:
        load_template(doc)
    assert "items" in exc.value.messages
    assert "civility" in str(exc.value.messages["items"])


def test_duplicate_item_codes_in_a_real_seed() -> None:
    doc = copy.deepcopy(next(d for d in seed_template_documents() if d["code"] == "cs-staff"))
    doc["items"][10]["code"] = doc["items"][0]["code"]
    assert "items" in rejected(doc)


def test_duplicate_rule_codes() -> None:
    doc = base()
    doc["items"][0]["rules"][1]["code"] = "rude"
    assert rejected(doc) == {"items.0.rules"}


def test_duplicate_bonus_codes() -> None:
    doc = base()
    doc["bonuses"].append({"code": "commendation", "title": "again", "min": 1, "max": 5})
    assert rejected(doc) == {"bonuses"}


@pytest.mark.parametrize("raters", [
    {"self": 0.15, "supervisor": 0.8},  # 0.95
    {"self": 0.3, "supervisor": 0.75},  # 1.05
    {"supervisor": 0.5},
])
def test_rater_weights_must_sum_to_one(raters: dict[str, float]) -> None:
    doc = base()
    doc["raters"] = raters
    assert rejected(doc) == {"raters"}


def test_rater_weights_summing_to_one_with_decimals_are_accepted() -> None:
    doc = base()
    doc["raters"] = {"self": 0.3, "supervisor": 0.7}  # 0.1 + 0.2 style float traps must not bite
    assert load_template(doc).raters["supervisor"] + load_template(doc).raters["self"] == 1


def test_supervisor_weight_is_required() -> None:
    doc = base()
    doc["raters"] = {"self": 1}
    assert rejected(doc) == {"raters"}


def test_unknown_rater() -> None:
    doc = base()
    doc["raters"] = {"peer": 0.15, "supervisor": 0.85}
    assert {p for p in rejected(doc) if p.startswith("raters")}


@pytest.mark.parametrize("where,path", [
    (("items", 0, "points"), "items.0.points"),
    (("items", 0, "rules", 0, "points"), "items.0.rules.0.points"),
    (("items", 0, "rules", 1, "min"), "items.0.rules.1.min"),
    (("items", 0, "rules", 2, "target"), "items.0.rules.2.target"),
    (("bonuses", 0, "min"), "bonuses.0.min"),
    (("raters", "self"), "raters.self.value"),
])
def test_negative_numbers(where: tuple, path: str) -> None:
    doc = base()
    node: Any = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = -1
    assert path in rejected(doc)


def test_range_min_greater_than_max() -> None:
    doc = base()
    doc["items"][0]["rules"][1].update(min=5, max=3)
    assert rejected(doc) == {"items.0.rules.1.min"}


def test_range_min_equal_max_is_fine() -> None:
    doc = base()
    doc["items"][0]["rules"][1].update(min=4, max=4)
    assert load_template(doc).items[0].rules[1].min == 4


def test_bonus_min_greater_than_max() -> None:
    doc = base()
    doc["bonuses"][0].update(min=10, max=1)
    assert rejected(doc) == {"bonuses.0.min"}


def test_unknown_rule_kind() -> None:
    doc = base()
    doc["items"][1]["rules"][0]["kind"] = "per_percent_above"
    assert rejected(doc) == {"items.1.rules.0.kind"}


def test_range_rule_without_max_is_rejected() -> None:
    doc = base()
    del doc["items"][0]["rules"][1]["max"]
    paths = rejected(doc)
    assert len(paths) == 1
    assert next(iter(paths)).startswith("items.0.rules.1.")


def test_range_rule_without_max_names_max() -> None:
    doc = base()
    del doc["items"][0]["rules"][1]["max"]
    assert rejected(doc) == {"items.0.rules.1.max"}


def test_range_rule_without_min() -> None:
    doc = base()
    del doc["items"][0]["rules"][1]["min"]
    assert rejected(doc) == {"items.0.rules.1.min"}


def test_fixed_rule_without_points() -> None:
    doc = base()
    del doc["items"][1]["rules"][0]["points"]
    assert rejected(doc) == {"items.1.rules.0.points"}


def test_per_percent_below_needs_target_and_points() -> None:
    doc = base()
    del doc["items"][0]["rules"][2]["target"]
    assert rejected(doc) == {"items.0.rules.2.target"}
    doc = base()
    del doc["items"][0]["rules"][2]["points"]
    assert rejected(doc) == {"items.0.rules.2.points"}


def test_annual_weights_must_sum_to_one() -> None:
    doc = base()
    doc["annual"] = {"components": [
        {"code": "inspections", "title": "周检、月检", "weight": 0.2, "template": "cs-inspection"},
        {"code": "monthly", "title": "月考核", "weight": 0.3, "template": None},
        {"code": "year_end", "title": "年终考评", "weight": 0.4, "template": "cs-year-end"},
    ]}
    assert rejected(doc) == {"annual.components"}


def test_annual_duplicate_component_codes() -> None:
    doc = base()
    doc["annual"] = {"components": [
        {"code": "monthly", "weight": 0.5},
        {"code": "monthly", "weight": 0.5},
    ]}
    assert rejected(doc) == {"annual.components"}


@pytest.mark.parametrize("field,value", [
    ("effective_from", "2026-13"),
    ("effective_from", "26-01"),
    ("code", "客服"),
    ("period", "week"),
    ("items", []),
])
def test_bad_top_level_fields(field: str, value: Any) -> None:
    doc = base()
    doc[field] = value
    assert field in {p.split(".")[0] for p in rejected(doc)}


@pytest.mark.parametrize("missing", ["code", "name", "effective_from", "items"])
def test_required_fields(missing: str) -> None:
    doc = base()
    del doc[missing]
    assert rejected(doc) == {missing}


def test_points_as_text_that_is_not_a_number() -> None:
    doc = base()
    doc["items"][0]["points"] = "十"
    assert rejected(doc) == {"items.0.points"}


def test_dump_then_load_round_trip_of_base() -> None:
    t = load_template(base())
    assert load_template(dump_template(t)) == t


def test_empty_raters_are_rejected() -> None:
    doc = base()
    doc["raters"] = {}
    assert "raters" in rejected(doc)
