"""``deployplan layers``: the four layers written, users' files read, every bad input refused.

A refused input must exit 2 with one error line that names the problem and the fix, show no
traceback, and write nothing: no output where there was none, an old output left unchanged,
no temporary file left behind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from reference import line_distance_km
from shapely.geometry import LineString, Point

LINE = [(35.0, 47.0), (36.2, 48.3), (37.5, 49.5)]
GEOD = pyproj.Geod(ellps="WGS84")
LINE_KM = GEOD.line_length(*zip(*LINE, strict=True)) / 1000.0  # independent reference
BOWTIE = [(35.0, 47.0), (36.0, 48.0), (36.0, 47.0), (35.0, 48.0)]  # crosses at (35.5, 47.5)
HUBS_CSV = "name,tier,lon,lat\nRamstein,rear,7.55533,49.44452\nRzeszow,entry,21.99901,50.04132\n"
FIXTURE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "fixtures"
    / "deepstate_occupied_2025-12-15.geojson"
)
LAYERS = ["line", "oblasts", "points", "hubs", "provenance", "layer_styles"]


def geojson(path: Path, *geometries: dict, **properties: object) -> Path:
    features = [{"type": "Feature", "properties": properties, "geometry": g} for g in geometries]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def line_geometry(coords=LINE) -> dict:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def write_frame(path: Path, geoms: list, *, crs: str | None = "EPSG:4326", layer=None, **cols):
    frame = gpd.GeoDataFrame(cols, geometry=geoms, crs=crs)
    pyogrio.write_dataframe(frame, path, layer=layer or path.stem, append=path.exists())
    return path


def read_line(out: Path) -> gpd.GeoDataFrame:
    """The line layer, its ``date`` (a GeoPackage DATE) as ``YYYY-MM-DD`` text or None."""
    line = pyogrio.read_dataframe(out, layer="line")
    if out.suffix == ".gpkg":
        info = pyogrio.read_info(out, layer="line")
        assert dict(zip(info["fields"], info["dtypes"], strict=True))["date"] == "datetime64[D]"
        dates = line["date"]
        line["date"] = [None if pd.isna(d) else d.strftime("%Y-%m-%d") for d in dates]
    return line


# --- the bundled layers ------------------------------------------------------------------


def test_default_geopackage(run_cli, tmp: Path) -> None:
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "-o", out)
    assert result.code == 0, result.err
    assert result.err == ""
    assert pyogrio.list_layers(out)[:, 0].tolist() == LAYERS
    assert str(out) in result.out
    km = re.search(r"line: ([\d,.]+) km in (\d+) parts, main part ([\d,.]+) km", result.out)
    assert km is not None
    assert 1100 <= float(km.group(1).replace(",", "")) <= 1350
    line = read_line(out)
    assert float(km.group(1).replace(",", "")) == pytest.approx(line["length_km"].sum(), abs=0.06)
    assert int(km.group(2)) == len(line)
    for name in ("oblasts", "points", "hubs"):
        assert f"{name}: " in result.out
    assert result.out.count("  source: ") == 4 and "DeepStateMap" in result.out
    assert len(pyogrio.read_dataframe(out, layer="oblasts")) == 27
    table = pyogrio.read_dataframe(out, layer="provenance")
    assert table["layer"].tolist() == LAYERS[:4] and table["source"].str.len().min() > 0


@pytest.mark.gdal
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs ogrinfo (Debian gdal-bin)")
def test_ogrinfo_reads_the_default_geopackage(run_cli, tmp: Path) -> None:
    out = tmp / "layers.gpkg"
    assert run_cli("layers", "-o", out).code == 0
    done = subprocess.run(["ogrinfo", "-so", "-al", str(out)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == ""
    for name in LAYERS:
        assert f"Layer name: {name}" in done.stdout
    assert done.stdout.count('ID["EPSG",4326]') == 4


@pytest.mark.parametrize("fmt", ["geojson", "kml", "csv"])
def test_default_directory(run_cli, tmp: Path, fmt: str) -> None:
    out = tmp / "layers"
    result = run_cli("layers", "--format", fmt, "-o", out)
    assert result.code == 0, result.err
    for name in LAYERS[:4]:
        assert (out / f"{name}.{fmt}").is_file()
        assert str(out / f"{name}.{fmt}") in result.out
        assert json.loads((out / f"{name}.provenance.json").read_text())["layer"] == name
        assert pyogrio.read_info(out / f"{name}.{fmt}")["crs"] == "EPSG:4326"


def test_existing_output_is_replaced(run_cli, tmp: Path) -> None:
    out = tmp / "layers.gpkg"
    out.write_bytes(b"old")
    assert run_cli("layers", "-o", out).code == 0
    assert pyogrio.list_layers(out)[:, 0].tolist() == LAYERS
    assert sorted(tmp.iterdir()) == [out]


# --- a user's line, from every format ----------------------------------------------------


def _csv(d: Path, name: str, text: str) -> Path:
    path = d / name
    path.write_text(text)
    return path


def _gpkg(d: Path) -> list[object]:
    path = write_frame(d / "many.gpkg", [LineString(LINE)], layer="front", name=["f"])
    write_frame(path, [Point(30.5, 50.4)], layer="other", name=["o"])
    return [path, "--line-layer", "front"]


def _shp(d: Path) -> list[object]:
    return [write_frame(d / "front.shp", [LineString(LINE)], name=["f"])]


def _shp_no_prj(d: Path) -> list[object]:
    path = write_frame(d / "front.shp", [LineString(LINE)], name=["f"])
    path.with_suffix(".prj").unlink()
    return [path, "--crs", "EPSG:4326"]


def _kml(d: Path) -> list[object]:
    path = d / "front.kml"
    xyz = " ".join(f"{x},{y},0" for x, y in LINE)
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Placemark><name>front</name><LineString><coordinates>{xyz}"
        "</coordinates></LineString></Placemark></Document></kml>"
    )
    return [path]


def _csv_wkt(d: Path) -> list[object]:
    path = d / "front.csv"
    path.write_text(f'name,wkt\nfront,"{LineString(LINE).wkt}"\n')
    return [path, "--crs", "EPSG:4326"]


def _csv_lon_lat_vertices_as_wkt_in_utm(d: Path) -> list[object]:
    x, y = pyproj.Transformer.from_crs(4326, 32636, always_xy=True).transform(
        *zip(*LINE, strict=True)
    )
    path = d / "front.csv"
    path.write_text(f'wkt\n"{LineString(zip(x, y, strict=True)).wkt}"\n')
    return [path, "--crs", "EPSG:32636"]


def _projected(epsg: int) -> Callable[[Path], list[object]]:
    def make(d: Path) -> list[object]:
        x, y = pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(
            *zip(*LINE, strict=True)
        )
        return [
            write_frame(d / "front.gpkg", [LineString(zip(x, y, strict=True))], crs=f"EPSG:{epsg}")
        ]

    return make


def _csv_vertices(d: Path) -> list[object]:
    rows = "".join(f"{y},{x}\n" for x, y in LINE)
    return [_csv(d, "front.csv", "latitude,longitude\n" + rows), "--crs", "EPSG:4326"]


USER_LINES = {
    "geojson": lambda d: [geojson(d / "front.geojson", line_geometry())],
    "csv-lon-lat-vertices": _csv_vertices,
    "gpkg-named-layer": _gpkg,
    "shapefile": _shp,
    "shapefile-no-prj": _shp_no_prj,
    "kml": _kml,
    "csv-wkt": _csv_wkt,
    "csv-utm-with-crs": _csv_lon_lat_vertices_as_wkt_in_utm,
    "gpkg-web-mercator": _projected(3857),
    "gpkg-utm-36n": _projected(32636),
    "gpkg-utm-37n": _projected(32637),
}


@pytest.mark.parametrize("make", USER_LINES.values(), ids=USER_LINES.keys())
def test_user_line(run_cli, tmp: Path, tmp_path: Path, make) -> None:
    argv = make(tmp_path)
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "--line", *argv, "--line-date", "2025-11-01", "-o", out)
    assert result.code == 0, result.err
    line = read_line(out)
    assert line.columns.tolist() == ["name", "part", "is_main", "length_km", "date", "geometry"]
    assert line[["part", "is_main", "date"]].values.tolist() == [[0, True, "2025-11-01"]]
    assert line["length_km"].iloc[0] == pytest.approx(LINE_KM, rel=1e-3)
    lon, lat = shapely.get_coordinates(line.geometry.iloc[0]).T
    assert GEOD.line_length(lon, lat) / 1000.0 == pytest.approx(LINE_KM, rel=1e-3)
    assert (lon[0], lat[0]) == pytest.approx(LINE[0], abs=1e-6)  # from the south-western end
    assert f"{LINE_KM:,.1f} km in 1 part" in result.out
    assert "dated 2025-11-01" in result.out


def test_user_line_pieces_are_merged_and_parts_numbered_by_length(run_cli, tmp, tmp_path) -> None:
    far = [(33.0, 46.8), (33.3, 46.9)]  # a short separate part in Kherson oblast
    path = geojson(
        tmp_path / "front.geojson",
        line_geometry(LINE[1:][::-1]),  # drawn in pieces, one reversed
        line_geometry(LINE[:2]),
        line_geometry(far),
    )
    out = tmp / "layers.gpkg"
    assert run_cli("layers", "--line", path, "-o", out).code == 0
    line = read_line(out)
    assert line["part"].tolist() == [0, 1]
    assert line["is_main"].tolist() == [True, False]
    assert line["name"].tolist() == ["contact line", "contact line part 1"]
    assert line["length_km"].tolist() == pytest.approx(
        [LINE_KM, GEOD.line_length(*zip(*far, strict=True)) / 1000.0], rel=1e-3
    )
    assert line["date"].tolist() == [None, None]  # NULL, not empty text


def test_line_date_read_from_the_file(run_cli, tmp, tmp_path) -> None:
    path = geojson(tmp_path / "front.geojson", line_geometry(), date="2025-10-01")
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "--line", path, "-o", out)
    assert result.code == 0 and "dated 2025-10-01" in result.out
    assert read_line(out)["date"].tolist() == ["2025-10-01"]


def test_line_from_occupied_synthetic(run_cli, tmp, tmp_path) -> None:
    corners = [(34.5, 48.0), (35.5, 48.0), (35.5, 48.6), (34.5, 48.6), (34.5, 48.0)]
    path = geojson(tmp_path / "occ.geojson", {"type": "Polygon", "coordinates": [corners]})
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "--line-from-occupied", path, "--line-date", "2025-12-01", "-o", out)
    assert result.code == 0, result.err
    line = read_line(out)
    assert len(line) == 1 and line["date"].iloc[0] == "2025-12-01"
    perimeter_km = GEOD.line_length(*zip(*corners, strict=True)) / 1000.0
    assert line["length_km"].iloc[0] == pytest.approx(perimeter_km, rel=1e-3)


@pytest.mark.skipif(not FIXTURE.exists(), reason="../shared absent")
def test_line_from_occupied_real_fixture(run_cli, tmp) -> None:
    out = tmp / "layers.gpkg"
    result = run_cli(
        "layers", "--line-from-occupied", FIXTURE, "--line-date", "2025-12-15", "-o", out
    )
    assert result.code == 0, result.err
    line = read_line(out)
    assert 1200 <= line["length_km"].sum() <= 1300  # the fixture's README: about 1,250 km
    assert line.loc[line["is_main"], "length_km"].item() == pytest.approx(1160, rel=0.04)


def test_user_points_and_hubs(run_cli, tmp, tmp_path) -> None:
    points = tmp_path / "points.csv"
    points.write_text("Name,lat,lon\nDnipro,48.46664,35.04066\n")
    hubs = tmp_path / "hubs.csv"
    hubs.write_text(HUBS_CSV + "Kyiv, Forward ,30.5238,50.45466\n")
    out = tmp / "layers.gpkg"
    result = run_cli("layers", "--points", points, "--hubs", hubs, "--crs", "EPSG:4326", "-o", out)
    assert result.code == 0, result.err
    got = pyogrio.read_dataframe(out, layer="points")
    assert got[["name", "oblast"]].values.tolist() == [["Dnipro", "Dnipropetrovsk"]]
    # its sector: the nearest point of the (bundled) line, measured here by brute force
    line = read_line(out)
    sector = (got["sector_lon"].iloc[0], got["sector_lat"].iloc[0])
    to_line = line_distance_km([35.04066], [48.46664], [part.xy for part in line.geometry])[0]
    assert got["sector_distance_km"].iloc[0] == pytest.approx(to_line, rel=1e-4)
    assert GEOD.inv(35.04066, 48.46664, *sector)[2] / 1000 == pytest.approx(to_line, rel=1e-4)
    assert line_distance_km([sector[0]], [sector[1]], [p.xy for p in line.geometry])[0] < 0.01
    assert got["note"].isna().all()  # no note: NULL, not empty text
    got = pyogrio.read_dataframe(out, layer="hubs")
    assert got["tier"].tolist() == ["rear", "entry", "forward"]
    assert got.columns.tolist() == ["name", "tier", "country", "note", "geometry"]
    assert "3 hubs (1 rear, 1 entry, 1 forward)" in result.out
    assert "points: 1 points: Dnipro" in result.out


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "kml", "csv"])
def test_written_layers_read_back_as_input(run_cli, tmp: Path, fmt: str) -> None:
    first = tmp / ("first.gpkg" if fmt == "gpkg" else "first")
    assert run_cli("layers", "--format", fmt, "-o", first).code == 0
    src = {name: first if fmt == "gpkg" else first / f"{name}.{fmt}" for name in LAYERS}
    pick = ["--line-layer", "line"] if fmt == "gpkg" else []
    again = tmp / "again.gpkg"
    argv = ["--line", src["line"], *pick, "--points", src["points"], "--hubs", src["hubs"]]
    result = run_cli("layers", *argv, "-o", again)
    assert result.code == 0, result.err
    assert "dated 2025-12-15" in result.out  # the line's date column
    default = tmp / "default.gpkg"
    assert run_cli("layers", "-o", default).code == 0
    for name in ("line", "points", "hubs"):
        before = pyogrio.read_dataframe(default, layer=name)
        after = pyogrio.read_dataframe(again, layer=name)
        assert after["name"].tolist() == before["name"].tolist()
        np.testing.assert_allclose(
            shapely.get_coordinates(after.geometry),
            shapely.get_coordinates(before.geometry),
            atol=1e-6,
        )
    assert (
        pyogrio.read_dataframe(again, layer="hubs")["tier"].tolist()
        == pyogrio.read_dataframe(default, layer="hubs")["tier"].tolist()
    )
    table = pyogrio.read_dataframe(again, layer="provenance").set_index("layer")
    assert table.loc["line", "source"].startswith("DeepStateMap")
    assert table.loc["line", "date"] == "2025-12-15"
    assert "then read by deployplan from" in table.loc["hubs", "derivation"]


# --- every bad input ---------------------------------------------------------------------


def _gpkg_two_layers(d: Path) -> list[object]:
    return _gpkg(d)[:1]


def _russia_polygon(d: Path) -> list[object]:
    corners = [[41.0, 49.0], [42.0, 49.0], [42.0, 50.0], [41.0, 50.0], [41.0, 49.0]]
    return [
        "--line-from-occupied",
        geojson(d / "russia.geojson", {"type": "Polygon", "coordinates": [corners]}),
    ]


BAD_INPUTS: dict[str, tuple[Callable[[Path], list[object]], list[str]]] = {
    "csv-without-crs": (
        lambda d: ["--line", _csv(d, "front.csv", f'wkt\n"{LineString(LINE).wkt}"\n')],
        ["line file 'front.csv' has no CRS", "--crs EPSG:4326", ".prj"],
    ),
    "shapefile-without-prj": (
        lambda d: ["--line", _shp_no_prj(d)[0]],
        ["line file 'front.shp' has no CRS", "--crs EPSG:4326", ".prj"],
    ),
    "unknown-crs": (
        lambda d: ["--line", _csv_wkt(d)[0], "--crs", "EPSG:999999"],
        ["unknown --crs 'EPSG:999999'", "EPSG:4326"],
    ),
    "garbage-crs": (
        lambda d: ["--line", _csv_wkt(d)[0], "--crs", "lonlat please"],
        ["unknown --crs 'lonlat please'"],
    ),
    "swapped-line": (
        lambda d: [
            "--line",
            _csv(d, "front.csv", f'wkt\n"{LineString([(y, x) for x, y in LINE]).wkt}"\n'),
            "--crs",
            "EPSG:4326",
        ],
        ["'front.csv'", "latitude and longitude swapped", "swap the columns"],
    ),
    "swapped-points": (
        lambda d: [
            "--points",
            _csv(d, "p.csv", "name,lon,lat\nKyiv,50.45,30.52\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["points file 'p.csv'", "swapped"],
    ),
    "empty-file": (
        lambda d: ["--line", _csv(d, "empty.geojson", "")],
        ["line file 'empty.geojson' is empty (0 bytes)"],
    ),
    "no-features": (
        lambda d: ["--line", geojson(d / "none.geojson")],
        ["line file 'none.geojson' has no features"],
    ),
    "csv-header-only": (
        lambda d: ["--line", _csv(d, "front.csv", "name,wkt\n"), "--crs", "EPSG:4326"],
        ["'front.csv' has no features"],
    ),
    "csv-with-one-vertex": (
        lambda d: ["--line", _csv(d, "front.csv", "lon,lat\n35,47\n"), "--crs", "EPSG:4326"],
        ["'front.csv' has 1 vertex", "at least 2"],
    ),
    "csv-without-geometry": (
        lambda d: ["--line", _csv(d, "front.csv", "name,value\na,1\n"), "--crs", "EPSG:4326"],
        ["'front.csv' has no geometry", "lon/lat columns or a WKT column"],
    ),
    "points-where-a-line-is-needed": (
        lambda d: [
            "--line",
            geojson(d / "pts.geojson", {"type": "Point", "coordinates": [35, 48]}),
        ],
        ["line file 'pts.geojson' holds Point geometry", "lines (LineString or MultiLineString)"],
    ),
    "line-where-points-are-needed": (
        lambda d: ["--points", geojson(d / "p.geojson", line_geometry(), name="x")],
        ["points file 'p.geojson' holds LineString geometry", "points"],
    ),
    "line-where-a-polygon-is-needed": (
        lambda d: ["--line-from-occupied", geojson(d / "occ.geojson", line_geometry())],
        ["occupied-territory file 'occ.geojson' holds LineString", "polygons"],
    ),
    "self-intersecting-line": (
        lambda d: ["--line", geojson(d / "loop.geojson", line_geometry(BOWTIE))],
        ["'loop.geojson' feature 1 crosses itself near lon 35.5", "lat 47.5"],
    ),
    "invalid-polygon": (
        lambda d: [
            "--line-from-occupied",
            geojson(d / "bow.geojson", {"type": "Polygon", "coordinates": [[*BOWTIE, BOWTIE[0]]]}),
        ],
        ["'bow.geojson' feature 1 is invalid", "Self-intersection[35.5 47.5]", "repair"],
    ),
    "nan-coordinate": (
        lambda d: [
            "--line",
            _csv(
                d,
                "nan.geojson",
                '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                '"geometry":{"type":"LineString","coordinates":[[35,47],[NaN,48]]}}]}',
            ),
        ],
        ["'nan.geojson' feature 1 has NaN or infinite coordinates"],
    ),
    "metres-given-as-lon-lat": (
        lambda d: ["--line", _csv_lon_lat_vertices_as_wkt_in_utm(d)[0], "--crs", "EPSG:4326"],
        ["out of lon/lat range", "metres", "real CRS"],
    ),
    "outside-ukraine": (
        lambda d: ["--line", geojson(d / "fr.geojson", line_geometry([(2, 46), (4, 48)]))],
        ["'fr.geojson' feature 1 lies outside Ukraine", "check the file and its CRS"],
    ),
    "hub-outside-europe": (
        lambda d: [
            "--hubs",
            _csv(d, "h.csv", HUBS_CSV + "Far,forward,100,10\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["hubs file 'h.csv' feature 3 ('Far') lies outside Europe"],
    ),
    "not-a-vector-file": (
        lambda d: ["--line", _csv(d, "junk.geojson", "hello")],
        ["cannot read line file 'junk.geojson'", "GeoJSON, GeoPackage, Shapefile, KML or CSV"],
    ),
    "missing-file": (
        lambda d: ["--line", d / "nope.geojson"],
        ["line file 'nope.geojson' does not exist"],
    ),
    "directory": (
        lambda d: ["--line", d],
        ["is a directory", "give a vector file"],
    ),
    "points-without-name": (
        lambda d: ["--points", _csv(d, "p.csv", "label,lon,lat\nx,35,48\n"), "--crs", "EPSG:4326"],
        ["points file 'p.csv' has no 'name' column", "label"],
    ),
    "points-with-a-blank-name": (
        lambda d: [
            "--points",
            _csv(d, "p.csv", "name,lon,lat\nx,35,48\n ,36,48\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["points file 'p.csv' feature 2 has no name"],
    ),
    "hubs-without-tier": (
        lambda d: [
            "--hubs",
            _csv(d, "h.csv", "name,lon,lat\nKyiv,30.5,50.4\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["hubs file 'h.csv' has no 'tier' column", "rear, entry, forward"],
    ),
    "hubs-with-a-bad-tier": (
        lambda d: [
            "--hubs",
            _csv(d, "h.csv", HUBS_CSV + "Kyiv,front,30.5,50.4\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["hub 'Kyiv' has tier 'front'", "rear, entry, forward"],
    ),
    "hubs-lacking-a-tier": (
        lambda d: [
            "--hubs",
            _csv(d, "h.csv", "name,tier,lon,lat\nKyiv,forward,30.5,50.4\n"),
            "--crs",
            "EPSG:4326",
        ],
        ["hubs file 'h.csv' has no 'rear' hub", "each tier"],
    ),
    "several-layers-none-chosen": (
        lambda d: ["--line", *_gpkg_two_layers(d)],
        ["'many.gpkg' has 2 layers (front, other)", "--line-layer NAME"],
    ),
    "unknown-layer": (
        lambda d: ["--line", _gpkg(d)[0], "--line-layer", "nope"],
        ["'many.gpkg' has no layer 'nope'", "front, other"],
    ),
    "bad-line-date": (
        lambda d: ["--line", _csv_wkt(d)[0], "--crs", "EPSG:4326", "--line-date", "2025-13-01"],
        ["--line-date '2025-13-01' is not a date", "YYYY-MM-DD"],
    ),
    "line-date-not-iso": (
        lambda d: ["--line", _csv_wkt(d)[0], "--crs", "EPSG:4326", "--line-date", "15.12.2025"],
        ["--line-date '15.12.2025' is not a date", "YYYY-MM-DD"],
    ),
    "line-date-without-a-line": (
        lambda d: ["--line-date", "2025-12-15"],
        ["--line-date 2025-12-15 dates your own line", "--line"],
    ),
    "line-layer-without-a-line": (
        lambda d: ["--line-layer", "front"],
        ["--line-layer", "--line or --line-from-occupied"],
    ),
    "crs-without-files": (
        lambda d: ["--crs", "EPSG:4326"],
        ["--crs is the CRS of the files you give"],
    ),
    "occupied-polygon-without-a-front": (
        _russia_polygon,
        ["occupied-territory file 'russia.geojson'", "no line of contact"],
    ),
}


@pytest.mark.parametrize("existing", ["none", "gpkg", "directory"])
@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input(run_cli, tmp: Path, tmp_path: Path, case, existing: str) -> None:
    make, keywords = case
    inputs = tmp_path / "in"
    inputs.mkdir()
    argv = make(inputs)
    if existing == "directory":
        out = tmp / "layers"
        out.mkdir()
        (out / "line.geojson").write_text("old")
        manifest = {"written_by": "deployplan", "files": ["line.geojson"]}
        (out / ".deployplan.json").write_text(json.dumps(manifest))
        fmt = "geojson"
    else:
        out = tmp / "layers.gpkg"
        if existing == "gpkg":
            out.write_bytes(b"old")
        fmt = "gpkg"
    result = run_cli("layers", *argv, "--format", fmt, "-o", out)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.startswith("deployplan layers: error: ")
    assert result.err.strip().count("\n") == 0  # one line
    for keyword in keywords:
        assert keyword in result.err
    assert result.out == ""
    if existing == "none":
        assert list(tmp.iterdir()) == []
    elif existing == "gpkg":
        assert list(tmp.iterdir()) == [out] and out.read_bytes() == b"old"
    else:
        assert list(tmp.iterdir()) == [out]
        old = sorted((p.name, p.read_text()) for p in out.iterdir())
        assert old == [(".deployplan.json", json.dumps(manifest)), ("line.geojson", "old")]


# --- bad outputs -------------------------------------------------------------------------


def _refused(result, *keywords: str) -> None:
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.strip().count("\n") == 0
    for keyword in keywords:
        assert keyword in result.err


def test_output_folder_missing(run_cli, tmp: Path) -> None:
    _refused(run_cli("layers", "-o", tmp / "no" / "layers.gpkg"), "folder", "does not exist")
    assert list(tmp.iterdir()) == []


def test_output_directory_of_other_files_is_kept(run_cli, tmp: Path) -> None:
    (tmp / "thesis.tex").write_text("mine")
    _refused(run_cli("layers", "--format", "geojson", "-o", tmp), "will not replace", "thesis.tex")
    assert [(p.name, p.read_text()) for p in tmp.iterdir()] == [("thesis.tex", "mine")]


def test_geopackage_onto_a_directory(run_cli, tmp: Path) -> None:
    (tmp / "layers.gpkg").mkdir()
    _refused(run_cli("layers", "-o", tmp / "layers.gpkg"), "it is a directory")
    assert [p.name for p in tmp.iterdir()] == ["layers.gpkg"]
    assert list((tmp / "layers.gpkg").iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "api_words", "flag_argv", "flag_words"),
    [
        (
            {"line_date": "2025-12-15"},
            ["line_date 2025-12-15 dates your own line", "give line or line_from_occupied"],
            ["--line-date", "2025-12-15"],
            ["--line-date 2025-12-15", "give --line or --line-from-occupied"],
        ),
        (
            {"line_layer": "front"},
            ["line_layer picks a layer of line or line_from_occupied"],
            ["--line-layer", "front"],
            ["--line-layer picks a layer of --line or --line-from-occupied"],
        ),
        (
            {"crs": "EPSG:4326"},
            ["crs is the CRS of the files you give (line, line_from_occupied, points, hubs)"],
            ["--crs", "EPSG:4326"],
            ["--crs is the CRS of the files you give (--line, --line-from-occupied, --points"],
        ),
    ],
)
def test_layer_errors_name_api_parameters_in_the_api_and_flags_in_the_cli(
    run_cli, tmp: Path, kwargs, api_words, flag_argv, flag_words
) -> None:
    from geo.errors import InputError
    from layers import load_layers

    with pytest.raises(InputError) as raised:
        load_layers(**kwargs)
    message = str(raised.value)
    assert "--" not in message, message
    for words in api_words:
        assert words in message
    result = run_cli("layers", *flag_argv, "-o", tmp / "x.gpkg")
    assert result.code == 2
    for words in flag_words:
        assert words in result.err
    assert not (tmp / "x.gpkg").exists()
