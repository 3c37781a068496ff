"""The options side by side: one row per plan, as a table, Markdown, CSV or JSON.

Each row (:meth:`planner.plan.Plan.row`) sets the notes' figures beside what placement on the
loaded line gives, the force arithmetic with rotation against what Europe can provide, and
the supply legs' totals (rear hub -> each unit, beside the notes' ~1,200 km) and the response
to each concentration point's sector. JSON carries, per plan, the list ``response`` (per
point: the fastest unit, its hours, whether it meets the target); Markdown and CSV show the
slowest point.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.text import csv_safe
from planner.plan import ROW_KEYS, Plan
from planner.rounding import brigades_text, km_text, percent_text
from planner.yardsticks import PROPOSALS

__all__ = ["FORMATS", "format_table", "records", "table"]

FORMATS = ("md", "csv", "json")

#: Row labels of the Markdown table (one column per plan).
_LABELS = {
    "option": "option",
    "variant": "variant",
    "unit": "unit type",
    "units_nominal": "units (notes)",
    "brigades_min": "brigades (notes)",
    "troops_min": "troops (notes)",
    "units_placed": "units placed",
    "brigades_placed_min": "brigades placed",
    "troops_placed_min": "troops placed",
    "line_km": "line km (all parts)",
    "main_line_km": "main part km",
    "line_date": "line date",
    "coverage_fraction": "line covered",
    "overlap_fraction": "covered twice or more",
    "largest_gap_km": "largest gap km",
    "gaps": "gaps",
    "rotation_factor": "rotation",
    "sustained_troops_min": "sustained troops (notes)",
    "fits_availability": "fits availability, upper end (notes)",
    "fits_availability_low": "fits availability, lower end (notes)",
    "fits_brigades": "fits deployable brigades (notes)",
    "sustained_troops_placed_min": "sustained troops (placed)",
    "fits_availability_placed": "fits availability, upper end (placed)",
    "fits_availability_low_placed": "fits availability, lower end (placed)",
    "fits_brigades_placed": "fits deployable brigades (placed)",
    "troops_per_km": "troops per km of the line (notes)",
    "sustained_troops_per_km": "sustained troops per km (notes)",
    "troops_placed_per_km": "troops per km of the line (placed)",
    "sustained_troops_placed_per_km": "sustained troops per km (placed)",
    "korea_1954_troops_per_km": "yardstick: Korea 1954, troops per km",
    "korea_today_troops_per_km": "yardstick: Korea today, troops per km",
    "inner_german_troops_per_km_min": "yardstick: inner-German border, troops per km",
    "kosovo_peak_troops": "yardstick: Kosovo peak, troops (an area)",
    "fits_proposals": "proposals at least as large (notes)",
    "road_km_total": "supply road km, all units",
    "supply_road_km_min": "supply road km, rear hub to unit",
    "convoy_hours_max": "convoy hours, farthest unit",
    "response_target_h": "response target, hours",
    "response_hours_max": "response hours, slowest point",
}
# rows whose cell names a second key beside the value: "5.7 (Donetsk)"
_BESIDE = {"response_hours_max": "response_point_slowest"}
# keys of a row that are lists (JSON only)
_LISTS = ("response",)
# rows that hold the notes' figures: "-" for a scenario, which has none
_NOTES_ROWS = {
    "units_nominal",
    "brigades_min",
    "troops_min",
    "sustained_troops_min",
    "fits_availability",
    "fits_availability_low",
    "fits_brigades",
}
# keys shown as one "min-max" cell under the label of the first
_RANGES = {
    "brigades_min": "brigades_max",
    "troops_min": "troops_max",
    "brigades_placed_min": "brigades_placed_max",
    "troops_placed_min": "troops_placed_max",
    "sustained_troops_min": "sustained_troops_max",
    "sustained_troops_placed_min": "sustained_troops_placed_max",
    "supply_road_km_min": "supply_road_km_max",
    "inner_german_troops_per_km_min": "inner_german_troops_per_km_max",
}


#: Columns holding a list of names: a JSON array; "; "-joined text in CSV and Markdown.
_LIST_COLUMNS = {"fits_proposals"}


def table(plans: Iterable[Plan]) -> pd.DataFrame:
    """One row per plan with the columns :data:`planner.plan.ROW_KEYS`.

    ``option`` is a nullable integer (missing for user scenarios).

    Examples
    --------
    >>> from layers import load_layers
    >>> from planner.plan import plan_all
    >>> table(plan_all(load_layers()))[["option", "variant", "troops_max"]].head(2)
       option       variant  troops_max
    0       1      eur-plus       40000
    1       1  ua-supported       20000
    """
    frame = pd.DataFrame([plan.row() for plan in plans], columns=ROW_KEYS)
    frame["option"] = frame["option"].astype("Int64")
    return frame


def _plain(value: Any) -> Any:
    """A JSON-ready Python value: NaN and NA as None, numpy scalars as Python ones."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The table as a list of plain dicts (the JSON form)."""
    return [
        {key: _plain(value) for key, value in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def _cell(key: str, value: Any) -> str:
    value = _plain(value)
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "none"
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_fraction"):
        return percent_text(value)
    if isinstance(value, int) and key not in ("option", "rotation_factor"):
        return f"{value:,}"
    if key.startswith("brigades"):
        return brigades_text(value)
    if key.endswith("_per_km") or key.endswith("_per_km_min") or key.endswith("_per_km_max"):
        return f"{value:,.1f}"
    if isinstance(value, float):
        return km_text(value, 2 if "hours" in key else 1)
    return str(value)


def _md(text: str) -> str:
    """A Markdown table cell: ``|`` escaped, line breaks as ``<br>`` (one row stays one row)."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def _proposals_cell(names: list[str]) -> str:
    """'6 of 7: Ukrainian officials (50,000) and larger': the proposals that fit, shortly."""
    fitting = [p for p in PROPOSALS if p.name in names]
    if not fitting:
        return f"none of {len(PROPOSALS)}"
    smallest = min(fitting, key=lambda p: p.troops_max)
    larger = [p for p in PROPOSALS if p.troops_max >= smallest.troops_max]
    head = f"{len(fitting)} of {len(PROPOSALS)}: {smallest.name} ({smallest.troops_max:,})"
    if len(fitting) == 1:
        return head
    return head + (" and larger" if len(larger) == len(fitting) else " and others")


def _troops_range(low: int, high: int) -> str:
    return f"{low:,}" if low == high else f"{low:,}-{high:,}"


def _markdown(frame: pd.DataFrame) -> str:
    """Transposed: one column per plan, one row per measure, ranges as 'min-max'."""
    rows = records(frame)
    lines = [
        "| | " + " | ".join(_md(_cell("name", r["name"])) for r in rows) + " |",
        "|---|" + "---:|" * len(rows),
    ]
    for key, label in _LABELS.items():
        cells = []
        for r in rows:
            if key in _NOTES_ROWS and not r["notes_figures"]:
                cells.append("-")
                continue
            cell = _proposals_cell(r[key]) if key in _LIST_COLUMNS else _cell(key, r[key])
            high = _RANGES.get(key)
            if high and r[high] != r[key]:
                cell = f"{cell}-{_cell(high, r[high])}"
            beside = _BESIDE.get(key)
            if beside and r.get(beside):
                met = r.get("response_meets_target")
                verdict = "" if met is None else (", within target" if met else ", beyond target")
                cell = f"{cell} ({_cell(beside, r[beside])}{verdict})"
            cells.append(_md(cell))
        lines.append(f"| {_md(label)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Notes' figures for a line of ~1,200 km (none for a scenario); placed figures on the "
        "loaded line. A battalion with its share of support is 1/3 to 1/2.4 of a brigade of "
        "4,000 troops (1,333-1,667). Sustained = troops x rotation; availability, including "
        "rotation: from under 50,000 (lower end) to under 300,000 troops (upper end), about 41 "
        "of 82 brigades deployable. Western Europe to the area of operations is ~1,200 km "
        "(notes); supply road km run from the rear hub to each unit (min-max), hence longer. "
        "Response: notice to move + road km to the point's sector (the nearest point of the "
        "line) at the unit type's road speed, fastest unit per point. Rounded once, half up: "
        "troops to 1, brigades to 0.1, fractions to 0.1 %.",
        "",
        "Yardsticks (troops per km of the loaded line, upper ends): Korea, US forces 1954 "
        "~225,000 on 249 km; today ~30,000; inner-German border in the Cold War (NORTHAG + "
        "CENTAG) 500,000-700,000 on 700 km; Kosovo's peace enforcement peaked at ~48,000 in an "
        "area 55x smaller than Ukraine. Proposals as reported: "
        + "; ".join(
            f"{p.name} {_troops_range(p.troops_min, p.troops_max)}"
            + (f" ({p.date})" if p.date else "")
            for p in PROPOSALS
        )
        + ". A proposal is listed when its figure (upper end) is at least the option's "
        "deployed troops (upper end).",
    ]
    return "\n".join(lines) + "\n"


def format_table(frame: pd.DataFrame, fmt: Literal["md", "csv", "json"] = "md") -> str:
    """Render :func:`table` as Markdown, CSV or JSON text.

    Parameters
    ----------
    frame : DataFrame
        From :func:`table`.
    fmt : {"md", "csv", "json"}
        ``md``: one column per plan (readable in a terminal and on GitHub); ``csv``: one row
        per plan, the keys of :data:`planner.plan.ROW_KEYS` but the list ``response`` (the
        slowest point is in ``response_point_slowest`` and ``response_hours_max``); ``json``:
        a list of objects with the keys of :data:`planner.plan.ROW_KEYS` (``option`` an
        integer or null, ``response`` a list of objects ``point``, ``unit_id``, ``hours``,
        ``meets_target``).

    Raises
    ------
    InputError
        For another format.
    """
    if fmt == "md":
        return _markdown(frame)
    if fmt == "csv":
        flat = frame.drop(columns=[c for c in _LISTS if c in frame.columns])
        for column in _LIST_COLUMNS.intersection(flat.columns):
            flat[column] = [_cell(column, v) if len(v) else "" for v in flat[column]]
        return csv_safe(flat).to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        return json.dumps(records(frame), indent=2, ensure_ascii=False) + "\n"
    raise InputError(f"format {fmt!r} is not known; expected one of {', '.join(FORMATS)}")
