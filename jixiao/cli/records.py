"""The database and the records in it: schema, demo, verify, archive export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jixiao.cli.common import runtime


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema, then publish the shipped seed templates."""
    from shared.migrate import upgrade
    from shared.seeding import install_seed_templates

    rt = runtime()
    upgrade(rt.db)
    added = install_seed_templates(rt.db)
    click.echo(f"schema at head; seed templates added: {', '.join(added) or 'none (already there)'}")


@click.command()
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same group.")
def demo(seed: int) -> None:
    """Load a realistic demo group: 3 projects, 42 employees, 6 months of incidents, closed months."""
    from demo.load import load_demo
    from shared.migrate import upgrade

    rt = runtime()
    upgrade(rt.db)
    summary = load_demo(rt.db, rt.settings.clock, seed=seed)
    for line in summary.lines():
        click.echo(line)


@click.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder to write into.")
@click.option("--year", default=None, help="Only this year's periods (YYYY); default everything.")
def export(out: str, year: str | None) -> None:
    """Archive: write events (with hashes) and read models as JSON Lines. Deletes nothing."""
    from jixiao.archive import export_archive

    if year is not None and not (len(year) == 4 and year.isdigit()):
        raise click.BadParameter("must be YYYY", param_hint="--year")
    manifest = export_archive(runtime().db, Path(out), year)
    click.echo(f"exported to {out}: {manifest['counts']}; chain head {manifest['chain_head']}")


@click.command()
def verify() -> None:
    """Walk the event hash chain; exit 0 only if it is intact."""
    from shared.eventstore import EventStore

    with runtime().db.read() as conn:
        checked, bad = EventStore(conn).verify()
    if bad is None:
        click.echo(f"chain intact: {checked} events verified")
        return
    click.echo(f"TAMPERED at position {bad.position} (event {bad.event_id}): {bad.reason}; "
               f"{checked} events before it verified", err=True)
    sys.exit(1)


COMMANDS = [db, demo, export, verify]
