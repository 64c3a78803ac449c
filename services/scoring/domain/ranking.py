"""Monthly ranking of one group and its consequences (SPEC §5, seed 003 篇2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shared.domain.template import RankingPolicy

ZERO = Decimal(0)
FIRST_PLACE = "first_place"
LAST_PLACE = "last_place"
IMPROVEMENT_PLAN = "improvement_plan"
REASSIGNMENT_REVIEW = "reassignment_review"


@dataclass(frozen=True)
class RankingRow:
    employee: str
    final: Decimal
    rank: int
    rank_of: int
    consequences: tuple[str, ...] = ()
    payroll_adjustment: Decimal = ZERO  # yuan: +first_reward, -last_penalty
    improvement_due: date | None = None
    improvement_status: str | None = None  # None | "pending" | "filed" | "overdue"
    last_streak: int = 0  # consecutive last places including this month


def rank_group(
    finals: Mapping[str, Decimal],
    policy: RankingPolicy,
    *,
    closed_on: date | None,
    plans_filed: Mapping[str, date],
    previous_last_streaks: Mapping[str, int],
    today: date | None = None,
) -> list[RankingRow]:
    """Rank one group's finals for one month, best first, with their consequences.

    Ties share a rank (1, 2, 2, 4) and are listed by employee code. Consequences apply
    only to a group of at least `min_group_size` whose finals are not all equal.
    `closed_on` is None while the month is open: no due date yet, so nothing is overdue.
    `today` is only needed to tell an overdue plan from a pending one.
    """
    order = sorted(finals.items(), key=lambda pair: (-pair[1], pair[0]))
    values = [final for _, final in order]
    applies = len(values) >= policy.min_group_size and len(set(values)) > 1
    due = closed_on + timedelta(days=policy.improvement_due_days) if closed_on else None
    rows = []
    for employee, final in order:
        higher = sum(1 for v in values if v > final)
        row = RankingRow(employee, final, rank=1 + higher, rank_of=len(values))
        if applies:
            lower = sum(1 for v in values if v < final)
            streak = previous_last_streaks.get(employee, 0)
            row = _with_consequences(row, policy, higher, lower, streak, due)
            row = _with_plan_status(row, plans_filed.get(employee), today)
        rows.append(row)
    return rows


def ranking_row_to_dict(row: RankingRow) -> dict[str, Any]:
    """The SPEC §7.4 ranking-row shape."""
    return {
        "employee": row.employee,
        "final": float(row.final),
        "rank": row.rank,
        "rank_of": row.rank_of,
        "consequences": list(row.consequences),
        "payroll_adjustment": float(row.payroll_adjustment),
        "improvement_due": row.improvement_due.isoformat() if row.improvement_due else None,
        "improvement_status": row.improvement_status,
    }


def _with_consequences(
    row: RankingRow,
    policy: RankingPolicy,
    higher: int,
    lower: int,
    previous_streak: int,
    due: date | None,
) -> RankingRow:
    first, last = higher == 0, lower == 0
    bottom = lower < policy.bottom_n
    streak = previous_streak + 1 if last else 0
    reassign = last and streak >= policy.reassign_after_consecutive_last
    flagged = (
        (FIRST_PLACE, first),
        (LAST_PLACE, last),
        (IMPROVEMENT_PLAN, bottom),
        (REASSIGNMENT_REVIEW, reassign),
    )
    adjustment = (policy.first_reward if first else ZERO) - (policy.last_penalty if last else ZERO)
    return replace(
        row,
        consequences=tuple(name for name, on in flagged if on),
        payroll_adjustment=adjustment,
        improvement_due=due if bottom else None,
        improvement_status="pending" if bottom else None,
        last_streak=streak,
    )


def _with_plan_status(row: RankingRow, filed_on: date | None, today: date | None) -> RankingRow:
    """A plan filed by the due date (or any time before the close) clears the obligation.

    A plan filed after the due date does not: the filing itself shows the date has passed,
    so it reads as overdue even without `today`.
    """
    if row.improvement_status is None:
        return row
    due = row.improvement_due
    if filed_on is not None and (due is None or filed_on <= due):
        status = "filed"
    elif due is not None and ((today is not None and today > due) or filed_on is not None):
        status = "overdue"
    else:
        status = "pending"
    return replace(row, improvement_status=status)
