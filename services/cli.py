"""The `jixiao` command: serve, worker, beat, db upgrade, token create, demo, recompute, verify."""

from __future__ import annotations

import sys
import threading
from typing import Any

import click

from shared.config import ConfigError, Settings
from shared.db import Database, DatabaseUnavailable


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _database(settings: Settings) -> Database:
    return Database(settings.database_url)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseUnavailable as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """jixiao (绩效): performance evaluation for property-management customer service."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema, then publish the shipped seed templates."""
    from shared.migrate import upgrade
    from shared.seeding import install_seed_templates

    settings = _settings()
    database = _database(settings)
    upgrade(database)
    added = install_seed_templates(database)
    click.echo(f"schema at head; seed templates added: {', '.join(added) or 'none (already there)'}")


@main.group()
def token() -> None:
    """Bearer tokens."""


@token.command("create")
@click.option("--user", required=True, help="User name; for --role employee, the employee's 工号.")
@click.option("--role", required=True, type=click.Choice(
    ["employee", "lead", "supervisor", "manager", "gm", "auditor", "admin"]))
@click.option("--project", "projects", multiple=True, help="Project code in scope (repeatable).")
def token_create(user: str, role: str, projects: tuple[str, ...]) -> None:
    """Create a token and print it (it is stored hashed and cannot be shown again)."""
    from shared.auth import create_token

    database = _database(_settings())
    try:
        with database.write() as conn:
            click.echo(create_token(conn, user, role, projects))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
def verify() -> None:
    """Walk the event hash chain; exit 0 only if it is intact."""
    from shared.eventstore import EventStore

    database = _database(_settings())
    with database.read() as conn:
        checked, bad = EventStore(conn).verify()
    if bad is None:
        click.echo(f"chain intact: {checked} events verified")
        return
    click.echo(f"TAMPERED at position {bad.position} (event {bad.event_id}): {bad.reason}; "
               f"{checked} events before it verified", err=True)
    sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(host: str) -> None:
    """Run both web services (incidents on INCIDENTS_PORT, reports on REPORTS_PORT)."""
    from werkzeug.serving import make_server

    from services.incidents.app import create_app as incidents_app
    from services.reports.app import create_app as reports_app
    from shared.migrate import upgrade
    from shared.seeding import install_seed_templates

    settings = _settings()
    database = _database(settings)
    upgrade(database)
    install_seed_templates(database)
    servers = [
        make_server(host, settings.incidents_port, incidents_app(settings, database), threaded=True),
        make_server(host, settings.reports_port, reports_app(settings, database), threaded=True),
    ]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    click.echo(f"incidents: http://{host}:{settings.incidents_port}/openapi.json")
    click.echo(f"reports:   http://{host}:{settings.reports_port}/openapi.json")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for s in servers:
            s.shutdown()
