"""Input limits (SPEC §7.9) as marshmallow field types, so that every schema states them alike.

Use these fields in any request schema instead of bare `fields.String` / `Decimal` / `Date`:

- `Text` (evidence, reasons, comments, plans, analyses): trimmed, CRLF read as LF, at most
  2,000 characters; `required=True` also refuses text that is empty after trimming.
- `Name` (names and codes): the same at most 64 characters.
- `Points` (points, scores, values): finite, not negative, at most 2 decimal places;
  `PointsByCode` a {code: points} mapping of them.
- `Strict`: the base of every request schema (unknown fields are refused).
- `PastDate` (`occurred_on`): from 2000-01-01 to today; `Month` (`YYYY-MM`) and `Year`
  (`YYYY`): from 2000 to next month (or its year).

"Today" is the business clock's day in Asia/Shanghai. A request sets it for its whole
handling (`shared.web`); code loading a schema elsewhere wraps it in `business_day(day)`.
No text anywhere may hold NUL, other control characters (newline, carriage return and
tab excepted) or lone surrogates: `BAD_CHARACTER` is the one definition of that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.domain.periods import MONTH_RE, YEAR_RE, month_of, next_month

TEXT_MAX = 2000
NAME_MAX = 64
PLACES = 2
POINTS_MAX = Decimal(1_000_000)
POSITION_MAX = 2**63 - 1  # a position or version: what a database BIGINT holds
EARLIEST_DAY = date(2000, 1, 1)
EARLIEST_MONTH = "2000-01"
BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
BAD_TEXT = "不能包含 NUL、控制字符或无效的 Unicode 字符 (no NUL, control characters or invalid Unicode)"

Validator = Callable[[Any], Any]
_DAY: ContextVar[date] = ContextVar("jixiao_business_day")


# -- the business day -----------------------------------------------------------------------
@contextmanager
def business_day(day: date) -> Iterator[None]:
    """Load schemas inside this block to check dates against `day` (Asia/Shanghai)."""
    token = _DAY.set(day)
    try:
        yield
    finally:
        _DAY.reset(token)


def enter_day(day: date) -> Token[date]:
    """`business_day` for a request: set it now, `leave_day(token)` when the request ends."""
    return _DAY.set(day)


def leave_day(token: Token[date]) -> None:
    _DAY.reset(token)


def today() -> date:
    try:
        return _DAY.get()
    except LookupError:
        raise RuntimeError("no business day set: load the schema inside shared.limits.business_day(day)") from None


# -- validators ------------------------------------------------------------------------------
def clean_text(value: str) -> str:
    """What a text field keeps: line breaks as LF, no surrounding white space."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def no_bad_characters(value: str) -> None:
    if BAD_CHARACTER.search(value):
        raise ValidationError(BAD_TEXT)


def at_most(n: int) -> validate.Length:
    return validate.Length(max=n, error=f"不能超过 {n} 个字符 (at most {n} characters)")


NOT_BLANK = validate.Length(min=1, error="不能为空 (must not be empty)")


def decimal_places(value: Decimal) -> int:
    """How many decimal places `value` needs (3.10 needs 1; 3.0000000000000000000000000001 needs 28)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def two_places(value: Decimal) -> None:
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -PLACES:
        return  # 4, 4.5, 4.50: the common case, without counting digits
    if decimal_places(value) > PLACES:
        raise ValidationError(f"最多 {PLACES} 位小数 (at most {PLACES} decimal places)")


def not_in_future(value: date) -> None:
    day = today()
    if value > day:
        raise ValidationError(f"不能晚于今天 {day.isoformat()} (must not be after today)")
    if value < EARLIEST_DAY:
        raise ValidationError(f"不能早于 {EARLIEST_DAY.isoformat()} (must not be before {EARLIEST_DAY.isoformat()})")


def latest_month() -> str:
    """The last month anything may be about: next month, by the business clock."""
    return next_month(month_of(today()))


def month_in_range(value: str) -> None:
    if not isinstance(value, str) or not MONTH_RE.match(value):
        return  # the format's own validator names it
    if value < EARLIEST_MONTH:
        raise ValidationError(f"不能早于 {EARLIEST_MONTH} (must not be before {EARLIEST_MONTH})")
    if value > latest_month():
        raise ValidationError(f"不能晚于下月 {latest_month()} (must not be after next month)")


def year_in_range(value: str) -> None:
    if not isinstance(value, str) or not YEAR_RE.match(value):
        return
    if not EARLIEST_MONTH[:4] <= value <= latest_month()[:4]:
        raise ValidationError(f"应在 {EARLIEST_MONTH[:4]}–{latest_month()[:4]} 之间 (year out of range)")


MONTH_FORMAT = validate.Regexp(MONTH_RE, error="应为 YYYY-MM (must be YYYY-MM)")
YEAR_FORMAT = validate.Regexp(YEAR_RE, error="应为 YYYY (must be YYYY)")


def _listed(extra: Validator | list[Validator] | None) -> list[Validator]:
    if extra is None:
        return []
    return list(extra) if isinstance(extra, list | tuple) else [extra]


def checked_text(value: Any, *, max_length: int = TEXT_MAX, required: bool = True) -> str:
    """`value` as a `Text` field loads it, for a command handed text without a schema (a
    form's reason); raises ValidationError with the field's messages."""
    field = Text(max_length=max_length, required=required)
    result: str = field.deserialize(value)
    return result


# -- schemas and fields ----------------------------------------------------------------------
class Strict(Schema):
    """A request schema: an unknown field is an error naming it (SPEC §7.9)."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "未知字段 (unknown field)", "type": "应为 JSON 对象 (must be a JSON object)"}


class Text(fields.String):
    """Free text: trimmed, at most `max_length` characters, never control characters."""

    def __init__(self, *, max_length: int = TEXT_MAX, validate: Validator | list[Validator] | None = None,
                 **kwargs: Any) -> None:
        checks: list[Validator] = [no_bad_characters, at_most(max_length)]
        if kwargs.get("required"):
            checks.append(NOT_BLANK)
        super().__init__(validate=[*checks, *_listed(validate)], **kwargs)
        self.max_length = max_length

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return clean_text(super()._deserialize(value, attr, data, **kwargs))


class Name(Text):
    """A name or a code: text of at most 64 characters."""

    def __init__(self, *, max_length: int = NAME_MAX, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)


class Points(fields.Decimal):
    """Points or a score: a finite number, not negative, with at most 2 decimal places."""

    def __init__(self, *, validate: Validator | list[Validator] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] = {"invalid": "不是数字 (not a number)",
                                    "special": "不是有限的数字 (NaN and infinity are not numbers)",
                                    **kwargs["error_messages"]}
        checks: list[Validator] = [NOT_NEGATIVE, BELOW_MAX, two_places]
        super().__init__(allow_nan=False, validate=[*checks, *_listed(validate)], **kwargs)


NOT_NEGATIVE = validate.Range(min=0, error="不能为负数 (must not be negative)")
BELOW_MAX = validate.Range(max=POINTS_MAX, error=f"不能超过 {POINTS_MAX} (at most {POINTS_MAX})")


class PointsByCode(fields.Dict):
    """{code: points} (a self-assessment's scores). An error is named by its code
    (`scores.civility`), not by marshmallow's `scores.civility.value`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=Name(), values=Points(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as exc:
            messages = exc.messages
            if isinstance(messages, dict):
                messages = {key: [*found.get("key", []), *found.get("value", [])] if isinstance(found, dict)
                            else found for key, found in messages.items()}
            raise ValidationError(messages) from None


class PastDate(fields.Date):
    """A day (YYYY-MM-DD) from 2000-01-01 to today."""

    def __init__(self, *, validate: Validator | list[Validator] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid": "不是有效日期 (not a valid date)"})
        super().__init__(validate=[not_in_future, *_listed(validate)], **kwargs)


class Month(fields.String):
    """A month (YYYY-MM) from 2000-01 to next month."""

    def __init__(self, *, validate: Validator | list[Validator] | None = None, **kwargs: Any) -> None:
        super().__init__(validate=[MONTH_FORMAT, month_in_range, *_listed(validate)], **kwargs)


class Year(fields.String):
    """A year (YYYY) from 2000 to next month's year."""

    def __init__(self, *, validate: Validator | list[Validator] | None = None, **kwargs: Any) -> None:
        super().__init__(validate=[YEAR_FORMAT, year_in_range, *_listed(validate)], **kwargs)
