"""Settings, read once from the environment by each factory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says what to set."""


def default_database_url(base: Path | None = None) -> str:
    var = (base or Path.cwd()) / "var"
    return f"sqlite:///{var / 'jixiao.db'}"


def _port(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a port number; set it to e.g. {default}") from None
    if not 0 < port < 65536:
        raise ConfigError(f"{name}={port} is outside 1-65535")
    return port


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None = None
    admin_token: str | None = None
    incidents_port: int = 8001
    reports_port: int = 8003
    redis_prefix: str = "jixiao"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            redis_url=env.get("REDIS_URL") or None,
            admin_token=env.get("JIXIAO_ADMIN_TOKEN") or None,
            incidents_port=_port(env, "INCIDENTS_PORT", 8001),
            reports_port=_port(env, "REPORTS_PORT", 8003),
            redis_prefix=env.get("JIXIAO_REDIS_PREFIX", "jixiao"),
            log_level=env.get("JIXIAO_LOG_LEVEL", "INFO"),
        )

    @property
    def embedded(self) -> bool:
        """No broker: scoring runs in-process (the one-machine install)."""
        return self.redis_url is None
