"""Write layers, with their provenance, for GIS: one GeoPackage, or one file a layer.

:func:`write_layers` writes a mapping of named GeoDataFrames (the four layers; the planner's
units, coverage, gaps and legs) in EPSG:4326, whole or not at all
(:func:`layers.atomic.atomic_output`):

- ``gpkg``: ``out`` is the GeoPackage file, one layer per frame, written as GeoPackage 1.2
  so that older GDAL (e.g. Debian's ``ogrinfo``) reads it without warnings; each layer's
  provenance is its GDAL layer metadata (``ogrinfo`` shows it) and a row of the non-spatial
  table ``provenance`` (``layer``, ``source``, ``date``, ``licence``, ``derivation``, ``url``).
- ``geojson``, ``kml``, ``csv``: ``out`` is a directory holding ``<layer>.<ext>`` and
  ``<layer>.provenance.json`` per layer. GeoJSON follows RFC 7946; KML is written by GDAL's
  LIBKML driver where present (booleans stay booleans), else by its KML driver (booleans as
  0/1); CSV has a ``WKT`` geometry column, ``lon``/``lat`` columns for point layers, and
  GDAL's ``.csvt`` (column types, so booleans survive) and ``.prj`` (the CRS) beside it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from layers.atomic import atomic_output
from layers.provenance import provenance_of

__all__ = ["PROVENANCE_FIELDS", "ExportFormat", "write_layers"]

ExportFormat = Literal["gpkg", "geojson", "kml", "csv"]

#: Columns of the GeoPackage ``provenance`` table and keys of ``<layer>.provenance.json``.
PROVENANCE_FIELDS = ("layer", "source", "date", "licence", "derivation", "url")

_EXTENSIONS = {"geojson": ".geojson", "kml": ".kml", "csv": ".csv"}

#: What a directory written by :func:`write_layers` may hold, so it may be replaced.
_OWN_SUFFIXES = frozenset({".geojson", ".kml", ".csv", ".csvt", ".prj", ".json"})

_INT32 = np.iinfo(np.int32)

#: SQLite settings for writing the GeoPackage: no sync to disk after each of GDAL's many
#: transactions and the rollback journal kept in memory (more than halves the time of a
#: plan's eight layers). Safe only because the file is a temporary one that is flushed once,
#: then renamed onto the target, or deleted if anything fails (:func:`atomic_output`).
_SQLITE_UNSAFE_FAST = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_JOURNAL": "MEMORY"}

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
        An existing directory is replaced only if it holds nothing but files such as this
        function writes, so ``-o .`` cannot wipe a folder of other work.
    fmt : {"gpkg", "geojson", "kml", "csv"}
        The format.

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
    for name, gdf in frames.items():
        if name == "provenance" or not name or Path(name).name != name or name.startswith("."):
            raise ValueError(f"layer name {name!r} is reserved or not a plain file name")
        if gdf.crs is None:
            raise ValueError(f"layer {name!r} has no CRS; set one before writing")
    if fmt == "gpkg":
        return _write_gpkg(frames, out)
    if fmt not in _EXTENSIONS:
        raise ValueError(f"unknown format {fmt!r}; expected gpkg, geojson, kml or csv")
    return _write_directory(frames, out, fmt)


def _provenance_row(name: str, gdf: gpd.GeoDataFrame) -> dict[str, str]:
    prov = provenance_of(gdf)
    return {"layer": name} | {key: str(prov.get(key) or "") for key in PROVENANCE_FIELDS[1:]}


def _in_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf if gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


@contextmanager
def _gdal_config(options: Mapping[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the ``with`` block, then restore the old values."""
    old = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(dict(options))
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(old)


def _write_gpkg(frames: Mapping[str, gpd.GeoDataFrame], out: Path) -> list[Path]:
    with atomic_output(out) as tmp, _gdal_config(_SQLITE_UNSAFE_FAST):
        for i, (name, gdf) in enumerate(frames.items()):
            row = _provenance_row(name, gdf)
            pyogrio.write_dataframe(
                _in_wgs84(gdf),
                tmp,
                layer=name,
                driver="GPKG",
                append=i > 0,
                dataset_options={"VERSION": "1.2"} if i == 0 else None,
                metadata={key: value for key, value in row.items() if key != "layer" and value},
            )
        table = pd.DataFrame(
            [_provenance_row(name, gdf) for name, gdf in frames.items()],
            columns=list(PROVENANCE_FIELDS),
        )
        pyogrio.write_dataframe(
            table,
            tmp,
            layer="provenance",
            driver="GPKG",
            append=bool(frames),
            dataset_options=None if frames else {"VERSION": "1.2"},
        )
        _fsync(tmp)
    return [out]


def _fsync(path: Path) -> None:
    """Flush ``path`` to disk once, since SQLite did not (see :data:`_SQLITE_UNSAFE_FAST`)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _kml_driver() -> str:
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
    frames: Mapping[str, gpd.GeoDataFrame], out: Path, fmt: ExportFormat
) -> list[Path]:
    ext = _EXTENSIONS[fmt]
    written: list[str] = []
    with atomic_output(out, directory=True, own_suffixes=_OWN_SUFFIXES) as tmp:
        for name, gdf in frames.items():
            before = {entry.name for entry in tmp.iterdir()}
            main = f"{name}{ext}"
            layer = _in_wgs84(gdf)
            driver, options = _DRIVERS[fmt]
            if fmt == "kml":
                driver = _kml_driver()
                layer = _for_kml(layer, driver)
            elif fmt == "csv":
                layer = _for_csv(layer)
            pyogrio.write_dataframe(
                layer, tmp / main, layer=name, driver=driver, layer_options=options
            )
            sidecar = tmp / f"{name}.provenance.json"
            sidecar.write_text(
                json.dumps(_provenance_row(name, gdf), indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
            extra = sorted({entry.name for entry in tmp.iterdir()} - before - {main, sidecar.name})
            written += [main, *extra, sidecar.name]
    return [out / file_name for file_name in written]
