"""A group-scale year of incidents, generated deterministically from one seed.

Every month gets its own `random.Random(f"{seed}:{month}")`, so months can be produced
lazily and in any order and still be the same bytes. Bodies are SPEC §7.4 JSON, built
from the seed templates' own item, rule and bonus codes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from shared.templates import seed_template_documents

# The benchmark's "today" is fixed, so its dates never depend on the wall clock: the year
# it generates is the one ending on that day (the seed templates take effect from 2026-01).
TODAY = date(2026, 12, 31)
YEAR = str(TODAY.year)
MONTHS: tuple[str, ...] = tuple(f"{YEAR}-{m:02d}" for m in range(1, TODAY.month + 1))
DEPARTMENT = "客服部"
# (position, template, head count per project; None = the rest)
ROSTER: tuple[tuple[str, str, int | None], ...] = (
    ("服务中心主任", "service-center-director", 1),
    ("客服主管", "cs-supervisor-monthly", 2),
    ("客服领班", "cs-staff", 2),
    ("客服专员", "cs-staff", None),
)
PROFILES: tuple[float, ...] = (0.4, 0.7, 0.9, 1.0, 1.0, 1.1, 1.3, 1.6, 2.2)  # deduction-rate factors
SOURCES = ("巡查记录", "投诉记录", "考勤记录", "业主回访", "例会纪要")
SPOTS = ("大堂", "前台", "3号楼", "地下车库", "东门岗", "会所", "5号楼", "物业中心", "园区花园")


@dataclass(frozen=True)
class Person:
    employee_no: str
    name: str
    project: str
    position: str
    template: str
    rate: float  # this person's deduction-rate factor

    def registration(self) -> dict[str, Any]:
        return {"employee_no": self.employee_no, "name": self.name, "project": self.project,
                "department": DEPARTMENT, "position": self.position, "template": self.template,
                "effective_from": MONTHS[0]}  # the whole year is loaded: say so


@dataclass(frozen=True)
class Org:
    projects: tuple[tuple[str, str], ...]
    people: tuple[Person, ...]


def plan_org(projects: int, per_project: int, seed: int) -> Org:
    """`projects` projects of `per_project` people: a director, two supervisors, the rest staff."""
    rng = random.Random(f"{seed}:org")
    codes = tuple((f"P{p:02d}", f"第{p}物业项目") for p in range(1, projects + 1))
    people: list[Person] = []
    for code, _ in codes:
        n = 0
        for position, template, count in ROSTER:
            for _ in range(per_project - n if count is None else min(count, per_project - n)):
                n += 1
                people.append(Person(f"{code}-{n:04d}", _name(rng), code, position, template,
                                     rng.choice(PROFILES)))
    return Org(codes, tuple(people))


def _name(rng: random.Random) -> str:
    return rng.choice("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗") + rng.choice(
        ("静", "伟", "芳", "娜", "敏", "强", "磊", "军", "洋", "婷婷", "文博", "子涵", "浩然", "晓燕"))


@cache
def _template(code: str) -> dict[str, Any]:
    return next(d for d in seed_template_documents() if d["code"] == code)


@cache
def _rules(code: str) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[tuple[str, str]]]:
    """(item, rule) pairs a deduction may name, and (item, rule) codes a metric may report."""
    doc = _template(code)
    deductible = [(i, r) for i in doc["items"] for r in i["rules"] if r["kind"] != "per_percent_below"]
    metrics = [(i["code"], r["code"]) for i in doc["items"] for r in i["rules"]
               if r["kind"] == "per_percent_below"]
    return deductible, metrics


def fixed_events_per_month(template: str) -> float:
    """Non-deduction events an employee-month gets on average (see `_month_of`)."""
    doc = _template(template)
    self_rated = float(doc.get("raters", {}).get("self", 0)) > 0
    metrics = len(_rules(template)[1]) * 1.1
    return (1.0 if self_rated else 0.0) + 0.3 + metrics


def deduction_mean(org: Org, events: int) -> float:
    """Mean deductions per employee-month so that the year holds about `events` events."""
    months = len(MONTHS)
    fixed = sum(fixed_events_per_month(p.template) for p in org.people) * months
    weight = sum(p.rate for p in org.people) * months
    return max(0.0, (events - fixed) / weight)


def month_events(org: Org, month: str, mean: float, seed: int) -> list[dict[str, Any]]:
    """One month of the group's events, in the order they happen (by day)."""
    rng = random.Random(f"{seed}:{month}")
    dated: list[tuple[int, int, dict[str, Any]]] = []
    for person in org.people:
        for day, body in _month_of(rng, person, month, mean):
            dated.append((day, len(dated), body))
    dated.sort(key=lambda t: (t[0], t[1]))
    return [body for _, _, body in dated]


def _month_of(rng: random.Random, p: Person, month: str, mean: float) -> Iterator[tuple[int, dict[str, Any]]]:
    doc = _template(p.template)
    deductible, metrics = _rules(p.template)
    expected = mean * p.rate * rng.uniform(0.6, 1.4)
    for _ in range(int(expected) + (rng.random() < expected % 1)):
        day = rng.randint(1, 28)
        yield day, _deduction(rng, p, month, day, *rng.choice(deductible))
    for item, rule in metrics:
        for _ in range(1 + (rng.random() < 0.1)):  # now and then a corrected report
            yield 25, {"type": "metric", "employee": p.employee_no, "item": item, "rule": rule,
                       "period": month, "value": round(rng.uniform(88, 100), 1),
                       "evidence": "月度统计报表", "source": "品质部"}
    if rng.random() < 0.3 and doc.get("bonuses"):
        day = rng.randint(1, 28)
        yield day, {"type": "bonus", "employee": p.employee_no, "bonus": rng.choice(doc["bonuses"])["code"],
                    "occurred_on": f"{month}-{day:02d}", "points": rng.randint(1, 5),
                    "evidence": f"{month}-{day:02d} 业主书面表扬,{rng.choice(SPOTS)}服务周到"}
    if float(doc.get("raters", {}).get("self", 0)) > 0:
        scores = {i["code"]: max(0, i["points"] - rng.choice((0, 0, 0, 1, 1, 2))) for i in doc["items"]}
        yield 26, {"type": "self_assessment", "employee": p.employee_no, "period": month,
                   "scores": scores, "analysis": "本月按时完成各项工作,个别环节仍需改进。"}
    # No 经理初评, 总经理审核 or 签字: they answer a closed, published month (SPEC §4.9), so an
    # import of a year's incidents carries none; the deductions make up the million events.


def _deduction(rng: random.Random, p: Person, month: str, day: int, item: dict[str, Any],
               rule: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "deduction", "employee": p.employee_no, "item": item["code"], "rule": rule["code"],
        "occurred_on": f"{month}-{day:02d}",
        "evidence": f"{month[5:]}/{day:02d} {rng.choice(SPOTS)}检查:{rule['title'][:40]}",
        "source": rng.choice(SOURCES),
    }
    if rule["kind"] == "range":
        body["points"] = rng.randint(int(rule["min"]), int(rule["max"]))
    elif rng.random() < 0.1:
        body["count"] = rng.randint(2, 3)
    return body


def year_batches(org: Org, events: int, seed: int, size: int = 1000) -> Iterator[list[dict[str, Any]]]:
    """The year in batches of `size`, month after month (a batch never spans two months)."""
    mean = deduction_mean(org, events)
    for month in MONTHS:
        bodies = month_events(org, month, mean, seed)
        for start in range(0, len(bodies), size):
            yield bodies[start:start + size]


def encode(batch: list[dict[str, Any]]) -> bytes:
    return json.dumps({"events": batch}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
