"""Place units along the line of contact or around the concentration points, and measure them.

The notes' eight options are presets (:data:`PRESETS`); your own are TOML scenarios
(:func:`load_scenario`). :func:`make_plan` places one on the loaded layers and measures its
coverage, gaps, distances, supply legs and force; :func:`plan_all` plans the presets (and
scenarios) and :func:`table` sets them side by side; :func:`sweep_grid` tries a grid.

Examples
--------
>>> from layers import load_layers
>>> from planner import make_plan, table, plan_all
>>> layers = load_layers()
>>> plan = make_plan(layers, (3, "eur-plus"))
>>> plan.nominal.troops_max, plan.forces.sustained_troops_max, plan.forces.fits_availability
(96000, 384000, False)
"""

from __future__ import annotations

from planner.compare import format_table, records, table
from planner.coverage import Coverage, coverage_polygons, measure_coverage
from planner.distances import PreparedLine, prepare_line
from planner.forces import (
    AVAILABLE_TROOPS_MAX,
    AVAILABLE_TROOPS_MIN,
    BRIGADES_DEPLOYABLE,
    BRIGADES_TOTAL,
    ROTATION_DEFAULT,
    Availability,
    Forces,
    Sustainment,
    brigades_for,
    count_forces,
    sustain,
)
from planner.logistics import (
    CIRCUITY,
    CONVOY_KMH,
    NOTES_DISTANCE_KM,
    RESPONSE_COLUMNS,
    fastest_response,
    response_times,
    supply_legs,
)
from planner.placement import max_coverage, min_units_to_cover, place_along, place_around_points
from planner.plan import ROW_KEYS, UNIT_COLUMNS, Plan, make_plan, plan_all
from planner.presets import NOTES_LINE_KM, OPTIONS, PRESETS, VARIANT_LABELS, VARIANTS, get_preset
from planner.scenario import (
    RESPONSE_TARGET_H,
    Deployment,
    Scenario,
    load_scenario,
    parse_scenario,
)
from planner.sectors import SECTOR_COLUMNS, point_sectors
from planner.sweep import SWEEP_COLUMNS, sweep_grid
from planner.units import BRIGADE_TROOPS, UNIT_TYPES, UnitType, get_unit_type

__all__ = [
    "AVAILABLE_TROOPS_MAX",
    "AVAILABLE_TROOPS_MIN",
    "BRIGADES_DEPLOYABLE",
    "BRIGADES_TOTAL",
    "BRIGADE_TROOPS",
    "CIRCUITY",
    "CONVOY_KMH",
    "NOTES_DISTANCE_KM",
    "NOTES_LINE_KM",
    "OPTIONS",
    "PRESETS",
    "RESPONSE_COLUMNS",
    "RESPONSE_TARGET_H",
    "ROTATION_DEFAULT",
    "ROW_KEYS",
    "SECTOR_COLUMNS",
    "SWEEP_COLUMNS",
    "UNIT_COLUMNS",
    "UNIT_TYPES",
    "VARIANTS",
    "VARIANT_LABELS",
    "Availability",
    "Coverage",
    "Deployment",
    "Forces",
    "Plan",
    "PreparedLine",
    "Scenario",
    "Sustainment",
    "UnitType",
    "brigades_for",
    "count_forces",
    "coverage_polygons",
    "fastest_response",
    "format_table",
    "get_preset",
    "get_unit_type",
    "load_scenario",
    "make_plan",
    "max_coverage",
    "measure_coverage",
    "min_units_to_cover",
    "parse_scenario",
    "place_along",
    "place_around_points",
    "plan_all",
    "point_sectors",
    "prepare_line",
    "records",
    "response_times",
    "supply_legs",
    "sustain",
    "sweep_grid",
    "table",
]
