"""Settings: every environment variable jixiao reads, read once and validated.

The composition root (`jixiao.bootstrap`) calls `Settings.from_env()` once per process and
hands the values down; nothing else reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from shared.clock import Clock

_T = TypeVar("_T")


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says what to set."""


def default_database_url(base: Path | None = None) -> str:
    var = (base or Path.cwd()) / "var"
    return f"sqlite:///{var / 'jixiao.db'}"


def _parsed(env: Mapping[str, str], name: str, default: _T, parse: Callable[[str], _T], hint: str) -> _T:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {hint}") from None


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    port = _parsed(env, name, default, int, f"a port number; set it to e.g. {default}")
    if not 0 < port < 65536:
        raise ConfigError(f"{name}={port} is outside 1-65535")
    return port


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    value = _parsed(env, name, default, float, "a number of seconds")
    if value <= 0:
        raise ConfigError(f"{name}={value} must be greater than 0")
    return value


def _today(env: Mapping[str, str]) -> date | None:
    return _parsed(env, "JIXIAO_TODAY", None, date.fromisoformat, "a date (YYYY-MM-DD)")


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None = None
    admin_token: str | None = None
    incidents_port: int = 8001
    reports_port: int = 8003
    web_port: int = 8000
    redis_prefix: str = "jixiao"
    log_level: str = "INFO"
    visibility_timeout: int = 1800
    task_time_limit: int = 300
    task_stale_seconds: float = 60.0
    relay_interval: float = 0.5
    beat_lock_timeout: int = 60
    secret_key: str | None = None
    today: date | None = None  # a fixed "today" (tests, demos, benchmarks); None: the real date
    clock: Clock = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "clock", Clock(self.today))
        if self.task_time_limit < 1:
            raise ConfigError("JIXIAO_TASK_TIME_LIMIT must be at least 1 s")
        if self.visibility_timeout <= self.task_time_limit:
            raise ConfigError("JIXIAO_VISIBILITY_TIMEOUT must be longer than JIXIAO_TASK_TIME_LIMIT, "
                              "or Redis redelivers tasks that are still running")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            redis_url=env.get("REDIS_URL") or None,
            admin_token=env.get("JIXIAO_ADMIN_TOKEN") or None,
            incidents_port=_port(env, "INCIDENTS_PORT", 8001),
            reports_port=_port(env, "REPORTS_PORT", 8003),
            web_port=_port(env, "WEB_PORT", 8000),
            redis_prefix=env.get("JIXIAO_REDIS_PREFIX") or "jixiao",
            log_level=(env.get("JIXIAO_LOG_LEVEL") or "INFO").upper(),
            visibility_timeout=_parsed(env, "JIXIAO_VISIBILITY_TIMEOUT", 1800, int, "a number of seconds"),
            task_time_limit=_parsed(env, "JIXIAO_TASK_TIME_LIMIT", 300, int, "a number of seconds"),
            task_stale_seconds=_positive(env, "JIXIAO_TASK_STALE_SECONDS", 60.0),
            relay_interval=_positive(env, "JIXIAO_RELAY_INTERVAL", 0.5),
            beat_lock_timeout=_parsed(env, "JIXIAO_BEAT_LOCK_TIMEOUT", 60, int, "a number of seconds"),
            secret_key=env.get("JIXIAO_SECRET_KEY") or None,
            today=_today(env),
        )

    @property
    def embedded(self) -> bool:
        """No broker: scoring runs in-process (the one-machine install)."""
        return self.redis_url is None

    def now(self) -> datetime:
        return self.clock.now()
