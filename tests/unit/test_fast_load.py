"""The fast path of event-body loading agrees with marshmallow, value for value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from services.incidents.event_schemas import SCHEMAS, _instance, load_body
from services.incidents.fast_load import fast_load
from shared.domain.events import ANNUAL_TYPES, INCIDENT_TYPES
from shared.limits import business_day
from tests.conftest import TODAY

ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 2000), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.text(max_size=12), st.sampled_from(["2026-10-14", "20261014", "2026-13-01", "2026-10", "2026-10\n",
                                           "", "manager", "gm", "4.5", "NaN", "  业主投诉 \r\n", " \t ",
                                           "a\x00b", "a\ud800b", "2026-11-21", "1999-12-31", "2026-12",
                                           "2027-01", "1999-12", "x" * 2001, "2026", "2027", "1999",
                                           "weekly", "monthly", "100.01"]),
    st.dictionaries(st.sampled_from(["civility", "patience", "x"]),
                    st.one_of(st.integers(-2, 12), st.floats(0, 12), st.text(max_size=3), st.none()),
                    max_size=3),
)
# The employee incidents are what batches carry by the thousand; the ledger's steps (with
# date-times) go the marshmallow way, which the fast path declines by design.
INCIDENTS = {kind: schema for kind, schema in SCHEMAS.items() if kind in INCIDENT_TYPES + ANNUAL_TYPES}
KEYS = sorted({name for schema in INCIDENTS.values() for name in _instance(schema).load_fields} | {"extra"})


def typical(kind: str) -> dict:
    bodies = {
        "deduction": {"item": "civility", "rule": "rude", "occurred_on": "2026-10-14", "count": 2,
                      "evidence": "业主投诉", "source": "投诉记录"},
        "metric": {"item": "work_plan", "rule": "plan_rate", "period": "2026-10", "value": 96.5},
        "bonus": {"bonus": "commendation", "occurred_on": "2026-10-08", "points": 5, "evidence": "表扬"},
        "self_assessment": {"period": "2026-10", "scores": {"civility": 9, "patience": 9.5}},
        "review": {"period": "2026-10", "stage": "manager", "comment": "属实"},
        "acknowledgement": {"period": "2026-10"},
        "improvement_plan": {"period": "2026-10", "plan": "加强学习"},
        "appeal": {"event_id": "abc", "reason": "有误"},
        "inspection": {"occurred_on": "2026-10-09", "kind": "weekly", "score": 92.5, "note": "周检"},
        "year_end_review": {"year": "2026", "score": 88, "comment": "年终考评"},
    }
    return {"type": kind, "employee": "JRJ-0001", **bodies[kind]}


def agree(body: dict) -> bool:
    """fast_load is None, or marshmallow loads the body to exactly the same dict."""
    instance = _instance(SCHEMAS[body["type"]])
    with business_day(TODAY):
        fast = fast_load(instance, body)
        if fast is None:
            return False
        slow = instance.load(body)
    assert list(fast) == list(slow)
    assert repr(fast) == repr(slow)  # repr tells Decimal("4") from Decimal("4.0"), 1 from True
    return True


def test_the_fast_path_takes_every_typical_body_and_agrees_with_marshmallow():
    for kind in INCIDENTS:
        assert agree(typical(kind)), kind


def test_a_body_the_fast_path_declines_still_gets_marshmallows_errors():
    body = {**typical("deduction"), "count": True, "extra": 1}
    with business_day(TODAY):
        assert fast_load(_instance(SCHEMAS["deduction"]), body) is None
    try:
        with business_day(TODAY):
            load_body(body)
    except ValidationError as exc:
        assert set(exc.messages) == {"count", "extra"}
    else:  # pragma: no cover
        raise AssertionError("marshmallow accepted a bad body")


@settings(max_examples=600, deadline=None)
@given(kind=st.sampled_from(sorted(INCIDENTS)), changes=st.dictionaries(st.sampled_from(KEYS), ANY_VALUE, max_size=4),
       dropped=st.sets(st.sampled_from(KEYS), max_size=3))
def test_whatever_the_body_the_fast_path_never_disagrees_with_marshmallow(kind, changes, dropped):
    body = {k: v for k, v in {**typical(kind), **changes}.items() if k not in dropped or k == "type"}
    body["type"] = kind
    instance = _instance(SCHEMAS[kind])
    with business_day(TODAY):
        fast = fast_load(instance, body)
        if fast is None:
            return
        slow = instance.load(body)  # the fast path took it, so marshmallow must accept it too
    assert list(fast) == list(slow) and repr(fast) == repr(slow)


def test_decimals_are_converted_through_their_text_as_marshmallow_does():
    body = {**typical("bonus"), "points": 4.1}
    with business_day(TODAY):
        assert load_body(body)["points"] == Decimal("4.1")
        assert load_body({**body, "points": Decimal("4.10")})["points"] == Decimal("4.10")


def test_the_fast_path_trims_text_as_the_limits_text_field_does():
    body = {**typical("deduction"), "evidence": "  业主投诉\r\n第二行 ", "employee": " JRJ-0001\t"}
    assert agree(body)
    with business_day(TODAY):
        loaded = load_body(body)
    assert (loaded["evidence"], loaded["employee"]) == ("业主投诉\n第二行", "JRJ-0001")


@pytest.mark.parametrize("change", [
    {"evidence": "   "}, {"evidence": "x" * 2001}, {"evidence": "a\x00b"}, {"evidence": "a\ud800b"},
    {"points": Decimal("3.0000000000000000000000000000001")}, {"occurred_on": "2026-11-21"},
    {"occurred_on": "1999-12-31"}, {"item": "x" * 65},
])
def test_the_fast_path_leaves_every_limit_to_marshmallows_error(change):
    body = {**typical("deduction"), "rule": "complaint", "points": 4, **change}
    with business_day(TODAY):
        assert fast_load(_instance(SCHEMAS["deduction"]), body) is None
        with pytest.raises(ValidationError) as err:
            load_body(body)
    assert set(err.value.messages) == set(change)
