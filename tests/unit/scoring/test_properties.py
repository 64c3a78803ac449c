"""Properties of the pure scoring rules, checked on generated months and groups."""

from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.monthly import MonthlyResult, score_month
from services.scoring.domain.ranking import rank_group
from services.scoring.domain.rounding import round_half_up
from shared.domain import events as ev
from shared.domain.events import RecordedEvent
from shared.domain.template import AnnualPolicy, RankingPolicy, Template

from .factories import (
    EMPLOYEE,
    PERIOD,
    SEED_001_ITEMS,
    acknowledgement,
    appeal,
    bonus,
    deduction,
    metric,
    review,
    revocation,
    self_assessment,
    staff_template,
)

FIXED = [("civility", "rude"), ("teamwork", "uncooperative"), ("duty_records", "missing_record"),
         ("attendance", "late")]
RANGED = [("civility", "complaint", 3, 5), ("focus", "distracted", 1, 5)]
METRICS = [("civility", "plan_rate"), ("attendance", "attendance_rate")]
ORDER_FREE = (ev.DEDUCTION, ev.BONUS)  # sums: their relative order cannot matter

fixed_spec = st.tuples(st.just("fixed"), st.sampled_from(FIXED), st.integers(1, 4))
range_spec = st.sampled_from(RANGED).flatmap(
    lambda r: st.tuples(st.just("range"), st.just(r), st.decimals(r[2], r[3], places=1)))
metric_spec = st.tuples(st.just("metric"), st.sampled_from(METRICS),
                        st.decimals(50, 110, places=3))
bonus_spec = st.tuples(st.just("bonus"), st.integers(1, 10))
self_spec = st.tuples(st.just("self"), st.fixed_dictionaries(
    {code: st.integers(0, points) for code, _, points in SEED_001_ITEMS}))
stage_spec = st.tuples(st.just("review"), st.sampled_from(["manager", "gm"]))
other_spec = st.tuples(st.sampled_from(["ack", "appeal"]))
spec = st.one_of(fixed_spec, range_spec, metric_spec, bonus_spec, self_spec, stage_spec,
                 other_spec)


def build(kind_spec: tuple[Any, ...], position: int) -> RecordedEvent:
    kind, *args = kind_spec
    at: dict[str, Any] = {"position": position, "id": f"e{position}"}
    if kind == "fixed":
        (item, rule), count = args
        return deduction(item, rule, count=count, **at)
    if kind == "range":
        (item, rule, _, _), points = args
        return deduction(item, rule, points=str(points), **at)
    if kind == "metric":
        (item, rule), value = args
        return metric(item, rule, str(value), **at)
    if kind == "bonus":
        return bonus(args[0], **at)
    if kind == "self":
        return self_assessment(args[0], **at)
    if kind == "review":
        return review(args[0], **at)
    return acknowledgement(**at) if kind == "ack" else appeal("e1", **at)


months = st.lists(spec, max_size=25).map(
    lambda specs: [build(s, position) for position, s in enumerate(specs, start=1)])
templates = st.sampled_from([
    staff_template(), staff_template(item_cap=False),
    staff_template(raters={"supervisor": D(1)}),
    staff_template(raters={"self": D("0.3"), "supervisor": D("0.7")}),
])


def score(template: Template, events: list[RecordedEvent]) -> MonthlyResult:
    return score_month(template, EMPLOYEE, PERIOD, events)


def numbers(r: MonthlyResult) -> tuple[Any, ...]:
    """Everything a reader sees as a score, without provenance (ids and positions)."""
    items = tuple((i.code, i.deducted, i.score) for i in r.items)
    return (items, r.supervisor, r.self_score, r.weighted, r.bonus, r.final, r.awards, r.flags)


@given(templates, months, st.data())
def test_revoking_an_event_gives_the_result_without_it(
    template: Template, events: list[RecordedEvent], data: st.DataObject
) -> None:
    if not events:
        return
    index = data.draw(st.integers(0, len(events) - 1))
    revoked = [*events, revocation(events[index].id, position=len(events) + 1)]
    without = events[:index] + events[index + 1:]
    assert numbers(score(template, revoked)) == numbers(score(template, without))


@given(months)
def test_every_item_score_stays_within_zero_and_its_points_when_capped(
    events: list[RecordedEvent]
) -> None:
    for item in score(staff_template(), events).items:
        assert D(0) <= item.score <= item.points


@given(templates, months, st.data())
def test_the_order_events_are_given_in_does_not_matter(
    template: Template, events: list[RecordedEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    assert score(template, shuffled) == score(template, events)


@given(templates, months, st.data())
def test_the_relative_order_of_deductions_and_bonuses_does_not_matter(
    template: Template, events: list[RecordedEvent], data: st.DataObject
) -> None:
    movable = [e.position for e in events if e.type in ORDER_FREE]
    moved = iter(data.draw(st.permutations(movable)))
    reordered = [replace(e, position=next(moved)) if e.type in ORDER_FREE else e for e in events]
    assert numbers(score(template, reordered)) == numbers(score(template, events))


@given(templates, months)
def test_scoring_twice_gives_identical_results(
    template: Template, events: list[RecordedEvent]
) -> None:
    assert score(template, events) == score(template, list(events))


@given(templates, months)
def test_the_final_is_the_weighted_score_rounded_plus_the_bonuses(
    template: Template, events: list[RecordedEvent]
) -> None:
    r = score(template, events)
    assert r.final == round_half_up(r.weighted, 2) + r.bonus
    assert r.supervisor == sum((i.score for i in r.items), D(0))
    assert r.bonus == sum((b.points for b in r.bonuses), D(0))
    assert ("excellent" in r.awards) == (r.final > template.excellent_above)


@given(templates, months)
def test_the_weighted_score_follows_the_rater_weights(
    template: Template, events: list[RecordedEvent]
) -> None:
    r = score(template, events)
    if template.has_self_rater and r.self_score is not None:
        expected = template.raters["self"] * r.self_score + template.raters["supervisor"] * \
            r.supervisor
        assert r.weighted == expected
    else:
        assert r.weighted == r.supervisor


finals_groups = st.dictionaries(
    st.text("ABCDEFGH", min_size=1, max_size=3), st.decimals(0, 120, places=2), max_size=12)


@given(finals_groups, st.integers(1, 4), st.integers(1, 5))
def test_ranks_rise_along_the_rows_and_count_those_strictly_higher(
    finals: dict[str, D], min_group_size: int, bottom_n: int
) -> None:
    policy = RankingPolicy(min_group_size=min_group_size, bottom_n=bottom_n)
    rows = rank_group(finals, policy, closed_on=None, plans_filed={}, previous_last_streaks={})
    assert sorted(r.employee for r in rows) == sorted(finals)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    for r in rows:
        assert r.rank == 1 + sum(1 for v in finals.values() if v > r.final)
        assert r.rank_of == len(finals)
        lower = sum(1 for v in finals.values() if v < r.final)
        if r.consequences:
            assert ("improvement_plan" in r.consequences) == (lower < bottom_n)
            assert ("last_place" in r.consequences) == (lower == 0)


@given(finals_groups)
def test_consequences_come_with_a_first_and_a_last_place_or_not_at_all(
    finals: dict[str, D]
) -> None:
    rows = rank_group(finals, RankingPolicy(), closed_on=None, plans_filed={},
                      previous_last_streaks={})
    named = {c for r in rows for c in r.consequences}
    applies = len(finals) >= 3 and len(set(finals.values())) > 1
    assert ({"first_place", "last_place"} <= named) == applies
    assert bool(named) == applies


@given(st.decimals(-1000, 1000, places=4), st.integers(0, 3))
def test_rounding_moves_a_value_by_at_most_half_a_unit_and_is_symmetric(
    value: D, places: int
) -> None:
    rounded = round_half_up(value, places)
    assert abs(rounded - value) <= D("0.5").scaleb(-places)
    assert round_half_up(-value, places) == -rounded


component_finals = st.dictionaries(
    st.sampled_from(["inspections", "monthly", "year_end"]),
    st.lists(st.decimals(0, 120, places=2), max_size=12), max_size=3)


@given(component_finals)
def test_the_composite_lies_between_the_lowest_and_highest_component_means(
    finals: dict[str, list[D]]
) -> None:
    result = annual_composite(AnnualPolicy(), finals)
    means = [c.mean for c in result.components if c.mean is not None]
    if not means:
        assert result.composite is None
        return
    assert result.composite is not None
    assert round_half_up(min(means), 2) <= result.composite <= round_half_up(max(means), 2)
    assert sum(c.weight_applied for c in result.components) == D(1)


def _exact_composite(finals: dict[str, list[D]]) -> D | None:
    """Σ weight_k × mean_k over the present components, reweighted, as an exact fraction,
    rounded half up once."""
    present = [c for c in AnnualPolicy().components if finals.get(c.code)]
    if not present:
        return None
    total = sum(Fraction(c.weight) for c in present)
    exact = sum(Fraction(c.weight) / total * sum(map(Fraction, finals[c.code])) / len(finals[c.code])
                for c in present)
    hundredths, rest = divmod(exact * 100, 1)
    return (D(int(hundredths) + (1 if rest >= Fraction(1, 2) else 0)) / 100).quantize(D("0.01"))


@given(component_finals)
def test_the_composite_is_the_exact_weighted_sum_rounded_half_up_once(finals: dict[str, list[D]]) -> None:
    result = annual_composite(AnnualPolicy(), finals)
    assert result.composite == _exact_composite(finals)


@given(st.lists(st.decimals(0, 120, places=2), min_size=1, max_size=12))
def test_with_only_the_monthly_component_the_shown_mean_is_the_composite(monthly: list[D]) -> None:
    shown = annual_result_to_dict(annual_composite(AnnualPolicy(), {"monthly": monthly}))
    assert shown["components"][1]["mean"] == shown["composite"]
