"""Ordinary bad inputs that used to give a traceback or advice that misleads.

Each must exit 2 with one line naming the real cause and the fix, with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

OPTION_1 = ("--option", "1", "--variant", "eur-plus")


def refused(result, command: str, *words: str, absent: tuple[str, ...] = ()) -> None:  # noqa: ANN001
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"deployplan {command}: error: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    for word in absent:
        assert word not in lines[0], (word, lines[0])


def line_file(path: Path, coordinates: list[list[float]]) -> Path:
    geometry = {"type": "LineString", "coordinates": coordinates}
    feature = {"type": "Feature", "properties": {}, "geometry": geometry}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_a_one_point_line(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    line = line_file(tmp_path / "one.geojson", [[35.0, 47.0]])
    refused(run_cli("layers", "--line", line, "-o", tmp / "l.gpkg"), "layers", "two vertices")
    assert list(tmp.iterdir()) == []


def test_an_empty_kml(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    kml = tmp_path / "empty.kml"
    kml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document></Document></kml>'
    )
    result = run_cli("layers", "--line", kml, "-o", tmp / "l.gpkg")
    refused(result, "layers", "'empty.kml'", "no layers and no features")
    assert list(tmp.iterdir()) == []


def test_a_100_m_line(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    line = line_file(tmp_path / "short.geojson", [[35.0, 47.0], [35.0, 47.0009]])
    result = run_cli("plan", *OPTION_1, "--line", line, "-o", tmp / "p.gpkg")
    refused(result, "plan", "(100 m)", "too short", absent=("below 0 km",))


def test_a_prj_that_is_not_a_crs(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    (tmp_path / "front.csv").write_text("lon,lat\n35,47\n35,48.8\n")
    (tmp_path / "front.prj").write_text("not a CRS at all")
    result = run_cli("layers", "--line", tmp_path / "front.csv", "-o", tmp / "l.gpkg")
    refused(result, "layers", "'front.prj'", "cannot read as a CRS", absent=("add a .prj",))


@pytest.mark.parametrize(
    ("crs", "words"),
    [("EPSG:4978", "geocentric"), ("EPSG:5773", "vertical")],
)
def test_a_crs_that_is_not_a_map(
    run_cli: Callable, tmp: Path, tmp_path: Path, crs: str, words: str
) -> None:
    (tmp_path / "front.csv").write_text("x,y\n3000000,2000000\n3100000,2000000\n")
    result = run_cli("layers", "--line", tmp_path / "front.csv", "--crs", crs, "-o", tmp / "l")
    refused(result, "layers", words, "EPSG:4326", absent=("crosses itself",))


def test_ring_km_is_named_as_ring_km(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "ring.toml"
    scenario.write_text(
        'name = "ring"\n[[deployment]]\nunit = "heavy-brigade"\nalong = "points"\n'
        "count = 3\nring_km = 1\n"
    )
    result = run_cli("plan", "--scenario", scenario, "-o", tmp / "p.gpkg")
    refused(result, "plan", "ring_km", absent=("radius_km",))


def test_no_library_warning_before_the_error_or_the_summary(run_cli: Callable, tmp: Path) -> None:
    """GDAL warns about a GeoPackage without the .gpkg suffix; the CLI says nothing of it."""
    result = run_cli("layers", "-o", tmp / "layers")
    assert result.code == 0
    assert result.err == ""
    result = run_cli("layers", "--line", tmp / "none.geojson", "-o", tmp / "layers")
    refused(result, "layers", "does not exist")


def test_a_png_error_leaves_no_page_and_names_png(
    run_cli: Callable, tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maps.snapshot
    from geo.errors import DeployplanError

    def missing() -> str:
        raise DeployplanError("--png needs Chromium; install the Debian package chromium")

    monkeypatch.setattr(maps.snapshot, "chromium_path", missing)
    result = run_cli("brief", "-o", tmp / "b.html", "--png", tmp / "b.png")
    refused(result, "brief", "--png", absent=("-o ",))
    assert list(tmp.iterdir()) == []


def _latin1_field_gpkg(path: Path) -> Path:
    """A two-layer GeoPackage whose field name is Latin-1 ("Kr\\xe9e"), not UTF-8.

    Written with a placeholder of the same length, then the placeholder's bytes patched in
    the file (SQLite keeps no checksum): GDAL lists the layers, and decoding the field's
    name, when a layer's fields are read, fails.
    """
    import geopandas as gpd
    from shapely.geometry import LineString

    gdf = gpd.GeoDataFrame(
        {"KrQe": ["a"], "geometry": [LineString([(35.0, 48.0), (36.0, 48.5)])]}, crs=4326
    )
    plain = path.with_name("plain.gpkg")
    gdf.to_file(plain, layer="one", driver="GPKG")
    gdf.to_file(plain, layer="two", driver="GPKG")
    data = plain.read_bytes()
    assert data.count(b"KrQe") >= 2
    path.write_bytes(data.replace(b"KrQe", b"Kr\xe9e"))
    return path


@pytest.mark.parametrize("layer", [(), ("--line-layer", "one")])
def test_names_not_utf8_while_listing_layers(
    run_cli: Callable, tmp: Path, tmp_path: Path, layer: tuple[str, ...]
) -> None:
    bad = _latin1_field_gpkg(tmp_path / "bad.gpkg")
    before = bad.read_bytes()
    result = run_cli("layers", "--line", bad, *layer, "-o", tmp / "l.gpkg")
    refused(result, "layers", "'bad.gpkg'", "not UTF-8", "save it as UTF-8", absent=("Traceback",))
    assert list(tmp.iterdir()) == []
    assert bad.read_bytes() == before
