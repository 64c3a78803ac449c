"""The sign-off and the appeals of published months, read from their own events (SPEC §4.10, §6).

Neither changes a score, so neither is part of the score document: the status a result
shows is worked out here, at read time, from the events of the month and what is published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from shared import org
from shared.domain import events as ev
from shared.domain.appeals import Appeal, appeals
from shared.domain.events import RecordedEvent
from shared.domain.signoff import SIGNOFF_TYPES, SignOff, covered, signoff
from shared.domain.template import SIGNOFF_STAGES
from shared.eventstore import to_recorded
from shared.tables import events

TRAIL = (*SIGNOFF_TYPES, ev.APPEAL, ev.APPEAL_RESOLVED, ev.REVOCATION)


def trails(conn: Connection, employees: Iterable[str], period: str) -> dict[str, list[RecordedEvent]]:
    """Each employee's sign-off, appeal and revocation events of `period`, by position."""
    wanted = sorted(set(employees))
    out: dict[str, list[RecordedEvent]] = defaultdict(list)
    if not wanted:
        return out
    rows = conn.execute(select(events).where(events.c.period == period, events.c.employee.in_(wanted),
                                             events.c.type.in_(TRAIL)).order_by(events.c.position))
    for r in rows:
        out[r.employee].append(to_recorded(r))
    return out


def state(conn: Connection, doc: Mapping[str, Any], ranking: Mapping[str, Any] | None,
          trail: list[RecordedEvent]) -> SignOff:
    """The sign-off of one published month, against what is published now."""
    template = org.catalog(conn).in_force(doc["template"], doc["period"])
    stages = template.signoff if template else SIGNOFF_STAGES
    return signoff(stages, trail, covered(doc, ranking))


def open_appeals(trail: list[RecordedEvent]) -> list[Appeal]:
    """Open appeals whose event still counts (an appeal of a revoked event is moot)."""
    revoked = {str(e.payload.get("event_id")) for e in trail if e.type == ev.REVOCATION}
    return [a for a in appeals(trail) if a.open and a.event_id not in revoked]


def with_signoff(result: dict[str, Any], sign: SignOff, trail: list[RecordedEvent]) -> dict[str, Any]:
    """A §7.5 result with its status (and the 有申诉 flag while an appeal is open)."""
    flags = [f for f in result.get("flags", []) if f != "appealed"]
    if open_appeals(trail):
        flags.append("appealed")
    if sign.lapsed:
        flags.append("signature_lapsed")
    return {**result, "status": sign.status, "flags": flags}
