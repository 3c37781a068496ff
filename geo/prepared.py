"""Prepared lines: geodesic distances from many points to a long, dense polyline, fast.

A line is *prepared* once: each part becomes a :class:`Chain`, densified on its geodesics so
that no segment is longer than ``max_segment_km`` (1 km), and every vertex of every part goes
into one :class:`PreparedLine` indexed by latitude. The km along each part and the line's
direction at each vertex are computed on first use (one ``Geod.inv`` pass), so a line that is
only measured against never pays for them.

A point's distance to the line is measured in the azimuthal equidistant projection centred on
the point (AEQD: distances from the centre are exact; a 1 km geodesic segment is a straight
chord there to well under a metre). To keep this cheap on long, dense lines (200,000
vertices), three screens come first: the vertices sorted by latitude give, by bisection, those
in a degree box that surely holds the search radius (:func:`degree_box`); cheap flat
coordinates (:func:`flat_xy`, error bounded by :func:`flat_error_km`) rule out the segments
that cannot be nearest (or, for coverage, that are surely inside or outside a disc); only the
rest go through ``Geod.inv`` (on a line of a few hundred vertices, or with a few dozen
segments near the points, all are measured: there the screens would cost more than they
spare). All of it is vectorised over the points, so the cost grows with the number of
vertices near them, i.e. linearly with the line's length. Longitudes are compared modulo 360,
so lines and points may lie across the antimeridian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from geo.crs import GEOD

__all__ = [
    "MAX_SEGMENT_KM",
    "Chain",
    "PreparedLine",
    "aeqd_xy",
    "degree_box",
    "degree_boxes",
    "densify_chain",
    "flat_error_km",
    "flat_xy",
    "segment_distance",
    "wrap_deg",
]

FloatArray = NDArray[np.float64]

#: Longest segment of a prepared line, km: fine enough that a chord and its geodesic differ by
#: millimetres, and that a unit's coverage disc cannot slip between two vertices unseen.
MAX_SEGMENT_KM = 1.0

_KM_PER_RAD = GEOD.a / 1000.0
# Km per degree along a meridian or a parallel (at latitude phi, times cos(phi)) on WGS84: at
# least the meridional radius at the equator, a(1 - e^2), resp. a; at most the radii of
# curvature at the poles, a / sqrt(1 - e^2).
_KM_PER_DEG_LAT_MIN = math.radians(GEOD.a * (1.0 - GEOD.es)) / 1000.0
_KM_PER_DEG_LON_EQUATOR = math.radians(GEOD.a) / 1000.0
_KM_PER_DEG_MAX = math.radians(GEOD.a / math.sqrt(1.0 - GEOD.es)) / 1000.0

# flat_xy error bound, from its measured error against pyproj.Geod at every latitude to
# 3,000 km (tests/test_geodesy.py): relative (a + b tan^2(top)) (d / R)^2, where top is the
# highest latitude within d of the centre, at least twice the largest error seen; plus 1 m;
# plus the sag of a segment's geodesic off its flat chord. Beyond 3,000 km or 85 degrees of
# latitude the bound is infinite and every segment is measured exactly.
_FLAT_A = 0.2
_FLAT_B = 0.2
_FLAT_ABSOLUTE_KM = 1e-3
_FLAT_RANGE_KM = 3000.0
_FLAT_TOP_DEG = 85.0
# Points per batch of a vectorised search (with _BAND_ENTRIES, bounds the pairs held at once).
_CHUNK_POINTS = 4096
# On a line of at most this many vertices a search scans them all, without a distance bound;
# at most this many (point, segment) pairs are measured exactly without a screen; a chain of at
# most this many vertices is densified without bounding its segments first.
_SCAN_VERTICES = 256
_EXACT_PAIRS = 64
# (point, vertex) entries gathered at once when finding the vertices near many points.
_BAND_ENTRIES = 2_000_000
# Cell of the grid the vertices are bucketed in for those searches, degrees (about 3.5 km of
# longitude and 5.5 km of latitude in Ukraine).
_CELL_DEG = 0.05
_FEW_VERTICES = 64


def wrap_deg(dlon: FloatArray) -> FloatArray:
    """Longitude differences wrapped into [-180, 180).

    Differences already in that range (all of them, away from the antimeridian) come back
    as they are, without the float modulo (three times the cost of the range check).
    """
    dlon = np.asarray(dlon, dtype=np.float64)
    if dlon.size and dlon.min() >= -180.0 and dlon.max() < 180.0:
        return dlon
    return (dlon + 180.0) % 360.0 - 180.0


def _runs(sizes: NDArray[np.intp], budget: int, *, most: int | None = None) -> list[slice]:
    """Consecutive runs of items whose sizes sum to at most ``budget`` (one item at least),
    and of at most ``most`` items."""
    total = np.cumsum(sizes)
    runs: list[slice] = []
    start = 0
    while start < sizes.size:
        done = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, done + budget, side="right")), start + 1)
        if most is not None:
            stop = min(stop, start + most)
        runs.append(slice(start, stop))
        start = stop
    return runs


def degree_box(lat0: float, radius_km: float) -> tuple[float, float]:
    """Half-widths (dlon, dlat) of a degree box around a point that holds its radius_km disc.

    A geodesic of length d changes latitude by at most d / (shortest km per degree of
    latitude); it stays within that latitude band, where a degree of longitude is at least
    a cos(band's highest |lat|), which bounds its change of longitude.

    Examples
    --------
    >>> dlon, dlat = degree_box(0.0, 111.0)
    >>> round(dlon, 3), round(dlat, 3)
    (0.997, 1.004)
    """
    margin = 1.0 + 1e-9
    dlat = radius_km / _KM_PER_DEG_LAT_MIN * margin + 1e-12
    top = abs(lat0) + dlat
    if top >= 90.0:
        return 360.0, dlat
    dlon = radius_km / (_KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(top))) * margin + 1e-12
    return min(dlon, 360.0), dlat


def degree_boxes(lat0: ArrayLike, radius_km: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """:func:`degree_box` for many points at once: arrays of half-widths (dlon, dlat).

    Examples
    --------
    >>> dlon, dlat = degree_boxes([0.0, 89.5], [111.0, 111.0])
    >>> dlon.round(3).tolist(), dlat.round(3).tolist()
    ([0.997, 360.0], [1.004, 1.004])
    """
    lat_a, radius = np.broadcast_arrays(
        np.asarray(lat0, dtype=np.float64), np.asarray(radius_km, dtype=np.float64)
    )
    margin = 1.0 + 1e-9
    dlat = radius / _KM_PER_DEG_LAT_MIN * margin + 1e-12
    top = np.abs(lat_a) + dlat
    with np.errstate(divide="ignore", invalid="ignore"):
        dlon = radius / (_KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(np.minimum(top, 90.0))))
    dlon = np.where(top >= 90.0, 360.0, np.minimum(dlon * margin + 1e-12, 360.0))
    return dlon, dlat


def aeqd_xy(
    lon0: ArrayLike, lat0: ArrayLike, lon: FloatArray, lat: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Coordinates (km) of points in the AEQD centred on (lon0, lat0) (one centre, or one each).

    These are exact geodesic polar coordinates: distance from the centre and azimuth.
    """
    lon0_a = np.broadcast_to(np.asarray(lon0, dtype=np.float64), lon.shape)
    lat0_a = np.broadcast_to(np.asarray(lat0, dtype=np.float64), lon.shape)
    azimuth, _, metres = GEOD.inv(lon0_a, lat0_a, lon, lat)
    theta = np.radians(np.asarray(azimuth))
    km = np.asarray(metres) / 1000.0
    return km * np.sin(theta), km * np.cos(theta)


def flat_xy(
    lon0: ArrayLike,
    lat0: ArrayLike,
    lon: FloatArray,
    lat: FloatArray,
    owner: NDArray[np.intp] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Cheap local coordinates (km) of points around centres (lon0, lat0).

    Longitude and latitude differences scaled by WGS84's radii of curvature, to first order
    in the latitude difference (the parallel's radius at the pair's mean latitude, the
    meridional radius likewise). Distances from the centre come within
    :func:`flat_error_km` of the geodesic ones (at 48 degrees of latitude, relative error
    under 0.005 % to 100 km, 0.1 % to 500 km); used only to screen segments before exact
    measurement.

    Parameters
    ----------
    lon0, lat0 : array_like
        Centres, degrees: one per point, or one per centre with ``owner`` giving each point's.
    lon, lat : numpy.ndarray
        The points, degrees.
    owner : numpy.ndarray of int, optional
        Index of each point's centre.
    """
    phi0 = np.radians(np.atleast_1d(np.asarray(lat0, dtype=np.float64)))
    lon0_a = np.atleast_1d(np.asarray(lon0, dtype=np.float64))
    sin0, cos0 = np.sin(phi0), np.cos(phi0)
    w2 = 1.0 - GEOD.es * sin0**2
    normal = GEOD.a / 1000.0 / np.sqrt(w2)
    meridional = normal * (1.0 - GEOD.es) / w2
    # d(ln M)/d(phi) = 3 e^2 sin cos / w^2: the meridional radius grows towards the pole
    growth = 1.5 * GEOD.es * sin0 * cos0 / w2
    lon0_a = np.broadcast_to(lon0_a, phi0.shape)
    table = np.stack(
        (lon0_a, phi0, normal * cos0, normal * sin0 / 2.0, meridional, meridional * growth)
    )
    if owner is not None:
        # one gather for all six per-centre factors (np.take: twice as fast as indexing)
        table = np.take(table, owner, axis=1)
    lon0_a, phi0, kx, kxs, ky, kyd = table
    dlon = lon - lon0_a
    if dlon.size and np.abs(dlon).max() > 180.0:
        dlon = wrap_deg(dlon)
    dphi = np.radians(lat) - phi0
    return np.radians(dlon) * (kx - kxs * dphi), dphi * (ky + kyd * dphi)


def flat_error_km(
    distance_km: ArrayLike, lat_deg: ArrayLike, step_km: float = MAX_SEGMENT_KM
) -> FloatArray:
    """A safe bound of the error of :func:`flat_xy` distances, km.

    Parameters
    ----------
    distance_km : array_like
        Distance from the centre, km.
    lat_deg : array_like
        The centre's latitude, degrees.
    step_km : float, default :data:`MAX_SEGMENT_KM`
        Longest segment measured as a flat chord: its geodesic sags off the chord.

    Returns
    -------
    numpy.ndarray
        The bound, km; ``inf`` beyond 3,000 km, or where the latitude within the distance
        passes 85 degrees.
    """
    d = np.asarray(distance_km, dtype=np.float64)
    top = np.minimum(np.abs(np.asarray(lat_deg, dtype=np.float64)) + d / _KM_PER_DEG_LAT_MIN, 90.0)
    tan = np.tan(np.radians(np.minimum(top, _FLAT_TOP_DEG)))
    relative = (_FLAT_A + _FLAT_B * tan**2) * (d / _KM_PER_RAD) ** 2
    # a geodesic bends off its flat chord by its curvature there (at most tan(lat) / R) x L^2 / 8
    sag = 3.0 * step_km**2 * (1.0 + tan) / (8.0 * _KM_PER_RAD)
    bound = relative * d + _FLAT_ABSOLUTE_KM + sag
    return np.where((d <= _FLAT_RANGE_KM) & (top <= _FLAT_TOP_DEG), bound, np.inf)


def segment_distance(
    ax: FloatArray, ay: FloatArray, dx: FloatArray, dy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance from the origin to planar segments A + t (B - A) (not of zero length), nearest t."""
    t = np.clip(-(ax * dx + ay * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(ax + t * dx, ay + t * dy), t


def _step_bound_km(lon: FloatArray, lat: FloatArray) -> FloatArray:
    """Upper bounds of the geodesic length of each segment of a chain, km, without Geod.

    The path along the parallel of the end nearer the equator, then along the meridian, joins
    the two ends, and no geodesic is longer than it.
    """
    coslat = np.cos(np.radians(lat))
    dlon = np.abs(np.diff(lon))
    if dlon.size and dlon.max() > 180.0:
        dlon = np.abs(wrap_deg(np.diff(lon)))
    along = np.maximum(coslat[:-1], coslat[1:]) * dlon + np.abs(np.diff(lat))
    return along * (_KM_PER_DEG_MAX * (1.0 + 1e-9))


def densify_chain(
    lon: FloatArray, lat: FloatArray, max_segment_km: float
) -> tuple[FloatArray, FloatArray]:
    """Cut each segment of a chain into the fewest equal geodesic pieces of ``max_segment_km``.

    On a long chain only the segments that may be longer (by :func:`_step_bound_km`) go
    through ``Geod.inv``; the new vertices come from ``Geod.fwd``; the original vertices are
    kept bit for bit.

    Returns
    -------
    lon, lat : numpy.ndarray
        The densified chain (new arrays).
    """
    if lon.size <= _FEW_VERTICES:  # the bound would cost more than it spares
        long = np.arange(lon.size - 1)
    else:
        long = np.flatnonzero(_step_bound_km(lon, lat) > max_segment_km)
    if long.size == 0:
        return lon.copy(), lat.copy()
    azimuth, _, metres = GEOD.inv(lon[long], lat[long], lon[long + 1], lat[long + 1])
    pieces = np.ones(lon.size - 1, dtype=np.intp)
    pieces[long] = np.maximum(np.ceil(np.asarray(metres) / (max_segment_km * 1000.0)), 1)
    seg = np.repeat(np.arange(lon.size - 1), pieces)  # the segment each vertex starts
    k = np.arange(seg.size) - (np.cumsum(pieces) - pieces)[seg]
    out_lon, out_lat = np.append(lon[seg], lon[-1]), np.append(lat[seg], lat[-1])
    new = np.flatnonzero(k)
    of = np.searchsorted(long, seg[new])
    out_lon[new], out_lat[new], _ = GEOD.fwd(
        out_lon[new],
        out_lat[new],
        np.asarray(azimuth)[of],
        np.asarray(metres)[of] * k[new] / pieces[seg[new]],
    )
    return out_lon, out_lat


@dataclass(frozen=True, eq=False)
class Chain:
    """One part of a prepared line: densified vertices, km along it, direction at each vertex.

    Attributes
    ----------
    part : int
        The part's number (0 = main).
    lon, lat : numpy.ndarray
        Vertices in degrees, no segment longer than the preparation's ``max_segment_km``, no
        vertex repeated.
    """

    part: int
    lon: FloatArray
    lat: FloatArray

    @classmethod
    def from_vertices(
        cls,
        lon: ArrayLike,
        lat: ArrayLike,
        *,
        part: int = 0,
        max_segment_km: float = MAX_SEGMENT_KM,
    ) -> Chain | None:
        """Densify a vertex chain (finite lon/lat, degrees); None if it has zero length.

        Repeated vertices are dropped first (they have no direction; dropping moves nothing).
        ``max_segment_km`` may be ``inf``: the chain is then kept as it is.
        """
        lon_a = np.array(lon, dtype=np.float64)  # a copy: the chain owns its vertices
        lat_a = np.array(lat, dtype=np.float64)
        level = np.flatnonzero(np.diff(lat_a) == 0.0)
        if lon_a.size < 2 or level.size:
            lon_step = wrap_deg(lon_a[level + 1] - lon_a[level])
            same = level[(lon_step == 0.0) | (np.abs(lat_a[level]) == 90.0)]
            if same.size >= lon_a.size - 1:
                return None
            keep = np.ones(lon_a.size, dtype=bool)
            keep[same + 1] = False
            lon_a, lat_a = lon_a[keep], lat_a[keep]
        if max_segment_km < math.inf:
            lon_a, lat_a = densify_chain(lon_a, lat_a, max_segment_km)
        return cls(part, lon_a, lat_a)

    @cached_property
    def max_step_km(self) -> float:
        """An upper bound of the longest segment, km."""
        return float(_step_bound_km(self.lon, self.lat).max())

    @cached_property
    def _geodesics(self) -> tuple[FloatArray, FloatArray]:
        azimuth, back, metres = GEOD.inv(self.lon[:-1], self.lat[:-1], self.lon[1:], self.lat[1:])
        km = np.concatenate(([0.0], np.cumsum(np.asarray(metres) / 1000.0)))
        end = np.mod(np.asarray(back)[-1] + 180.0, 360.0)
        return km, np.append(np.mod(np.asarray(azimuth), 360.0), end)

    @property
    def km(self) -> FloatArray:
        """Geodesic km along the part at each vertex (first 0, last the part's length)."""
        return self._geodesics[0]

    @property
    def azimuth(self) -> FloatArray:
        """Forward azimuth leaving each vertex (at the last vertex: arriving), degrees."""
        return self._geodesics[1]

    @property
    def length_km(self) -> float:
        """Geodesic length of the part, km."""
        return float(self.km[-1])

    def interpolate(self, km: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Points at ``km`` along the part (clipped to it) and the line's azimuth there."""
        along, azimuth = self._geodesics
        km_a = np.clip(np.atleast_1d(np.asarray(km, dtype=np.float64)), 0.0, along[-1])
        seg = np.clip(np.searchsorted(along, km_a, side="right") - 1, 0, along.size - 2)
        lon, lat, back = GEOD.fwd(
            self.lon[seg], self.lat[seg], azimuth[seg], (km_a - along[seg]) * 1000.0
        )
        return np.asarray(lon), np.asarray(lat), np.mod(np.asarray(back) + 180.0, 360.0)


@dataclass(frozen=True, eq=False)
class PreparedLine:
    """A line ready for distances, placement and coverage: its parts as :class:`Chain`.

    Besides the chains, every vertex of every part sits in one set of concatenated arrays
    (``lon``, ``lat``, ``chain`` index; ``km`` along its own part on first use), sorted by
    latitude through ``lat_order`` so that the vertices near a point are found by bisection,
    not by a full scan.

    Attributes
    ----------
    chains : tuple of Chain
        Every part of the line, sorted by part number.
    main_part : int
        The number of the main part.

    Examples
    --------
    >>> chain = Chain.from_vertices([30.0, 30.0], [-1.0, 1.0])
    >>> line = PreparedLine.from_chains([chain], chain.part)
    >>> line.distance_km([30.5], [0.0]).round(3).tolist()
    [55.66]
    """

    chains: tuple[Chain, ...]
    main_part: int
    lon: FloatArray
    lat: FloatArray
    chain: NDArray[np.intp]
    max_step_km: float
    lat_order: NDArray[np.intp]
    lat_sorted: FloatArray
    west: float
    east: float
    #: Results derived from the line alone (positions at a distance from it, ...), kept by
    #: their users under their own keys so that repeated placements on one line (a sweep)
    #: compute them once.
    memo: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_chains(cls, chains: list[Chain], main_part: int) -> PreparedLine:
        """Concatenate the chains and index their vertices by latitude."""
        lon = np.concatenate([c.lon for c in chains])
        lat = np.concatenate([c.lat for c in chains])
        order = np.argsort(lat, kind="stable")
        return cls(
            chains=tuple(chains),
            main_part=main_part,
            lon=lon,
            lat=lat,
            chain=np.repeat(np.arange(len(chains)), [c.lon.size for c in chains]),
            max_step_km=max(c.max_step_km for c in chains),
            lat_order=order,
            lat_sorted=lat[order],
            west=float(lon.min()),
            east=float(lon.max()),
        )

    @cached_property
    def km(self) -> FloatArray:
        """Km along its own part at every vertex."""
        return np.concatenate([c.km for c in self.chains])

    @property
    def length_km(self) -> float:
        """Geodesic length of all parts, km."""
        return float(sum(c.length_km for c in self.chains))

    @property
    def main(self) -> Chain:
        """The main part."""
        return next(c for c in self.chains if c.part == self.main_part)

    def select(self, all_parts: bool) -> tuple[Chain, ...]:
        """Every part if ``all_parts``, else the main part alone."""
        return self.chains if all_parts else (self.main,)

    def _dlon(self, lon0: float, lon: FloatArray) -> FloatArray:
        """Longitude differences of vertices from lon0, wrapped where the line needs it."""
        if self.east - lon0 > 180.0 or lon0 - self.west > 180.0:
            return wrap_deg(lon - lon0)
        return lon - lon0

    def vertices_near(self, lon0: float, lat0: float, radius_km: float) -> NDArray[np.intp]:
        """Sorted indices of the vertices in a degree box that holds the radius_km disc."""
        dlon, dlat = degree_box(lat0, radius_km)
        lo, hi = np.searchsorted(self.lat_sorted, [lat0 - dlat, lat0 + dlat])
        band = self.lat_order[lo:hi]
        return np.sort(band[np.abs(self._dlon(lon0, self.lon[band])) <= dlon])

    def segments_near(
        self, lon: ArrayLike, lat: ArrayLike, radius_km: ArrayLike
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray, FloatArray, FloatArray]:
        """Segments near each of many points, in flat local coordinates around that point.

        Every segment that comes within ``radius_km`` of a point is among its segments: both
        ends lie in the degree box that holds the disc of ``radius_km + max_step_km``. The
        coordinates are :func:`flat_xy` (cheap, within :func:`flat_error_km` of the geodesic
        distance): a screen before :meth:`segments_exact` measures the few that matter.

        Returns
        -------
        owner, seg : numpy.ndarray of int
            For each (point, segment) pair: the point's index and the segment's start vertex
            (in the concatenated arrays).
        ax, ay, dx, dy : numpy.ndarray
            The segment's start A and its vector B - A around its point, km.
        """
        lon_a, lat_a, radius = np.broadcast_arrays(
            np.atleast_1d(np.asarray(lon, dtype=np.float64)),
            np.atleast_1d(np.asarray(lat, dtype=np.float64)),
            np.atleast_1d(np.asarray(radius_km, dtype=np.float64)),
        )
        owner, vert, pair = self._pairs_near(lon_a, lat_a, radius)
        x, y = flat_xy(lon_a, lat_a, self.lon[vert], self.lat[vert], owner)
        ax, ay = x[pair], y[pair]
        return owner[pair], vert[pair], ax, ay, x[pair + 1] - ax, y[pair + 1] - ay

    @cached_property
    def _grid(self) -> tuple[float, float, float, int, int, NDArray[np.intp], NDArray[np.int64]]:
        """The vertices bucketed in cells of :data:`_CELL_DEG` degrees, row by row.

        Returns the grid's west edge, south edge, cell size, rows, columns, the vertex
        indices sorted by cell (row-major) and their cell keys (``row * columns + column``),
        so that the vertices of a run of cells in one row are one range of the sorted
        vertices. A line across the antimeridian (longitudes spanning more than 180 degrees)
        gets one column: its vertices are then sorted by latitude row alone.
        """
        cell = _CELL_DEG
        south = float(self.lat.min())
        rows = int((float(self.lat.max()) - south) // cell) + 1
        if self.east - self.west > 180.0:
            west, cols = -180.0, 1
            col = np.zeros(self.lon.size, dtype=np.int64)
        else:
            west = self.west
            cols = int((self.east - west) // cell) + 1
            col = np.minimum(((self.lon - west) // cell).astype(np.int64), cols - 1)
        row = np.minimum(((self.lat - south) // cell).astype(np.int64), rows - 1)
        key = row * cols + col
        order = np.argsort(key, kind="stable").astype(np.intp)
        return west, south, cell, rows, cols, order, key[order]

    def _row_ranges(
        self, lon: FloatArray, lat: FloatArray, radius_km: FloatArray
    ) -> tuple[FloatArray, FloatArray, NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """Each point's box (``dlon``, ``dlat``) and its (point, grid row) ranges ``lo:hi``.

        ``lo:hi`` index the vertices sorted by cell (:attr:`_grid`); ``point`` says whose box
        each range is part of.
        """
        dlon, dlat = degree_boxes(lat, radius_km + self.max_step_km)
        dlat = np.minimum(dlat, 180.0)  # an unbounded search: every row
        west, south, cell, rows, cols, order, keys = self._grid
        # cells as floats clipped to the grid before the cast (a box may be infinite)
        r0 = np.clip((lat - dlat - south) // cell, 0, rows - 1).astype(np.int64)
        r1 = np.clip((lat + dlat - south) // cell, 0, rows - 1).astype(np.int64)
        if cols == 1:
            c0 = c1 = np.zeros(lon.size, dtype=np.int64)
        else:
            east_of = wrap_deg(lon - west)  # the point's longitude east of the grid's west edge
            c0 = np.clip((east_of - dlon) // cell, 0, cols - 1).astype(np.int64)
            c1 = np.clip((east_of + dlon) // cell, 0, cols - 1).astype(np.int64)
            # a box beyond the grid's longitudes, or one that wraps around, takes whole rows
            whole = (dlon >= 180.0) | (east_of - dlon <= -360.0 + (self.east - west))
            c0, c1 = np.where(whole, 0, c0), np.where(whole, cols - 1, c1)
        n_rows = np.where((lat + dlat < south) | (lat - dlat > south + rows * cell), 0, r1 - r0 + 1)
        point = np.repeat(np.arange(lon.size), n_rows)
        row = r0[point] + (np.arange(point.size) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows))
        lo = np.searchsorted(keys, row * cols + c0[point], side="left")
        hi = np.searchsorted(keys, row * cols + c1[point], side="right")
        return dlon, dlat, point, lo.astype(np.intp), hi.astype(np.intp)

    def _pairs_near(
        self,
        lon: FloatArray,
        lat: FloatArray,
        radius_km: FloatArray,
        ranges: tuple[FloatArray, FloatArray, NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]
        | None = None,
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """The vertices near each point (``owner``, ``vert``) and where their segments start.

        The vertices of each point are those in its :func:`degree_boxes` box widened by the
        longest segment, sorted; ``vert[pair]`` and ``vert[pair + 1]`` are the ends of a
        segment near ``owner[pair]``. Vectorised over the points: the box covers a few rows
        of the line's grid (:attr:`_grid`), each row's cells are one range of the vertices
        sorted by cell (two bisections for all points and rows at once); the ranges are
        gathered in groups of at most :data:`_BAND_ENTRIES` entries, then cut to the box.
        ``ranges``, if given, is :meth:`_row_ranges` of these points, already computed.
        """
        dlon, dlat, point, lo, hi = ranges or self._row_ranges(lon, lat, radius_km)
        order = self._grid[5]
        sizes = (hi - lo).astype(np.intp)
        ends = np.cumsum(sizes)
        owners: list[NDArray[np.intp]] = []
        verts: list[NDArray[np.intp]] = []
        for run in _runs(sizes, _BAND_ENTRIES):
            n = sizes[run]
            done = ends[run.start - 1] if run.start else 0
            owner = np.repeat(point[run], n)
            starts = np.repeat(lo[run] - (ends[run] - n - done), n)
            band = np.take(order, np.arange(owner.size) + starts)
            keep = (
                np.abs(wrap_deg(np.take(self.lon, band) - np.take(lon, owner)))
                <= np.take(dlon, owner)
            ) & (np.abs(np.take(self.lat, band) - np.take(lat, owner)) <= np.take(dlat, owner))
            owners.append(owner[keep])
            verts.append(band[keep])
        owner = np.concatenate(owners) if owners else np.empty(0, dtype=np.intp)
        vert = np.concatenate(verts) if verts else np.empty(0, dtype=np.intp)
        # sorted by (owner, vertex): the pairs are unique, so one sort of a combined key
        key = owner.astype(np.int64) * self.lon.size + vert
        key.sort()
        owner, vert = np.divmod(key, self.lon.size)
        owner, vert = owner.astype(np.intp), vert.astype(np.intp)
        # consecutive entries of one point that are consecutive vertices of one chain
        pair = np.flatnonzero(
            (owner[1:] == owner[:-1])
            & (vert[1:] == vert[:-1] + 1)
            & (self.chain[vert[1:]] == self.chain[vert[:-1]])
        )
        return owner, vert, pair

    def segments_exact(
        self, lon: FloatArray, lat: FloatArray, seg: NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Segments ``seg`` in the AEQD centred on the matching points (exact distances), km.

        Returns ax, ay (the start A) and dx, dy (B - A) for each (point, segment) pair.
        """
        ends = np.concatenate((seg, seg + 1))
        x, y = aeqd_xy(np.tile(lon, 2), np.tile(lat, 2), self.lon[ends], self.lat[ends])
        ax, ay = x[: seg.size], y[: seg.size]
        return ax, ay, x[seg.size :] - ax, y[seg.size :] - ay

    def _upper_bounds(
        self, lon: FloatArray, lat: FloatArray, pick: NDArray[np.bool_] | None
    ) -> FloatArray:
        """Distance from each point to some vertex near it (an upper bound of its distance).

        Boxes grow fourfold until one holds a vertex; the vertex nearest in a flat metric is
        measured geodesically.
        """
        nearest = np.empty(lon.size, dtype=np.intp)
        for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True)):
            radius = 4.0 * self.max_step_km
            while True:
                verts = self.vertices_near(x, y, radius)
                if pick is not None:
                    verts = verts[pick[verts]]
                if verts.size or radius > 40_000.0:
                    break
                radius *= 4.0
            if verts.size == 0:
                verts = np.flatnonzero(pick) if pick is not None else np.arange(self.lon.size)
            east = self._dlon(x, self.lon[verts]) * math.cos(math.radians(y))
            nearest[i] = verts[np.argmin(east**2 + (self.lat[verts] - y) ** 2)]
        _, _, metres = GEOD.inv(lon, lat, self.lon[nearest], self.lat[nearest])
        return np.asarray(metres) / 1000.0

    def _nearest_segments(
        self,
        lon: FloatArray,
        lat: FloatArray,
        upper_km: ArrayLike | None,
        chains: ArrayLike | None,
    ) -> tuple[FloatArray, NDArray[np.intp], FloatArray]:
        """Distance from each point to the line, the nearest segment's start and t along it."""
        pick = None if chains is None else np.isin(self.chain, np.asarray(chains))
        if upper_km is None and self.lon.size <= _SCAN_VERTICES:
            bound = np.full(lon.shape, np.inf)
        elif upper_km is None:
            bound = self._upper_bounds(lon, lat, pick)
        else:
            bound = np.broadcast_to(np.asarray(upper_km, dtype=np.float64), lon.shape)
        distance = np.full(lon.size, np.inf)
        nearest = np.full(lon.size, -1, dtype=np.intp)
        along = np.full(lon.size, np.nan)
        radius = bound * 1.001 + 1e-6
        # points in chunks of at most _CHUNK_POINTS points and _BAND_ENTRIES grid entries (one
        # point at least), so that the (point, vertex) pairs held at once stay bounded however
        # dense the line: memory grows with the points, not with points x vertices
        dlon, dlat, point, lo, hi = self._row_ranges(lon, lat, radius)
        entries = np.bincount(point, weights=hi - lo, minlength=lon.size).astype(np.intp)
        for chunk in _runs(entries, _BAND_ENTRIES, most=_CHUNK_POINTS):
            start = chunk.start
            x, y = lon[chunk], lat[chunk]
            # the chunk's (point, row) ranges: one run, the points being in order
            a, b = np.searchsorted(point, [chunk.start, chunk.stop])
            ranges = (dlon[chunk], dlat[chunk], point[a:b] - start, lo[a:b], hi[a:b])
            owner, vert, pair = self._pairs_near(x, y, radius[chunk], ranges)
            if pick is not None:
                pair = pair[pick[vert[pair]]]
            if pair.size > _EXACT_PAIRS:
                # screen with flat distances; measure exactly the segments that may be nearest
                fx, fy = flat_xy(x, y, self.lon[vert], self.lat[vert], owner)
                ax, ay = fx[pair], fy[pair]
                flat = segment_distance(ax, ay, fx[pair + 1] - ax, fy[pair + 1] - ay)[0]
                least = np.full(x.size, np.inf)
                np.minimum.at(least, owner[pair], flat)
                slack = least + 2.0 * flat_error_km(least, y, self.max_step_km)
                pair = pair[flat <= slack[owner[pair]]]
            if pair.size == 0:
                continue
            # each vertex once in the AEQD of its point: neighbouring segments share an end
            ends = np.union1d(pair, pair + 1)
            ex, ey = aeqd_xy(
                x[owner[ends]], y[owner[ends]], self.lon[vert[ends]], self.lat[vert[ends]]
            )
            a, b = np.searchsorted(ends, pair), np.searchsorted(ends, pair + 1)
            d, t = segment_distance(ex[a], ey[a], ex[b] - ex[a], ey[b] - ey[a])
            owner, seg = owner[pair], vert[pair]
            order = np.lexsort((d, owner))
            first = order[np.append(True, owner[order][1:] != owner[order][:-1])]
            where = start + owner[first]
            distance[where], nearest[where], along[where] = d[first], seg[first], t[first]
        return distance, nearest, along

    def nearest(
        self,
        lon: ArrayLike,
        lat: ArrayLike,
        *,
        upper_km: ArrayLike | None = None,
        chains: ArrayLike | None = None,
    ) -> tuple[FloatArray, NDArray[np.intp], FloatArray]:
        """Geodesic distance (km) from each point to the line, its nearest chain, km along it.

        Parameters
        ----------
        lon, lat : array_like
            The points, degrees.
        upper_km : array_like, optional
            Known upper bounds of the distances (one per point, or one for all): they save
            the search for one.
        chains : array_like of int, optional
            Search only these chains (indices into :attr:`chains`).

        Returns
        -------
        distance_km, chain, km : numpy.ndarray
            Per point: the distance, the index of the nearest chain and the km along it of the
            nearest point of the line.
        """
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        distance, seg, t = self._nearest_segments(lon_a, lat_a, upper_km, chains)
        chain = np.full(lon_a.size, -1, dtype=np.intp)
        km = np.full(lon_a.size, np.nan)
        found = seg >= 0
        s = seg[found]
        chain[found] = self.chain[s]
        km[found] = self.km[s] + t[found] * (self.km[s + 1] - self.km[s])
        return distance, chain, km

    def distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, upper_km: ArrayLike | None = None
    ) -> FloatArray:
        """Geodesic distance (km) from each point to the nearest point of any part.

        ``upper_km`` (one per point or one for all), known upper bounds of the distances,
        make the search cheaper.
        """
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        return self._nearest_segments(lon_a, lat_a, upper_km, None)[0]
