"""What both Flask services share: problem+json errors, bearer auth, health probes."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, current_app, g, jsonify, request, session
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from shared import limits
from shared.auth import Principal, authenticate
from shared.config import Settings
from shared.db import Database, DatabaseUnavailable
from shared.errors import DomainError, Forbidden, Unauthorized, flatten_messages
from shared.guard import JixiaoRequest, check_request
from shared.openapi import (
    CONVERTERS,
    Problem,
    document_converters,
    document_problems,
    register_problem_responses,
)
from shared.openapi import (
    as_json as openapi_json,
)
from shared.sessions import DatabaseSessions

log = logging.getLogger("jixiao.web")
access = logging.getLogger("jixiao.access")
PROBLEM = "application/problem+json"
F = TypeVar("F", bound=Callable[..., Any])


def problem(status: int, title: str, detail: str = "", errors: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Any:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = PROBLEM
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _flatten_webargs(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {...}}); name the field itself, by its
    dotted path, and the body as `body` (not marshmallow's `_schema`)."""
    flat: dict[str, Any] = {}
    for location, value in errors.items():
        if isinstance(value, dict):
            flat.update(flatten_messages(value))
        else:
            flat["body" if location == "json" else location] = value
    return flat


TITLES = {
    400: "请求格式错误 (Bad request)",
    401: "未认证 (Unauthorized)",
    403: "无权限 (Forbidden)",
    404: "未找到 (Not found)",
    405: "方法不允许 (Method not allowed)",
    409: "冲突 (Conflict)",
    413: "请求过大 (Payload too large)",
    415: "不支持的媒体类型 (Unsupported media type)",
    422: "数据校验失败 (Validation failed)",
    500: "服务器内部错误 (Internal server error)",
    503: "服务暂不可用 (Service unavailable)",
}


class ProblemApi(Api):
    """flask-smorest's Api, answering every error as application/problem+json, and saying so
    in /openapi.json for every operation (`shared.openapi`)."""

    ERROR_SCHEMA = Problem

    def _register_responses(self) -> None:
        register_problem_responses(self)

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        super().register_blueprint(blp, parameters=parameters, **options)
        document_problems(self)

    def _openapi_json(self) -> Any:
        return current_app.response_class(openapi_json(self.spec.to_dict()), mimetype="application/json")

    def handle_http_exception(self, error: HTTPException) -> Any:  # type: ignore[override]
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        if isinstance(errors, dict):
            errors = _flatten_webargs(errors)
        detail = data.get("message") or (error.description if code < 500 else "")
        if errors and not data.get("message"):
            detail = "; ".join(f"{k}: {v}" for k, v in list(errors.items())[:5])
        return problem(code, TITLES.get(code, error.name), str(detail or ""), errors)


def redis_ping(url: str) -> Callable[[], bool]:
    def ping() -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    return ping


def service_app(name: str, title: str, settings: Settings, db: Database) -> tuple[Flask, ProblemApi]:
    """A Flask app with the flask-smorest Api, problem+json errors, auth and health probes."""
    app = Flask(name)
    app.config.update(
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    api = ProblemApi(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer"}}}, "security": [{"bearer": []}]})
    document_converters(api)
    init_web(app, settings, db)
    return app, api


def init_web(app: Flask, settings: Settings, db: Database) -> None:
    """Error handlers, request ids and health probes shared by every web app."""
    app.request_class = JixiaoRequest
    app.url_map.converters.update(CONVERTERS)  # <month:period>, <year:year> in any app's routes
    app.extensions["jixiao_db"] = db
    app.extensions["jixiao_settings"] = settings
    if settings.redis_url:
        app.extensions["jixiao_broker_ping"] = redis_ping(settings.redis_url)
    app.config["JIXIAO_ADMIN_TOKEN"] = settings.admin_token

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if 0 < len(incoming) <= 100 and incoming.isprintable() else str(uuid.uuid4())
        g.started = time.perf_counter()

    @app.before_request
    def _business_day() -> None:
        """Schemas check dates against the business clock's day (shared.limits)."""
        g.business_day = limits.enter_day(settings.clock.today())

    @app.teardown_request
    def _end_business_day(_exc: BaseException | None) -> None:
        token = g.pop("business_day", None)
        if token is not None:
            try:
                limits.leave_day(token)
            except ValueError:  # set in another context (a streamed response): nothing to undo
                pass

    # Size, depth and characters of the request, before any view reads it (SPEC §7.9).
    app.before_request(check_request)

    @app.after_request
    def _log_request(resp: Any) -> Any:
        resp.headers["X-Request-Id"] = getattr(g, "request_id", "")
        principal = getattr(g, "principal", None)
        access.info("%s %s %s", request.method, request.path, resp.status_code, extra={
            "method": request.method, "path": request.path, "status": resp.status_code,
            "duration_ms": round((time.perf_counter() - getattr(g, "started", time.perf_counter())) * 1000, 2),
            "user": principal.user if principal else None, "service": app.name})
        return resp

    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> Any:
        return problem(err.status, err.title, err.detail, err.errors)

    @app.errorhandler(DatabaseUnavailable)
    def _db_down(err: DatabaseUnavailable) -> Any:
        log.error("database unavailable: %s", err)
        return problem(503, TITLES[503], err.public, headers={"Retry-After": "5"})

    health = Blueprint("health", __name__)

    @health.get("/healthz")
    def healthz() -> Any:
        """The process is up."""
        return jsonify(status="ok")

    @health.get("/readyz")
    def readyz() -> Any:
        """The database answers and can be written (and the broker, when configured, answers)."""
        checks = {"database": db.ping()}
        broker = app.extensions.get("jixiao_broker_ping")
        if broker is not None:
            checks["broker"] = bool(broker())
        ok = all(checks.values())
        return jsonify(status="ok" if ok else "unavailable", checks=checks), (200 if ok else 503)

    app.register_blueprint(health)


def get_db() -> Database:
    return cast(Database, current_app.extensions["jixiao_db"])


def get_settings() -> Settings:
    return cast(Settings, current_app.extensions["jixiao_settings"])


def now() -> datetime:
    """The business clock's now (a fixed date under JIXIAO_TODAY)."""
    return get_settings().now()


def today() -> date:
    """Today in Asia/Shanghai, by the business clock."""
    return get_settings().clock.today()


def current_principal() -> Principal:
    principal = getattr(g, "principal", None)
    if principal is None:
        raise Unauthorized("需要有效的令牌 (a valid bearer token is required)")
    return cast(Principal, principal)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer` header, if any."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def session_principal() -> Principal | None:
    """The signed-in person, where the app keeps server-side sessions (the web app)."""
    if not isinstance(current_app.session_interface, DatabaseSessions):
        return None
    account = getattr(session, "account", None)
    return account.principal() if account is not None else None


def authenticated(roles: Iterable[str] | None = None) -> Callable[[F], F]:
    """Require a valid bearer token or a signed-in session and, if given, one of `roles` (else 403).

    A session counts only in the web app, whose forms all carry a CSRF token; the services'
    APIs take bearer tokens alone.
    """
    allowed = None if roles is None else frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            principal = None
            if token:
                with get_db().read_one() as conn:  # one SELECT: no transaction round trips
                    principal = authenticate(conn, token, current_app.config.get("JIXIAO_ADMIN_TOKEN"))
            else:
                principal = session_principal()
            if principal is None:
                return problem(401, TITLES[401], "需要登录或有效的令牌 (sign in, or send a valid bearer token)",
                               headers={"WWW-Authenticate": 'Bearer realm="jixiao"'})
            if allowed is not None and principal.role not in allowed:
                raise Forbidden(f"角色 {principal.role} 无权执行此操作 (role {principal.role} may not do this)")
            g.principal = principal
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
