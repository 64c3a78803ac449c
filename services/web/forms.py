"""Forms in, command bodies out; the command's errors back beside the fields.

A form decodes into the body the API takes (the same field names) and goes to the same
command handler. Nothing here validates what the handler validates: it only turns the
form's text into JSON values (a number stays a string for the schema to judge), and the
handler's `Invalid` errors (field → messages) back into the form. `Conflict`, `Forbidden`
and `NotFound` are a message at the top of the form. Nothing is written on error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import g, request
from marshmallow import Schema, ValidationError

from shared.accounts import SignInRefused
from shared.auth import AccessInvalid
from shared.commands.meta import RequestMeta
from shared.errors import DomainError, Invalid, invalid_from

T = TypeVar("T")
# marshmallow's own messages, as a person reads them here.
ENGLISH = {
    "Missing data for required field.": "必填 (required)",
    "Not a valid integer.": "应为整数 (not a whole number)",
    "Not a valid number.": "应为数字 (not a number)",
    "Not a valid string.": "应为文字 (not text)",
    "Not a valid date.": "不是有效日期 (not a valid date)",
    "Field may not be null.": "必填 (required)",
    "Unknown field.": "未知字段 (unknown field)",
}
INTEGER = re.compile(r"^[+-]?\d+$")


@dataclass
class Outcome:
    """What a form submission came to: field errors, a message for the whole form, or success."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    status: int = 200

    @property
    def ok(self) -> bool:
        return not self.errors and not self.message

    def of(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def rest(self, shown: Iterable[str]) -> list[str]:
        """Errors of fields the form does not show, to print at its top."""
        placed = set(shown)
        return [f"{name}: {m}" for name, msgs in self.errors.items() if name not in placed
                and not any(name.startswith(p + ".") for p in placed) for m in msgs]


def chinese(messages: Iterable[str]) -> list[str]:
    return [ENGLISH.get(m, m) for m in messages]


def outcome_of(err: Exception) -> Outcome:
    """A handler's refusal as the form shows it."""
    if isinstance(err, Invalid) and err.errors:
        fields = {name.removeprefix("events.0."): chinese(msgs) for name, msgs in err.errors.items()}
        return Outcome(fields, "请更正标出的内容，未写入任何记录 (nothing was written)", err.status)
    if isinstance(err, DomainError):
        return Outcome({}, err.detail, err.status)
    if isinstance(err, AccessInvalid | SignInRefused):
        return Outcome({}, str(err), 422)
    raise err


def attempt(run: Callable[[], T]) -> tuple[T | None, Outcome]:
    """Run a command; its refusal becomes the form's errors (and nothing was written)."""
    try:
        return run(), Outcome()
    except (DomainError, AccessInvalid) as err:
        return None, outcome_of(err)


def meta() -> RequestMeta:
    """The request as the events record it; a form's one-time key makes a double tap harmless."""
    key = (request.form.get("idempotency_key") or "").strip()
    return RequestMeta(request_id=g.request_id, idempotency_key=key if 8 <= len(key) <= 200 else None)


def text(form: Mapping[str, str], name: str) -> str | None:
    """A text field as typed; an absent or blank one is left out (the schema says if it is required)."""
    value = form.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def number(form: Mapping[str, str], name: str) -> Any:
    """A number field: whole numbers as int, others as the text for the schema to read."""
    value = text(form, name)
    if value is None:
        return None
    return int(value) if INTEGER.match(value) else value


def body(form: Mapping[str, str], texts: Iterable[str] = (), numbers: Iterable[str] = (),
         **fixed: Any) -> dict[str, Any]:
    """The API body a form stands for: its non-blank fields, and `fixed` values."""
    out: dict[str, Any] = {}
    for name in texts:
        if (value := text(form, name)) is not None:
            out[name] = value
    for name in numbers:
        if (value := number(form, name)) is not None:
            out[name] = value
    return {**out, **fixed}


def load(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """The API's own request schema over a form's body (its errors name the same fields)."""
    try:
        loaded: dict[str, Any] = schema.load(data)
        return loaded
    except ValidationError as exc:
        raise invalid_from(exc.messages) from None
