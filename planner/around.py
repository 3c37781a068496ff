"""Placing units around the concentration points, on the friendly side of the line.

``count`` units per point, ``standoff_km`` behind the line, centred on the point of the line
nearest to each concentration point, or spread on a ring of ``radius_km`` around it. The rules
every position keeps are in :mod:`planner.rules`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geodesy import azimuth_deg, distance_km, offset_point
from geo.prepared import PreparedLine
from planner.distances import as_lonlat, check_km, prepare_line
from planner.rules import (
    KYIV,
    SLIDE_STEP_KM,
    Area,
    FloatArray,
    Ground,
    no_side_error,
    side_names,
    units_frame,
)

__all__ = ["place_around_points"]

# Bearing step (degrees) of the candidate positions on a ring around a point.
_RING_STEP_DEG = 1.0


def _ring(
    ground: Ground,
    lon0: float,
    lat0: float,
    count: int,
    radius_km: float,
    standoff_km: float,
    name: str,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``count`` positions spread evenly over the usable arcs of a ring around a point."""
    bearing = np.arange(0.0, 360.0, _RING_STEP_DEG)
    lon, lat = offset_point(
        np.full(bearing.size, lon0), np.full(bearing.size, lat0), bearing, radius_km
    )
    nearest = float(ground.line.distance_km([lon0], [lat0])[0])
    distance = ground.line.distance_km(lon, lat)
    ok = ground.valid(lon, lat, distance, standoff_km)
    if not ok.any():
        raise InputError(
            f"no position on the {radius_km:g} km ring around {name} is on the friendly side "
            f"inside Ukraine, {standoff_km:g} km or more behind the line ({name} is "
            f"{nearest:.0f} km from the line); pass radius_km of at least "
            f"{nearest + standoff_km:.0f}, or leave it out to place units opposite the point"
        )
    # walk round the ring from just after an unusable bearing, so no usable arc is split
    bad = np.flatnonzero(~ok)
    start = int(bad[0]) + 1 if bad.size else 0
    order = np.roll(np.arange(bearing.size), -start)
    usable = order[ok[order]]
    pick = usable[np.floor((np.arange(count) + 0.5) * usable.size / count).astype(np.intp)]
    return lon[pick], lat[pick], distance[pick]


def place_around_points(
    points: gpd.GeoDataFrame,
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    count: int,
    standoff_km: float,
    radius_km: float | None = None,
    spacing_km: float = 20.0,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """Place ``count`` units opposite each concentration point, on the friendly side.

    Without ``radius_km`` the units stand ``standoff_km`` behind the line, centred on the point
    of the line nearest to the concentration point, ``spacing_km`` apart along the line (one
    unit: right opposite; two: half a spacing either side; ...). With ``radius_km`` they are
    spread evenly over the parts of the ring of that radius around the point that are on the
    friendly side, inside Ukraine and at least ``standoff_km`` from the line. A point on the
    occupied side still gets its units on the friendly side.

    Parameters
    ----------
    points : GeoDataFrame
        Concentration points (Point, lon/lat); named by a ``name`` column if there is one,
        else by their index.
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    count : int
        Units per point (>= 1).
    standoff_km : float
        Distance behind the line, km.
    radius_km : float, optional
        Ring radius around each point, km.
    spacing_km : float, default 20
        Distance along the line between the units of one point, km.
    all_parts : bool, default False
        Let the nearest stretch of line be on any part, not only the main one.
    occupied, outline, kyiv
        As for :func:`place_along`.

    Returns
    -------
    GeoDataFrame
        One Point per unit (EPSG:4326), point by point, with the columns of
        :func:`place_along` (``km_along`` is NaN: these units are not spaced along the line;
        ``part`` is the part nearest to the point) and ``point`` (its name),
        ``distance_to_point_km`` and ``bearing_to_point_deg`` (geodesic, from the unit to the
        point, degrees clockwise from north).

    Raises
    ------
    InputError
        If ``count`` is not a positive integer, a distance is bad, or no position qualifies.
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise InputError(f"count is {count!r}; expected a whole number of units >= 1; pass count=1")
    standoff = check_km("standoff_km", standoff_km)
    spacing = check_km("spacing_km", spacing_km)
    radius = None if radius_km is None else check_km("radius_km", radius_km)
    prepared = prepare_line(line)
    ground = Ground.make(prepared, standoff, occupied, outline, kyiv)
    point_lon, point_lat = as_lonlat(points)
    names = (
        points["name"].astype(str).tolist()
        if "name" in points.columns
        else [str(i) for i in points.index]
    )
    signs = {c.part: ground.side_sign(c, standoff) for c in prepared.select(all_parts)}
    allowed = np.array([i for i, c in enumerate(prepared.chains) if c.part in signs])
    rows: dict[str, list] = {k: [] for k in ("lon", "lat", "part", "side", "d", "point")}
    for name, x, y in zip(names, point_lon, point_lat, strict=True):
        _, index, foot = prepared.nearest(x, y, chains=allowed)
        chain, foot_km = prepared.chains[int(index[0])], float(foot[0])
        sign = signs[chain.part]
        if sign is None:
            raise no_side_error([chain.part])
        if radius is None:
            span = spacing * (count - 1)
            if span > chain.length_km:
                raise InputError(
                    f"{count} units {spacing:g} km apart span {span:g} km, more than line part "
                    f"{chain.part} ({chain.length_km:.0f} km); pass a smaller count or spacing_km"
                )
            first = np.clip(foot_km - span / 2.0, 0.0, chain.length_km - span)
            km = first + spacing * np.arange(count)
            slide = max(spacing / 2.0, 5.0 * SLIDE_STEP_KM)
            lon, lat, distance, _, ok = ground.positions(chain, km, sign, standoff, slide)
            if not ok.all():
                raise InputError(
                    f"{int((~ok).sum())} of the {count} units opposite {name} have no position "
                    f"on the friendly side inside Ukraine {standoff:g} km behind the line within "
                    f"{slide:g} km of their place; pass a smaller count or spacing_km, or "
                    "radius_km to spread them on a ring"
                )
        else:
            lon, lat, distance = _ring(ground, float(x), float(y), count, radius, standoff, name)
        rows["lon"].append(lon)
        rows["lat"].append(lat)
        rows["part"] += [chain.part] * count
        rows["side"] += side_names(sign, count)
        rows["d"].append(distance)
        rows["point"] += [(name, float(x), float(y))] * count
    lon, lat = np.concatenate(rows["lon"]), np.concatenate(rows["lat"])
    target_lon = np.array([p[1] for p in rows["point"]])
    target_lat = np.array([p[2] for p in rows["point"]])
    to_point = distance_km(lon, lat, target_lon, target_lat)
    bearing = azimuth_deg(lon, lat, target_lon, target_lat)
    return units_frame(
        lon,
        lat,
        {
            "km_along": np.full(lon.size, np.nan),
            "part": np.asarray(rows["part"], dtype=np.int64),
            "distance_to_line_km": np.concatenate(rows["d"]),
            "side": rows["side"],
            "point": np.asarray([p[0] for p in rows["point"]], dtype=object),
            "distance_to_point_km": to_point,
            "bearing_to_point_deg": bearing,
        },
    )
