"""A plan: a scenario (or preset) placed on the loaded layers and measured.

:func:`make_plan` places every deployment of a scenario (:mod:`planner.placement`), measures
the coverage of the whole line (:mod:`planner.coverage`) and the supply legs
(:mod:`planner.logistics`), and counts the force (:mod:`planner.forces`). The result, a
:class:`Plan`, keeps the notes' own figures (:attr:`Plan.nominal`) apart from what placement
on the loaded line gives (:attr:`Plan.placed`): the real line is not exactly 1,200 km, so the
two may differ, and neither is fitted to the other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.geodesy import nearest_neighbour_km
from geo.prepared import PreparedLine
from layers.bundle import MAX_HUBS, MAX_POINTS, Layers
from layers.hinterland import default_sites
from layers.provenance import Provenance, attach, provenance_of
from planner.along import place_along_slots
from planner.coverage import coverage_polygons, measure_coverage, merge_intervals
from planner.distances import as_lonlat, check_km, prepare_line
from planner.forces import ROTATION_DEFAULT, Forces, Sustainment, count_forces, sustain
from planner.limits import check_units, line_km, units_along
from planner.logistics import (
    NOTES_DISTANCE_KM,
    RESPONSE_COLUMNS,
    fastest_response,
    logistics_totals,
    response_times,
    supply_legs,
)
from planner.placement import place_around_points
from planner.presets import PRESETS, REASSURANCE_OPTION, get_preset
from planner.rounding import (
    brigades_out,
    brigades_text,
    fraction_out,
    km_out,
    km_text,
    per_km_out,
    percent_text,
    span,
    troops_out,
    troops_text,
)
from planner.scenario import Deployment, Scenario, given_options
from planner.sectors import point_sectors, sector_points
from planner.sites import place_at_sites, sites_too_near
from planner.units import UnitType
from planner.yardsticks import YARDSTICKS, fits_proposals, per_km

__all__ = ["ROW_KEYS", "SLOT_COLUMNS", "UNIT_COLUMNS", "Plan", "make_plan", "plan_all"]

#: Columns of :attr:`Plan.units` (besides geometry), in order.
UNIT_COLUMNS = [
    "unit_id",
    "deployment",
    "unit_type",
    "unit_label",
    "sidc",
    "echelon",
    "radius_km",
    "standoff_km",
    "km_along",
    "part",
    "distance_to_line_km",
    "nearest_unit_km",
    "oblast",
    "point",
    "distance_to_point_km",
    "bearing_to_point_deg",
    "site",
    "hub",
    "leg_road_km",
    "leg_hours",
    "response_point",
    "response_hours",
    "notice_h",
    "road_kmh",
]

#: Columns of :attr:`Plan.slots` (besides geometry, the slot's stretch of line), in order.
SLOT_COLUMNS = [
    "deployment",
    "slot",
    "part",
    "start_km",
    "end_km",
    "length_km",
    "oblast",
    "unit_id",
    "reason",
]

#: Keys of :meth:`Plan.row`, in order: the comparison table's columns.
ROW_KEYS = [
    "option",
    "variant",
    "name",
    "unit",
    # the notes' figures; a user scenario has none (notes_figures false): its placement's
    "notes_figures",
    "units_nominal",
    "brigades_min",
    "brigades_max",
    "troops_min",
    "troops_max",
    # what placement on the loaded line gives
    "units_placed",
    "brigades_placed_min",
    "brigades_placed_max",
    "troops_placed_min",
    "troops_placed_max",
    "line_km",
    "main_line_km",
    "line_date",
    "coverage_fraction",
    "overlap_fraction",
    "largest_gap_km",
    "gaps",
    # slots along the line: how many stayed empty, how much line no unit's slot lies on
    "slots_empty",
    "unassigned_km",
    # force arithmetic: the notes' figures x rotation, against availability
    "rotation_factor",
    "sustained_troops_min",
    "sustained_troops_max",
    "fits_availability",
    "fits_availability_low",
    "fits_brigades",
    # the same for the placed force
    "sustained_troops_placed_min",
    "sustained_troops_placed_max",
    "fits_availability_placed",
    "fits_availability_low_placed",
    "fits_brigades_placed",
    # yardsticks: troops (upper end) per km of the loaded line, all parts, deployed and
    # sustained, beside Korea and the inner-German border; Kosovo's absolute figure; and the
    # reported proposals at least as large as the deployed force (upper end)
    "troops_per_km",
    "sustained_troops_per_km",
    "troops_placed_per_km",
    "sustained_troops_placed_per_km",
    "korea_1954_troops_per_km",
    "korea_today_troops_per_km",
    "inner_german_troops_per_km_min",
    "inner_german_troops_per_km_max",
    "kosovo_peak_troops",
    "fits_proposals",
    # logistics: one supply run to every unit, beside the notes' ~1,200 km from Western Europe
    "supply_geodesic_km_mean",
    "notes_supply_km",
    "road_km_total",
    "road_km_max",
    "convoy_hours_max",
    # rear hub -> each unit by road: what the plan gives beside the notes' ~1,200 km
    "supply_road_km_min",
    "supply_road_km_median",
    "supply_road_km_max",
    # response: per point, the fastest unit to its sector (notice to move + road move)
    "response_target_h",
    "response_hours_max",
    "response_point_slowest",
    "response_meets_target",
    "response",
]


@dataclass(frozen=True, eq=False)
class Plan:
    """A placed and measured scenario.

    Attributes
    ----------
    name : str
        The scenario's or preset's name.
    option, variant : int or None, str or None
        The notes' option (1-4) and variant (``"eur-plus"`` / ``"ua-supported"``); None for
        a user scenario.
    rotation : int
        Rotation factor.
    parameters : dict
        What was asked: ``source``, ``unit`` (ids, ``" + "``-joined), ``spacing_km``,
        ``standoff_km``, ``radius_km`` (the value when all deployments share it, else None),
        ``deployments`` (one dict per deployment, defaults resolved), ``unit_types`` (each
        type used, with its rationale), ``availability``, ``overrides`` and ``description``.
    line_date : str
        The date the line stands for (``YYYY-MM-DD`` or ``""``).
    line_km, main_line_km : float
        Geodesic length of the whole line and of its main part, km.
    units : GeoDataFrame
        One Point per unit (EPSG:4326) with the columns :data:`UNIT_COLUMNS`.
    coverage : GeoDataFrame
        Each unit's geodesic coverage circle: ``unit_id``, ``radius_km``.
    gaps : GeoDataFrame
        Uncovered stretches of the line (LineString): ``gap_id``, ``part``, ``start_km``,
        ``end_km``, ``length_km``, ``oblast``.
    slots : GeoDataFrame
        Every slot of the deployments along the line (LineString: its stretch of line), with
        the columns :data:`SLOT_COLUMNS`: ``unit_id`` is the unit holding it (None when the
        slot is empty) and ``reason`` ``placed``, ``no-valid-position``, ``outside-ukraine``
        or ``too-short`` (:func:`planner.along.place_along_slots`).
    unassigned_km : float
        Length of line, km, that no placed unit's slot lies on (empty slots, parts too short
        for a slot, ends beyond the last slot; all of it without deployments along the line).
    legs : GeoDataFrame
        Supply legs rear -> entry -> forward hub -> unit (LineString): ``unit_id``, ``rear``,
        ``entry``, ``forward``, ``geodesic_km``, ``road_km``, ``hours``.
    covered_fraction, overlap_fraction : float
        Fraction of the whole line within reach of one unit or more / two or more.
    largest_gap_km : float
        Longest uncovered stretch, km.
    coverage_by_part : dict of int to float
        Covered fraction of each part of the line.
    coverage_by_oblast : dict of str to float
        Covered fraction of the line in each oblast it runs through.
    nominal : Forces
        The notes' figures for a preset; for a user scenario (which has none), the placed
        force's. See :attr:`has_notes_figures`.
    placed : Forces
        The force placement on the loaded line gives.
    forces : Sustainment
        ``nominal`` x rotation, against availability.
    forces_placed : Sustainment
        ``placed`` x rotation, against availability.
    points : GeoDataFrame
        The concentration points with their sectors (:func:`planner.sectors.point_sectors`:
        ``sector_lon``, ``sector_lat``, ``sector_part``, ``sector_km``,
        ``sector_distance_km``), as the plan's ``points`` layer.
    response : DataFrame
        For each concentration point, the unit that reaches its sector first:
        :data:`planner.logistics.RESPONSE_COLUMNS` (``point``, ``unit_id``, ``road_km``,
        ``hours`` = the unit type's notice to move + road km / its road speed,
        ``meets_target``); empty without units.
    response_target_h : float
        The response target, hours (the scenario's, or ``--response-target-h``).
    logistics : dict
        Totals of the supply legs (:func:`planner.logistics.logistics_totals`: ``road_km_total``,
        ``road_km_min``, ``road_km_median``, ``road_km_max``, ``hours_max``,
        ``geodesic_km_mean`` ...) and ``response_hours_max`` (the slowest point's fastest
        response; NaN without units).
    has_notes_figures : bool
        True for a preset: ``nominal`` are the notes' own figures.
    """

    name: str
    option: int | None
    variant: str | None
    rotation: int
    parameters: dict[str, Any]
    line_date: str
    line_km: float
    main_line_km: float
    units: gpd.GeoDataFrame
    coverage: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    slots: gpd.GeoDataFrame
    unassigned_km: float
    legs: gpd.GeoDataFrame
    covered_fraction: float
    largest_gap_km: float
    overlap_fraction: float
    coverage_by_part: dict[int, float]
    coverage_by_oblast: dict[str, float]
    nominal: Forces
    placed: Forces
    forces: Sustainment
    forces_placed: Sustainment
    response: pd.DataFrame
    logistics: dict[str, float]
    has_notes_figures: bool
    points: gpd.GeoDataFrame | None = None
    response_target_h: float = 6.0

    def __repr__(self) -> str:
        """Short: name, units placed, coverage, largest gap, the line (the frames are not shown)."""
        date = f" of {self.line_date}" if self.line_date else ""
        return (
            f"Plan({self.name!r}: {len(self.units)} units placed, {self.covered_fraction:.1%} of "
            f"the line{date} ({self.line_km:,.0f} km) covered, largest gap "
            f"{self.largest_gap_km:,.0f} km, rotation x{self.rotation})"
        )

    def _repr_html_(self) -> str:
        """The summary table for notebooks: the plan's comparison row (:meth:`row`), escaped."""
        from html import escape

        def cell(value: Any) -> str:
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                return "&ndash;"
            if isinstance(value, bool):
                return "yes" if value else "no"
            if isinstance(value, float):
                return escape(f"{value:,.4g}" if abs(value) < 1 else f"{value:,.1f}")
            if isinstance(value, int):
                return escape(f"{value:,}")
            return escape(str(value))

        rows = "".join(
            f"<tr><th style='text-align:left'>{escape(key)}</th><td>{cell(value)}</td></tr>"
            for key, value in self.row().items()
        )
        return (
            f"<div><p><b>{escape(self.name)}</b>: {escape(repr(self))}</p>"
            f"<table class='dataframe'><tbody>{rows}</tbody></table></div>"
        )

    def row(self) -> dict[str, Any]:
        """The comparison row: the keys :data:`ROW_KEYS`, plain Python values.

        Every figure is rounded here, once, half up (:mod:`planner.rounding`): troops to
        whole numbers (ints), brigades to 0.1 (floats), fractions of the line to 0.1 %
        (three decimals), km to 0.1, hours to 0.01; booleans are bools; ``option`` and
        ``variant`` are None for a user scenario. ``response`` is a list of plain dicts
        (:meth:`response_records`), the other values are scalars.
        """
        units = self.units
        n_legs = len(self.legs)
        slowest = self.slowest_response()
        row: dict[str, Any] = {
            "option": self.option,
            "variant": self.variant,
            "name": self.name,
            "unit": self.parameters["unit"],
            "notes_figures": self.has_notes_figures,
            "units_nominal": self.nominal.units,
            "brigades_min": brigades_out(self.nominal.brigades_min),
            "brigades_max": brigades_out(self.nominal.brigades_max),
            "troops_min": troops_out(self.nominal.troops_min),
            "troops_max": troops_out(self.nominal.troops_max),
            "units_placed": len(units),
            "brigades_placed_min": brigades_out(self.placed.brigades_min),
            "brigades_placed_max": brigades_out(self.placed.brigades_max),
            "troops_placed_min": troops_out(self.placed.troops_min),
            "troops_placed_max": troops_out(self.placed.troops_max),
            "line_km": km_out(self.line_km),
            "main_line_km": km_out(self.main_line_km),
            "line_date": self.line_date,
            "coverage_fraction": fraction_out(self.covered_fraction),
            "overlap_fraction": fraction_out(self.overlap_fraction),
            "largest_gap_km": km_out(self.largest_gap_km),
            "gaps": len(self.gaps),
            "slots_empty": self.slots_empty,
            "unassigned_km": round(self.unassigned_km, 1),
            "rotation_factor": self.forces.rotation_factor,
            "sustained_troops_min": troops_out(self.forces.sustained_troops_min),
            "sustained_troops_max": troops_out(self.forces.sustained_troops_max),
            "fits_availability": self.forces.fits_availability,
            "fits_availability_low": self.forces.fits_availability_low,
            "fits_brigades": self.forces.fits_brigades,
            "sustained_troops_placed_min": troops_out(self.forces_placed.sustained_troops_min),
            "sustained_troops_placed_max": troops_out(self.forces_placed.sustained_troops_max),
            "fits_availability_placed": self.forces_placed.fits_availability,
            "fits_availability_low_placed": self.forces_placed.fits_availability_low,
            "fits_brigades_placed": self.forces_placed.fits_brigades,
            **self.yardsticks(),
            "supply_geodesic_km_mean": _rounded(self.logistics["geodesic_km_mean"], 1),
            "notes_supply_km": NOTES_DISTANCE_KM,
            "road_km_total": _rounded(self.logistics["road_km_total"], 1),
            "road_km_max": _rounded(self.logistics["road_km_max"], 1),
            "convoy_hours_max": _rounded(self.logistics["hours_max"], 2),
            "supply_road_km_min": _rounded(self.logistics["road_km_min"], 1) if n_legs else None,
            "supply_road_km_median": (
                _rounded(self.logistics["road_km_median"], 1) if n_legs else None
            ),
            "supply_road_km_max": _rounded(self.logistics["road_km_max"], 1) if n_legs else None,
            "response_target_h": self.response_target_h,
            "response_hours_max": _rounded(self.logistics["response_hours_max"], 2),
            "response_point_slowest": None if slowest is None else slowest["point"],
            "response_meets_target": (
                None if slowest is None else bool(self.response["meets_target"].all())
            ),
            "response": self.response_records(),
        }
        return {key: row[key] for key in ROW_KEYS}

    def response_records(self) -> list[dict[str, Any]]:
        """Per point, the fastest unit to its sector: ``point``, ``unit_id``, ``hours`` (to
        0.01) and ``meets_target``, as plain Python values (empty without units)."""
        return [
            {
                "point": str(r.point),
                "unit_id": str(r.unit_id),
                "hours": round(float(r.hours), 2),
                "meets_target": bool(r.meets_target),
            }
            for r in self.response.itertuples()
        ]

    def slowest_response(self) -> dict[str, Any] | None:
        """The point whose fastest unit is slowest (a :meth:`response_records` item), or None."""
        records = self.response_records()
        return max(records, key=lambda r: r["hours"]) if records else None

    def yardsticks(self) -> dict[str, Any]:
        """The plan beside the yardsticks (:mod:`planner.yardsticks`), rounded for output.

        ``troops_per_km`` and ``sustained_troops_per_km``: the notes' figures (upper end;
        the placed force's for a scenario) per km of the loaded line, all parts;
        ``troops_placed_per_km`` and ``sustained_troops_placed_per_km`` the same for the
        placed force; the yardsticks' own troops per km (Korea 1954 and today, the
        inner-German border's range) and Kosovo's peak troops; ``fits_proposals``, the names
        of the reported proposals whose figure (upper end) is at least the deployed troops
        (upper end).
        """
        km = self.line_km
        korea, today = YARDSTICKS["korea_1954"], YARDSTICKS["korea_today"]
        german, kosovo = YARDSTICKS["inner_german"], YARDSTICKS["kosovo_peak"]
        assert korea.troops_per_km and today.troops_per_km and german.troops_per_km
        return {
            "troops_per_km": per_km_out(per_km(self.nominal.troops_max, km)),
            "sustained_troops_per_km": per_km_out(per_km(self.forces.sustained_troops_max, km)),
            "troops_placed_per_km": per_km_out(per_km(self.placed.troops_max, km)),
            "sustained_troops_placed_per_km": per_km_out(
                per_km(self.forces_placed.sustained_troops_max, km)
            ),
            "korea_1954_troops_per_km": per_km_out(korea.troops_per_km[1]),
            "korea_today_troops_per_km": per_km_out(today.troops_per_km[1]),
            "inner_german_troops_per_km_min": per_km_out(german.troops_per_km[0]),
            "inner_german_troops_per_km_max": per_km_out(german.troops_per_km[1]),
            "kosovo_peak_troops": kosovo.troops_max,
            "fits_proposals": fits_proposals(self.nominal.troops_max),
        }

    @property
    def slots_empty(self) -> int:
        """How many slots along the line hold no unit (``too-short`` ones included)."""
        return int((self.slots["reason"] != "placed").sum())

    def frames(self) -> dict[str, gpd.GeoDataFrame]:
        """The plan's layers by name (``units``, ``coverage``, ``gaps``, ``slots``, ``legs``)."""
        return {
            "units": self.units,
            "coverage": self.coverage,
            "gaps": self.gaps,
            "slots": self.slots,
            "legs": self.legs,
        }

    def _slots_line(self) -> str | None:
        """The summary's line on the slots: how many are empty, and where."""
        if not len(self.slots):
            return None
        empty = self.slots[self.slots["reason"] != "placed"]
        head = (
            f"  slots: {len(self.slots)} along the line, {len(empty)} empty; "
            f"{self.unassigned_km:,.0f} km of line in no unit's slot"
        )
        if not len(empty):
            return head
        where = []
        for _, row in empty.iterrows():
            place = row["oblast"] or "outside the oblasts"
            where.append(
                f"{row['deployment']} slot {row['slot']} (part {row['part']}, "
                f"km {row['start_km']:.0f}-{row['end_km']:.0f}, {place}): {row['reason']}"
            )
        shown = where[:12]
        more = f"\n    ... and {len(where) - len(shown)} more" if len(where) > len(shown) else ""
        return head + "\n    " + "\n    ".join(shown) + more

    def summary(self) -> str:
        """A few lines for the terminal: units, coverage, force and which ends it fits.

        Figures are rounded as in :meth:`row` (:mod:`planner.rounding`), so they read the
        same as in the comparison table.
        """
        n, p = self.nominal, self.placed
        fit = self.forces

        def yes(flag: bool) -> str:
            return "fits" if flag else "does NOT fit"

        def troops(f: Forces) -> str:
            return span(troops_text(f.troops_min), troops_text(f.troops_max))

        def brigades(f: Forces) -> str:
            return span(brigades_text(f.brigades_min), brigades_text(f.brigades_max))

        def sustained(s: Sustainment) -> str:
            return (
                span(troops_text(s.sustained_troops_min), troops_text(s.sustained_troops_max))
                + f" troops sustained: {s.fits_text()}; "
                f"{brigades_text(s.sustained_brigades_max)} brigades, {yes(s.fits_brigades)} "
                f"the deployable brigades ({s.availability.brigades_deployable})"
            )

        head = f"{self.name}" + (f" ({self.parameters['unit']})" if self.parameters["unit"] else "")
        lines = [head]
        if self.parameters.get("description"):
            lines.append(f"  {self.parameters['description']}")
        if self.parameters.get("overrides"):
            changed = ", ".join(f"{k} = {v}" for k, v in self.parameters["overrides"].items())
            lines.append(f"  changed from the above: {changed}")
        if self.has_notes_figures:
            lines.append(
                f"  notes:  {n.units} units = {brigades(n)} brigades = {troops(n)} troops "
                + (
                    "(as reported, 2025-03: in the hinterland, away from the front)"
                    if self.option == REASSURANCE_OPTION
                    else "(on a line of ~1,200 km)"
                )
            )
        date = f" of {self.line_date}" if self.line_date else ""
        lines += [
            f"  placed: {p.units} units = {brigades(p)} brigades = {troops(p)} troops on the "
            f"line{date} ({km_text(self.line_km)} km, main part {km_text(self.main_line_km)} km)",
            f"  coverage: {percent_text(self.covered_fraction)} of the line, {len(self.gaps)} "
            f"gaps, largest {km_text(self.largest_gap_km)} km; covered twice or more "
            f"{percent_text(self.overlap_fraction)}",
            *([slots] if (slots := self._slots_line()) else []),
            f"  rotation x{self.rotation}: {sustained(fit)}"
            + (" (notes' figures)" if self.has_notes_figures else ""),
        ]
        placed_fit = self.forces_placed
        if self.has_notes_figures and placed_fit != fit:
            lines.append(f"  rotation x{self.rotation}, as placed: {sustained(placed_fit)}")
        at_sites = self.units[self.units["site"] != ""]
        if len(at_sites):
            far = at_sites.sort_values("distance_to_line_km")
            lines.append(
                "  sites (km from the line): "
                + ", ".join(
                    f"{site} {km_text(km)}"
                    for site, km in zip(far["site"], far["distance_to_line_km"], strict=True)
                )
            )
        for skip in self.parameters.get("sites_skipped", []):
            lines.append(
                f"  left out: {skip['site']}, {skip['distance_to_line_km']:g} km from this line, "
                f"nearer than {skip['standoff_km']:g} km"
            )
        ys = self.yardsticks()
        lines.append(
            f"  per km of the line: {ys['troops_per_km']:,.1f} troops deployed, "
            f"{ys['sustained_troops_per_km']:,.1f} sustained"
            + (" (notes' figures)" if self.has_notes_figures else "")
            + f"; Korea 1954 {ys['korea_1954_troops_per_km']:,.1f}, Korea today "
            f"{ys['korea_today_troops_per_km']:,.1f}, inner-German border "
            f"{ys['inner_german_troops_per_km_min']:,.1f}-"
            f"{ys['inner_german_troops_per_km_max']:,.1f}; Kosovo's peak "
            f"{ys['kosovo_peak_troops']:,} troops in all"
        )
        fits = ys["fits_proposals"]
        lines.append(
            f"  proposals at least {troops_text(n.troops_max)} troops: "
            + ("; ".join(fits) if fits else "none")
        )
        if len(self.legs):
            lo, mid, hi = (self.logistics[f"road_km_{k}"] for k in ("min", "median", "max"))
            lines.append(
                f"  supply: rear hub to each unit {km_text(lo, 0)}-{km_text(hi, 0)} road km "
                f"(median {km_text(mid, 0)}; farthest {km_text(self.logistics['hours_max'], 2)} h "
                f"by convoy); the notes' ~{NOTES_DISTANCE_KM:,.0f} km is Western Europe to the "
                "area of operations, not to each unit"
            )
        records = self.response_records()
        if records:
            target = self.response_target_h
            late = [r for r in records if not r["meets_target"]]
            verdict = (
                f"all within the {target:g} h target"
                if not late
                else f"{len(late)} of {len(records)} beyond the {target:g} h target"
            )
            each = ", ".join(f"{r['point']} {r['hours']:.1f} h ({r['unit_id']})" for r in records)
            slowest = self.slowest_response()
            assert slowest is not None
            lines.append(
                f"  response to the points' sectors (notice to move + road): {each}; slowest "
                f"{slowest['point']} {slowest['hours']:.1f} h, {verdict}"
            )
        return "\n".join(lines)


def _rounded(value: float, digits: int) -> float | None:
    return km_out(value, digits)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "plan"


def _resolve(scenario: Scenario | tuple[int, str]) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, tuple) and len(scenario) == 2:
        return get_preset(*scenario)
    raise InputError(
        f"got {type(scenario).__name__} for a scenario; expected a Scenario "
        "(planner.load_scenario) or an (option, variant) pair such as (1, 'eur-plus')"
    )


def _settings(deployment: Deployment, unit: UnitType) -> tuple[float, float]:
    """The deployment's standoff and radius, the unit type's where not given."""
    standoff = unit.standoff_km if deployment.standoff_km is None else deployment.standoff_km
    radius = unit.radius_km if deployment.radius_km is None else deployment.radius_km
    return float(standoff), float(radius)


def _check_against_line(
    standoff_km: float, radius_km: float, line_km: float, *, along: str = "line"
) -> None:
    """Refuse a radius longer than the line and a standoff the radius cannot reach across.

    Units at hinterland sites (``along = "sites"``) are meant not to reach the line: their
    standoff is the least distance of a site from it.
    """
    if radius_km > line_km:
        shown = f"{line_km:.0f} km" if line_km >= 10 else f"{line_km * 1000:.0f} m"
        fix = (
            f"pass a radius below {line_km:.0f} km"
            if line_km >= 10
            else "give the real line of contact (this one is too short to plan on)"
        )
        raise InputError(
            f"radius_km is {radius_km:g} km, more than the whole line ({shown}); {fix}"
        )
    if along != "sites" and standoff_km >= radius_km:
        raise InputError(
            f"standoff_km ({standoff_km:g}) is not less than radius_km ({radius_km:g}): a unit "
            "that far behind the line covers none of it; pass a smaller standoff or a larger "
            "radius"
        )


def _check_size(scenario: Scenario, prepared: PreparedLine, layers: Layers) -> None:
    """Refuse, before placing anything, more points, hubs or units than a plan may hold."""
    for name, frame, limit in (
        ("concentration points", layers.points, MAX_POINTS),
        ("hubs", layers.hubs, MAX_HUBS),
    ):
        if len(frame) > limit:
            raise InputError(
                f"{len(frame):,} {name}, more than the {limit:,} a plan may use; give fewer"
            )
    rows: list[tuple[str, float, float | None, float]] = []
    for deployment in scenario.deployments:
        if deployment.along == "line":
            spacing = check_km("spacing_km", deployment.spacing_km)
            offset = deployment.offset_km
            if offset is not None:
                offset = check_km("offset_km", offset, allow_zero=True)
            count = units_along(
                prepared, spacing_km=spacing, offset_km=offset, all_parts=deployment.all_parts
            )
            km = line_km(prepared, all_parts=deployment.all_parts)
            rows.append((deployment.name, count, spacing, km))
        elif deployment.along == "sites":
            rows.append((deployment.name, float(len(default_sites())), None, 0.0))
        else:
            rows.append((deployment.name, float(deployment.count * len(layers.points)), None, 0.0))
    check_units(rows, where=scenario.name)


def _place(
    deployment: Deployment,
    standoff_km: float,
    radius_km: float,
    prepared: PreparedLine,
    layers: Layers,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The deployment's units, and its slots when it runs along the line."""
    if deployment.along == "sites":
        return place_at_sites(default_sites(), prepared, min_distance_km=standoff_km), None
    if deployment.along == "line":
        assert deployment.spacing_km is not None  # Deployment checks it
        return place_along_slots(
            prepared,
            spacing_km=deployment.spacing_km,
            standoff_km=standoff_km,
            radius_km=radius_km,
            offset_km=deployment.offset_km,
            all_parts=deployment.all_parts,
            occupied=layers.occupied,
        )
    try:
        units = place_around_points(
            layers.points,
            prepared,
            count=deployment.count,
            standoff_km=standoff_km,
            radius_km=deployment.ring_km,
            occupied=layers.occupied,
        )
    except InputError as exc:  # the ring's radius is the deployment's ring_km
        raise InputError(str(exc).replace("radius_km", "ring_km")) from None
    return units, None


def _empty_slots() -> gpd.GeoDataFrame:
    """The slots of a plan without deployments along the line, with typed columns."""
    dtypes = {"slot": "int64", "part": "int64", "start_km": float, "end_km": float}
    dtypes |= {"length_km": float}
    frame = pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in SLOT_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _unassigned_km(prepared: PreparedLine, slots: gpd.GeoDataFrame) -> float:
    """Length of line no placed unit's slot lies on, km (all deployments, all parts)."""
    held = (slots["reason"] == "placed").to_numpy(dtype=bool)
    part = slots["part"].to_numpy()[held]
    starts = slots["start_km"].to_numpy(dtype=np.float64)[held]
    ends = slots["end_km"].to_numpy(dtype=np.float64)[held]
    total = 0.0
    for chain in prepared.chains:
        mine = part == chain.part
        start, end = merge_intervals(starts[mine], ends[mine])
        total += chain.length_km - float(np.clip(end - start, 0.0, None).sum())
    return max(total, 0.0)


_TEXT_COLUMNS = {
    "site",
    "unit_id",
    "deployment",
    "unit_type",
    "unit_label",
    "sidc",
    "echelon",
    "oblast",
    "point",
    "hub",
    "response_point",
    "rear",
    "entry",
    "forward",
}


def _empty_units() -> gpd.GeoDataFrame:
    """Units of a plan without any (option 4, UA-supported), with typed columns."""
    dtypes = {c: "int64" if c == "part" else float for c in UNIT_COLUMNS}
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")


def _text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Name columns as strings, also when the frame is empty (for typed exports)."""
    for column in _TEXT_COLUMNS.intersection(frame.columns):
        frame[column] = frame[column].astype(str)
    return frame


def _describe(deployment: dict[str, Any]) -> str:
    """One deployment in words, for provenance."""
    unit = deployment["unit"]
    if deployment["along"] == "sites":
        return (
            f"'{deployment['name']}': {unit}, one at each hinterland site of layers.hinterland "
            f"(GeoNames coordinates) at least {deployment['standoff_km']:g} km from the line, "
            f"radius {deployment['radius_km']:g} km"
        )
    if deployment["along"] == "line":
        where = f"every {deployment['spacing_km']:g} km along " + (
            "every part of the line" if deployment["all_parts"] else "the main part"
        )
    else:
        ring = deployment["ring_km"]
        where = f"{deployment['count']} per concentration point" + (
            f" on a {ring:g} km ring" if ring else ", opposite it"
        )
    return (
        f"'{deployment['name']}': {unit} {where}, {deployment['standoff_km']:g} km behind the "
        f"line on the friendly side, radius {deployment['radius_km']:g} km"
    )


def _attach_provenance(
    frames: dict[str, gpd.GeoDataFrame], name: str, line: gpd.GeoDataFrame, deployments: list
) -> None:
    """Say on each plan layer what it was derived from and how."""
    line_prov = provenance_of(line)
    what = {
        "units": "unit positions",
        "coverage": "geodesic coverage circles of the units",
        "gaps": "stretches of the line out of every unit's reach",
        "slots": "the slots of the deployments along the line: each one's stretch of line, "
        "the unit holding it or why it is empty",
        "legs": "supply legs rear -> entry -> nearest forward hub -> unit, geodesic, x circuity "
        "for road km, at convoy speed for hours",
    }
    placed = "; ".join(_describe(d) for d in deployments) or "no European units"
    licence = line_prov.get("licence") or "not stated"
    for key, frame in frames.items():
        attach(
            frame,
            Provenance(
                source=f"deployplan planner, plan '{name}', on the line of contact from "
                f"{line_prov.get('source') or 'a user file'}",
                date=str(line_prov.get("date") or ""),
                licence=f"derived from the line of contact ({licence})",
                derivation=f"{what[key]} (planner.plan.make_plan): {placed}",
            ),
        )


def _unique(values: Iterable[Any]) -> Any:
    distinct = list(dict.fromkeys(values))
    return distinct[0] if len(distinct) == 1 else None


def _response(
    units: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame,
    catalogue: Any,
    target_h: float,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Response to the points' sectors: each unit to its own point (else the one it reaches
    first), and each point's fastest unit.

    Returns the point each unit answers, its hours there, every unit's notice to move and
    road speed (its type's), and one row per point with the unit that reaches its sector
    first (:data:`planner.logistics.RESPONSE_COLUMNS`; empty without units).
    """
    types = [catalogue[t] for t in units["unit_type"]] if len(units) else []
    notice = np.array([t.notice_h for t in types], dtype=np.float64)
    speed = np.array([t.road_kmh for t in types], dtype=np.float64)
    targets = sector_points(sectors)
    names = targets["name"].tolist()
    times = response_times(units, targets, notice_h=notice, road_kmh=speed)
    hours = times["hours"].to_numpy().reshape(len(units), len(names))
    own = np.array([names.index(p) if p in names else -1 for p in units["point"]], dtype=np.intp)
    first = hours.argmin(axis=1) if hours.size else np.zeros(len(units), dtype=np.intp)
    pick = np.where(own >= 0, own, first)
    best = fastest_response(times, target_h=target_h)
    assert list(best.columns) == RESPONSE_COLUMNS
    chosen = hours[np.arange(len(units)), pick] if len(units) else np.empty(0)
    return [names[i] for i in pick], chosen, notice, speed, best


def make_plan(
    layers: Layers,
    scenario: Scenario | tuple[int, str],
    *,
    unit: str | None = None,
    spacing_km: float | None = None,
    standoff_km: float | None = None,
    radius_km: float | None = None,
    rotation: int | None = None,
    response_target_h: float | None = None,
    all_parts: bool | None = None,
) -> Plan:
    """Place a scenario (or preset) on the layers and measure it.

    Parameters
    ----------
    layers : Layers
        The line, points, hubs (and occupied territory) to plan on (:func:`layers.load_layers`).
    scenario : Scenario or (int, str)
        A scenario (:func:`planner.load_scenario`), a preset (:data:`planner.PRESETS`), or a
        preset's (option, variant) pair.
    unit, spacing_km, standoff_km, radius_km, rotation, response_target_h, all_parts : optional
        Overrides for every deployment (``spacing_km`` and ``all_parts`` for those along the
        line; ``all_parts=False`` is ``--main-only``): see
        :meth:`Scenario.with_overrides`. A preset keeps the notes' figures; the overrides are
        recorded in ``parameters["overrides"]``.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        For an unknown unit type or option, a distance that is zero, negative, NaN or absurd
        (a spacing or radius longer than the line; a standoff not less than the radius), or a
        line with no friendly side inside Ukraine.

    Examples
    --------
    >>> from layers import load_layers
    >>> plan = make_plan(load_layers(), (1, "eur-plus"))
    >>> plan.nominal.troops_max, plan.row()["units_nominal"]
    (40000, 24)
    """
    base = _resolve(scenario)
    overrides = given_options(
        unit=unit,
        spacing_km=spacing_km,
        standoff_km=standoff_km,
        radius_km=radius_km,
        rotation=rotation,
        response_target_h=response_target_h,
        all_parts=all_parts,
    )
    scenario = base.with_overrides(**overrides)
    prepared = prepare_line(layers.line)
    line_km = prepared.length_km
    line = layers.line
    line_date = str(line["date"].iloc[0]) if "date" in line.columns and len(line) else ""

    _check_size(scenario, prepared, layers)
    placed_frames: list[gpd.GeoDataFrame] = []
    slot_frames: list[tuple[str, int, gpd.GeoDataFrame]] = []
    skipped: list[dict[str, Any]] = []
    counts: list[tuple[UnitType, int]] = []
    described = []
    for deployment in scenario.deployments:
        unit_type = scenario.unit_types[deployment.unit]
        standoff, radius = _settings(deployment, unit_type)
        described.append({**asdict(deployment), "standoff_km": standoff, "radius_km": radius})
        try:
            _check_against_line(standoff, radius, line_km, along=deployment.along)
            if deployment.along == "sites":
                skipped += [
                    {"site": name, "distance_to_line_km": round(km, 1), "standoff_km": standoff}
                    for name, km in sites_too_near(
                        default_sites(), prepared, min_distance_km=standoff
                    )
                ]
            placed, slots = _place(deployment, standoff, radius, prepared, layers)
        except InputError as exc:
            raise InputError(f"{scenario.name}, deployment '{deployment.name}': {exc}") from None
        if slots is not None:
            first = sum(len(f) for f in placed_frames)  # the deployment's first unit's row
            slot_frames.append((deployment.name, first, slots))
        placed = placed.assign(
            deployment=deployment.name,
            unit_type=unit_type.id,
            unit_label=unit_type.label,
            sidc=unit_type.sidc,
            echelon=unit_type.echelon,
            radius_km=radius,
            standoff_km=standoff,
        )
        placed_frames.append(placed)
        counts.append((unit_type, len(placed)))

    if placed_frames:
        units = gpd.GeoDataFrame(pd.concat(placed_frames, ignore_index=True), crs="EPSG:4326")
    else:
        units = _empty_units()
    prefix = (
        f"{scenario.option}-{scenario.variant}"
        if scenario.option is not None
        else _slug(scenario.name)
    )
    width = max(2, len(str(len(units))))
    units["unit_id"] = [f"{prefix}-{i:0{width}d}" for i in range(1, len(units) + 1)]
    for column, default in (("point", ""), ("distance_to_point_km", np.nan), ("site", "")):
        if column not in units.columns:
            units[column] = default
        units[column] = units[column].fillna(default)
    slots = _plan_slots(slot_frames, units["unit_id"].to_numpy())
    lon, lat = as_lonlat(units)
    units["nearest_unit_km"] = nearest_neighbour_km(lon, lat)
    for column in ("bearing_to_point_deg", "km_along", "distance_to_line_km"):
        if column not in units.columns:
            units[column] = np.nan
    radii = units["radius_km"].to_numpy(dtype=np.float64)

    measured = measure_coverage(prepared, lon, lat, radii if radii.size else 1.0)
    circles = _text(coverage_polygons(units) if len(units) else coverage_polygons(units, 1.0))
    legs = _text(supply_legs(units, layers.hubs))
    units["hub"] = legs["forward"].to_numpy()
    units["leg_road_km"] = legs["road_km"].to_numpy()
    units["leg_hours"] = legs["hours"].to_numpy()
    points = point_sectors(layers.points, prepared)
    (
        units["response_point"],
        units["response_hours"],
        units["notice_h"],
        units["road_kmh"],
        response,
    ) = _response(units, points, scenario.unit_types, scenario.response_target_h)
    logistics = logistics_totals(legs)
    logistics["response_hours_max"] = (
        float(response["hours"].max()) if len(response) else float("nan")
    )
    units = _text(gpd.GeoDataFrame(units[[*UNIT_COLUMNS, "geometry"]], crs="EPSG:4326"))
    units["part"] = units["part"].astype("int64") if len(units) else units["part"]

    placed_forces = count_forces(counts)
    nominal = scenario.nominal if scenario.nominal is not None else placed_forces
    sustained = sustain(nominal, rotation=scenario.rotation, availability=scenario.availability)
    sustained_placed = sustain(
        placed_forces, rotation=scenario.rotation, availability=scenario.availability
    )
    unit_ids = list(dict.fromkeys(d.unit for d in scenario.deployments))
    parameters: dict[str, Any] = {
        "source": scenario.source,
        "description": scenario.description,
        "unit": " + ".join(unit_ids),
        "spacing_km": _unique(d["spacing_km"] for d in described),
        "standoff_km": _unique(d["standoff_km"] for d in described),
        "radius_km": _unique(d["radius_km"] for d in described),
        "rotation": scenario.rotation,
        "response_target_h": scenario.response_target_h,
        "deployments": described,
        "unit_types": {i: asdict(scenario.unit_types[i]) for i in unit_ids},
        "availability": asdict(scenario.availability),
        "overrides": overrides,
        "sites_skipped": skipped,
    }
    _attach_provenance(
        {
            "units": units,
            "coverage": circles,
            "gaps": measured.gaps,
            "slots": slots,
            "legs": legs,
        },
        scenario.name,
        line,
        described,
    )
    return Plan(
        name=scenario.name,
        option=scenario.option,
        variant=scenario.variant,
        rotation=scenario.rotation,
        parameters=parameters,
        line_date=line_date,
        line_km=line_km,
        main_line_km=prepared.main.length_km,
        units=units,
        coverage=circles,
        gaps=measured.gaps,
        slots=slots,
        unassigned_km=_unassigned_km(prepared, slots),
        legs=legs,
        covered_fraction=measured.covered_fraction,
        largest_gap_km=measured.largest_gap_km,
        overlap_fraction=measured.overlap_fraction,
        coverage_by_part=dict(measured.coverage_by_part),
        coverage_by_oblast=dict(measured.coverage_by_oblast),
        nominal=nominal,
        placed=placed_forces,
        forces=sustained,
        forces_placed=sustained_placed,
        response=response,
        logistics=logistics,
        has_notes_figures=scenario.nominal is not None,
        points=points,
        response_target_h=scenario.response_target_h,
    )


def plan_all(
    layers: Layers,
    *,
    rotation: int = ROTATION_DEFAULT,
    scenarios: Iterable[Scenario] = (),
    response_target_h: float | None = None,
    all_parts: bool | None = None,
    jobs: int | None = None,
) -> list[Plan]:
    """Plan the nine presets (options 1-4 x eur-plus / ua-supported, then option 0, the
    reassurance force), then each scenario.

    ``rotation`` and ``response_target_h`` (default: the scenario's, 6 h for the presets)
    apply to the presets; scenarios keep their own. ``all_parts=False`` (``--main-only``)
    keeps every deployment along the line, presets' and scenarios', to the main part.

    The plans are independent: with ``jobs`` > 1 (default: every core this process may use)
    they run in that many forked worker processes (:func:`planner.parallel.run_tasks`),
    which inherit the layers and the prepared line; the plans come back in the same order
    and are the same as one process makes. Where forking is not safe (other threads
    running, or no ``fork`` on the platform) they run in this process: starting workers
    afresh would cost more than nine plans.
    """
    from planner.parallel import can_fork, check_jobs, run_tasks

    common = {"rotation": rotation, "response_target_h": response_target_h}
    work: list[tuple[Scenario, dict[str, Any]]] = [
        (preset, common | {"all_parts": all_parts}) for preset in PRESETS.values()
    ]
    work += [(scenario, {"all_parts": all_parts}) for scenario in scenarios]
    workers = check_jobs(jobs)
    if not can_fork():
        workers = 1
    if workers > 1:
        prepare_line(layers.line)  # once, before the workers fork: each inherits it
    # the workers inherit the work by forking; only its index travels, and each plan back
    tasks = [(i,) for i in range(len(work))]
    return run_tasks(_plan_task, (layers, work), tasks, jobs=workers, chunksize=1)


def _plan_task(context: tuple[Layers, list[tuple[Scenario, dict[str, Any]]]], i: int) -> Plan:
    """Plan ``i`` of :func:`plan_all` (module level, for worker processes)."""
    layers, work = context
    scenario, options = work[i]
    return make_plan(layers, scenario, **options)


def _plan_slots(
    slot_frames: list[tuple[str, int, gpd.GeoDataFrame]], unit_ids: np.ndarray
) -> gpd.GeoDataFrame:
    """Every deployment's slots, with the deployment's name and the unit id holding each."""
    if not slot_frames:
        return _empty_slots()
    frames = []
    for name, first, slots in slot_frames:
        row = slots["unit"].to_numpy(dtype=np.int64)
        ids = [str(unit_ids[first + r]) if r >= 0 else None for r in row]
        frames.append(slots.drop(columns="unit").assign(deployment=name, unit_id=ids))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")
    out["oblast"] = out["oblast"].astype(str)
    return gpd.GeoDataFrame(out[[*SLOT_COLUMNS, "geometry"]], crs="EPSG:4326")
