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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from planner.presets import (
        NOTES_LINE_KM,
        OPTIONS,
        PRESETS,
        VARIANT_LABELS,
        VARIANTS,
        get_preset,
    )
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

# The names below are imported from their modules when first used (PEP 562), so that a
# command needing one module (``deployplan plan``) does not pay for all (the sweep's
# process pool, the comparison tables).
_WHERE = {
    "AVAILABLE_TROOPS_MAX": "planner.forces",
    "AVAILABLE_TROOPS_MIN": "planner.forces",
    "BRIGADES_DEPLOYABLE": "planner.forces",
    "BRIGADES_TOTAL": "planner.forces",
    "BRIGADE_TROOPS": "planner.units",
    "CIRCUITY": "planner.logistics",
    "CONVOY_KMH": "planner.logistics",
    "NOTES_DISTANCE_KM": "planner.logistics",
    "NOTES_LINE_KM": "planner.presets",
    "OPTIONS": "planner.presets",
    "PRESETS": "planner.presets",
    "RESPONSE_COLUMNS": "planner.logistics",
    "RESPONSE_TARGET_H": "planner.scenario",
    "ROTATION_DEFAULT": "planner.forces",
    "ROW_KEYS": "planner.plan",
    "SECTOR_COLUMNS": "planner.sectors",
    "SWEEP_COLUMNS": "planner.sweep",
    "UNIT_COLUMNS": "planner.plan",
    "UNIT_TYPES": "planner.units",
    "VARIANTS": "planner.presets",
    "VARIANT_LABELS": "planner.presets",
    "Availability": "planner.forces",
    "Coverage": "planner.coverage",
    "Deployment": "planner.scenario",
    "Forces": "planner.forces",
    "Plan": "planner.plan",
    "PreparedLine": "planner.distances",
    "Scenario": "planner.scenario",
    "Sustainment": "planner.forces",
    "UnitType": "planner.units",
    "brigades_for": "planner.forces",
    "count_forces": "planner.forces",
    "coverage_polygons": "planner.coverage",
    "fastest_response": "planner.logistics",
    "format_table": "planner.compare",
    "get_preset": "planner.presets",
    "get_unit_type": "planner.units",
    "load_scenario": "planner.scenario",
    "make_plan": "planner.plan",
    "max_coverage": "planner.placement",
    "measure_coverage": "planner.coverage",
    "min_units_to_cover": "planner.placement",
    "parse_scenario": "planner.scenario",
    "place_along": "planner.placement",
    "place_around_points": "planner.placement",
    "plan_all": "planner.plan",
    "point_sectors": "planner.sectors",
    "prepare_line": "planner.distances",
    "records": "planner.compare",
    "response_times": "planner.logistics",
    "supply_legs": "planner.logistics",
    "sustain": "planner.forces",
    "sweep_grid": "planner.sweep",
    "table": "planner.compare",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
