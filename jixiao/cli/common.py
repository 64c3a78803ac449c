"""What the subcommands share: the runtime and a principal for the command line."""

from __future__ import annotations

import click

from jixiao.bootstrap import Runtime, bootstrap
from shared.auth import Principal
from shared.config import Settings
from shared.db import safe_url

CLI = Principal(user="system:cli", role="admin", projects=frozenset())


def runtime(*, create: bool = False) -> Runtime:
    """The runtime, after saying on stderr which DATABASE_URL it uses (password hidden).

    Only `db upgrade`, `serve` and `demo` pass `create` (they create and migrate the
    database); every other command needs a migrated database and creates nothing.
    """
    from shared.migrate import require_migrated

    settings = Settings.from_env()
    click.echo(f"DATABASE_URL={safe_url(settings.database_url)}", err=True)
    db = None if create else require_migrated(settings.database_url)
    return bootstrap(settings, db)
