"""Who may use jixiao: bearer tokens."""

from __future__ import annotations

import click

from jixiao.cli.common import runtime
from shared.auth import ROLES


@click.group()
def token() -> None:
    """Bearer tokens (for integrations and scripts)."""


@token.command("create")
@click.option("--user", required=True, help="User name; for --role employee, the employee's 工号.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--project", "projects", multiple=True, help="Project code in scope (repeatable).")
def token_create(user: str, role: str, projects: tuple[str, ...]) -> None:
    """Create a token and print it (it is stored hashed and cannot be shown again)."""
    from shared.auth import create_token

    rt = runtime()
    try:
        with rt.db.write() as conn:
            click.echo(create_token(conn, user, role, projects))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


COMMANDS = [token]
