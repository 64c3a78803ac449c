"""A fast path for loading well-formed event bodies with their marshmallow schemas.

marshmallow spends ~100 µs on a body; a batch of 1,000 pays that a thousand times. For
the common case, a body whose every value is already of its field's JSON type, this
module does what `Schema.load` does (same field order, load defaults, validators, the
same conversions) straight from the schema's own field declarations, so the two cannot
drift apart. Anything else (a wrong type, a None, an unknown key, a failing validator,
a field kind or schema option it does not know) returns `None`, and the caller loads
the body with marshmallow, which produces the result or the error messages.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.utils import missing

from shared import limits

Convert = Callable[[Any], Any]
_MISS = object()  # this value is not for the fast path


def _string(value: Any) -> Any:
    return value if type(value) is str else _MISS


def _text(value: Any) -> Any:
    return limits.clean_text(value) if type(value) is str else _MISS  # what limits.Text does


def _integer(value: Any) -> Any:
    return value if type(value) is int else _MISS


def _decimal(value: Any) -> Any:
    if type(value) is not int and type(value) is not float and type(value) is not decimal.Decimal:
        return _MISS
    num = decimal.Decimal(str(value))  # what fields.Decimal does
    return num if num.is_finite() else _MISS


def _date(value: Any) -> Any:
    if type(value) is not str:
        return _MISS
    try:
        return dt.date.fromisoformat(value)  # what fields.Date does with format "iso"
    except ValueError:
        return _MISS


def _checked(field: fields.Field, convert: Convert) -> Convert | None:
    """`convert`, then the field's own validators, as `Field.deserialize` runs them."""
    if getattr(field, "pre_load", None) or getattr(field, "post_load", None):  # marshmallow 4 hooks
        return None
    validators = list(field.validators)

    def run(value: Any) -> Any:
        out = convert(value)
        if out is _MISS:
            return _MISS
        for validator in validators:
            try:
                if validator(out) is False:
                    return _MISS
            except ValidationError:
                return _MISS
        return out

    return run


# Exactly these kinds (a subclass may convert differently). The limits' own types convert as
# their bases do and add validators, which `_checked` runs (PointsByCode only renames its
# errors), except Text and Name, which also trim.
_KNOWN = frozenset({fields.String, fields.Integer, fields.Decimal, fields.Date, fields.Dict,
                    limits.Text, limits.Name, limits.Points, limits.PastDate, limits.Month, limits.Year,
                    limits.PointsByCode})


def _converter(field: fields.Field) -> Convert | None:
    if type(field) not in _KNOWN:
        return None
    if isinstance(field, limits.Text):
        return _checked(field, _text)
    if isinstance(field, fields.String):
        return _checked(field, _string)
    if isinstance(field, fields.Integer):
        return _checked(field, _integer)
    if isinstance(field, fields.Decimal):
        plain = field.places is None and not field.allow_nan and not field.as_string
        return _checked(field, _decimal) if plain else None
    if isinstance(field, fields.Date):
        return _checked(field, _date) if field.format in (None, "iso", "iso8601") else None
    if isinstance(field, fields.Dict) and field.key_field is not None and field.value_field is not None:
        keys, values = _converter(field.key_field), _converter(field.value_field)
        if keys is None or values is None:
            return None
        return _checked(field, lambda v: _mapping(v, keys, values))
    return None


def _mapping(value: Any, keys: Convert, values: Convert) -> Any:
    if type(value) is not dict:
        return _MISS
    out = {}
    for k, v in value.items():
        key, val = keys(k), values(v)
        if key is _MISS or val is _MISS:
            return _MISS
        out[key] = val
    return out


@cache
def _plan(schema: Schema) -> tuple[tuple[str, str, fields.Field, Convert], ...] | None:
    """(data key, output key, field, converter) per load field; None: no fast path."""
    hooks = getattr(schema, "_hooks", None)  # pre/post-load and validator hooks, by kind
    if schema.unknown != RAISE or hooks is None or any(hooks.values()):
        return None
    plan = []
    for name, field in schema.load_fields.items():
        convert = _converter(field)
        if convert is None:
            return None
        plan.append((field.data_key or name, field.attribute or name, field, convert))
    return tuple(plan)


def fast_load(schema: Schema, body: dict[str, Any]) -> dict[str, Any] | None:
    """What `schema.load(body)` returns, for a well-formed body; otherwise None."""
    plan = _plan(schema)
    if plan is None:
        return None
    if len(body) > len(plan) or not {p[0] for p in plan}.issuperset(body):
        return None  # an unknown key: marshmallow names it
    out: dict[str, Any] = {}
    for data_key, key, field, convert in plan:
        raw = body.get(data_key, missing)
        if raw is missing:
            if field.required:
                return None
            default = field.load_default
            if default is not missing:
                out[key] = default() if callable(default) else default
            continue
        if raw is None:
            return None  # explicit nulls are rare: marshmallow decides
        value = convert(raw)
        if value is _MISS:
            return None
        out[key] = value
    return out
