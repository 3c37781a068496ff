"""The bundled oblasts: names, codes, geometry, outline and point lookup."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from layers.oblasts import OBLASTS_GEOJSON, load_oblasts, oblast_of, ukraine_outline
from layers.provenance import provenance_of

# ISO 3166-2:UA with today's English names (the list), typed independently of build.py
EXPECTED = {
    "UA-05": ("Vinnytsia", "oblast"),
    "UA-07": ("Volyn", "oblast"),
    "UA-09": ("Luhansk", "oblast"),
    "UA-12": ("Dnipropetrovsk", "oblast"),
    "UA-14": ("Donetsk", "oblast"),
    "UA-18": ("Zhytomyr", "oblast"),
    "UA-21": ("Zakarpattia", "oblast"),
    "UA-23": ("Zaporizhzhia", "oblast"),
    "UA-26": ("Ivano-Frankivsk", "oblast"),
    "UA-30": ("Kyiv City", "city"),
    "UA-32": ("Kyiv Oblast", "oblast"),
    "UA-35": ("Kirovohrad", "oblast"),
    "UA-40": ("Sevastopol", "city"),
    "UA-43": ("Crimea", "autonomous republic"),
    "UA-46": ("Lviv", "oblast"),
    "UA-48": ("Mykolaiv", "oblast"),
    "UA-51": ("Odesa", "oblast"),
    "UA-53": ("Poltava", "oblast"),
    "UA-56": ("Rivne", "oblast"),
    "UA-59": ("Sumy", "oblast"),
    "UA-61": ("Ternopil", "oblast"),
    "UA-63": ("Kharkiv", "oblast"),
    "UA-65": ("Kherson", "oblast"),
    "UA-68": ("Khmelnytskyi", "oblast"),
    "UA-71": ("Cherkasy", "oblast"),
    "UA-74": ("Chernihiv", "oblast"),
    "UA-77": ("Chernivtsi", "oblast"),
}

GEOD = Geod(ellps="WGS84")
UKRAINE_KM2 = 603_628  # the commonly cited official area of Ukraine, Crimea included


@pytest.fixture(scope="module")
def oblasts():
    return load_oblasts()


def test_27_units_with_codes_names_and_types(oblasts):
    assert len(oblasts) == 27
    got = {row.iso_3166_2: (row.name, row.type) for row in oblasts.itertuples()}
    assert got == EXPECTED
    assert list(oblasts.columns) == ["name", "iso_3166_2", "type", "geometry"]


def test_kyiv_city_is_distinct_from_kyiv_oblast(oblasts):
    city = oblasts.set_index("name").loc["Kyiv City", "geometry"]
    oblast = oblasts.set_index("name").loc["Kyiv Oblast", "geometry"]
    assert city.area > 0 and oblast.area > 10 * city.area
    assert city.intersection(oblast).area < 1e-9  # neighbours, not nested copies
    assert oblast_of(30.5234, 50.4501).tolist() == ["Kyiv City"]  # Maidan Nezalezhnosti
    assert oblast_of(30.2200, 50.5500).tolist() == ["Kyiv Oblast"]  # Irpin area, west of the city


def test_crs_and_provenance(oblasts):
    assert oblasts.crs.to_epsg() == 4326
    prov = provenance_of(oblasts)
    assert "Natural Earth" in prov["source"] and "public domain" in prov["licence"]
    assert "python -m layers.data.build oblasts" in prov["derivation"]


def test_geometry_valid_polygonal_and_in_ukraine_bbox(oblasts):
    assert oblasts.is_valid.all()
    assert set(oblasts.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = oblasts.total_bounds
    assert 22.0 < minx < 22.3 and 44.3 < miny < 44.5 and 40.0 < maxx < 40.3 and 52.3 < maxy < 52.4


def test_neighbours_do_not_overlap(oblasts):
    geoms = oblasts.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert overlap.max() < 1e-9
    # and they meet: Kyiv City touches Kyiv Oblast, Lviv touches Volyn
    by_name = oblasts.set_index("name").geometry
    assert by_name["Kyiv City"].touches(by_name["Kyiv Oblast"])
    assert by_name["Lviv"].touches(by_name["Volyn"])


def test_file_is_small():
    assert OBLASTS_GEOJSON.stat().st_size < 400 * 1024


def test_outline_area_matches_ukraine():
    outline = ukraine_outline()
    assert outline.is_valid
    area_km2 = abs(GEOD.geometry_area_perimeter(outline)[0]) / 1e6
    assert area_km2 == pytest.approx(UKRAINE_KM2, rel=0.03)
    assert ukraine_outline() is outline  # cached


def test_outline_has_no_holes_between_units():
    outline = ukraine_outline()
    parts = getattr(outline, "geoms", [outline])
    assert all(len(part.interiors) == 0 for part in parts)


@pytest.mark.parametrize(
    ("city", "lon", "lat", "oblast"),
    [
        ("Lviv", 24.0297, 49.8397, "Lviv"),
        ("Odesa", 30.7233, 46.4825, "Odesa"),
        ("Kharkiv", 36.2304, 49.9935, "Kharkiv"),
        ("Dnipro", 35.0462, 48.4647, "Dnipropetrovsk"),
        ("Uzhhorod", 22.2879, 48.6208, "Zakarpattia"),
        ("Simferopol", 34.1024, 44.9521, "Crimea"),
        ("Sevastopol", 33.5333, 44.6000, "Sevastopol"),
        ("Chernivtsi", 25.9358, 48.2915, "Chernivtsi"),
        ("Mariupol", 37.5413, 47.0971, "Donetsk"),
        ("Melitopol", 35.3653, 46.8489, "Zaporizhzhia"),
    ],
)
def test_oblast_of_known_cities(city, lon, lat, oblast):
    assert oblast_of(lon, lat).tolist() == [oblast], city


def test_oblast_of_is_vectorised_and_empty_outside():
    lon = np.array([[24.0297, 21.0122], [13.4050, np.nan]])  # Lviv, Warsaw, Berlin, NaN
    lat = np.array([[49.8397, 52.2297], [52.5200, 50.0]])
    assert oblast_of(lon, lat).tolist() == ["Lviv", "", "", ""]
    assert oblast_of([], []).tolist() == []


def test_oblast_of_rejects_mismatched_shapes():
    from geo.errors import InputError

    with pytest.raises(InputError, match="same shape"):
        oblast_of([30.0, 31.0], [50.0])


def test_outline_is_the_general_union_of_the_units(oblasts):
    # The outline takes the fast coverage union; a general union must give the same shape.
    general = shapely.union_all(oblasts.geometry.to_numpy())
    outline = ukraine_outline()
    assert outline.is_valid
    assert shapely.area(shapely.symmetric_difference(general, outline)) < 1e-9
