"""The year-end inputs of the demo (SPEC §7.8): 周检/月检 every month and one 年终考评.

Drawn from a random.Random of their own, so the rest of the plan (and its story) stays as it
was; the scores follow each member's profile, so the year's composite tells the same story
as the monthly finals.
"""

from __future__ import annotations

import random

from demo.data import Cast, Member, members_in
from demo.plan import Entry
from shared.domain.periods import first_day, last_day

# (lowest, highest) inspection score by profile; the review lands in the same band.
BANDS: dict[str, tuple[int, int]] = {
    "star": (94, 100), "solid": (88, 98), "average": (82, 94), "weak": (75, 88), "doomed": (65, 80),
}
NOTES = ("仪容仪表整洁,服务用语规范", "前台接待及时,登记完整", "值班记录齐全", "巡查发现工位物品摆放不齐",
         "电话接听超过三声", "报修单据跟进及时", "业主来访接待热情")
COMMENTS = ("工作认真负责,服务意识强。", "业务熟练,来年加强培训与沟通。", "能按时完成各项任务,仍需提高主动性。",
            "全年表现稳定,积极配合部门工作。")


def _inspector(m: Member) -> str:
    """Nobody inspects themself: the 客服主管 is inspected by the manager, the 主任 by the gm."""
    return {"service-center-director": "gm", "cs-supervisor-monthly": "manager"}.get(m.template, "supervisor")


def _score(rng: random.Random, profile: str) -> int | float:
    low, high = BANDS.get(profile, BANDS["solid"])
    half_points = rng.randint(low * 2, high * 2)
    return half_points // 2 if half_points % 2 == 0 else half_points / 2  # a JSON number, as a form sends it


def plan_inspections(seed: int, cast: Cast, months: list[str]) -> list[list[Entry]]:
    """Each month: a 周检 in its first half and a 月检 in its last week, for everyone."""
    rng = random.Random(seed * 7919 + 13)
    planned = []
    for index, period in enumerate(months):
        entries = []
        end = last_day(period).day
        for m in members_in(cast, index):
            for kind, day in (("weekly", rng.randint(2, 14)), ("monthly", rng.randint(end - 6, end))):
                entries.append(Entry(_inspector(m), m.project, {
                    "type": "inspection", "employee": m.no, "kind": kind,
                    "occurred_on": first_day(period).replace(day=day).isoformat(),
                    "score": _score(rng, m.profile), "note": rng.choice(NOTES)}))
        planned.append(entries)
    return planned


def plan_reviews(seed: int, cast: Cast, months: list[str]) -> list[Entry]:
    """One 年终考评 per member of the latest month, for that month's year."""
    rng = random.Random(seed * 7919 + 29)
    year = months[-1][:4]
    return [Entry("gm" if m.template == "service-center-director" else "manager", m.project, {
        "type": "year_end_review", "employee": m.no, "year": year, "score": _score(rng, m.profile),
        "comment": rng.choice(COMMENTS)}) for m in members_in(cast, len(months) - 1)]
