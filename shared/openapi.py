"""What /openapi.json states beyond the views' own decorators: problem documents for every
error an operation can answer, and patterns for months and years in paths.

Every error is `application/problem+json` (`Problem`); each operation lists the statuses it
can answer with (400, 401, 403, 404, 422, 503; writes also 409 and 413) and a default.
"""

from __future__ import annotations

import http
import json
from decimal import Decimal
from typing import Any

from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.routing import BaseConverter

from shared.domain.periods import MONTH_RE, YEAR_RE

PROBLEM = "application/problem+json"
EVERY_OPERATION = (400, 401, 403, 404, 422, 503)
WRITES = (409, 413)


class Problem(Schema):
    """An error (RFC 9457): what went wrong, and for invalid input each field's messages."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "数据校验失败 (Validation failed)"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "字段路径 → 错误信息 (field path → messages)",
                                   "example": {"evidence": ["不能为空 (must not be empty)"]}})


class MonthConverter(BaseConverter):
    """A month (YYYY-MM) in a path. It matches any segment, so a malformed one reaches the
    view, which answers 422 naming the parameter; the pattern is the documented contract."""


class YearConverter(BaseConverter):
    """A year (YYYY) in a path, like MonthConverter."""


CONVERTERS = {"month": MonthConverter, "year": YearConverter}


def document_converters(api: Api) -> None:
    """`<month:period>` and `<year:year>` documented with their patterns (the app registers
    the converters themselves: `shared.web.init_web`)."""
    api.register_converter(MonthConverter, lambda _c: {"type": "string", "pattern": MONTH_RE.pattern})
    api.register_converter(YearConverter, lambda _c: {"type": "string", "pattern": YEAR_RE.pattern})


def problem_response(status: int | None) -> dict[str, Any]:
    description = http.HTTPStatus(status).phrase if status else "错误 (error)"
    return {"description": description, "content": {PROBLEM: {"schema": Problem}}}


def register_problem_responses(api: Api) -> None:
    """Each status's component response (and DEFAULT_ERROR) as a problem document."""
    for status in http.HTTPStatus:
        if status >= 400:
            api.spec.components.response(status.name, problem_response(status), lazy=True)
    api.spec.components.response("DEFAULT_ERROR", problem_response(None), lazy=True)


def document_problems(api: Api) -> None:
    """Add the error statuses to every operation of the spec that does not list them yet."""
    paths: dict[str, dict[str, Any]] = api.spec._paths  # apispec keeps the operations here
    for operations in paths.values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            statuses = EVERY_OPERATION + (WRITES if method != "get" else ())
            for status in statuses:
                if str(status) not in responses and status not in responses:
                    responses[str(status)] = api.spec.components.get_ref(
                        "response", http.HTTPStatus(status).name)


def as_json(spec: dict[str, Any]) -> str:
    """The spec as JSON text; apispec states a Decimal field's bounds as Decimals, which must
    be JSON numbers (`"minimum": 0`), not the strings a JSON encoder makes of them."""

    def number(value: Any) -> Any:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        raise TypeError(f"{type(value).__name__} is not JSON")

    return json.dumps(spec, default=number, ensure_ascii=False, indent=2)
