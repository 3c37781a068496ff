"""Logistics legs and response times: road km = 1.3 x geodesic km summed by hand (pyproj.Geod);
response hours = notice to move + road km / road speed, from the documented defaults."""

from __future__ import annotations

import geopandas as gpd
import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo.errors import InputError
from layers.hubs import default_hubs
from planner.logistics import (
    CIRCUITY,
    CONVOY_KMH,
    LEG_COLUMNS,
    NOTES_DISTANCE_KM,
    RESPONSE_COLUMNS,
    describe_trunk,
    fastest_response,
    logistics_totals,
    response_times,
    supply_legs,
    trunk_legs,
)
from planner.units import UNIT_TYPES

GEOD = Geod(ellps="WGS84")
RAMSTEIN = (7.55533, 49.44452)
RZESZOW = (21.99901, 50.04132)
SUCEAVA = (26.25, 47.63333)  # GeoNames 665850
ENTRY = {"Rzeszów": RZESZOW, "Suceava": SUCEAVA}
FORWARD = {
    "Lviv": (24.02324, 49.83826),
    "Kyiv": (30.52380, 50.45466),
    "Dnipro": (35.04066, 48.46664),
    "Zaporizhzhia": (35.11714, 47.85167),
    "Kharkiv": (36.25475, 49.98177),
    "Odesa": (30.74383, 46.48572),  # GeoNames 698740
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(*a, *b)[2]) / 1000.0


def hubs(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "tier": [r[1] for r in rows]},
        geometry=[Point(r[2], r[3]) for r in rows],
        crs="EPSG:4326",
    )


def units_at(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"unit_id": [f"u{i}" for i in range(len(xy))]},
        geometry=[Point(p) for p in xy],
        crs="EPSG:4326",
    )


def test_constants_are_the_documented_ones():
    assert (CIRCUITY, CONVOY_KMH, NOTES_DISTANCE_KM) == (1.3, 40.0, 1200.0)


def shortest_by_hand(xy: tuple[float, float]) -> tuple[float, tuple[str, str]]:
    """Geodesic km of the shortest Ramstein -> entry -> forward -> xy, over every pair."""
    options = {
        (e, f): km(RAMSTEIN, exy) + km(exy, fxy) + km(fxy, xy)
        for e, exy in ENTRY.items()
        for f, fxy in FORWARD.items()
    }
    best = min(options, key=options.__getitem__)
    return options[best], best


def test_supply_leg_by_hand():
    # east of Dnipro; near Lviv; north of Kherson (the southern corridor is shorter there)
    units = units_at((35.3, 48.6), (24.5, 49.6), (32.6, 46.75))
    legs = supply_legs(units, default_hubs())
    assert list(legs.columns) == [*LEG_COLUMNS, "geometry"]
    for row, unit in zip(legs.itertuples(), units.geometry, strict=True):
        xy = (unit.x, unit.y)
        geodesic, (entry, forward) = shortest_by_hand(xy)
        assert (row.rear, row.entry, row.forward) == ("Ramstein", entry, forward)
        assert row.geodesic_km == pytest.approx(geodesic, rel=1e-9)
        assert row.road_km == pytest.approx(1.3 * geodesic, rel=1e-9)
        assert row.hours == pytest.approx(1.3 * geodesic / 40.0, rel=1e-9)
        assert row.trunk_km + row.last_leg_km == pytest.approx(geodesic, rel=1e-12)
        assert row.geometry.coords[0] == pytest.approx(RAMSTEIN)
        assert row.geometry.coords[-1] == pytest.approx(xy)
        assert GEOD.geometry_length(row.geometry) / 1000.0 == pytest.approx(geodesic, rel=1e-6)
    # the shortest route is not the nearest forward hub's: the 3-leg chain through Lviv runs
    # almost straight to a unit east of Dnipro; Kherson's bank is served by the south
    assert legs["forward"].tolist() == ["Lviv", "Lviv", "Odesa"]
    assert legs["entry"].tolist() == ["Rzeszów", "Rzeszów", "Suceava"]
    assert legs["unit_id"].tolist() == ["u0", "u1", "u2"]


def test_a_longer_detour_is_never_taken():
    # a unit next to Zaporizhzhia: every other combination is longer than the one chosen
    legs = supply_legs(units_at((35.2, 47.9)), default_hubs())
    chosen = float(legs["geodesic_km"].iloc[0])
    for exy in ENTRY.values():
        for fxy in FORWARD.values():
            assert chosen <= km(RAMSTEIN, exy) + km(exy, fxy) + km(fxy, (35.2, 47.9)) + 1e-6


def test_southern_corridor_in_the_hubs_layer_with_provenance():
    hubs = default_hubs().set_index("name")
    assert hubs.loc["Suceava", "tier"] == "entry" and hubs.loc["Suceava", "country"] == "Romania"
    assert hubs.loc["Odesa", "tier"] == "forward" and hubs.loc["Odesa", "country"] == "Ukraine"
    for name, xy in (("Suceava", SUCEAVA), ("Odesa", FORWARD["Odesa"])):
        assert (hubs.geometry[name].x, hubs.geometry[name].y) == pytest.approx(xy, abs=1e-5)
    prov = default_hubs().attrs["provenance"]
    assert "665850 Suceava" in prov["derivation"] and "698740 Odesa" in prov["derivation"]
    assert "GeoNames" in prov["source"]


def test_trunk_legs_beside_the_notes():
    table = trunk_legs(default_hubs())
    assert sorted(table["forward"]) == sorted(FORWARD)
    lviv = table.set_index("forward").loc["Lviv"]
    by_hand = km(RAMSTEIN, RZESZOW) + km(RZESZOW, FORWARD["Lviv"])
    assert lviv["geodesic_km"] == pytest.approx(by_hand, rel=1e-9)
    assert lviv["road_km"] == pytest.approx(1.3 * by_hand, rel=1e-9)
    assert lviv["versus_notes"] == pytest.approx(by_hand / 1200.0, rel=1e-9)
    assert (table["notes_km"] == 1200.0).all()
    text = describe_trunk(default_hubs())
    assert len(text.splitlines()) == 6
    odesa = table.set_index("forward").loc["Odesa"]
    south = km(RAMSTEIN, SUCEAVA) + km(SUCEAVA, FORWARD["Odesa"])
    north = km(RAMSTEIN, RZESZOW) + km(RZESZOW, FORWARD["Odesa"])
    assert odesa["geodesic_km"] == pytest.approx(min(south, north), rel=1e-9)
    assert "Ramstein -> Rzeszów -> Lviv" in text and "about 1,200 km" in text
    assert f"{by_hand:,.0f} km geodesic" in text


def test_shortest_rear_and_entry_are_chosen():
    table = trunk_legs(
        hubs(
            [
                ("Far", "rear", -3.0, 40.0),
                ("Near", "rear", 14.0, 50.0),
                ("North", "entry", 23.0, 54.0),
                ("South", "entry", 22.0, 50.0),
                ("Lviv", "forward", *FORWARD["Lviv"]),
            ]
        )
    )
    row = table.iloc[0]
    options = {
        (r, e): km(rxy, exy) + km(exy, FORWARD["Lviv"])
        for r, rxy in (("Far", (-3.0, 40.0)), ("Near", (14.0, 50.0)))
        for e, exy in (("North", (23.0, 54.0)), ("South", (22.0, 50.0)))
    }
    best = min(options, key=options.get)
    assert (row["rear"], row["entry"]) == best
    assert row["geodesic_km"] == pytest.approx(options[best], rel=1e-9)


def sector_at(lon: float, lat: float, name: str = "S") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": [name]}, geometry=[Point(lon, lat)], crs="EPSG:4326")


def north_of(xy: tuple[float, float], distance_km: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(*xy, 0.0, distance_km * 1000.0)
    return float(lon), float(lat)


# The documented defaults (planner/units.py): notice to move, road speed; circuity 1.3.
#   heavy brigade 60 km from the sector:   2 h + 60 x 1.3 / 30 km/h = 2 + 2.6 = 4.6 h
#   light battalion 50 km from the sector: 1 h + 50 x 1.3 / 50 km/h = 1 + 1.3 = 2.3 h
#   heavy battalion 30 km from the sector: 1.5 h + 30 x 1.3 / 30 km/h = 1.5 + 1.3 = 2.8 h
BY_HAND = [
    ("heavy-brigade", 60.0, 4.6),
    ("light-battalion", 50.0, 2.3),
    ("heavy-battalion", 30.0, 2.8),
]


@pytest.mark.parametrize(("unit_id", "distance", "hours"), BY_HAND)
def test_response_hours_by_hand(unit_id: str, distance: float, hours: float):
    unit = UNIT_TYPES[unit_id]
    sector = (36.0, 48.0)
    table = response_times(
        units_at(north_of(sector, distance)),
        sector_at(*sector),
        notice_h=unit.notice_h,
        road_kmh=unit.road_kmh,
    )
    assert table["geodesic_km"].iloc[0] == pytest.approx(distance, rel=1e-9)
    assert table["road_km"].iloc[0] == pytest.approx(1.3 * distance, rel=1e-9)
    assert table["hours"].iloc[0] == pytest.approx(hours, rel=1e-9)


def test_documented_response_defaults():
    # heavy brigades are slower than light battalions, on both counts
    light, heavy = UNIT_TYPES["light-battalion"], UNIT_TYPES["heavy-brigade"]
    assert (light.notice_h, light.road_kmh) == (1.0, 50.0)
    assert (UNIT_TYPES["heavy-battalion"].notice_h, UNIT_TYPES["heavy-battalion"].road_kmh) == (
        1.5,
        30.0,
    )
    assert (heavy.notice_h, heavy.road_kmh) == (2.0, 30.0)
    assert heavy.notice_h > light.notice_h and heavy.road_kmh < light.road_kmh
    for unit in (light, heavy):
        assert f"{unit.road_kmh:g} km/h" in unit.rationale


def test_response_times_per_unit_and_the_fastest():
    sector = (36.0, 48.0)
    other = (34.0, 47.0)
    units = units_at(north_of(sector, 60.0), north_of(sector, 50.0))
    sectors = gpd.GeoDataFrame(
        {"name": ["A", "B"]}, geometry=[Point(*sector), Point(*other)], crs="EPSG:4326"
    )
    table = response_times(units, sectors, notice_h=[2.0, 1.0], road_kmh=[30.0, 50.0])
    assert table["unit_id"].tolist() == ["u0", "u0", "u1", "u1"]
    assert table["point"].tolist() == ["A", "B"] * 2
    to_b = [km(north_of(sector, d), other) for d in (60.0, 50.0)]
    expected = [4.6, 2.0 + to_b[0] * 1.3 / 30.0, 2.3, 1.0 + to_b[1] * 1.3 / 50.0]
    assert table["hours"].to_numpy() == pytest.approx(expected, rel=1e-9)
    best = fastest_response(table, target_h=4.0)
    assert list(best.columns) == RESPONSE_COLUMNS
    assert best["point"].tolist() == ["A", "B"]
    assert best["unit_id"].tolist() == ["u1", "u1"]  # the light battalion, faster to both
    assert best["hours"].to_numpy() == pytest.approx([2.3, expected[3]], rel=1e-9)
    assert best["meets_target"].tolist() == [True, expected[3] <= 4.0]
    empty = fastest_response(
        response_times(units_at(), sectors, notice_h=1, road_kmh=50), target_h=6
    )
    assert empty.empty and list(empty.columns) == RESPONSE_COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"notice_h": -1.0}, "notice_h"), ({"road_kmh": 0.0}, "road_kmh is 0")],
)
def test_bad_response_settings(kwargs, match):
    settings = {"notice_h": 1.0, "road_kmh": 50.0, **kwargs}
    with pytest.raises(InputError, match=match):
        response_times(units_at((36.0, 48.5)), sector_at(36.0, 48.0), **settings)


def test_totals():
    legs = supply_legs(units_at((35.6, 48.1), (24.5, 49.6), (36.0, 49.5)), default_hubs())
    totals = logistics_totals(legs)
    assert totals["units"] == 3
    assert totals["road_km_total"] == pytest.approx(legs["road_km"].sum())
    assert totals["road_km_max"] == pytest.approx(legs["road_km"].max())
    assert totals["hours_max"] == pytest.approx(legs["road_km"].max() / 40.0)
    assert totals["notes_km"] == 1200.0
    empty = supply_legs(units_at(), default_hubs())
    assert empty.empty and logistics_totals(empty)["road_km_total"] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"circuity": 0.5}, "circuity is 0.5"),
        ({"circuity": float("nan")}, "circuity is nan"),
        ({"convoy_kmh": 0}, "convoy_kmh is 0"),
        ({"convoy_kmh": -40}, "convoy_kmh is -40"),
    ],
)
def test_bad_factors_are_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        supply_legs(units_at((35.6, 48.1)), default_hubs(), **kwargs)


def test_hubs_without_a_tier_are_an_input_error():
    no_entry = default_hubs().query("tier != 'entry'")
    with pytest.raises(InputError, match="no 'entry' hub"):
        supply_legs(units_at((35.6, 48.1)), no_entry)
    with pytest.raises(InputError, match="no column tier"):
        trunk_legs(default_hubs().drop(columns="tier"))
