"""The reusable pieces of SPEC §7.9: field types (shared.limits) and the raw-body checks
(shared.guard), without a database."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from shared.guard import _SUSPECT, bad_values, nested_too_deep
from shared.limits import (
    Month,
    Name,
    PastDate,
    Points,
    Strict,
    Text,
    Year,
    business_day,
    decimal_places,
)

TODAY = date(2026, 11, 20)


class Sample(Strict):
    text = Text(required=True)
    name = Name(load_default="")
    points = Points(load_default=None, allow_none=True)
    day = PastDate(load_default=None)
    month = Month(load_default=None)
    year = Year(load_default=None)


def load(**body) -> dict:
    with business_day(TODAY):
        return Sample().load({"text": "x", **body})


def errors(**body) -> dict:
    with pytest.raises(ValidationError) as err:
        load(**body)
    return err.value.messages


@pytest.mark.parametrize(("raw", "depth_ok"), [
    (b"[]", True), (b"{}", True), (b"[" * 32 + b"]" * 32, True), (b"[" * 33 + b"]" * 33, False),
    (b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', True),  # brackets in a string do not count
    (b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', True),  # nor after an escaped quote
    (b"[" * 100_000 + b"]" * 100_000, False), (b"[" * 100_000, False), (b"[1, [2, [3]], {}]", True),
    (b'{"events": [' + b'{"a": [1, {"b": 2}]},' * 1000 + b"{}]}", True),
])
def test_nesting_is_measured_on_the_raw_bytes(raw, depth_ok):
    assert nested_too_deep(raw) is not depth_ok


def test_a_deep_eight_megabyte_body_is_measured_quickly():
    import time

    started = time.perf_counter()
    assert not nested_too_deep(b"[" + b"[[]]," * (8 * 1024 * 1024 // 5) + b"[]]")
    assert time.perf_counter() - started < 2


def test_bad_values_name_the_path_of_each_bad_text_and_number():
    found = dict(bad_values({"events": [{"evidence": "ok\n\t"}, {"evidence": "a\x00", "scores": {"x\x01": 1}}],
                             "n": Decimal("1E+999"), "m": 10**20, "ok": Decimal("3.25"), "b": True}))
    assert set(found) == {"events.1.evidence", "events.1.scores", "n", "m"}


def test_text_is_trimmed_and_checked():
    assert load(text="  业主\r\n投诉 ")["text"] == "业主\n投诉"
    assert errors(text=" \u3000\t") == {"text": ["不能为空 (must not be empty)"]}
    assert errors(text="x" * 2001) == {"text": ["不能超过 2000 个字符 (at most 2000 characters)"]}
    assert "Unicode" in errors(text="a\ud800")["text"][0]
    assert errors(name="n" * 65) == {"name": ["不能超过 64 个字符 (at most 64 characters)"]}


@pytest.mark.parametrize(("value", "places"), [
    ("3", 0), ("3.10", 1), ("3.25", 2), ("1E+2", 0), ("3.0000000000000000000000000000001", 31), ("0.001", 3),
])
def test_decimal_places_are_counted_exactly(value, places):
    assert decimal_places(Decimal(value)) == places


def test_points_are_finite_not_negative_and_have_at_most_two_places():
    assert load(points=Decimal("2.50"))["points"] == Decimal("2.50")
    assert "2 位小数" in errors(points=Decimal("2.505"))["points"][0]
    assert "负数" in errors(points=-1)["points"][0]
    assert errors(points="NaN")["points"]


def test_dates_months_and_years_follow_the_business_day():
    assert load(day="2026-11-20", month="2026-12", year="2026")["month"] == "2026-12"
    assert "2026-11-20" in errors(day="2026-11-21")["day"][0]
    assert errors(day="1999-12-31")["day"]
    assert errors(month="2027-01")["month"] and errors(month="1999-12")["month"]
    assert errors(month="2026-13") == {"month": ["应为 YYYY-MM (must be YYYY-MM)"]}
    assert errors(year="2027")["year"] and errors(year="1999")["year"]
    with business_day(date(2026, 12, 5)):
        assert Sample().load({"text": "x", "year": "2027", "month": "2027-01"})["year"] == "2027"


def test_unknown_fields_are_named():
    assert errors(colour="red") == {"colour": ["未知字段 (unknown field)"]}


def test_a_date_check_outside_a_business_day_is_a_programming_error():
    with pytest.raises(RuntimeError, match="business day"):
        Sample().load({"text": "x", "day": "2026-01-01"})


def test_a_command_checks_text_it_gets_without_a_schema():
    from shared.limits import checked_text

    assert checked_text("  录入错误 ") == "录入错误"
    for bad in (" ", "x" * 2001, "a\x00b", None):
        with pytest.raises(ValidationError):
            checked_text(bad)


# JSON values as a client might send them: any character (controls, surrogates, C1, CJK),
# integers and decimals of any size, nested a little.
_EDGES = "\x00\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x7f\x80\x85\x9f\xa0\ud800\udbff\udc00\udfff\ue000e中·"
_TEXT = st.text(st.sampled_from(_EDGES) | st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF),
                max_size=12)
_NUMBER = (st.integers() | st.integers(min_value=10**15 - 10, max_value=10**16 + 10).map(lambda n: n * (-1) ** n)
           | st.floats(allow_nan=False, allow_infinity=False)  # floats print as 1e-25, 1e+16
           | st.sampled_from([1e16, 9.99e15, 1e15, 1e-20, 1e-21, 1.5e-21, 0.0, -1e16, 123456789012345.6]))
_VALUE = st.recursive(_TEXT | _NUMBER | st.booleans() | st.none(),
                      lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
                      max_leaves=12)


def _encoded(value, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@settings(max_examples=600, deadline=None)
@given(_VALUE | _TEXT, st.booleans())
@example("\ud800", False)  # raw UTF-8 surrogate bytes: json decodes bytes with surrogatepass
@example("\udfff", True)
@example("a\bb", False)
@example({"x": "\f"}, True)
@example("\x85", False)
@example("\x85", True)
@example([10**16], False)
@example({"p": 1e16}, True)
@example({"p": 1e-21}, True)
def test_the_raw_prefilter_never_lets_a_bad_value_through(value, ascii_only):
    """The guard walks a body only when its raw bytes look suspect: every body the walk would
    refuse must look suspect, however it was encoded."""
    raw = _encoded(value, ascii_only)
    parsed = json.loads(raw.decode("utf-8", "surrogatepass"), parse_float=Decimal)
    if list(bad_values(parsed)):
        assert _SUSPECT.search(raw), raw


def test_an_ordinary_batch_is_not_walked():
    body = {"events": [{"type": "deduction", "employee": "JRJ-0012", "item": "civility", "rule": "rude",
                        "occurred_on": "2026-10-09", "points": 3.5, "evidence": "业主投诉·服务用语不文明\n已回访",
                        "source": "现场检查"}] * 3}
    for ascii_only in (True, False):
        assert not _SUSPECT.search(_encoded(body, ascii_only))
