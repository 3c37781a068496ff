"""The default concentration points and logistics hubs."""

from __future__ import annotations

import pytest
from pyproj import Geod

from layers.hubs import default_hubs
from layers.oblasts import load_oblasts, ukraine_outline
from layers.points import default_points
from layers.provenance import provenance_of

GEOD = Geod(ellps="WGS84")

# Two independent positions of each city centre (lon, lat): English Wikipedia infoboxes
# (degrees-minutes-seconds converted by hand) and GeoNames (ids 702658, 709717, 687700, 706448).
WIKIPEDIA = {
    "Luhansk": (39 + 18 / 60 + 11 / 3600, 48 + 34 / 60 + 4 / 3600),
    "Donetsk": (37 + 48 / 60 + 19 / 3600, 48 + 0 / 60 + 10 / 3600),
    "Zaporizhzhia": (35 + 7 / 60 + 3 / 3600, 47 + 51 / 60),
    "Kherson": (32 + 37 / 60 + 30 / 3600, 46 + 38 / 60 + 33 / 3600),
}
GEONAMES = {
    "Luhansk": (39.30553, 48.56814),
    "Donetsk": (37.80224, 48.02300),
    "Zaporizhzhia": (35.11714, 47.85167),
    "Kherson": (32.61458, 46.63695),
}


@pytest.fixture(scope="module")
def points():
    return default_points()


@pytest.fixture(scope="module")
def hubs():
    return default_hubs()


def test_points_are_the_four_of_the_notes(points):
    assert points["name"].tolist() == ["Luhansk", "Donetsk", "Zaporizhzhia", "Kherson"]
    assert list(points.columns) == ["name", "oblast", "note", "geometry"]
    assert points.crs.to_epsg() == 4326
    assert (points.geom_type == "Point").all()
    assert points["note"].str.contains("axis").all()


@pytest.mark.parametrize("reference", [WIKIPEDIA, GEONAMES], ids=["wikipedia", "geonames"])
@pytest.mark.parametrize("name", list(WIKIPEDIA))
def test_point_is_at_its_city_centre(points, name, reference):
    point = points.set_index("name").geometry[name]
    lon, lat = reference[name]
    assert GEOD.inv(point.x, point.y, lon, lat)[2] < 3_000  # metres


def test_each_point_lies_in_its_oblast(points):
    oblasts = load_oblasts().set_index("name").geometry
    for row in points.itertuples():
        assert oblasts[row.oblast].contains(row.geometry), row.name


def test_hubs_tiers_and_columns(hubs):
    assert list(hubs.columns) == ["name", "tier", "country", "note", "geometry"]
    assert hubs.crs.to_epsg() == 4326
    by_tier = hubs.groupby("tier")["name"].apply(list).to_dict()
    assert by_tier == {
        "rear": ["Ramstein"],
        "entry": ["Rzeszów", "Suceava"],
        "forward": ["Lviv", "Kyiv", "Dnipro", "Zaporizhzhia", "Odesa", "Kharkiv"],
    }
    assert hubs.set_index("name").loc["Rzeszów", "country"] == "Poland"
    assert hubs.set_index("name").loc["Suceava", "country"] == "Romania"
    assert hubs.set_index("name").loc["Ramstein", "country"] == "Germany"


def test_forward_hubs_inside_ukraine_and_the_others_outside(hubs):
    outline = ukraine_outline()
    inside = hubs.geometry.within(outline)
    assert (inside == (hubs["tier"] == "forward")).all()


def test_rear_hub_is_about_the_notes_1200_km_from_ukraine(hubs):
    at = hubs.set_index("name").geometry
    rear = at["Ramstein"]

    def km(to):
        return GEOD.inv(rear.x, rear.y, at[to].x, at[to].y)[2] / 1000

    # DOMAIN.md: about 1,200 km from Western Europe; the nearest forward hub is just that far,
    # the entry hub a little nearer, Kyiv and the south-eastern hubs much further.
    assert 1_100 < km("Lviv") < 1_300
    assert 950 < km("Rzeszów") < km("Lviv")
    assert km("Kyiv") > km("Lviv") and km("Zaporizhzhia") > km("Kyiv")


@pytest.mark.parametrize("layer", [default_points, default_hubs])
def test_provenance_attached(layer):
    prov = provenance_of(layer())
    assert "GeoNames" in prov["source"] and "CC BY 4.0" in prov["licence"]
    assert prov["date"] and prov["derivation"]
