"""The GeoPackage writer (:mod:`layers.gpkg`) against GDAL's own, read back by GDAL.

Each file is written twice, by :func:`layers.gpkg.write_gpkg` and by pyogrio (GDAL's GPKG
driver, the reference), and both are read back with pyogrio: the same layers in the same
order, the same field types, geometry types, CRS, rows and metadata. Debian's older
``ogrinfo`` is a second reader, and SQLite checks the file's integrity and foreign keys.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

from layers.gpkg import GpkgTable, write_gpkg


def _typed_frame() -> gpd.GeoDataFrame:
    """Every column type deployplan writes, with missing values, and promoted geometries."""
    n = 4
    return gpd.GeoDataFrame(
        {
            "flag": np.array([True, False, True, False]),
            "small": np.array([1, -2, 3, 4], dtype=np.int16),
            "medium": np.array([1, 2, -3, 2**30], dtype=np.int32),
            "big": np.array([1, 2, 3, 2**40], dtype=np.int64),
            "maybe": pd.array([1, None, 3, 4], dtype="Int64"),
            "single": np.array([0.5, 1.5, np.nan, 2.5], dtype=np.float32),
            "double": np.array([0.1, np.nan, 1e300, -2.0]),
            "text": ["a", None, 'ü ñ "quoted" <b>', "d;e"],
            "when": pd.to_datetime(
                ["2025-12-15 10:30:00", None, "2026-01-01 00:00:00", "2026-12-03 23:59:59"]
            ),
            "day": ["2025-12-15", None, "2026-01-01", "2026-12-03"],
        },
        geometry=[
            box(30, 48, 31, 49),
            MultiPolygon([box(32, 47, 33, 48), box(34, 47, 35, 48)]),
            None,
            Polygon(),
        ][:n],
        crs="EPSG:4326",
    )


def _write_both(tmp_path: Path, tables: list[GpkgTable]) -> tuple[Path, Path]:
    ours, gdal = tmp_path / "ours.gpkg", tmp_path / "gdal.gpkg"
    write_gpkg(ours, tables)
    for i, table in enumerate(tables):
        pyogrio.write_dataframe(
            table.frame,
            gdal,
            layer=table.name,
            driver="GPKG",
            append=i > 0,
            dataset_options={"VERSION": "1.2"} if i == 0 else None,
            layer_options={"DESCRIPTION": table.description} if table.description else None,
            metadata=dict(table.metadata) or None,
        )
    return ours, gdal


def test_read_back_as_gdal_writes_it(tmp_path: Path) -> None:
    frame = _typed_frame()
    lines = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[LineString([(30, 48), (31, 49)]), LineString([(32, 47), (33, 48), (34, 47)])],
        crs="EPSG:4326",
    )
    points = gpd.GeoDataFrame(
        {"n": [1, 2]}, geometry=[Point(30.5, 48.5), Point(36.25, 50.0)], crs="EPSG:4326"
    )
    table = pd.DataFrame({"layer": ["x", "y"], "ok": [True, False], "n": [1.5, 2.0]})
    tables = [
        GpkgTable("typed", frame, "All the types", {"source": "a & b <c>", "date": "2025-12-15"}),
        GpkgTable("lines", lines, "Lines"),
        GpkgTable("points", points),
        GpkgTable("table", table, "A table"),
    ]
    ours, gdal = _write_both(tmp_path, tables)
    assert pyogrio.list_layers(ours).tolist() == pyogrio.list_layers(gdal).tolist()
    for name, _ in pyogrio.list_layers(gdal):
        mine, theirs = pyogrio.read_info(ours, layer=name), pyogrio.read_info(gdal, layer=name)
        for key in ("fields", "dtypes", "geometry_type", "crs", "features", "layer_metadata"):
            assert (
                np.array_equal(mine[key], theirs[key])
                if key in ("fields", "dtypes")
                else (mine[key] == theirs[key])
            ), (name, key, mine[key], theirs[key])
        if mine["total_bounds"] is not None:
            np.testing.assert_allclose(mine["total_bounds"], theirs["total_bounds"], rtol=1e-14)
        mine_rows = pyogrio.read_dataframe(ours, layer=name)
        their_rows = pyogrio.read_dataframe(gdal, layer=name)
        if isinstance(their_rows, gpd.GeoDataFrame):
            # GDAL promotes an empty polygon to MULTIPOLYGON (EMPTY), we to MULTIPOLYGON EMPTY
            a, b = mine_rows.geometry.array, their_rows.geometry.array
            assert (shapely.is_empty(a) == shapely.is_empty(b)).all()
            assert (shapely.is_missing(a) == shapely.is_missing(b)).all()
            full = ~shapely.is_empty(b) & ~shapely.is_missing(b)
            assert shapely.equals_exact(a[full], b[full], tolerance=0).all()
            mine_rows, their_rows = pd.DataFrame(mine_rows), pd.DataFrame(their_rows)
            mine_rows = mine_rows.drop(columns="geometry")
            their_rows = their_rows.drop(columns="geometry")
        pd.testing.assert_frame_equal(mine_rows, their_rows)
    typed = pyogrio.read_dataframe(ours, layer="typed")
    assert typed.geom_type.tolist()[:2] == ["MultiPolygon", "MultiPolygon"]  # promoted
    assert typed.geometry.iloc[2] is None and typed.geometry.iloc[3].is_empty
    assert pyogrio.read_info(ours, layer="typed")["layer_metadata"]["source"] == "a & b <c>"


def test_dates_are_declared_and_read_as_dates(tmp_path: Path) -> None:
    frame = pd.DataFrame({"day": ["2025-12-15", None], "text": ["2025-12-15", "x"]})
    write_gpkg(tmp_path / "d.gpkg", [GpkgTable("d", frame, dates=["day"])])
    with closing(sqlite3.connect(tmp_path / "d.gpkg")) as db:
        types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(d)")}
    assert types["day"] == "DATE" and types["text"] == "TEXT"
    read = pyogrio.read_dataframe(tmp_path / "d.gpkg", layer="d")
    assert read["day"].iloc[0] == pd.Timestamp("2025-12-15") and pd.isna(read["day"].iloc[1])


def test_tz_aware_datetimes_are_written_in_utc(tmp_path: Path) -> None:
    when = pd.to_datetime(["2026-12-03 12:00:00+02:00"]).tz_convert("Europe/Kyiv")
    write_gpkg(tmp_path / "t.gpkg", [GpkgTable("t", pd.DataFrame({"when": when}))])
    with closing(sqlite3.connect(tmp_path / "t.gpkg")) as db:
        (stored,) = db.execute('SELECT "when" FROM t').fetchone()
    assert stored == "2026-12-03T10:00:00.000Z"


def test_spatial_index_answers_a_bbox_query(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    xy = rng.uniform([22, 44], [40, 52], size=(500, 2))
    points = gpd.GeoDataFrame({"i": np.arange(500)}, geometry=shapely.points(xy), crs=4326)
    path = tmp_path / "p.gpkg"
    write_gpkg(path, [GpkgTable("p", points)])
    inside = (xy[:, 0] >= 30) & (xy[:, 0] <= 35) & (xy[:, 1] >= 46) & (xy[:, 1] <= 49)
    found = pyogrio.read_dataframe(path, layer="p", bbox=(30, 46, 35, 49))
    assert sorted(found["i"]) == np.flatnonzero(inside).tolist()
    with closing(sqlite3.connect(path)) as db:
        assert db.execute('SELECT count(*) FROM "rtree_p_geom"').fetchone() == (500,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
        assert db.execute("PRAGMA user_version").fetchone() == (10200,)
    assert pyogrio.read_info(path, layer="p")["capabilities"]["fast_spatial_filter"]


def test_any_name_is_quoted(tmp_path: Path) -> None:
    name = 'it\'s "a"; name'
    frame = gpd.GeoDataFrame({'col "x"; y': [1]}, geometry=[Point(30, 48)], crs="EPSG:4326")
    write_gpkg(tmp_path / "n.gpkg", [GpkgTable(name, frame, "d", {"k": "v"})])
    assert pyogrio.list_layers(tmp_path / "n.gpkg")[0, 0] == name
    read = pyogrio.read_dataframe(tmp_path / "n.gpkg", layer=name)
    assert read['col "x"; y'].tolist() == [1]


def test_a_crs_other_than_wgs84_is_registered(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(500_000, 5_400_000)], crs=32636)
    write_gpkg(tmp_path / "u.gpkg", [GpkgTable("u", frame)])
    assert pyogrio.read_info(tmp_path / "u.gpkg", layer="u")["crs"] == "EPSG:32636"


def test_edits_in_a_gis_keep_index_and_counts(tmp_path: Path) -> None:
    """The triggers work: GDAL appending features updates the index and the count."""
    path = tmp_path / "e.gpkg"
    first = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(30, 48)], crs=4326)
    write_gpkg(path, [GpkgTable("e", first)])
    more = gpd.GeoDataFrame({"a": [2, 3]}, geometry=[Point(31, 49), Point(36, 50)], crs=4326)
    pyogrio.write_dataframe(more, path, layer="e", driver="GPKG", append=True)
    assert pyogrio.read_info(path, layer="e")["features"] == 3
    found = pyogrio.read_dataframe(path, layer="e", bbox=(35, 49, 37, 51))
    assert found["a"].tolist() == [3]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            [GpkgTable("a", pd.DataFrame({"fid": [1]}))],
            "column named 'fid'",
        ),
        (
            [GpkgTable("a", pd.DataFrame({"x": [1]})), GpkgTable("A", pd.DataFrame({"x": [1]}))],
            "repeat",
        ),
        (
            [
                GpkgTable(
                    "a",
                    gpd.GeoDataFrame(
                        {"x": [1]},
                        geometry=[Point(0, 0)],
                        crs="+proj=tmerc +lat_0=0 +lon_0=31.3 +k=1 +x_0=0 +y_0=0 +ellps=GRS80",
                    ),
                )
            ],
            "without an EPSG code",
        ),
    ],
)
def test_bad_tables_are_refused_before_a_file_is_made(
    tmp_path: Path, tables: list[GpkgTable], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        write_gpkg(tmp_path / "x.gpkg", tables)


def test_an_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "x.gpkg").write_bytes(b"mine")
    with pytest.raises(FileExistsError):
        write_gpkg(tmp_path / "x.gpkg", [GpkgTable("a", pd.DataFrame({"x": [1]}))])
    assert (tmp_path / "x.gpkg").read_bytes() == b"mine"


@pytest.mark.gdal
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo (gdal-bin) not installed")
def test_debians_ogrinfo_reads_it_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "o.gpkg"
    write_gpkg(path, [GpkgTable("typed", _typed_frame(), "All", {"source": "s"})])
    info = subprocess.run(["ogrinfo", "-al", str(path)], capture_output=True, text=True, check=True)
    assert "Warning" not in info.stderr and "ERROR" not in info.stderr, info.stderr
    assert "Layer name: typed" in info.stdout and "Feature Count: 4" in info.stdout
    assert "small: Integer(Int16)" in info.stdout and "flag: Integer(Boolean)" in info.stdout
    assert "day: String" in info.stdout  # not declared a date here
    assert "source=s" in info.stdout


_VALIDATE = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")


@pytest.mark.gdal
@pytest.mark.skipif(not _VALIDATE.is_file(), reason="needs Debian's python3-gdal (with QGIS)")
def test_gdals_validator_finds_the_standard_kept(tmp_path: Path, run_cli) -> None:
    """GDAL's own GeoPackage validator (validate_gpkg.py, Debian's GDAL 3.6) on a file of
    every type and on a plan's GeoPackage, its styles and tables included."""
    typed = tmp_path / "typed.gpkg"
    # without the empty polygon: this validator reads the empty flag from bit 3, not the
    # standard's bit 4, and fails GDAL's own empty geometries the same way
    frame = _typed_frame().iloc[:3]
    write_gpkg(typed, [GpkgTable("typed", frame, "All", {"source": "s"})])
    plan = tmp_path / "plan.gpkg"
    assert run_cli("plan", "--option", "4", "--variant", "eur-plus", "-o", plan).code == 0
    for path in (typed, plan):
        done = subprocess.run(
            ["/usr/bin/python3", str(_VALIDATE), str(path)], capture_output=True, text=True
        )
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
