"""Full replay in bulk: every read model rebuilt from position 0 in one pass over the log.

The incremental path (`rebuild.rebuild_read_models`) follows the log through the relay
and scores employee-months one query at a time. This path reads the log once through a
server-side cursor, one employee-month after another, folds each with the same pure
functions (`month_document`, `ranking_docs`, `annual_document`) and COPYs the read
models in. Its result equals the incremental one (tests/integration/test_replay.py).

It fills empty read models (throw them away first: `clear_read_models`) and moves the
relay's checkpoint to the position it read up to, holding the relay's lock meanwhile so
no worker relays half a rebuild. On PostgreSQL the log is split by employee into shards
folded by processes of their own, all reading one exported snapshot; what they wrote is
removed again if any of them fails. Run it with the scoring workers stopped.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Connection, delete, func, select, text

from services.scoring.projection import StoredMonth, annual_document, month_document
from services.scoring.rankings import group_members, last_streaks, ranking_docs
from services.scoring.relay import RELAY
from services.scoring.replay_sink import Month, Sink, fast_compression
from services.scoring.replay_source import OrgSnapshot, Shard, stream_months
from shared.db import Database
from shared.domain.periods import previous_month
from shared.tables import annual_scores, checkpoints, events, rankings, score_revisions, scores

READ_MODELS = (scores, score_revisions, rankings, annual_scores)
SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f]+-[0-9A-Fa-f]+-[0-9]+$")


class NotEmpty(RuntimeError):
    """The read models hold rows: the bulk replay fills empty ones only."""


@dataclass
class ReplayStats:
    position: int = 0
    months_scored: int = 0
    perfect_months: int = 0
    rankings: int = 0
    annual: int = 0
    shards: int = 1


def clear_read_models(db: Database) -> None:
    """Throw every read model and the relay's checkpoint away (the log stays the truth)."""
    with db.update(RELAY) as conn:
        for table in READ_MODELS:
            conn.execute(delete(table))
        conn.execute(delete(checkpoints).where(checkpoints.c.name == RELAY))


def replay_all(db: Database, workers: int | None = None) -> ReplayStats:
    """Rebuild scores, revisions, rankings and annual composites from the whole log.

    `workers`: processes folding the log (default: one per CPU, at most 4; always one on SQLite).
    """
    shards = 1 if not db.is_postgres else max(1, workers or min(os.cpu_count() or 1, 4))
    try:
        return _replay(db, shards)
    except NotEmpty:
        raise
    except BaseException:
        if shards > 1:  # the shards committed on their own: take their rows out again
            clear_read_models(db)
        raise


def _replay(db: Database, shards: int) -> ReplayStats:
    with db.read() as reader, db.update(RELAY) as writer:
        for table in READ_MODELS:
            if writer.execute(select(func.count()).select_from(table)).scalar():
                raise NotEmpty(f"{table.name} is not empty: clear the read models first")
        stats = ReplayStats(position=int(reader.execute(select(func.max(events.c.position))).scalar() or 0),
                            shards=shards)
        snap = OrgSnapshot(reader)
        fast_compression(writer)
        if shards == 1:
            stats.months_scored = fold_months(reader, writer, snap, None)
        else:
            exported = str(reader.execute(text("SELECT pg_export_snapshot()")).scalar())
            with ProcessPoolExecutor(shards, mp_context=get_context("spawn")) as pool:
                done = pool.map(_fold_shard, [db.url] * shards, [exported] * shards, range(shards),
                                [shards] * shards)
                stats.months_scored = sum(done)
        stored, months = _stored_months(writer)
        ranked = sorted(months | set(snap.closed))
        with Sink(writer) as sink:
            stats.perfect_months = _score_perfect_months(snap, sink, ranked, set(stored))
        if stats.perfect_months:
            stored, _ = _stored_months(writer)
        with Sink(writer) as sink:
            stats.rankings = _rank(snap, sink, ranked, stored)
            stats.annual = _annual(snap, sink, stored)
        _save_checkpoint(writer, stats.position)
    return stats


def fold_months(reader: Connection, writer: Connection, snap: OrgSnapshot, shard: Shard | None) -> int:
    """Score every employee-month of the log (or of one shard of it); how many were scored."""
    count = 0
    with Sink(writer) as sink:
        for (no, period), found in stream_months(reader, shard):
            count += _score(snap, sink, no, period, found) is not None
    return count


def _fold_shard(url: str, exported: str, number: int, of: int) -> int:
    """One process's share: the employees of shard `number`, read in the exported snapshot."""
    if not SNAPSHOT_ID.match(exported):
        raise ValueError(f"not a snapshot id: {exported!r}")
    db = Database(url, pool_size=2)
    try:
        with db.read() as reader, db.update() as writer:
            reader.execute(text(f"SET TRANSACTION SNAPSHOT '{exported}'"))
            fast_compression(writer)
            return fold_months(reader, writer, OrgSnapshot(reader), Shard(number, of))
    finally:
        db.dispose()


def _score(snap: OrgSnapshot, sink: Sink, no: str, period: str, found: list[Any]) -> str | None:
    """As `score_employee_month`: the score of one employee-month, or None (no place or rubric)."""
    emp, place = snap.employee(no), snap.assignment(no, period)
    if emp is None or place is None:
        return None
    template = snap.template(emp.template, period)
    if template is None:
        return None
    doc, final = month_document(template, no, period, found, place)
    sink.score(doc, final)
    return place.project


def _score_perfect_months(snap: OrgSnapshot, sink: Sink, ranked: list[tuple[str, str]],
                          done: set[Month]) -> int:
    """Members of a ranked group with no score yet: a month without events (as `_finals` does)."""
    count = 0
    for project, period in ranked:
        for group in group_members(snap.members(period, project), snap.template, period).values():
            for m in group:
                if (m.employee_no, period) not in done and _score(snap, sink, m.employee_no, period, []):
                    done.add((m.employee_no, period))
                    count += 1
    return count


def _stored_months(conn: Connection) -> tuple[dict[Month, StoredMonth], set[tuple[str, str]]]:
    """Every stored final as the database gives it back (rounded to its column), and the
    (project, period) of every stored score."""
    rows = conn.execute(select(scores.c.employee, scores.c.period, scores.c.template, scores.c.final,
                               scores.c.position, scores.c.project))
    stored, months = {}, set()
    for r in rows:
        stored[(r.employee, r.period)] = StoredMonth(r.period, r.template, Decimal(str(r.final)), int(r.position))
        months.add((r.project, r.period))
    return stored, months


def _rank(snap: OrgSnapshot, sink: Sink, ranked: list[tuple[str, str]],
          stored: dict[Month, StoredMonth]) -> int:
    """As `rank` for every month in order: each month's streaks from the month before."""
    previous: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for project, period in ranked:
        closed = snap.closed.get((project, period))
        plans = snap.plans_filed(project, period)
        for (scope, code), group in sorted(group_members(snap.members(period, project), snap.template,
                                                         period).items()):
            template = snap.template(code, period)
            assert template is not None
            mine = {m.employee_no: stored[key] for m in group if (key := (m.employee_no, period)) in stored}
            finals = {no: s.final for no, s in mine.items()}
            streaks = last_streaks(previous.get((project, scope, code, previous_month(period))))
            docs = ranking_docs(template, code, scope, finals, closed, plans, streaks)
            previous[(project, scope, code, period)] = docs
            position = max((s.position for s in mine.values()), default=0)
            sink.ranking((project, scope, code, period), docs, closed, position)
    return len(previous)


def _annual(snap: OrgSnapshot, sink: Sink, stored: dict[Month, StoredMonth]) -> int:
    """As `refresh_annual` after the last score of each employee-year."""
    years: dict[tuple[str, str], list[StoredMonth]] = defaultdict(list)
    for (no, period), month in sorted(stored.items()):
        years[(no, period[:4])].append(month)
    count = 0
    for (no, year), months in sorted(years.items()):
        emp = snap.employee(no)
        template = None if emp is None else snap.template(emp.template, f"{year}-12")
        if emp is None or template is None:
            continue
        doc, position = annual_document(template, emp.template, no, year, months)
        sink.annual(no, year, emp.template, doc, position)
        count += 1
    return count


def _save_checkpoint(conn: Connection, position: int) -> None:
    conn.execute(delete(checkpoints).where(checkpoints.c.name == RELAY))
    conn.execute(checkpoints.insert().values(name=RELAY, position=position, updated_at=datetime.now(UTC)))
