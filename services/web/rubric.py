"""What the record form offers: the person's rubric (or the rubrics of everyone in scope), the
item, rule or bonus chosen, and what the lead records today. Read-only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection

from services.reports import queries
from services.reports.sheets import local_time
from services.web import scope
from shared import org
from shared.accounts import list_accounts
from shared.auth import Principal
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.periods import month_of, previous_month
from shared.domain.template import BonusRule, Item, Rule, Template
from shared.eventstore import EventStore
from shared.tables import event_revocations

RECORDED = (ev.DEDUCTION, ev.BONUS, ev.METRIC)


@dataclass
class Rubric:
    """The rubric block of a record form, as far as the person has filled the form in."""

    person: org.Member | None
    templates: list[Template]
    period: str
    item: Item | None = None
    rule: Rule | None = None
    bonus: BonusRule | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def items(self) -> list[tuple[Template, Item]]:
        return [(t, i) for t in self.templates for i in t.items]

    def rules_of(self, kinds: tuple[str, ...]) -> list[tuple[Template, Item, list[Rule]]]:
        """The rules to choose from: the chosen item's, or every item's (grouped)."""
        chosen = [(t, i) for t, i in self.items if self.item is None or i is self.item]
        return [(t, i, [r for r in i.rules if r.kind in kinds]) for t, i in chosen
                if any(r.kind in kinds for r in i.rules)]

    @property
    def bonuses(self) -> list[tuple[Template, BonusRule]]:
        return [(t, b) for t in self.templates for b in t.bonuses]


def _month(raw: str | None, fallback: str) -> str:
    try:
        return month_of(date.fromisoformat(raw or ""))
    except ValueError:
        return raw if raw and len(raw) == 7 and raw[4] == "-" else fallback


def rubric(conn: Connection, principal: Principal, form: Mapping[str, str]) -> Rubric:
    """The rubric for the form's person and month (any month the person is in scope)."""
    period = _month(form.get("occurred_on") or form.get("period"), scope.this_month())
    person = scope.member(conn, principal, (form.get("employee") or "").strip(), period)
    if person is not None:
        found = org.template_for(conn, person.template, period)
        templates = [found] if found else []
    else:
        codes = sorted({m.template for m in scope.staff(conn, principal, period)})
        templates = [t for c in codes if (t := org.template_for(conn, c, period)) is not None]
    out = Rubric(person, templates, period, values=form)
    out.item = next((i for _, i in out.items if i.code == form.get("item")), None)
    rules = [r for t, i, rs in out.rules_of(("fixed", "range", "per_percent_below")) for r in rs]
    out.rule = next((r for r in rules if r.code == form.get("rule")), None)
    out.bonus = next((b for _, b in out.bonuses if b.code == form.get("bonus")), None)
    return out


@dataclass(frozen=True)
class Line:
    """One recorded deduction, metric or bonus, as a person reads it."""

    event: RecordedEvent
    person: str
    what: str
    amount: str
    revoked: bool
    recorded_at: str

    @property
    def evidence(self) -> str:
        return str(self.event.payload.get("evidence") or "")


def describe(conn: Connection, e: RecordedEvent) -> tuple[str, str]:
    """(what, amount) of a recorded event, by the titles of the employee's rubric."""
    emp = org.get_employee(conn, e.employee or "")
    template = org.template_for(conn, emp.template, e.period or "") if emp else None
    p: dict[str, Any] = e.payload
    if e.type == ev.BONUS:
        bonus = template.bonus(str(p.get("bonus"))) if template else None
        return f"加分 · {bonus.title if bonus else p.get('bonus')}", f"+{p.get('points')}分"
    item = template.item(str(p.get("item"))) if template else None
    rule = item.rule(str(p.get("rule"))) if item else None
    what = f"{item.title if item else p.get('item')} · {rule.title if rule else p.get('rule')}"
    if e.type == ev.METRIC:
        return f"指标 · {what}", f"{p.get('value')}%"
    count = int(p.get("count") or 1)
    each = p.get("points") if p.get("points") is not None else (rule.points if rule else "")
    return what, f"-{each}分" + (f" × {count}" if count > 1 else "")


def lines(conn: Connection, found: list[RecordedEvent]) -> list[Line]:
    ids = [e.id for e in found]
    revoked = set(conn.execute(event_revocations.select().with_only_columns(event_revocations.c.event_id)
                               .where(event_revocations.c.event_id.in_(ids))).scalars()) if ids else set()
    names = queries.employee_names(conn, sorted({e.employee or "" for e in found}))
    out = []
    for e in found:
        what, amount = describe(conn, e)
        out.append(Line(e, f"{names.get(e.employee or '', '')} ({e.employee})", what, amount, e.id in revoked,
                        local_time(e.recorded_at)))
    return out


def recorded_today(conn: Connection, principal: Principal, day: date) -> list[Line]:
    """What this person recorded today (Asia/Shanghai), newest first."""
    store = EventStore(conn)
    scope_ = None if principal.is_admin else sorted(principal.projects)
    month = month_of(day)
    found = [e for period in (month, previous_month(month))
             for e in store.query(projects=scope_, period=period, types=RECORDED, limit=100_000)
             if e.actor == principal.user and org.shanghai_date(e.recorded_at) == day]
    return lines(conn, sorted(found, key=lambda e: -e.position))


def supervisors(conn: Connection, project: str) -> list[str]:
    """Who can revoke in a project: its supervisors' and managers' accounts, by display name."""
    return [a.display_name for a in list_accounts(conn)
            if a.role in ("supervisor", "manager") and project in a.projects and not a.disabled]
