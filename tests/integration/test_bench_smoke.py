"""`make bench-smoke`: the benchmark end to end at 20,000 events, through the real topology.

Figures are printed, not asserted (timings depend on the machine); the test checks the
run completes, cleans up after itself and writes a results file with every figure.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

FIGURES = {
    "ingest": ["events", "events_per_s"],
    "single_post": ["p50_ms", "p95_ms"],
    "revoke": ["p50_ms", "p95_ms"],
    "copy": ["rows", "rows_per_s"],
    "raw_read": ["rows", "seconds"],
    "replay": ["seconds", "peak_rss_mb"],
    "close_1": ["seconds", "employees"],
    "close_2": ["seconds", "employees"],
    "correction": ["p50_s", "max_s"],
    "worker_rss": ["max_mb"],
}
REPORTS = ("department_html", "department_xlsx", "annual_xlsx")


def bench_databases() -> set[str]:
    engine = create_engine(PG_ADMIN_URL)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'jixiao_bench_%'"))
        found = set(names.scalars())
    engine.dispose()
    return found


def test_the_smoke_benchmark_runs_the_topology_and_writes_every_figure(tmp_path):
    before = bench_databases()
    run = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--results-dir", str(tmp_path),
                          "--pg", PG_ADMIN_URL], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "HTTP batch ingest" in run.stdout and "PG COPY (limit)" in run.stdout
    [path] = tmp_path.glob("*.json")
    results = json.loads(path.read_text(encoding="utf-8"))
    figures = results["figures"]
    for phase, keys in FIGURES.items():
        for key in keys:
            assert isinstance(figures[phase][key], int | float), (phase, key)
    assert 19_000 <= figures["ingest"]["events"] <= 21_000
    assert figures["close_2"]["employees"] == 200 and figures["close_2"]["workers"] == 2
    for name in REPORTS:  # measured, or said to be not available (the reports service may lag)
        report = figures["reports"][name]
        assert report["available"] is False or {"p50_ms", "p95_ms"} <= report.keys(), name
    rows = {row["figure"]: row for row in results["table"]}
    assert {"HTTP batch ingest", "full rebuild", "month close, 2 workers", "worker peak RSS"} <= rows.keys()
    assert all(row["result"] in ("PASS", "MISS", "", "N/A") for row in rows.values())
    [made] = re.findall(r"database (jixiao_bench_\w+),", run.stderr)
    assert made not in bench_databases() and made not in before  # the run's own database was dropped
