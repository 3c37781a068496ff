"""Reading users' vector files: every format, CRS handling, and the checks at the door."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, MultiLineString, MultiPoint, Point

from geo.errors import CRSError, GeometryError, InputError
from layers.export import write_layers
from layers.io import EUROPE, UKRAINE, parse_crs, read_vector
from layers.provenance import Provenance, attach

#: A synthetic line inside Ukraine (Zaporizhzhia -> Donetsk -> Luhansk oblasts), lon/lat.
COORDS = [(35.0, 47.0), (36.2, 48.3), (37.5, 49.5)]
GEOD = pyproj.Geod(ellps="WGS84")
LENGTH_KM = GEOD.line_length(*zip(*COORDS, strict=True)) / 1000.0  # independent reference


def geojson_text(geometry: dict, properties: dict | None = None) -> str:
    feature = {"type": "Feature", "properties": properties or {}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]})


def write_gdf(path: Path, geoms: list, crs: str | None = "EPSG:4326", **columns) -> Path:
    frame = gpd.GeoDataFrame(columns, geometry=geoms, crs=crs)
    pyogrio.write_dataframe(frame, path, layer=path.stem)
    return path


def line_wkt(coords=COORDS) -> str:
    return LineString(coords).wkt


def kml_text(coords=COORDS) -> str:
    xyz = " ".join(f"{x},{y},0" for x, y in coords)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        f"<name>front</name><LineString><coordinates>{xyz}</coordinates></LineString>"
        "</Placemark></Document></kml>\n"
    )


def assert_is_line(gdf: gpd.GeoDataFrame) -> None:
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == 1
    assert gdf.geometry.iloc[0].geom_type == "LineString"
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.iloc[0]), COORDS, atol=1e-7)


# --- every format ------------------------------------------------------------------------


def test_geojson(tmp_path: Path) -> None:
    path = tmp_path / "front.geojson"
    path.write_text(geojson_text(shapely.geometry.mapping(LineString(COORDS)), {"name": "f"}))
    gdf = read_vector(path, kind="line")
    assert_is_line(gdf)
    assert gdf["name"].tolist() == ["f"]
    assert "front.geojson" in gdf.attrs["provenance"]["source"]


def test_geopackage_layer_by_name(tmp_path: Path) -> None:
    path = tmp_path / "many.gpkg"
    line = gpd.GeoDataFrame({"name": ["f"]}, geometry=[LineString(COORDS)], crs="EPSG:4326")
    other = gpd.GeoDataFrame({"name": ["o"]}, geometry=[Point(30, 50)], crs="EPSG:4326")
    pyogrio.write_dataframe(line, path, layer="front")
    pyogrio.write_dataframe(other, path, layer="other", append=True)
    assert_is_line(read_vector(path, kind="line", layer="front"))
    with pytest.raises(
        InputError, match=r"2 layers \(front, other\); choose one with --line-layer"
    ):
        read_vector(path, kind="line")
    with pytest.raises(InputError, match="keep only the one you mean"):
        read_vector(path, kind="line", layer_option=None)
    with pytest.raises(InputError, match="has no layer 'nope'; its layers: front, other"):
        read_vector(path, kind="line", layer="nope")


def test_geopackage_attribute_table_is_not_a_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "one.gpkg"
    line = gpd.GeoDataFrame({"name": ["f"]}, geometry=[LineString(COORDS)], crs="EPSG:4326")
    pyogrio.write_dataframe(line, path, layer="front")
    pyogrio.write_dataframe(pd.DataFrame({"note": ["x"]}), path, layer="notes", append=True)
    assert_is_line(read_vector(path, kind="line"))


def test_default_layer_of_a_multi_layer_file(tmp_path: Path) -> None:
    path = tmp_path / "layers.gpkg"
    for layer, x in (("points", 30.5), ("hubs", 35.0)):
        frame = gpd.GeoDataFrame({"name": [layer]}, geometry=[Point(x, 48)], crs="EPSG:4326")
        pyogrio.write_dataframe(frame, path, layer=layer, append=path.exists())
    gdf = read_vector(path, kind="point", layer_option=None, default_layer="hubs")
    assert gdf["name"].tolist() == ["hubs"]
    with pytest.raises(InputError, match="name the one to use 'sites', or keep only it"):
        read_vector(path, kind="point", layer_option=None, default_layer="sites")


def test_provenance_written_with_a_layer_is_read_back(tmp_path: Path) -> None:
    prov = Provenance("survey", "2025-06-01", "CC0", "drawn by hand", None)
    line = gpd.GeoDataFrame({"name": ["f"]}, geometry=[LineString(COORDS)], crs="EPSG:4326")
    for fmt, file_name in (("gpkg", "l.gpkg"), ("geojson", "dir/line.geojson")):
        write_layers(
            {"line": attach(line.copy(), prov)}, tmp_path / file_name.split("/")[0], fmt=fmt
        )
        got = read_vector(
            tmp_path / file_name, kind="line", layer="line" if fmt == "gpkg" else None
        )
        stored = got.attrs["provenance"]
        assert (stored["source"], stored["date"], stored["licence"]) == (
            "survey",
            "2025-06-01",
            "CC0",
        )
        assert stored["derivation"].startswith("drawn by hand; then read by deployplan from")


def test_shapefile_with_prj(tmp_path: Path) -> None:
    path = write_gdf(tmp_path / "front.shp", [LineString(COORDS)], name=["f"])
    assert path.with_suffix(".prj").exists()
    assert_is_line(read_vector(path, kind="line"))


def test_shapefile_without_prj_needs_crs(tmp_path: Path) -> None:
    path = write_gdf(tmp_path / "front.shp", [LineString(COORDS)], name=["f"])
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match=r"'front.shp' has no CRS; pass --crs EPSG:4326.*\.prj"):
        read_vector(path, kind="line")
    assert_is_line(read_vector(path, kind="line", crs="EPSG:4326"))


def test_kml(tmp_path: Path) -> None:
    path = tmp_path / "front.kml"
    path.write_text(kml_text())
    gdf = read_vector(path, kind="line")
    assert_is_line(gdf)  # Z dropped
    assert gdf["name"].tolist() == ["front"]  # KML's Name, in lower case
    assert "tessellate" not in gdf.columns


@pytest.mark.parametrize("column", ["wkt", "WKT", "geometry"])
def test_csv_wkt(tmp_path: Path, column: str) -> None:
    path = tmp_path / "front.csv"
    path.write_text(f'name,{column}\nf,"{line_wkt()}"\n')
    with pytest.raises(CRSError, match="'front.csv' has no CRS; pass --crs EPSG:4326"):
        read_vector(path, kind="line")
    gdf = read_vector(path, kind="line", crs="EPSG:4326")
    assert_is_line(gdf)
    assert list(gdf.columns) == ["name", "geometry"]


@pytest.mark.parametrize(("x", "y"), [("lon", "lat"), ("Longitude", "Latitude"), ("x", "y")])
def test_csv_lon_lat_points(tmp_path: Path, x: str, y: str) -> None:
    path = tmp_path / "points.csv"
    path.write_text(f"name,{y},{x}\nKyiv,50.45,30.52\nDnipro,48.47,35.04\n")
    gdf = read_vector(path, kind="point", crs="EPSG:4326", what="points file")
    assert gdf["name"].tolist() == ["Kyiv", "Dnipro"]
    np.testing.assert_allclose(
        shapely.get_coordinates(gdf.geometry), [[30.52, 50.45], [35.04, 48.47]]
    )


def test_csv_lon_lat_rows_are_the_vertices_of_a_line(tmp_path: Path) -> None:
    path = tmp_path / "front.csv"
    path.write_text("lon,lat\n" + "".join(f"{x},{y}\n" for x, y in COORDS))
    assert_is_line(read_vector(path, kind="line", crs="EPSG:4326"))


def test_csv_vertices_split_by_part(tmp_path: Path) -> None:
    path = tmp_path / "front.csv"
    path.write_text("part,lon,lat\n0,35,47\n0,36,48\n1,33,46.8\n1,33.3,46.9\n1,33.5,47\n")
    gdf = read_vector(path, kind="line", crs="EPSG:4326")
    assert [len(g.coords) for g in gdf.geometry] == [2, 3]
    with pytest.raises(GeometryError, match="1 vertex of part 2 .* at least 2"):
        path.write_text("part,lon,lat\n1,35,47\n1,36,48\n2,33,46.8\n")
        read_vector(path, kind="line", crs="EPSG:4326")


def test_csv_with_prj_beside_it_has_a_crs(tmp_path: Path) -> None:
    path = tmp_path / "front.csv"
    path.write_text(f'name,wkt\nf,"{line_wkt()}"\n')
    path.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(4326).to_wkt("WKT1_ESRI"))
    assert_is_line(read_vector(path, kind="line"))


# --- CRS ---------------------------------------------------------------------------------


@pytest.mark.parametrize("epsg", [3857, 32636, 32637])
def test_projected_line_is_reprojected(tmp_path: Path, epsg: int) -> None:
    to_xy = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
    x, y = to_xy.transform(*zip(*COORDS, strict=True))
    path = write_gdf(
        tmp_path / "front.gpkg", [LineString(zip(x, y, strict=True))], crs=f"EPSG:{epsg}"
    )
    gdf = read_vector(path, kind="line")
    assert gdf.crs.to_epsg() == 4326
    lon, lat = shapely.get_coordinates(gdf.geometry.iloc[0]).T
    assert GEOD.line_length(lon, lat) / 1000.0 == pytest.approx(LENGTH_KM, rel=1e-3)
    np.testing.assert_allclose(np.column_stack([lon, lat]), COORDS, atol=1e-6)
    assert f"reprojected from EPSG:{epsg}" in gdf.attrs["provenance"]["derivation"]


def test_crs_given_for_a_file_without_one(tmp_path: Path) -> None:
    x, y = pyproj.Transformer.from_crs(4326, 32636, always_xy=True).transform(
        *zip(*COORDS, strict=True)
    )
    path = tmp_path / "front.csv"
    path.write_text(f'wkt\n"{LineString(zip(x, y, strict=True)).wkt}"\n')
    gdf = read_vector(path, kind="line", crs="EPSG:32636")
    np.testing.assert_allclose(shapely.get_coordinates(gdf.geometry.iloc[0]), COORDS, atol=1e-6)


def test_crs_of_the_file_wins_over_crs_given(tmp_path: Path) -> None:
    path = write_gdf(tmp_path / "front.gpkg", [LineString(COORDS)])
    assert_is_line(read_vector(path, kind="line", crs="EPSG:32636"))


def test_parse_crs() -> None:
    assert parse_crs("EPSG:32636").to_epsg() == 32636
    with pytest.raises(CRSError, match="unknown --crs 'EPSG:999999'"):
        parse_crs("EPSG:999999")


# --- geometry ----------------------------------------------------------------------------


def test_swapped_lat_lon_is_named(tmp_path: Path) -> None:
    path = tmp_path / "front.csv"
    swapped = LineString([(y, x) for x, y in COORDS])
    path.write_text(f'wkt\n"{swapped.wkt}"\n')
    with pytest.raises(GeometryError, match="latitude and longitude swapped.*swap the columns"):
        read_vector(path, kind="line", crs="EPSG:4326")


def test_swapped_points_are_named(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("name,lon,lat\nKyiv,50.45,30.52\n")
    with pytest.raises(GeometryError, match="swapped"):
        read_vector(path, kind="point", crs="EPSG:4326", what="points file")


def test_outside_the_region(tmp_path: Path) -> None:
    path = tmp_path / "france.geojson"
    path.write_text(geojson_text({"type": "LineString", "coordinates": [[2, 46], [4, 48]]}))
    with pytest.raises(GeometryError, match="lies outside Ukraine"):
        read_vector(path, kind="line")


def test_region_of_hubs_is_europe(tmp_path: Path) -> None:
    path = write_gdf(tmp_path / "hubs.gpkg", [Point(7.55, 49.44)], name=["Ramstein"])
    assert len(read_vector(path, kind="point", region=EUROPE)) == 1
    with pytest.raises(GeometryError, match=r"feature 1 \('Ramstein'\) lies outside Ukraine"):
        read_vector(path, kind="point", region=UKRAINE)


def test_single_multipoint_is_a_point_and_collections_are_opened(tmp_path: Path) -> None:
    points = write_gdf(tmp_path / "p.gpkg", [MultiPoint([(30.5, 50.4)])], name=["Kyiv"])
    assert read_vector(points, kind="point").geometry.iloc[0].geom_type == "Point"
    lines = write_gdf(
        tmp_path / "l.geojson",
        [GeometryCollection([LineString(COORDS[:2]), LineString(COORDS[1:])])],
    )
    geom = read_vector(lines, kind="line").geometry.iloc[0]
    assert isinstance(geom, MultiLineString) and len(geom.geoms) == 2


def test_multipoint_of_several_points_is_refused(tmp_path: Path) -> None:
    path = write_gdf(tmp_path / "p.gpkg", [MultiPoint([(30.5, 50.4), (35, 48)])], name=["x"])
    with pytest.raises(GeometryError, match="MultiPoint of 2 points"):
        read_vector(path, kind="point")


def test_z_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "front.geojson"
    coords = [[x, y, 100.0] for x, y in COORDS]
    path.write_text(geojson_text({"type": "LineString", "coordinates": coords}))
    assert not read_vector(path, kind="line").geometry.iloc[0].has_z


def test_self_intersection_is_located(tmp_path: Path) -> None:
    path = tmp_path / "loop.geojson"
    bowtie = [[35, 47], [36, 48], [36, 47], [35, 48]]  # crosses at (35.5, 47.5)
    path.write_text(geojson_text({"type": "LineString", "coordinates": bowtie}))
    with pytest.raises(GeometryError, match=r"crosses itself near lon 35.5.*, lat 47.5"):
        read_vector(path, kind="line")


def test_invalid_polygon_gives_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "occupied.geojson"
    ring = [[35, 47], [36, 48], [36, 47], [35, 48], [35, 47]]
    path.write_text(geojson_text({"type": "Polygon", "coordinates": [ring]}))
    with pytest.raises(GeometryError, match=r"is invalid \(Self-intersection\[35.5 47.5\]\)"):
        read_vector(path, kind="polygon", what="occupied-territory file")


def test_kind_polygon_accepts_multipolygon(tmp_path: Path) -> None:
    square = shapely.box(35, 47, 36, 48)
    path = write_gdf(tmp_path / "occ.gpkg", [shapely.MultiPolygon([square])])
    assert read_vector(path, kind="polygon").geometry.iloc[0].equals(square)
