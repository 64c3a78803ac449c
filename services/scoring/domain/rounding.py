"""Half-up rounding as printed on the paper sheets (四舍五入)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal

# A fixed context, so a caller that changes the thread's decimal context cannot change a score.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)


def round_half_up(value: Decimal, places: int) -> Decimal:
    """Round `value` to `places` decimals, ties away from zero (90.085 -> 90.09, -2.25 -> -2.3)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CONTEXT)
