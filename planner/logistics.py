"""Logistics: supply legs from the rear hub to every unit, and response times to the sectors.

Every unit is supplied along rear hub -> entry hub -> forward hub -> the unit, through the
rear, entry and forward hubs that make its total road distance shortest (every combination
is weighed, vectorised: the best trunk to each forward hub plus that hub's last leg). Each leg
is a geodesic on WGS84; road distance is the geodesic distance times :data:`CIRCUITY`, and time
is road distance over :data:`CONVOY_KMH`.

Response time from a unit to a concentration point is the unit type's notice to move plus the
road distance to the point's *sector* (the point of the line nearest to it, see
:mod:`planner.sectors`; geodesic x circuity) at the unit type's road speed
(:attr:`planner.units.UnitType.notice_h`, :attr:`~planner.units.UnitType.road_kmh`). The
sector, not the city: Luhansk and Donetsk lie behind the enemy's line, and a response force
answers a breach at the line.

The notes speak of about :data:`NOTES_DISTANCE_KM` (1,200 km) from Western Europe to the
area of operations; :func:`trunk_legs` and :func:`describe_trunk` set the rear -> entry ->
forward legs beside it, and :func:`logistics_totals` what the plan gives to each unit
(``road_km_min``, ``road_km_median``, ``road_km_max``): longer, because it runs on to every
unit, by road.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString

from geo.errors import InputError
from geo.geodesy import densify, distance_matrix_km
from planner.distances import as_lonlat, check_km

__all__ = [
    "CIRCUITY",
    "CONVOY_KMH",
    "LEG_COLUMNS",
    "NOTES_DISTANCE_KM",
    "RESPONSE_COLUMNS",
    "describe_trunk",
    "fastest_response",
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
#: Columns of :func:`fastest_response`: per point, the fastest unit to its sector.
RESPONSE_COLUMNS = ["point", "unit_id", "road_km", "hours", "meets_target"]
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
    """Supply route of every unit: rear -> entry -> forward hub -> unit, the shortest.

    Each unit takes the rear, entry and forward hubs whose route to it is shortest of all
    combinations: for each forward hub the best rear -> entry -> forward trunk
    (:func:`trunk_legs`), plus that hub's last leg to the unit; the minimum over the forward
    hubs is the minimum over every (rear, entry, forward) triple, as the last leg does not
    depend on the rear and entry hubs. Road km are geodesic km x ``circuity`` throughout, so
    the shortest geodesic route is the shortest road route.

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
    _, fwd_lon, fwd_lat = _tier(hubs, "forward")
    unit_lon, unit_lat = as_lonlat(units)
    last, _ = distance_matrix_km(unit_lon, unit_lat, fwd_lon, fwd_lat)  # (unit, forward)
    total = trunk["geodesic_km"].to_numpy()[None, :] + last
    best = total.argmin(axis=1) if unit_lon.size else np.empty(0, dtype=np.intp)
    last_leg = last[np.arange(unit_lon.size), best]
    route = trunk.iloc[best]
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
        ``units``, ``road_km_total`` (one trip to every unit), ``road_km_min``,
        ``road_km_median``, ``road_km_mean``, ``road_km_max`` (rear hub -> unit, road km),
        ``hours_mean``, ``hours_max``, ``geodesic_km_mean`` and ``notes_km``
        (:data:`NOTES_DISTANCE_KM`: the notes' Western Europe -> area of operations, which
        stops where the units' own legs begin); zeros for a plan without units.
    """
    n = len(legs)

    def stat(column: str, how: str) -> float:
        return float(getattr(legs[column], how)()) if n else 0.0

    return {
        "units": float(n),
        "road_km_total": stat("road_km", "sum"),
        "road_km_min": stat("road_km", "min"),
        "road_km_median": stat("road_km", "median"),
        "road_km_mean": stat("road_km", "mean"),
        "road_km_max": stat("road_km", "max"),
        "hours_mean": stat("hours", "mean"),
        "hours_max": stat("hours", "max"),
        "geodesic_km_mean": stat("geodesic_km", "mean"),
        "notes_km": NOTES_DISTANCE_KM,
    }


def response_times(
    units: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame,
    *,
    notice_h: ArrayLike,
    road_kmh: ArrayLike,
    circuity: float = CIRCUITY,
) -> pd.DataFrame:
    """Road distance and response time from every unit to every sector.

    hours = ``notice_h`` + geodesic km x ``circuity`` / ``road_kmh``, with the notice and
    speed of each unit's type.

    Parameters
    ----------
    units : GeoDataFrame
        Unit points (``unit_id`` column or the index names them).
    sectors : GeoDataFrame
        Where the units go: the sectors of the concentration points (Point geometry; the
        ``name`` column or the index names them). See :func:`planner.sectors.point_sectors`.
    notice_h : float or array_like
        Notice to move of each unit (or of all), hours.
    road_kmh : float or array_like
        Road speed of each unit (or of all), km/h.
    circuity : float, default :data:`CIRCUITY`
        Road km per geodesic km.

    Returns
    -------
    DataFrame
        One row per (unit, sector): ``unit_id``, ``point``, ``geodesic_km``, ``road_km``,
        ``hours``; units in order, sectors in order within each.

    Raises
    ------
    InputError
        If circuity, a notice or a speed is bad.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> units = gpd.GeoDataFrame({"unit_id": ["a"]}, geometry=[Point(30, 48)], crs=4326)
    >>> sector = gpd.GeoDataFrame({"name": ["X"]}, geometry=[Point(30, 48.5)], crs=4326)
    >>> t = response_times(units, sector, notice_h=2.0, road_kmh=30.0)
    >>> round(float(t["hours"].iloc[0]), 2)  # 2 h + 55.6 km x 1.3 / 30 km/h
    4.41
    """
    factor = _circuity(circuity)
    unit_lon, unit_lat = as_lonlat(units)
    n = unit_lon.size
    notice = np.broadcast_to(np.asarray(notice_h, dtype=np.float64), (n,))
    speed = np.broadcast_to(np.asarray(road_kmh, dtype=np.float64), (n,))
    if not (np.isfinite(notice) & (notice >= 0)).all():
        raise InputError(
            f"notice_h holds {notice[~(np.isfinite(notice) & (notice >= 0))][0]!r}; expected "
            "hours >= 0 (notice to move)"
        )
    for value in np.unique(speed):
        _speed("road_kmh", float(value))
    point_lon, point_lat = as_lonlat(sectors)
    geodesic, _ = distance_matrix_km(unit_lon, unit_lat, point_lon, point_lat)  # (unit, point)
    road_km = geodesic * factor
    hours = notice[:, None] + road_km / speed[:, None]
    return pd.DataFrame(
        {
            "unit_id": np.repeat(
                np.asarray(_names(units, "unit_id"), dtype=object), point_lon.size
            ),
            "point": np.tile(np.asarray(_names(sectors, "name"), dtype=object), n),
            "geodesic_km": geodesic.ravel(),
            "road_km": road_km.ravel(),
            "hours": hours.ravel(),
        }
    )


def fastest_response(times: pd.DataFrame, *, target_h: float) -> pd.DataFrame:
    """Per point, the unit that reaches its sector first, and whether within ``target_h``.

    Parameters
    ----------
    times : DataFrame
        As :func:`response_times` returns.
    target_h : float
        The response target, hours.

    Returns
    -------
    DataFrame
        One row per point, in the order they first appear: :data:`RESPONSE_COLUMNS`
        (``point``, ``unit_id``, ``road_km``, ``hours``, ``meets_target`` = hours <=
        target); empty (typed) without units.
    """
    if times.empty:
        return pd.DataFrame(
            {
                "point": pd.Series(dtype=object),
                "unit_id": pd.Series(dtype=object),
                "road_km": pd.Series(dtype=float),
                "hours": pd.Series(dtype=float),
                "meets_target": pd.Series(dtype=bool),
            }
        )
    best = times.loc[times.groupby("point", sort=False)["hours"].idxmin()]
    best = best[["point", "unit_id", "road_km", "hours"]].reset_index(drop=True)
    best["meets_target"] = best["hours"].to_numpy() <= target_h
    return best
