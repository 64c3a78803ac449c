"""The `jixiao` command. Every subcommand starts from the composition root (`bootstrap`)."""

from __future__ import annotations

from typing import Any

import click

from shared.config import ConfigError
from shared.db import DatabaseUnavailable
from shared.migrate import NotMigrated


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DatabaseUnavailable, ConfigError, NotMigrated) as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """jixiao (绩效): performance evaluation for property-management customer service.

    Settings come from the environment: DATABASE_URL (default: SQLite under ./var/),
    REDIS_URL (unset: score in-process), JIXIAO_ADMIN_TOKEN, WEB_PORT (8000),
    INCIDENTS_PORT (8001), REPORTS_PORT (8003), JIXIAO_LOG_LEVEL (INFO), JIXIAO_TODAY
    (a fixed date, for demos and tests). Logs are JSON lines on stderr.
    """


def _register() -> None:
    from jixiao.cli import access, records, run, scoring

    for module in (access, records, run, scoring):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
