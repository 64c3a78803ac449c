"""PostgreSQL's own limits on the same data, same machine, same run.

- COPY: the event rows as the store wrote them, COPYed (psycopg `copy`) into a scratch
  table made `LIKE events INCLUDING ALL` (same columns, constraints and indexes).
- Raw read: a server-side (named) cursor over the columns the fold needs, with the
  replay's own query and order, fetching `itersize` rows at a time.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import psycopg

from services.scoring.load import FOLD_SQL, ITERSIZE

SCRATCH = "bench_events_copy"
CHUNK = 1 << 20


def libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def vacuum_analyze(db_url: str) -> float:
    """VACUUM ANALYZE the whole database: what autovacuum does after a load like this one
    (it is off on some machines, and plans made without statistics are not the product's)."""
    with psycopg.connect(libpq_url(db_url), autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("VACUUM (ANALYZE)")
        return time.perf_counter() - started


def copy_events(db_url: str, workdir: Path) -> dict[str, float]:
    """Rows/s of COPY FROM STDIN of every event row into an indexed scratch copy of `events`."""
    with psycopg.connect(libpq_url(db_url), autocommit=True) as conn, \
            tempfile.TemporaryFile(dir=workdir) as dump:
        with conn.cursor().copy("COPY (SELECT * FROM events ORDER BY position) TO STDOUT") as out:
            for data in out:
                dump.write(data)
        size = dump.tell()
        conn.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        conn.execute(f"CREATE TABLE {SCRATCH} (LIKE events INCLUDING ALL)")
        dump.seek(0)
        started = time.perf_counter()
        with conn.transaction(), conn.cursor().copy(f"COPY {SCRATCH} FROM STDIN") as into:
            while chunk := dump.read(CHUNK):
                into.write(chunk)
        seconds = time.perf_counter() - started
        rows = conn.execute(f"SELECT count(*) FROM {SCRATCH}").fetchone()
        conn.execute(f"DROP TABLE {SCRATCH}")
    n = int(rows[0]) if rows else 0
    return {"rows": n, "seconds": seconds, "rows_per_s": n / seconds if seconds else 0.0,
            "mb": size / 1e6}


def raw_read(db_url: str, itersize: int = ITERSIZE) -> dict[str, float]:
    """Seconds to stream the fold's columns of the scored events through a named cursor:
    the replay's own query (`FOLD_SQL`), so the comparison is like for like."""
    with psycopg.connect(libpq_url(db_url)) as conn:
        started = time.perf_counter()
        with conn.cursor(name="bench_raw_read") as cur:
            cur.itersize = itersize
            cur.execute(FOLD_SQL)
            n = sum(1 for _ in cur)
        seconds = time.perf_counter() - started
    return {"rows": n, "seconds": seconds, "rows_per_s": n / seconds if seconds else 0.0}
