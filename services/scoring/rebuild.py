"""`jixiao rebuild`: throw every read model away and publish them again from the log.

The log is read once, employee-month by employee-month, and each batch goes through the
same use case as every other path (`publish.score_batch`), into the bulk sink. Then the
perfect months, the annual composites and the rankings (each month's streaks from the
month before) are published the same way. Its result equals the incremental one
(tests/integration/test_rebuild.py).

It holds the relay's lock meanwhile, so no worker relays half a rebuild, and moves the
relay's checkpoints to where it read up to. On PostgreSQL the log is split by employee
into shards folded by processes of their own, all reading one exported snapshot; what
they wrote is removed again if any of them fails. Run it with the scoring workers stopped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Connection, delete, func, select, text

from services.scoring import load
from services.scoring.publish import (
    MonthEvents,
    employment_months,
    publish_annuals,
    rank_month,
    score_batch,
)
from services.scoring.relay import OPENED, RELAY, save_checkpoint
from services.scoring.writers import BulkSink
from shared.clock import Clock
from shared.db import Database
from shared.domain.periods import previous_month
from shared.org import OrgView
from shared.tables import (
    annual_scores,
    checkpoints,
    events,
    ranking_revisions,
    rankings,
    score_revisions,
    scores,
)

READ_MODELS = (scores, score_revisions, rankings, ranking_revisions, annual_scores)
SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+-[0-9]+$")
BATCH = 500
Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass
class RebuildStats:
    position: int = 0
    months_scored: int = 0
    perfect_months: int = 0
    rankings: int = 0
    annual: int = 0
    shards: int = 1


def _quiet(stage: str, done: int, total: int) -> None:
    return None


def clear_read_models(db: Database) -> None:
    """Throw every read model and the relay's checkpoints away (the log stays the truth)."""
    with db.update(RELAY) as conn:
        _clear(conn)


def _clear(conn: Connection) -> None:
    for table in READ_MODELS:
        conn.execute(delete(table))
    conn.execute(delete(checkpoints).where(checkpoints.c.name.in_([RELAY, OPENED])))


def rebuild(db: Database, clock: Clock, workers: int | None = None, progress: Progress = _quiet) -> RebuildStats:
    """Drop every read model and publish them again from the whole log.

    `workers`: processes folding the log (default: one per CPU, at most 4; always one on SQLite).
    """
    shards = 1 if not db.is_postgres else max(1, workers or min(os.cpu_count() or 1, 4))
    if shards > 1:  # shard processes write on their own connections: the tables must be empty first
        clear_read_models(db)
    try:
        return _rebuild(db, clock, shards, progress)
    except BaseException:
        if shards > 1:  # the shards committed on their own: take their rows out again
            clear_read_models(db)
        raise


def _rebuild(db: Database, clock: Clock, shards: int, progress: Progress) -> RebuildStats:
    now, current = clock.now(), clock.month()
    with db.read() as reader, db.update(RELAY) as writer:
        if shards == 1:  # one transaction throws the read models away and publishes them again
            _clear(writer)
        stats = RebuildStats(position=int(reader.execute(select(func.max(events.c.position))).scalar() or 0),
                             shards=shards)
        view = OrgView(reader).complete()
        _fast_compression(writer)
        total = len(view.people.employees)  # the log is read employee by employee
        progress("scores", 0, total)
        if shards == 1:
            stats.months_scored = fold_log(reader, writer, view, now, None, lambda n: progress("scores", n, total))
        else:
            exported = str(reader.execute(text("SELECT pg_export_snapshot()")).scalar())
            with ProcessPoolExecutor(shards, mp_context=get_context("spawn")) as pool:
                done = pool.map(_fold_shard, [db.url] * shards, [exported] * shards, range(shards),
                                [shards] * shards, [now] * shards)
                stats.months_scored = sum(done)
        progress("scores", total, total)
        stored = load.stored_months(writer)
        perfect: list[MonthEvents] = [(no, period, []) for no in sorted(view.people.employees)
                                      for period in employment_months(view, no, current)
                                      if (no, period) not in stored]
        with BulkSink(writer, now) as sink:
            stats.perfect_months = len(score_batch(view, perfect, sink))
        stored = load.stored_months(writer)
        progress("annual", 0, 1)
        with BulkSink(writer, now) as sink:
            stats.annual = publish_annuals(view, load.by_year(stored), sink, load.annual_inputs(reader))
            months = sorted(set(load.scored_projects(writer)) | set(view.closed_months()))
            stats.rankings = _rank_all(reader, view, sink, stored, months, progress)
        save_checkpoint(writer, RELAY, stats.position, now)
        save_checkpoint(writer, OPENED, int(current.replace("-", "")), now)
    return stats


def fold_log(reader: Connection, writer: Connection, view: OrgView, now: Any, shard: load.Shard | None,
             advance: Callable[[int], None] = lambda n: None) -> int:
    """Score every employee-month of the log (or of one shard of it); how many were scored."""
    count = employees = 0
    batch: list[MonthEvents] = []
    last = ""
    with BulkSink(writer, now) as sink:
        for (no, period), found in load.stream_months(reader, shard):
            batch.append((no, period, found))
            if no != last:
                employees, last = employees + 1, no
            if len(batch) >= BATCH:
                count += len(score_batch(view, batch, sink))
                batch = []
                advance(employees)
        count += len(score_batch(view, batch, sink))
        advance(employees)
    return count


def _fold_shard(url: str, exported: str, number: int, of: int, now: Any) -> int:
    """One process's share: the employees of shard `number`, read in the exported snapshot."""
    if not SNAPSHOT_ID.match(exported):
        raise ValueError(f"not a snapshot id: {exported!r}")
    db = Database(url, pool_size=2)
    try:
        with db.read() as reader, db.update() as writer:
            reader.execute(text(f"SET TRANSACTION SNAPSHOT '{exported}'"))
            _fast_compression(writer)
            return fold_log(reader, writer, OrgView(reader).complete(), now, load.Shard(number, of))
    finally:
        db.dispose()


def _rank_all(reader: Connection, view: OrgView, sink: BulkSink, stored: dict[load.Month, Any],
              months: list[tuple[str, str]], progress: Progress) -> int:
    """Rank each (project, period) of `months` in order: each month's streaks come from the
    month before."""
    plans = load.plans_filed(reader)
    finals: dict[str, dict[str, Any]] = {}
    for (no, period), month in stored.items():
        finals.setdefault(period, {})[no] = month
    previous: dict[tuple[str, str], dict[tuple[str, str], Any]] = {}
    for i, (project, period) in enumerate(months):
        _, rows = rank_month(view, project, period, finals.get(period, {}),
                             previous.get((project, previous_month(period)), {}),
                             plans.get((project, period), {}), sink)
        previous[(project, period)] = rows
        progress("rankings", i + 1, len(months))
    return sum(len(rows) for rows in previous.values())


def _fast_compression(conn: Connection) -> None:
    """lz4 for the documents this transaction writes, where the server has it: the same
    values, compressed several times faster than with the default pglz."""
    if conn.dialect.name == "postgresql" and conn.execute(text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")).scalar():
        conn.execute(text("SET LOCAL default_toast_compression = 'lz4'"))

