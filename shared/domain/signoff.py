"""The sign-off of a monthly sheet (SPEC §4.8–10): its order, and a signature that covers a score.

Self-assessment → 经理初评 (after the month is closed) → 总经理审核 → 被考核人签字; a template may
declare fewer of the last three, and the order still holds. A signature records what it
covered (T, the item scores, the awards and the ranking consequences); when any of them
changes afterwards, the signature lapses, the status falls back to the last stage still
valid, and the employee is asked to sign again. Pure: events and published values in,
state out. Both the write side (to refuse steps out of order) and the read side (to show
progress) use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain import events as ev
from shared.domain.events import RecordedEvent

STATUSES: tuple[str, ...] = ("draft", "self_assessed", "reviewed", "approved", "acknowledged")
STEP_LABELS = {"self": "自评", "close": "月结(结账)", "manager": "经理初评", "gm": "总经理审核",
               "acknowledgement": "被考核人签字"}
SIGNOFF_TYPES = (ev.SELF_ASSESSMENT, ev.REVIEW, ev.ACKNOWLEDGEMENT)


@dataclass(frozen=True)
class Step:
    """One recorded sign-off step: who, when, what they said."""

    event_id: str
    position: int
    actor: str
    actor_name: str
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class Signature:
    step: Step
    covers: Mapping[str, Any]
    changes: tuple[tuple[str, Any, Any], ...]  # (what, as signed, as now); empty while it holds

    @property
    def valid(self) -> bool:
        return not self.changes


@dataclass(frozen=True)
class SignOff:
    stages: tuple[str, ...]
    self_assessment: Step | None
    manager: Step | None
    gm: Step | None
    signatures: tuple[Signature, ...]  # every signature, oldest first (the trail)

    @property
    def signature(self) -> Signature | None:
        return self.signatures[-1] if self.signatures else None

    @property
    def signed(self) -> bool:
        """Signed, and the signature still covers the score as it is."""
        return self.signature is not None and self.signature.valid

    @property
    def lapsed(self) -> bool:
        """Signed once, but the score changed since: 已更正，待重新签字."""
        return self.signature is not None and not self.signature.valid

    @property
    def status(self) -> str:
        """The last stage still valid (SPEC §4.8)."""
        if self.signed:
            return "acknowledged"
        if self.gm is not None:
            return "approved"
        if self.manager is not None:
            return "reviewed"
        return "self_assessed" if self.self_assessment is not None else "draft"

    def missing_before(self, step: str, closed: bool) -> str | None:
        """The step that must come first before `step` can be recorded, or None if it may.

        `step` is "self", "manager", "gm" or "acknowledgement"; `closed` says whether the month
        is closed. The answer is a key of STEP_LABELS.
        """
        if step == "self":
            return None
        order = [s for s in ("manager", "gm", "acknowledgement") if s in self.stages]
        if step not in order:
            return step  # the template has no such stage
        done = {"manager": self.manager is not None, "gm": self.gm is not None}
        for earlier in order[:order.index(step)]:
            if not done.get(earlier, True):
                return earlier
        return None if closed else "close"


def covered(doc: Mapping[str, Any] | None, ranking: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a signature covers: T, each item's score, the awards, the ranking consequences."""
    if doc is None:
        return {}
    row = ranking or {}
    return {
        "final": doc.get("final"),
        "items": {i["code"]: i["score"] for i in doc.get("items", [])},
        "awards": sorted(doc.get("awards", [])),
        "consequences": sorted(row.get("consequences") or []),
        "payroll_adjustment": row.get("payroll_adjustment") or 0,
        "improvement_due": row.get("improvement_due"),
    }


def differences(signed: Mapping[str, Any], now: Mapping[str, Any]) -> tuple[tuple[str, Any, Any], ...]:
    """(what, as signed, as now) for every covered value that changed."""
    out: list[tuple[str, Any, Any]] = []
    for key in ("final", "awards", "consequences", "payroll_adjustment", "improvement_due"):
        if signed.get(key) != now.get(key):
            out.append((key, signed.get(key), now.get(key)))
    items_then, items_now = signed.get("items") or {}, now.get("items") or {}
    for code in sorted(set(items_then) | set(items_now)):
        if items_then.get(code) != items_now.get(code):
            out.append((f"items.{code}", items_then.get(code), items_now.get(code)))
    return tuple(out)


def _step(e: RecordedEvent) -> Step:
    return Step(e.id, e.position, e.actor or "", str(e.metadata.get("actor_name") or e.actor or ""),
                e.recorded_at, str(e.payload.get("comment") or e.payload.get("analysis") or ""))


def live_events(found: Iterable[RecordedEvent]) -> list[RecordedEvent]:
    """The events not revoked, by position (revocations themselves left out)."""
    events = sorted({e.id: e for e in found}.values(), key=lambda e: e.position)
    revoked = {str(e.payload.get("event_id")) for e in events if e.type == ev.REVOCATION}
    return [e for e in events if e.id not in revoked and e.type != ev.REVOCATION]


def signoff(stages: Iterable[str], found: Iterable[RecordedEvent], now: Mapping[str, Any]) -> SignOff:
    """The sign-off of one employee-month from its events, against what is published `now`
    (see `covered`)."""
    live = live_events(found)

    def latest(kind: str, stage: str | None = None) -> Step | None:
        hits = [e for e in live if e.type == kind and (stage is None or e.payload.get("stage") == stage)]
        return _step(hits[-1]) if hits else None

    signatures = tuple(Signature(_step(e), dict(e.payload.get("covers") or {}),
                                 differences(e.payload.get("covers") or {}, now))
                       for e in live if e.type == ev.ACKNOWLEDGEMENT)
    return SignOff(tuple(stages), latest(ev.SELF_ASSESSMENT), latest(ev.REVIEW, "manager"),
                   latest(ev.REVIEW, "gm"), signatures)
