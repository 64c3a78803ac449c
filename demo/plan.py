"""What happens in the demo group, month by month: pure and seeded (random.Random).

`demo_data.plan_roster` draws the people; `plan_months` draws each month's events as
SPEC §7.4 bodies, each with the role that records it. Two stories are fixed, the rest is drawn:
one 客服专员 of JRJ 客服部 is last three months running (调岗审查) and one is a
praised, spotless 优秀员工. Every other cs-staff member loses at most 15 points a
month, the doomed one at least 27; each month is also ranked as it is planned, with
the worker's own pure scoring and ranking, so the story is checked before anything
is written.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from demo import data
from demo.data import TRANSFER_AT, Cast, Member, members_in
from services.scoring.domain.monthly import score_month
from services.scoring.domain.ranking import (
    IMPROVEMENT_PLAN,
    REASSIGNMENT_REVIEW,
    RankingRow,
    rank_group,
)
from shared.domain.events import RecordedEvent
from shared.domain.periods import first_day, last_day
from shared.domain.template import Template

REVOKED = ("revoke:", "revoke_late:", "appeal_upheld")  # follow-ups that take the event out again
PLANNED_AT = datetime(2000, 1, 1, tzinfo=UTC)
Group = tuple[str, str, str]  # a ranking group: project, scope (department or "*"), template


@dataclass
class Entry:
    """One event body and who records it ("self" = the employee about themself)."""

    role: str
    project: str
    body: dict[str, Any]
    follow_up: str = ""  # "revoke:<reason>", "appeal_upheld", "appeal_rejected", "revoke_late:<reason>"


@dataclass
class Month:
    period: str
    incidents: list[Entry] = field(default_factory=list)
    self_assessments: list[Entry] = field(default_factory=list)  # before the month is closed
    reviews: list[Entry] = field(default_factory=list)  # 经理初评, 总经理审核: after the close
    sign_offs: list[Entry] = field(default_factory=list)  # 签字 and 整改方案: after the close


def plan_months(rng: random.Random, cast: Cast, rubrics: list[dict[str, Template]],
                months: list[str]) -> list[Month]:
    """Every month, ranked with the worker's own pure rules as it is planned: whoever (but
    the doomed one) was last twice running pulls themselves together the month after,
    and most of the open month's bottom two file a 整改方案."""
    planned: list[Month] = []
    streaks: dict[Group, dict[str, int]] = {}
    warned: set[str] = set()
    for index, period in enumerate(months):
        month = plan_month(rng, cast, rubrics[index], period, index, len(months), warned)
        ranked = rank_month(month, members_in(cast, index), rubrics[index], streaks)
        streaks = {key: {r.employee: r.last_streak for r in rows} for key, rows in ranked.items()}
        rows = [r for group in ranked.values() for r in group]
        warned = {r.employee for r in rows if r.last_streak >= 2 and r.employee != cast.doomed}
        if index == len(months) - 2 and not any(
                r.employee == cast.doomed and REASSIGNMENT_REVIEW in r.consequences for r in rows):
            raise RuntimeError(f"the demo plan lost its story: {cast.doomed} is not up for 调岗审查")
        planned.append(month)
    places = {m.no: m.project for m in members_in(cast, len(months) - 1)}
    for rows in ranked.values():
        for r in rows:
            if IMPROVEMENT_PLAN in r.consequences and rng.random() < 0.7:
                planned[-1].sign_offs.append(Entry("self", places[r.employee], {
                    "type": "improvement_plan", "employee": r.employee, "period": months[-1],
                    "plan": rng.choice(data.PLANS)}))
    return planned


def rank_month(month: Month, members: list[Member], templates: dict[str, Template],
               streaks: dict[Group, dict[str, int]]) -> dict[Group, list[RankingRow]]:
    """The month's rankings as the worker will publish them (scoring is a pure function)."""
    events = _as_recorded(month)
    groups: dict[Group, dict[str, Decimal]] = defaultdict(dict)
    for m in members:
        t = templates[m.template]
        scope = m.department if t.ranking.scope == "department" else "*"
        groups[(m.project, scope, m.template)][m.no] = score_month(t, m.no, month.period, events[m.no]).final
    return {key: rank_group(finals, templates[key[2]].ranking, closed_on=None, plans_filed={},
                            previous_last_streaks=streaks.get(key, {}))
            for key, finals in sorted(groups.items())}


def _as_recorded(month: Month) -> dict[str, list[RecordedEvent]]:
    """The planned bodies that will count, shaped as stored events (revoked ones left out)."""
    out: dict[str, list[RecordedEvent]] = defaultdict(list)
    counted = [e for e in month.incidents + month.self_assessments if not e.follow_up.startswith(REVOKED)]
    for n, e in enumerate(counted, 1):
        body, day = e.body, e.body.get("occurred_on")
        out[body["employee"]].append(RecordedEvent(
            id=f"planned-{n}", position=n, stream="", version=n, type=body["type"],
            payload={k: v for k, v in body.items() if k not in ("type", "employee")}, metadata={},
            recorded_at=PLANNED_AT, hash="", prev_hash="", period=month.period, employee=body["employee"],
            occurred_on=date.fromisoformat(day) if day else None))
    return out


def plan_month(rng: random.Random, cast: Cast, templates: dict[str, Template], period: str,
               index: int, months: int, warned: set[str]) -> Month:
    """One month; `warned` (last twice running, not the doomed one) pull themselves together."""
    month = Month(period)
    closing = index < months - 1
    for m in members_in(cast, index):
        t = templates[m.template]
        profile = "star" if m.no in warned else _profile(cast, m, index, months)
        used = _deductions(rng, month, m, t, profile, period)
        _metrics(rng, month, m, t, profile, period)
        _praise(rng, month, m, t, profile, period)
        _sign_off(rng, month, m, t, used, profile, closing)
    _specials(rng, month, cast, index, months)
    month.incidents.sort(key=lambda e: e.body.get("occurred_on") or last_day(period).isoformat())
    return month


def _profile(cast: Cast, m: Member, index: int, months: int) -> str:
    if m.no == cast.doomed:
        if months - 4 <= index <= months - 2:
            return "doomed"
        return "average" if index == months - 1 else "solid"
    if m.no == cast.exemplar and index in (months - 3, months - 2):
        return "exemplary"
    return m.profile


def _recorder(m: Member, by: str) -> str:
    if m.template == "service-center-director":
        return "gm"
    if m.template == "cs-supervisor-monthly":
        return "manager"
    return "supervisor" if by == "lead" and m.position == "客服领班" else by


def _day(rng: random.Random, period: str) -> date:
    return first_day(period).replace(day=rng.randint(1, last_day(period).day))


def fill(text: str, rng: random.Random, day: date) -> str:
    late = rng.randint(3, 25)
    return text.format(
        md=f"{day.month}/{day.day}", late=late, late2=30 + late, min=rng.randint(10, 50),
        sec=rng.randint(35, 90), building=f"{rng.randint(1, 18)}号楼",
        room=f"{rng.randint(1, 18)}栋{rng.randint(1, 3)}单元{rng.randint(2, 28)}{rng.randint(1, 4):02d}")


def _deduction(rng: random.Random, m: Member, inc: data.Incident, amount: Decimal | None, period: str,
               text: str | None = None) -> Entry:
    day = _day(rng, period)
    body: dict[str, Any] = {"type": "deduction", "employee": m.no, "item": inc.item, "rule": inc.rule,
                            "occurred_on": day.isoformat(), "source": inc.source,
                            "evidence": fill(text or rng.choice(inc.texts), rng, day)}
    if amount is not None:
        body["points"] = int(amount)
    return Entry(_recorder(m, inc.by), m.project, body)


def _deductions(rng: random.Random, month: Month, m: Member, t: Template, profile: str,
                period: str) -> dict[str, Decimal]:
    """Draw incidents until the month's loss is reached, never past an item's points."""
    low, high = data.PROFILES.get(profile, (0, 0))
    target, spent = Decimal(rng.randint(low, high)), Decimal(0)
    used: dict[str, Decimal] = defaultdict(Decimal)
    catalogue = data.INCIDENTS[t.code]
    weights = [inc.weight for inc in catalogue]
    for _ in range(300):
        if spent >= target:
            break
        inc = rng.choices(catalogue, weights)[0]
        item = t.item(inc.item)
        rule = item.rule(inc.rule) if item else None
        assert item is not None and rule is not None, f"{t.code} has no {inc.item}/{inc.rule}"
        ranged = rule.kind == "range"
        amount = Decimal(rng.randint(int(rule.min or 0), min(int(rule.max or 0), inc.cap or 99))) \
            if ranged else Decimal(rule.points or 0)
        if spent + amount > target or used[item.code] + amount > item.points:
            continue
        month.incidents.append(_deduction(rng, m, inc, amount if ranged else None, period))
        used[item.code] += amount
        spent += amount
    return used


def _metrics(rng: random.Random, month: Month, m: Member, t: Template, profile: str, period: str) -> None:
    for item, rule, low, high, base_low, base_high, text in data.METRICS.get(t.code, ()):
        base = rng.randint(base_low, base_high)
        top = profile in ("star", "exemplary") or (profile == "solid" and rng.random() < 0.6)
        done = base * high / 100 if top and high <= 100 else base * rng.uniform(low, high) / 100
        value = round(100 * round(done) / base, 1)
        month.incidents.append(Entry(_recorder(m, "supervisor"), m.project, {
            "type": "metric", "employee": m.no, "item": item, "rule": rule, "period": period,
            "value": f"{value:.1f}", "source": "月度统计", "evidence": text.format(n=base, done=round(done))}))


def _praise(rng: random.Random, month: Month, m: Member, t: Template, profile: str, period: str) -> None:
    chance, low, high = data.BONUS_CHANCE.get(profile, (1.0, 5, 5))
    if rng.random() >= chance:
        return
    praise = data.PRAISES[t.code][0 if profile == "exemplary" else rng.randrange(len(data.PRAISES[t.code]))]
    day = _day(rng, period)
    month.incidents.append(Entry(_recorder(m, praise.by), m.project, {
        "type": "bonus", "employee": m.no, "bonus": praise.bonus, "occurred_on": day.isoformat(),
        "points": rng.randint(low, high), "source": praise.source,
        "evidence": fill(rng.choice(praise.texts), rng, day)}))


def _sign_off(rng: random.Random, month: Month, m: Member, t: Template, used: dict[str, Decimal],
              profile: str, closing: bool) -> None:
    """自评 before the close; 经理初评, 总经理审核 and 签字 after it. Most closed months get all four."""
    period, sure = month.period, profile == "exemplary"
    if t.has_self_rater and (sure or rng.random() < (0.92 if closing else 0.7)):
        owned = (Decimal(0), Decimal("0.5"), Decimal(1))
        scores = {i.code: max(Decimal(0), i.points - int(used.get(i.code, Decimal(0)) * rng.choice(owned)))
                  for i in t.items}
        if not used and not sure and rng.random() < 0.3:
            modest = rng.choice(t.items).code
            scores[modest] = max(Decimal(0), scores[modest] - 1)
        notes = [data.ANALYSIS_BY_ITEM[c] for c in sorted(used) if c in data.ANALYSIS_BY_ITEM][:2]
        analysis = "".join(notes or [rng.choice(data.ANALYSIS_GOOD)]) + rng.choice(data.ANALYSIS_NEXT)
        month.self_assessments.append(Entry("self", m.project, {
            "type": "self_assessment", "employee": m.no, "period": period,
            "scores": {k: str(v) for k, v in scores.items()}, "analysis": "自评分影响因素分析:" + analysis}))
    if not closing:  # 经理初评 needs the month closed (SPEC §4.9): the open month stops at 自评
        return
    if not (sure or rng.random() < 0.97):
        return
    first = "gm" if m.template == "service-center-director" else "manager"
    month.reviews.append(Entry(first, m.project, {
        "type": "review", "employee": m.no, "period": period, "stage": "manager",
        "comment": rng.choice(data.MANAGER_REVIEWS)}))
    if not (sure or rng.random() < 0.9):
        return
    month.reviews.append(Entry("gm", m.project, {"type": "review", "employee": m.no, "period": period,
                                                 "stage": "gm", "comment": rng.choice(data.GM_REVIEWS)}))
    if sure or rng.random() < 0.88:
        month.sign_offs.append(Entry("self", m.project, {
            "type": "acknowledgement", "employee": m.no, "period": period,
            "comment": rng.choice(data.ACKNOWLEDGEMENTS)}))


def _incident(template: str, rule: str) -> data.Incident:
    return next(inc for inc in data.INCIDENTS[template] if inc.rule == rule)


def _specials(rng: random.Random, month: Month, cast: Cast, index: int, months: int) -> None:
    """The corrections of the story: revocations with reasons, appeals, a late correction."""
    members = members_in(cast, index)
    staff = [m for m in members if m.template == "cs-staff" and m.no not in (cast.doomed, cast.exemplar)]
    period = month.period
    late, dress, complaint = (_incident("cs-staff", rule) for rule in ("late", "dress", "complaint"))

    def pick(project: str, department: str | None = None) -> Member:
        return rng.choice([m for m in staff if m.project == project
                           and department in (None, m.department) and m.position != "客服领班"])

    def add(entry: Entry, follow_up: str) -> None:
        entry.follow_up = follow_up.format(md=entry.body["evidence"].split(" ")[0])
        month.incidents.append(entry)

    if index == 1:
        add(_deduction(rng, pick("BSQ"), late, None, period, "{md} 考勤记录显示 9:05 到岗,迟到35分钟"),
            "revoke:" + data.REASONS["clock"])
    if index == 2:
        wrong, right = rng.sample([m for m in staff if m.department == "管家部" and m.project == "JRJ"], 2)
        add(_deduction(rng, wrong, dress, None, period, "{md} 巡查发现未佩戴工号牌"),
            "revoke:" + data.REASONS["wrong_person"])
        month.incidents.append(replace(month.incidents[-1], follow_up="", body={
            **month.incidents[-1].body, "employee": right.no, "evidence": month.incidents[-1].body["evidence"]
            + "(更正记录)"}))
    if index == TRANSFER_AT:
        add(_deduction(rng, pick("JRJ", "客服部"), complaint, Decimal(4), period), "appeal_upheld")
        add(_deduction(rng, pick("YHY"), late, None, period),
            "revoke_late:" + data.REASONS["late_correction"])
    if index == months - 2:
        add(_deduction(rng, pick("BSQ"), late, None, period), "appeal_rejected")
