"""Domain errors, mapped to problem+json by the web layer."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "请求错误 (Bad request)"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class Invalid(DomainError):
    status = 422
    title = "数据校验失败 (Validation failed)"

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls(f"{name}: {message}", {name: [message]})


class NotFound(DomainError):
    status = 404
    title = "未找到 (Not found)"


class Conflict(DomainError):
    status = 409
    title = "冲突 (Conflict)"


class Forbidden(DomainError):
    status = 403
    title = "无权限 (Forbidden)"


class Unauthorized(DomainError):
    status = 401
    title = "未认证 (Unauthorized)"


def flatten_messages(messages: object, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as dotted field paths: {"items.0.rules.1.min": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key == "_schema" else str(key)
            path = ".".join(p for p in (prefix, name) if p)
            for k, v in flatten_messages(value, path).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = list(messages)  # type: ignore[arg-type]
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            for k, v in flatten_messages(value, f"{prefix}.{i}" if prefix else str(i)).items():
                out.setdefault(k, []).extend(v)
    else:
        out[prefix or "body"] = [str(messages)]
    return out


def invalid_from(messages: object, prefix: str = "") -> Invalid:
    errors = flatten_messages(messages, prefix)
    detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in list(errors.items())[:5])
    return Invalid(detail, errors)
