"""Placing units: the three placements and their shared rules, under one name.

* :mod:`planner.along` -- :func:`place_along`, one unit every ``spacing_km`` along the line;
* :mod:`planner.around` -- :func:`place_around_points`, units opposite or around the
  concentration points;
* :mod:`planner.siting` -- :func:`min_units_to_cover` and :func:`max_coverage`;
* :mod:`planner.rules` -- the rules they all keep (friendly side, inside Ukraine, standoff).

This module re-exports them for callers of the former single module.
"""

from __future__ import annotations

from planner.along import place_along
from planner.around import place_around_points
from planner.rules import KYIV, POINT_COLUMNS, UNIT_COLUMNS
from planner.siting import max_coverage, min_units_to_cover

__all__ = [
    "KYIV",
    "POINT_COLUMNS",
    "UNIT_COLUMNS",
    "max_coverage",
    "min_units_to_cover",
    "place_along",
    "place_around_points",
]
