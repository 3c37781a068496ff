"""Placing units around the concentration points, on the friendly side of the line.

``count`` units per point, opposite it (as near to the point as the rules allow) or spread on a
ring of ``radius_km`` around it. The rules every position keeps are in :mod:`planner.rules`:
friendly side, inside Ukraine, and, opposite a point, the standoff band (from 1 % short of the
standoff to ``standoff + max(2 km, 25 % of the standoff)`` from the whole line).

**Opposite a point** (no ``radius_km``): the unit takes the position nearest to the point among
all that keep the rules. If the point itself keeps them, the unit stands there. Otherwise the
nearest position lies on the edge of the band: candidates stand at the standoff behind every
point of the line, every :data:`_STATION_KM` along every part whose friendly side is known
(positions set back as :meth:`planner.rules.Ground.set_back` does, pushed clear on bends), the
nearest valid one is refined between its neighbours, and a point on the friendly side farther
from the line than the band reaches also has the band's far edge on the way to its nearest
point of the line as a candidate. The search ring grows until no station left out could hold
a nearer position (a position stands at most the band's far edge from its station). A point on
the occupied side (Luhansk, Donetsk) gets its unit on the friendly side, as near as can be.
With ``count`` > 1 the units spread along the line, ``spacing_km`` apart, around that
position's point of the line (the nearest one is the middle unit when ``count`` is odd), each
set back into the band.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geodesy import GEOD, azimuth_deg, distance_km, offset_point
from geo.prepared import Chain, PreparedLine
from planner.distances import as_lonlat, check_km, prepare_line
from planner.rules import (
    KYIV,
    SLIDE_STEP_KM,
    Area,
    FloatArray,
    Ground,
    band_km,
    direction_deg,
    no_side_error,
    side_names,
    units_frame,
)

__all__ = ["place_around_points"]

# Bearing step (degrees) of the candidate positions on a ring around a point.
_RING_STEP_DEG = 1.0
# Step (km) between the points of the line behind which a unit opposite a point may stand,
# and the finer step between the best one's neighbours.
_STATION_KM = 2.0
_REFINE_KM = 0.1
_REFINE_MAX = 4
# Candidates tried at a time, nearest first.
_BATCH = 32


@dataclass(frozen=True)
class _Spot:
    """A position opposite a point: where it is, its distance to the line, and its station."""

    lon: float
    lat: float
    distance: float  # to the whole line, km
    chain: int  # index into the line's chains of the point of the line it stands behind
    km: float  # km along that chain
    to_point: float  # km to the concentration point


def _setback_spots(
    ground: Ground,
    chain_index: int,
    sign: int,
    km: FloatArray,
    standoff_km: float,
    x: float,
    y: float,
) -> list[_Spot]:
    """Positions behind the stations ``km`` of one chain that keep every rule, band included."""
    chain = ground.line.chains[chain_index]
    high = band_km(standoff_km)[1]
    lon, lat, distance = ground.set_back(chain, km, sign, standoff_km)
    ok = ground.valid(lon, lat, distance, standoff_km) & (distance <= high)
    if ok.any():  # never pushed beyond the band's far edge from its point of the line
        foot_lon, foot_lat, _ = chain.interpolate(km[ok])
        ok[ok] = distance_km(foot_lon, foot_lat, lon[ok], lat[ok]) <= high * (1.0 + 1e-6)
    if not ok.any():
        return []
    to_point = distance_km(lon[ok], lat[ok], np.full(int(ok.sum()), x), np.full(int(ok.sum()), y))
    return [
        _Spot(float(a), float(b), float(d), chain_index, float(k), float(t))
        for a, b, d, k, t in zip(lon[ok], lat[ok], distance[ok], km[ok], to_point, strict=True)
    ]


def _nearest_spot(
    ground: Ground, signs: dict[int, int], standoff_km: float, x: float, y: float
) -> _Spot | None:
    """The position nearest to (x, y) that keeps every rule (None if there is none).

    Every station of every part with a known side is a candidate; each is first set back
    without pushing (cheap, vectorised) and the candidates are then tried nearest first, in
    batches, with the full rules (:meth:`Ground.set_back` pushes a position clear on a bend by
    at most the band's width, so a candidate whose unpushed position is farther from the point
    than the best found plus that width cannot beat it: the search stops there).
    """
    low, high = band_km(standoff_km)
    line = ground.line
    here, nearest_chain, nearest_km = line.nearest([x], [y])
    d0 = float(here[0])
    xy = (np.array([x]), np.array([y]))
    if ground.valid(*xy, here, standoff_km)[0] and d0 <= high:
        return _Spot(x, y, d0, int(nearest_chain[0]), float(nearest_km[0]), 0.0)
    best: list[_Spot] = []
    if d0 > high and ground.friendly(*xy)[0]:
        # deep on the friendly side: the band's far edge on the way to the nearest line point
        c = line.chains[int(nearest_chain[0])]
        fx, fy, _ = c.interpolate(nearest_km)
        azimuth, _, _ = GEOD.inv(x, y, float(fx[0]), float(fy[0]))
        step = d0 - high * (1.0 - 1e-4)
        gx, gy = offset_point(x, y, float(azimuth), step)
        gd = line.distance_km([gx], [gy])
        if ground.valid(np.array([gx]), np.array([gy]), gd, standoff_km)[0] and gd[0] <= high:
            spot = _Spot(float(gx), float(gy), float(gd[0]), int(nearest_chain[0]), 0.0, step)
            best.append(replace(spot, km=float(nearest_km[0])))
    # every station, set back without pushing: a cheap first guess of where each unit would be
    owners, kms, guess = [], [], []
    for i, sign in signs.items():
        chain = line.chains[i]
        km = np.minimum(np.arange(0.0, chain.length_km + _STATION_KM, _STATION_KM), chain.length_km)
        foot_lon, foot_lat, _ = chain.interpolate(km)
        bearing = direction_deg(chain, km, standoff_km) + 90.0 * sign
        lon, lat = offset_point(foot_lon, foot_lat, bearing, standoff_km)
        owners.append(np.full(km.size, i))
        kms.append(km)
        guess.append(distance_km(lon, lat, np.full(km.size, x), np.full(km.size, y)))
    if not owners:
        return best[0] if best else None
    owner, km_all, first_guess = np.concatenate(owners), np.concatenate(kms), np.concatenate(guess)
    order = np.argsort(first_guess, kind="stable")
    slack = high - standoff_km  # the farthest a push moves a position
    for start in range(0, order.size, _BATCH):
        bound = min((s.to_point for s in best), default=np.inf)
        batch = order[start : start + _BATCH]
        batch = batch[first_guess[batch] - slack < bound]
        if batch.size == 0:
            break
        for i in np.unique(owner[batch]):
            mine = batch[owner[batch] == i]
            best += _setback_spots(ground, int(i), signs[int(i)], km_all[mine], standoff_km, x, y)
    if not best:
        return None
    top = min(best, key=lambda s: s.to_point)
    if top.to_point == 0.0:
        return top
    # refine between the neighbouring stations of those that may hide a nearer position: a
    # position moves at most about a station step when its station does
    near = [s for s in best if s.to_point <= top.to_point + _STATION_KM and s.km == s.km]
    refined = []
    for spot in sorted(near, key=lambda s: s.to_point)[:_REFINE_MAX]:
        chain = line.chains[spot.chain]
        fine = np.arange(spot.km - _STATION_KM, spot.km + _STATION_KM + 1e-9, _REFINE_KM)
        fine = fine[(fine >= 0.0) & (fine <= chain.length_km)]
        refined += _setback_spots(ground, spot.chain, signs[spot.chain], fine, standoff_km, x, y)
    return min([top, *refined], key=lambda s: s.to_point)


def _opposite(
    ground: Ground,
    signs: dict[int, int],
    standoff_km: float,
    spacing_km: float,
    count: int,
    x: float,
    y: float,
    name: str,
) -> tuple[FloatArray, FloatArray, FloatArray, Chain, int]:
    """``count`` positions opposite the point (x, y): lon, lat, distance, chain, side sign."""
    spot = _nearest_spot(ground, signs, standoff_km, x, y)
    if spot is None:
        raise InputError(
            f"no position opposite {name} is on the friendly side inside Ukraine, in the "
            f"standoff band {standoff_km:g} km behind the line; pass a smaller standoff_km, or "
            "radius_km to spread the units on a ring"
        )
    chain = ground.line.chains[spot.chain]
    sign = signs[spot.chain]
    lon, lat, distance = np.array([spot.lon]), np.array([spot.lat]), np.array([spot.distance])
    if count == 1:
        return lon, lat, distance, chain, sign
    span = spacing_km * (count - 1)
    if span > chain.length_km:
        raise InputError(
            f"{count} units {spacing_km:g} km apart span {span:g} km, more than line part "
            f"{chain.part} ({chain.length_km:.0f} km) opposite {name}; pass a smaller count or "
            "spacing_km"
        )
    first = float(np.clip(spot.km - span / 2.0, 0.0, chain.length_km - span))
    km = (first + spacing_km * np.arange(count)).astype(np.float64)
    slide = max(spacing_km / 2.0, 5.0 * SLIDE_STEP_KM)
    lon, lat, distance, _, ok = ground.positions(chain, km, sign, standoff_km, slide)
    ok &= distance <= band_km(standoff_km)[1]
    if not ok.all():
        raise InputError(
            f"{int((~ok).sum())} of the {count} units opposite {name} have no position on the "
            f"friendly side inside Ukraine in the standoff band {standoff_km:g} km behind the "
            f"line within {slide:g} km of their place; pass a smaller count or spacing_km, or "
            "radius_km to spread them on a ring"
        )
    middle = np.flatnonzero(np.isclose(km, spot.km, atol=1e-6))
    if middle.size:  # an odd count centred on the best position: that one stands there
        lon[middle[0]], lat[middle[0]], distance[middle[0]] = spot.lon, spot.lat, spot.distance
    return lon, lat, distance, chain, sign


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
    ok = ground.valid(lon, lat, distance, standoff_km, band=False)
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

    Without ``radius_km`` one unit takes the position nearest to the concentration point that
    keeps every rule (friendly side, inside Ukraine, in the standoff band); more spread
    ``spacing_km`` apart along the line around that position's point of the line, each in the
    band (one unit: the nearest position; three: it and one a spacing either side; two: half a
    spacing either side; ...); see the module docstring. With ``radius_km`` they are
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
        On a ring: let the nearest stretch of line be on any part, not only the main one.
        Opposite a point the units may stand behind any part.
    occupied, outline, kyiv
        As for :func:`place_along`.

    Returns
    -------
    GeoDataFrame
        One Point per unit (EPSG:4326), point by point, with the columns of
        :func:`place_along` (``km_along`` is NaN: these units are not spaced along the line;
        ``part`` is the part they stand behind, or nearest to the point on a ring) and
        ``point`` (its name),
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
    known = {
        i: sign for i, c in enumerate(prepared.chains) if (sign := signs.get(c.part)) is not None
    }
    rows: dict[str, list] = {k: [] for k in ("lon", "lat", "part", "side", "d", "point")}
    for name, x, y in zip(names, point_lon, point_lat, strict=True):
        if radius is None:
            if not known:
                raise no_side_error(sorted(signs))
            lon, lat, distance, chain, sign = _opposite(
                ground, known, standoff, spacing, count, float(x), float(y), name
            )
        else:
            _, index, _ = prepared.nearest(x, y, chains=allowed)
            chain = prepared.chains[int(index[0])]
            part_sign = signs[chain.part]
            if part_sign is None:
                raise no_side_error([chain.part])
            sign = part_sign
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
