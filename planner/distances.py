"""Prepared lines and the distances the planner measures: unit to line, unit to unit, to points.

The numeric core of placement and coverage. A line is *prepared* once
(:func:`prepare_line`): each part is densified on its geodesics to segments of at most
``max_segment_km`` (1 km), with the km along the part and the line's direction at every vertex,
so that later steps never recompute them. Placement, coverage and the 1-D cover all work on a
:class:`PreparedLine`; pass one instead of a GeoDataFrame to skip the preparation when calling
several of them on the same line.

Distances are geodesics on WGS84 (:data:`geo.geodesy.GEOD`). A point's distance to a line is
measured in the azimuthal equidistant projection centred on the point (AEQD: distances from
the centre are exact; a 1 km geodesic segment is a straight chord there to well under a
metre). To keep this cheap on long, dense lines (200,000 vertices), three screens come first:
the vertices sorted by latitude give, by bisection, those in a degree box that surely holds the
search radius; cheap flat coordinates (:func:`flat_xy`, error bounded by
:func:`flat_error_km`) rule out the segments that cannot be nearest (or, for coverage, that
are surely inside or outside a disc); only the rest go through ``Geod.inv``. All of it is
vectorised over the points, so the cost grows with the number of vertices near them, i.e.
linearly with the line's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import CRSError, GeometryError, InputError
from geo.geodesy import GEOD

__all__ = [
    "ABSURD_KM",
    "MAX_SEGMENT_KM",
    "Chain",
    "PreparedLine",
    "aeqd_xy",
    "as_lonlat",
    "check_km",
    "degree_box",
    "distance_matrix_km",
    "flat_error_km",
    "flat_xy",
    "nearest_neighbour_km",
    "prepare_line",
]

FloatArray = NDArray[np.float64]

#: Longest segment of a prepared line, km: fine enough that a chord and its geodesic differ by
#: millimetres, and that a unit's coverage disc cannot slip between two vertices unseen.
MAX_SEGMENT_KM = 1.0

# flat_xy error bound: 3x the largest relative error measured to 500 km, plus 1 m (which also
# covers the chord of a 1 km segment); beyond 500 km every segment is measured exactly.
_FLAT_RELATIVE = 3e-3
_FLAT_ABSOLUTE_KM = 1e-3
_FLAT_RANGE_KM = 500.0
# Points per batch of a vectorised search: bounds the (point, vertex) pairs held at once.
_CHUNK_POINTS = 256

# Shortest km per degree of latitude on WGS84 (meridional radius at the equator, a(1 - e^2))
# and km per degree of longitude on the equator: they make a degree box that surely holds
# every point within a distance.
_KM_PER_DEG_LAT_MIN = float(np.radians(GEOD.a * (1.0 - GEOD.es)) / 1000.0)
_KM_PER_DEG_LON_EQUATOR = float(np.radians(GEOD.a) / 1000.0)


#: Longer than this, a distance in km is absurd for a spacing, standoff or radius here.
ABSURD_KM = 2000.0


def check_km(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float of km, or raise InputError naming it and the fix.

    Accepts a positive finite number (or zero with ``allow_zero``) up to :data:`ABSURD_KM`.
    """
    try:
        km = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(
            f"{name} is {value!r}; expected a number of km; pass e.g. {name}=50"
        ) from None
    if isinstance(value, bool) or not np.isfinite(km) or km < 0 or (km == 0 and not allow_zero):
        expected = "a number of km >= 0" if allow_zero else "a positive number of km"
        raise InputError(f"{name} is {value!r}; expected {expected}; pass e.g. {name}=50")
    if km > ABSURD_KM:
        raise InputError(
            f"{name} is {km:g} km; expected at most {ABSURD_KM:g} km (Ukraine is about 1,300 km "
            "wide); pass a distance in km, not metres"
        )
    return km


def degree_box(lat0: float, radius_km: float) -> tuple[float, float]:
    """Half-widths (dlon, dlat) in degrees of a box around a point holding its radius_km disc."""
    dlat = radius_km / _KM_PER_DEG_LAT_MIN * 1.001 + 1e-9
    top = min(abs(lat0) + dlat, 89.999)
    dlon = radius_km / (_KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(top))) * 1.001 + 1e-9
    return min(float(dlon), 360.0), float(dlat)


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
    :func:`flat_error_km` of the geodesic ones (measured against pyproj.Geod: relative error
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
    table = np.column_stack(
        (
            np.radians(lon0_a),
            phi0,
            normal * cos0,
            normal * sin0 / 2.0,
            meridional,
            meridional * growth,
        )
    )
    if owner is not None:
        table = table[owner]  # one gather for all six per-centre factors
    lam0, phi0, kx, kxs, ky, kyd = table.T
    dphi = np.radians(lat) - phi0
    return (np.radians(lon) - lam0) * (kx - kxs * dphi), dphi * (ky + kyd * dphi)


def flat_error_km(distance_km: ArrayLike) -> FloatArray:
    """A safe bound of the error of :func:`flat_xy` distances, km (``inf`` beyond 500 km)."""
    d = np.asarray(distance_km, dtype=np.float64)
    return np.where(d <= _FLAT_RANGE_KM, _FLAT_RELATIVE * d + _FLAT_ABSOLUTE_KM, np.inf)


@dataclass(frozen=True, eq=False)
class Chain:
    """One part of a prepared line: densified vertices, km along it, direction at each vertex.

    Attributes
    ----------
    part : int
        The part's number (0 = main).
    lon, lat : numpy.ndarray
        Vertices in degrees, no segment longer than the preparation's ``max_segment_km``.
    km : numpy.ndarray
        Geodesic km along the part at each vertex (first 0, last the part's length).
    azimuth : numpy.ndarray
        Forward azimuth of the line leaving each vertex (at the last vertex: arriving), degrees.
    max_step_km : float
        The longest segment, km.
    """

    part: int
    lon: FloatArray
    lat: FloatArray
    km: FloatArray
    azimuth: FloatArray
    max_step_km: float

    @property
    def length_km(self) -> float:
        """Geodesic length of the part, km."""
        return float(self.km[-1])

    def interpolate(self, km: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Points at ``km`` along the part (clipped to it) and the line's azimuth there."""
        km_a = np.clip(np.atleast_1d(np.asarray(km, dtype=np.float64)), 0.0, self.length_km)
        seg = np.clip(np.searchsorted(self.km, km_a, side="right") - 1, 0, self.km.size - 2)
        lon, lat, back = GEOD.fwd(
            self.lon[seg], self.lat[seg], self.azimuth[seg], (km_a - self.km[seg]) * 1000.0
        )
        return np.asarray(lon), np.asarray(lat), np.mod(np.asarray(back) + 180.0, 360.0)


@dataclass(frozen=True, eq=False)
class PreparedLine:
    """A line ready for placement and coverage: its parts as :class:`Chain`, sorted by part.

    Besides the chains, every vertex of every part sits in one set of concatenated arrays
    (``lon``, ``lat``, ``km`` along its own part, ``chain`` index), sorted by latitude through
    ``lat_order`` so that the vertices near a point are found by bisection, not by a full scan.

    Attributes
    ----------
    chains : tuple of Chain
        Every part of the line, sorted by part number.
    main_part : int
        The number of the main part.
    """

    chains: tuple[Chain, ...]
    main_part: int
    lon: FloatArray
    lat: FloatArray
    km: FloatArray
    chain: NDArray[np.intp]
    max_step_km: float
    lat_order: NDArray[np.intp]
    lat_sorted: FloatArray

    @classmethod
    def from_chains(cls, chains: list[Chain], main_part: int) -> PreparedLine:
        """Concatenate the chains and index their vertices by latitude."""
        lat = np.concatenate([c.lat for c in chains])
        order = np.argsort(lat, kind="stable")
        return cls(
            chains=tuple(chains),
            main_part=main_part,
            lon=np.concatenate([c.lon for c in chains]),
            lat=lat,
            km=np.concatenate([c.km for c in chains]),
            chain=np.repeat(np.arange(len(chains)), [c.lon.size for c in chains]),
            max_step_km=max(c.max_step_km for c in chains),
            lat_order=order,
            lat_sorted=lat[order],
        )

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

    def vertices_near(self, lon0: float, lat0: float, radius_km: float) -> NDArray[np.intp]:
        """Sorted indices of the vertices in a degree box that holds the radius_km disc."""
        dlon, dlat = degree_box(lat0, radius_km)
        lo, hi = np.searchsorted(self.lat_sorted, [lat0 - dlat, lat0 + dlat])
        band = self.lat_order[lo:hi]
        return np.sort(band[np.abs(self.lon[band] - lon0) <= dlon])

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
        verts = [
            self.vertices_near(x, y, r + self.max_step_km)
            for x, y, r in zip(lon_a.tolist(), lat_a.tolist(), radius.tolist(), strict=True)
        ]
        vert = np.concatenate(verts) if verts else np.empty(0, dtype=np.intp)
        owner = np.repeat(np.arange(lon_a.size), [v.size for v in verts])
        # consecutive entries of one point that are consecutive vertices of one chain
        pair = np.flatnonzero(
            (owner[1:] == owner[:-1])
            & (vert[1:] == vert[:-1] + 1)
            & (self.chain[vert[1:]] == self.chain[vert[:-1]])
        )
        x, y = flat_xy(lon_a, lat_a, self.lon[vert], self.lat[vert], owner)
        owner, seg = owner[pair], vert[pair]
        ax, ay, bx, by = x[pair], y[pair], x[pair + 1], y[pair + 1]
        return owner, seg, ax, ay, bx - ax, by - ay

    def segments_exact(
        self, lon: FloatArray, lat: FloatArray, seg: NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Segments ``seg`` in the AEQD centred on the matching points (exact distances), km.

        Returns ax, ay (the start A) and dx, dy (B - A) for each (point, segment) pair.
        """
        ax, ay = aeqd_xy(lon, lat, self.lon[seg], self.lat[seg])
        bx, by = aeqd_xy(lon, lat, self.lon[seg + 1], self.lat[seg + 1])
        return ax, ay, bx - ax, by - ay

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
            flat = ((self.lon[verts] - x) * np.cos(np.radians(y))) ** 2 + (self.lat[verts] - y) ** 2
            nearest[i] = verts[np.argmin(flat)]
        _, _, metres = GEOD.inv(lon, lat, self.lon[nearest], self.lat[nearest])
        return np.asarray(metres) / 1000.0

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
        pick = None if chains is None else np.isin(self.chain, np.asarray(chains))
        if upper_km is None:
            bound = self._upper_bounds(lon_a, lat_a, pick)
        else:
            bound = np.broadcast_to(np.asarray(upper_km, dtype=np.float64), lon_a.shape)
        distance = np.full(lon_a.size, np.inf)
        chain = np.full(lon_a.size, -1, dtype=np.intp)
        km = np.full(lon_a.size, np.nan)
        # points in chunks, so that the (point, vertex) pairs stay a few million at most
        for chunk in _chunks(lon_a.size, _CHUNK_POINTS):
            x, y = lon_a[chunk], lat_a[chunk]
            owner, seg, ax, ay, dx, dy = self.segments_near(x, y, bound[chunk] * 1.001 + 1e-6)
            if pick is not None:
                keep = pick[seg]
                owner, seg = owner[keep], seg[keep]
                ax, ay, dx, dy = ax[keep], ay[keep], dx[keep], dy[keep]
            if owner.size == 0:
                continue
            # screen with flat distances, then measure exactly the segments that may be nearest
            flat = _segment_distance(ax, ay, dx, dy)[0]
            least = np.full(x.size, np.inf)
            np.minimum.at(least, owner, flat)
            keep = flat <= least[owner] + 2.0 * flat_error_km(least[owner])
            owner, seg = owner[keep], seg[keep]
            d, t = _segment_distance(*self.segments_exact(x[owner], y[owner], seg))
            order = np.lexsort((d, owner))
            first = order[np.append(True, owner[order][1:] != owner[order][:-1])]
            where = chunk.start + owner[first]
            distance[where] = d[first]
            s = seg[first]
            chain[where] = self.chain[s]
            km[where] = self.km[s] + t[first] * (self.km[s + 1] - self.km[s])
        return distance, chain, km

    def distance_km(
        self, lon: ArrayLike, lat: ArrayLike, *, upper_km: ArrayLike | None = None
    ) -> FloatArray:
        """Geodesic distance (km) from each point to the nearest point of any part.

        ``upper_km`` (one per point or one for all), known upper bounds of the distances,
        make the search cheaper.
        """
        return self.nearest(lon, lat, upper_km=upper_km)[0]


def _segment_distance(
    ax: FloatArray, ay: FloatArray, dx: FloatArray, dy: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Distance from the origin to planar segments A + t (B - A), and the nearest t."""
    t = np.clip(-(ax * dx + ay * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return np.hypot(ax + t * dx, ay + t * dy), t


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _prepare_chain(
    part: int, lon: FloatArray, lat: FloatArray, max_segment_km: float
) -> Chain | None:
    """Densify one part and compute its km and azimuths in a single pass of geodesics."""
    azimuth, back, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    step = np.asarray(metres) / 1000.0
    if not (step > 0.0).any():
        return None
    if not (step > 0.0).all():  # repeated vertices have no direction; dropping moves nothing
        keep = np.append(True, step > 0.0)
        lon, lat = lon[keep], lat[keep]
        azimuth, back, metres = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        step = np.asarray(metres) / 1000.0
    azimuth, back = np.asarray(azimuth), np.asarray(back)
    cum = np.concatenate(([0.0], np.cumsum(step)))
    pieces = np.maximum(np.ceil(step / max_segment_km - 1e-9), 1).astype(np.intp)
    end_azimuth = np.mod(back[-1] + 180.0, 360.0)
    if (pieces == 1).all():
        azimuths = np.append(np.mod(azimuth, 360.0), end_azimuth)
        return Chain(part, lon, lat, cum, azimuths, float(step.max()))
    seg = np.repeat(np.arange(step.size), pieces)
    first = np.cumsum(pieces) - pieces
    k = np.arange(seg.size) - first[seg]
    along = step[seg] * k / pieces[seg]
    out_lon, out_lat = lon[seg].copy(), lat[seg].copy()
    out_az = np.mod(azimuth[seg], 360.0)
    new = k > 0
    new_lon, new_lat, new_back = GEOD.fwd(
        lon[seg[new]], lat[seg[new]], azimuth[seg[new]], along[new] * 1000.0
    )
    out_lon[new], out_lat[new] = new_lon, new_lat
    out_az[new] = np.mod(np.asarray(new_back) + 180.0, 360.0)
    return Chain(
        part,
        np.append(out_lon, lon[-1]),
        np.append(out_lat, lat[-1]),
        np.append(cum[seg] + along, cum[-1]),
        np.append(out_az, end_azimuth),
        float((step / pieces).max()),
    )


def _line_parts(line: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry) -> tuple[list, list, int]:
    """LineStrings of a line input, their part numbers and the main part's number."""
    if isinstance(line, gpd.GeoDataFrame | gpd.GeoSeries):
        if line.crs is not None and not line.crs.equals("EPSG:4326"):
            line = line.to_crs("EPSG:4326")
        frame = line if isinstance(line, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=line)
        geoms = list(frame.geometry)
        if "part" in frame.columns and all(isinstance(g, LineString) for g in geoms):
            parts = [int(p) for p in frame["part"]]
            if "is_main" in frame.columns and frame["is_main"].astype(bool).any():
                main = int(frame.loc[frame["is_main"].astype(bool), "part"].iloc[0])
            else:
                main = min(parts)
            if len(set(parts)) == len(parts):
                return geoms, parts, main
    elif isinstance(line, BaseGeometry):
        geoms = [line]
    else:
        raise InputError(
            f"line is a {type(line).__name__}; expected a GeoDataFrame of LineStrings or a "
            "shapely LineString/MultiLineString; load it with layers.load_layers"
        )
    pieces = [p for g in geoms if g is not None for p in shapely.get_parts(g) if not p.is_empty]
    if not pieces or not all(isinstance(g, LineString) for g in pieces):
        kinds = sorted({g.geom_type for g in pieces}) or ["nothing"]
        raise GeometryError(
            f"line holds {', '.join(kinds)}; expected LineStrings; pass the line of contact"
        )
    lengths = [GEOD.geometry_length(g) for g in pieces]
    order = np.argsort(lengths)[::-1]
    return [pieces[i] for i in order], list(range(len(pieces))), 0


def prepare_line(
    line: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry | PreparedLine,
    *,
    max_segment_km: float = MAX_SEGMENT_KM,
) -> PreparedLine:
    """Prepare a line for placement and coverage (densify, km along, directions).

    Parameters
    ----------
    line : GeoDataFrame, GeoSeries, LineString, MultiLineString or PreparedLine
        The line of contact in lon/lat. A frame with ``part`` (and ``is_main``) columns, as
        :mod:`layers.frontline` makes, keeps its numbering; otherwise parts are numbered by
        decreasing length (0 = main, the longest). Frames in another CRS are converted; a
        frame without CRS is taken as lon/lat. A PreparedLine is returned as it is.
    max_segment_km : float, default :data:`MAX_SEGMENT_KM`
        Longest segment after densification, km.

    Returns
    -------
    PreparedLine

    Raises
    ------
    InputError, GeometryError, CRSError
        If the line is empty, not made of lines, or its coordinates are not lon/lat.

    Examples
    --------
    >>> from shapely import LineString
    >>> prepared = prepare_line(LineString([(33.0, 47.0), (33.0, 48.0)]))
    >>> round(prepared.length_km, 3), prepared.main.lon.size
    (111.181, 113)
    """
    if isinstance(line, PreparedLine):
        return line
    max_segment_km = check_km("max_segment_km", max_segment_km)
    geoms, parts, main = _line_parts(line)
    chains = []
    for geom, part in zip(geoms, parts, strict=True):
        xy = np.asarray(geom.coords, dtype=np.float64)[:, :2]
        if not np.isfinite(xy).all():
            raise GeometryError(
                f"line part {part} has NaN or infinite coordinates; expected finite lon/lat"
            )
        if (np.abs(xy[:, 1]) > 90.0).any() or (np.abs(xy[:, 0]) > 180.0).any():
            raise CRSError(
                f"line part {part} has coordinates beyond lon/lat range (e.g. {xy[0].tolist()}); "
                "expected EPSG:4326 degrees; set the line's CRS or pass --crs"
            )
        chain = _prepare_chain(part, xy[:, 0].copy(), xy[:, 1].copy(), max_segment_km)
        if chain is not None:
            chains.append(chain)
    if not chains:
        raise GeometryError("line has zero length; expected a line of contact with length")
    chains.sort(key=lambda c: c.part)
    if main not in {c.part for c in chains}:
        main = max(chains, key=lambda c: c.length_km).part
    return PreparedLine.from_chains(chains, main)


def distance_matrix_km(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Geodesic distance and forward azimuth from each point of set 1 to each of set 2.

    Parameters
    ----------
    lon1, lat1 : array_like
        n points, degrees.
    lon2, lat2 : array_like
        m points, degrees.

    Returns
    -------
    distance_km, azimuth_deg : numpy.ndarray
        Arrays of shape (n, m): km, and the compass bearing at point 1 towards point 2.

    Examples
    --------
    >>> d, az = distance_matrix_km([30.0], [50.0], [30.0, 31.0], [51.0, 50.0])
    >>> d.round(1).tolist(), az.round().tolist()
    ([[111.2, 71.7]], [[0.0, 90.0]])
    """
    a = np.atleast_1d(np.asarray(lon1, dtype=np.float64))
    b = np.atleast_1d(np.asarray(lat1, dtype=np.float64))
    c = np.atleast_1d(np.asarray(lon2, dtype=np.float64))
    d = np.atleast_1d(np.asarray(lat2, dtype=np.float64))
    shape = (a.size, c.size)
    azimuth, _, metres = GEOD.inv(
        np.repeat(a, c.size), np.repeat(b, c.size), np.tile(c, a.size), np.tile(d, a.size)
    )
    return (
        (np.asarray(metres) / 1000.0).reshape(shape),
        np.mod(np.asarray(azimuth), 360.0).reshape(shape),
    )


def nearest_neighbour_km(lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Geodesic distance (km) from each point to the nearest other point; NaN if alone.

    Examples
    --------
    >>> nearest_neighbour_km([30.0, 30.0, 30.0], [50.0, 50.5, 52.0]).round(1).tolist()
    [55.6, 55.6, 166.9]
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    if lon_a.size < 2:
        return np.full(lon_a.size, np.nan)
    distance, _ = distance_matrix_km(lon_a, lat, lon_a, lat)
    np.fill_diagonal(distance, np.inf)
    return distance.min(axis=1)


def as_lonlat(
    points: gpd.GeoDataFrame | gpd.GeoSeries | Sequence[BaseGeometry],
) -> tuple[FloatArray, FloatArray]:
    """Longitudes and latitudes of point geometries (converted to EPSG:4326 if needed)."""
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        if points.crs is not None and not points.crs.equals("EPSG:4326"):
            points = points.to_crs("EPSG:4326")
        geoms = np.asarray(points.geometry if isinstance(points, gpd.GeoDataFrame) else points)
    else:
        geoms = np.asarray(list(points), dtype=object)
    if geoms.size and not (shapely.get_type_id(geoms) == 0).all():
        raise GeometryError("expected Point geometries; pass a layer of points")
    return shapely.get_x(geoms).astype(np.float64), shapely.get_y(geoms).astype(np.float64)
