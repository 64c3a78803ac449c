"""`make bench`: a group-scale year through the real topology, beside PostgreSQL's limits.

    python -m bench.run            # 50 projects × 60 employees, ~1,000,000 events
    python -m bench.run --smoke    # 5 × 40, ~20,000 events (part of the test suite)

Prints the table (every figure beside its limit, the ratio, PASS/MISS per target) and
writes bench/results/<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import pglimits, phases
from bench.client import Api, ingest, setup_org
from bench.generate import MONTHS, encode, plan_org, year_batches
from bench.report import rows, table, write_results
from bench.topology import ROOT, Topology
from shared.auth import create_token
from shared.db import Database

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Config:
    projects: int = 50
    per_project: int = 60
    events: int = 1_000_000
    seed: int = 20260101
    clients: int = 4  # concurrent batch-ingest clients
    singles: int = 300  # sequential single-event POSTs
    revokes: int = 300
    corrections: int = 5  # each is a deduction and its revocation: 2 samples
    report_requests: int = 30
    timeout: float = 900.0


SMOKE = Config(projects=5, per_project=40, events=20_000, singles=40, revokes=20, corrections=1,
               report_requests=3, timeout=120.0)
SINGLE_MONTH, CLOSE_FIRST, CLOSE_SECOND = MONTHS[5], MONTHS[2], MONTHS[3]


def prepare(cfg: Config) -> tuple[list[tuple[str, bytes]], list[str], float]:
    """The encoded batches (with idempotency keys) and the keys of the events to revoke."""
    started = time.perf_counter()
    org = plan_org(cfg.projects, cfg.per_project, cfg.seed)
    rng = random.Random(f"{cfg.seed}:revoke")
    batches, candidates = [], []
    for b, batch in enumerate(year_batches(org, cfg.events, cfg.seed)):
        key = f"bench-{b:05d}"
        batches.append((key, encode(batch)))
        i = rng.randrange(len(batch))
        if batch[i]["type"] == "deduction":
            candidates.append(f"{key}#{i}")
    keys = rng.sample(candidates, min(cfg.revokes, len(candidates)))
    return batches, keys, time.perf_counter() - started


def tokens(db_url: str, projects: list[str]) -> dict[str, str]:
    db = Database(db_url)
    with db.write() as conn:
        out = {"lead": create_token(conn, "bench-lead", "lead", projects[:1]),
               "supervisor": create_token(conn, "bench-supervisor", "supervisor", projects),
               "manager": create_token(conn, "bench-manager", "manager", projects[:1])}
    db.dispose()
    return out


def replay(db_url: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bench.replay", db_url], cwd=ROOT,  # noqa: S603
                         check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure(cfg: Config, topo: Topology, workdir: Path, log: Any) -> dict[str, Any]:
    org = plan_org(cfg.projects, cfg.per_project, cfg.seed)
    f: dict[str, Any] = {}
    batches, revoke_keys, f["generate_seconds"] = prepare(cfg)
    admin = Api(topo.incidents_url, topo.admin_token)
    f["setup_org_seconds"] = setup_org(admin, org)
    log(f"org: {len(org.projects)} projects, {len(org.people)} employees; ingesting {len(batches)} batches")
    f["ingest"] = ingest(admin, batches, cfg.clients)
    del batches
    log(f"ingest: {f['ingest']['events']:,} events at {f['ingest']['events_per_s']:,.0f}/s")
    f["vacuum_analyze_seconds"] = pglimits.vacuum_analyze(topo.db_url)  # as autovacuum would have
    tok = tokens(topo.db_url, [code for code, _ in org.projects])
    f["single_post"] = phases.single_posts(admin.as_(tok["lead"]), org, SINGLE_MONTH, cfg.singles, cfg.seed)
    db = Database(topo.db_url)
    f["revoke"] = phases.revocations(admin.as_(tok["supervisor"]), db, revoke_keys)
    f["copy"] = pglimits.copy_events(topo.db_url, workdir)
    f["raw_read"] = pglimits.raw_read(topo.db_url)
    log(f"PG: COPY {f['copy']['rows_per_s']:,.0f} rows/s, raw read {f['raw_read']['seconds']:.1f} s")
    f["replay"] = replay(topo.db_url)
    log(f"rebuild: {f['replay']['seconds']:.1f} s")
    topo.start_worker()
    f["close_1"] = {**phases.close_month(admin, db, org, CLOSE_FIRST, cfg.timeout), "workers": 1}
    topo.start_worker()
    f["close_2"] = {**phases.close_month(admin, db, org, CLOSE_SECOND, cfg.timeout), "workers": 2}
    log(f"close: 1 worker {f['close_1']['seconds']:.1f} s, 2 workers {f['close_2']['seconds']:.1f} s")
    reports = Api(topo.reports_url, tok["manager"])
    via_api = phases.has_route(topo, "/api/v1/scores/{employee_no}/{period}")
    f["correction"] = phases.corrections(admin.as_(tok["manager"]), reports if via_api else None,
                                         db, org, CLOSE_FIRST, cfg.corrections, cfg.timeout)
    log(f"corrections: p50 {f['correction']['p50_s']:.2f} s, max {f['correction']['max_s']:.2f} s")
    f["reports"] = phases.report_timings(reports, org, CLOSE_FIRST, cfg.report_requests)
    rss = topo.worker_peak_rss_mb()
    f["worker_rss"] = {"max_mb": max(rss.values(), default=0.0), "processes": rss}
    db.dispose()
    return f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="the 20,000-event run of the test suite")
    parser.add_argument("--events", type=int)
    parser.add_argument("--projects", type=int)
    parser.add_argument("--per-project", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    parser.add_argument("--pg", default=os.environ.get("JIXIAO_BENCH_PG",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--redis", default=os.environ.get("JIXIAO_BENCH_REDIS", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args(argv)
    cfg = SMOKE if args.smoke else Config()
    overrides = {k: v for k, v in {"events": args.events, "projects": args.projects, "seed": args.seed,
                                   "per_project": args.per_project}.items()
                 if v is not None}
    cfg = replace(cfg, **overrides)

    def log(msg: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp, \
            Topology(args.pg, args.redis, Path(tmp), keep=args.keep) as topo:
        log(f"database {topo.name}, redis prefix {topo.prefix}")
        figures = measure(cfg, topo, Path(tmp), log)
    meta = {"config": asdict(cfg), "smoke": args.smoke, "cpus": os.cpu_count(), "database": topo.name,
            "kept": args.keep, "wall_seconds": time.perf_counter() - started,
            "months": {"single_posts": SINGLE_MONTH, "close_1_worker": CLOSE_FIRST,
                       "close_2_workers": CLOSE_SECOND, "corrections": CLOSE_FIRST}}
    out = write_results(args.results_dir, meta, figures)
    print(table(rows(figures)))
    print(f"\nresults: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
