"""Coverage of the line: how much of it lies within reach of some unit, and where the gaps are.

A unit covers the stretches of line within ``radius_km`` of it (a geodesic disc). The line is
prepared once (:func:`planner.distances.prepare_line`: geodesic densification to segments of
at most 1 km, km along each part). For each unit, a degree-box prefilter keeps the segments that
can meet its disc, and cheap flat coordinates with a bounded error sort them into surely
inside (covered whole), surely outside (dropped) and the few near the disc's edge. Those are
measured in the azimuthal equidistant projection centred on the unit (exact distances from
the centre), where each is a straight chord, and the km where it enters and leaves the disc
solve a quadratic. The union of the intervals along each part is a sweep over their sorted
ends: covered length, stretches covered by two or more units (overlap), and the gaps in
between. Cost: linear in the line's length (the vertices near each unit), vectorised over the
units; no Python loop runs over vertices.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geometry import geodesic_circles
from geo.prepared import Chain, PreparedLine, flat_error_km, segment_distance
from layers.oblasts import oblast_of
from planner.distances import as_lonlat, check_km, prepare_line

__all__ = [
    "GAP_COLUMNS",
    "Coverage",
    "coverage_polygons",
    "disc_intervals",
    "measure_coverage",
    "merge_intervals",
]

FloatArray = NDArray[np.float64]

#: Columns of :attr:`Coverage.gaps` (besides geometry), as in the plan's ``gaps`` layer.
GAP_COLUMNS = ["gap_id", "part", "start_km", "end_km", "length_km", "oblast"]
#: Coverage per oblast is counted on bins of the line this long (km): the oblast of a bin is
#: the one holding its midpoint, so an oblast border is placed to within half a bin.
OBLAST_BIN_KM = 1.0
# Gaps shorter than this (km, i.e. 1 mm) are rounding between intervals that touch.
_EPS_KM = 1e-6


@dataclass(frozen=True, eq=False)
class Coverage:
    """How much of a line lies within the radius of some unit.

    Attributes
    ----------
    line_km : float
        Geodesic length of the parts measured, km.
    covered_km, covered_fraction : float
        Length within reach of at least one unit, km, and as a fraction of ``line_km``.
    overlap_km, overlap_fraction : float
        Length within reach of two or more units, km, and as a fraction of ``line_km``.
    largest_gap_km : float
        Length of the longest uncovered stretch, km (0 when all is covered).
    coverage_by_part : dict of int to float
        Covered fraction of each part.
    coverage_by_oblast : dict of str to float
        Covered fraction of the line in each oblast it runs through (stretches outside every
        oblast are left out), in the order the line meets them.
    gaps : GeoDataFrame
        One row per uncovered stretch, by part then km: ``gap_id`` (1, 2, ...), ``part``,
        ``start_km``, ``end_km``, ``length_km``, ``oblast`` (the oblasts it runs through,
        ``", "``-joined, in order) and the stretch as a LineString; EPSG:4326.
    """

    line_km: float
    covered_km: float
    covered_fraction: float
    overlap_km: float
    overlap_fraction: float
    largest_gap_km: float
    coverage_by_part: dict[int, float]
    coverage_by_oblast: dict[str, float]
    gaps: gpd.GeoDataFrame


def disc_intervals(
    line: PreparedLine, lon: ArrayLike, lat: ArrayLike, radius_km: ArrayLike
) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray, FloatArray]:
    """Stretches of a prepared line within ``radius_km`` (geodesic) of each of many points.

    Parameters
    ----------
    line : PreparedLine
        The prepared line.
    lon, lat : array_like
        The points, degrees.
    radius_km : float or array_like
        The radius, km: one for all points or one each.

    Returns
    -------
    owner, chain, start_km, end_km : numpy.ndarray
        One interval per (point, segment meeting its disc): the point's index, the index of
        the segment's chain in ``line.chains``, and the interval's ends as km along that
        chain. A point's intervals on neighbouring segments touch end to start.
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    radius = np.broadcast_to(np.asarray(radius_km, dtype=np.float64), lon_a.shape)
    owner, seg, ax, ay, dx, dy = line.segments_near(lon_a, lat_a, radius)
    # screen with flat distances: segments surely inside the disc are covered whole, those
    # surely outside are dropped, and only those that may cross its edge are measured exactly
    r = radius[owner]
    error = flat_error_km(radius, lat_a, line.max_step_km)[owner]
    far_end = np.maximum(np.hypot(ax, ay), np.hypot(ax + dx, ay + dy))
    inside = far_end <= r - error
    edge = ~inside & (segment_distance(ax, ay, dx, dy)[0] < r + error)
    t0 = np.zeros(owner.size)
    t1 = np.where(inside, 1.0, 0.0)
    cross = np.flatnonzero(edge)
    ex, ey, edx, edy = line.segments_exact(lon_a[owner[cross]], lat_a[owner[cross]], seg[cross])
    # |A + t (B - A)| = r:  a t^2 + 2 h t + c = 0, with a > 0 (segments have length)
    qa = edx * edx + edy * edy
    qh = ex * edx + ey * edy
    disc = qh * qh - qa * (ex * ex + ey * ey - r[cross] ** 2)
    root = np.sqrt(np.maximum(disc, 0.0))
    t0[cross] = np.where(disc > 0.0, np.clip((-qh - root) / qa, 0.0, 1.0), 0.0)
    t1[cross] = np.where(disc > 0.0, np.clip((-qh + root) / qa, 0.0, 1.0), 0.0)
    hit = np.flatnonzero(t1 > t0)
    seg = seg[hit]
    km0, step = line.km[seg], line.km[seg + 1] - line.km[seg]
    return owner[hit], line.chain[seg], km0 + t0[hit] * step, km0 + t1[hit] * step


def _sweep(
    start: FloatArray, end: FloatArray, length_km: float
) -> tuple[float, float, FloatArray, FloatArray]:
    """Union length, length covered twice or more, and the union's blocks of intervals.

    Rounding may not carry the union past the part's length nor the overlap past the union.
    """
    if start.size == 0:
        return 0.0, 0.0, np.empty(0), np.empty(0)
    x = np.concatenate((start, end))
    change = np.concatenate((np.ones(start.size), -np.ones(end.size)))
    order = np.argsort(x, kind="stable")
    x, depth = x[order], np.cumsum(change[order])
    piece = np.diff(x)
    overlap_km = float(piece[depth[:-1] >= 2].sum())
    union_km = min(overlap_km + float(piece[depth[:-1] == 1].sum()), length_km)
    block_start, block_end = merge_intervals(start, end)
    return union_km, min(overlap_km, union_km), block_start, block_end


def merge_intervals(start: FloatArray, end: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Union of intervals as sorted disjoint blocks (intervals that touch are merged).

    Examples
    --------
    >>> merge_intervals(np.array([5.0, 0.0, 1.0]), np.array([6.0, 1.0, 2.0]))
    (array([0., 5.]), array([2., 6.]))
    """
    if start.size == 0:
        return np.empty(0), np.empty(0)
    order = np.argsort(start, kind="stable")
    s, e = start[order], end[order]
    reach = np.maximum.accumulate(e)
    new = np.append(True, s[1:] > reach[:-1] + _EPS_KM)
    block = np.cumsum(new) - 1
    block_start = s[new]
    block_end = np.zeros(block_start.size)
    np.maximum.at(block_end, block, e)
    return block_start, block_end


def _ordered_unique(names: NDArray[np.str_]) -> list[str]:
    """Distinct non-empty names in order of first appearance."""
    _, first = np.unique(names, return_index=True)
    return [str(names[i]) for i in np.sort(first) if names[i]]


def measure_coverage(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    units_lon: ArrayLike,
    units_lat: ArrayLike,
    radius_km: ArrayLike,
    *,
    all_parts: bool = True,
) -> Coverage:
    """Measure how much of the line lies within ``radius_km`` of some unit.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact (see :func:`planner.distances.prepare_line`).
    units_lon, units_lat : array_like
        The units' positions, degrees (may be empty: nothing is covered).
    radius_km : float or array_like
        Coverage radius, km: one for all units, or one per unit.
    all_parts : bool, default True
        Measure every part of the line; False measures the main part only.

    Returns
    -------
    Coverage
        Covered and overlapping length and fractions (overall, per part, per oblast), the gaps
        with their geometry, the largest gap.

    Raises
    ------
    InputError
        If a radius is not a positive number of km, or the arrays differ in length.

    Examples
    --------
    >>> from shapely import LineString
    >>> cov = measure_coverage(LineString([(33, 47), (33, 48)]), [33.0], [47.5], 25.0)
    >>> round(cov.covered_fraction, 3), len(cov.gaps)
    (0.45, 2)
    """
    prepared = prepare_line(line)
    lon = np.atleast_1d(np.asarray(units_lon, dtype=np.float64))
    lat = np.atleast_1d(np.asarray(units_lat, dtype=np.float64))
    if lon.shape != lat.shape or lon.ndim != 1:
        raise InputError(
            f"got {lon.shape} unit longitudes but {lat.shape} latitudes; pass one lon and one "
            "lat per unit"
        )
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise InputError("a unit position is NaN or infinite; pass finite lon/lat per unit")
    radius = np.atleast_1d(np.asarray(radius_km, dtype=object))
    if radius.size not in (1, lon.size):
        raise InputError(
            f"got {radius.size} radii for {lon.size} units; pass one radius_km or one per unit"
        )
    radius = np.array([check_km("radius_km", r) for r in radius], dtype=np.float64)
    radius = np.broadcast_to(radius, lon.shape)

    line_km = covered_km = overlap_km = 0.0
    by_part: dict[int, float] = {}
    oblast_len: dict[str, float] = {}
    oblast_cov: dict[str, float] = {}
    gap_rows: list[tuple[int, float, float, str, LineString]] = []
    _, on_chain, all_start, all_end = disc_intervals(prepared, lon, lat, radius)
    for index, chain in enumerate(prepared.chains):
        if not all_parts and chain.part != prepared.main_part:
            continue
        mine = on_chain == index
        length = chain.length_km
        union_km, twice_km, block_start, block_end = _sweep(all_start[mine], all_end[mine], length)
        line_km += length
        covered_km += union_km
        overlap_km += twice_km
        by_part[chain.part] = union_km / length

        # covered length from km 0 to x: piecewise linear through the blocks' ends
        knots = np.column_stack((block_start, block_end)).ravel()
        covered_at = np.concatenate(([0.0], np.cumsum(block_end - block_start)))
        values = np.column_stack((covered_at[:-1], covered_at[1:])).ravel()
        edges = np.linspace(0.0, length, max(int(np.ceil(length / OBLAST_BIN_KM)), 1) + 1)
        mid_lon, mid_lat, _ = chain.interpolate((edges[:-1] + edges[1:]) / 2.0)
        bin_oblast = oblast_of(mid_lon, mid_lat)
        cum = np.interp(edges, knots, values) if knots.size else np.zeros(edges.size)
        bin_cov = np.diff(cum)
        for name in _ordered_unique(bin_oblast):
            mine = bin_oblast == name
            oblast_len[name] = oblast_len.get(name, 0.0) + float(np.diff(edges)[mine].sum())
            oblast_cov[name] = oblast_cov.get(name, 0.0) + float(bin_cov[mine].sum())

        gap_start = np.concatenate(([0.0], block_end))
        gap_end = np.concatenate((block_start, [length]))
        real = gap_end - gap_start > _EPS_KM
        for s, e in zip(gap_start[real], gap_end[real], strict=True):
            first = int(np.searchsorted(edges, s, side="right")) - 1
            last = max(int(np.searchsorted(edges, e, side="left")) - 1, first)
            names = _ordered_unique(bin_oblast[first : min(last, bin_oblast.size - 1) + 1])
            gap_rows.append((chain.part, float(s), float(e), ", ".join(names), _piece(chain, s, e)))

    gaps = gpd.GeoDataFrame(
        {
            "gap_id": np.arange(1, len(gap_rows) + 1, dtype=np.int64),
            "part": np.array([r[0] for r in gap_rows], dtype=np.int64),
            "start_km": np.array([r[1] for r in gap_rows], dtype=np.float64),
            "end_km": np.array([r[2] for r in gap_rows], dtype=np.float64),
            "length_km": np.array([r[2] - r[1] for r in gap_rows], dtype=np.float64),
            "oblast": [r[3] for r in gap_rows],
        },
        geometry=[r[4] for r in gap_rows],
        crs="EPSG:4326",
    )
    return Coverage(
        line_km=line_km,
        covered_km=covered_km,
        covered_fraction=covered_km / line_km,
        overlap_km=overlap_km,
        overlap_fraction=overlap_km / line_km,
        largest_gap_km=float(gaps["length_km"].max()) if len(gaps) else 0.0,
        coverage_by_part=by_part,
        coverage_by_oblast={k: oblast_cov[k] / oblast_len[k] for k in oblast_len},
        gaps=gaps,
    )


def _piece(chain: Chain, start_km: float, end_km: float) -> LineString:
    """The stretch of a part between two km, following its vertices."""
    inner = np.flatnonzero((chain.km > start_km) & (chain.km < end_km))
    end_lon, end_lat, _ = chain.interpolate([start_km, end_km])
    lon = np.concatenate(([end_lon[0]], chain.lon[inner], [end_lon[1]]))
    lat = np.concatenate(([end_lat[0]], chain.lat[inner], [end_lat[1]]))
    return LineString(np.column_stack((lon, lat)))


def coverage_polygons(
    units: gpd.GeoDataFrame, radius_km: ArrayLike | None = None
) -> gpd.GeoDataFrame:
    """Each unit's coverage disc as a geodesic circle polygon.

    Parameters
    ----------
    units : GeoDataFrame
        Unit points; a ``unit_id`` column is carried over, and a ``radius_km`` column is used
        when ``radius_km`` is not given.
    radius_km : float or array_like, optional
        Radius, km: one for all units or one per unit.

    Returns
    -------
    GeoDataFrame
        One Polygon per unit (the true geodesic circle, see :func:`geo.geometry.geodesic_circles`)
        with columns ``unit_id`` (if the units have it) and ``radius_km``; EPSG:4326.

    Raises
    ------
    InputError
        If no radius is given and the units have no ``radius_km`` column, or a radius is bad.
    """
    if radius_km is None:
        if "radius_km" not in units.columns:
            raise InputError(
                "units have no radius_km column and no radius_km was given; pass radius_km=25"
            )
        radius_km = units["radius_km"].to_numpy()
    lon, lat = as_lonlat(units)
    radius = np.atleast_1d(np.asarray(radius_km, dtype=object))
    radius = np.array([check_km("radius_km", r) for r in radius], dtype=np.float64)
    radius = np.broadcast_to(radius, lon.shape).copy()
    columns: dict[str, object] = {}
    if "unit_id" in units.columns:
        columns["unit_id"] = units["unit_id"].to_numpy()
    columns["radius_km"] = radius
    circles = geodesic_circles(lon, lat, radius) if lon.size else []
    return gpd.GeoDataFrame(columns, geometry=list(circles), crs="EPSG:4326")
