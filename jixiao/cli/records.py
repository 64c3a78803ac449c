"""The database and the records in it: schema, demo, verify, archive export."""

from __future__ import annotations

import re
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

    rt = runtime(create=True)
    upgrade(rt.db)
    added = install_seed_templates(rt.db)
    click.echo(f"schema at head; seed templates added: {', '.join(added) or 'none (already there)'}")


@click.command()
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same group.")
def demo(seed: int) -> None:
    """Load a realistic demo group: 3 projects, 42 employees, 6 months of incidents, closed months."""
    from demo.load import load_demo
    from shared.migrate import upgrade

    rt = runtime(create=True)
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
    head = manifest["chain_head"]
    click.echo(f"exported to {out}: {manifest['counts']}; chain head {head['position']}:{head['hash']} "
               "(check it later with `jixiao verify --head`)")


@click.command()
@click.option("--head", "head", default=None, metavar="[POSITION:]HASH",
              help="A head printed by an earlier `jixiao verify` (or an export's chain_head): "
                   "fail unless that event is still in the chain at its position.")
def verify(head: str | None) -> None:
    """Walk the event hash chain; exit 0 only if it is intact (and holds the recorded head).

    Prints the current head (position and hash). Record it every day; a later
    `jixiao verify --head HASH` fails when events up to that head were deleted or rewritten
    since, and passes when events were only appended after it.
    """
    from shared.eventstore import EventStore

    wanted = _recorded_head(head) if head else None
    with runtime().db.read() as conn:
        store = EventStore(conn)
        checked, bad = store.verify()
        position, digest = store.head()
        found = store.position_of(wanted[1]) if wanted else None
    if bad is not None:
        click.echo(f"TAMPERED at position {bad.position} (event {bad.event_id}): {bad.reason}; "
                   f"{checked} events before it verified", err=True)
        sys.exit(1)
    click.echo(f"chain intact: {checked} events verified")
    click.echo(f"head: position {position} hash {digest}")
    if wanted is None:
        return
    expected_position, recorded = wanted
    if found is None or (expected_position is not None and found != expected_position):
        where = f"at position {expected_position} " if expected_position is not None else ""
        click.echo(f"HEAD MISSING: the recorded head {recorded} is no longer in the chain {where}"
                   "(events up to it were deleted or rewritten since it was recorded)", err=True)
        sys.exit(1)
    click.echo(f"recorded head found at position {found}; {position - found} events appended since")


def _recorded_head(value: str) -> tuple[int | None, str]:
    """`HASH` or `POSITION:HASH` (a sha256 in hex), as `verify` and the export print it."""
    position, _, digest = value.rpartition(":")
    digest = digest.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digest) or (position and not position.isdigit()):
        raise click.BadParameter("expected HASH or POSITION:HASH (64 hex digits)", param_hint="--head")
    return (int(position) if position else None), digest


COMMANDS = [db, demo, export, verify]
