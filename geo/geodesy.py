"""Geodesy on the WGS84 ellipsoid: distances, azimuths, lengths and points along lines.

Every distance here is a geodesic on WGS84 computed by :class:`pyproj.Geod` (Karney's
algorithm, accurate to nanometres), or a planar distance in a local azimuthal equidistant
projection (AEQD) centred on the query point, in which distances from the centre are exact.
Coordinates are (lon, lat) in degrees; distances are in kilometres; azimuths are compass
bearings in degrees clockwise from north, in [0, 360).

A *chain* is a polyline given as two 1-D arrays ``lon`` and ``lat`` of its vertices. The
functions on chains are built on :mod:`geo.prepared` (its :class:`~geo.prepared.Chain` and
:class:`~geo.prepared.PreparedLine`), the same machinery the planner runs on long lines.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from geo.crs import GEOD
from geo.errors import GeometryError, InputError
from geo.lines import line_parts
from geo.prepared import Chain, PreparedLine, degree_box, densify_chain, wrap_deg

__all__ = [
    "GEOD",
    "azimuth_deg",
    "cumulative_km",
    "densify",
    "distance_km",
    "distance_matrix_km",
    "distances_to_vertices_km",
    "interpolate_along",
    "line_length_km",
    "nearest_neighbour_km",
    "offset_point",
    "point_line_distance_km",
    "points_every",
    "stations_km",
]

FloatArray = NDArray[np.float64]

# point_line_distance_km splits segments longer than this on their geodesics: a 20 km chord
# bends from its geodesic by well under a metre in an AEQD centred 1,000 km away.
_AEQD_SEGMENT_KM = 20.0
_ZERO_LENGTH = "line has zero length; expected at least two distinct vertices"


def _as_arrays(*values: ArrayLike) -> tuple[bool, list[FloatArray]]:
    """Broadcast values to float arrays; also say whether they were all scalars."""
    scalar = all(np.ndim(v) == 0 for v in values)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    return scalar, [np.ascontiguousarray(a) for a in arrays]


def _scalar_or_array(scalar: bool, value: FloatArray) -> Any:
    return float(value.reshape(-1)[0]) if scalar else value


def _inverse(
    lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
) -> tuple[bool, FloatArray, FloatArray]:
    """Broadcast the points; whether all were scalars, forward azimuth in [0, 360) and km."""
    scalar, (a, b, c, d) = _as_arrays(lon1, lat1, lon2, lat2)
    azimuth, _, metres = GEOD.inv(a, b, c, d)
    return scalar, np.mod(np.asarray(azimuth), 360.0), np.asarray(metres) / 1000.0


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
    rows = [np.atleast_1d(np.asarray(v, dtype=np.float64))[:, None] for v in (lon1, lat1)]
    columns = [np.atleast_1d(np.asarray(v, dtype=np.float64))[None, :] for v in (lon2, lat2)]
    _, azimuth, km = _inverse(*rows, *columns)
    return km, azimuth


#: A degree of latitude is at least this long (km) on WGS84 (110.574 km at the equator).
_KM_PER_DEG_LAT_MIN = 110.5
#: A degree of longitude at latitude phi is at least this x cos(phi) km (the equator's radius).
_KM_PER_DEG_LON_EQUATOR = 111.319


def nearest_neighbour_km(lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Geodesic distance (km) from each point to the nearest other point; NaN if alone.

    Method: a spatial index (shapely's STRtree) over the points. Each point's nearest other
    point in degrees gives an upper bound ``g`` of its geodesic nearest distance; every
    point that could be nearer lies in the box of ``g / 110.5`` degrees of latitude and
    ``g / (111.319 cos(phi_max))`` of longitude around it (a meridian degree is never shorter
    than 110.5 km; a path of length ``g`` reaches no further pole-wards than ``phi_max``), so
    the geodesic distances to the points in that box settle it. Memory and time grow with the
    number of points, not its square -- no n x n matrix. Points are assumed not to straddle
    the antimeridian.

    Examples
    --------
    >>> nearest_neighbour_km([30.0, 30.0, 30.0], [50.0, 50.5, 52.0]).round(1).tolist()
    [55.6, 55.6, 166.9]
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64)).ravel()
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64)).ravel()
    n = lon_a.size
    if n < 2:
        return np.full(n, np.nan)
    points = shapely.points(lon_a, lat_a)
    tree = shapely.STRtree(points)
    here, there = tree.query_nearest(points, exclusive=True, all_matches=False)
    bound = np.full(n, np.inf)
    _, _, metres = GEOD.inv(lon_a[here], lat_a[here], lon_a[there], lat_a[there])
    np.minimum.at(bound, here, np.asarray(metres) / 1000.0)
    alone = ~np.isfinite(bound)  # every other point is at the same place
    bound[alone] = 0.0
    dlat = bound / _KM_PER_DEG_LAT_MIN * (1.0 + 1e-9) + 1e-12
    pole = np.minimum(np.abs(lat_a) + dlat, 89.999)
    dlon = bound / (_KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(pole))) * (1.0 + 1e-9) + 1e-12
    boxes = shapely.box(lon_a - dlon, lat_a - dlat, lon_a + dlon, lat_a + dlat)
    i, j = tree.query(boxes, predicate="intersects")
    keep = i != j
    i, j = i[keep], j[keep]
    best = bound.copy()
    if i.size:
        _, _, metres = GEOD.inv(lon_a[i], lat_a[i], lon_a[j], lat_a[j])
        np.minimum.at(best, i, np.asarray(metres) / 1000.0)
    return best


def _chain(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate a vertex chain: two equally long 1-D arrays of >= 2 finite lon/lat values."""
    lon_a = np.asarray(lon, dtype=np.float64)
    lat_a = np.asarray(lat, dtype=np.float64)
    if lon_a.ndim != 1 or lon_a.shape != lat_a.shape:
        raise GeometryError(
            f"line vertices have lon shape {lon_a.shape} and lat shape {lat_a.shape}; "
            "expected two 1-D arrays of the same length; pass the x and y of one LineString"
        )
    if lon_a.size < 2:
        raise GeometryError(
            f"line has {lon_a.size} vertex; expected at least 2; pass a LineString with 2+ points"
        )
    if not (np.isfinite(lon_a).all() and np.isfinite(lat_a).all()):
        raise GeometryError(
            "line has NaN or infinite coordinates; expected finite lon/lat; drop those vertices"
        )
    if np.abs(lat_a).max() > 90.0:
        raise GeometryError(
            f"line has latitude {np.abs(lat_a).max():g} beyond +/-90; expected (lon, lat) "
            "in degrees; check the axis order and the CRS"
        )
    return np.ascontiguousarray(lon_a), np.ascontiguousarray(lat_a)


def distance_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Any:
    """Geodesic distance on WGS84 between two points, or element-wise between arrays of them.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Coordinates in degrees; arrays broadcast against each other.

    Returns
    -------
    float or numpy.ndarray
        Distance in km; a float when every input is a scalar.

    Examples
    --------
    >>> round(distance_km(24.0316, 49.8429, 30.5234, 50.4501), 1)
    468.8
    """
    scalar, _, km = _inverse(lon1, lat1, lon2, lat2)
    return _scalar_or_array(scalar, km)


def azimuth_deg(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Any:
    """Forward azimuth of the geodesic from point 1 to point 2.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Coordinates in degrees; arrays broadcast against each other.

    Returns
    -------
    float or numpy.ndarray
        Compass bearing at point 1 in degrees clockwise from north, in [0, 360); a float when
        every input is a scalar. Coincident points give 0 or 180.

    Examples
    --------
    >>> round(azimuth_deg(30.0, 48.0, 30.0, 49.0))
    0
    """
    scalar, azimuth, _ = _inverse(lon1, lat1, lon2, lat2)
    return _scalar_or_array(scalar, azimuth)


def offset_point(
    lon: ArrayLike, lat: ArrayLike, azimuth_deg: ArrayLike, distance_km: ArrayLike
) -> Any:
    """Point reached by going ``distance_km`` along the geodesic leaving at ``azimuth_deg``.

    Parameters
    ----------
    lon, lat : float or array_like
        Start points in degrees.
    azimuth_deg : float or array_like
        Compass bearing at the start, degrees clockwise from north.
    distance_km : float or array_like
        Distance in km (negative goes backwards). All inputs broadcast.

    Returns
    -------
    lon, lat : float or numpy.ndarray
        The end points; floats when every input is a scalar.

    Examples
    --------
    >>> lon, lat = offset_point(30.0, 0.0, 90.0, 111.319490793)
    >>> round(lon, 6), round(lat, 6)
    (31.0, 0.0)
    """
    scalar, (a, b, c, d) = _as_arrays(lon, lat, azimuth_deg, distance_km)
    lon2, lat2, _ = GEOD.fwd(a, b, c, d * 1000.0)
    return _scalar_or_array(scalar, np.asarray(lon2)), _scalar_or_array(scalar, np.asarray(lat2))


def line_length_km(geom: BaseGeometry) -> float:
    """Geodesic length of a LineString, LinearRing or MultiLineString in lon/lat.

    Parameters
    ----------
    geom : shapely.geometry.base.BaseGeometry
        A (multi)line in EPSG:4326 (lon, lat); GeometryCollections of lines are accepted.

    Returns
    -------
    float
        Length in km, the sum over all parts; 0.0 for an empty geometry.

    Raises
    ------
    GeometryError
        If ``geom`` is not a line (e.g. a Point or a Polygon).

    Examples
    --------
    >>> from shapely import LineString
    >>> round(line_length_km(LineString([(30, 0), (31, 0)])), 3)
    111.319
    """
    total = 0.0
    for part in line_parts(geom):
        coords = np.asarray(part.coords)
        total += GEOD.line_length(coords[:, 0], coords[:, 1]) / 1000.0
    return total


def cumulative_km(lon: ArrayLike, lat: ArrayLike) -> FloatArray:
    """Geodesic distance along a vertex chain at each vertex.

    Parameters
    ----------
    lon, lat : array_like
        The chain's vertices in degrees (1-D, at least 2).

    Returns
    -------
    numpy.ndarray
        km along the chain at each vertex; the first is 0, the last the chain's length.

    Examples
    --------
    >>> cumulative_km([30, 30, 30], [0, 0, 0]).tolist()
    [0.0, 0.0, 0.0]
    """
    lon_a, lat_a = _chain(lon, lat)
    steps = np.asarray(GEOD.line_lengths(lon_a, lat_a)) / 1000.0
    return np.concatenate(([0.0], np.cumsum(steps)))


def densify(
    lon: ArrayLike, lat: ArrayLike, *, max_segment_km: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Insert points on the geodesics of a chain so that no segment exceeds ``max_segment_km``.

    Each segment is cut into the fewest equal geodesic pieces that are short enough; the
    original vertices are kept exactly.

    Parameters
    ----------
    lon, lat : array_like
        The chain's vertices in degrees (1-D, at least 2).
    max_segment_km : float, default 1.0
        Longest segment allowed, km (> 0).

    Returns
    -------
    lon, lat : numpy.ndarray
        The densified chain.

    Raises
    ------
    InputError
        If ``max_segment_km`` is not a positive number.

    Examples
    --------
    >>> lon, lat = densify([30.0, 30.0], [0.0, 1.0], max_segment_km=50.0)
    >>> lon.size
    4
    """
    if not (np.isfinite(max_segment_km) and max_segment_km > 0):
        raise InputError(f"max_segment_km is {max_segment_km!r}; expected a positive number of km")
    lon_a, lat_a = _chain(lon, lat)
    return densify_chain(lon_a, lat_a, max_segment_km)


def interpolate_along(lon: ArrayLike, lat: ArrayLike, km: ArrayLike) -> tuple[Any, Any, Any]:
    """Points at given distances along a chain, with the line's direction there.

    Parameters
    ----------
    lon, lat : array_like
        The chain's vertices in degrees (1-D, at least 2).
    km : float or array_like
        Distances along the chain from its first vertex, km, within [0, length].

    Returns
    -------
    lon, lat, azimuth_deg : float or numpy.ndarray
        The points, and the forward azimuth of the line at each (degrees from north, [0, 360)).
        At a vertex the outgoing segment's azimuth is given (the incoming one at the end).
        Floats when ``km`` is a scalar.

    Raises
    ------
    InputError
        If a distance is negative, beyond the chain's length, or not finite.

    Examples
    --------
    >>> lon, lat, azimuth = interpolate_along([30.0, 31.0], [0.0, 0.0], 111.319490793 / 2)
    >>> round(lon, 6), round(lat, 6), round(azimuth, 6)
    (30.5, 0.0, 90.0)
    """
    chain = _geodesic_chain(lon, lat)
    if chain is None:
        raise GeometryError(_ZERO_LENGTH)
    scalar = np.ndim(km) == 0
    km_a = np.atleast_1d(np.asarray(km, dtype=np.float64))
    length = chain.length_km
    slack = 1e-9 * max(length, 1.0)
    if not np.isfinite(km_a).all() or (km_a < -slack).any() or (km_a > length + slack).any():
        raise InputError(
            f"distance along the line {km_a.min():g}..{km_a.max():g} km is outside the line "
            f"(0..{length:.3f} km); pass distances within the line's length"
        )
    out_lon, out_lat, out_az = chain.interpolate(km_a)
    if scalar:
        return float(out_lon[0]), float(out_lat[0]), float(out_az[0])
    return out_lon, out_lat, out_az


def _geodesic_chain(lon: ArrayLike, lat: ArrayLike) -> Chain | None:
    """A validated chain as it is (not densified), repeated vertices dropped; None if no length."""
    return Chain.from_vertices(*_chain(lon, lat), max_segment_km=np.inf)


def points_every(
    lon: ArrayLike, lat: ArrayLike, *, spacing_km: float, offset_km: float | None = None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Points spaced evenly along a chain, measured geodesically from its first vertex.

    The first point is at ``offset_km`` (default ``spacing_km / 2``), then one every
    ``spacing_km`` while the distance does not exceed the chain's length. A 200 km line with
    50 km spacing thus gets points at 25, 75, 125 and 175 km: each covers the 50 km around it.

    Parameters
    ----------
    lon, lat : array_like
        The chain's vertices in degrees (1-D, at least 2).
    spacing_km : float
        Distance between consecutive points along the chain, km (> 0).
    offset_km : float, optional
        Distance of the first point from the start, km (>= 0); default ``spacing_km / 2``.

    Returns
    -------
    lon, lat, km, azimuth_deg : numpy.ndarray
        The points, their distance along the chain, and the line's forward azimuth there.
        Empty arrays when ``offset_km`` exceeds the length.

    Raises
    ------
    InputError
        If ``spacing_km`` is not positive or ``offset_km`` is negative.

    Examples
    --------
    >>> _, _, km, _ = points_every([30.0, 30.0], [0.0, 1.0], spacing_km=50.0)
    >>> km.tolist()
    [25.0, 75.0]
    """
    if not (np.isfinite(spacing_km) and spacing_km > 0):
        raise InputError(f"spacing_km is {spacing_km!r}; expected a positive number of km")
    offset = spacing_km / 2.0 if offset_km is None else offset_km
    if not (np.isfinite(offset) and offset >= 0):
        raise InputError(f"offset_km is {offset_km!r}; expected a number of km >= 0")
    chain = _geodesic_chain(lon, lat)
    km = stations_km(
        0.0 if chain is None else chain.length_km, spacing_km=spacing_km, offset_km=offset
    )
    if km.size == 0:
        empty = np.empty(0)
        return empty, empty.copy(), empty.copy(), empty.copy()
    if chain is None:
        raise GeometryError(_ZERO_LENGTH)
    out_lon, out_lat, out_az = chain.interpolate(km)
    return out_lon, out_lat, km, out_az


def stations_km(length_km: float, *, spacing_km: float, offset_km: float) -> FloatArray:
    """Distances along a line of points every ``spacing_km`` from ``offset_km`` to its end.

    The rule of :func:`points_every`: the first at ``offset_km``, then one every
    ``spacing_km`` while the distance does not exceed ``length_km``; none if ``offset_km``
    does.

    Examples
    --------
    >>> stations_km(200.0, spacing_km=50.0, offset_km=25.0).tolist()
    [25.0, 75.0, 125.0, 175.0]
    """
    if offset_km > length_km:
        return np.empty(0)
    # The tiny slack keeps a point that lands on the end despite rounding.
    count = int(np.floor((length_km - offset_km) / spacing_km + 1e-9)) + 1
    return offset_km + spacing_km * np.arange(count, dtype=np.float64)


def distances_to_vertices_km(
    lon0: float, lat0: float, lon: ArrayLike, lat: ArrayLike, *, max_km: float | None = None
) -> FloatArray:
    """Geodesic distance from one point to each of many vertices.

    Parameters
    ----------
    lon0, lat0 : float
        The point, degrees.
    lon, lat : array_like
        The vertices, degrees (1-D).
    max_km : float, optional
        If given, vertices farther than ``max_km`` get ``inf``. A degree box that provably
        holds every point within ``max_km`` is tested first, so only the vertices inside it
        go through the (slower) geodesic computation.

    Returns
    -------
    numpy.ndarray
        Distances in km, one per vertex.

    Examples
    --------
    >>> distances_to_vertices_km(30.0, 0.0, [30.0, 31.0, 40.0], [0.0, 0.0, 0.0], max_km=200.0)
    array([  0.        , 111.31949079,          inf])
    """
    lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
    lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
    out = np.full(lon_a.shape, np.inf)
    if max_km is None:
        near = np.ones(lon_a.shape, dtype=bool)
    else:
        dlon_max, dlat_max = degree_box(lat0, max_km)
        near = (np.abs(lat_a - lat0) <= dlat_max) & (np.abs(wrap_deg(lon_a - lon0)) <= dlon_max)
    count = int(near.sum())
    if count:
        _, _, metres = GEOD.inv(
            np.full(count, lon0, dtype=np.float64),
            np.full(count, lat0, dtype=np.float64),
            lon_a[near],
            lat_a[near],
        )
        out[near] = np.asarray(metres) / 1000.0
    if max_km is not None:
        out[out > max_km] = np.inf
    return out


def point_line_distance_km(
    lon: ArrayLike, lat: ArrayLike, line_lon: ArrayLike, line_lat: ArrayLike
) -> FloatArray:
    """Geodesic distance from each point to the nearest point of a polyline.

    The nearest point may lie inside a segment, not only at a vertex. The polyline is
    prepared as a :class:`~geo.prepared.PreparedLine` (segments split on their geodesics to
    at most 20 km); for each point a degree box and cheap flat coordinates with a tested error
    bound keep the segments that can be nearest, and only those are measured, in an azimuthal
    equidistant projection centred on the point (distances from the centre are exact), so the
    error is far below 0.1 %.

    Parameters
    ----------
    lon, lat : float or array_like
        The query points, degrees.
    line_lon, line_lat : array_like
        The polyline's vertices, degrees (1-D, at least 2).

    Returns
    -------
    numpy.ndarray
        Distances in km, shape ``(n,)`` for n query points.

    Examples
    --------
    >>> d = point_line_distance_km(30.5, 0.0, [30.0, 30.0], [-1.0, 1.0])
    >>> round(float(d[0]), 3)
    55.66
    """
    _, (lon_q, lat_q) = _as_arrays(lon, lat)
    lon_q, lat_q = lon_q.ravel(), lat_q.ravel()
    if not (np.isfinite(lon_q).all() and (np.abs(lat_q) <= 90.0).all()):
        raise GeometryError(
            "points have NaN, infinite or out-of-range coordinates; expected (lon, lat) in "
            "degrees; drop those points or check the axis order"
        )
    line_lon_a, line_lat_a = _chain(line_lon, line_lat)
    chain = Chain.from_vertices(line_lon_a, line_lat_a, max_segment_km=_AEQD_SEGMENT_KM)
    if chain is None:  # every vertex the same: the distance to it
        return np.asarray(distance_km(lon_q, lat_q, line_lon_a[0], line_lat_a[0]))
    if lon_q.size == 0:
        return np.empty(0)
    return PreparedLine.from_chains([chain], chain.part).distance_km(lon_q, lat_q)
