"""`jixiao demo`: a three-project 物业集团 with six months of history, loaded for real.

Every write goes through the commands behind the HTTP API, so each event is validated
against its rubric, hash-chained and attributed to the 领班, 主管, 经理, 总经理 or
employee who would have made it. Months are closed as the beat closes them (the 1st,
01:00 Asia/Shanghai) and scored by the in-process worker, so every report is true.
Loading twice adds nothing: a database that already has a demo project is left alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select

from demo import accounts, complaints, data
from demo.accounts import DemoAccount
from demo.data import TRANSFER_AT, Cast, plan_roster
from demo.plan import Entry, plan_months
from demo.yearend import plan_inspections, plan_reviews
from services.incidents.appeals import resolve_appeal
from services.incidents.event_commands import record_events, revoke_event
from services.incidents.org_commands import create_project, register_employee, transfer_employee
from services.scoring.inprocess import InProcessRunner
from shared import org
from shared.auth import Principal
from shared.clock import Clock
from shared.commands.meta import RequestMeta
from shared.commands.periods import SYSTEM, close_period
from shared.db import Database
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import TZ, first_day, month_of, next_month, previous_month
from shared.domain.template import Template
from shared.eventstore import MAX_BATCH, EventStore
from shared.seeding import install_seed_templates
from shared.tables import employees, events, period_closures, rankings, scores

PROJECT_CODES: tuple[str, ...] = tuple(code for code, _name, _departments in data.PROJECTS)
MONTHS = 6
ROLE_LABELS = {"employee": "员工", "lead": "领班", "supervisor": "主管", "manager": "经理", "gm": "总经理",
               "auditor": "品质部", "admin": "管理员"}
ADMIN = Principal(user="admin", role="admin", projects=frozenset())


@dataclass(frozen=True)
class Notable:
    employee: str
    name: str
    project: str
    note: str


@dataclass(frozen=True)
class DemoSummary:
    """What the demo projects hold, for `jixiao demo` to print and the README to quote."""

    already_loaded: bool
    projects: tuple[str, ...]
    employees: int
    events: int
    months: tuple[str, ...]
    closed_months: tuple[str, ...]  # closed in every demo project
    notable: tuple[Notable, ...]
    accounts: tuple[DemoAccount, ...] = ()

    def lines(self) -> list[str]:
        head = "演示数据已存在,未写入任何内容 (demo already loaded, nothing added)" if self.already_loaded \
            else "演示数据已载入 (demo loaded)"
        span = f"{self.months[0]}..{self.months[-1]}" if self.months else "-"
        closed = f"{self.closed_months[0]}..{self.closed_months[-1]}" if self.closed_months else "-"
        return [head, f"projects: {', '.join(self.projects)}; employees: {self.employees}; "
                      f"events: {self.events}; months: {span}; closed: {closed}",
                *(f"  {n.employee} {n.name} ({n.project}): {n.note}" for n in self.notable),
                *self.account_lines()]

    def account_lines(self) -> list[str]:
        if not self.accounts:
            return []
        head = [f"demo accounts (password: {data.DEMO_PASSWORD}; for trying the demo only):"]
        return head + [f"  {ROLE_LABELS[a.role]:<6} {a.username:<10} {a.name}  [{', '.join(a.projects) or '全部项目'}]"
                       for a in self.accounts]


def load_demo(db: Database, clock: Clock, *, seed: int = 2026) -> DemoSummary:
    """Load the demo group with the six months before today's month; returns what is there."""
    install_seed_templates(db)
    with db.read() as conn:
        loaded = any(org.project_exists(conn, code) for code in PROJECT_CODES)
    rng = random.Random(seed)
    cast = plan_roster(rng)
    if loaded:
        return summarise(db, already_loaded=True, accounts=accounts.planned(cast))
    months = demo_months(clock.today())
    loader = _Loader(db, clock, cast, seed)
    rubrics = [loader.templates(period) for period in months]  # fail before writing anything
    planned = plan_months(rng, loader.cast, rubrics, months)
    loader.create_org(months[0])  # the six months are loaded back-dated: say so
    made = accounts.create(db, cast)
    late: list[tuple[str, str, str]] = []
    ledger = complaints.plan(seed, cast, months, clock.today())
    inspections = plan_inspections(seed, cast, months)
    for index, month in enumerate(planned):
        if index == TRANSFER_AT:
            loader.transfer(month.period)
        late += loader.follow_up(loader.record(month.incidents))
        loader.record(inspections[index])  # 周检/月检, before the month is closed
        loader.complaints(ledger[index])
    loader.record([entry for month in planned for entry in month.self_assessments])
    for month in planned[:-1]:
        loader.close(month.period)
    loader.runner.drain()  # the closed months are published: the sign-off answers them
    for stage in ("manager", "gm"):  # in the order SPEC §4.9 asks for
        loader.record([e for month in planned for e in month.reviews if e.body["stage"] == stage])
    loader.record(plan_reviews(seed, cast, months))  # 年终考评: the composite has all three parts
    loader.record([entry for month in planned for entry in month.sign_offs])
    loader.runner.drain()
    for project, event_id, reason in late:  # corrections after the month was closed, published, signed
        loader.revoke("manager", project, event_id, reason)
    loader.runner.drain()
    return summarise(db, already_loaded=False, accounts=made)


def demo_months(today: date) -> list[str]:
    """The six months before `today`'s month, oldest first."""
    months = [previous_month(month_of(today))]
    while len(months) < MONTHS:
        months.insert(0, previous_month(months[0]))
    return months


class _Loader:
    """Sends the planned bodies through the commands, as the right principal each time."""

    def __init__(self, db: Database, clock: Clock, cast: Cast, seed: int) -> None:
        self.db, self.clock, self.cast, self.seed = db, clock, cast, seed
        self.runner = InProcessRunner(db, clock)
        self.requests = 0
        self.principals: dict[tuple[str, str], Principal] = {}
        self.names = {m.no: m.name for m in cast.roster}
        for code in PROJECT_CODES:
            for role, position in data.ROLE_POSITIONS.items():
                holder = next(m for m in cast.roster if m.project == code and m.position == position)
                self.principals[(role, code)] = Principal(holder.no, role, frozenset({code}),
                                                          name=f"{holder.name} ({holder.no})")
            self.principals[("gm", code)] = Principal(f"gm-{code.lower()}", "gm", frozenset({code}),
                                                      name=f"{data.GMS[code]} (总经理)")

    def meta(self) -> RequestMeta:
        self.requests += 1
        return RequestMeta(request_id=f"demo-{self.seed}-{self.requests:05d}")

    def principal(self, role: str, project: str, employee: str) -> Principal:
        if role == "self":
            return Principal(employee, "employee", frozenset({project}), name=f"{self.names[employee]} ({employee})")
        return self.principals[(role, project)]

    def templates(self, period: str) -> dict[str, Template]:
        with self.db.read() as conn:
            found = {code: org.template_for(conn, code, period)
                     for code in sorted(set(data.POSITION_TEMPLATES.values()))}
        missing = sorted(code for code, t in found.items() if t is None)
        if missing:
            raise ValueError(f"no version of {', '.join(missing)} is in force in {period}; "
                             "the demo needs the seed templates for all six months before `today`")
        return {code: t for code, t in found.items() if t is not None}

    def create_org(self, first: str) -> None:
        for code, name, _departments in data.PROJECTS:
            create_project(self.db, ADMIN, {"code": code, "name": name}, self.meta())
        for m in self.cast.roster:
            register_employee(self.db, ADMIN, {
                "employee_no": m.no, "name": m.name, "project": m.project, "department": m.department,
                "position": m.position, "template": m.template, "effective_from": first},
                self.meta(), self.clock.now())

    def transfer(self, period: str) -> None:
        project, department = self.cast.transfer_to
        transfer_employee(self.db, ADMIN, self.cast.transferee, {
            "project": project, "department": department, "effective_from": period}, self.meta())

    def record(self, entries: list[Entry]) -> list[tuple[Entry, RecordedEvent]]:
        """One batch per recorder (all or nothing each), in the planned order."""
        groups: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
        for e in entries:
            groups[(e.role, e.project, e.body["employee"] if e.role == "self" else "")].append(e)
        out: list[tuple[Entry, RecordedEvent]] = []
        for (role, project, employee), group in groups.items():
            who = self.principal(role, project, employee)
            for start in range(0, len(group), MAX_BATCH):
                chunk = group[start:start + MAX_BATCH]
                done = record_events(self.db, who, [e.body for e in chunk], self.meta(), batch=True,
                                     now=self.clock.now())
                out.extend(zip(chunk, done.events, strict=True))
        return out

    def complaints(self, steps: list[complaints.Step]) -> None:
        """The ledger in the order things happened, a batch per run of one recorder."""
        ordered = sorted(steps, key=lambda s: str(s.body.get("at") or s.body.get("received_at")))
        run: list[complaints.Step] = []
        for step in ordered + [complaints.Step("", {"project": ""})]:
            if run and (step.role, step.body["project"]) != (run[0].role, run[0].body["project"]):
                who = self.principals[(run[0].role, str(run[0].body["project"]))]
                record_events(self.db, who, [s.body for s in run], self.meta(), batch=True, now=self.clock.now())
                run = []
            run.append(step)

    def revoke(self, role: str, project: str, event_id: str, reason: str) -> None:
        revoke_event(self.db, self.principals[(role, project)], event_id, reason, self.meta(), self.clock.now())

    def follow_up(self, recorded: list[tuple[Entry, RecordedEvent]]) -> list[tuple[str, str, str]]:
        """This month's revocations and appeals; returns the corrections due after the close."""
        late = []
        for entry, event in recorded:
            action, _, reason = entry.follow_up.partition(":")
            if action == "revoke":
                self.revoke("supervisor", entry.project, event.id, reason)
            elif action.startswith("appeal_"):
                verdict = action.removeprefix("appeal_")
                [(_, appeal)] = self.record([Entry("self", entry.project, {
                    "type": "appeal", "employee": entry.body["employee"], "event_id": event.id,
                    "reason": data.APPEALS[verdict]})])
                resolve_appeal(self.db, self.principals[("manager", entry.project)], appeal.id, verdict,
                               data.DECISIONS[verdict], self.meta(), self.clock.now())
            elif action == "revoke_late":
                late.append((entry.project, event.id, reason))
        return late

    def close(self, period: str) -> None:
        """As the beat does it: on the 1st of the next month, 01:00 in Shanghai."""
        moment = datetime.combine(first_day(next_month(period)), time(1), TZ)
        for code in PROJECT_CODES:
            close_period(self.db, SYSTEM, code, period, RequestMeta(request_id=f"beat:{period}"), moment)


def summarise(db: Database, *, already_loaded: bool, accounts: list[DemoAccount] | None = None) -> DemoSummary:
    """What the demo projects hold now, read back from the log and the read models."""
    with db.read() as conn:
        present = tuple(code for code in PROJECT_CODES if org.project_exists(conn, code))
        people = {r.employee_no: (r.name, r.project) for r in conn.execute(
            select(employees.c.employee_no, employees.c.name, employees.c.project)
            .where(employees.c.project.in_(present)))}
        months = tuple(conn.execute(select(events.c.period).distinct().where(
            events.c.project.in_(present), events.c.type.in_(ev.INCIDENT_TYPES))
            .order_by(events.c.period)).scalars())
        closed = conn.execute(select(period_closures.c.period).where(period_closures.c.project.in_(present))
                              .group_by(period_closures.c.period)
                              .having(func.count() == len(present)).order_by(period_closures.c.period))
        closed_months = tuple(closed.scalars())
        total = EventStore(conn).count()
        notable = _notable(conn, present, people)
    return DemoSummary(already_loaded, present, len(people), total, months, closed_months, notable,
                       tuple(accounts or ()))


def _notable(conn: Any, present: tuple[str, ...], people: dict[str, tuple[str, str]]) -> tuple[Notable, ...]:
    def who(no: str, note: str) -> Notable:
        name, project = people.get(no, ("?", "?"))
        return Notable(no, name, project, note)

    streaks: dict[str, tuple[str, int]] = {}
    for r in conn.execute(select(rankings.c.period, rankings.c.rows).where(rankings.c.project.in_(present))
                          .order_by(rankings.c.period)):
        for row in r.rows:
            if "reassignment_review" in row["consequences"]:
                streaks[row["employee"]] = (r.period, int(row.get("last_streak", 0)))
    excellent: dict[str, list[str]] = defaultdict(list)
    for r in conn.execute(select(scores.c.employee, scores.c.period, scores.c.final, scores.c.result)
                          .where(scores.c.project.in_(present)).order_by(scores.c.period)):
        if "excellent" in r.result.get("awards", []):
            excellent[r.employee].append(f"{r.period} {float(r.final):.2f}")
    moves = conn.execute(select(events.c.employee, events.c.payload).where(
        events.c.type == ev.EMPLOYEE_TRANSFERRED, events.c.project.in_(present)).order_by(events.c.position))
    return (
        *(who(no, f"连续{n}个月部门末位 → 调岗审查 (last {n} months running, {period})")
          for no, (period, n) in sorted(streaks.items())),
        *(who(no, f"优秀员工 (excellent) ×{len(hits)}: {', '.join(hits)}")
          for no, hits in sorted(excellent.items(), key=lambda kv: (-len(kv[1]), kv[0]))),
        *(who(m.employee, f"调动 (transfer) {m.payload['from_project']} → {m.payload['project']} "
                          f"from {m.payload['effective_from']}") for m in moves),
    )
