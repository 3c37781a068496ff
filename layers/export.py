"""Write layers, with their provenance, for GIS: one GeoPackage, or one file a layer.

:func:`write_layers` writes a mapping of named GeoDataFrames (the four layers; the planner's
units, coverage, gaps and legs) in EPSG:4326, whole or not at all
(:func:`layers.atomic.atomic_output`):

- ``gpkg``: ``out`` is the GeoPackage file, one layer per frame, written as GeoPackage 1.2
  so that older GDAL (e.g. Debian's ``ogrinfo``) reads it without warnings, in one SQLite
  transaction (:mod:`layers.gpkg`: what GDAL's driver writes, without its 5-8 ms of opening
  and closing the file for each layer); each layer's
  provenance is its GDAL layer metadata (``ogrinfo`` shows it) and a row of the non-spatial
  table ``provenance`` (``layer``, ``source``, ``date``, ``licence``, ``derivation``, ``url``).
  With ``styles`` it also holds QGIS's ``layer_styles`` table (QML and SLD, each marked as
  the layer's default, so QGIS draws every layer as styled on load); ``descriptions`` go into
  ``gpkg_contents``; ``tables`` are more non-spatial tables (e.g. a plan's ``summary``).
  Columns named ``date`` holding ``YYYY-MM-DD`` are GeoPackage ``DATE`` columns, and empty
  text is written as NULL.
- ``geojson``, ``kml``, ``csv``: ``out`` is a directory holding ``<layer>.<ext>`` and
  ``<layer>.provenance.json`` per layer (and ``<layer>.qml`` with ``styles``, which QGIS
  reads on load; each of ``tables`` as ``<name>.csv``). GeoJSON follows RFC 7946; KML is
  written by GDAL's LIBKML driver where present (booleans stay booleans), else by its KML
  driver (booleans as 0/1); CSV has a ``WKT`` geometry column, ``lon``/``lat`` columns for
  point layers, and GDAL's ``.csvt`` (column types, so booleans survive) and ``.prj`` (the
  CRS) beside it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.text import csv_safe
from layers.atomic import atomic_output
from layers.gpkg import GpkgTable, write_gpkg
from layers.provenance import provenance_of

__all__ = ["PROVENANCE_FIELDS", "ExportFormat", "LayerStyle", "write_layers"]

ExportFormat = Literal["gpkg", "geojson", "kml", "csv"]

#: Columns of the GeoPackage ``provenance`` table and keys of ``<layer>.provenance.json``.
PROVENANCE_FIELDS = ("layer", "source", "date", "licence", "derivation", "url")

_EXTENSIONS = {"geojson": ".geojson", "kml": ".kml", "csv": ".csv"}

#: Names a layer may not have: the GeoPackage's own tables.
_RESERVED = frozenset({"provenance", "layer_styles"})

_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


_STYLE_COLUMNS = [
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


@dataclass(frozen=True)
class LayerStyle:
    """A layer's style for GIS clients: QGIS's QML and OGC's SLD.

    Attributes
    ----------
    qml : str
        The QGIS style document (``<!DOCTYPE qgis ...>``).
    sld : str
        The same as an OGC Styled Layer Descriptor 1.1, for clients other than QGIS.
    name : str
        The style's name in ``layer_styles``.
    description : str
        What the style shows.
    """

    qml: str
    sld: str
    name: str = "deployplan"
    description: str = ""


_INT32 = np.iinfo(np.int32)

#: format to (GDAL driver, layer creation options); KML's driver is chosen at run time
_DRIVERS: dict[str, tuple[str, dict[str, str] | None]] = {
    "geojson": ("GeoJSON", {"RFC7946": "YES"}),
    "kml": ("KML", None),
    "csv": ("CSV", {"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES"}),
}


def write_layers(
    frames: Mapping[str, gpd.GeoDataFrame],
    out: str | os.PathLike[str],
    *,
    fmt: ExportFormat = "gpkg",
    styles: Mapping[str, LayerStyle] | None = None,
    descriptions: Mapping[str, str] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> list[Path]:
    """Write each frame as a layer named by its key, with its provenance.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        Layer name to layer (any CRS, reprojected to EPSG:4326; provenance read from
        ``.attrs["provenance"]``, empty fields where there is none). The name ``provenance``
        is reserved.
    out : path
        The GeoPackage file for ``fmt="gpkg"``; otherwise a directory, created or replaced.
        An existing directory is replaced only if it is empty or deployplan wrote it (its
        manifest ``.deployplan.json`` lists every file in it), so ``-o .`` cannot wipe a
        folder of other work.
    fmt : {"gpkg", "geojson", "kml", "csv"}
        The format.
    styles : mapping of str to LayerStyle, optional
        Layer name to its style: the ``layer_styles`` table of a GeoPackage (the default
        style of each layer), ``<layer>.qml`` beside a GeoJSON or CSV file.
    descriptions : mapping of str to str, optional
        Layer name to a sentence saying what it holds (``gpkg_contents.description``).
    tables : mapping of str to DataFrame, optional
        More non-spatial tables: GeoPackage tables, or ``<name>.csv`` in a directory.

    Returns
    -------
    list of Path
        The files written: ``[out]`` for a GeoPackage, else every file in ``out`` in layer order.

    Raises
    ------
    OutputError
        If ``out`` cannot be written or replaced; nothing is changed then.
    ValueError
        If a layer name is reserved or not a plain file name, or a frame has no CRS.
    """
    out = Path(out)
    styles = dict(styles or {})
    descriptions = dict(descriptions or {})
    tables = dict(tables or {})
    for name in [*frames, *tables]:
        if name in _RESERVED or not name or Path(name).name != name or name.startswith("."):
            raise ValueError(f"layer name {name!r} is reserved or not a plain file name")
    if set(frames) & set(tables):
        raise ValueError(f"names {sorted(set(frames) & set(tables))} are both layers and tables")
    for name, gdf in frames.items():
        if gdf.crs is None:
            raise ValueError(f"layer {name!r} has no CRS; set one before writing")
    if fmt == "gpkg":
        return _write_gpkg(frames, out, styles, descriptions, tables)
    if fmt not in _EXTENSIONS:
        raise ValueError(f"unknown format {fmt!r}; expected gpkg, geojson, kml or csv")
    return _write_directory(frames, out, fmt, styles, tables)


def _provenance_row(name: str, gdf: gpd.GeoDataFrame) -> dict[str, str]:
    prov = provenance_of(gdf)
    return {"layer": name} | {key: str(prov.get(key) or "") for key in PROVENANCE_FIELDS[1:]}


def _in_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def _nulls(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty text as missing (NULL when written), never the other way round."""
    geometry = getattr(frame, "_geometry_column_name", None)
    copied = False
    for column, values in frame.items():
        if column == geometry or not _is_text(values):
            continue
        empty = np.fromiter(
            (isinstance(v, str) and not v for v in values.tolist()), dtype=bool, count=len(values)
        )
        if empty.any():
            if not copied:  # the caller's frame is left as it is
                frame, copied = frame.copy(), True
            frame[column] = values.where(~empty, None)
    return frame


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)


def _date_columns(frame: pd.DataFrame) -> list[str]:
    """Columns named ``date``/``*_date`` holding only ``YYYY-MM-DD`` text or missing values."""
    found = []
    for column in frame.columns:
        if not (column == "date" or str(column).endswith("_date")):
            continue
        values = frame[column]
        if not _is_text(values):
            continue
        present = [v for v in values.dropna()]
        if all(isinstance(v, str) and _DATE_TEXT.match(v) for v in present):
            try:
                [dt.date.fromisoformat(v) for v in present]
            except ValueError:
                continue
            found.append(str(column))
    return found


def _style_table(
    frames: Mapping[str, gpd.GeoDataFrame], styles: Mapping[str, LayerStyle]
) -> pd.DataFrame:
    """QGIS's ``layer_styles`` table: one default style per styled layer.

    The columns are those QGIS creates when it saves a style into a GeoPackage (its OGR
    provider), so QGIS finds and applies them on load.
    """
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": "geom",
            "styleName": style.name,
            "styleQML": style.qml,
            "styleSLD": style.sld,
            "useAsDefault": True,
            "description": style.description,
            "owner": "",
            "ui": None,
            "update_time": now,
        }
        for name, style in styles.items()
        if name in frames
    ]
    return pd.DataFrame(rows, columns=_STYLE_COLUMNS).astype(
        {"useAsDefault": bool, "update_time": "datetime64[s]"}
    )


def _write_gpkg(
    frames: Mapping[str, gpd.GeoDataFrame],
    out: Path,
    styles: Mapping[str, LayerStyle],
    descriptions: Mapping[str, str],
    tables: Mapping[str, pd.DataFrame],
) -> list[Path]:
    rows = {name: _provenance_row(name, gdf) for name, gdf in frames.items()}
    contents = []
    for name, gdf in frames.items():
        row = rows[name]
        frame = _nulls(_in_wgs84(gdf))
        contents.append(
            GpkgTable(
                name,
                frame,
                descriptions.get(name, ""),
                {key: value for key, value in row.items() if key != "layer" and value},
                _date_columns(frame),
            )
        )
    for name, table in tables.items():
        frame = _nulls(pd.DataFrame(table))
        contents.append(
            GpkgTable(name, frame, descriptions.get(name, ""), {}, _date_columns(frame))
        )
    provenance = pd.DataFrame(list(rows.values()), columns=list(PROVENANCE_FIELDS))
    # its dates are free text ("2024", "v5.1"), whatever a row holds
    contents.append(GpkgTable("provenance", _nulls(provenance)))
    styled = _style_table(frames, styles)
    if len(styled):  # QGIS looks its styles up by f_table_schema = '', so no NULLs here
        contents.append(GpkgTable("layer_styles", styled))
    with atomic_output(out) as tmp:
        write_gpkg(tmp, contents)
        _fsync(tmp)
    return [out]


def _fsync(path: Path) -> None:
    """Flush ``path`` to disk once, since SQLite did not (:func:`layers.gpkg.write_gpkg`)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _kml_driver() -> str:
    import pyogrio

    return "LIBKML" if "LIBKML" in pyogrio.list_drivers(write=True) else "KML"


def _for_kml(gdf: gpd.GeoDataFrame, driver: str) -> gpd.GeoDataFrame:
    """Cast what KML drivers mangle: int64 becomes text (so int32), bool in the KML driver."""
    gdf = gdf.copy()
    for column in gdf.columns:
        values = gdf[column]
        if pd.api.types.is_bool_dtype(values):
            cast = driver == "KML"
        else:
            cast = pd.api.types.is_integer_dtype(values) and (
                values.empty or (values.min() >= _INT32.min and values.max() <= _INT32.max)
            )
        if cast:
            gdf[column] = values.astype(np.int32)
    return gdf


def _for_csv(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``lon``/``lat`` columns to a layer of points, beside the WKT geometry."""
    geoms = gdf.geometry.to_numpy()
    if len(gdf) and (shapely.get_type_id(geoms) == shapely.GeometryType.POINT).all():
        return gdf.assign(lon=shapely.get_x(geoms), lat=shapely.get_y(geoms))
    return gdf


def _write_directory(
    frames: Mapping[str, gpd.GeoDataFrame],
    out: Path,
    fmt: ExportFormat,
    styles: Mapping[str, LayerStyle],
    tables: Mapping[str, pd.DataFrame],
) -> list[Path]:
    import pyogrio  # not at import time: a GeoPackage needs no GDAL (layers.gpkg)

    ext = _EXTENSIONS[fmt]
    written: list[str] = []
    with atomic_output(out, directory=True) as tmp:
        for name, gdf in frames.items():
            before = {entry.name for entry in tmp.iterdir()}
            main = f"{name}{ext}"
            layer = _nulls(_in_wgs84(gdf))
            driver, options = _DRIVERS[fmt]
            if fmt == "kml":
                driver = _kml_driver()
                layer = _for_kml(layer, driver)
            elif fmt == "csv":
                layer = csv_safe(_for_csv(layer))
            pyogrio.write_dataframe(
                layer, tmp / main, layer=name, driver=driver, layer_options=options
            )
            sidecar = tmp / f"{name}.provenance.json"
            sidecar.write_text(
                json.dumps(_provenance_row(name, gdf), indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            if name in styles and fmt in ("geojson", "csv"):
                (tmp / f"{name}.qml").write_text(styles[name].qml, encoding="utf-8")
            extra = sorted({entry.name for entry in tmp.iterdir()} - before - {main, sidecar.name})
            written += [main, *extra, sidecar.name]
        for name, frame in tables.items():
            (tmp / f"{name}.csv").write_text(
                csv_safe(pd.DataFrame(frame)).to_csv(index=False, lineterminator="\n"),
                encoding="utf-8",
            )
            written.append(f"{name}.csv")
    return [out / file_name for file_name in written]
