"""Layers and plans as one compact JSON block for the map runtime (``maps/static/deployplan.js``).

Display geometry is simplified to :data:`SIMPLIFY_KM` in a local azimuthal equidistant
projection (Douglas-Peucker; the oblasts and the countries around Ukraine with a coverage
simplification that keeps shared borders shared), then rounded to 5 decimals (about 1 m)
and stored as integer deltas: each ring or line is ``[lat0, lon0, dlat1, dlon1, ...]`` in
units of 1e-5 degree, Leaflet's ``[lat, lon]`` order. Shared layers are written once,
whatever the number of plans.

Every string a user can set (names, labels, attributes) is HTML-escaped here, so the runtime
may put it into the page as it is.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from geo.crs import aeqd_transformers
from maps.symbols import unit_symbol

if TYPE_CHECKING:
    import geopandas as gpd

    from layers import Layers
    from planner.plan import Plan

__all__ = [
    "DECIMALS",
    "LABEL_BAND_KM",
    "SIMPLIFY_KM",
    "base_data",
    "basemap_cache_dir",
    "basemap_data",
    "country_labels",
    "encode_lines",
    "encode_polygons",
    "escape",
    "hub_positions",
    "plan_data",
    "script_json",
    "simplified",
    "split_leg",
    "symbols_data",
    "trunk_key",
    "trunks_data",
]

#: Tolerance to which display geometry is simplified, km.
SIMPLIFY_KM = 0.3
#: Country names are placed within this distance of Ukraine's outline, km.
LABEL_BAND_KM = 150.0
#: ... on a piece of at least this area, km² (else the country goes unnamed).
LABEL_MIN_KM2 = 3000.0
#: Decimals kept of each coordinate (1e-5 degree is about 1.1 m of latitude).
DECIMALS = 5
_SCALE = 10**DECIMALS

#: Columns of a unit record, in the order the runtime reads them.
UNIT_COLUMNS = (
    "lat", "lon", "sidc", "id", "label", "dep", "type", "ech", "troops", "km_along", "part",
    "d_line", "d_unit", "oblast", "point", "d_point", "bearing", "radius", "hub", "leg_km",
    "leg_h", "resp", "resp_h", "notice_h", "road_kmh",
)  # fmt: skip


def escape(value: Any) -> str:
    """HTML-escape a value for the page; ``None`` and NaN become ``""``.

    Examples
    --------
    >>> escape("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def _number(value: Any, digits: int = 3) -> float | int | None:
    """A finite number rounded for JSON, or ``None`` (JSON has no NaN)."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        return None
    rounded = round(number, digits)
    return int(rounded) if rounded.is_integer() else rounded


def _encode_coords(coords: np.ndarray) -> list[int]:
    """(lon, lat) rows → ``[lat0, lon0, dlat, dlon, ...]`` in 1e-5 degree, repeats dropped."""
    ints = np.rint(np.asarray(coords, dtype=float)[:, 1::-1] * _SCALE).astype(np.int64)
    keep = np.ones(len(ints), dtype=bool)
    keep[1:] = np.any(np.diff(ints, axis=0) != 0, axis=1)
    ints = ints[keep]
    deltas = np.vstack([ints[:1], np.diff(ints, axis=0)])
    return [int(v) for v in deltas.ravel()]


def encode_lines(geom: BaseGeometry | None) -> list[list[int]]:
    """Every line of a (Multi)LineString (or the lines of a collection) delta-encoded.

    Examples
    --------
    >>> encode_lines(shapely.LineString([(30.0, 50.0), (30.00001, 50.5)]))
    [[5000000, 3000000, 50000, 1]]
    """
    if geom is None or geom.is_empty:
        return []
    parts = shapely.get_parts(shapely.line_merge(geom) if geom.geom_type != "LineString" else geom)
    return [
        _encode_coords(shapely.get_coordinates(part))
        for part in parts
        if part.geom_type == "LineString" and len(part.coords) >= 2
    ]


def encode_polygons(geom: BaseGeometry | None) -> list[list[list[int]]]:
    """Every polygon of a (Multi)Polygon as rings (exterior first), delta-encoded.

    The closing vertex is dropped: Leaflet closes rings itself.
    """
    if geom is None or geom.is_empty:
        return []
    out = []
    for part in shapely.get_parts(geom):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        out.append([_encode_coords(np.asarray(ring.coords)[:-1]) for ring in rings])
    return out


def _local_transformers(
    geoms: Sequence[BaseGeometry],
) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    west, south, east, north = shapely.total_bounds(np.asarray(geoms, dtype=object))
    return aeqd_transformers(round((west + east) / 2, 4), round((south + north) / 2, 4))


def simplified(
    geoms: Iterable[BaseGeometry | None],
    *,
    tolerance_km: float = SIMPLIFY_KM,
    coverage: bool = False,
) -> list[BaseGeometry | None]:
    """Simplify lon/lat geometries to ``tolerance_km`` in a local metric projection.

    Parameters
    ----------
    geoms : iterable of shapely geometries (lon/lat), ``None`` allowed
    tolerance_km : float
        Douglas-Peucker tolerance; with ``coverage=True`` the Visvalingam-Whyatt tolerance of
        :func:`shapely.coverage_simplify` (square root of the area of removed triangles).
    coverage : bool
        The polygons tile an area (oblasts): simplify shared borders once, so neighbours
        still meet without gaps or overlaps.

    Returns
    -------
    list
        The simplified geometries in lon/lat, in the input order.
    """
    items = list(geoms)
    present = [g for g in items if g is not None and not g.is_empty]
    if not present:
        return items
    forward, back = _local_transformers(present)
    projected = [
        shapely.transform(g, lambda xy: np.column_stack(forward.transform(*xy.T))) for g in present
    ]
    tolerance_m = tolerance_km * 1000.0
    if coverage:
        simple = list(shapely.coverage_simplify(np.asarray(projected, dtype=object), tolerance_m))
    else:
        simple = list(
            shapely.simplify(
                np.asarray(projected, dtype=object), tolerance_m, preserve_topology=True
            )
        )
    lonlat = iter(
        shapely.transform(g, lambda xy: np.column_stack(back.transform(*xy.T))) for g in simple
    )
    return [next(lonlat) if g is not None and not g.is_empty else g for g in items]


def _provenance(gdf: gpd.GeoDataFrame | None) -> dict[str, Any]:
    return dict(gdf.attrs.get("provenance", {})) if gdf is not None else {}


def _column(gdf: gpd.GeoDataFrame, name: str, default: Any = "") -> list[Any]:
    return list(gdf[name]) if name in gdf.columns else [default] * len(gdf)


def _lat_lon(geom: BaseGeometry) -> list[float]:
    return [round(geom.y, DECIMALS), round(geom.x, DECIMALS)]


def base_data(
    layers: Layers,
    *,
    countries: gpd.GeoDataFrame | None = None,
    tolerance_km: float = SIMPLIFY_KM,
) -> dict[str, Any]:
    """The shared layers: the countries around Ukraine, oblasts, occupied territory, line,
    points, hubs, and the view bounds.

    Parameters
    ----------
    layers : layers.Layers
    countries : GeoDataFrame, optional
        The countries drawn around the oblasts where there are no tiles
        (:func:`layers.countries.load_countries`); without them ``"countries"`` is empty.
    tolerance_km : float
        Simplification tolerance of the display geometry.

    Returns
    -------
    dict
        JSON-ready; strings HTML-escaped, geometry delta-encoded (see module docstring).
    """
    oblasts = layers.oblasts
    line = layers.line
    occupied = layers.occupied
    occupied_geom = (
        shapely.union_all(occupied.geometry.to_numpy())
        if occupied is not None and len(occupied)
        else None
    )
    [occupied_geom] = simplified([occupied_geom], tolerance_km=tolerance_km)
    line_geoms = simplified(line.geometry, tolerance_km=tolerance_km)
    west, south, east, north = shapely.total_bounds(
        np.concatenate([line.geometry.to_numpy(), layers.points.geometry.to_numpy()])
    )
    pad_lat, pad_lon = 0.1 * (north - south) + 0.2, 0.1 * (east - west) + 0.2
    return {
        **basemap_data(oblasts, countries, tolerance_km=tolerance_km),
        "occupied": encode_polygons(occupied_geom),
        "line": [
            {
                "n": escape(name),
                "main": bool(main),
                "km": _number(km, 1),
                "d": escape(date),
                "g": encode_lines(geom),
            }
            for name, main, km, date, geom in zip(
                _column(line, "name", "contact line"),
                _column(line, "is_main", True),
                _column(line, "length_km", None),
                _column(line, "date"),
                line_geoms,
                strict=True,
            )
        ],
        "points": [
            {"n": escape(name), "o": escape(oblast), "g": _lat_lon(geom)}
            for name, oblast, geom in zip(
                _column(layers.points, "name"),
                _column(layers.points, "oblast"),
                layers.points.geometry,
                strict=True,
            )
        ],
        "hubs": [
            {"n": escape(name), "t": escape(tier), "c": escape(country), "g": _lat_lon(geom)}
            for name, tier, country, geom in zip(
                _column(layers.hubs, "name"),
                _column(layers.hubs, "tier"),
                _column(layers.hubs, "country"),
                layers.hubs.geometry,
                strict=True,
            )
        ],
        "bounds": [
            [_number(south - pad_lat, DECIMALS), _number(west - pad_lon, DECIMALS)],
            [_number(north + pad_lat, DECIMALS), _number(east + pad_lon, DECIMALS)],
        ],
    }


#: Bump when the encoding or simplification of the basemap changes (invalidates the caches).
BASEMAP_CACHE_VERSION = 1


def basemap_cache_dir() -> Path | None:
    """Where the encoded basemap is cached: ``basemap`` in ``DEPLOYPLAN_CACHE_DIR`` if set,
    else in the user's cache directory (platformdirs: ``$XDG_CACHE_HOME/deployplan`` or
    ``~/.cache/deployplan`` on Linux), beside the snapshots of :mod:`layers.deepstate`;
    ``None`` when ``DEPLOYPLAN_NO_CACHE`` is set."""
    if os.environ.get("DEPLOYPLAN_NO_CACHE"):
        return None
    env = os.environ.get("DEPLOYPLAN_CACHE_DIR")
    if env:
        return Path(env) / "basemap"
    import platformdirs

    return Path(platformdirs.user_cache_dir("deployplan", appauthor=False)) / "basemap"


def _basemap_key(
    oblasts: gpd.GeoDataFrame, countries: gpd.GeoDataFrame | None, tolerance_km: float
) -> str:
    digest = hashlib.sha256()
    for frame, columns in ((oblasts, ("name", "iso_3166_2")), (countries, ("name", "iso_a3"))):
        if frame is None:
            digest.update(b"none")
            continue
        for wkb in shapely.to_wkb(frame.geometry.to_numpy()):
            digest.update(wkb)
        for column in columns:
            digest.update(repr(_column(frame, column)).encode())
    settings = (BASEMAP_CACHE_VERSION, tolerance_km, DECIMALS, LABEL_BAND_KM, LABEL_MIN_KM2)
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:24]


def basemap_data(
    oblasts: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame | None,
    *,
    tolerance_km: float = SIMPLIFY_KM,
) -> dict[str, Any]:
    """The basemap of the page (``"countries"`` with their labels, ``"oblasts"``), encoded.

    Simplifying and labelling them takes longer than drawing a plan, and they are the same
    on every run with the bundled layers: the result is cached on disk
    (:func:`basemap_cache_dir`), keyed by a hash of the geometries, names and settings, so a
    change of any of them computes it afresh. A cache that cannot be read or written is
    ignored.
    """
    folder = basemap_cache_dir()
    path = None
    if folder is not None:
        path = folder / f"basemap-{_basemap_key(oblasts, countries, tolerance_km)}.json"
        try:
            cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if set(cached) == {"countries", "oblasts"}:
                return cached
        except (OSError, ValueError):
            pass
    oblast_geoms = simplified(oblasts.geometry, tolerance_km=tolerance_km, coverage=True)
    data = {
        "countries": []
        if countries is None
        else _countries_data(countries, oblasts, tolerance_km=tolerance_km),
        "oblasts": [
            {"n": escape(name), "c": escape(code), "g": encode_polygons(geom)}
            for name, code, geom in zip(
                _column(oblasts, "name"), _column(oblasts, "iso_3166_2"), oblast_geoms, strict=True
            )
        ],
    }
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".basemap-", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, separators=(",", ":"), ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass
    return data


def _countries_data(
    countries: gpd.GeoDataFrame, oblasts: gpd.GeoDataFrame, *, tolerance_km: float
) -> list[dict[str, Any]]:
    geoms = simplified(countries.geometry, tolerance_km=tolerance_km, coverage=True)
    labels = country_labels(countries.geometry, shapely.union_all(oblasts.geometry.to_numpy()))
    return [
        {"n": escape(name), "c": escape(code), "g": encode_polygons(geom), "l": label}
        for name, code, geom, label in zip(
            _column(countries, "name"), _column(countries, "iso_a3"), geoms, labels, strict=True
        )
    ]


def country_labels(
    countries: Iterable[BaseGeometry],
    outline: BaseGeometry,
    *,
    band_km: float = LABEL_BAND_KM,
) -> list[list[float] | None]:
    """Where to write each country's name: near Ukraine, where a reader of the map looks.

    The label goes to the pole of inaccessibility (:func:`shapely.ops.polylabel`, in a local
    azimuthal equidistant projection) of the country's largest piece within ``band_km`` of
    ``outline``; a country with less than :data:`LABEL_MIN_KM2` there gets ``None``.

    Returns
    -------
    list
        ``[lat, lon]`` (5 decimals) or ``None``, one per country.
    """
    geoms = list(countries)
    if not geoms:
        return []
    forward, back = _local_transformers([outline])
    projected = shapely.transform(outline, lambda xy: np.column_stack(forward.transform(*xy.T)))
    # A 150 km band needs no 300 m detail: simplified to 1 % of the band first, the buffer
    # takes 2 ms instead of 120 ms and the band's edge moves by at most that 1 %.
    band = shapely.buffer(shapely.simplify(projected, band_km * 10.0), band_km * 1000.0)
    # Only what lies near the band is projected: a box around the outline with 1.5 times the
    # band's width in degrees (the band lies inside it), so Russia is not projected whole.
    west, south, east, north = outline.bounds
    pad_lat = 1.5 * band_km / 111.0
    pad_lon = pad_lat / math.cos(math.radians(min(89.0, max(abs(south), abs(north)) + pad_lat)))
    box = (west - pad_lon, south - pad_lat, east + pad_lon, north + pad_lat)
    labels: list[list[float] | None] = []
    for geom in geoms:
        near = shapely.clip_by_rect(geom, *box)
        projected = shapely.transform(near, lambda xy: np.column_stack(forward.transform(*xy.T)))
        pieces = shapely.get_parts(shapely.intersection(projected, band))
        areas = shapely.area(pieces)
        if not len(pieces) or areas.max() < LABEL_MIN_KM2 * 1e6:
            labels.append(None)
            continue
        pole = polylabel(pieces[int(np.argmax(areas))], tolerance=1000.0)
        lon, lat = back.transform(pole.x, pole.y)
        labels.append([round(lat, DECIMALS), round(lon, DECIMALS)])
    return labels


def _unit_rows(units: gpd.GeoDataFrame, troops: Mapping[str, str]) -> list[list[Any]]:
    rows = []
    for u in units.itertuples(index=False):
        geom = u.geometry
        rows.append(
            [
                *_lat_lon(geom),
                str(u.sidc),
                escape(u.unit_id),
                escape(u.unit_label),
                escape(u.deployment),
                escape(u.unit_type),
                escape(u.echelon),
                escape(troops.get(str(u.unit_id), "")),
                _number(u.km_along, 1),
                _number(u.part, 0),
                _number(u.distance_to_line_km, 1),
                _number(u.nearest_unit_km, 1),
                escape(u.oblast),
                escape(u.point),
                _number(u.distance_to_point_km, 1),
                _number(u.bearing_to_point_deg, 0),
                _number(u.radius_km, 1),
                escape(u.hub),
                _number(u.leg_road_km, 0),
                _number(u.leg_hours, 1),
                escape(getattr(u, "response_point", "")),
                _number(getattr(u, "response_hours", None), 1),
                _number(getattr(u, "notice_h", None), 1),
                _number(getattr(u, "road_kmh", None), 0),
            ]
        )
    return rows


def _radius_text(radii: Iterable[float]) -> str:
    values = sorted({float(r) for r in radii if r == r})
    if not values:
        return ""
    if len(values) == 1:
        return f"{values[0]:g} km"
    return f"{values[0]:g}-{values[-1]:g} km"


def plan_data(
    plan: Plan,
    *,
    key: str,
    hubs: Mapping[str, tuple[float, float]],
    troops: Mapping[str, str] | None = None,
    tolerance_km: float = SIMPLIFY_KM,
) -> dict[str, Any]:
    """One plan's units, coverage (union of the geodesic circles), gaps and logistics legs.

    Each leg keeps its own tail (forward hub → unit) and names its trunk (rear → entry →
    forward hub), which :func:`trunks_data` stores once for all plans.

    Parameters
    ----------
    plan : planner.plan.Plan
    key : str
        Short identifier of the plan in the page (``data-plan`` attribute of its markers).
    hubs : mapping of hub name to (lon, lat)
        Where the forward hubs are (:func:`hub_positions`), to split the legs there.
    troops : mapping of unit id to text, optional
        Troops shown in each unit's popup.
    tolerance_km : float
        Simplification tolerance of the coverage polygons and gap lines.
    """
    coverage = plan.coverage
    union = shapely.union_all(coverage.geometry.to_numpy()) if len(coverage) else None
    [union] = simplified([union], tolerance_km=tolerance_km)
    gaps = plan.gaps
    gap_geoms = simplified(gaps.geometry, tolerance_km=tolerance_km)
    legs = plan.legs
    return {
        "key": key,
        "name": escape(plan.name),
        "radius": _radius_text(plan.units["radius_km"]) if len(plan.units) else "",
        "cols": list(UNIT_COLUMNS),
        "units": _unit_rows(plan.units, troops or {}),
        "coverage": encode_polygons(union),
        "gaps": [
            {
                "g": encode_lines(geom),
                "km": _number(g.length_km, 1),
                "a": _number(g.start_km, 1),
                "b": _number(g.end_km, 1),
                "o": escape(g.oblast),
            }
            for g, geom in zip(gaps.itertuples(index=False), gap_geoms, strict=True)
        ],
        "legs": [
            {
                "t": trunk_key(leg) if trunk is not None else "",
                "g": encode_lines(tail),
                "id": escape(leg.unit_id),
                "km": _number(leg.road_km, 0),
                "h": _number(leg.hours, 1),
            }
            for leg in legs.itertuples(index=False)
            for trunk, tail in [split_leg(leg.geometry, hubs.get(str(leg.forward)))]
        ],
    }


def trunk_key(leg: Any) -> str:
    """The route a supply leg shares with others: 'rear → entry → forward hub' (escaped)."""
    return " \u2192 ".join(escape(x) for x in (leg.rear, leg.entry, leg.forward))


def split_leg(
    geom: BaseGeometry, forward_hub: tuple[float, float] | None
) -> tuple[LineString | None, BaseGeometry]:
    """Split a supply leg at its forward hub: (trunk, shared by the units of that hub; tail).

    Without a hub vertex on the leg (within 1e-6 degree) the whole leg is the tail.
    """
    coords = shapely.get_coordinates(geom)
    if forward_hub is None or geom.geom_type != "LineString" or len(coords) < 3:
        return None, geom
    offsets = np.hypot(coords[:, 0] - forward_hub[0], coords[:, 1] - forward_hub[1])
    at = int(np.argmin(offsets))
    if offsets[at] > 1e-6 or at == 0:
        return None, geom
    tail = LineString(coords[at:]) if at < len(coords) - 1 else shapely.Point(coords[at])
    return LineString(coords[: at + 1]), tail


def trunks_data(plans: Iterable[Plan], hubs: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """The distinct trunks of every plan's supply legs, once: ``{route: encoded line}``."""
    out: dict[str, Any] = {}
    for plan in plans:
        for leg in plan.legs.itertuples(index=False):
            key = trunk_key(leg)
            if key not in out:
                trunk, _ = split_leg(leg.geometry, hubs.get(str(leg.forward)))
                if trunk is not None:
                    out[key] = encode_lines(trunk)
    return out


def hub_positions(hubs: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Hub name → (lon, lat)."""
    return {str(n): (g.x, g.y) for n, g in zip(hubs["name"], hubs.geometry, strict=True)}


def symbols_data(sidcs: Iterable[str]) -> dict[str, list[Any]]:
    """Each distinct SIDC's SVG once: ``{sidc: [svg, width, height, anchor_x, anchor_y]}``."""
    out: dict[str, list[Any]] = {}
    for sidc in sorted({str(s) for s in sidcs}):
        symbol = unit_symbol(sidc)
        out[sidc] = [symbol.svg, symbol.width, symbol.height, symbol.anchor_x, symbol.anchor_y]
    return out


def script_json(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element (``<``, ``>``, ``&`` escaped)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
