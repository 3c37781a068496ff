"""A GeoPackage 1.2 written in one SQLite transaction, the way GDAL writes it.

GDAL (through pyogrio) writes one layer a call, and each call opens the file, reads its
schema, adds the layer and closes it again: 5-8 ms a layer however small, about 90 ms of a
plan's 13 layers and tables, half of what ``deployplan plan`` spends beyond its imports.
:func:`write_gpkg` writes the same file with Python's own ``sqlite3`` in one transaction
(a few milliseconds). It follows the GeoPackage 1.2 standard (OGC 12-128r15) and writes
what GDAL's GPKG driver would for the same frames: the core tables, a ``gpkg_rtree_index``
spatial index per feature table with the standard's triggers, GDAL's ``gpkg_ogr_contents``
feature counts, each layer's metadata in GDAL's XML (the metadata extension, so
``ogrinfo`` and ``pyogrio.read_info`` show it), descriptions in ``gpkg_contents``, and the
field types GDAL gives each pandas type. The tests read every file back with GDAL (pyogrio
and Debian's ``ogrinfo``) and QGIS, and compare it with what pyogrio writes.

Geometries are the standard's binary: the ``GP`` header (little-endian, an XY envelope
except for points) followed by ISO WKB from shapely. Frames with a geometry column become
``features`` tables (column ``geom``), other frames ``attributes`` tables.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import struct
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import shapely

__all__ = ["GpkgTable", "write_gpkg"]

_APPLICATION_ID = 0x47504B47  # "GPKG"
_USER_VERSION = 10200  # GeoPackage 1.2
_RTREE_URL = "http://www.geopackage.org/spec120/#extension_rtree"
_METADATA_URL = "http://www.geopackage.org/spec120/#extension_metadata"
_WGS84_DESCRIPTION = "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
_UNDEFINED_CARTESIAN = "undefined Cartesian coordinate reference system"
_UNDEFINED_GEOGRAPHIC = "undefined geographic coordinate reference system"
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
_TYPE_IDS = {name: code for code, name in _TYPE_NAMES.items()}
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}

_CORE = """
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL,srs_id INTEGER NOT NULL PRIMARY KEY,
organization TEXT NOT NULL,organization_coordsys_id INTEGER NOT NULL,definition  TEXT NOT NULL,
description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,data_type TEXT NOT NULL,
identifier TEXT UNIQUE,description TEXT DEFAULT '',last_change DATETIME NOT NULL DEFAULT
(strftime('%Y-%m-%dT%H:%M:%fZ','now')),min_x DOUBLE, min_y DOUBLE,max_x DOUBLE, max_y DOUBLE,
srs_id INTEGER,CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES
gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_ogr_contents(table_name TEXT NOT NULL PRIMARY KEY,feature_count INTEGER
DEFAULT NULL);
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL,column_name TEXT NOT NULL,
geometry_type_name TEXT NOT NULL,srs_id INTEGER NOT NULL,z TINYINT NOT NULL,m TINYINT NOT NULL,
CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),CONSTRAINT uk_gc_table_name
UNIQUE (table_name),CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES
gpkg_contents(table_name),CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES
gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,
definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name,
extension_name));
"""

_METADATA = """
CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,md_scope TEXT
NOT NULL DEFAULT 'dataset',md_standard_uri TEXT NOT NULL,mime_type TEXT NOT NULL DEFAULT
'text/xml',metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL,table_name TEXT,column_name
TEXT,row_id_value INTEGER,timestamp DATETIME NOT NULL DEFAULT
(strftime('%Y-%m-%dT%H:%M:%fZ','now')),md_file_id INTEGER NOT NULL,md_parent_id INTEGER,
CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),CONSTRAINT
crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
"""

#: The spatial index's triggers (GeoPackage 1.2, F.3, as GDAL writes them); {t} is the
#: table, {i} its index table, both quoted.
_RTREE_TRIGGERS = """
CREATE TRIGGER "{n}_insert" AFTER INSERT ON {t} WHEN (new."geom" NOT NULL AND NOT
ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO {i} VALUES (NEW."fid",ST_MinX(NEW."geom"),
ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom")); END;
CREATE TRIGGER "{n}_update1" AFTER UPDATE OF "geom" ON {t} WHEN OLD."fid" = NEW."fid" AND
(NEW."geom" NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN INSERT OR REPLACE INTO {i} VALUES
(NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"), ST_MaxY(NEW."geom"));
END;
CREATE TRIGGER "{n}_update2" AFTER UPDATE OF "geom" ON {t} WHEN OLD."fid" = NEW."fid" AND
(NEW."geom" ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM {i} WHERE id = OLD."fid"; END;
CREATE TRIGGER "{n}_update3" AFTER UPDATE ON {t} WHEN OLD."fid" != NEW."fid" AND (NEW."geom"
NOTNULL AND NOT ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM {i} WHERE id = OLD."fid"; INSERT OR
REPLACE INTO {i} VALUES (NEW."fid",ST_MinX(NEW."geom"), ST_MaxX(NEW."geom"),ST_MinY(NEW."geom"),
ST_MaxY(NEW."geom")); END;
CREATE TRIGGER "{n}_update4" AFTER UPDATE ON {t} WHEN OLD."fid" != NEW."fid" AND (NEW."geom"
ISNULL OR ST_IsEmpty(NEW."geom")) BEGIN DELETE FROM {i} WHERE id IN (OLD."fid", NEW."fid"); END;
CREATE TRIGGER "{n}_delete" AFTER DELETE ON {t} WHEN old."geom" NOT NULL BEGIN DELETE FROM {i}
WHERE id = OLD."fid"; END;
"""

#: GDAL's triggers keeping ``gpkg_ogr_contents.feature_count`` right when QGIS edits a table.
_COUNT_TRIGGERS = """
CREATE TRIGGER "trigger_insert_feature_count_{n}" AFTER INSERT ON {t} BEGIN UPDATE
gpkg_ogr_contents SET feature_count = feature_count + 1 WHERE lower(table_name) = lower({s});
END;
CREATE TRIGGER "trigger_delete_feature_count_{n}" AFTER DELETE ON {t} BEGIN UPDATE
gpkg_ogr_contents SET feature_count = feature_count - 1 WHERE lower(table_name) = lower({s});
END;
"""


@dataclass(frozen=True)
class GpkgTable:
    """One table of a GeoPackage.

    Attributes
    ----------
    name : str
        The table's name.
    frame : DataFrame
        Its rows: a GeoDataFrame (with a CRS that has an EPSG code) makes a ``features``
        table, any other frame an ``attributes`` table. Missing values (None, NaN, NaT) are
        NULL.
    description : str
        ``gpkg_contents.description``.
    metadata : mapping of str to str
        The layer's GDAL metadata (default domain).
    dates : sequence of str
        Text columns of ``YYYY-MM-DD`` to declare as ``DATE``.
    """

    name: str
    frame: pd.DataFrame
    description: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)
    dates: Sequence[str] = ()


def write_gpkg(path: str | Path, tables: Sequence[GpkgTable]) -> None:
    """Write ``tables``, in order, as a new GeoPackage 1.2 at ``path`` (which must not exist).

    SQLite does not sync to disk here (the caller writes a temporary file, flushes it once
    and renames it: :func:`layers.atomic.atomic_output`).

    Raises
    ------
    ValueError
        If a table name repeats, a column is named ``fid`` or ``geom``, or a layer's CRS
        has no EPSG code.
    FileExistsError
        If ``path`` exists.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; write_gpkg writes new files only")
    names = [t.name.lower() for t in tables]
    if len(set(names)) != len(names):
        raise ValueError(f"table names repeat (case-insensitively): {[t.name for t in tables]}")
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {_USER_VERSION}")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA journal_mode = MEMORY")
        db.execute("BEGIN")
        _script(db, _CORE)
        codes = [_epsg(table) for table in tables]  # pyproj's to_epsg, once a table
        _spatial_ref_sys(db, codes)
        if any(t.metadata for t in tables):
            _script(db, _METADATA)
            for extension in ("gpkg_metadata", "gpkg_metadata_reference"):
                db.execute(
                    "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, "
                    "'read-write')",
                    (extension, _METADATA_URL),
                )
        rtree = _has_rtree(db)
        for table, code in zip(tables, codes, strict=True):
            _write_table(db, table, code, now, rtree)
        db.execute("COMMIT")


def _script(db: sqlite3.Connection, template: str, **names: str) -> None:
    """Run the statements of ``template`` in the open transaction (``executescript`` would
    commit it). Statements are told apart by SQLite's own tokenizer (a trigger holds ``;``),
    before ``names`` are put in, so that a name may hold any character."""
    statement = ""
    for piece in template.replace("\n", " ").split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            db.execute(statement.format(**names))
            statement = ""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _has_rtree(db: sqlite3.Connection) -> bool:
    """Whether this SQLite has the R*Tree module (else the file has no spatial index)."""
    try:
        db.execute("CREATE VIRTUAL TABLE temp.dp_rtree_probe USING rtree(id, a, b)")
    except sqlite3.OperationalError:  # pragma: no cover - every common build has it
        return False
    db.execute("DROP TABLE temp.dp_rtree_probe")
    return True


def _epsg(table: GpkgTable) -> int | None:
    crs = getattr(table.frame, "crs", None) if _is_features(table.frame) else None
    if crs is None:
        return None
    code = crs.to_epsg()
    if code is None:
        raise ValueError(
            f"layer {table.name!r} has a CRS without an EPSG code ({crs.name}); reproject it "
            "(e.g. to EPSG:4326) before writing"
        )
    return int(code)


def _spatial_ref_sys(db: sqlite3.Connection, codes: Sequence[int | None]) -> None:
    """The standard's three required rows, and every other CRS the layers use."""
    from pyproj import CRS

    rows: dict[int, tuple[Any, ...]] = {
        -1: ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined", _UNDEFINED_CARTESIAN),
        0: ("Undefined geographic SRS", 0, "NONE", 0, "undefined", _UNDEFINED_GEOGRAPHIC),
    }
    for code in [4326, *(c for c in codes if c is not None)]:
        if code not in rows:
            crs = CRS.from_epsg(code)
            description = _WGS84_DESCRIPTION if code == 4326 else None
            name = "WGS 84 geodetic" if code == 4326 else crs.name
            rows[code] = (name, code, "EPSG", code, crs.to_wkt("WKT1_GDAL"), description)
    db.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", rows.values())


def _is_features(frame: pd.DataFrame) -> bool:
    return getattr(frame, "_geometry_column_name", None) in getattr(frame, "columns", ())


def _write_table(
    db: sqlite3.Connection, table: GpkgTable, srs: int | None, now: str, rtree: bool
) -> None:
    frame = table.frame
    geometry_name = frame._geometry_column_name if _is_features(frame) else None
    columns: list[tuple[str, str, list[Any]]] = []
    for column in frame.columns:
        if column == geometry_name:
            continue
        if str(column).lower() in ("fid", "geom"):
            raise ValueError(
                f"layer {table.name!r} has a column named {column!r}, which the GeoPackage "
                "uses itself; rename it"
            )
        declared, values = _field(table.name, str(column), frame[column], column in table.dates)
        columns.append((str(column), declared, values))
    quoted = _quote(table.name)
    definition = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    geometry = None
    if geometry_name is not None:
        geometry = _geometries(frame[geometry_name], srs or 0)
        definition.append(f'"geom" {geometry.type_name}')
    definition += [f"{_quote(name)} {declared}" for name, declared, _ in columns]
    db.execute(f"CREATE TABLE {quoted} ( {', '.join(definition)})")
    names = ["fid", *(["geom"] if geometry_name is not None else []), *(c for c, _, _ in columns)]
    rows = zip(
        range(1, len(frame) + 1),
        *([geometry.blobs] if geometry is not None else []),
        *(values for _, _, values in columns),
        strict=True,
    )
    marks = ", ".join("?" * len(names))
    db.executemany(f"INSERT INTO {quoted} ({', '.join(map(_quote, names))}) VALUES ({marks})", rows)
    if geometry is not None:
        db.execute(
            "INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
            (table.name, table.name, table.description, now, *geometry.extent(), srs),
        )
        db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, ?, 0)",
            (table.name, geometry.type_name, srs, geometry.z),
        )
        if rtree:
            _spatial_index(db, table.name, geometry)
    else:
        db.execute(
            "INSERT INTO gpkg_contents VALUES (?, 'attributes', ?, ?, ?, NULL, NULL, NULL, "
            "NULL, 0)",
            (table.name, table.name, table.description, now),
        )
    db.execute("INSERT INTO gpkg_ogr_contents VALUES (?, ?)", (table.name, len(frame)))
    literal = "'" + table.name.replace("'", "''") + "'"
    _script(db, _COUNT_TRIGGERS, n=table.name.replace('"', '""'), t=quoted, s=literal)
    if table.metadata:
        _metadata(db, table, now)


def _spatial_index(db: sqlite3.Connection, name: str, geometry: _Encoded) -> None:
    index = f"rtree_{name}_geom"
    quoted = _quote(index)
    db.execute(f"CREATE VIRTUAL TABLE {quoted} USING rtree(id, minx, maxx, miny, maxy)")
    bounds = geometry.bounds[geometry.present]
    fids = np.flatnonzero(geometry.present) + 1
    db.executemany(
        f"INSERT INTO {quoted} VALUES (?, ?, ?, ?, ?)",
        zip(
            fids.tolist(),
            bounds[:, 0].tolist(),
            bounds[:, 2].tolist(),
            bounds[:, 1].tolist(),
            bounds[:, 3].tolist(),
            strict=True,
        ),
    )
    db.execute(
        "INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', ?, 'write-only')",
        (name, _RTREE_URL),
    )
    _script(db, _RTREE_TRIGGERS, n=index.replace('"', '""'), t=_quote(name), i=quoted)


def _metadata(db: sqlite3.Connection, table: GpkgTable, now: str) -> None:
    """The layer's metadata as GDAL writes it (``GDALMultiDomainMetadata``, default domain)."""
    items = "".join(
        f'    <MDI key="{escape(str(key), {chr(34): "&quot;"})}">'
        f"{escape(str(value), {chr(34): '&quot;'})}</MDI>\n"
        for key, value in sorted(table.metadata.items())
    )
    xml = f"<GDALMultiDomainMetadata>\n  <Metadata>\n{items}  </Metadata>\n"
    xml += "</GDALMultiDomainMetadata>\n"
    cursor = db.execute(
        "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
        "VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)",
        (xml,),
    )
    db.execute(
        "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, "
        "md_file_id) VALUES ('table', ?, ?, ?)",
        (table.name, now, cursor.lastrowid),
    )


@dataclass(frozen=True)
class _Encoded:
    """A geometry column as written: declared type, z flag, GeoPackage blobs, and the
    bounds (minx, miny, maxx, maxy) of each row, where ``present`` (not NULL, not empty)."""

    type_name: str
    z: int
    blobs: list[bytes | None]
    bounds: np.ndarray
    present: np.ndarray

    def extent(self) -> tuple[float | None, ...]:
        """``gpkg_contents``' min_x, min_y, max_x, max_y (NULL when nothing is present)."""
        if not self.present.any():
            return (None, None, None, None)
        box = self.bounds[self.present]
        return (
            float(box[:, 0].min()),
            float(box[:, 1].min()),
            float(box[:, 2].max()),
            float(box[:, 3].max()),
        )


def _geometries(geometry: pd.Series, srs: int) -> _Encoded:
    """A geometry column encoded for the GeoPackage (:class:`_Encoded`).

    Its declared type is chosen as pyogrio does: one type is that type; single and multi of
    one kind are promoted to the multi type; anything else is ``GEOMETRY``.
    """
    values = np.asarray(geometry, dtype=object).copy()
    missing = shapely.is_missing(values)
    ids = shapely.get_type_id(values)
    for j in np.flatnonzero(ids == 2):  # a LinearRing is written as the LineString it is
        values[j] = shapely.LineString(values[j].coords)
    ids[ids == 2] = 1
    kinds = {_TYPE_NAMES[int(t)] for t in np.unique(ids[~missing])}
    if len(kinds) == 1:
        kind = kinds.pop()
    elif len(kinds) == 2 and any(_MULTI.get(k) in kinds for k in kinds):
        single = next(k for k in kinds if k in _MULTI)
        kind = _MULTI[single]
        make = {"Point": shapely.MultiPoint, "LineString": shapely.MultiLineString}.get(
            single, shapely.MultiPolygon
        )
        for j in np.flatnonzero(ids == _TYPE_IDS[single]):
            values[j] = make([values[j]])
    else:
        kind = "Geometry"
    has_z = bool(np.any(shapely.has_z(values[~missing]))) if len(values) else False
    dimension = 3 if has_z else 2
    wkb = shapely.to_wkb(values, byte_order=1, flavor="iso", output_dimension=dimension)
    empty = shapely.is_empty(values)
    bounds = shapely.bounds(values)
    blobs: list[bytes | None] = []
    point = kind == "Point"
    for i, body in enumerate(wkb.tolist()):
        if body is None:
            blobs.append(None)
        elif empty[i]:
            blobs.append(b"GP\x00\x11" + struct.pack("<i", srs) + body)
        elif point:
            blobs.append(b"GP\x00\x01" + struct.pack("<i", srs) + body)
        else:
            minx, miny, maxx, maxy = bounds[i]
            header = b"GP\x00\x03" + struct.pack("<i4d", srs, minx, maxx, miny, maxy)
            blobs.append(header + body)
    return _Encoded(kind.upper(), int(has_z), blobs, bounds, ~(missing | empty))


_INTEGER_KINDS = {1: "SMALLINT", 2: "SMALLINT", 4: "MEDIUMINT", 8: "INTEGER"}


def _field(layer: str, name: str, values: pd.Series, date: bool) -> tuple[str, list[Any]]:
    """A column's declared GeoPackage type and its values for SQLite (None for NULL).

    The types GDAL gives pandas' through pyogrio: booleans BOOLEAN, integers SMALLINT /
    MEDIUMINT / INTEGER by width, float32 FLOAT, other floats REAL, datetimes DATETIME,
    text TEXT (``DATE`` where asked).
    """
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN", [None if pd.isna(v) else int(bool(v)) for v in values.tolist()]
    if pd.api.types.is_integer_dtype(dtype):
        width = np.dtype(dtype.numpy_dtype if hasattr(dtype, "numpy_dtype") else dtype).itemsize
        unsigned = pd.api.types.is_unsigned_integer_dtype(dtype)
        kind = _INTEGER_KINDS[min(8, width * 2 if unsigned and width < 8 else width)]
        return kind, [None if pd.isna(v) else int(v) for v in values.tolist()]
    if pd.api.types.is_float_dtype(dtype):
        kind = "FLOAT" if np.dtype(getattr(dtype, "numpy_dtype", dtype)) == np.float32 else "REAL"
        return kind, [None if v != v or v is None else float(v) for v in values.tolist()]
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "DATETIME", [_datetime(v) for v in values.tolist()]
    present = [v for v in values.tolist() if not _missing(v)]
    types = {type(v) for v in present}
    out = [None if _missing(v) else v for v in values.tolist()]
    if all(issubclass(t, str) for t in types):
        return ("DATE" if date else "TEXT"), out
    if all(issubclass(t, (bool, np.bool_)) for t in types):
        return "BOOLEAN", [None if v is None else int(bool(v)) for v in out]
    if all(issubclass(t, (int, np.integer)) and not issubclass(t, bool) for t in types):
        return "INTEGER", [None if v is None else int(v) for v in out]
    if all(issubclass(t, (int, float, np.number)) for t in types):
        return "REAL", [None if v is None else float(v) for v in out]
    if all(issubclass(t, dt.datetime) for t in types):
        return "DATETIME", [_datetime(v) for v in out]
    if all(issubclass(t, dt.date) for t in types):
        return "DATE", [None if v is None else v.isoformat() for v in out]
    if all(issubclass(t, bytes) for t in types):
        return "BLOB", out
    return "TEXT", [None if v is None else str(v) for v in out]  # as pyogrio: text of each


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _datetime(value: object) -> str | None:
    """A datetime as GDAL writes it: ISO 8601 to the millisecond, ``Z`` when in UTC."""
    if _missing(value):
        return None
    stamp = pd.Timestamp(value)
    suffix = ""
    if stamp.tzinfo is not None:
        stamp, suffix = stamp.tz_convert("UTC").tz_localize(None), "Z"
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}" + suffix
