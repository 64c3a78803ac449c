"""Full replay in a process of its own: drop every read model, rebuild from position 0.

`python -m bench.replay DATABASE_URL [--mode bulk|incremental]` prints one JSON line:
the seconds the rebuild took and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from sqlalchemy import delete

from shared.db import Database
from shared.tables import annual_scores, checkpoints, rankings, score_revisions, scores


def clear_read_models(db: Database) -> None:
    with db.update() as conn:
        for table in (scores, score_revisions, rankings, annual_scores):
            conn.execute(delete(table))
        conn.execute(delete(checkpoints).where(checkpoints.c.name == "relay"))


def rebuild(db: Database, mode: str) -> dict[str, int]:
    if mode == "bulk":
        from dataclasses import asdict

        from services.scoring.replay import replay_all

        return asdict(replay_all(db))
    from services.scoring.inprocess import InProcessRunner
    from services.scoring.rebuild import rebuild_read_models

    rebuild_read_models(db, InProcessRunner(db))
    return {}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.replay")
    parser.add_argument("url")
    parser.add_argument("--mode", choices=["bulk", "incremental"], default="bulk")
    args = parser.parse_args(argv)
    db = Database(args.url)
    clear_read_models(db)
    started = time.perf_counter()
    stats = rebuild(db, args.mode)
    seconds = time.perf_counter() - started
    db.dispose()
    # ru_maxrss of RUSAGE_CHILDREN is the largest of the shard processes
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"seconds": seconds, "mode": args.mode, "peak_rss_mb": round(peak, 1),
                      "stats": stats}))


if __name__ == "__main__":
    main()
