"""Read a user's vector file into a layer, validated once, at the door.

:func:`read_vector` reads GeoJSON, GeoPackage, Shapefile, KML and CSV through pyogrio and
returns a GeoDataFrame in EPSG:4326 that everything downstream can trust, or raises an
:class:`~geo.errors.InputError` whose one-line message names the file, says what arrived and
how to fix it. The checks, in order:

1. the file exists, is a file, is not empty, and GDAL reads it as a vector file;
2. it has exactly one layer with geometry, or the layer asked for;
3. it has features, each with a geometry of the right kind (points where a line is needed
   are refused, except the lon/lat rows of a CSV, which are a line's vertices), collections
   flattened, Z dropped;
4. coordinates are finite;
5. a CRS: the file's own, else the ``crs`` given; none at all is an error (**refuse, don't
   guess**: a CSV or a Shapefile without ``.prj`` needs ``--crs``); a ``crs`` given for a file
   that has one is not used;
6. in range for a geographic CRS, then reprojected to EPSG:4326;
7. geometry valid (``shapely.is_valid_reason``), and lines simple (no self-intersection);
8. inside the expected region (Ukraine's, or Europe's for hubs); a layer that lies outside
   but inside once x and y are swapped is named as having latitude and longitude swapped.

A ``name`` column spelt ``Name`` or ``NAME`` (as KML gives it) is renamed ``name``. A layer
written by :func:`layers.export.write_layers` keeps the provenance stored with it.
"""

from __future__ import annotations

import json
import os
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseMultipartGeometry

from geo.errors import CRSError, GeometryError, InputError
from geo.text import control_problem
from layers.atomic import note_input
from layers.provenance import Provenance, attach

__all__ = [
    "EUROPE",
    "FORMATS",
    "UKRAINE",
    "Kind",
    "Region",
    "parse_crs",
    "read_vector",
]

Kind = Literal["line", "point", "polygon"]

FORMATS = "GeoJSON, GeoPackage, Shapefile, KML or CSV"

_EXPECTED = {
    "line": ("LineString", "lines (LineString or MultiLineString)"),
    "point": ("Point", "points (Point)"),
    "polygon": ("Polygon", "polygons (Polygon or MultiPolygon)"),
}

#: CSV open options: lon/lat columns or a WKT column, matched case-insensitively by GDAL.
_CSV_OPTIONS = {
    "X_POSSIBLE_NAMES": "lon,lng,long,longitude,x",
    "Y_POSSIBLE_NAMES": "lat,latitude,y",
    "GEOM_POSSIBLE_NAMES": "wkt,geometry,geom,the_geom",
    "KEEP_GEOM_COLUMNS": "NO",
}

#: Fields LIBKML adds to every KML layer; they say nothing about the features.
#: Formats that hold one layer, known by the suffix: read without opening them first, so a
#: large file is parsed once
_SINGLE_LAYER = {".geojson": "GeoJSON", ".csv": "CSV", ".shp": "ESRI Shapefile"}

#: GDAL settings while reading: no limit on the size of one GeoJSON object (a line of
#: millions of vertices is one object; GDAL's default refuses those over 200 MB in memory)
_READ_CONFIG = {"OGR_GEOJSON_MAX_OBJ_SIZE": "0"}

_KML_BOILERPLATE = (
    "id",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
)


@dataclass(frozen=True)
class Region:
    """A lon/lat box that a layer's features must lie in.

    Parameters
    ----------
    name : str
        How messages name it, e.g. ``"Ukraine"``.
    west, south, east, north : float
        Bounds in degrees.
    """

    name: str
    west: float
    south: float
    east: float
    north: float

    def holds(self, bounds: np.ndarray) -> np.ndarray:
        """Return whether each row ``(minx, miny, maxx, maxy)`` of ``bounds`` lies inside."""
        return (
            (bounds[:, 0] >= self.west)
            & (bounds[:, 1] >= self.south)
            & (bounds[:, 2] <= self.east)
            & (bounds[:, 3] <= self.north)
        )

    def describe(self) -> str:
        """Return the box as text for messages."""
        return f"lon {self.west:g} to {self.east:g}, lat {self.south:g} to {self.north:g}"


#: Ukraine (lon 22.1-40.2, lat 44.4-52.4) with a margin of about 2 degrees; its lat/lon
#: mirror image (lon 43-54, lat 20-42.5) does not overlap it, so swaps are unambiguous.
UKRAINE = Region("Ukraine", 20.0, 42.5, 42.5, 54.0)

#: Europe from the Azores to the Urals' foot, for logistics hubs (rear hubs lie in the west).
EUROPE = Region("Europe", -25.0, 34.0, 45.0, 72.0)


def parse_crs(crs: str | pyproj.CRS) -> pyproj.CRS:
    """Return the CRS that ``crs`` names (e.g. ``"EPSG:4326"``), as given with ``--crs``.

    Raises
    ------
    CRSError
        If pyproj does not know it.

    Examples
    --------
    >>> parse_crs("EPSG:32636").name
    'WGS 84 / UTM zone 36N'
    """
    if isinstance(crs, pyproj.CRS):
        return _check_map_crs(crs, f"--crs '{crs.name}'")
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"unknown --crs '{crs}'; give an EPSG code such as EPSG:4326 (lon/lat) "
            "or EPSG:32636 (UTM zone 36N)"
        ) from None
    return _check_map_crs(parsed, f"--crs '{crs}'")


def _check_map_crs(crs: pyproj.CRS, what: str) -> pyproj.CRS:
    """Refuse a CRS that is not a 2-D map of the Earth (geocentric, vertical, engineering)."""
    if crs.is_geocentric:
        kind = "geocentric (x, y, z from the Earth's centre)"
    elif crs.is_vertical and not (crs.is_geographic or crs.is_projected):
        kind = "vertical (heights only)"
    elif not (crs.is_geographic or crs.is_projected) and crs.type_name != "Compound CRS":
        kind = f"a {crs.type_name.lower() or 'non-map CRS'}"
    else:
        return crs
    raise CRSError(
        f"{what} ({_crs_name(crs)}) is {kind}, not a map's CRS; give a geographic or projected "
        "CRS such as EPSG:4326 (lon/lat) or EPSG:32636 (UTM zone 36N)"
    )


def read_vector(
    path: str | os.PathLike[str],
    *,
    kind: Kind,
    crs: str | pyproj.CRS | None = None,
    layer: str | None = None,
    what: str = "line file",
    region: Region | None = UKRAINE,
    layer_option: str | None = "--line-layer",
    default_layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of a user's vector file, validate it and return it in EPSG:4326.

    Parameters
    ----------
    path : path
        GeoJSON, GeoPackage, Shapefile (``.shp``), KML or CSV. A CSV holds lon/lat columns
        (``lon``/``lng``/``longitude``/``x`` and ``lat``/``latitude``/``y``) or a WKT column
        (``wkt``/``geometry``/``geom``); it carries no CRS unless a ``.prj`` sits beside it.
        For ``kind="line"``, a CSV of lon/lat rows is the line's vertices in file order, one
        line per value of its ``part`` column if it has one.
    kind : {"line", "point", "polygon"}
        The geometry the layer must hold. Multi-part and collection geometries are accepted
        when all their parts are of this kind; a point must be a single point.
    crs : str or pyproj.CRS, optional
        The CRS of a file that carries none (``--crs``). A file's own CRS wins.
    layer : str, optional
        The layer to read from a multi-layer file (GeoPackage, KML with folders).
    what : str
        How messages name the file, e.g. ``"line file"``, ``"hubs file"``.
    region : Region or None
        Where the features must lie (default :data:`UKRAINE`); ``None`` checks nothing.
    layer_option : str or None
        The command-line option that picks a layer, named in the message when a file has
        several; ``None`` says to keep one layer in the file instead.
    default_layer : str or None
        The layer to read from a multi-layer file when ``layer`` is not given and the file
        has a layer of this name (``"points"`` reads the points of a GeoPackage written by
        ``deployplan layers``).

    Returns
    -------
    GeoDataFrame
        The file's attribute columns and a 2-D ``geometry`` in EPSG:4326, index 0..n-1; its
        provenance (the file, the driver, any reprojection) in ``.attrs["provenance"]``.

    Raises
    ------
    InputError
        Missing, unreadable or empty file; several layers and none chosen.
    CRSError
        No CRS and none given; an unknown ``crs``.
    GeometryError
        Wrong geometry kind, missing, invalid or self-intersecting geometry, non-finite or
        out-of-range coordinates, features outside ``region`` or with lat/lon swapped.
    """
    import pyogrio  # not at import time: planning on the bundled layers never needs GDAL
    from pyogrio.errors import DataLayerError, DataSourceError

    path = Path(path)
    label = f"{what} '{path.name}'"
    given_crs = None if crs is None else parse_crs(crs)
    note_input(path)
    with _gdal_config(_READ_CONFIG):
        layer_name, driver = _choose_layer(path, layer, label, layer_option, default_layer)
        options = _CSV_OPTIONS if driver == "CSV" else {}
        with warnings.catch_warnings():
            # NaN coordinates make shapely warn while decoding; they are reported below instead.
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            try:
                frame = pyogrio.read_dataframe(path, layer=layer_name, **options)
            except (DataSourceError, DataLayerError) as exc:
                raise InputError(
                    f"cannot read {label} as a vector file ({_first_line(exc, path)}); give "
                    f"{FORMATS}"
                ) from None
            except UnicodeDecodeError:
                raise InputError(
                    f"cannot read {label}: its names or text are not UTF-8; save it as UTF-8 "
                    f"(or give {FORMATS})"
                ) from None
            except shapely.errors.GEOSException as exc:
                detail = str(exc).split(":", 1)[-1].strip()
                hint = (
                    "; a line needs at least two vertices"
                    if "point array must contain" in detail
                    else ""
                )
                raise GeometryError(
                    f"{label} holds a geometry that cannot be decoded ({detail}){hint}; fix "
                    "or remove that feature"
                ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        hint = " (lon/lat columns or a WKT column)" if driver == "CSV" else ""
        raise GeometryError(f"{label} has no geometry{hint}; give a file of {_EXPECTED[kind][1]}")
    if len(frame) == 0:
        raise GeometryError(f"{label} has no features; give a file with at least one {kind}")
    gdf = _tidy_columns(frame, driver)
    _check_text(gdf, label)
    _check_present(gdf, label)
    if driver == "CSV" and kind == "line" and _all_points(gdf):
        gdf = _vertices_to_lines(gdf, label)
    gdf = _check_geometry_kind(gdf, kind, label)
    _check_finite(gdf, label)
    source_crs = _source_crs(gdf, given_crs, label, driver, path)
    gdf = gdf.set_crs(source_crs, allow_override=True)
    if source_crs.is_geographic:
        _check_lonlat_range(gdf, label, source_crs)
    reprojected = not source_crs.equals(pyproj.CRS.from_epsg(4326))
    if reprojected:
        gdf = gdf.to_crs("EPSG:4326")
        _check_finite(gdf, label, after=source_crs)
    _check_valid(gdf, kind, label)
    if region is not None:
        _check_region(gdf, region, label)
    read = f"read by deployplan from {path} ({driver}"
    read += f", layer '{layer_name}'" if layer_name is not None else ""
    read += f", reprojected from {_crs_name(source_crs)})" if reprojected else ")"
    stored = _stored_provenance(path, layer_name, driver)
    if stored is None:
        prov = Provenance(
            source=f"user file {path.name}",
            date="",
            licence="not stated (the user's own file)",
            derivation=read,
        )
    else:
        prov = replace(stored, derivation=f"{stored.derivation}; then {read}")
    return attach(gdf.reset_index(drop=True), prov)


def _stored_provenance(path: Path, layer: str | None, driver: str) -> Provenance | None:
    """Return the provenance that :func:`layers.export.write_layers` stored with a layer.

    That is the row of a GeoPackage's ``provenance`` table, or ``<layer>.provenance.json``
    beside the file; ``None`` if there is none or it cannot be read (it is optional).
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    fields = ("source", "date", "licence", "derivation", "url")
    try:
        if driver == "GPKG":
            if "provenance" not in pyogrio.list_layers(path)[:, 0]:
                return None
            table = pyogrio.read_dataframe(path, layer="provenance")
            rows = table[table["layer"] == layer]
            record = rows.iloc[0].to_dict() if len(rows) == 1 else None
        else:
            sidecar = path.with_suffix(".provenance.json")
            record = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
        if not isinstance(record, dict):
            return None
        values = {key: record.get(key) for key in fields}
        if not all(isinstance(values[key], str) for key in fields[:4]) or not values["source"]:
            return None
        return Provenance.from_dict({**values, "url": values["url"] or None})
    except (DataSourceError, DataLayerError, OSError, ValueError, KeyError):
        return None


def _first_line(exc: BaseException, path: Path | None = None) -> str:
    """GDAL's message, first line, without the file's path, GDAL's generic advice or a final
    period, cut to a readable length."""
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = " ".join(text.splitlines()[0].split())
    if path is not None:
        line = line.replace(f"'{path}' ", "").replace(f"{path}: ", "").replace(str(path), "file")
    parts = [p.strip().rstrip(".") for p in line.split(";")]
    parts = [p for p in parts if p and not p.startswith("It might help")]
    line = "; ".join(parts) or type(exc).__name__
    line = line[:1].upper() + line[1:]
    return line if len(line) <= 200 else line[:197] + "..."


@contextmanager
def _gdal_config(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the ``with`` block, then restore the old values."""
    import pyogrio

    old = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def _check_file(path: Path, label: str) -> None:
    """A regular file that exists and is not empty (a FIFO or device would block or not end)."""
    try:
        mode = os.stat(path).st_mode
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise InputError(f"{label} does not exist; check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror}; check the path") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{label} is a directory; give a vector file ({FORMATS})")
    if not stat.S_ISREG(mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or special file"
        raise InputError(f"{label} is {kind}, not a file; give a vector file ({FORMATS})")
    if size == 0:
        raise InputError(f"{label} is empty (0 bytes); give a vector file ({FORMATS})")


def _choose_layer(
    path: Path,
    layer: str | None,
    label: str,
    layer_option: str | None,
    default_layer: str | None,
) -> tuple[str | None, str]:
    """Return the layer to read and the driver GDAL uses, after the door checks on the file."""
    import pyogrio
    from pyogrio.errors import DataSourceError

    _check_file(path, label)
    single = _SINGLE_LAYER.get(path.suffix.lower())
    if single is not None and layer is None:
        return None, single  # one layer only: opened once, by the read itself
    try:
        info = pyogrio.list_layers(path)
        driver = str(pyogrio.read_info(path, layer=info[0][0])["driver"]) if len(info) else ""
    except DataSourceError as exc:
        raise InputError(
            f"cannot read {label} as a vector file ({_first_line(exc, path)}); give {FORMATS}"
        ) from None
    except UnicodeDecodeError:  # a layer's or field's name, read while listing the layers
        raise InputError(
            f"cannot read {label}: its layer or field names are not UTF-8; save it as UTF-8 "
            f"(or give {FORMATS})"
        ) from None
    names = [str(name) for name, _ in info]
    spatial = [str(name) for name, geometry_type in info if geometry_type is not None]
    if layer is not None:
        if layer not in names:
            raise InputError(f"{label} has no layer '{layer}'; its layers: {', '.join(names)}")
        return layer, driver
    if len(spatial) > 1 and default_layer in spatial:
        return default_layer, driver
    if len(spatial) > 1:
        if layer_option:
            fix = f"choose one with {layer_option} NAME"
        elif default_layer:
            fix = f"name the one to use '{default_layer}', or keep only it in the file"
        else:
            fix = "keep only the one you mean in the file"
        raise InputError(f"{label} has {len(spatial)} layers ({', '.join(spatial)}); {fix}")
    if spatial:
        return spatial[0], driver
    if not names:
        raise GeometryError(f"{label} has no layers and no features; give a file with data")
    return names[0], driver


def _tidy_columns(gdf: gpd.GeoDataFrame, driver: str) -> gpd.GeoDataFrame:
    """Name the geometry column ``geometry``, drop KML boilerplate, spell ``name`` in lower case."""
    if gdf.geometry.name != "geometry":
        gdf = gdf.rename_geometry("geometry")
    if driver in ("KML", "LIBKML"):
        gdf = gdf.drop(columns=[c for c in _KML_BOILERPLATE if c in gdf.columns])
    if "name" not in gdf.columns:
        spelt = [c for c in gdf.columns if str(c).lower() == "name"]
        if spelt:
            gdf = gdf.rename(columns={spelt[0]: "name"})
    return gdf


def _feature(gdf: gpd.GeoDataFrame, i: int) -> str:
    """Name feature ``i`` for a message: its number (from 1) and its name if it has one."""
    name = gdf["name"].iloc[i] if "name" in gdf.columns else None
    return f"feature {i + 1}" + (f" ('{name}')" if isinstance(name, str) and name else "")


_TEXT_COLUMNS = ("name", "note", "label", "id")


def _check_text(gdf: gpd.GeoDataFrame, label: str) -> None:
    """Refuse control characters in the name, note, label and id columns (maps, KML, CSV)."""
    for column in gdf.columns:
        if str(column).lower() not in _TEXT_COLUMNS or gdf[column].dtype.kind in "biufcmM":
            continue
        for i, value in enumerate(gdf[column].to_numpy()):
            control = control_problem(value)
            if control:
                raise InputError(f"{label} feature {i + 1} column '{column}' {control} there")


def _check_present(gdf: gpd.GeoDataFrame, label: str) -> None:
    geoms = gdf.geometry.to_numpy()
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise GeometryError(
            f"{label} {_feature(gdf, int(missing[0]))} has no geometry; "
            "remove the feature or give it one"
        )


def _all_points(gdf: gpd.GeoDataFrame) -> bool:
    return bool((shapely.get_type_id(gdf.geometry.to_numpy()) == shapely.GeometryType.POINT).all())


def _vertices_to_lines(gdf: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    """Join a CSV's point rows, in file order, into a line (one per ``part`` if that column exists).

    Each line keeps the other columns of its first row.
    """
    groups = gdf.groupby("part", sort=False) if "part" in gdf.columns else [(None, gdf)]
    rows, lines = [], []
    for part, group in groups:
        if len(group) < 2:
            which = f" of part {part}" if part is not None else ""
            raise GeometryError(
                f"{label} has {len(group)} vertex{which} (lon/lat row) where a line needs at "
                "least 2; give one row per vertex, in order along the line"
            )
        rows.append(group.drop(columns=gdf.geometry.name).iloc[0])
        lines.append(shapely.linestrings(shapely.get_coordinates(group.geometry.to_numpy())))
    return gpd.GeoDataFrame(rows, geometry=lines, crs=gdf.crs).reset_index(drop=True)


def _check_geometry_kind(gdf: gpd.GeoDataFrame, kind: Kind, label: str) -> gpd.GeoDataFrame:
    """Refuse geometries of another kind; flatten collections, drop Z."""
    geoms = gdf.geometry.to_numpy()
    atomic, expected = _EXPECTED[kind]
    rebuilt = []
    for i, geom in enumerate(shapely.force_2d(geoms)):
        parts = _atomic_parts(geom)
        types = sorted({part.geom_type for part in parts})
        if types != [atomic]:
            raise GeometryError(
                f"{label} holds {' and '.join(types)} geometry ({_feature(gdf, i)}) where "
                f"{expected} are needed; give a file of {kind}s"
            )
        if kind == "point":
            if len(parts) > 1:
                raise GeometryError(
                    f"{label} {_feature(gdf, i)} is a MultiPoint of {len(parts)} points where "
                    "a single point is needed; give one point per feature"
                )
            rebuilt.append(parts[0])
        elif len(parts) == 1:
            rebuilt.append(parts[0])
        else:
            rebuilt.append(
                shapely.multilinestrings(parts) if kind == "line" else shapely.multipolygons(parts)
            )
    return gdf.set_geometry(gpd.GeoSeries(rebuilt, index=gdf.index, crs=gdf.crs))


def _atomic_parts(geom: shapely.Geometry) -> list[shapely.Geometry]:
    """Return the single-part geometries of ``geom``, collections opened recursively."""
    if isinstance(geom, BaseMultipartGeometry):  # Multi* and GeometryCollection
        return [part for sub in geom.geoms for part in _atomic_parts(sub)]
    return [geom]


def _check_finite(gdf: gpd.GeoDataFrame, label: str, *, after: pyproj.CRS | None = None) -> None:
    for i, geom in enumerate(gdf.geometry.to_numpy()):
        coords = shapely.get_coordinates(geom)
        if not np.isfinite(coords).all():
            if after is not None:
                raise GeometryError(
                    f"{label} {_feature(gdf, i)} cannot be reprojected from {_crs_name(after)} "
                    "to EPSG:4326 (it lies outside that CRS's area); check the file's CRS or --crs"
                )
            raise GeometryError(
                f"{label} {_feature(gdf, i)} has NaN or infinite coordinates; "
                "fix or remove those vertices"
            )


def _source_crs(
    gdf: gpd.GeoDataFrame,
    given: pyproj.CRS | None,
    label: str,
    driver: str,
    path: Path | None = None,
) -> pyproj.CRS:
    if gdf.crs is not None:
        return _check_map_crs(pyproj.CRS.from_user_input(gdf.crs), f"the CRS of {label}")
    if given is not None:
        return given
    prj = path.with_suffix(".prj") if path is not None else None
    if driver in ("CSV", "ESRI Shapefile") and prj is not None and prj.exists():
        raise CRSError(
            f"{label} has a .prj beside it ('{prj.name}') that GDAL cannot read as a CRS; fix "
            f"it (a WKT CRS, as QGIS writes) or pass --crs EPSG:4326 (or the file's real CRS)"
        )
    sidecar = "add a .prj beside it" if driver in ("CSV", "ESRI Shapefile") else "give it one"
    raise CRSError(f"{label} has no CRS; pass --crs EPSG:4326 (or its real CRS) or {sidecar}")


def _check_lonlat_range(gdf: gpd.GeoDataFrame, label: str, crs: pyproj.CRS) -> None:
    for i, geom in enumerate(gdf.geometry.to_numpy()):
        coords = shapely.get_coordinates(geom)
        bad = (np.abs(coords[:, 0]) > 180.0) | (np.abs(coords[:, 1]) > 90.0)
        if bad.any():
            x, y = coords[np.argmax(bad)]
            raise GeometryError(
                f"{label} {_feature(gdf, i)} has coordinates ({x:g}, {y:g}) out of lon/lat range "
                f"for its CRS {_crs_name(crs)}; if they are metres, give the file its real CRS "
                "(--crs or a .prj) or reproject it to EPSG:4326"
            )


def _check_valid(gdf: gpd.GeoDataFrame, kind: Kind, label: str) -> None:
    geoms = gdf.geometry.to_numpy()
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if invalid.size:
        i = int(invalid[0])
        raise GeometryError(
            f"{label} {_feature(gdf, i)} is invalid ({shapely.is_valid_reason(geoms[i])}); "
            "repair it (e.g. QGIS 'Fix geometries' or shapely.make_valid) and try again"
        )
    if kind != "line":
        return
    for i, geom in enumerate(geoms):
        for part in _atomic_parts(geom):
            if not part.is_simple:
                where = _self_intersection(part)
                raise GeometryError(
                    f"{label} {_feature(gdf, i)} crosses itself{where}; a line must not "
                    "self-intersect: remove the loop and try again"
                )


def _self_intersection(line: shapely.LineString) -> str:
    """Return ``" near lon X, lat Y"`` for a point where ``line`` meets itself, or ``""``."""
    segments = shapely.get_parts(shapely.node(line))
    ends = np.concatenate(
        [
            shapely.get_coordinates(shapely.get_point(segments, 0)),
            shapely.get_coordinates(shapely.get_point(segments, -1)),
        ]
    )
    points, counts = np.unique(ends, axis=0, return_counts=True)
    hits = points[counts > 2]
    return f" near lon {hits[0][0]:.5f}, lat {hits[0][1]:.5f}" if len(hits) else ""


def _check_region(gdf: gpd.GeoDataFrame, region: Region, label: str) -> None:
    bounds = shapely.bounds(gdf.geometry.to_numpy())
    inside = region.holds(bounds)
    if inside.all():
        return
    swapped = region.holds(bounds[:, [1, 0, 3, 2]])
    if swapped.all():
        raise GeometryError(
            f"{label} has latitude and longitude swapped: it lies outside {region.name} and "
            f"inside it once x and y are exchanged; swap the columns (x/lon first, then y/lat) "
            "and try again"
        )
    i = int(np.flatnonzero(~inside)[0])
    minx, miny, maxx, maxy = bounds[i]
    raise GeometryError(
        f"{label} {_feature(gdf, i)} lies outside {region.name} (lon {minx:.2f} to {maxx:.2f}, "
        f"lat {miny:.2f} to {maxy:.2f}; expected {region.describe()}); check the file and its CRS"
    )


def _crs_name(crs: pyproj.CRS) -> str:
    code = crs.to_authority()
    return f"{code[0]}:{code[1]}" if code else crs.name
