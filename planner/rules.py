"""The rules every placement keeps: friendly side, inside Ukraine, distance behind the line.

One module for the terrain rules shared by :mod:`planner.along` (units at a spacing along the
line), :mod:`planner.around` (units around the concentration points) and :mod:`planner.siting`
(fewest units to cover the line, best coverage with a fixed number). Everything here works on
arrays of lon/lat in degrees (EPSG:4326) and distances in km on the WGS84 ellipsoid (the
project's unit; multiply by 1000 for metres).

* *Friendly side* -- with an occupied-territory polygon, the side that is not occupied; without
  one, the side holding Kyiv: a point is on Kyiv's side when the straight segment from it to
  Kyiv crosses the line an even number of times (parity of crossings; the line is simplified
  to 1/20 of the standoff for this test only). The side of each part is decided once, by a
  vote of probes on both sides along it (:meth:`Ground.side_sign`), then every unit is
  checked again (:meth:`Ground.friendly`).
* *Inside Ukraine* -- inside Ukraine's outline (:meth:`Ground.inside`).
* *Standoff* -- a position moves ``standoff_km`` from its point on the line along the geodesic
  at 90 degrees to the line's local direction (:func:`direction_deg`), to the friendly side;
  its geodesic distance to the whole line (every part) is then measured
  (:meth:`Ground.set_back`, :meth:`Ground.valid`).

Entry points for a placement: ``Ground.make(prepared_line, standoff_km, occupied, outline,
kyiv)``, then ``ground.side_sign(chain, standoff_km)`` per part and
``ground.positions(chain, km, sign, standoff_km, slide_km)`` for positions behind points at
``km`` along a part; :func:`units_frame` turns positions into the GeoDataFrame every
placement returns.
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
from geo.geodesy import GEOD, nearest_neighbour_km, offset_point
from geo.prepared import Chain, PreparedLine
from layers.oblasts import oblast_of, ukraine_outline

__all__ = [
    "BAND_ABOVE",
    "BAND_ABOVE_MIN_KM",
    "BAND_BELOW",
    "KYIV",
    "MAX_PUSH",
    "ON_LINE_KM",
    "POINT_COLUMNS",
    "SLIDE_STEP_KM",
    "STANDOFF_TOLERANCE",
    "UNIT_COLUMNS",
    "Area",
    "Ground",
    "as_area",
    "band_km",
    "in_band",
    "direction_deg",
    "no_side_error",
    "side_names",
    "units_frame",
]

FloatArray = NDArray[np.float64]
#: An area in lon/lat: a frame, a series or a (multi)polygon.
Area: TypeAlias = gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry

#: Kyiv (lon, lat): decides the friendly side when no occupied polygon is given.
KYIV = (30.5234, 50.4501)
#: Columns of a placement along the line (besides geometry).
UNIT_COLUMNS = ["km_along", "part", "distance_to_line_km", "side", "oblast", "nearest_unit_km"]
#: Columns of a placement around points (besides geometry).
POINT_COLUMNS = [*UNIT_COLUMNS, "point", "distance_to_point_km", "bearing_to_point_deg"]

#: Below the standoff, the band reaches down this fraction of it (1 %).
BAND_BELOW = 0.01
#: Above the standoff, the band reaches up this fraction of it (25 %) ...
BAND_ABOVE = 0.25
#: ... or this many km, whichever is more.
BAND_ABOVE_MIN_KM = 2.0
#: Kept for callers of the former module: the band's lower edge as a fraction below.
STANDOFF_TOLERANCE = BAND_BELOW
#: A position this close to the line (km) is on it: neither side, friendly by definition.
ON_LINE_KM = 0.05
_PUSH_STEPS = 40
#: Without the band (``band=False``), a unit may be pushed this many standoffs out.
MAX_PUSH = 5.0
SLIDE_STEP_KM = 1.0
_SLIDE_BATCH = 8
# The smallest scale (km) of the line's direction and of the side probes.
_MIN_SCALE_KM = 1.0


def band_km(standoff_km: float) -> tuple[float, float]:
    """The standoff band: how near and how far from the line (all parts) a unit may stand.

    Parameters
    ----------
    standoff_km : float
        The deployment's standoff, km (>= 0).

    Returns
    -------
    low_km, high_km : float
        ``standoff - 1 %`` and ``standoff + max(2 km, 25 % of the standoff)``.

    Examples
    --------
    >>> band_km(10.0), band_km(20.0), band_km(0.0)
    ((9.9, 12.0), (19.8, 25.0), (0.0, 2.0))
    """
    low = standoff_km * (1.0 - BAND_BELOW)
    return low, standoff_km + max(BAND_ABOVE_MIN_KM, BAND_ABOVE * standoff_km)


def in_band(distance_km: ArrayLike, standoff_km: float) -> NDArray[np.bool_]:
    """Whether each geodesic distance to the line (km) lies in :func:`band_km` of the standoff.

    Examples
    --------
    >>> in_band([9.8, 9.9, 12.0, 12.1], 10.0).tolist()
    [False, True, True, False]
    """
    low, high = band_km(standoff_km)
    distance = np.asarray(distance_km, dtype=np.float64)
    return (distance >= low - 1e-9) & (distance <= high + 1e-9)


@dataclass(frozen=True, eq=False)
class Ground:
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
    ) -> Ground:
        outline_geom = ukraine_outline() if outline is None else outline
        shapely.prepare(outline_geom)
        occupied_geom = None if occupied is None else as_area(occupied)
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
        scale = max(standoff_km, _MIN_SCALE_KM)  # units on the line (standoff 0) still have a side
        azimuth = direction_deg(chain, km, scale)
        probes = []
        for distance in (scale / 2.0, scale):
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
        self, chain: Chain, km: FloatArray, sign: int, standoff_km: float, *, band: bool = True
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Positions ``standoff_km`` behind the points at ``km``, pushed clear on bends.

        Each moves ``standoff_km`` from its point on the part, at 90 degrees to the part's
        direction, to the side ``sign`` (+1 right, -1 left); where that ends nearer another
        stretch of line than the standoff, it is pushed further along the same geodesic, but
        never beyond the band's upper edge (:func:`band_km`; with ``band=False``,
        :data:`MAX_PUSH` standoffs). Returns lon, lat and the geodesic
        distance to the whole line (below the band where pushing to its edge did not clear the
        line: such positions are not :meth:`valid`).
        """
        foot_lon, foot_lat, _ = chain.interpolate(km)
        if standoff_km == 0.0:
            return foot_lon, foot_lat, self.line.distance_km(foot_lon, foot_lat, upper_km=0.001)
        bearing = direction_deg(chain, km, standoff_km) + 90.0 * sign
        move = np.full(km.size, float(standoff_km))
        lon, lat = offset_point(foot_lon, foot_lat, bearing, move)
        # no farther from the line than from the point on it it moved away from
        distance = self.line.distance_km(lon, lat, upper_km=move)
        slope = np.ones(km.size)
        target, limit = band_km(standoff_km)
        if not band:
            limit = MAX_PUSH * standoff_km
        for _ in range(_PUSH_STEPS):
            short = np.flatnonzero((distance < target) & (move < limit))
            if short.size == 0:
                break
            # the distance grows at most 1 km per km pushed; secant steps converge in a few
            step = (standoff_km - distance[short]) / slope[short] * 1.001
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
        self,
        lon: FloatArray,
        lat: FloatArray,
        distance: FloatArray,
        standoff_km: float,
        *,
        band: bool = True,
    ) -> NDArray[np.bool_]:
        """Positions in the standoff band, inside Ukraine, on the friendly side.

        Parameters
        ----------
        lon, lat : numpy.ndarray
            The positions, degrees.
        distance : numpy.ndarray
            Their geodesic distance to the whole line, km.
        standoff_km : float
            The standoff, km.
        band : bool, default True
            Keep the band's upper edge too; False: the standoff or more (less 1 %), for
            positions not set back from the line (a ring around a point).
        """
        low = band_km(standoff_km)[0]
        ok = in_band(distance, standoff_km) if band else distance >= low - 1e-9
        ok[ok] &= self.inside(lon[ok], lat[ok])
        on_line = distance <= ON_LINE_KM
        check = ok & ~on_line
        ok[check] &= self.friendly(lon[check], lat[check])
        return ok

    def inside_any(self, lon: FloatArray, lat: FloatArray) -> bool:
        """Whether any of the positions is inside Ukraine (to tell why none is valid)."""
        return bool(self.inside(lon, lat).any())

    def positions(
        self,
        chain: Chain,
        km: FloatArray,
        sign: int,
        standoff_km: float,
        slide_km: float,
        *,
        band: bool = True,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
        """Set-back positions for points at ``km``, sliding those that break a rule.

        Each point slides in 1 km steps (nearest first, alternating forward and back) up to
        ``slide_km`` either way until its position keeps every rule (:meth:`valid`, with
        ``band``). Returns lon, lat, distance to the line, the km along the part where each
        ended up, and which units have a position at all.
        """
        km = km.astype(np.float64)
        lon, lat, distance = self.set_back(chain, km, sign, standoff_km, band=band)
        ok = self.valid(lon, lat, distance, standoff_km, band=band)
        steps = np.arange(1, int(slide_km / SLIDE_STEP_KM) + 1) * SLIDE_STEP_KM
        shifts = np.column_stack((steps, -steps)).ravel()
        for i in np.flatnonzero(~ok):
            trials = km[i] + shifts
            trials = trials[(trials >= 0.0) & (trials <= chain.length_km)]
            for first in range(0, trials.size, _SLIDE_BATCH):  # nearest first, few at a time
                trial = trials[first : first + _SLIDE_BATCH]
                t_lon, t_lat, t_dist = self.set_back(chain, trial, sign, standoff_km, band=band)
                good = np.flatnonzero(self.valid(t_lon, t_lat, t_dist, standoff_km, band=band))
                if good.size:
                    j = good[0]
                    lon[i], lat[i], distance[i] = t_lon[j], t_lat[j], t_dist[j]
                    km[i], ok[i] = trial[j], True
                    break
        return lon, lat, distance, km, ok


def direction_deg(chain: Chain, km: FloatArray, half_km: float) -> FloatArray:
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


def as_area(area: Area) -> BaseGeometry:
    """One (multi)polygon in lon/lat from a frame, series or geometry."""
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        if area.crs is not None and not area.crs.equals("EPSG:4326"):
            area = area.to_crs("EPSG:4326")
        geoms = np.asarray(area.geometry)
        return geoms[0] if geoms.size == 1 else shapely.union_all(geoms)
    return area


def no_side_error(parts: list[int]) -> InputError:
    """The error for line parts with no friendly position inside Ukraine behind them."""
    return InputError(
        f"the line has no friendly side inside Ukraine (no position behind line part(s) "
        f"{', '.join(map(str, parts))} is inside Ukraine and off the occupied side); expected "
        "a line of contact inside Ukraine in lon/lat; check the line file, its CRS and the "
        "occupied polygon"
    )


def units_frame(
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


def side_names(sign: int, n: int) -> list[str]:
    """``n`` copies of ``"right"`` (sign +1) or ``"left"`` (sign -1): the ``side`` column."""
    return ["right" if sign > 0 else "left"] * n
