"""One rounding rule for every figure the planner shows: exact inside, half up once at output.

Troops and brigades are kept as exact fractions (:class:`fractions.Fraction`: 23 battalions
are 23 x 4,000 / 3 troops, not 30,666.67) and coverage as the float the geometry gives. They
are rounded once, where they leave the planner (a table row, a summary line), half up (a
half goes up, 0.5 -> 1, never to the even neighbour as :func:`round` does):

- troops to a whole number;
- brigades to 0.1 (a number: 7.7, 10.0);
- fractions of the line to 0.1 % (0.001);
- km and troops per km to 0.1, hours to 0.01.

A float is rounded at its exact binary value (``Decimal(float)``), so a value that prints as
0.1245 but is stored just below it (0.12449999...) rounds down, as it should. The text forms
(:func:`troops_text`, :func:`brigades_text`, :func:`percent_text`, :func:`km_text`) format
the rounded value, so a summary and a table can never disagree.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

#: What the helpers take: an exact fraction, an int or a float.
Real = Fraction | float | Decimal

__all__ = [
    "BRIGADE_DIGITS",
    "FRACTION_DIGITS",
    "KM_DIGITS",
    "brigades_out",
    "brigades_text",
    "fraction_out",
    "km_out",
    "km_text",
    "per_km_out",
    "per_km_text",
    "percent_text",
    "round_half_up",
    "span",
    "troops_out",
    "troops_text",
]

BRIGADE_DIGITS = 1
#: 0.1 % of the line.
FRACTION_DIGITS = 3
KM_DIGITS = 1


def _decimal(value: Real | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(float(value))


def round_half_up(value: Real | Decimal, digits: int = 0) -> Decimal:
    """``value`` rounded half up (away from zero) to ``digits`` decimals, as a Decimal.

    Fractions are rounded exactly (their decimal expansion is computed to 28 significant
    digits first, far beyond any digit kept here).

    Examples
    --------
    >>> from fractions import Fraction
    >>> str(round_half_up(Fraction(92_000, 3))), str(round_half_up(2.5)), str(round(2.5))
    ('30667', '3', '2')
    >>> str(round_half_up(Fraction(23, 3), 1)), str(round_half_up(0.8605, 3))
    ('7.7', '0.861')
    >>> str(round_half_up(0.1245, 3))  # stored as 0.12449999999999999955...
    '0.124'
    """
    if isinstance(value, Fraction):
        # exact: scale, then round the rational itself
        scaled = value * 10**digits
        whole, rest = divmod(abs(scaled.numerator), scaled.denominator)
        if 2 * rest >= scaled.denominator:
            whole += 1
        signed = -whole if scaled < 0 else whole
        return Decimal(signed).scaleb(-digits)
    return _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def troops_out(value: Real) -> int:
    """Troops as a whole number, half up."""
    return int(round_half_up(value))


def brigades_out(value: Real) -> float:
    """Brigades to 0.1, half up, as a float (a JSON number)."""
    return float(round_half_up(value, BRIGADE_DIGITS))


def fraction_out(value: Real) -> float:
    """A fraction to 0.1 % (three decimals), half up."""
    return float(round_half_up(value, FRACTION_DIGITS))


def km_out(value: float | None, digits: int = KM_DIGITS) -> float | None:
    """km (or hours, with ``digits=2``) half up; None for a missing or infinite value."""
    if value is None or not math.isfinite(value):
        return None
    return float(round_half_up(value, digits))


def per_km_out(value: Real) -> float:
    """Troops per km to 0.1, half up."""
    return float(round_half_up(value, KM_DIGITS))


def per_km_text(value: Real) -> str:
    """'903.6' (0.1, half up)."""
    return f"{per_km_out(value):,.1f}"


def troops_text(value: Real) -> str:
    """'30,667' (rounded half up first)."""
    return f"{troops_out(value):,}"


def brigades_text(value: Real) -> str:
    """'7.7', '10' (0.1, half up; a whole number without its '.0')."""
    text = f"{brigades_out(value):,.1f}"
    return text[:-2] if text.endswith(".0") else text


def percent_text(fraction: Real) -> str:
    """'86.1%' (rounded to 0.1 % half up first)."""
    return f"{fraction_out(fraction) * 100:.1f}%"


def km_text(value: float | None, digits: int = KM_DIGITS) -> str:
    """'1,236.1' (half up first); '-' for a missing value."""
    out = km_out(value, digits)
    return "-" if out is None else f"{out:,.{digits}f}"


def span(low: str, high: str, sep: str = "-") -> str:
    """One text for a range: ``low`` alone when both ends read the same."""
    return low if low == high else f"{low}{sep}{high}"
