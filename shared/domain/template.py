"""Rubrics (考核表) as immutable values.

A template version is data: it is published, never edited. Scoring reads it, the
write side validates events against it. Everything numeric is a Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Literal, TypeVar

from shared.domain.layout import SheetLayout

_T = TypeVar("_T")
RuleKind = Literal["fixed", "range", "per_percent_below"]
RULE_KINDS: tuple[str, ...] = ("fixed", "range", "per_percent_below")
# The sign-off after the self-assessment (SPEC §4.8–9), in order; a template may declare fewer.
SIGNOFF_STAGES: tuple[str, ...] = ("manager", "gm", "acknowledgement")


@dataclass(frozen=True)
class Rule:
    """One way to lose points on an item (扣分标准)."""

    code: str
    title: str
    kind: RuleKind
    points: Decimal | None = None  # fixed: per occurrence; per_percent_below: per percent
    min: Decimal | None = None  # range only
    max: Decimal | None = None  # range only
    target: Decimal | None = None  # per_percent_below only
    # per_percent_below only: the rate comes from the complaint ledger (SPEC §7.7), recorded by
    # the month close, e.g. "complaints.followup_rate"; None: reported by hand as a metric.
    source: str | None = None
    # A missed complaint deadline ("reply", "escalation", "followup") this rule deducts for,
    # offered as a suggested deduction for the complaint's responsible employee.
    complaint_deadlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One row of the rubric with its standard points (标准分/分值)."""

    code: str
    title: str
    points: Decimal
    category: str = ""
    rules: tuple[Rule, ...] = ()
    note: str = ""

    def rule(self, code: str) -> Rule | None:
        return self._rules_by_code.get(code)

    @cached_property
    def _rules_by_code(self) -> dict[str, Rule]:
        return _first_by_code(self.rules)


@dataclass(frozen=True)
class BonusRule:
    """A bonus (加分) granted after weighting, within [min, max] points."""

    code: str
    title: str
    min: Decimal = Decimal(1)
    max: Decimal = Decimal(10)


@dataclass(frozen=True)
class RankingPolicy:
    """Seed 003 篇2: monthly ranking consequences."""

    scope: str = "department"
    min_group_size: int = 3
    first_reward: Decimal = Decimal(100)
    last_penalty: Decimal = Decimal(100)
    bottom_n: int = 2
    improvement_due_days: int = 7
    reassign_after_consecutive_last: int = 3


@dataclass(frozen=True)
class AnnualComponent:
    """One part of the year-end composite (seed 003 §4.6)."""

    code: str
    title: str
    weight: Decimal
    template: str | None = None  # template code whose finals feed it; None = this template


def default_annual_components() -> tuple[AnnualComponent, ...]:
    return (
        AnnualComponent("inspections", "周检、月检", Decimal("0.20"), "cs-inspection"),
        AnnualComponent("monthly", "月考核", Decimal("0.30"), None),
        AnnualComponent("year_end", "年终考评", Decimal("0.50"), "cs-year-end"),
    )


@dataclass(frozen=True)
class AnnualPolicy:
    components: tuple[AnnualComponent, ...] = field(default_factory=default_annual_components)
    excellent_above: Decimal = Decimal(100)


@dataclass(frozen=True)
class Template:
    """One published version of a rubric."""

    code: str
    name: str
    effective_from: str  # YYYY-MM (or YYYY for annual templates)
    items: tuple[Item, ...]
    period: str = "month"
    version: int = 1
    raters: dict[str, Decimal] = field(default_factory=lambda: {"supervisor": Decimal(1)})
    item_cap: bool = True
    bonuses: tuple[BonusRule, ...] = ()
    excellent_above: Decimal = Decimal(100)
    ranking: RankingPolicy = field(default_factory=RankingPolicy)
    annual: AnnualPolicy = field(default_factory=AnnualPolicy)
    signoff: tuple[str, ...] = SIGNOFF_STAGES
    source: str = ""
    sheet: SheetLayout | None = None  # how the monthly sheet prints (the seed form); None: generic

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    @property
    def has_self_rater(self) -> bool:
        return self.raters.get("self", Decimal(0)) > 0

    def item(self, code: str) -> Item | None:
        return self._items_by_code.get(code)

    def bonus(self, code: str) -> BonusRule | None:
        return self._bonuses_by_code.get(code)

    # Looked up for every event scored; a version never changes, so index it once.
    @cached_property
    def _items_by_code(self) -> dict[str, Item]:
        return _first_by_code(self.items)

    @cached_property
    def _bonuses_by_code(self) -> dict[str, BonusRule]:
        return _first_by_code(self.bonuses)


def _first_by_code(entries: tuple[_T, ...]) -> dict[str, _T]:
    """code → the first entry with that code (what a search from the start would find)."""
    out: dict[str, _T] = {}
    for entry in entries:
        out.setdefault(entry.code, entry)  # type: ignore[attr-defined]
    return out


def version_in_force(versions: list[Template], period: str) -> Template | None:
    """The latest version whose effective_from is not after `period` (YYYY-MM)."""
    eligible = [v for v in versions if v.effective_from <= period]
    return max(eligible, key=lambda v: (v.effective_from, v.version), default=None)
