"""Logistics: supply legs from the rear hub to every unit, and response times to the points.

Every unit is supplied along rear hub -> entry hub -> the forward hub nearest to it -> the
unit. Each leg is a geodesic on WGS84; road distance is the geodesic distance times
:data:`CIRCUITY`, and time is road distance over :data:`CONVOY_KMH`. Response times from
units to the concentration points use the same circuity at :data:`RESPONSE_KMH`.

The notes speak of about :data:`NOTES_DISTANCE_KM` (1,200 km) from Western Europe to the
area of operations; :func:`trunk_legs` and :func:`describe_trunk` set the rear -> entry ->
forward legs beside it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from shapely.geometry import LineString

from geo.errors import InputError
from geo.geodesy import densify, distance_matrix_km
from planner.distances import as_lonlat, check_km

__all__ = [
    "CIRCUITY",
    "CONVOY_KMH",
    "LEG_COLUMNS",
    "NOTES_DISTANCE_KM",
    "RESPONSE_KMH",
    "describe_trunk",
    "logistics_totals",
    "response_times",
    "supply_legs",
    "trunk_legs",
]

#: Road km per geodesic km. Published circuity factors for road travel between towns are
#: about 1.2-1.4 (Ballou, Rahardja & Sakai 2002, "Selected country circuity factors for road
#: travel distance estimation", Transportation Research A 36); a war-damaged network with
#: bridges down and routes kept off the front sits at the upper middle of that range.
CIRCUITY = 1.3
#: Road convoy speed, km/h, halts included: a usual planning figure for military march
#: columns on main roads (doctrinal rates run from about 25 km/h on minor roads to 50 km/h
#: on motorways by day).
CONVOY_KMH = 40.0
#: Road speed of a response unit moving to a threatened point, km/h: faster than a supply
#: convoy, wheeled and tracked vehicles on main roads without march-column discipline.
RESPONSE_KMH = 60.0
#: The notes' distance from Western Europe to the area of operations, km (about).
NOTES_DISTANCE_KM = 1200.0
#: Columns of :func:`supply_legs` (besides geometry), as in the plan's ``legs`` layer.
LEG_COLUMNS = [
    "unit_id",
    "rear",
    "entry",
    "forward",
    "trunk_km",
    "last_leg_km",
    "geodesic_km",
    "road_km",
    "hours",
]
# Legs are drawn as geodesics, densified to this (km) for maps.
_DRAW_SEGMENT_KM = 25.0


def _speed(name: str, value: float) -> float:
    """A speed in km/h (same checks as a distance: positive, finite, not absurd)."""
    return check_km(name, value)


def _circuity(value: float) -> float:
    try:
        factor = float(value)
    except (TypeError, ValueError):
        factor = float("nan")
    if not (np.isfinite(factor) and 1.0 <= factor <= 3.0):
        raise InputError(
            f"circuity is {value!r}; expected a road/geodesic ratio between 1 and 3; "
            f"pass e.g. circuity={CIRCUITY}"
        )
    return factor


def _tier(hubs: gpd.GeoDataFrame, tier: str) -> tuple[list[str], NDArray, NDArray]:
    """Names and positions of the hubs of one tier."""
    missing = {"name", "tier"} - set(hubs.columns)
    if missing:
        raise InputError(
            f"hubs have no column {', '.join(sorted(missing))}; expected columns name and tier "
            "(rear, entry or forward); fix the hubs file"
        )
    mine = hubs[hubs["tier"].astype(str).str.lower() == tier]
    if mine.empty:
        raise InputError(
            f"hubs have no {tier!r} hub (tiers found: {', '.join(sorted(set(hubs['tier'])))}); "
            "expected at least one rear, one entry and one forward hub; add it to the hubs file"
        )
    lon, lat = as_lonlat(mine)
    return mine["name"].astype(str).tolist(), lon, lat


def trunk_legs(
    hubs: gpd.GeoDataFrame, *, circuity: float = CIRCUITY, convoy_kmh: float = CONVOY_KMH
) -> pd.DataFrame:
    """The route from the rear to each forward hub, beside the notes' ~1,200 km.

    For each forward hub, the rear and entry hubs that make the shortest rear -> entry ->
    forward route (with one rear and one entry hub, those).

    Parameters
    ----------
    hubs : GeoDataFrame
        Hubs with columns ``name`` and ``tier`` (``rear``, ``entry``, ``forward``).
    circuity : float, default :data:`CIRCUITY`
        Road km per geodesic km.
    convoy_kmh : float, default :data:`CONVOY_KMH`
        Convoy speed, km/h.

    Returns
    -------
    DataFrame
        One row per forward hub: ``rear``, ``entry``, ``forward``, ``rear_entry_km``,
        ``entry_forward_km``, ``geodesic_km`` (their sum), ``road_km``, ``hours``,
        ``notes_km`` (:data:`NOTES_DISTANCE_KM`) and ``versus_notes`` (geodesic_km /
        notes_km).

    Raises
    ------
    InputError
        If a tier has no hub, or circuity or speed are bad.
    """
    factor = _circuity(circuity)
    speed = _speed("convoy_kmh", convoy_kmh)
    rear, rear_lon, rear_lat = _tier(hubs, "rear")
    entry, entry_lon, entry_lat = _tier(hubs, "entry")
    forward, fwd_lon, fwd_lat = _tier(hubs, "forward")
    first, _ = distance_matrix_km(rear_lon, rear_lat, entry_lon, entry_lat)  # (rear, entry)
    second, _ = distance_matrix_km(entry_lon, entry_lat, fwd_lon, fwd_lat)  # (entry, forward)
    total = first[:, :, None] + second[None, :, :]  # (rear, entry, forward)
    best = total.reshape(-1, len(forward)).argmin(axis=0)
    r, e = np.unravel_index(best, first.shape)
    f = np.arange(len(forward))
    geodesic = total[r, e, f]
    return pd.DataFrame(
        {
            "rear": [rear[i] for i in r],
            "entry": [entry[i] for i in e],
            "forward": forward,
            "rear_entry_km": first[r, e],
            "entry_forward_km": second[e, f],
            **_by_road(geodesic, factor, speed),
            "notes_km": NOTES_DISTANCE_KM,
            "versus_notes": geodesic / NOTES_DISTANCE_KM,
        }
    )


def describe_trunk(
    hubs: gpd.GeoDataFrame, *, circuity: float = CIRCUITY, convoy_kmh: float = CONVOY_KMH
) -> str:
    """One line per forward hub: the rear -> entry -> forward legs beside the notes' 1,200 km.

    Examples
    --------
    >>> from layers.hubs import default_hubs
    >>> print(describe_trunk(default_hubs()).splitlines()[0])  # doctest: +ELLIPSIS
    Ramstein -> Rzeszów -> Lviv: 1,0... + 1... = 1,... km geodesic (notes: about 1,200 km), ...
    """
    table = trunk_legs(hubs, circuity=circuity, convoy_kmh=convoy_kmh)
    return "\n".join(
        f"{row.rear} -> {row.entry} -> {row.forward}: {row.rear_entry_km:,.0f} + "
        f"{row.entry_forward_km:,.0f} = {row.geodesic_km:,.0f} km geodesic (notes: about "
        f"{NOTES_DISTANCE_KM:,.0f} km), {row.road_km:,.0f} km by road at circuity "
        f"{circuity:g}, {row.hours:.0f} h at {convoy_kmh:g} km/h"
        for row in table.itertuples()
    )


def _names(frame: gpd.GeoDataFrame, column: str) -> list[str]:
    """The rows' names: the column if the frame has it, else the index."""
    if column in frame.columns:
        return frame[column].astype(str).tolist()
    return [str(i) for i in frame.index]


def _by_road(geodesic_km: NDArray, circuity: float, speed_kmh: float) -> dict[str, NDArray]:
    """Geodesic km, road km (x circuity) and hours at the speed, as table columns."""
    road_km = geodesic_km * circuity
    return {"geodesic_km": geodesic_km, "road_km": road_km, "hours": road_km / speed_kmh}


def supply_legs(
    units: gpd.GeoDataFrame,
    hubs: gpd.GeoDataFrame,
    *,
    circuity: float = CIRCUITY,
    convoy_kmh: float = CONVOY_KMH,
) -> gpd.GeoDataFrame:
    """Supply route of every unit: rear -> entry -> nearest forward hub -> unit.

    Parameters
    ----------
    units : GeoDataFrame
        Unit points (a ``unit_id`` column is carried over, else the index is used).
    hubs : GeoDataFrame
        Hubs with columns ``name`` and ``tier``.
    circuity : float, default :data:`CIRCUITY`
        Road km per geodesic km.
    convoy_kmh : float, default :data:`CONVOY_KMH`
        Convoy speed, km/h.

    Returns
    -------
    GeoDataFrame
        One row per unit (EPSG:4326) with columns :data:`LEG_COLUMNS`: ``unit_id``, the
        ``rear``, ``entry`` and ``forward`` hub names, ``trunk_km`` (rear -> entry ->
        forward, geodesic), ``last_leg_km`` (forward hub -> unit, geodesic),
        ``geodesic_km`` (their sum), ``road_km`` (x circuity), ``hours`` (road km / convoy
        speed), and the route as a geodesic LineString.

    Raises
    ------
    InputError
        If a tier has no hub, or circuity or speed are bad.
    """
    factor = _circuity(circuity)
    speed = _speed("convoy_kmh", convoy_kmh)
    trunk = trunk_legs(hubs, circuity=factor, convoy_kmh=speed)
    forward, fwd_lon, fwd_lat = _tier(hubs, "forward")
    unit_lon, unit_lat = as_lonlat(units)
    last, _ = distance_matrix_km(unit_lon, unit_lat, fwd_lon, fwd_lat)
    nearest = last.argmin(axis=1) if unit_lon.size else np.empty(0, dtype=np.intp)
    last_leg = last[np.arange(unit_lon.size), nearest]
    route = trunk.iloc[nearest]
    hub_xy = {
        name: xy
        for name, xy in zip(
            hubs["name"].astype(str), zip(*as_lonlat(hubs), strict=True), strict=True
        )
    }
    geometry = []
    for row, x, y in zip(route.itertuples(), unit_lon, unit_lat, strict=True):
        chain = np.array([hub_xy[row.rear], hub_xy[row.entry], hub_xy[row.forward], (x, y)])
        lon, lat = densify(chain[:, 0], chain[:, 1], max_segment_km=_DRAW_SEGMENT_KM)
        geometry.append(LineString(np.column_stack((lon, lat))))
    geodesic = route["geodesic_km"].to_numpy() + last_leg
    return gpd.GeoDataFrame(
        {
            "unit_id": _names(units, "unit_id"),
            "rear": route["rear"].tolist(),
            "entry": route["entry"].tolist(),
            "forward": route["forward"].tolist(),
            "trunk_km": route["geodesic_km"].to_numpy(),
            "last_leg_km": last_leg,
            **_by_road(geodesic, factor, speed),
        },
        geometry=geometry,
        crs="EPSG:4326",
    )


def logistics_totals(legs: pd.DataFrame) -> dict[str, float]:
    """Totals of a plan's supply legs, beside the notes' ~1,200 km.

    Parameters
    ----------
    legs : DataFrame
        As :func:`supply_legs` returns.

    Returns
    -------
    dict
        ``units``, ``road_km_total`` (one trip to every unit), ``road_km_mean``,
        ``road_km_max``, ``hours_mean``, ``hours_max``, ``geodesic_km_mean`` and
        ``notes_km`` (:data:`NOTES_DISTANCE_KM`); zeros for a plan without units.
    """
    n = len(legs)

    def stat(column: str, how: str) -> float:
        return float(getattr(legs[column], how)()) if n else 0.0

    return {
        "units": float(n),
        "road_km_total": stat("road_km", "sum"),
        "road_km_mean": stat("road_km", "mean"),
        "road_km_max": stat("road_km", "max"),
        "hours_mean": stat("hours", "mean"),
        "hours_max": stat("hours", "max"),
        "geodesic_km_mean": stat("geodesic_km", "mean"),
        "notes_km": NOTES_DISTANCE_KM,
    }


def response_times(
    units: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    circuity: float = CIRCUITY,
    speed_kmh: float = RESPONSE_KMH,
) -> pd.DataFrame:
    """Road distance and time from every unit to every concentration point.

    Parameters
    ----------
    units : GeoDataFrame
        Unit points (``unit_id`` column or the index names them).
    points : GeoDataFrame
        Concentration points (``name`` column or the index names them).
    circuity : float, default :data:`CIRCUITY`
        Road km per geodesic km.
    speed_kmh : float, default :data:`RESPONSE_KMH`
        Road speed of a responding unit, km/h.

    Returns
    -------
    DataFrame
        One row per (unit, point): ``unit_id``, ``point``, ``geodesic_km``, ``road_km``,
        ``hours``; units in order, points in order within each.

    Raises
    ------
    InputError
        If circuity or speed are bad.
    """
    factor = _circuity(circuity)
    speed = _speed("speed_kmh", speed_kmh)
    unit_lon, unit_lat = as_lonlat(units)
    point_lon, point_lat = as_lonlat(points)
    geodesic, _ = distance_matrix_km(unit_lon, unit_lat, point_lon, point_lat)  # (unit, point)
    return pd.DataFrame(
        {
            "unit_id": np.repeat(
                np.asarray(_names(units, "unit_id"), dtype=object), point_lon.size
            ),
            "point": np.tile(np.asarray(_names(points, "name"), dtype=object), unit_lon.size),
            **_by_road(geodesic.ravel(), factor, speed),
        }
    )
