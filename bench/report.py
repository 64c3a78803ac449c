"""Every figure beside its limit, as a ratio, PASS/MISS per target; the results JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Row:
    figure: str
    value: float | None  # None: not measurable in this run (e.g. a route not served yet)
    unit: str
    limit_name: str  # what it is compared with: PostgreSQL's own limit, or the target itself
    limit: float | None
    bound: str  # "min" (ratio must be at least `target`) or "max" (at most), "" for information
    target: float | None  # on the ratio value / limit
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.limit:
            return None
        return self.value / self.limit

    @property
    def verdict(self) -> str:
        if not self.bound or self.target is None:
            return ""
        if self.ratio is None:
            return "N/A"
        ok = self.ratio >= self.target if self.bound == "min" else self.ratio <= self.target
        if self.bound == "max" and self.figure.startswith("worker peak RSS"):
            ok = self.ratio < self.target  # "under 500 MB"
        return "PASS" if ok else "MISS"


def _get(d: dict[str, Any], *keys: str) -> float | None:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return float(d) if isinstance(d, int | float) else None


def rows(f: dict[str, Any]) -> list[Row]:
    """The table of one run from its figures (see run.py for their shape)."""
    copy_rate = _get(f, "copy", "rows_per_s")
    raw = _get(f, "raw_read", "seconds")
    out = [
        Row("HTTP batch ingest", _get(f, "ingest", "events_per_s"), "events/s", "PG COPY rows/s", copy_rate, "min", 0.20),
        Row("single POST p50", _get(f, "single_post", "p50_ms"), "ms", "target", 5.0, "max", 1.0),
        Row("single POST p95", _get(f, "single_post", "p95_ms"), "ms", "target p50", 5.0, "", None),
        Row("revoke POST p50", _get(f, "revoke", "p50_ms"), "ms", "target p50", 5.0, "", None),
        Row("full rebuild", _get(f, "replay", "seconds"), "s", "PG raw read s", raw, "max", 1.3),
        Row("month close, 1 worker", _get(f, "close_1", "seconds"), "s", "target (2 workers)", 5.0, "", None),
        Row("month close, 2 workers", _get(f, "close_2", "seconds"), "s", "target", 5.0, "max", 1.0),
        Row("correction visible p50", _get(f, "correction", "p50_s"), "s", "target", 1.0, "max", 1.0),
        Row("correction visible max", _get(f, "correction", "max_s"), "s", "target", 1.0, "max", 1.0),
    ]
    for key, label, target in (("department_html", "department HTML", 150.0),
                               ("department_xlsx", "department XLSX", 200.0),
                               ("annual_xlsx", "annual XLSX", 200.0)):
        rep = f.get("reports", {}).get(key, {})
        note = "" if rep.get("available") else "not available (route not served yet)"
        out.append(Row(f"{label} p50", _get(rep, "p50_ms"), "ms", "target p95", target, "", None, note))
        out.append(Row(f"{label} p95", _get(rep, "p95_ms"), "ms", "target", target, "max", 1.0, note))
    out += [
        Row("worker peak RSS", _get(f, "worker_rss", "max_mb"), "MB", "target", 500.0, "max", 1.0),
        Row("rebuild process peak RSS", _get(f, "replay", "peak_rss_mb"), "MB", "target (worker)", 500.0, "", None),
        Row("PG COPY (limit)", copy_rate, "rows/s", "", None, "", None),
        Row("PG raw read (limit)", raw, "s", "", None, "", None),
    ]
    return out


def _fmt(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}f}"


def table(rs: list[Row]) -> str:
    head = ("figure", "value", "unit", "compared with", "limit", "ratio", "target", "result")
    body = [(r.figure, _fmt(r.value), r.unit, r.limit_name, _fmt(r.limit), _fmt(r.ratio, 3),
             (("≥ " if r.bound == "min" else "≤ ") + _fmt(r.target)) if r.bound else "",
             r.verdict or (r.note and "n/a")) for r in rs]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in (head, tuple("-" * w for w in widths), *body)]
    notes = sorted({f"{r.figure.rsplit(' ', 1)[0]}: {r.note}" for r in rs if r.note})
    return "\n".join(lines + [""] + notes)


def write_results(results_dir: Path, meta: dict[str, Any], figures: dict[str, Any]) -> Path:
    rs = rows(figures)
    doc = {"meta": meta, "figures": figures,
           "table": [{**asdict(r), "ratio": r.ratio, "result": r.verdict} for r in rs]}
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = results_dir / f"{stamp}.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return out
