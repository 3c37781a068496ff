"""Writing layers: each format read back with pyogrio, provenance beside it, atomic writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import LineString, Point

import layers.export
import layers.gpkg
from geo.errors import OutputError
from layers.atomic import MANIFEST
from layers.export import write_layers
from layers.provenance import Provenance, attach

LINE_PROV = Provenance("synthetic line", "2025-12-15", "CC0", "typed in a test", "https://x.test")


def frames() -> dict[str, gpd.GeoDataFrame]:
    line = gpd.GeoDataFrame(
        {
            "name": ["contact line", "contact line part 1"],
            "part": np.array([0, 1], dtype=np.int64),
            "is_main": [True, False],
            "length_km": [372.5, 12.25],
            "date": ["2025-12-15", "2025-12-15"],
        },
        geometry=[
            LineString([(35, 47), (36.2, 48.3), (37.5, 49.5)]),
            LineString([(35, 46), (36, 46.5)]),
        ],
        crs="EPSG:4326",
    )
    points = gpd.GeoDataFrame(
        {"name": ["Kyiv", "Dnipro"], "is_capital": [True, False]},
        geometry=[Point(30.5238, 50.45466), Point(35.04066, 48.46664)],
        crs="EPSG:4326",
    )
    projected = points.to_crs("EPSG:32636")[["name", "geometry"]]  # written back in 4326
    return {"line": attach(line, LINE_PROV), "points": points, "hubs": projected}


def read(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(path, layer=layer)


def assert_lonlat(gdf: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(expected)
    np.testing.assert_allclose(
        shapely.get_coordinates(gdf.geometry),
        shapely.get_coordinates(expected.to_crs("EPSG:4326").geometry),
        atol=1e-6,
    )


def test_geopackage_round_trip(tmp: Path) -> None:
    out = tmp / "layers.gpkg"
    assert write_layers(frames(), out) == [out]
    layer_names = pyogrio.list_layers(out)[:, 0].tolist()
    assert layer_names == ["line", "points", "hubs", "provenance"]
    for name, expected in frames().items():
        got = read(out, name)
        assert_lonlat(got, expected)
        assert list(got.columns) == list(expected.columns)
    line = read(out, "line")
    assert line["is_main"].dtype == bool and line["is_main"].tolist() == [True, False]
    assert line["part"].tolist() == [0, 1]
    table = read(out, "provenance")
    assert table.columns.tolist() == ["layer", "source", "date", "licence", "derivation", "url"]
    row = table.set_index("layer").loc["line"]
    assert (row["source"], row["date"], row["licence"], row["url"]) == (
        "synthetic line",
        "2025-12-15",
        "CC0",
        "https://x.test",
    )
    assert pd.isna(table.set_index("layer").loc["points", "source"])  # carried none: NULL
    metadata = pyogrio.read_info(out, layer="line")["layer_metadata"]
    assert metadata["source"] == "synthetic line" and metadata["licence"] == "CC0"
    assert not list(tmp.glob("*.aux.xml"))  # everything inside the one file


@pytest.mark.gdal
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs ogrinfo (Debian gdal-bin)")
def test_ogrinfo_reads_the_geopackage_without_warnings(tmp: Path) -> None:
    out = tmp / "layers.gpkg"
    write_layers(frames(), out)
    done = subprocess.run(["ogrinfo", "-so", "-al", str(out)], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stderr == ""
    for name in ("line", "points", "hubs", "provenance"):
        assert f"Layer name: {name}" in done.stdout
    assert done.stdout.count('ID["EPSG",4326]') == 3  # each spatial layer has its CRS
    assert "source=synthetic line" in done.stdout  # provenance as layer metadata


@pytest.mark.parametrize("fmt", ["geojson", "kml", "csv"])
def test_directory_round_trip(tmp: Path, fmt: str) -> None:
    out = tmp / "layers"
    written = write_layers(frames(), out, fmt=fmt)
    assert all(path.parent == out and path.exists() for path in written)
    assert sorted([*written, out / MANIFEST]) == sorted(out.iterdir())
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"] == sorted(path.name for path in written)
    for name, expected in frames().items():
        got = read(out / f"{name}.{fmt}")
        assert_lonlat(got, expected)
        provenance = json.loads((out / f"{name}.provenance.json").read_text(encoding="utf-8"))
        assert list(provenance) == ["layer", "source", "date", "licence", "derivation", "url"]
        assert provenance["layer"] == name
    assert json.loads((out / "line.provenance.json").read_text())["licence"] == "CC0"
    line = read(out / f"line.{fmt}")
    assert [bool(v) for v in line["is_main"]] == [True, False]  # bool, or 0/1 in plain KML
    assert [int(v) for v in line["part"]] == [0, 1]
    assert line["length_km"].tolist() == [372.5, 12.25]


def test_csv_has_wkt_and_lon_lat_for_points(tmp: Path) -> None:
    write_layers(frames(), tmp / "csv", fmt="csv")
    points = pd.read_csv(tmp / "csv" / "points.csv")
    assert points.columns.tolist() == ["WKT", "name", "is_capital", "lon", "lat"]
    assert points["lon"].tolist() == [30.5238, 35.04066]
    assert points["lat"].tolist() == [50.45466, 48.46664]
    line = pd.read_csv(tmp / "csv" / "line.csv")
    assert line["WKT"].iloc[0].startswith("LINESTRING")
    assert "lon" not in line.columns


def test_kml_names_placemarks(tmp: Path) -> None:
    write_layers(frames(), tmp / "kml", fmt="kml")
    assert "<name>Kyiv</name>" in (tmp / "kml" / "points.kml").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "kml", "csv"])
def test_empty_layer(tmp: Path, fmt: str) -> None:
    empty = gpd.GeoDataFrame({"name": pd.Series([], dtype=object)}, geometry=[], crs="EPSG:4326")
    out = tmp / ("e.gpkg" if fmt == "gpkg" else "e")
    write_layers({"gaps": empty}, out, fmt=fmt)
    path = out if fmt == "gpkg" else out / f"gaps.{fmt}"
    assert pyogrio.read_info(path, layer="gaps")["features"] == 0


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_failed_write_leaves_the_old_output(tmp: Path, fmt: str, monkeypatch) -> None:
    out = tmp / ("layers.gpkg" if fmt == "gpkg" else "layers")
    write_layers({"line": frames()["line"]}, out, fmt=fmt)
    before = {p: p.read_bytes() for p in ([out] if fmt == "gpkg" else list(out.iterdir()))}
    # the second layer fails: in the GeoPackage's transaction, or in GDAL's GeoJSON writer
    module, name = (layers.gpkg, "_write_table") if fmt == "gpkg" else (pyogrio, "write_dataframe")
    real = getattr(module, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)
    with pytest.raises(RuntimeError, match="disk full"):
        write_layers(frames(), out, fmt=fmt)
    assert len(calls) == 2
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(tmp.iterdir()) == [out]  # no temporary left behind
    if fmt != "gpkg":
        assert sorted(out.iterdir()) == sorted(before)


def test_geopackage_written_without_sync_keeps_no_journal_setting(tmp: Path) -> None:
    """SQLite skips syncing while the temporary is written; the file keeps the default
    rollback journal (journal_mode MEMORY is the writer's connection's, not the file's)."""
    import sqlite3
    from contextlib import closing

    write_layers(frames(), tmp / "layers.gpkg")
    with closing(sqlite3.connect(tmp / "layers.gpkg")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert not list(tmp.glob("*-journal"))


def test_existing_output_is_replaced(tmp: Path) -> None:
    out = tmp / "layers"
    write_layers(frames(), out, fmt="geojson")
    write_layers({"line": frames()["line"]}, out, fmt="geojson")
    names = sorted(p.name for p in out.iterdir())
    assert names == [MANIFEST, "line.geojson", "line.provenance.json"]


def test_directory_of_other_files_is_not_replaced(tmp: Path) -> None:
    (tmp / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="holding files .*'notes.txt'.* no .deployplan.json"):
        write_layers(frames(), tmp, fmt="geojson")
    assert [p.name for p in tmp.iterdir()] == ["notes.txt"]


def test_output_directory_has_the_usual_permissions(tmp: Path) -> None:
    out = tmp / "layers"
    write_layers(frames(), out, fmt="geojson")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask


@pytest.mark.parametrize("name", ["provenance", "", "a/b", ".hidden"])
def test_reserved_or_unsafe_layer_names(tmp: Path, name: str) -> None:
    with pytest.raises(ValueError, match="reserved or not a plain file name"):
        write_layers({name: frames()["line"]}, tmp / "x.gpkg")


def test_frame_without_crs(tmp: Path) -> None:
    with pytest.raises(ValueError, match="has no CRS"):
        write_layers({"line": frames()["line"].set_crs(None, allow_override=True)}, tmp / "x.gpkg")
    assert not list(tmp.iterdir())
