"""The year-end composite (seed 003 §4.6, SPEC §4)."""

from decimal import Decimal as D

from services.scoring.domain.annual import annual_composite, annual_result_to_dict
from services.scoring.domain.documents import (
    AnnualInputs,
    Inspection,
    StoredMonth,
    YearEndReview,
    annual_document,
)
from shared.domain.template import AnnualComponent, AnnualPolicy

from .factories import staff_template

POLICY = AnnualPolicy()  # inspections 0.20, monthly 0.30, year_end 0.50, excellent above 100


def finals(*values: str | int) -> list[D]:
    return [D(str(v)) for v in values]


def test_the_composite_weights_the_means_of_the_three_components() -> None:
    # inspections mean (95 + 97 + 99) / 3 = 97 → 0.2 × 97 = 19.4
    # monthly mean (90 + 92 + 94 + 96) / 4 = 93 → 0.3 × 93 = 27.9
    # year-end 88 → 0.5 × 88 = 44; A = 19.4 + 27.9 + 44 = 91.3
    result = annual_composite(POLICY, {
        "inspections": finals(95, 97, 99),
        "monthly": finals(90, 92, 94, 96),
        "year_end": finals(88),
    })
    assert result.composite == D("91.30")
    assert [(c.code, c.mean, c.count) for c in result.components] == [
        ("inspections", D(97), 3), ("monthly", D(93), 4), ("year_end", D(88), 1),
    ]
    assert [c.weight_applied for c in result.components] == [D("0.2"), D("0.3"), D("0.5")]
    assert (result.awards, result.flags) == ((), ())


def test_a_missing_component_redistributes_its_weight_proportionally() -> None:
    # no inspections: weights 0.3 / 0.8 = 0.375 and 0.5 / 0.8 = 0.625
    # A = 0.375 × 93 + 0.625 × 88 = 34.875 + 55 = 89.875 → 89.88 (half-up)
    result = annual_composite(POLICY, {"monthly": finals(90, 92, 94, 96), "year_end": finals(88)})
    assert result.composite == D("89.88")
    weights = {c.code: c.weight_applied for c in result.components}
    assert weights == {"inspections": D(0), "monthly": D("0.375"), "year_end": D("0.625")}
    assert result.flags == ("component_missing:inspections", "weights_redistributed")


def test_an_empty_list_of_finals_counts_as_missing() -> None:
    result = annual_composite(POLICY, {"inspections": [], "monthly": finals(90), "year_end": []})
    assert result.composite == D("90.00")  # monthly alone carries the whole weight
    assert result.flags == (
        "component_missing:inspections", "component_missing:year_end", "weights_redistributed",
    )


def test_no_finals_at_all_gives_no_composite() -> None:
    result = annual_composite(POLICY, {})
    assert result.composite is None
    assert result.flags[-1] == "no_data"
    assert result.awards == ()
    assert annual_result_to_dict(result)["composite"] is None


def test_a_monthly_mean_of_thirds_is_kept_exact_until_the_composite_is_rounded() -> None:
    # monthly mean 272 / 3 = 90.666…, and 0.3 × 272 / 3 = 27.2 exactly
    # A = 0.2 × 90 + 27.2 + 0.5 × 90 = 18 + 27.2 + 45 = 90.2 → 90.20
    result = annual_composite(POLICY, {
        "inspections": finals(90), "monthly": finals(90, 91, 91), "year_end": finals(90),
    })
    assert result.composite == D("90.20")


def test_a_composite_above_100_is_excellent() -> None:
    # 0.2 × 102 + 0.3 × 101 + 0.5 × 100.5 = 20.4 + 30.3 + 50.25 = 100.95 > 100
    result = annual_composite(POLICY, {
        "inspections": finals(102), "monthly": finals(101), "year_end": finals("100.5"),
    })
    assert result.composite == D("100.95")
    assert result.awards == ("excellent",)


def test_a_composite_of_exactly_100_is_not_excellent() -> None:
    result = annual_composite(POLICY, {
        "inspections": finals(100), "monthly": finals(98, 102), "year_end": finals(100),
    })
    assert result.composite == D("100.00")
    assert result.awards == ()


def test_components_outside_the_policy_are_ignored() -> None:
    policy = AnnualPolicy(components=(AnnualComponent("monthly", "月考核", D(1)),))
    result = annual_composite(policy, {"monthly": finals(80), "inspections": finals(100)})
    assert result.composite == D("80.00")
    assert [c.code for c in result.components] == ["monthly"]


def test_the_annual_result_serialises_with_floats() -> None:
    data = annual_result_to_dict(annual_composite(POLICY, {"monthly": finals(90, 91, 91)}))
    assert data["composite"] == 90.67
    assert data["components"][1] == {
        "code": "monthly", "title": "月考核", "weight": 0.3, "weight_applied": 1.0, "mean": 90.67, "count": 3,
    }
    assert data["flags"][-1] == "weights_redistributed"


def test_a_mean_of_101_525_shows_as_101_53_beside_the_same_composite() -> None:
    # four monthly finals 101.5, 102.1, 101, 101.5: mean 406.1 / 4 = 101.525 exactly.
    # Rounded once, half up: 101.53 for both 月均 and A (a float mean rounded half-even gave 101.52).
    result = annual_composite(POLICY, {"monthly": finals("101.5", "102.1", "101", "101.5")})
    monthly = annual_result_to_dict(result)["components"][1]
    assert result.components[1].mean == D("101.525")
    assert monthly["mean"] == float(result.composite or 0) == 101.53
    assert result.awards == ("excellent",)


def test_the_year_end_review_and_inspections_are_named_with_their_declared_weights() -> None:
    data = annual_result_to_dict(annual_composite(POLICY, {
        "inspections": finals(90, 95), "monthly": finals(100), "year_end": finals(80)}))
    assert [(c["code"], c["title"], c["weight"], c["mean"]) for c in data["components"]] == [
        ("inspections", "周检、月检", 0.2, 92.5), ("monthly", "月考核", 0.3, 100.0), ("year_end", "年终考评", 0.5, 80.0)]
    assert data["composite"] == 88.5


def test_the_annual_document_takes_the_inspections_and_the_latest_review() -> None:


    months = [StoredMonth("2026-09", "cs-staff", D(98), 7), StoredMonth("2026-10", "cs-staff", D(100), 9)]
    inputs = AnnualInputs(
        inspections=(Inspection("i2", 12, "2026-10-09", "monthly", D("95"), "", "sup"),
                     Inspection("i1", 11, "2026-09-03", "weekly", D("90"), "", "sup")),
        reviews=(YearEndReview("r2", 20, D("80"), "更正", "gm", "2026-11-20"),
                 YearEndReview("r1", 15, D("88"), "", "mgr", "2026-11-19")))
    doc, position = annual_document(staff_template(), "cs-staff", "JRJ-0001", "2026", months, inputs)
    # 0.2 × 92.5 + 0.3 × 99 + 0.5 × 80 = 18.5 + 29.7 + 40 = 88.2; the review at position 20 is the latest
    assert doc["composite"] == 88.2 and position == 20
    assert [i["event_id"] for i in doc["inspections"]] == ["i1", "i2"]  # by day
    assert doc["year_end_review"] == {"event_id": "r2", "score": 80.0, "comment": "更正", "recorded_by": "gm",
                                      "recorded_on": "2026-11-20"}
