"""The sign-off of a monthly sheet (SPEC §4.8–10) and appeals as they stand (§6): pure."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.domain.appeals import appeals
from shared.domain.events import RecordedEvent
from shared.domain.signoff import covered, differences, signoff

ALL = ("manager", "gm", "acknowledgement")
DOC = {"final": 96.0, "awards": [], "items": [{"code": "civility", "score": 8.0}, {"code": "focus", "score": 10.0}]}
RANK = {"consequences": ["last_place"], "payroll_adjustment": -100.0, "improvement_due": "2026-11-08"}
NOW = covered(DOC, RANK)


def event(type_: str, position: int, id: str | None = None, actor: str = "mgr", **payload: object) -> RecordedEvent:
    return RecordedEvent(id=id or f"e{position}", position=position, stream="employee:E1", version=position,
                         type=type_, payload=dict(payload), metadata={"actor": actor, "actor_name": f"名{actor}"},
                         recorded_at=datetime(2026, 11, 2, 8, position, tzinfo=UTC), hash="", prev_hash="",
                         period="2026-10", employee="E1", project="JRJ")


def review(stage: str, position: int, **kw: object) -> RecordedEvent:
    return event("review", position, stage=stage, **kw)


def sign(position: int, covers: dict | None = None, **kw: object) -> RecordedEvent:
    return event("acknowledgement", position, actor="E1", covers=NOW if covers is None else covers, **kw)


def test_the_status_is_the_last_stage_reached_in_order():
    steps = [event("self_assessment", 1, actor="E1", scores={}), review("manager", 2), review("gm", 3), sign(4)]
    seen = [signoff(ALL, steps[:n], NOW).status for n in range(5)]
    assert seen == ["draft", "self_assessed", "reviewed", "approved", "acknowledged"]


def test_each_step_names_the_one_missing_before_it():
    nothing = signoff(ALL, [], NOW)
    assert nothing.missing_before("manager", closed=False) == "close"
    assert nothing.missing_before("manager", closed=True) is None
    assert nothing.missing_before("gm", closed=True) == "manager"
    assert nothing.missing_before("acknowledgement", closed=True) == "manager"
    reviewed = signoff(ALL, [review("manager", 1)], NOW)
    assert reviewed.missing_before("acknowledgement", closed=True) == "gm"
    assert signoff(ALL, [review("manager", 1), review("gm", 2)], NOW).missing_before("acknowledgement", True) is None


def test_a_template_with_fewer_stages_keeps_the_order_of_the_rest():
    short = ("manager", "acknowledgement")
    reviewed = signoff(short, [review("manager", 1)], NOW)
    assert reviewed.missing_before("acknowledgement", closed=True) is None
    assert reviewed.missing_before("gm", closed=True) == "gm"  # no such stage on this template
    assert signoff(short, [], NOW).missing_before("acknowledgement", closed=True) == "manager"


def test_a_revoked_review_no_longer_counts():
    events = [review("manager", 1, id="rv"), event("revocation", 2, event_id="rv")]
    assert signoff(ALL, events, NOW).status == "draft"


def test_a_signature_lapses_when_the_score_it_covered_changes_and_says_what_changed():
    signed = signoff(ALL, [review("manager", 1), review("gm", 2), sign(3)], NOW)
    assert signed.signed and not signed.lapsed
    corrected = covered({**DOC, "final": 98.0, "items": [{"code": "civility", "score": 10.0},
                                                         {"code": "focus", "score": 10.0}]}, RANK)
    later = signoff(ALL, [review("manager", 1), review("gm", 2), sign(3)], corrected)
    assert later.lapsed and later.status == "approved"  # back to the last stage still valid
    assert later.signature is not None
    assert later.signature.changes == (("final", 96.0, 98.0), ("items.civility", 8.0, 10.0))


def test_a_new_signature_covers_the_corrected_score_and_the_old_one_stays_in_the_trail():
    corrected = covered({**DOC, "final": 98.0}, RANK)
    resigned = signoff(ALL, [review("manager", 1), review("gm", 2), sign(3), sign(4, corrected)], corrected)
    assert resigned.signed and [s.valid for s in resigned.signatures] == [False, True]


def test_a_changed_consequence_lapses_a_signature_too():
    assert differences(NOW, covered(DOC, {**RANK, "consequences": []})) == \
        (("consequences", ["last_place"], []),)
    assert differences(NOW, covered(DOC, RANK)) == ()


def test_an_appeal_is_open_until_it_is_decided():
    filed = event("appeal", 1, id="ap", actor="E1", event_id="d1", reason="当日休假")
    assert [(a.event_id, a.open, a.label) for a in appeals([filed])] == [("d1", True, "待处理")]
    decided = event("appeal_resolved", 2, appeal_id="ap", event_id="d1", decision="upheld", reason="核实")
    [a] = appeals([decided, filed])  # any order
    assert (a.open, a.decision, a.decision_reason, a.resolved_by, a.label) == \
        (False, "upheld", "核实", "名mgr", "申诉成立")
