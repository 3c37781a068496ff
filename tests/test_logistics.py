"""Logistics legs and response times: road km = 1.3 x geodesic km summed by hand (pyproj.Geod)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
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
    RESPONSE_KMH,
    describe_trunk,
    logistics_totals,
    response_times,
    supply_legs,
    trunk_legs,
)

GEOD = Geod(ellps="WGS84")
RAMSTEIN = (7.55533, 49.44452)
RZESZOW = (21.99901, 50.04132)
FORWARD = {
    "Lviv": (24.02324, 49.83826),
    "Kyiv": (30.52380, 50.45466),
    "Dnipro": (35.04066, 48.46664),
    "Zaporizhzhia": (35.11714, 47.85167),
    "Kharkiv": (36.25475, 49.98177),
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
    assert (CIRCUITY, CONVOY_KMH, RESPONSE_KMH, NOTES_DISTANCE_KM) == (1.3, 40.0, 60.0, 1200.0)


def test_supply_leg_by_hand():
    units = units_at((35.3, 48.6), (24.5, 49.6))
    legs = supply_legs(units, default_hubs())
    assert list(legs.columns) == [*LEG_COLUMNS, "geometry"]
    for row, unit in zip(legs.itertuples(), units.geometry, strict=True):
        xy = (unit.x, unit.y)
        nearest = min(FORWARD, key=lambda name: km(FORWARD[name], xy))
        geodesic = km(RAMSTEIN, RZESZOW) + km(RZESZOW, FORWARD[nearest]) + km(FORWARD[nearest], xy)
        assert (row.rear, row.entry, row.forward) == ("Ramstein", "Rzeszów", nearest)
        assert row.geodesic_km == pytest.approx(geodesic, rel=1e-9)
        assert row.road_km == pytest.approx(1.3 * geodesic, rel=1e-9)
        assert row.hours == pytest.approx(1.3 * geodesic / 40.0, rel=1e-9)
        assert row.trunk_km + row.last_leg_km == pytest.approx(geodesic, rel=1e-12)
        assert row.geometry.coords[0] == pytest.approx(RAMSTEIN)
        assert row.geometry.coords[-1] == pytest.approx(xy)
        assert GEOD.geometry_length(row.geometry) / 1000.0 == pytest.approx(geodesic, rel=1e-6)
    assert legs["forward"].tolist() == ["Dnipro", "Lviv"]
    assert legs["unit_id"].tolist() == ["u0", "u1"]


def test_trunk_legs_beside_the_notes():
    table = trunk_legs(default_hubs())
    assert table["forward"].tolist() == list(FORWARD)
    lviv = table.set_index("forward").loc["Lviv"]
    by_hand = km(RAMSTEIN, RZESZOW) + km(RZESZOW, FORWARD["Lviv"])
    assert lviv["geodesic_km"] == pytest.approx(by_hand, rel=1e-9)
    assert lviv["road_km"] == pytest.approx(1.3 * by_hand, rel=1e-9)
    assert lviv["versus_notes"] == pytest.approx(by_hand / 1200.0, rel=1e-9)
    assert (table["notes_km"] == 1200.0).all()
    text = describe_trunk(default_hubs())
    assert len(text.splitlines()) == 5
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


def test_response_times_by_hand():
    units = units_at((35.6, 48.1), (37.0, 49.0))
    points = gpd.GeoDataFrame(
        {"name": ["Donetsk", "Kherson"]},
        geometry=[Point(37.80224, 48.02300), Point(32.61458, 46.63695)],
        crs="EPSG:4326",
    )
    table = response_times(units, points)
    assert table["unit_id"].tolist() == ["u0", "u0", "u1", "u1"]
    assert table["point"].tolist() == ["Donetsk", "Kherson"] * 2
    expected = [
        km(u, p)
        for u in ((35.6, 48.1), (37.0, 49.0))
        for p in ((37.80224, 48.02300), (32.61458, 46.63695))
    ]
    assert table["geodesic_km"].to_numpy() == pytest.approx(expected, rel=1e-9)
    assert table["road_km"].to_numpy() == pytest.approx(np.multiply(expected, 1.3), rel=1e-9)
    assert table["hours"].to_numpy() == pytest.approx(np.multiply(expected, 1.3 / 60.0), rel=1e-9)
    slower = response_times(units, points, circuity=1.5, speed_kmh=30)
    assert slower["hours"].to_numpy() == pytest.approx(np.multiply(expected, 1.5 / 30.0))


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
