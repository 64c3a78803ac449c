"""Full rebuild in a process of its own: `jixiao rebuild`'s code, from position 0.

`python -m bench.replay DATABASE_URL` prints one JSON line: the seconds the rebuild took
and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import asdict

from bench.generate import TODAY
from services.scoring.rebuild import rebuild
from shared.clock import Clock
from shared.db import Database


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.replay")
    parser.add_argument("url")
    args = parser.parse_args(argv)
    db = Database(args.url)
    started = time.perf_counter()
    stats = rebuild(db, Clock(TODAY))
    seconds = time.perf_counter() - started
    db.dispose()
    # ru_maxrss of RUSAGE_CHILDREN is the largest of the shard processes
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": round(peak, 1), "stats": asdict(stats)}))


if __name__ == "__main__":
    main()
