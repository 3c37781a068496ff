"""How much one plan or sweep may ask for, checked before any work starts.

A spacing of 1 m asks for a million units; a sweep of ten values of five settings for 100,000
plans. Each would run for hours or exhaust memory. The bounds are far beyond any real option
(the largest preset places a few hundred units), and each error says what would fit.

- :data:`MAX_UNITS`: units in one plan (every deployment together);
- :data:`MAX_CONFIGURATIONS`: configurations in one sweep;
- :data:`layers.bundle.MAX_POINTS` and :data:`layers.bundle.MAX_HUBS`: points and hubs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from geo.errors import InputError
from geo.prepared import PreparedLine

__all__ = [
    "MAX_CONFIGURATIONS",
    "MAX_UNITS",
    "check_configurations",
    "check_units",
    "line_km",
    "units_along",
]

#: The most units one plan may place.
MAX_UNITS = 20_000

#: The most configurations one sweep may plan.
MAX_CONFIGURATIONS = 1_000_000


def units_along(
    prepared: PreparedLine,
    *,
    spacing_km: float,
    offset_km: float | None = None,
    all_parts: bool = True,
) -> float:
    """How many units :func:`planner.place_along` would place (an upper bound, no placing).

    Its slots: ``floor((L - offset) / spacing) + 1`` on each part of length L >= offset, one
    on a part at least half a spacing long but shorter than the offset, none on a shorter
    part (:mod:`planner.along`); ``inf`` for a spacing so small that the count overflows.
    """
    offset = spacing_km / 2.0 if offset_km is None else offset_km
    total = 0.0
    for chain in prepared.select(all_parts):
        if chain.length_km < spacing_km / 2.0:
            continue
        if chain.length_km >= offset:
            with_overflow = (chain.length_km - offset) / spacing_km
            total += math.floor(with_overflow) + 1 if math.isfinite(with_overflow) else math.inf
        else:
            total += 1
    return total


def check_units(counts: Iterable[tuple[str, float, float | None, float]], *, where: str) -> None:
    """Refuse a plan of more than :data:`MAX_UNITS` units, naming the spacing that would fit.

    Parameters
    ----------
    counts : iterable of (str, float, float or None, float)
        Per deployment: its name (``""`` for none), the units it would place, its spacing in
        km (``None`` for units around the points) and the km of line it is spaced along.
    where : str
        The plan's name, for the message.

    Raises
    ------
    InputError
        If the units together exceed :data:`MAX_UNITS`.
    """
    rows = list(counts)
    total = sum(count for _, count, _, _ in rows)
    if total <= MAX_UNITS:
        return
    along = [row for row in rows if row[2] is not None]
    spacing: float | None
    shown = (
        f"{total:,.0f}"
        if total < 1e12
        else f"{total:.2g}"
        if math.isfinite(total)
        else ("more than 10^308")
    )
    if along:
        chosen = max(range(len(rows)), key=lambda i: rows[i][1] if rows[i][2] else -1.0)
        name, count, spacing, length_km = rows[chosen]
        others = sum(row[1] for i, row in enumerate(rows) if i != chosen)
        room = MAX_UNITS - others
        if room < 1:
            fix = f"place fewer units in the other deployments than '{name}'"
        else:
            # units ~ length / spacing: the spacing that fits, 1 % more for the ends, rounded up
            fit = length_km / room * 1.01
            fit = float(f"{fit:.2g}") if fit < 1 else math.ceil(fit * 10) / 10
            of = f" (deployment '{name}' has {spacing:g} km)" if name else f" (not {spacing:g} km)"
            fix = (
                f"pass a spacing (--spacing-km, spacing_km in a scenario) of at least {fit:g} km"
                f"{of}"
            )
    else:
        fix = "give fewer concentration points or fewer units per point"
    raise InputError(
        f"{where} would place {shown} units, more than the {MAX_UNITS:,} a plan may hold; {fix}"
    )


def line_km(prepared: PreparedLine, *, all_parts: bool = False) -> float:
    """The km of line that units are spaced along (the main part, or every part)."""
    return float(sum(chain.length_km for chain in prepared.select(all_parts)))


def check_configurations(sizes: Sequence[int], names: Sequence[str]) -> None:
    """Refuse a sweep of more than :data:`MAX_CONFIGURATIONS` configurations.

    ``sizes`` are the numbers of values of each setting, ``names`` their options.
    """
    total = math.prod(sizes)
    if total > MAX_CONFIGURATIONS:
        grid = " x ".join(f"{size:,} {name}" for size, name in zip(sizes, names, strict=True))
        raise InputError(
            f"the sweep has {total:,} configurations ({grid}), more than {MAX_CONFIGURATIONS:,}; "
            f"give fewer values"
        )
