"""Ranking consequences from seed 003 篇2 (SPEC §5)."""

from datetime import date
from decimal import Decimal as D

from services.scoring.domain.ranking import RankingRow, rank_group, ranking_row_to_dict
from shared.domain.template import RankingPolicy

POLICY = RankingPolicy()  # min 3, first +100, last −100, bottom 2, due 7 days, reassign after 3
CLOSED = date(2026, 11, 1)  # the seeds close October on 1 November
DUE = date(2026, 11, 8)  # 1 November + 7 days


def rank(
    finals: dict[str, int | str],
    *,
    policy: RankingPolicy = POLICY,
    closed_on: date | None = CLOSED,
    plans: dict[str, date] | None = None,
    streaks: dict[str, int] | None = None,
    today: date | None = None,
) -> dict[str, RankingRow]:
    rows = rank_group(
        {e: D(str(v)) for e, v in finals.items()},
        policy,
        closed_on=closed_on,
        plans_filed=plans or {},
        previous_last_streaks=streaks or {},
        today=today,
    )
    return {row.employee: row for row in rows}


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    rows = rank_group(
        {"d": D(80), "c": D(90), "b": D(90), "a": D(95)}, POLICY,
        closed_on=None, plans_filed={}, previous_last_streaks={},
    )
    assert [(r.employee, r.rank, r.rank_of) for r in rows] == [
        ("a", 1, 4), ("b", 2, 4), ("c", 2, 4), ("d", 4, 4),
    ]


def test_first_place_earns_the_reward_and_last_place_pays_the_penalty() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85})
    assert (rows["a"].consequences, rows["a"].payroll_adjustment) == (("first_place",), D(100))
    assert rows["b"].payroll_adjustment == D(0)
    assert rows["c"].consequences == ("last_place", "improvement_plan")
    assert rows["c"].payroll_adjustment == D(-100)


def test_consequences_are_withheld_below_the_minimum_group_size() -> None:
    rows = rank({"a": 95, "b": 80})
    assert all(r.consequences == () and r.payroll_adjustment == 0 for r in rows.values())
    assert [r.rank for r in rows.values()] == [1, 2]  # ranked all the same


def test_consequences_are_withheld_when_everyone_scores_the_same() -> None:
    rows = rank({"a": 90, "b": 90, "c": 90})
    assert {r.rank for r in rows.values()} == {1}
    assert all(r.consequences == () and r.improvement_due is None for r in rows.values())
    assert all(r.last_streak == 0 for r in rows.values())


def test_everyone_tied_at_the_top_is_rewarded() -> None:
    rows = rank({"a": 95, "b": 95, "c": 80, "d": 70})
    assert rows["a"].payroll_adjustment == rows["b"].payroll_adjustment == D(100)
    assert "first_place" in rows["b"].consequences


def test_bottom_two_with_a_tie_at_the_bottom() -> None:
    # strictly lower: 90 → 3, 80 → 2, 70 → 0, 70 → 0; "fewer than 2" holds for the two 70s only
    rows = rank({"a": 90, "b": 80, "c": 70, "d": 70})
    bottom = {e for e, r in rows.items() if "improvement_plan" in r.consequences}
    assert bottom == {"c", "d"}
    assert rows["c"].consequences == rows["d"].consequences == ("last_place", "improvement_plan")


def test_bottom_two_widens_to_a_tie_just_above_the_last() -> None:
    # strictly lower: 90 → 3, 80 → 1, 80 → 1, 70 → 0; "fewer than 2" holds for 80, 80 and 70,
    # so three employees owe a plan: a tie cannot be split fairly
    rows = rank({"a": 90, "b": 80, "c": 80, "d": 70})
    bottom = {e for e, r in rows.items() if "improvement_plan" in r.consequences}
    assert bottom == {"b", "c", "d"}
    assert rows["b"].consequences == ("improvement_plan",)
    assert rows["b"].payroll_adjustment == D(0)


def test_the_improvement_plan_is_due_seven_days_after_the_close() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85})
    assert rows["b"].improvement_due == rows["c"].improvement_due == DUE
    assert rows["a"].improvement_due is None and rows["a"].improvement_status is None


def test_a_plan_filed_by_the_due_date_clears_the_obligation() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, plans={"c": DUE}, today=date(2026, 12, 1))
    assert rows["c"].improvement_status == "filed"
    assert rows["b"].improvement_status == "overdue"


def test_a_plan_not_filed_is_pending_up_to_the_due_date_and_overdue_after() -> None:
    assert rank({"a": 95, "b": 90, "c": 85}, today=DUE)["c"].improvement_status == "pending"
    assert rank({"a": 95, "b": 90, "c": 85}, today=date(2026, 11, 9))["c"].improvement_status \
        == "overdue"


def test_a_plan_filed_after_the_due_date_shows_as_overdue() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, plans={"c": date(2026, 11, 9)})
    assert rows["c"].improvement_status == "overdue"


def test_before_the_close_there_is_no_due_date_and_any_plan_counts() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, closed_on=None, plans={"c": date(2026, 10, 30)},
                today=date(2027, 1, 1))
    assert rows["c"].improvement_due is None
    assert rows["c"].improvement_status == "filed"
    assert rows["b"].improvement_status == "pending"  # never overdue without a due date


def test_a_third_consecutive_last_place_triggers_a_reassignment_review() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, streaks={"c": 2})
    assert "reassignment_review" in rows["c"].consequences
    assert rows["c"].last_streak == 3


def test_a_second_consecutive_last_place_does_not() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, streaks={"c": 1})
    assert "reassignment_review" not in rows["c"].consequences
    assert rows["c"].last_streak == 2


def test_leaving_last_place_resets_the_streak() -> None:
    rows = rank({"a": 95, "b": 90, "c": 85}, streaks={"b": 5})
    assert rows["b"].last_streak == 0
    assert "reassignment_review" not in rows["b"].consequences


def test_a_month_without_consequences_breaks_the_streak() -> None:
    assert rank({"a": 95, "c": 85}, streaks={"c": 2})["c"].last_streak == 0


def test_the_policy_values_are_honoured() -> None:
    policy = RankingPolicy(min_group_size=2, first_reward=D(200), last_penalty=D(50), bottom_n=1,
                           improvement_due_days=10, reassign_after_consecutive_last=1)
    rows = rank({"a": 95, "b": 85}, policy=policy)
    assert rows["a"].payroll_adjustment == D(200)
    assert rows["b"].payroll_adjustment == D(-50)
    assert rows["b"].consequences == ("last_place", "improvement_plan", "reassignment_review")
    assert rows["b"].improvement_due == date(2026, 11, 11)


def test_a_ranking_row_serialises_to_the_contract_shape() -> None:
    rows = rank({"JRJ-0012": "93.63", "b": 95, "c": 85})
    assert ranking_row_to_dict(rows["JRJ-0012"]) == {
        "employee": "JRJ-0012", "final": 93.63, "rank": 2, "rank_of": 3,
        "consequences": ["improvement_plan"], "payroll_adjustment": 0.0,
        "improvement_due": "2026-11-08", "improvement_status": "pending",
    }
    assert ranking_row_to_dict(rows["b"])["improvement_due"] is None
