"""What the subcommands share: the runtime and a principal for the command line."""

from __future__ import annotations

from jixiao.bootstrap import Runtime, bootstrap
from shared.auth import Principal

CLI = Principal(user="system:cli", role="admin", projects=frozenset())


def runtime() -> Runtime:
    return bootstrap()
