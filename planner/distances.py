"""The planner's door to geodesy: user distances checked, lines and points taken from frames.

The geodesic machinery lives in :mod:`geo.prepared` (the prepared line: densified parts, km
along, directions, nearest points, distances from many points to a long line) and
:mod:`geo.geodesy`; this module adapts the planner's inputs to it. :func:`prepare_line`
turns a line of contact (a GeoDataFrame as :mod:`layers.frontline` makes, a GeoSeries or a
shapely line) into a :class:`~geo.prepared.PreparedLine`, validated once; placement, coverage
and the 1-D cover all work on one, so pass a PreparedLine instead of a GeoDataFrame to skip the
preparation when calling several of them on the same line. :func:`check_km` refuses absurd
distances with a message that says how to fix them; :func:`as_lonlat` takes points' lon/lat.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.crs import GEOD
from geo.errors import CRSError, GeometryError, InputError
from geo.prepared import MAX_SEGMENT_KM, Chain, PreparedLine

__all__ = [
    "ABSURD_KM",
    "PreparedLine",
    "as_lonlat",
    "check_km",
    "prepare_line",
]

FloatArray = NDArray[np.float64]

#: Longer than this, a distance in km is absurd for a spacing, standoff or radius here.
ABSURD_KM = 2000.0

#: Lines prepared lately, by a digest of their coordinates, parts and segment length: the
#: plans of one process on one line (``brief``'s nine, a sweep's, a history's) share one
#: preparation and what placement keeps in its ``memo``. A few entries, least recent out.
_PREPARED: OrderedDict[bytes, PreparedLine] = OrderedDict()
_PREPARED_KEEP = 4


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
    if len(pieces) > 1:  # the longest is the main part
        pieces.sort(key=GEOD.geometry_length, reverse=True)
    return pieces, list(range(len(pieces))), 0


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
        The same object for a line of the same coordinates, parts and ``max_segment_km`` as
        one of the last few prepared (a cache keyed by their digest): treat it as read-only.

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
    digest = hashlib.blake2b(repr((parts, main, max_segment_km)).encode(), digest_size=20)
    for geom in geoms:
        digest.update(np.ascontiguousarray(shapely.get_coordinates(geom)).tobytes())
        digest.update(b"|")
    key = digest.digest()
    if key in _PREPARED:
        _PREPARED.move_to_end(key)
        return _PREPARED[key]
    prepared = _prepare(geoms, parts, main, max_segment_km)
    _PREPARED[key] = prepared
    while len(_PREPARED) > _PREPARED_KEEP:
        _PREPARED.popitem(last=False)
    return prepared


def _prepare(geoms: list, parts: list, main: int, max_segment_km: float) -> PreparedLine:
    """Validate and densify the parts (:func:`prepare_line` without its cache)."""
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
        chain = Chain.from_vertices(xy[:, 0], xy[:, 1], part=part, max_segment_km=max_segment_km)
        if chain is not None:
            chains.append(chain)
    if not chains:
        raise GeometryError("line has zero length; expected a line of contact with length")
    chains.sort(key=lambda c: c.part)
    if main not in {c.part for c in chains}:
        main = max(chains, key=lambda c: c.length_km).part
    return PreparedLine.from_chains(chains, main)


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
