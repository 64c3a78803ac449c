"""The complaint ledger's rules (SPEC §7.7), pure: timelines, deadlines, rates."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from shared.domain import complaints as c
from shared.domain.events import RecordedEvent
from shared.domain.periods import TZ

RULES = c.Deadlines()
N = 0


def at(day: int, hour: int = 9, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def event(type_: str, complaint: str = "TS-1", **payload: object) -> RecordedEvent:
    global N
    N += 1
    return RecordedEvent(id=f"e{N}", position=N, stream=f"complaint:JRJ:{complaint}", version=N, type=type_,
                         payload={"project": "JRJ", "complaint": complaint, **payload},
                         metadata={"actor": "x", "actor_name": "主任"}, recorded_at=at(1), hash="", prev_hash="")


def received(complaint: str = "TS-1", when: datetime = at(3), severity: str = "general") -> RecordedEvent:
    return event(c.RECEIVED, complaint, received_at=when.isoformat(), channel="phone", severity=severity,
                 category="维修", summary="3栋漏水", location="3栋1201", responsible="JRJ-0001")


def step(kind: str, when: datetime, complaint: str = "TS-1", **extra: object) -> RecordedEvent:
    return event(kind, complaint, at=when.isoformat(), **extra)


def ledger(*events: RecordedEvent) -> list[c.Complaint]:
    return list(c.timelines(events).values())


def test_a_month_without_complaints_has_rates_of_100():
    s = c.stats([], "2026-10", RULES)
    assert (s.received, s.closed) == (0, 0)
    assert dict(s.rates) == {"handling_rate": D(100), "followup_rate": D(100), "satisfaction_rate": D(100)}


def test_a_reply_exactly_at_the_deadline_is_in_time_and_a_minute_later_is_not():
    on_time = ledger(received("A"), step(c.REPLIED, at(4), "A", text="已派维修"))  # 24 h to the minute
    late = ledger(received("B"), step(c.REPLIED, at(4, 9, 1), "B", text="已派维修"))
    assert c.in_time(on_time[0], "reply", RULES) is True
    assert c.in_time(late[0], "reply", RULES) is False
    assert [o.kind for o in c.missed(late[0], RULES, at(20))] == ["reply"]
    assert c.missed(on_time[0], RULES, at(20)) == []


def test_rates_on_a_hand_computed_month():
    # A: replied in time, closed, followed up in time (satisfied)   → handled, followed up
    # B: replied late, closed, followed up late (unsatisfied, next)  → neither
    # C: replied in time, still open                                 → not handled (not closed)
    # D: major, escalated in 1 h, replied in time, closed, no follow-up yet
    found = ledger(
        received("A", at(1)), step(c.REPLIED, at(1, 15), "A", text="t"), step(c.CLOSED, at(2), "A", resolution="r"),
        step(c.FOLLOWUP, at(3), "A", result="satisfied"),
        received("B", at(2)), step(c.REPLIED, at(4), "B", text="t"), step(c.CLOSED, at(5), "B", resolution="r"),
        step(c.FOLLOWUP, at(9), "B", result="unsatisfied", next_at=at(12).isoformat()),
        received("C", at(5)), step(c.REPLIED, at(5, 10), "C", text="t"),
        received("D", at(6), "major"), step(c.ESCALATED, at(6, 10), "D", to="公司领导"),
        step(c.REPLIED, at(6, 11), "D", text="t"), step(c.CLOSED, at(7), "D", resolution="r"),
    )
    s = c.stats(found, "2026-10", RULES)
    assert (s.received, s.closed, s.replied_in_time, s.escalated_in_time, s.followed_up_in_time) == (4, 3, 3, 1, 1)
    # handling = closed and replied in time (A, D) / received 4 = 50.00
    # follow-up = closed with a follow-up in time (A) / closed 3 = 33.333… → 33.33
    # satisfaction = (satisfied 1 + fairly 0) / follow-ups 2 = 50.00
    assert dict(s.rates) == {"handling_rate": D("50.00"), "followup_rate": D("33.33"),
                             "satisfaction_rate": D("50.00")}
    assert "2/4" in s.evidence("handling_rate") and "1/3" in s.evidence("followup_rate")


def test_a_complaint_belongs_to_the_month_of_its_receipt_in_shanghai():
    # 2026-10-31 23:30 in Shanghai is October; 2026-11-01 00:30 is November, though both are
    # still 31 October in UTC.
    late_october = ledger(received("A", at(31, 23, 30)))[0]
    early_november = ledger(received("B", at(1, 0, 30, month=11)))[0]
    assert (late_october.period, early_november.period) == ("2026-10", "2026-11")
    assert early_november.received_at.utctimetuple().tm_mday == 31


def test_a_complaint_received_in_one_month_and_closed_in_the_next_counts_in_the_first():
    found = ledger(received("A", at(30)), step(c.REPLIED, at(30, 15), "A", text="t"),
                   step(c.CLOSED, at(2, 10, month=11), "A", resolution="r"))
    assert c.stats(found, "2026-10", RULES).closed == 1
    assert c.stats(found, "2026-11", RULES).received == 0


def test_what_is_overdue_is_worked_out_at_read_time():
    major = ledger(received("A", at(3), "major"))[0]
    assert c.missed(major, RULES, at(3, 10)) == []  # an hour in: nothing due yet
    assert [o.kind for o in c.missed(major, RULES, at(3, 11, 1))] == ["escalation"]  # 2 h passed
    assert [o.kind for o in c.missed(major, RULES, at(4, 9, 1))] == ["reply", "escalation"]
    closed = ledger(received("B"), step(c.REPLIED, at(3, 10), "B", text="t"),
                    step(c.CLOSED, at(5), "B", resolution="r"))[0]
    assert c.missed(closed, RULES, at(8)) == []  # 3 days after the close, to the minute
    assert [o.kind for o in c.missed(closed, RULES, at(8, 9, 1))] == ["followup"]
    unhappy = ledger(received("C"), step(c.REPLIED, at(3, 10), "C", text="t"), step(c.CLOSED, at(5), "C", resolution="r"),
                     step(c.FOLLOWUP, at(6), "C", result="unsatisfied", next_at=at(10).isoformat()))[0]
    assert [o.kind for o in c.missed(unhappy, RULES, at(10, 9, 1))] == ["next_followup"]


def test_a_project_may_set_its_own_deadlines():
    quick = c.Deadlines(reply_hours=4, escalate_hours=1, followup_days=1)
    found = ledger(received("A"), step(c.REPLIED, at(3, 14), "A", text="t"))[0]
    assert c.in_time(found, "reply", RULES) is True and c.in_time(found, "reply", quick) is False


@given(st.lists(st.tuples(st.integers(0, 72), st.booleans(), st.sampled_from(c.RESULTS)), max_size=12))
def test_every_rate_is_a_percentage_of_what_was_counted(cases):
    events = []
    for i, (reply_after, close, result) in enumerate(cases):
        name = f"T{i}"
        events += [received(name, at(2)), step(c.REPLIED, at(2) + timedelta(hours=reply_after), name, text="t")]
        if close:
            events += [step(c.CLOSED, at(6), name, resolution="r"), step(c.FOLLOWUP, at(7), name, result=result)]
    s = c.stats(ledger(*events), "2026-10", RULES)
    assert all(D(0) <= v <= D(100) for v in s.rates.values())
    assert s.received == len(cases) and s.closed == sum(1 for _, close, _ in cases if close)
    assert s.followups == s.closed and s.followed_up_in_time == s.closed
