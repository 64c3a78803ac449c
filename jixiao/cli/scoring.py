"""Scoring on request: recompute a month, or rebuild every read model from the log."""

from __future__ import annotations

import time
from typing import Any

import click

from jixiao.cli.common import CLI, runtime
from shared.db import Database


@click.command()
@click.option("--period", required=True, help="Month to recompute, YYYY-MM.")
@click.option("--project", default=None, help="One project (default: all).")
def recompute(period: str, project: str | None) -> None:
    """Recompute a month's scores and rankings, with a progress bar."""
    from shared.commands.periods import request_recompute
    from shared.domain.periods import is_month
    from shared.errors import DomainError

    if not is_month(period):
        raise click.BadParameter("must be YYYY-MM", param_hint="--period")
    rt = runtime()
    try:
        task_id = request_recompute(rt.db, CLI, period, project, rt.settings.now())
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    rt.score_now()
    _follow(rt.db, task_id)


@click.command()
@click.option("--workers", default=None, type=click.IntRange(1, 16),
              help="Processes folding the log (PostgreSQL; default one per CPU, at most 4).")
def rebuild(workers: int | None) -> None:
    """Drop every read model and rebuild it from the event log, with a progress bar.

    Stop the scoring workers first; the result equals what they publish incrementally.
    """
    from services.scoring.rebuild import rebuild as rebuild_all

    rt = runtime()
    bars: dict[str, Any] = {}
    open_bars: list[Any] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in bars:
            while open_bars:  # stages run one after another: finish the one before
                open_bars.pop().render_finish()
            bars[stage] = click.progressbar(length=max(total, 1), label=f"{stage:<8}")
            open_bars.append(bars[stage])
        bar = bars[stage]
        bar.update(max(0, done - bar.pos))

    stats = rebuild_all(rt.db, rt.settings.clock, workers, progress)
    while open_bars:
        open_bars.pop().render_finish()
    click.echo(f"rebuilt up to position {stats.position}: {stats.months_scored} employee-months with events, "
               f"{stats.perfect_months} perfect months, {stats.rankings} rankings, "
               f"{stats.annual} annual composites ({stats.shards} process(es))")


def _follow(database: Database, task_id: str, timeout: float = 3600) -> None:
    from shared.tasklog import get_task

    deadline = time.monotonic() + timeout
    task: dict[str, Any] = {"state": "PENDING", "progress": {}}
    with click.progressbar(length=1, label=f"task {task_id[:8]}") as bar:
        done_seen = 0
        while time.monotonic() < deadline:
            with database.read() as conn:
                task = get_task(conn, task_id) or task
            bar.length = max(1, int(task["progress"].get("total") or 1))
            done = int(task["progress"].get("done") or 0)
            bar.update(done - done_seen)
            done_seen = done
            if task["state"] in ("SUCCESS", "FAILURE"):
                break
            time.sleep(0.5)
    if task["state"] != "SUCCESS":
        raise click.ClickException(f"task {task_id} ended {task['state']}: {task.get('error') or 'timed out'}")
    click.echo(f"done: {task['result']}")


COMMANDS = [recompute, rebuild]
