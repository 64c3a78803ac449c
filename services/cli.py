"""The `jixiao` command: serve, worker, beat, db upgrade, token create, demo, recompute, verify."""

from __future__ import annotations

import os
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
    """jixiao (绩效): performance evaluation for property-management customer service.

    Settings come from the environment: DATABASE_URL (default: SQLite under ./var/),
    REDIS_URL (unset: score in-process), JIXIAO_ADMIN_TOKEN, INCIDENTS_PORT (8001),
    REPORTS_PORT (8003), JIXIAO_LOG_LEVEL (INFO). Logs are JSON lines on stderr.
    """
    from shared.logs import configure_logging

    configure_logging(os.environ.get("JIXIAO_LOG_LEVEL", "INFO"))


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
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same group.")
def demo(seed: int) -> None:
    """Load a realistic demo group: 3 projects, 42 employees, 6 months of incidents, closed months."""
    from datetime import UTC, datetime

    from services.demo import load_demo
    from shared.domain.periods import today_in_shanghai
    from shared.migrate import upgrade

    database = _database(_settings())
    upgrade(database)
    summary = load_demo(database, today=today_in_shanghai(datetime.now(UTC)), seed=seed)
    for line in summary.lines():
        click.echo(line)


@main.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--year", default=None, help="Only this year's periods (YYYY); default everything.")
def export(out: str, year: str | None) -> None:
    """Archive: write events (with hashes) and read models as JSON Lines. Deletes nothing."""
    from pathlib import Path

    from services.archive import export_archive

    if year is not None and not (len(year) == 4 and year.isdigit()):
        raise click.BadParameter("must be YYYY", param_hint="--year")
    manifest = export_archive(_database(_settings()), Path(out), year)
    click.echo(f"exported to {out}: {manifest['counts']}; chain head {manifest['chain_head']}")


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
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind both services to.")
def serve(host: str) -> None:
    """Run both web services (incidents on INCIDENTS_PORT, reports on REPORTS_PORT).

    Without REDIS_URL the scoring runs in-process; with it, this only records and a
    `jixiao worker` scores.
    """
    from werkzeug.serving import make_server

    from services.incidents.app import create_app as incidents_app
    from services.reports.app import create_app as reports_app
    from services.scoring.inprocess import InProcessRunner
    from shared.migrate import upgrade
    from shared.seeding import install_seed_templates

    settings = _settings()
    database = _database(settings)
    upgrade(database)
    install_seed_templates(database)
    runner = InProcessRunner(database) if settings.embedded else None
    wake = runner.wake if runner else None
    servers = [
        make_server(host, settings.incidents_port, incidents_app(settings, database, on_write=wake), threaded=True),
        make_server(host, settings.reports_port, reports_app(settings, database), threaded=True),
    ]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if runner:
        runner.start()
    mode = "in-process scoring (no REDIS_URL)" if runner else "scoring by `jixiao worker` via Redis"
    click.echo(f"jixiao serving, {mode}")
    click.echo(f"incidents: http://{host}:{settings.incidents_port}/openapi.json")
    click.echo(f"reports:   http://{host}:{settings.reports_port}/openapi.json")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        for s in servers:
            s.shutdown()
        if runner:
            runner.stop()


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, help="Worker processes.")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int, loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Run a Celery scoring worker (needs REDIS_URL); it also relays the event log."""
    from services.scoring.celery_app import make_celery

    app = _celery(make_celery)
    app.worker_main(["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel}",
                     "--without-gossip", "--without-mingle", *celery_args])


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def beat(loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Run the month-end schedule (celery beat with a redbeat lock: one beat at a time)."""
    from services.scoring.celery_app import make_celery

    app = _celery(make_celery)
    app.start(["beat", "--scheduler=redbeat.RedBeatScheduler", f"--loglevel={loglevel}", *celery_args])


def _celery(factory: Any) -> Any:
    try:
        return factory(_settings())
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--period", required=True, help="Month to recompute, YYYY-MM.")
@click.option("--project", default=None, help="One project (default: all).")
def recompute(period: str, project: str | None) -> None:
    """Recompute a month's scores and rankings, with a progress bar."""
    from services.incidents.period_commands import request_recompute
    from services.scoring.inprocess import InProcessRunner
    from shared.domain.periods import is_month
    from shared.errors import DomainError

    if not is_month(period):
        raise click.BadParameter("must be YYYY-MM", param_hint="--period")
    settings = _settings()
    database = _database(settings)
    try:
        task_id = request_recompute(database, _system(), period, project)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    if settings.embedded:
        InProcessRunner(database).drain()
    _follow(database, task_id)


def _system() -> Any:
    from shared.auth import Principal

    return Principal(user="system:cli", role="admin", projects=frozenset())


def _follow(database: Database, task_id: str, timeout: float = 3600) -> None:
    import time

    from shared.tasklog import get_task

    deadline = time.monotonic() + timeout
    task: dict[str, Any] = {"state": "PENDING", "progress": {}}
    with click.progressbar(length=1, label=f"task {task_id[:8]}") as bar:
        done_seen = 0
        while time.monotonic() < deadline:
            with database.read() as conn:
                task = get_task(conn, task_id) or task
            total = max(1, int(task["progress"].get("total") or 1))
            bar.length = total
            done = int(task["progress"].get("done") or 0)
            bar.update(done - done_seen)
            done_seen = done
            if task["state"] in ("SUCCESS", "FAILURE"):
                break
            time.sleep(0.5)
    if task["state"] != "SUCCESS":
        raise click.ClickException(f"task {task_id} ended {task['state']}: {task.get('error') or 'timed out'}")
    click.echo(f"done: {task['result']}")
