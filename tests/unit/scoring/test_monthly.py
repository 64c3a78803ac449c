"""Worked examples from the seeds (SPEC §4), arithmetic in the comments."""

from datetime import date
from decimal import Decimal as D

from services.scoring.domain.monthly import MonthlyResult, result_to_dict, score_month
from shared.domain.events import RecordedEvent

from .factories import (
    EMPLOYEE,
    PERIOD,
    acknowledgement,
    appeal,
    bonus,
    deduction,
    metric,
    recorded,
    review,
    revocation,
    self_assessment,
    staff_template,
    supervisor_only_template,
)

FULL_MARKS = {code: points for code, points in [
    ("civility", 10), ("patience", 10), ("teamwork", 10), ("duty_records", 10), ("image", 10),
    ("criticism", 5), ("vigilance", 10), ("attendance", 10), ("learning", 5), ("focus", 10),
    ("obedience", 10),
]}


def score(events: list[RecordedEvent], template=None) -> MonthlyResult:
    return score_month(template or staff_template(), EMPLOYEE, PERIOD, events)


def item(result: MonthlyResult, code: str):
    return next(i for i in result.items if i.code == code)


def self_scores(**lost: int) -> dict[str, int]:
    return {code: points - lost.get(code, 0) for code, points in FULL_MARKS.items()}


# --- deductions and item scores -------------------------------------------------------


def test_rude_twice_and_a_complaint_leave_the_civility_item_at_two() -> None:
    # rude: fixed 2 × count 2 = 4; complaint: range 3-5, recorder says 4 → 4 × 1 = 4
    # civility 10 − (4 + 4) = 2
    result = score([
        deduction("civility", "rude", count=2, position=1),
        deduction("civility", "complaint", points=4, position=2),
    ])
    civility = item(result, "civility")
    assert (civility.deducted, civility.score) == (D(8), D(2))
    assert [d.amount for d in civility.deductions] == [D(4), D(4)]
    assert result.supervisor == D(92)  # 100 − 8


def test_range_points_given_as_a_string_are_parsed_exactly() -> None:
    # complaint "3.5" × count 2 = 7 → civility 10 − 7 = 3
    result = score([deduction("civility", "complaint", points="3.5", count=2, position=1)])
    assert item(result, "civility").score == D(3)


def test_an_item_score_is_capped_at_zero_when_deductions_exceed_its_points() -> None:
    # rude ×3 = 6, complaint 5 → 11 > 10 → score max(0, −1) = 0; deducted still shows 11
    result = score([
        deduction("civility", "rude", count=3, position=1),
        deduction("civility", "complaint", points=5, position=2),
    ])
    civility = item(result, "civility")
    assert (civility.deducted, civility.score) == (D(11), D(0))
    assert result.supervisor == D(90)  # the other ten items are untouched


def test_without_the_cap_an_item_score_goes_negative() -> None:
    # item_cap false: 10 − 11 = −1, S = 100 − 11 = 89
    events = [
        deduction("civility", "rude", count=3, position=1),
        deduction("civility", "complaint", points=5, position=2),
    ]
    result = score(events, staff_template(item_cap=False))
    assert item(result, "civility").score == D(-1)
    assert result.supervisor == D(89)


def test_deductions_keep_their_provenance() -> None:
    event = deduction(
        "civility", "rude", position=7, id="ev-rude", evidence="10/14 业主投诉服务用语",
        source="投诉记录", actor="lead-07",
    )
    (cut,) = item(score([event]), "civility").deductions
    assert (cut.event_id, cut.position, cut.item, cut.rule) == ("ev-rude", 7, "civility", "rude")
    assert (cut.recorded_by, cut.occurred_on) == ("lead-07", date(2026, 10, 14))
    assert (cut.evidence, cut.source, cut.recorded_at) == (
        "10/14 业主投诉服务用语", "投诉记录", event.recorded_at,
    )


# --- per_percent_below metrics --------------------------------------------------------


def test_a_plan_rate_of_96_5_costs_17_5_points_and_the_item_floors_at_zero() -> None:
    # (100 − 96.5) × 5 per percent = 3.5 × 5 = 17.5 → civility max(0, 10 − 17.5) = 0
    civility = item(score([metric("civility", "plan_rate", 96.5, position=1)]), "civility")
    assert (civility.deducted, civility.score) == (D("17.5"), D(0))


def test_an_attendance_rate_of_98_75_costs_2_5_points() -> None:
    # (100 − 98.75) × 2 = 1.25 × 2 = 2.50 → 2.5; attendance 10 − 2.5 = 7.5
    attendance = item(score([metric("attendance", "attendance_rate", "98.75", position=1)]),
                      "attendance")
    assert (attendance.deducted, attendance.score) == (D("2.5"), D("7.5"))


def test_a_metric_deduction_rounds_half_up_to_one_place() -> None:
    # (100 − 98.875) × 2 = 1.125 × 2 = 2.25 → half-up at 1 place = 2.3
    attendance = item(score([metric("attendance", "attendance_rate", "98.875", position=1)]),
                      "attendance")
    assert attendance.deducted == D("2.3")


def test_a_metric_at_or_above_target_costs_nothing() -> None:
    result = score([metric("attendance", "attendance_rate", 101, position=1)])
    assert item(result, "attendance").deductions == ()
    assert result.supervisor == D(100)


def test_the_latest_metric_by_position_wins_whatever_the_input_order() -> None:
    # position 5 (99 → 2 points) wins over position 3 (90 → 20 points)
    events = [
        metric("attendance", "attendance_rate", 99, position=5),
        metric("attendance", "attendance_rate", 90, position=3),
    ]
    assert item(score(events), "attendance").deducted == D(2)


def test_a_revoked_latest_metric_falls_back_to_the_previous_one() -> None:
    # 99 (pos 5) revoked → 98 (pos 3) counts: (100 − 98) × 2 = 4
    events = [
        metric("attendance", "attendance_rate", 98, position=3),
        metric("attendance", "attendance_rate", 99, position=5, id="m-late"),
        revocation("m-late", position=6),
    ]
    assert item(score(events), "attendance").deducted == D(4)


# --- weighting, bonus, final ----------------------------------------------------------


def spec_example_events() -> list[RecordedEvent]:
    # S: civility −8 (rude ×2, complaint 4), attendance −2.5 (98.75%), teamwork −2 → 87.5
    # F: civility 9, teamwork 8, learning 3 → 100 − 1 − 2 − 2 = 95
    return [
        deduction("civility", "rude", count=2, position=10),
        deduction("civility", "complaint", points=4, position=11),
        metric("attendance", "attendance_rate", 98.75, position=12),
        deduction("teamwork", "uncooperative", position=13),
        self_assessment(self_scores(civility=1, teamwork=2, learning=2), position=14),
        bonus(5, position=15),
        review("manager", position=16),
    ]


def test_the_spec_example_weights_self_15_and_supervisor_85_then_adds_the_bonus() -> None:
    # W = 0.15 × 95 + 0.85 × 87.5 = 14.25 + 74.375 = 88.625 → 88.63 (half-up)
    # T = 88.63 + bonus 5 = 93.63
    result = score(spec_example_events())
    assert (result.supervisor, result.self_score) == (D("87.5"), D(95))
    assert result.weighted == D("88.625")
    assert (result.bonus, result.final) == (D(5), D("93.63"))
    assert result.awards == () and result.flags == ()
    assert result.position == 16
    assert [b.points for b in result.bonuses] == [D(5)]


def test_the_spec_example_serialises_to_the_result_shape() -> None:
    data = result_to_dict(score(spec_example_events()))
    assert data["items"][0] == {
        "code": "civility", "title": "是否文明用语,积极、主动、热情地为业主服务",
        "points": 10.0, "deducted": 8.0, "score": 2.0,
    }
    assert {k: data[k] for k in ("supervisor", "self", "weighted", "bonus", "final")} == {
        "supervisor": 87.5, "self": 95.0, "weighted": 88.63, "bonus": 5.0, "final": 93.63,
    }
    assert (data["employee"], data["period"], data["template"], data["template_version"]) == (
        EMPLOYEE, PERIOD, "cs-staff", 1,
    )
    assert (data["awards"], data["flags"], data["position"]) == ([], [], 16)
    assert "status" not in data  # the sign-off is read from its own events, not scored


def test_a_weighted_score_of_90_085_rounds_to_90_09() -> None:
    # S: attendance (100 − 95.05) × 2 = 9.90 → 9.9 → S = 90.1
    # F: civility 0 → 90; W = 0.15 × 90 + 0.85 × 90.1 = 13.5 + 76.585 = 90.085 → 90.09
    result = score([
        metric("attendance", "attendance_rate", "95.05", position=1),
        self_assessment(self_scores(civility=10), position=2),
    ])
    assert (result.supervisor, result.self_score) == (D("90.1"), D(90))
    assert (result.weighted, result.final) == (D("90.085"), D("90.09"))


def test_items_missing_from_the_self_assessment_count_zero() -> None:
    # only civility 9 and patience 10 given → F = 19
    result = score([self_assessment({"civility": 9, "patience": 10}, position=1)])
    assert result.self_score == D(19)


def test_a_missing_self_assessment_weights_the_supervisor_score_fully_and_is_flagged() -> None:
    # W = S = 100 − 2 = 98, not 0.85 × 98
    result = score([deduction("civility", "rude", position=1)])
    assert result.self_score is None
    assert (result.weighted, result.final) == (D(98), D("98.00"))
    assert result.flags == ("self_assessment_missing",)
    assert result_to_dict(result)["self"] is None


def test_a_template_without_a_self_rater_never_flags_a_missing_self_assessment() -> None:
    result = score([], supervisor_only_template())
    assert result.flags == ()


def test_a_self_assessment_is_shown_but_not_weighted_without_a_self_rater() -> None:
    result = score([self_assessment(self_scores(civility=10), position=1)],
                   supervisor_only_template())
    assert (result.self_score, result.weighted) == (D(90), D(100))


def test_exactly_100_is_not_excellent() -> None:
    # S = 100 − 1 (late) = 99, + bonus 1 = 100.00, not > 100
    result = score([deduction("attendance", "late", position=1), bonus(1, position=2)],
                   supervisor_only_template())
    assert result.final == D("100.00")
    assert result.awards == ()


def test_above_100_is_excellent() -> None:
    # 99 + bonus 2 = 101 > 100
    result = score([deduction("attendance", "late", position=1), bonus(2, position=2)],
                   supervisor_only_template())
    assert result.final == D(101)
    assert result.awards == ("excellent",)


def test_an_empty_month_is_a_perfect_month() -> None:
    result = score([], supervisor_only_template())
    assert [i.score for i in result.items] == [D(p) for p in FULL_MARKS.values()]
    assert (result.supervisor, result.final) == (D(100), D(100))
    assert (result.position, result.event_ids) == (0, ())


# --- revocations and periods ----------------------------------------------------------


def test_a_revoked_deduction_does_not_count() -> None:
    events = [
        deduction("civility", "rude", position=1, id="d1"),
        deduction("civility", "rude", position=2),
        revocation("d1", position=3, id="r1", period=None),
    ]
    result = score(events)
    assert item(result, "civility").deducted == D(2)
    assert result.position == 3
    assert "d1" not in result.event_ids and "r1" in result.event_ids


def test_a_late_revocation_from_another_month_still_applies() -> None:
    events = [
        deduction("civility", "rude", position=1, id="d1"),
        revocation("d1", position=900, period="2026-12"),
    ]
    assert score(events).supervisor == D(100)


def test_a_revocation_of_a_revocation_is_ignored() -> None:
    events = [
        deduction("civility", "rude", position=1, id="d1"),
        revocation("d1", position=2, id="r1"),
        revocation("r1", position=3, id="r2"),
    ]
    assert score(events).supervisor == D(100)


def test_a_revoked_self_assessment_falls_back_to_the_previous_one() -> None:
    # latest (F = 100) revoked → earlier one (F = 95) counts: W = 0.15 × 95 + 0.85 × 100 = 99.25
    events = [
        self_assessment(self_scores(civility=5), position=1),
        self_assessment(self_scores(), position=2, id="sa2"),
        revocation("sa2", position=3),
    ]
    result = score(events)
    assert (result.self_score, result.final) == (D(95), D("99.25"))


def test_events_of_other_periods_are_ignored() -> None:
    result = score([
        deduction("civility", "rude", position=1, period="2026-09"),
        metric("attendance", "attendance_rate", 50, position=2, period="2026-11"),
        self_assessment(self_scores(), position=3, period="2026-09"),
        bonus(5, position=4, period="2026-11"),
    ])
    assert (result.supervisor, result.bonus, result.self_score) == (D(100), D(0), None)
    assert (result.position, result.event_ids) == (0, ())


def test_an_event_without_a_period_belongs_to_the_month_it_occurred_in() -> None:
    result = score([
        deduction("civility", "rude", position=1, period=None, occurred_on=date(2026, 10, 31)),
        deduction("civility", "rude", position=2, period=None, occurred_on=date(2026, 11, 1)),
    ])
    assert item(result, "civility").deducted == D(2)


def test_an_event_the_template_cannot_score_is_flagged_and_not_counted() -> None:
    result = score([
        deduction("civility", "no_such_rule", position=1, id="bad1"),
        deduction("nowhere", "rude", position=2, id="bad2"),
        bonus(3, position=3, code="unknown_bonus", id="bad3"),
        deduction("civility", "plan_rate", position=4, id="bad4"),
    ], supervisor_only_template())
    assert (result.supervisor, result.bonus) == (D(100), D(0))
    assert result.flags == tuple(f"event_ignored:bad{n}" for n in (1, 2, 3, 4))


def test_the_same_event_delivered_twice_counts_once() -> None:
    event = deduction("civility", "rude", position=1)
    assert score([event, event]).supervisor == D(98)


def test_another_employees_events_are_ignored() -> None:
    result = score([deduction("civility", "rude", position=1, employee="JRJ-0099")])
    assert result.supervisor == D(100)


def test_non_incident_events_do_not_count() -> None:
    result = score([recorded("employee_registered", {"name": "王芳"}, position=1)])
    assert (result.position, result.event_ids) == (0, ())


# --- the sign-off is not part of the score -----------------------------------------------


def test_reviews_and_signatures_do_not_change_the_score() -> None:
    plain = [deduction("civility", "rude", position=1), self_assessment(self_scores(), position=2)]
    signed = [*plain, review("manager", position=3), review("gm", position=4), acknowledgement(position=5)]
    assert numbers(score(signed)) == numbers(score(plain))


def numbers(r: MonthlyResult) -> tuple[object, ...]:
    return (tuple((i.code, i.score) for i in r.items), r.supervisor, r.self_score, r.weighted, r.final,
            r.awards, r.flags)


def test_an_appeal_does_not_change_the_score() -> None:
    plain = [deduction("civility", "rude", position=1, id="d1")]
    assert score([*plain, appeal("d1", position=2)]).final == score(plain).final
