"""How the front moved, and how options would have fared: one row per DeepStateMap snapshot.

:func:`history_dates` turns ``--from/--to/--every`` into the dates to ask for;
:func:`history` takes the snapshots found (:func:`layers.deepstate.resolve_snapshot`), derives
each day's line as ``--line-from-occupied`` does, and measures, per snapshot: the line's length
(all parts and the main part), the occupied area and its change, how far the front moved since
the previous snapshot, and for each option chosen the units placed, the coverage and the
largest gap on that day's line. The snapshots are independent plans: they run on every core
(or on Dask, :func:`planner.parallel.run_tasks`), and the rows come in date order.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.errors import GeometryError, InputError
from layers.bundle import Layers
from layers.deepstate import Snapshot
from layers.frontline import line_from_occupied
from layers.hubs import default_hubs
from layers.oblasts import load_oblasts
from layers.points import default_points
from layers.provenance import attach
from planner.distances import prepare_line
from planner.parallel import run_tasks
from planner.plan import make_plan
from planner.presets import get_preset
from planner.rounding import fraction_out, km_out

__all__ = ["HISTORY_COLUMNS", "History", "history", "history_dates", "option_columns"]

#: The columns every history has, in order (the options' columns follow).
HISTORY_COLUMNS = [
    "date",
    "requested",
    "line_km",
    "main_line_km",
    "line_parts",
    "occupied_km2",
    "occupied_change_km2",
    "moved_mean_km",
    "moved_max_km",
]

_GEOD = pyproj.Geod(ellps="WGS84")
#: The front's movement is measured from points this far apart along the new line, km.
MOVED_STEP_KM = 1.0


@dataclass(frozen=True, eq=False)
class History:
    """The table of a history and each snapshot's line (for charts and maps).

    Attributes
    ----------
    table : DataFrame
        One row per snapshot, in date order: :data:`HISTORY_COLUMNS`, then for each option
        :func:`option_columns`.
    lines : dict of str to GeoDataFrame
        Each snapshot's line by date.
    options : list of (int, str)
        The options measured.
    """

    table: pd.DataFrame
    lines: dict[str, gpd.GeoDataFrame]
    options: list[tuple[int, str]]


def option_columns(option: int, variant: str) -> list[str]:
    """The columns of one option in a history: units placed, coverage, largest gap."""
    key = f"option{option}_{variant}"
    return [f"{key}_units", f"{key}_coverage", f"{key}_largest_gap_km"]


def _add_months(date: dt.date, months: int) -> dt.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def history_dates(start: dt.date, end: dt.date, every: str = "1m") -> list[dt.date]:
    """The dates from ``start`` to ``end``, every week (``"1w"``) or month (``"1m"``).

    A month is the same day of the next month (the last day where it has fewer); ``end``
    itself is always the last date.

    Examples
    --------
    >>> [d.isoformat() for d in history_dates(dt.date(2025, 1, 31), dt.date(2025, 4, 10))]
    ['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-10']
    """
    if end < start:
        raise InputError(f"--to {end} is before --from {start}; give --from first, then --to")
    if every not in ("1w", "1m"):
        raise InputError(f"--every '{every}' is not a step; give 1w (weekly) or 1m (monthly)")
    dates, i = [], 0
    while True:
        date = start + dt.timedelta(weeks=i) if every == "1w" else _add_months(start, i)
        if date >= end:
            break
        dates.append(date)
        i += 1
    return [*dates, end]


@dataclass(frozen=True, eq=False)
class _Context:
    options: tuple[tuple[int, str], ...]


def _geodesic_km2(occupied: gpd.GeoDataFrame) -> float:
    geom = shapely.union_all(occupied.geometry.to_numpy())
    area, _ = _GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))
    return abs(float(area)) / 1e6


def _measure(
    ctx: _Context, snapshot: Snapshot, occupied: gpd.GeoDataFrame
) -> tuple[dict[str, Any], gpd.GeoDataFrame]:
    """One snapshot's row (without the movement) and its line.

    The polygon travels with the task (read from the cache beforehand), so that a worker on
    another machine needs no access to this one's cache.
    """
    attach(occupied, snapshot.provenance())
    try:
        line = line_from_occupied(occupied, date=snapshot.date)
    except GeometryError as exc:
        raise GeometryError(f"DeepStateMap snapshot of {snapshot.date}: {exc}") from None
    layers = Layers(
        line=line,
        oblasts=load_oblasts(),
        points=default_points(),
        hubs=default_hubs(),
        occupied=occupied,
    )
    row: dict[str, Any] = {
        "date": snapshot.date,
        "requested": snapshot.requested,
        "line_km": float(line["length_km"].sum()),
        "main_line_km": float(line.loc[line["is_main"].astype(bool), "length_km"].sum()),
        "line_parts": len(line),
        "occupied_km2": _geodesic_km2(occupied),
    }
    for option, variant in ctx.options:
        plan = make_plan(layers, get_preset(option, variant))
        units, coverage, gap = option_columns(option, variant)
        row[units] = len(plan.units)
        row[coverage] = fraction_out(plan.covered_fraction)
        row[gap] = km_out(plan.largest_gap_km)
    return row, line


def front_moved_km(new: gpd.GeoDataFrame, old: gpd.GeoDataFrame) -> tuple[float, float]:
    """Mean and largest distance (km, geodesic) from points every 1 km along ``new`` to ``old``.

    The points are spaced along every part of the new line (and its ends are included).
    """
    prepared_new = prepare_line(new)
    prepared_old = prepare_line(old)
    lon, lat = [], []
    for chain in prepared_new.chains:
        count = max(1, int(np.ceil(chain.length_km / MOVED_STEP_KM)))
        x, y, _ = chain.interpolate(np.linspace(0.0, chain.length_km, count + 1))
        lon.append(x)
        lat.append(y)
    distance = prepared_old.distance_km(np.concatenate(lon), np.concatenate(lat))
    return float(distance.mean()), float(distance.max())


def history(
    snapshots: Sequence[Snapshot],
    *,
    options: Sequence[tuple[int, str]] = (),
    jobs: int | None = None,
    dask: str | Any | None = None,
) -> History:
    """Measure each snapshot, and the front's movement between consecutive ones.

    Parameters
    ----------
    snapshots : sequence of Snapshot
        The snapshots (:func:`layers.deepstate.resolve_snapshot`); sorted by date, a date
        given twice is kept once.
    options : sequence of (int, str)
        Presets (option, variant) to place on each day's line.
    jobs, dask : optional
        Where to run the snapshots: see :func:`planner.parallel.run_tasks`.

    Returns
    -------
    History
        ``occupied_change_km2``, ``moved_mean_km`` and ``moved_max_km`` are empty (NaN) on the
        first row.
    """
    for option, variant in options:
        get_preset(option, variant)  # a bad option is refused before any work
    unique = {s.date: s for s in sorted(snapshots, key=lambda s: s.date)}
    if not unique:
        raise InputError("no snapshots to compare; give dates the archive holds")
    ctx = _Context(options=tuple((int(o), str(v)) for o, v in options))
    tasks = [(s, s.occupied()) for s in unique.values()]
    results = run_tasks(_measure, ctx, tasks, jobs=jobs, dask=dask)
    rows = [row for row, _ in results]
    lines = {row["date"]: line for row, line in results}
    previous: tuple[dict[str, Any], gpd.GeoDataFrame] | None = None
    for row, line in results:
        if previous is None:
            row["occupied_change_km2"] = np.nan
            row["moved_mean_km"] = row["moved_max_km"] = np.nan
        else:
            row["occupied_change_km2"] = row["occupied_km2"] - previous[0]["occupied_km2"]
            row["moved_mean_km"], row["moved_max_km"] = front_moved_km(line, previous[1])
        previous = (row, line)
    columns = list(HISTORY_COLUMNS)
    for option, variant in ctx.options:
        columns += option_columns(option, variant)
    table = pd.DataFrame(rows)[columns]
    for name in ("line_km", "main_line_km", "moved_mean_km", "moved_max_km"):
        table[name] = table[name].round(1)
    for name in ("occupied_km2", "occupied_change_km2"):
        table[name] = table[name].round(0)
    return History(table=table, lines=lines, options=list(ctx.options))
