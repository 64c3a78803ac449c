"""Read-model documents: the pure results as JSON, with full provenance."""

from __future__ import annotations

from typing import Any

from services.scoring.domain.monthly import Deduction, MonthlyResult, result_to_dict
from shared.hashing import utc_iso


def _deduction(d: Deduction) -> dict[str, Any]:
    return {
        "event_id": d.event_id, "position": d.position, "rule": d.rule, "rule_kind": d.rule_kind,
        "amount": float(d.amount), "occurred_on": d.occurred_on.isoformat() if d.occurred_on else None,
        "recorded_by": d.recorded_by, "recorded_at": utc_iso(d.recorded_at),
        "evidence": d.evidence, "source": d.source,
    }


def score_document(r: MonthlyResult, project: str, department: str) -> dict[str, Any]:
    """SPEC §7.5 plus provenance: every deducted point with its event, recorder and evidence."""
    doc = result_to_dict(r)
    for out, item in zip(doc["items"], r.items, strict=True):
        out["deductions"] = [_deduction(d) for d in item.deductions]
    doc["bonuses"] = [{"event_id": b.event_id, "code": b.code, "points": float(b.points),
                       "evidence": b.evidence} for b in r.bonuses]
    doc["event_ids"] = list(r.event_ids)
    doc["project"], doc["department"] = project, department
    return doc


def changed_events(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """The events that entered or left the result: what caused a revision."""
    before = set(old["event_ids"]) if old else set()
    after = set(new["event_ids"])
    added = [e for e in new["event_ids"] if e not in before]
    removed = [e for e in (old or {}).get("event_ids", []) if e not in after]
    return added + removed
