"""The line of contact: derived from an occupied-territory polygon, or the bundled default.

Published front lines come as occupied-territory polygons (DeepStateMap, ISW), not as lines.
Their boundary runs along the front, but also along the sea coast and the state border with
Russia. :func:`line_from_occupied` keeps the part of the boundary that lies more than
``border_tolerance_km`` inside Ukraine's outline, and the stretches nearer the border that
face unoccupied Ukraine (the strips the occupied land holds along the Russian border in
Kharkiv and Sumy oblasts): what is left is the line of contact. A river front (the Dnipro in
Kherson oblast) is inside the outline, so it stays; the coast and the border go, and so do
the shores of small holes (under ``min_hole_km2``) that the occupied land encloses. The
bundled default (:func:`load_default_line`, :func:`load_default_occupied`) was made this way
from DeepStateMap's polygon of 2025-12-15 (``python -m layers.data.build line``).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon

from geo.crs import GEOD, WGS84, aeqd_transformers
from geo.errors import CRSError, GeometryError, InputError
from geo.geodesy import line_length_km
from layers.oblasts import ukraine_outline
from layers.provenance import (
    Provenance,
    attach,
    bundled_provenance,
    provenance_of,
    read_bundled,
)

__all__ = [
    "BORDER_TOLERANCE_KM",
    "DEFAULT_DATE",
    "DEFAULT_LINE_GEOJSON",
    "DEFAULT_OCCUPIED_GEOJSON",
    "LINE_COLUMNS",
    "MIN_FRAGMENT_KM",
    "MIN_HOLE_KM2",
    "line_from_occupied",
    "line_layer",
    "load_default_line",
    "load_default_occupied",
    "orient_south_west",
]

#: A boundary this close to Ukraine's outline is coast or state border, not front.
BORDER_TOLERANCE_KM = 3.0
#: Open pieces shorter than this are dropped: they are stretches of coast or border that
#: stray just over the tolerance from a coarse outline (12.5 km in 8 pieces of 0.2-4 km on
#: the 2025-12-15 polygon). Closed rings (pockets, islands) are kept whatever their size.
MIN_FRAGMENT_KM = 5.0
#: Holes the occupied land encloses smaller than this (km², geodesic) are filled, not line:
#: a 632 m² sliver west of Donetsk on the 2025-12-15 polygon (a 0.75 km ring of line) is a
#: drawing artefact, not a front (and a unit's slot there would be a gap in every plan).
MIN_HOLE_KM2 = 10.0
# Near the border a boundary stretch is front when a probe from it, on its unoccupied side,
# reaches unoccupied Ukraine: the probe runs from _PROBE_START_M to the tolerance plus
# _PROBE_BEYOND_KM off the boundary, stays inside the outline, meets no occupied land, and
# ends at least _PROBE_BEYOND_KM inside the outline. A probe into Russia or the sea leaves the
# outline; a sliver between a coarse outline and the polygon is narrower than the probe. The
# boundary is probed every _PROBE_STEP_M.
_PROBE_START_M = 50.0
_PROBE_BEYOND_KM = 1.0
_PROBE_STEP_M = 250.0
# A break of at most this (m) between two front stretches near the border is front too.
_BREAK_M = 1000.0
DEFAULT_DATE = "2025-12-15"
DEFAULT_LINE_GEOJSON = (
    Path(__file__).resolve().parent / "data" / f"contact_line_{DEFAULT_DATE}.geojson"
)
DEFAULT_OCCUPIED_GEOJSON = (
    Path(__file__).resolve().parent / "data" / f"occupied_{DEFAULT_DATE}.geojson"
)
LINE_COLUMNS = ["name", "part", "is_main", "length_km", "date", "geometry"]
# The outline's edges longer than this (degrees, about 4-6 km) are split before projecting, so
# that a long straight border (a meridian, say) does not become a chord of the projection. The
# polygon is not split: the line keeps its vertices, plus one where it crosses the tolerance.
_DENSIFY_DEG = 0.05


def line_from_occupied(
    occupied: gpd.GeoDataFrame | gpd.GeoSeries | Polygon | MultiPolygon,
    *,
    date: str | None = None,
    border_tolerance_km: float = BORDER_TOLERANCE_KM,
    outline: Polygon | MultiPolygon | None = None,
    min_fragment_km: float = MIN_FRAGMENT_KM,
    min_hole_km2: float = MIN_HOLE_KM2,
) -> gpd.GeoDataFrame:
    """Derive the line of contact from an occupied-territory polygon.

    The line is the part of the polygon's boundary (outer rings and holes) that lies more than
    ``border_tolerance_km`` inside ``outline``, together with the stretches within the
    tolerance that face unoccupied Ukraine: where the occupied land is a strip along the
    border, its edge towards Ukraine is front although it lies near the border. A stretch
    near the border is front when a probe from it, on its unoccupied side and
    ``border_tolerance_km`` + 1 km long, stays inside ``outline``, meets no occupied land and
    ends at least 1 km inside the outline; a probe across the border or out to sea leaves the
    outline. Holes in the occupied land smaller than ``min_hole_km2`` are filled first: their
    shores are not line. The tests are done in an azimuthal equidistant projection centred on
    the polygon (scale error under 0.1 % within 500 km of the centre). Pieces that meet end to
    end (where the boundary only touches the tolerance zone, or at a ring's seam) are merged.

    Parameters
    ----------
    occupied : GeoDataFrame, GeoSeries, Polygon or MultiPolygon
        The occupied territory in lon/lat. A frame or series must carry a CRS (it is converted
        to EPSG:4326); its rows are united. A bare geometry is taken as lon/lat WGS84.
    date : str or None
        The date the polygon stands for, ``YYYY-MM-DD``; ``None`` gives ``""``.
    border_tolerance_km : float
        Boundary within this distance of the outline is coast or state border and is dropped.
    outline : Polygon, MultiPolygon or None
        Ukraine's outline in lon/lat; default :func:`layers.oblasts.ukraine_outline`.
    min_fragment_km : float
        Open pieces shorter than this (geodesic) are dropped as border noise; closed rings
        (pockets and islands lying wholly inside the tolerance) are always kept.
    min_hole_km2 : float
        Holes of the occupied land smaller than this (geodesic area, km²) are filled.

    Returns
    -------
    GeoDataFrame
        EPSG:4326, one row per part, sorted by ``part``: ``name`` (``"contact line"``,
        ``"contact line part N"``), ``part`` (0 = main = longest, then by decreasing length),
        ``is_main``, ``length_km`` (geodesic, WGS84), ``date`` and a LineString ``geometry``
        oriented as :func:`orient_south_west` says. The provenance of ``occupied`` (if it
        carries one) is kept with the derivation added.

    Raises
    ------
    CRSError
        If a frame or series has no CRS.
    GeometryError
        If the polygon is empty, not polygonal, invalid, out of lon/lat range, or no part of
        its boundary lies more than the tolerance inside the outline.
    InputError
        If ``date`` is not ``YYYY-MM-DD`` or a distance is negative or not finite.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> line = line_from_occupied(box(35.0, 48.0, 35.5, 48.5), outline=box(30, 45, 40, 52))
    >>> line[["name", "part", "is_main"]].values.tolist()
    [['contact line', 0, True]]
    >>> round(float(line.length_km[0]), 1)
    185.5
    """
    date = _checked_date(date)
    for label, value in (
        ("border_tolerance_km", border_tolerance_km),
        ("min_fragment_km", min_fragment_km),
        ("min_hole_km2", min_hole_km2),
    ):
        if not np.isfinite(value) or value < 0:
            unit = "km²" if label.endswith("km2") else "km"
            raise InputError(f"{label} must be a finite number of {unit} >= 0, got {value!r}")
    polygon, source = _polygon_of(occupied)
    polygon, filled = _filled_holes(polygon, min_hole_km2)
    outline_note = "the given outline"
    if outline is None:
        outline, outline_note = ukraine_outline(), "Ukraine's outline (Natural Earth admin-1)"

    minx, miny, maxx, maxy = polygon.bounds
    to_m, _ = aeqd_transformers((minx + maxx) / 2, (miny + maxy) / 2)
    outline_m = _transformed(shapely.segmentize(outline, _DENSIFY_DEG), to_m)
    inner = shapely.buffer(outline_m, -1000.0 * border_tolerance_km, quad_segs=16)
    polygon_m = _transformed(polygon, to_m)
    boundary_m = shapely.boundary(polygon_m)
    facing = _facing_ukraine(boundary_m, polygon_m, outline_m, inner, border_tolerance_km)
    cut = shapely.intersection(boundary_m, shapely.union_all([inner, *facing]))
    pieces = [p for p in shapely.get_parts(cut) if p.geom_type in ("LineString", "MultiLineString")]
    merged = shapely.get_parts(
        shapely.line_merge(shapely.multilinestrings(shapely.get_parts(pieces)))
    )
    lines = [_transformed(p, to_m, inverse=True) for p in merged if not p.is_empty]
    kept = [p for p in lines if p.is_closed or line_length_km(p) >= min_fragment_km]
    if not kept:
        raise GeometryError(
            "no line of contact: no stretch of the occupied polygon's boundary (bounds "
            f"{np.round(polygon.bounds, 3).tolist()}) of {min_fragment_km:g} km or more lies "
            f"more than {border_tolerance_km:g} km inside {outline_note}; pass an "
            "occupied-territory polygon in lon/lat that reaches into Ukraine, or lower "
            "border_tolerance_km"
        )

    derivation = (
        f"layers.frontline.line_from_occupied: boundary of the occupied-territory polygon lying "
        f"more than {border_tolerance_km:g} km inside {outline_note}, or nearer it where "
        f"the stretch faces unoccupied Ukraine (a {border_tolerance_km + _PROBE_BEYOND_KM:g} km "
        f"probe off its unoccupied side stays in the outline and off occupied land), tested "
        f"in a local azimuthal equidistant projection; holes under {min_hole_km2:g} km² "
        f"filled first ({filled} filled); touching pieces merged; open pieces under "
        f"{min_fragment_km:g} km dropped; lengths geodesic (WGS84)"
    )
    if source.get("derivation"):
        derivation = f"{source['derivation']}; then {derivation}"
    prov = Provenance(
        source=source.get("source") or "occupied-territory polygon (supplied by the caller)",
        date=date or source.get("date") or "",
        licence=source.get("licence") or "that of the occupied-territory polygon",
        derivation=derivation,
        url=source.get("url"),
    )
    return line_layer(kept, date=date, provenance=prov)


def _filled_holes(
    polygon: Polygon | MultiPolygon, min_km2: float
) -> tuple[Polygon | MultiPolygon, int]:
    """The polygon with its holes under ``min_km2`` (geodesic area) filled; how many were."""
    filled = 0
    kept_polygons = []
    for part in shapely.get_parts(polygon):
        rings = []
        for ring in part.interiors:
            lon, lat = np.asarray(ring.coords).T[:2]
            area_m2, _ = GEOD.polygon_area_perimeter(lon, lat)
            if abs(area_m2) / 1e6 >= min_km2:
                rings.append(ring)
            else:
                filled += 1
        kept_polygons.append(Polygon(part.exterior, rings))
    if not filled:
        return polygon, 0
    merged = shapely.union_all(kept_polygons)
    return merged, filled


def _facing_ukraine(
    boundary_m: shapely.Geometry,
    polygon_m: shapely.Geometry,
    outline_m: shapely.Geometry,
    inner_m: shapely.Geometry,
    tolerance_km: float,
) -> list[shapely.Geometry]:
    """Thin strips (1 m) over the boundary stretches near the border that face Ukraine.

    The boundary (metres, AEQD) is cut into pieces of at most :data:`_PROBE_STEP_M`; a piece
    whose middle lies within the tolerance of the outline is probed on both sides: a side is
    its unoccupied side when a point :data:`_PROBE_START_M` off it is not occupied, and the
    piece faces Ukraine when the probe from there to the tolerance plus
    :data:`_PROBE_BEYOND_KM` lies inside the outline, meets no occupied land and ends at
    least :data:`_PROBE_BEYOND_KM` inside the outline.
    """
    segments: list[NDArray[np.float64]] = []
    ring: list[NDArray[np.int64]] = []
    for part in shapely.get_parts(shapely.segmentize(boundary_m, _PROBE_STEP_M)):
        for piece in shapely.get_parts(part):
            xy = shapely.get_coordinates(piece)
            if len(xy) >= 2:
                segments.append(np.stack([xy[:-1], xy[1:]], axis=1))
                ring.append(np.full(len(xy) - 1, len(ring)))
    if not segments:
        return []
    seg, ring_of = np.concatenate(segments), np.concatenate(ring)
    a, b = seg[:, 0], seg[:, 1]
    step = b - a
    length = np.hypot(step[:, 0], step[:, 1])
    middle = (a + b) / 2.0
    shapely.prepare(inner_m)
    near = ~shapely.contains_xy(inner_m, middle[:, 0], middle[:, 1])
    probed = near & (length > 0)
    normal = np.column_stack([-step[probed, 1], step[probed, 0]]) / length[probed, None]
    deep = shapely.buffer(outline_m, -1000.0 * _PROBE_BEYOND_KM)
    for geom in (polygon_m, outline_m, deep):
        shapely.prepare(geom)
    reach = 1000.0 * (tolerance_km + _PROBE_BEYOND_KM)
    hits = np.zeros(int(probed.sum()), dtype=bool)
    for side in (1.0, -1.0):
        start = middle[probed] + side * _PROBE_START_M * normal
        end = middle[probed] + side * reach * normal
        probe = shapely.linestrings(np.stack([start, end], axis=1))
        hits |= (
            ~shapely.contains_xy(polygon_m, start[:, 0], start[:, 1])
            & shapely.contains_xy(deep, end[:, 0], end[:, 1])
            & shapely.contains(outline_m, probe)
            & ~shapely.intersects(polygon_m, probe)
        )
    facing = np.zeros(len(seg), dtype=bool)
    facing[probed] = hits
    facing |= near & _short_breaks(~near | facing, length, ring_of, _BREAK_M)

    # kept _PROBE_START_M inside the outline: a boundary that strays over the border is not
    # front there (and the margin keeps the line inside the outline's lon/lat edges too)
    if not facing.any():
        return []
    strips = shapely.buffer(shapely.linestrings(seg[facing]), 1.0, cap_style="flat")
    within = shapely.buffer(outline_m, -_PROBE_START_M)
    return [shapely.intersection(shapely.union_all(strips), within)]


def _short_breaks(
    front: NDArray[np.bool_], length: NDArray[np.float64], ring: NDArray[np.int64], most: float
) -> NDArray[np.bool_]:
    """The runs of non-front pieces of at most ``most`` (m) with front on both sides in a ring.

    A probe can fail where the front bends near the border (it crosses the occupied land
    beyond the bend): such a break of a few hundred metres between two front stretches is
    front too, so that one stretch does not fall into two parts.
    """
    out = np.zeros(front.size, dtype=bool)
    edges = np.flatnonzero(np.diff(np.concatenate(([1], front.astype(np.int8), [1]))))
    for i, j in zip(edges[::2], edges[1::2], strict=True):  # runs [i, j) of non-front
        if i > 0 and j < front.size and ring[i - 1] == ring[j] and length[i:j].sum() <= most:
            out[i:j] = True
    return out


def line_layer(
    lines: list[LineString], *, date: str = "", provenance: Provenance
) -> gpd.GeoDataFrame:
    """Make the line layer from its parts: oriented, numbered by length, named, measured.

    Parameters
    ----------
    lines : list of LineString
        The parts in lon/lat (non-empty).
    date : str
        The line's date, ``YYYY-MM-DD`` or ``""``.
    provenance : Provenance
        Attached to the result.

    Returns
    -------
    GeoDataFrame
        The columns of :data:`LINE_COLUMNS`, EPSG:4326, sorted by ``part``; see
        :func:`line_from_occupied`.

    Raises
    ------
    InputError
        If ``date`` is not ``YYYY-MM-DD`` or ``""``.
    """
    date = _checked_date(date)
    oriented = [orient_south_west(line) for line in lines]
    lengths = np.array([line_length_km(line) for line in oriented])
    order = np.argsort(-lengths, kind="stable")
    gdf = gpd.GeoDataFrame(
        {
            "name": [
                "contact line" if i == 0 else f"contact line part {i}" for i in range(len(order))
            ],
            "part": np.arange(len(order), dtype=np.int64),
            "is_main": np.arange(len(order)) == 0,
            "length_km": lengths[order],
            "date": [date] * len(order),
        },
        geometry=[oriented[i] for i in order],
        crs=WGS84,
    )
    return attach(gdf, provenance)


def orient_south_west(line: LineString) -> LineString:
    """Return the line running from its south-western end.

    An open line is reversed if its last vertex is further south-west than its first (smaller
    ``x + y`` with ``x`` = longitude scaled by the cosine of the mean latitude, ``y`` =
    latitude). A closed ring starts at its south-western-most vertex and runs
    counter-clockwise.

    Examples
    --------
    >>> orient_south_west(LineString([(37, 50), (32, 46)])).coords[0]
    (32.0, 46.0)
    """
    xy = shapely.get_coordinates(line)
    if not line.is_closed:
        score = _south_west_score(xy[[0, -1]], xy[:, 1].mean())
        return line if score[0] <= score[1] else LineString(xy[::-1])
    ring = xy[:-1] if shapely.is_ccw(line) else xy[:0:-1]
    ring = np.roll(ring, -int(np.argmin(_south_west_score(ring, xy[:, 1].mean()))), axis=0)
    return LineString(np.vstack([ring, ring[:1]]))


def _south_west_score(xy: np.ndarray, lat0: float) -> np.ndarray:
    """Smaller is further south-west: x + y on a local equirectangular frame."""
    return xy[:, 0] * np.cos(np.radians(lat0)) + xy[:, 1]


def load_default_line() -> gpd.GeoDataFrame:
    """Return the bundled line of contact of 2025-12-15.

    Derived from DeepStateMap's occupied-territory polygon (GPL-3.0) with
    :func:`line_from_occupied` and simplified at 100 m; see ``layers/data/PROVENANCE.md``.

    Returns
    -------
    GeoDataFrame
        As :func:`line_from_occupied`, ``date`` = ``"2025-12-15"``, provenance attached.
        A fresh copy each call.

    Examples
    --------
    >>> line = load_default_line()
    >>> line.crs.to_epsg(), line.date[0], bool(line.is_main[0])
    (4326, '2025-12-15', True)
    """
    return _fresh(_read_default_line())


def load_default_occupied() -> gpd.GeoDataFrame:
    """Return the bundled occupied territory of 2025-12-15 (simplified at 100 m).

    Returns
    -------
    GeoDataFrame
        One row in EPSG:4326: ``name`` (``"occupied territory"``), ``date`` and a
        MultiPolygon ``geometry``; provenance attached. A fresh copy each call.
    """
    return _fresh(_read_default_occupied())


@lru_cache(maxsize=1)
def _read_default_line() -> gpd.GeoDataFrame:
    features = json.loads(DEFAULT_LINE_GEOJSON.read_text(encoding="utf-8"))["features"]
    lines = [shapely.geometry.shape(feature["geometry"]) for feature in features]
    return line_layer(lines, date=DEFAULT_DATE, provenance=bundled_provenance("line"))


@lru_cache(maxsize=1)
def _read_default_occupied() -> gpd.GeoDataFrame:
    return read_bundled(DEFAULT_OCCUPIED_GEOJSON, "occupied", ["name", "date"])


def _fresh(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out.attrs = {key: dict(value) for key, value in gdf.attrs.items()}
    return out


def _checked_date(date: str | None) -> str:
    if date is None or date == "":
        return ""
    try:
        ok = isinstance(date, str) and len(date) == 10 and dt.date.fromisoformat(date) is not None
    except ValueError:
        ok = False
    if not ok:
        raise InputError(
            f"line date {date!r} is not a date; give it as YYYY-MM-DD, e.g. 2025-12-15"
        )
    return date


def _polygon_of(
    occupied: gpd.GeoDataFrame | gpd.GeoSeries | Polygon | MultiPolygon,
) -> tuple[Polygon | MultiPolygon, dict[str, str | None]]:
    """Return the occupied territory as one lon/lat geometry and the provenance it carried."""
    source: dict[str, str | None] = {}
    if isinstance(occupied, gpd.GeoDataFrame | gpd.GeoSeries):
        if occupied.crs is None:
            raise CRSError(
                "occupied-territory polygon has no CRS; set one (e.g. gdf.set_crs('EPSG:4326'))"
            )
        if isinstance(occupied, gpd.GeoDataFrame):
            source = provenance_of(occupied)
        geom = shapely.union_all(occupied.to_crs(WGS84).geometry.to_numpy())
    else:
        geom = occupied
    if not isinstance(geom, Polygon | MultiPolygon) or geom.is_empty:
        kind = "empty" if geom is None or geom.is_empty else geom.geom_type
        raise GeometryError(
            f"occupied territory is {kind}; expected a non-empty Polygon or MultiPolygon in lon/lat"
        )
    minx, miny, maxx, maxy = geom.bounds
    if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
        raise GeometryError(
            f"occupied territory has coordinates outside lon/lat range (bounds {geom.bounds}); "
            "give it in EPSG:4326 (lon, lat)"
        )
    if not geom.is_valid:
        raise GeometryError(
            f"occupied territory is invalid ({shapely.is_valid_reason(geom)}); "
            "repair it first, e.g. with shapely.make_valid or ogr2ogr -makevalid"
        )
    return geom, source


def _transformed(
    geom: shapely.Geometry, transformer: pyproj.Transformer, *, inverse: bool = False
) -> shapely.Geometry:
    direction = (
        pyproj.enums.TransformDirection.INVERSE
        if inverse
        else pyproj.enums.TransformDirection.FORWARD
    )

    def apply(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1], direction=direction)
        return np.column_stack([x, y])

    return shapely.transform(geom, apply)
