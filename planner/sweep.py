"""A grid of configurations: which spacing, radius, rotation and standoff meet a goal.

:func:`sweep_grid` plans one unit type along the main part of the line for every combination of
spacing x standoff x radius x rotation and says which cover at least ``min_coverage`` of the
whole line with at most ``max_troops`` sustained troops (the placed force's upper figure x
rotation). It is fast because work is shared across the grid: the line is prepared (densified)
once; units are placed once per (spacing, standoff), with the same rules as
:func:`planner.plan.make_plan`; coverage per radius takes the geodesic intervals of each
unit's disc on the line (:func:`planner.coverage.disc_intervals`) and their union; the
rotation factor is arithmetic only.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.prepared import PreparedLine
from layers.bundle import Layers
from planner.coverage import disc_intervals, merge_intervals
from planner.distances import as_lonlat, check_km, prepare_line
from planner.forces import Availability, count_forces, sustain, validate_rotation
from planner.limits import check_configurations, check_units, units_along
from planner.placement import place_along
from planner.rounding import brigades_out, fraction_out, km_out, troops_out
from planner.rules import band_km
from planner.units import UNIT_TYPES, UnitType, get_unit_type

__all__ = ["SWEEP_COLUMNS", "sweep_grid"]

#: Columns of the sweep table, in order.
SWEEP_COLUMNS = [
    "unit",
    "spacing_km",
    "standoff_km",
    "radius_km",
    "rotation_factor",
    "units_placed",
    "brigades_min",
    "brigades_max",
    "troops_min",
    "troops_max",
    "sustained_troops_min",
    "sustained_troops_max",
    "coverage_fraction",
    "largest_gap_km",
    "fits_availability",
    "fits_availability_low",
    "fits_brigades",
    "meets",
]

# Uncovered stretches shorter than this (km, 1 mm) are rounding where two discs touch.
_EPS_KM = 1e-6


def _coverage(
    prepared: PreparedLine, lon: np.ndarray, lat: np.ndarray, radius_km: float
) -> tuple[float, float]:
    """Covered fraction of the whole line and its largest gap, km (all parts)."""
    if lon.size:
        _, chain, start, end = disc_intervals(prepared, lon, lat, radius_km)
    else:
        chain = np.empty(0, dtype=np.intp)
        start = end = np.empty(0)
    covered = largest = 0.0
    for index, part in enumerate(prepared.chains):
        mine = chain == index
        block_start, block_end = merge_intervals(start[mine], end[mine])
        covered += float((block_end - block_start).sum())
        gaps = np.concatenate((block_start, [part.length_km])) - np.concatenate(([0.0], block_end))
        if gaps.size and gaps.max() > _EPS_KM:
            largest = max(largest, float(gaps.max()))
    return covered / prepared.length_km, largest


def _values(
    name: str, values: Sequence[float], limit_km: float, what: str, *, allow_zero: bool = False
) -> list[float]:
    if not len(values):
        raise InputError(f"--{name.replace('_', '-')} has no values; give one or more")
    out = []
    for value in values:
        km = check_km(name, value, allow_zero=allow_zero)
        if km > limit_km:
            raise InputError(
                f"{name} is {km:g} km, longer than the {what} ({limit_km:.0f} km); pass values "
                f"below {limit_km:.0f} km"
            )
        out.append(km)
    return list(dict.fromkeys(out))


def sweep_grid(
    layers: Layers,
    *,
    unit: str | UnitType = "light-battalion",
    spacing_km: Sequence[float] = (25.0, 50.0, 100.0),
    radius_km: Sequence[float] = (25.0, 50.0),
    rotation: Sequence[int] = (3, 4),
    standoff_km: Sequence[float] | None = None,
    min_coverage: float = 0.9,
    max_troops: int = 300_000,
    availability: Availability | None = None,
    progress: bool = False,
    all_parts: bool = True,
) -> pd.DataFrame:
    """Plan every configuration of a grid and say which meet the goal.

    Parameters
    ----------
    layers : Layers
        The line (and occupied territory) to plan on.
    unit : str or UnitType
        The unit type placed (built-in id or a type of your own).
    spacing_km, radius_km : sequence of float
        Spacings along the main part of the line and coverage radii, km.
    rotation : sequence of int
        Rotation factors (1-6).
    standoff_km : sequence of float, optional
        Distances behind the line, km (default: the unit type's).
    min_coverage : float
        Fraction of the whole line to cover, 0-1.
    max_troops : int
        Most sustained troops allowed (placed force, upper figure, x rotation).
    availability : Availability, optional
        For ``fits_availability``, ``fits_availability_low`` and ``fits_brigades`` (default:
        the notes').
    progress : bool
        Show a progress bar (tqdm) on standard error.
    all_parts : bool, default True
        Slots on every part of the line; False (``--main-only``): the main part only.

    Returns
    -------
    DataFrame
        One row per configuration with the columns :data:`SWEEP_COLUMNS`; ``meets`` is
        ``coverage_fraction >= min_coverage and sustained_troops_max <= max_troops``.

    Raises
    ------
    InputError
        For a bad value in the grid (zero, negative, NaN, longer than the line), a bad
        rotation, ``min_coverage`` outside 0-1 or ``max_troops`` not positive.

    Examples
    --------
    >>> from layers import load_layers
    >>> grid = sweep_grid(load_layers(), spacing_km=[50], radius_km=[25], rotation=[4])
    >>> grid[["units_placed", "troops_max", "sustained_troops_max"]].iloc[0].tolist()
    [23, 40000, 160000]
    """
    unit_type = unit if isinstance(unit, UnitType) else get_unit_type(unit, UNIT_TYPES)
    if not (isinstance(min_coverage, int | float) and 0.0 <= min_coverage <= 1.0):
        raise InputError(
            f"min coverage is {min_coverage!r}; expected a fraction from 0 to 1, e.g. 0.9"
        )
    if isinstance(max_troops, bool) or not isinstance(max_troops, int) or max_troops <= 0:
        raise InputError(f"max troops is {max_troops!r}; expected a positive whole number")
    prepared = prepare_line(layers.line)
    main_km = prepared.main.length_km
    spacings = _values("spacing_km", spacing_km, main_km, "main part of the line")
    radii = _values("radius_km", radius_km, prepared.length_km, "line")
    standoffs = _values(
        "standoff_km",
        [unit_type.standoff_km] if standoff_km is None else standoff_km,
        prepared.length_km,
        "line",
        allow_zero=True,
    )
    rotations = [validate_rotation(r) for r in dict.fromkeys(rotation)] if rotation else []
    if not rotations:
        raise InputError("--rotation has no values; give one or more, e.g. 3 4")
    check_configurations(
        [len(spacings), len(standoffs), len(radii), len(rotations)],
        ["spacings", "standoffs", "radii", "rotations"],
    )
    smallest = min(spacings)
    count = units_along(prepared, spacing_km=smallest)
    check_units([("", count, smallest, main_km)], where=f"the sweep's spacing of {smallest:g} km")
    availability = availability or Availability()

    bar: Any = None
    if progress:
        from tqdm import tqdm

        total = len(spacings) * len(standoffs) * len(radii) * len(rotations)
        bar = tqdm(total=total, unit="config", file=sys.stderr, desc="sweep")
    rows = []
    try:
        for spacing, standoff in itertools.product(spacings, standoffs):
            # a unit must reach the line: a radius inside the band keeps units nearer
            placements: dict[float, gpd.GeoDataFrame] = {}
            for radius in radii:
                if standoff >= radius:
                    raise InputError(
                        f"standoff_km ({standoff:g}) is not less than radius_km ({radius:g}): "
                        "a unit that far behind the line covers none of it; pass a smaller "
                        "standoff or a larger radius"
                    )
                cap = min(radius, band_km(standoff)[1] + 1.0)
                if cap not in placements:
                    placements[cap] = place_along(
                        prepared,
                        spacing_km=spacing,
                        standoff_km=standoff,
                        radius_km=radius if cap == radius else None,
                        all_parts=all_parts,
                        occupied=layers.occupied,
                    )
                units = placements[cap]
                lon, lat = as_lonlat(units)
                forces = count_forces([(unit_type, len(units))])
                covered, largest_gap = _coverage(prepared, lon, lat, radius)
                covered = fraction_out(covered)  # "meets" agrees with the figure in the table
                for factor in rotations:
                    sustained = sustain(forces, rotation=factor, availability=availability)
                    rows.append(
                        {
                            "unit": unit_type.id,
                            "spacing_km": spacing,
                            "standoff_km": standoff,
                            "radius_km": radius,
                            "rotation_factor": factor,
                            "units_placed": forces.units,
                            "brigades_min": brigades_out(forces.brigades_min),
                            "brigades_max": brigades_out(forces.brigades_max),
                            "troops_min": troops_out(forces.troops_min),
                            "troops_max": troops_out(forces.troops_max),
                            "sustained_troops_min": troops_out(sustained.sustained_troops_min),
                            "sustained_troops_max": troops_out(sustained.sustained_troops_max),
                            "coverage_fraction": covered,
                            "largest_gap_km": km_out(largest_gap),
                            "fits_availability": sustained.fits_availability,
                            "fits_availability_low": sustained.fits_availability_low,
                            "fits_brigades": sustained.fits_brigades,
                            "meets": bool(
                                covered >= min_coverage
                                and sustained.sustained_troops_max <= max_troops
                            ),
                        }
                    )
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS)
