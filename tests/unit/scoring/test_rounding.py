from decimal import Decimal as D
from decimal import localcontext

import pytest

from services.scoring.domain.rounding import round_half_up


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("90.085", 2, "90.09"),  # float rounding would give 90.08 (90.084999...)
        ("88.625", 2, "88.63"),  # the seed 001 weighted example
        ("2.25", 1, "2.3"),  # banker's rounding would give 2.2
        ("2.35", 1, "2.4"),
        ("0.005", 2, "0.01"),
        ("0.004", 2, "0.00"),
        ("1.5", 0, "2"),
        ("2.5", 0, "3"),
        ("100", 2, "100.00"),
        ("17.5", 1, "17.5"),
    ],
)
def test_ties_round_away_from_zero(value: str, places: int, expected: str) -> None:
    assert round_half_up(D(value), places) == D(expected)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [("-2.25", 1, "-2.3"), ("-90.085", 2, "-90.09"), ("-0.005", 2, "-0.01"), ("-0.004", 2, "0")],
)
def test_negative_values_round_symmetrically(value: str, places: int, expected: str) -> None:
    assert round_half_up(D(value), places) == D(expected)


def test_the_result_carries_exactly_the_requested_places() -> None:
    assert str(round_half_up(D("93"), 2)) == "93.00"
    assert str(round_half_up(D("2.25"), 1)) == "2.3"


def test_a_changed_thread_context_does_not_change_the_result() -> None:
    with localcontext() as ctx:
        ctx.prec = 3
        assert round_half_up(D("12345.675"), 2) == D("12345.68")
