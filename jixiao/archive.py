"""Archive exports: copy the log and the read models out as JSON Lines. Never deletes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from shared.db import Database
from shared.eventstore import EventStore, hash_body
from shared.hashing import plain
from shared.tables import annual_scores, ranking_revisions, rankings, score_revisions, scores


def _write(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(plain(row), ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def _events(conn: Connection, year: str | None) -> Iterator[dict[str, Any]]:
    for e in EventStore(conn).iter_all():
        if year is None or (e.period or "").startswith(year):
            yield {**hash_body(e), "prev_hash": e.prev_hash, "hash": e.hash}


def _rows(conn: Connection, table: Table, column: str, year: str | None) -> Iterator[dict[str, Any]]:
    q = select(table)
    if year is not None:
        q = q.where(table.c[column].like(f"{year}%"))
    for row in conn.execute(q):
        yield dict(row._mapping)


def export_archive(db: Database, out: Path, year: str | None = None) -> dict[str, Any]:
    """Write events.jsonl, scores.jsonl, score_revisions.jsonl, rankings.jsonl,
    ranking_revisions.jsonl, annual.jsonl
    and manifest.json into `out`; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    with db.read() as conn:
        head_position, head_hash = EventStore(conn).head()
        counts = {
            "events": _write(out / "events.jsonl", _events(conn, year)),
            "scores": _write(out / "scores.jsonl", _rows(conn, scores, "period", year)),
            "score_revisions": _write(out / "score_revisions.jsonl", _rows(conn, score_revisions, "period", year)),
            "rankings": _write(out / "rankings.jsonl", _rows(conn, rankings, "period", year)),
            "ranking_revisions": _write(out / "ranking_revisions.jsonl",
                                        _rows(conn, ranking_revisions, "period", year)),
            "annual": _write(out / "annual.jsonl", _rows(conn, annual_scores, "year", year)),
        }
    manifest = {"exported_at": datetime.now(UTC).isoformat(), "year": year, "counts": counts,
                "chain_head": {"position": head_position, "hash": head_hash},
                "note": "copy only: nothing was deleted; each event carries prev_hash and hash"}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest
