"""What a request must pass before any view runs (SPEC §7.9).

- The body is at most 2 MB (`body_limit` raises a view's own limit: the batch's 8 MB); more is
  413 before the body is read.
- A JSON body is nested at most 32 levels deep, checked on the raw bytes before it is parsed
  (a nesting bomb would otherwise exhaust the parser's recursion): 400.
- A JSON body is parsed with its fractions as Decimal (`JixiaoRequest`), exactly as written.
- Every text in a JSON body (keys too), the query string and the path is valid Unicode
  without NUL or other control characters (`shared.limits.BAD_CHARACTER`), and every number
  is of a sane size: 422 for the body, 400 for the query and path, naming where it is.

`shared.web.init_web` installs `check_request` on every app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

from flask import Request, current_app, request

from shared.errors import DomainError, Invalid
from shared.limits import BAD_CHARACTER, BAD_TEXT

MB = 1024 * 1024
BODY_MAX = 2 * MB
DEPTH_MAX = 32
NUMBER_OUT_OF_RANGE = "数值超出范围 (number out of range)"
_F = TypeVar("_F", bound=Callable[..., Any])

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_PAIR = re.compile(rb"[\[{][\]}]")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
# What in the raw bytes could decode to a forbidden character or an absurd number: a control
# byte; a C1 control or a surrogate in UTF-8 (JSON decodes bytes with surrogatepass); an
# escaped control (\b, \f, \u0001, \u0085) or surrogate; 16 digits in a row; a number with an
# exponent (a JSON number follows `:`, `,` or `[`). A body without any of these cannot hold
# one, so `bad_values` need not walk it (a batch of 1,000 events walks in ~15 ms); with one,
# or a false alarm such as a long phone number, the walk decides.
_SUSPECT = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xed[\xa0-\xbf]|\\[bf]|\\u00[01789]"
                      rb"|\\u[dD][89a-fA-F]|[0-9]{16}|(?:\A|[:,\[])\s*-?[0-9]+(?:\.[0-9]+)?[eE]")


class _RequestJSON:
    """How a request body is parsed: numbers with a fraction become Decimal, exactly as written
    (a float would turn 3.0000000000000000000000000000001 into 3.0 before any check saw it)."""

    @staticmethod
    def loads(s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_float", Decimal)
        return current_app.json.loads(s, **kwargs)

    @staticmethod
    def dumps(obj: Any, **kwargs: Any) -> str:
        return current_app.json.dumps(obj, **kwargs)


class JixiaoRequest(Request):
    """Flask's request, parsing JSON bodies with `_RequestJSON` (responses keep the app's JSON)."""

    @property  # type: ignore[override]
    def json_module(self) -> Any:
        return _RequestJSON

    @json_module.setter
    def json_module(self, _provider: Any) -> None:
        """Flask hands every request the app's JSON provider; bodies keep `_RequestJSON`."""


def body_limit(max_bytes: int) -> Callable[[_F], _F]:
    """Let one view accept a body of up to `max_bytes` (the default is BODY_MAX)."""

    def decorate(view: _F) -> _F:
        view.jixiao_max_body = max_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def nested_too_deep(raw: bytes, limit: int = DEPTH_MAX) -> bool:
    """Whether the JSON text `raw` nests arrays and objects deeper than `limit` levels, or
    leaves brackets unpaired (malformed either way), found without parsing it.

    Strings are cut out first (they may hold brackets); each pass then removes the innermost
    pairs, so a document `limit` levels deep is empty after `limit` passes. Each pass is one
    regular-expression sweep, so even 8 MB of brackets take milliseconds, not a Python loop.
    """
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    for _ in range(limit):
        if not brackets:
            return False
        brackets, removed = _PAIR.subn(b"", brackets)
        if not removed:
            break
    return bool(brackets)


def bad_values(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(dotted path, message) for each text with a forbidden character and each absurd number."""
    if isinstance(value, str):
        if BAD_CHARACTER.search(value):
            yield path or "body", BAD_TEXT
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if BAD_CHARACTER.search(key):
                yield (path or "body"), f"字段名{BAD_TEXT}"
                continue
            yield from bad_values(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from bad_values(item, f"{path}.{i}" if path else str(i))
    elif isinstance(value, Decimal):
        if value.is_finite() and value and not -20 <= value.adjusted() <= 15:
            yield path or "body", NUMBER_OUT_OF_RANGE
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**16:
        yield path or "body", NUMBER_OUT_OF_RANGE


def _refuse(cls: type[DomainError], errors: dict[str, list[str]], detail: str) -> DomainError:
    listed = "; ".join(f"{k}: {v[0]}" for k, v in list(errors.items())[:5])
    return cls(f"{detail}: {listed}", errors)


def check_request() -> None:
    """The before-request check: raise the problem to answer, or return to let the view run."""
    view = current_app.view_functions.get(request.endpoint or "")
    request.max_content_length = getattr(view, "jixiao_max_body", BODY_MAX)
    errors: dict[str, list[str]] = {}
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and BAD_CHARACTER.search(value):
            errors[name] = [BAD_TEXT]
    for name, value in request.args.items(multi=True):
        if BAD_CHARACTER.search(name) or BAD_CHARACTER.search(value):
            errors[name if not BAD_CHARACTER.search(name) else "query"] = [BAD_TEXT]
    if errors:
        raise _refuse(DomainError, errors, "请求地址或参数无效 (bad path or query)")
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        _check_json_body()


def _check_json_body() -> None:
    raw = request.get_data(cache=True)  # 413 here when the body is over the view's limit
    if nested_too_deep(raw):
        raise DomainError(f"JSON 嵌套不能超过 {DEPTH_MAX} 层,括号须配对 "
                          f"(nested deeper than {DEPTH_MAX} levels or unbalanced)",
                          {"body": [f"嵌套超过 {DEPTH_MAX} 层 (nested deeper than {DEPTH_MAX} levels)"]})
    data = request.get_json(silent=True)  # parsed once; the view reads the cached result
    if not _SUSPECT.search(raw):
        return
    found: dict[str, list[str]] = {}
    for where, message in bad_values(data):
        found.setdefault(where, []).append(message)
    if found:
        raise _refuse(Invalid, found, "请求内容无效,未写入任何数据 (nothing written)")
