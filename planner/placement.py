"""Placing units: along the line at a spacing, opposite concentration points, or fewest to cover.

Every position is ``standoff_km`` behind the line, on its friendly side, inside Ukraine:

* **Along the line** (:func:`place_along`): one unit every ``spacing_km`` measured
  geodesically along a part, the first at ``offset_km`` (default ``spacing_km / 2``) from the
  part's start (parts run from their south-western end, so the main part's first unit is near
  the Dnipro estuary); from its point on the line the unit moves ``standoff_km`` along the
  geodesic at 90 degrees to the line's local direction (``Geod.fwd``), to the friendly side.
  The local direction is that of the chord from ``standoff_km`` before to ``standoff_km``
  after the point: on a straight stretch the line's own azimuth; on the real, wiggly line its
  run at the scale of the standoff, so that a kink of a few hundred metres does not swing a
  unit sideways into the next salient.
* **Opposite points** (:func:`place_around_points`): ``count`` units on the friendly side,
  ``standoff_km`` behind the line, centred on the point of the line nearest to each
  concentration point, or spread on a ring of ``radius_km`` around it.
* **Fewest units / best coverage** (:func:`min_units_to_cover`, :func:`max_coverage`): an
  exact 1-D sweep along the line over candidate positions at the standoff.

Rules the positions keep, and how:

* *Friendly side* -- with an occupied-territory polygon, the side that is not occupied; without
  one, the side holding Kyiv: a point is on Kyiv's side when the straight segment from it to
  Kyiv crosses the line an even number of times (parity of crossings; the line is simplified
  to 1/20 of the standoff for this test only). The side of each part is decided once, by a
  vote of probes on both sides along it (the side of a part cannot change along a front), then
  every unit is checked again.
* *Standoff* -- on a bend that turns towards the unit, a perpendicular move can end nearer
  another stretch of line; the unit is then pushed further along the same perpendicular until
  its geodesic distance to the whole line (every part) is the standoff (to 0.1 %; secant steps,
  at most 5 standoffs out). On straight stretches the distance is the standoff itself.
* *Inside Ukraine* -- if a position falls outside Ukraine's outline (e.g. into the sea at a
  coastal end), on the wrong side (past a sharp salient), or cannot be pushed clear of the line
  within 5 standoffs, its point on the line slides in 1 km steps (nearest first, alternating
  forward and back) up to half a spacing either way; the first position that keeps every rule
  is taken and its ``km_along`` records where it ended up. A unit with no such position in its
  slot is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geodesy import (
    GEOD,
    azimuth_deg,
    distance_km,
    nearest_neighbour_km,
    offset_point,
    stations_km,
)
from geo.prepared import Chain, PreparedLine
from layers.oblasts import oblast_of, ukraine_outline
from planner.coverage import disc_intervals
from planner.distances import as_lonlat, check_km, prepare_line

__all__ = [
    "KYIV",
    "POINT_COLUMNS",
    "UNIT_COLUMNS",
    "max_coverage",
    "min_units_to_cover",
    "place_along",
    "place_around_points",
]

FloatArray = NDArray[np.float64]
Area: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry

#: Kyiv (lon, lat): decides the friendly side when no occupied polygon is given.
KYIV = (30.5234, 50.4501)
#: Columns of a placement along the line (besides geometry).
UNIT_COLUMNS = ["km_along", "part", "distance_to_line_km", "side", "oblast", "nearest_unit_km"]
#: Columns of a placement around points (besides geometry).
POINT_COLUMNS = [*UNIT_COLUMNS, "point", "distance_to_point_km", "bearing_to_point_deg"]

# A unit counts as at the standoff when no nearer than this fraction below it.
_STANDOFF_TOLERANCE = 1e-3
# A unit pushed out on a bend may go at most this many standoffs from its point on the line.
_MAX_PUSH = 5.0
_PUSH_STEPS = 40
_SLIDE_STEP_KM = 1.0
_SLIDE_BATCH = 8
# Bearing step (degrees) of the candidate positions on a ring around a point.
_RING_STEP_DEG = 1.0


@dataclass(frozen=True, eq=False)
class _Ground:
    """The terrain rules: the line, Ukraine's outline, the occupied polygon or Kyiv's side."""

    line: PreparedLine
    outline: BaseGeometry
    occupied: BaseGeometry | None
    kyiv: tuple[float, float]
    segments: FloatArray  # (m, 4): x0, y0, x1, y1 of the simplified line, for the parity test

    @classmethod
    def make(
        cls,
        line: PreparedLine,
        standoff_km: float,
        occupied: Area | None,
        outline: BaseGeometry | None,
        kyiv: tuple[float, float],
    ) -> _Ground:
        outline_geom = ukraine_outline() if outline is None else outline
        shapely.prepare(outline_geom)
        occupied_geom = None if occupied is None else _area(occupied)
        if occupied_geom is not None:
            shapely.prepare(occupied_geom)
        tolerance_deg = min(1e-3, standoff_km / 111.0 / 20.0)
        segments = []
        for chain in line.chains:
            simple = shapely.simplify(
                shapely.linestrings(chain.lon, chain.lat), tolerance_deg, preserve_topology=False
            )
            xy = shapely.get_coordinates(simple)
            segments.append(np.column_stack((xy[:-1], xy[1:])))
        return cls(line, outline_geom, occupied_geom, kyiv, np.concatenate(segments))

    def kyiv_side(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        """True where the segment point -> Kyiv crosses the line an even number of times."""
        kx, ky = self.kyiv
        x0, y0, x1, y1 = self.segments.T
        out = np.empty(lon.size, dtype=bool)
        chunk = max(1, 4_000_000 // max(x0.size, 1))
        for i in range(0, lon.size, chunk):
            px, py = lon[i : i + chunk, None], lat[i : i + chunk, None]
            # orientation of the segment's ends about P->K, and of P and K about the segment
            a = (kx - px) * (y0 - py) - (ky - py) * (x0 - px) > 0
            b = (kx - px) * (y1 - py) - (ky - py) * (x1 - px) > 0
            c = (x1 - x0) * (py - y0) - (y1 - y0) * (px - x0) > 0
            d = (x1 - x0) * (ky - y0) - (y1 - y0) * (kx - x0) > 0
            out[i : i + chunk] = ((a != b) & (c != d)).sum(axis=1) % 2 == 0
        return out

    def friendly(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        """Not occupied (with an occupied polygon), else on Kyiv's side of the line."""
        if self.occupied is not None:
            return ~shapely.contains_xy(self.occupied, lon, lat)
        return self.kyiv_side(lon, lat)

    def inside(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        """Inside Ukraine's outline."""
        return shapely.contains_xy(self.outline, lon, lat)

    def side_sign(self, chain: Chain, standoff_km: float) -> int | None:
        """+1 if the friendly side is right of the part's direction, -1 left, None if neither.

        Probes at half the standoff and at the standoff on both sides, at 21 places along the
        part, vote; without an occupied polygon's verdict (a line far from it), Kyiv's side.
        """
        km = np.linspace(0.0, chain.length_km, 23)[1:-1]
        lon, lat, _ = chain.interpolate(km)
        azimuth = _direction(chain, km, standoff_km)
        probes = []
        for distance in (standoff_km / 2.0, standoff_km):
            for turn in (90.0, -90.0):
                probes.append(offset_point(lon, lat, azimuth + turn, distance))
        tests = [self.friendly] if self.occupied is None else [self.friendly, self.kyiv_side]
        for test in tests:
            right = np.concatenate([test(*probes[0]), test(*probes[2])])
            left = np.concatenate([test(*probes[1]), test(*probes[3])])
            votes = int((right & ~left).sum()) - int((left & ~right).sum())
            if votes:
                return 1 if votes > 0 else -1
        return None

    def set_back(
        self, chain: Chain, km: FloatArray, sign: int, standoff_km: float
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Positions ``standoff_km`` behind the points at ``km``, pushed clear on bends.

        Returns lon, lat and the geodesic distance to the whole line (short of the standoff
        where pushing up to :data:`_MAX_PUSH` standoffs did not clear the line).
        """
        foot_lon, foot_lat, _ = chain.interpolate(km)
        bearing = _direction(chain, km, standoff_km) + 90.0 * sign
        move = np.full(km.size, float(standoff_km))
        lon, lat = offset_point(foot_lon, foot_lat, bearing, move)
        # no farther from the line than from the point on it it moved away from
        distance = self.line.distance_km(lon, lat, upper_km=move)
        slope = np.ones(km.size)
        target = standoff_km * (1.0 - _STANDOFF_TOLERANCE)
        limit = _MAX_PUSH * standoff_km
        for _ in range(_PUSH_STEPS):
            short = np.flatnonzero((distance < target) & (move < limit))
            if short.size == 0:
                break
            # the distance grows at most 1 km per km pushed; secant steps converge in a few
            step = (standoff_km - distance[short]) / slope[short] * (1.0 + _STANDOFF_TOLERANCE)
            pushed = np.minimum(move[short] + step, limit)
            lon[short], lat[short] = offset_point(
                foot_lon[short], foot_lat[short], bearing[short], pushed
            )
            new = self.line.distance_km(lon[short], lat[short], upper_km=pushed)
            slope[short] = np.clip((new - distance[short]) / (pushed - move[short]), 0.2, 1.0)
            move[short] = pushed
            distance[short] = new
        return lon, lat, distance

    def valid(
        self, lon: FloatArray, lat: FloatArray, distance: FloatArray, standoff_km: float
    ) -> NDArray[np.bool_]:
        """Positions at the standoff or more, inside Ukraine, on the friendly side."""
        ok = distance >= standoff_km * (1.0 - _STANDOFF_TOLERANCE)
        ok[ok] &= self.inside(lon[ok], lat[ok])
        ok[ok] &= self.friendly(lon[ok], lat[ok])
        return ok

    def positions(
        self, chain: Chain, km: FloatArray, sign: int, standoff_km: float, slide_km: float
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
        """Set-back positions for points at ``km``, sliding those that break a rule.

        Returns lon, lat, distance to the line, the km along the part where each ended up, and
        which units have a position at all.
        """
        km = km.astype(np.float64)
        lon, lat, distance = self.set_back(chain, km, sign, standoff_km)
        ok = self.valid(lon, lat, distance, standoff_km)
        steps = np.arange(1, int(slide_km / _SLIDE_STEP_KM) + 1) * _SLIDE_STEP_KM
        shifts = np.column_stack((steps, -steps)).ravel()
        for i in np.flatnonzero(~ok):
            trials = km[i] + shifts
            trials = trials[(trials >= 0.0) & (trials <= chain.length_km)]
            for first in range(0, trials.size, _SLIDE_BATCH):  # nearest first, few at a time
                trial = trials[first : first + _SLIDE_BATCH]
                t_lon, t_lat, t_dist = self.set_back(chain, trial, sign, standoff_km)
                good = np.flatnonzero(self.valid(t_lon, t_lat, t_dist, standoff_km))
                if good.size:
                    j = good[0]
                    lon[i], lat[i], distance[i] = t_lon[j], t_lat[j], t_dist[j]
                    km[i], ok[i] = trial[j], True
                    break
        return lon, lat, distance, km, ok


def _direction(chain: Chain, km: FloatArray, half_km: float) -> FloatArray:
    """The line's direction at ``km``, at the scale of ``half_km`` either side.

    The azimuth of the chord from ``km - half_km`` to ``km + half_km`` (clipped to the part),
    averaged over its two ends: on a straight stretch the line's own azimuth, on a wiggly one
    its general run, so that a wiggle smaller than the standoff does not swing a unit sideways.
    """
    lon_a, lat_a, _ = chain.interpolate(km - half_km)
    lon_b, lat_b, _ = chain.interpolate(km + half_km)
    forward, back, _ = GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    east = np.sin(np.radians(forward)) + np.sin(np.radians(np.asarray(back) + 180.0))
    north = np.cos(np.radians(forward)) + np.cos(np.radians(np.asarray(back) + 180.0))
    return np.mod(np.degrees(np.arctan2(east, north)), 360.0)


def _area(area: Area) -> BaseGeometry:
    """One (multi)polygon in lon/lat from a frame, series or geometry."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is not None and not area.crs.equals("EPSG:4326"):
            area = area.to_crs("EPSG:4326")
        geoms = np.asarray(area.geometry)
        return geoms[0] if geoms.size == 1 else shapely.union_all(geoms)
    return area


def _no_side_error(parts: list[int]) -> InputError:
    return InputError(
        f"the line has no friendly side inside Ukraine (no position behind line part(s) "
        f"{', '.join(map(str, parts))} is inside Ukraine and off the occupied side); expected "
        "a line of contact inside Ukraine in lon/lat; check the line file, its CRS and the "
        "occupied polygon"
    )


def _units_frame(
    lon: FloatArray, lat: FloatArray, columns: dict[str, ArrayLike]
) -> gpd.GeoDataFrame:
    """Units as points with the placement columns, oblast and nearest-unit distance added."""
    data = dict(columns)
    data["oblast"] = oblast_of(lon, lat) if lon.size else np.empty(0, dtype=str)
    data["nearest_unit_km"] = nearest_neighbour_km(lon, lat)
    data["side"] = np.asarray(data["side"], dtype=object)
    names = [c for c in POINT_COLUMNS if c in data]
    frame = pd.DataFrame({c: data[c] for c in names})
    frame["oblast"] = frame["oblast"].astype(object)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def _side_names(sign: int, n: int) -> list[str]:
    return ["right" if sign > 0 else "left"] * n


def place_along(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    spacing_km: float,
    standoff_km: float,
    offset_km: float | None = None,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """Place one unit every ``spacing_km`` along the line, ``standoff_km`` behind it.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact in lon/lat, parts oriented from their south-western end (as
        :mod:`layers.frontline` makes them); see :func:`planner.distances.prepare_line`.
    spacing_km : float
        Geodesic distance along the line between consecutive units, km.
    standoff_km : float
        Distance behind the line, km.
    offset_km : float, optional
        Distance of the first unit from the start of each part, km (default
        ``spacing_km / 2``). A part of length L gets ``floor((L - offset) / spacing) + 1`` units.
    all_parts : bool, default False
        Place along every part, not only the main one.
    occupied : GeoDataFrame, GeoSeries or (Multi)Polygon, optional
        Occupied territory: the friendly side is the side not in it. Without it, the side of
        the line holding Kyiv.
    outline : (Multi)Polygon, optional
        Ukraine's outline (default :func:`layers.oblasts.ukraine_outline`).
    kyiv : (float, float)
        Where Kyiv is, for the friendly side without an occupied polygon.

    Returns
    -------
    GeoDataFrame
        One Point per unit (EPSG:4326), in order along each part, with columns ``km_along``
        (km along its part of the unit's point on the line), ``part``,
        ``distance_to_line_km`` (geodesic, to the whole line), ``side`` (``"left"`` or
        ``"right"`` of the part's direction), ``oblast`` (``""`` outside every oblast) and
        ``nearest_unit_km`` (geodesic, to the nearest other unit; NaN for a lone unit).

    Raises
    ------
    InputError
        If a distance is zero, negative, not finite or absurd (a spacing longer than the
        line), or the line has no friendly side inside Ukraine.

    Examples
    --------
    >>> from shapely import LineString
    >>> units = place_along(LineString([(35.0, 47.0), (35.0, 48.8)]), spacing_km=50,
    ...                     standoff_km=10)
    >>> units["km_along"].tolist(), sorted(set(units["side"]))
    ([25.0, 75.0, 125.0, 175.0], ['left'])
    """
    prepared = prepare_line(line)
    spacing = check_km("spacing_km", spacing_km)
    standoff = check_km("standoff_km", standoff_km)
    chains = prepared.select(all_parts)
    longest = max(c.length_km for c in chains)
    what = "line" if all_parts else "main part of the line"
    if spacing > longest:
        raise InputError(
            f"spacing_km is {spacing:g} km, longer than the {what} ({longest:.1f} km); "
            f"pass a spacing below {longest:.0f} km"
        )
    offset = (
        spacing / 2.0 if offset_km is None else check_km("offset_km", offset_km, allow_zero=True)
    )
    if offset > longest:
        raise InputError(
            f"offset_km is {offset:g} km, beyond the end of the {what} ({longest:.1f} km); "
            f"pass an offset below {longest:.0f} km"
        )
    ground = _Ground.make(prepared, standoff, occupied, outline, kyiv)
    out: dict[str, list] = {"lon": [], "lat": [], "km_along": [], "part": [], "side": [], "d": []}
    no_side = []
    for chain in chains:
        km = stations_km(chain.length_km, spacing_km=spacing, offset_km=offset)
        if km.size == 0:
            continue
        sign = ground.side_sign(chain, standoff)
        if sign is None:
            no_side.append(chain.part)
            continue
        lon, lat, distance, km, ok = ground.positions(chain, km, sign, standoff, spacing / 2.0)
        if not ok.any():
            no_side.append(chain.part)
        out["lon"].append(lon[ok])
        out["lat"].append(lat[ok])
        out["km_along"].append(km[ok])
        out["part"].append(np.full(int(ok.sum()), chain.part))
        out["side"] += _side_names(sign, int(ok.sum()))
        out["d"].append(distance[ok])
    if prepared.main_part in no_side or not out["lon"] or not sum(map(len, out["lon"])):
        raise _no_side_error(no_side or [c.part for c in chains])
    lon, lat = np.concatenate(out["lon"]), np.concatenate(out["lat"])
    return _units_frame(
        lon,
        lat,
        {
            "km_along": np.concatenate(out["km_along"]),
            "part": np.concatenate(out["part"]).astype(np.int64),
            "distance_to_line_km": np.concatenate(out["d"]),
            "side": out["side"],
        },
    )


def _ring(
    ground: _Ground,
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
    ground = _Ground.make(prepared, standoff, occupied, outline, kyiv)
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
            raise _no_side_error([chain.part])
        if radius is None:
            span = spacing * (count - 1)
            if span > chain.length_km:
                raise InputError(
                    f"{count} units {spacing:g} km apart span {span:g} km, more than line part "
                    f"{chain.part} ({chain.length_km:.0f} km); pass a smaller count or spacing_km"
                )
            first = np.clip(foot_km - span / 2.0, 0.0, chain.length_km - span)
            km = first + spacing * np.arange(count)
            slide = max(spacing / 2.0, 5.0 * _SLIDE_STEP_KM)
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
        rows["side"] += _side_names(sign, count)
        rows["d"].append(distance)
        rows["point"] += [(name, float(x), float(y))] * count
    lon, lat = np.concatenate(rows["lon"]), np.concatenate(rows["lat"])
    target_lon = np.array([p[1] for p in rows["point"]])
    target_lat = np.array([p[2] for p in rows["point"]])
    to_point = distance_km(lon, lat, target_lon, target_lat)
    bearing = azimuth_deg(lon, lat, target_lon, target_lat)
    return _units_frame(
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


# --- fewest units to cover the line, best coverage with a fixed number: a 1-D sweep ---------

_EPS_KM = 1e-6
_CANDIDATE_STEP_KM = 0.5
_BISECTIONS = 24


@dataclass(frozen=True, eq=False)
class _Candidates:
    """Valid positions at the standoff along one part and the stretch [a, b] each covers."""

    chain: Chain
    sign: int
    km: FloatArray
    lon: FloatArray
    lat: FloatArray
    distance: FloatArray
    a: FloatArray
    b: FloatArray


def _reach(
    line: PreparedLine,
    chain: Chain,
    lon: FloatArray,
    lat: FloatArray,
    radius_km: float,
    km: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The stretch of the part covered from each position: the run holding (or nearest) km.

    NaN where a position covers none of the part.
    """
    owner, on_chain, start, end = disc_intervals(line, lon, lat, radius_km)
    mine = on_chain == line.chains.index(chain)
    owner, start, end = owner[mine], start[mine], end[mine]
    a = np.full(km.size, np.nan)
    b = np.full(km.size, np.nan)
    if owner.size == 0:
        return a, b
    order = np.lexsort((start, owner))
    owner, start, end = owner[order], start[order], end[order]
    # one owner's intervals are disjoint, so a gap after the previous one starts a new run
    new = np.append(True, (owner[1:] != owner[:-1]) | (start[1:] > end[:-1] + _EPS_KM))
    first = np.flatnonzero(new)
    run_owner, run_start = owner[first], start[first]
    run_end = np.maximum.reduceat(end, first)
    miss = np.maximum(run_start - km[run_owner], 0.0) + np.maximum(km[run_owner] - run_end, 0.0)
    best = np.lexsort((miss, run_owner))
    best = best[np.append(True, run_owner[best][1:] != run_owner[best][:-1])]
    a[run_owner[best]], b[run_owner[best]] = run_start[best], run_end[best]
    return a, b


def _candidates(
    ground: _Ground, chain: Chain, sign: int, standoff_km: float, radius_km: float, km: FloatArray
) -> _Candidates:
    lon, lat, distance = ground.set_back(chain, km, sign, standoff_km)
    ok = np.flatnonzero(ground.valid(lon, lat, distance, standoff_km))
    a, b = _reach(ground.line, chain, lon[ok], lat[ok], radius_km, km[ok])
    keep = ok[np.isfinite(a)]
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    return _Candidates(chain, sign, km[keep], lon[keep], lat[keep], distance[keep], a, b)


def _cover_setup(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    radius_km: float,
    standoff_km: float,
    all_parts: bool,
    occupied: Area | None,
    outline: BaseGeometry | None,
    kyiv: tuple[float, float],
) -> tuple[_Ground, list[_Candidates], float, float]:
    """Validate, then the candidate positions of every part (grid of at most 0.5 km)."""
    radius = check_km("radius_km", radius_km)
    standoff = check_km("standoff_km", standoff_km)
    if radius <= standoff:
        raise InputError(
            f"radius_km ({radius:g}) does not exceed standoff_km ({standoff:g}): a unit that "
            "far behind the line covers none of it; pass a radius larger than the standoff"
        )
    prepared = prepare_line(line)
    ground = _Ground.make(prepared, standoff, occupied, outline, kyiv)
    half_width = np.sqrt(radius**2 - standoff**2)
    step = min(_CANDIDATE_STEP_KM, half_width / 10.0)
    candidates = []
    for chain in prepared.select(all_parts):
        sign = ground.side_sign(chain, standoff)
        if sign is None:
            continue
        km = np.linspace(0.0, chain.length_km, int(np.ceil(chain.length_km / step)) + 1)
        candidates.append(_candidates(ground, chain, sign, standoff, radius, km))
    if not any(c.km.size for c in candidates):
        raise _no_side_error([c.part for c in prepared.select(all_parts)])
    return ground, candidates, radius, standoff


def _cover_frame(
    picked: list[tuple[_Candidates, FloatArray, FloatArray, FloatArray, FloatArray]],
) -> gpd.GeoDataFrame:
    """Units at chosen positions (per part: km, lon, lat, distance), as place_along gives."""
    columns: dict[str, list[FloatArray]] = {"km": [], "lon": [], "lat": [], "d": []}
    parts: list[NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    sides: list[str] = []
    for cand, km, lon, lat, distance in picked:
        order = np.argsort(km)
        for key, values in zip(columns, (km, lon, lat, distance), strict=True):
            columns[key].append(values[order])
        parts.append(np.full(km.size, cand.chain.part, dtype=np.int64))
        sides += _side_names(cand.sign, km.size)
    km_all, lon, lat, distance = (np.concatenate([np.empty(0), *v]) for v in columns.values())
    return _units_frame(
        lon,
        lat,
        {
            "km_along": km_all,
            "part": np.concatenate(parts),
            "distance_to_line_km": distance,
            "side": sides,
        },
    )


def min_units_to_cover(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    radius_km: float,
    standoff_km: float,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """The fewest units, ``standoff_km`` behind the line, whose radius covers the whole line.

    Method: an exact 1-D sweep along the line. Candidate positions stand at the standoff on
    the friendly side every 0.5 km or less (with the rules of :func:`place_along`); each covers
    an interval of km along the line, from the geodesic distances (the run of line within its
    radius around its own point). For intervals on a line the greedy cover -- from the first
    uncovered km, take the candidate reaching farthest among those that cover it -- is optimal;
    each choice is then refined by bisection between neighbouring candidates, so on a straight
    stretch the count is the continuous optimum ``ceil(L / (2 sqrt(r^2 - d^2)))``.

    Why not spopt's LSCP: it solves the general set-cover integer programme with a MIP solver
    (an extra dependency, exponential in the worst case, exact only over the candidates given
    to it); on a line the problem is one-dimensional, and this sweep is exact and runs in time
    linear in the line's length. Parts are covered one by one (a unit is not credited for
    reaching two parts). Stretches that no valid position can reach (e.g. where the friendly
    side is outside Ukraine) are skipped.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    radius_km : float
        Each unit's coverage radius, km (larger than the standoff).
    standoff_km : float
        Distance behind the line, km.
    all_parts : bool, default False
        Cover every part, not only the main one.
    occupied, outline, kyiv
        As for :func:`place_along`.

    Returns
    -------
    GeoDataFrame
        The units, with the columns of :func:`place_along`; their number is the minimum.

    Raises
    ------
    InputError
        If a distance is bad, the radius does not exceed the standoff, or the line has no
        friendly side inside Ukraine.
    """
    ground, candidates, radius, standoff = _cover_setup(
        line, radius_km, standoff_km, all_parts, occupied, outline, kyiv
    )
    return _cover_frame([(c, *_greedy(ground, c, radius, standoff)) for c in candidates])


def _greedy(
    ground: _Ground, cand: _Candidates, radius: float, standoff: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Greedy interval cover of one part: km, lon, lat and distance of the chosen positions."""
    a, b = cand.a, cand.b
    chosen: list[tuple[float, float, float, float]] = []
    x = 0.0
    while x < cand.chain.length_km - _EPS_KM:
        reach = np.where(a <= x + _EPS_KM, b, -np.inf)
        j = int(np.argmax(reach))
        if reach[j] <= x + _EPS_KM:  # nothing covers x: skip to where coverage can start
            later = a > x + _EPS_KM
            if not later.any():
                break
            x = float(a[later].min())
            continue
        best = (float(cand.km[j]), float(cand.lon[j]), float(cand.lat[j]), float(cand.distance[j]))
        best_b = float(b[j])
        if j + 1 < a.size and a[j + 1] > x + _EPS_KM:
            # the best position lies between this candidate and the next: bisect for the
            # farthest one along the line that still covers x
            lo, hi = float(cand.km[j]), float(cand.km[j + 1])
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo + hi)
                m = _candidates(ground, cand.chain, cand.sign, standoff, radius, np.array([mid]))
                if m.km.size and m.a[0] <= x + _EPS_KM:
                    lo = mid
                    if m.b[0] > best_b:
                        best_b = float(m.b[0])
                        best = (mid, float(m.lon[0]), float(m.lat[0]), float(m.distance[0]))
                else:
                    hi = mid
        chosen.append(best)
        x = best_b
    km, lon, lat, distance = (
        (np.array(v, dtype=np.float64) for v in zip(*chosen, strict=True))
        if chosen
        else (np.empty(0),) * 4
    )
    return km, lon, lat, distance


def max_coverage(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    count: int,
    radius_km: float,
    standoff_km: float,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """At most ``count`` units, ``standoff_km`` behind the line, covering as much of it as can be.

    Method: the candidates and intervals of :func:`min_units_to_cover`, then an exact dynamic
    programme over them. Intervals inside another are dropped (never better); the rest, sorted
    by start, are sorted by end too, so the union of a chosen sequence is
    ``sum(b_i - max(a_i, b_previous))``; ``F[j][i]``, the best union of j intervals ending with
    interval i, takes the best predecessor that ends before ``a_i`` (a prefix maximum) or that
    overlaps it (a range maximum, by sparse table): O(count * n log n) for n candidates.
    Parts share the units by a knapsack over their best values. Why not spopt's MCLP: as for
    LSCP, an integer programme and a solver for what is a one-dimensional problem solved
    exactly here. The optimum is over candidates every 0.5 km or less (within 0.5 km per unit of
    the continuous optimum).

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    count : int
        Number of units available (>= 1).
    radius_km, standoff_km, all_parts, occupied, outline, kyiv
        As for :func:`min_units_to_cover`.

    Returns
    -------
    GeoDataFrame
        The units, with the columns of :func:`place_along`: ``count`` of them, or fewer when
        fewer already cover all the line can be covered.

    Raises
    ------
    InputError
        As :func:`min_units_to_cover`, and if ``count`` is not a positive integer.
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise InputError(
            f"count is {count!r}; expected a whole number of units >= 1; pass count=10"
        )
    _, candidates, _, _ = _cover_setup(
        line, radius_km, standoff_km, all_parts, occupied, outline, kyiv
    )
    per_part = [_best_intervals(c.a, c.b, count) for c in candidates]
    # knapsack: how many units each part gets
    best = np.zeros(count + 1)
    shares: list[list[int]] = [[] for _ in range(count + 1)]
    for values, _ in per_part:
        new = np.full(count + 1, -np.inf)
        new_shares: list[list[int]] = [[] for _ in range(count + 1)]
        for total in range(count + 1):
            for mine in range(min(total, values.size - 1) + 1):
                value = best[total - mine] + values[mine]
                if value > new[total] + _EPS_KM:
                    new[total] = value
                    new_shares[total] = [*shares[total - mine], mine]
        best, shares = new, new_shares
    allotment = shares[int(np.argmax(best))]
    picked = []
    for cand, (_, choose), n in zip(candidates, per_part, allotment, strict=True):
        idx = np.asarray(choose(n), dtype=np.intp)
        picked.append((cand, cand.km[idx], cand.lon[idx], cand.lat[idx], cand.distance[idx]))
    return _cover_frame(picked)


def _best_intervals(a: FloatArray, b: FloatArray, k: int):  # noqa: ANN202
    """Best union length with at most j of the intervals, j = 0..k, and how to get it.

    Returns ``values`` (array, ``values[j]`` the best union with at most j intervals) and a
    function giving the indices of the intervals that achieve ``values[j]``.
    """
    order = np.lexsort((-b, a))
    prior = np.concatenate(([-np.inf], np.maximum.accumulate(b[order])[:-1]))
    keep = order[b[order] > prior + _EPS_KM]  # not inside an earlier interval
    a_k, b_k = a[keep], b[keep]
    n = keep.size
    k = min(k, n)
    q = np.searchsorted(b_k, a_k, side="right")  # intervals 0..q-1 end before a_i
    arange = np.arange(n)
    scores = [np.zeros(0)]  # F[j], j >= 1
    preds = [np.zeros(0, dtype=np.intp)]
    score = b_k - a_k
    scores.append(score)
    preds.append(np.full(n, -1, dtype=np.intp))
    for _ in range(2, k + 1):
        prev = scores[-1]
        # predecessors that end before a_i: best prefix of prev
        prefix_arg = _running_argmax(prev)
        before_arg = np.where(q > 0, prefix_arg[np.maximum(q - 1, 0)], -1)
        before = np.where(q > 0, prev[before_arg] + b_k - a_k, -np.inf)
        # predecessors that overlap: max of prev - b over [q_i, i - 1]
        gain = prev - b_k
        over_arg = _range_argmax(gain, q, arange - 1)
        over = np.where(over_arg >= 0, gain[np.maximum(over_arg, 0)] + b_k, -np.inf)
        new = np.maximum(before, over)
        scores.append(np.where(np.isfinite(new), new, -np.inf))
        preds.append(np.where(before >= over, before_arg, over_arg))
    best_j = [np.max(s) if s.size else 0.0 for s in scores]
    values = np.maximum.accumulate(np.asarray(best_j, dtype=np.float64))

    def choose(j: int) -> list[int]:
        if j == 0 or n == 0:
            return []
        j = int(np.flatnonzero(np.asarray(best_j[: j + 1]) >= values[j] - _EPS_KM)[0])
        if j == 0:
            return []
        i = int(np.argmax(scores[j]))
        out = []
        while j >= 1 and i >= 0:
            out.append(int(keep[i]))
            i = int(preds[j][i])
            j -= 1
        return out

    return values, choose


def _running_argmax(values: FloatArray) -> NDArray[np.intp]:
    """Index of the maximum of values[0..i] for each i."""
    running = np.maximum.accumulate(values)
    is_new = np.append(True, values[1:] >= running[:-1])
    return np.maximum.accumulate(np.where(is_new, np.arange(values.size), 0))


def _range_argmax(
    values: FloatArray, lo: NDArray[np.intp], hi: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Index of the maximum of values[lo_i..hi_i] for each i (-1 where the range is empty)."""
    n = values.size
    table = [np.arange(n)]
    width = 1
    while 2 * width <= n:
        last = table[-1]
        left, right = last[: n - 2 * width + 1], last[width : n - width + 1]
        table.append(np.where(values[left] >= values[right], left, right))
        width *= 2
    empty = hi < lo
    span = np.where(empty, 1, hi - lo + 1)
    level = np.floor(np.log2(span)).astype(np.intp)
    out = np.full(lo.size, -1, dtype=np.intp)
    for lev in np.unique(level[~empty]):
        rows = np.flatnonzero((level == lev) & ~empty)
        first = table[lev][lo[rows]]
        second = table[lev][hi[rows] - (1 << lev) + 1]
        out[rows] = np.where(values[first] >= values[second], first, second)
    return out
