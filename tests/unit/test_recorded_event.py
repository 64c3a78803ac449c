"""A recorded event built from its fields at once is the same event."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

from shared.domain.events import RecordedEvent


def test_an_event_built_from_all_its_fields_equals_one_built_by_its_constructor():
    made = RecordedEvent(id="e1", position=7, stream="employee:A", version=2, type="deduction",
                         payload={"item": "civility"}, metadata={"actor": "lead"},
                         recorded_at=datetime(2026, 10, 14, tzinfo=UTC), hash="h", prev_hash="p",
                         occurred_on=date(2026, 10, 14), period="2026-10", employee="A", project="P")
    built = RecordedEvent.from_fields(asdict(made))
    assert built == made and built.actor == "lead" and asdict(built) == asdict(made)
