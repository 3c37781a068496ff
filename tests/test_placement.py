"""Placement: along the line, opposite points, fewest units; checked against pyproj.Geod.

The synthetic line is a meridian at 35 E from 47 N, 200 km north (its end from Geod.fwd),
inside Ukraine (Zaporizhzhia and Dnipropetrovsk oblasts). Kyiv lies to the north-west, so
without an occupied polygon the friendly side is the west: the left of a northward line.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from reference import line_distance_km
from shapely.geometry import LineString, MultiLineString, Polygon, box

from geo.errors import InputError
from layers.oblasts import ukraine_outline
from planner.along import place_along_slots
from planner.coverage import measure_coverage
from planner.distances import prepare_line
from planner.placement import (
    KYIV,
    POINT_COLUMNS,
    UNIT_COLUMNS,
    max_coverage,
    min_units_to_cover,
    place_along,
    place_around_points,
)

GEOD = Geod(ellps="WGS84")
LON0, LAT0, LENGTH = 35.0, 47.0, 200.0
DATA = Path(__file__).resolve().parents[1] / "layers" / "data"
BUNDLED_LINE = DATA / "contact_line_2025-12-15.geojson"
BUNDLED_OCCUPIED = DATA / "occupied_2025-12-15.geojson"


def along(lon: float, lat: float, azimuth: float, km: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return float(x), float(y)


def km_between(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def meridian(km: float = LENGTH, lon: float = LON0, lat: float = LAT0) -> LineString:
    return LineString([(lon, lat), along(lon, lat, 0.0, km)])


def frame(*parts: LineString) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"part": list(range(len(parts))), "is_main": [i == 0 for i in range(len(parts))]},
        geometry=list(parts),
        crs="EPSG:4326",
    )


def line_distance(units: gpd.GeoDataFrame, line: LineString | MultiLineString) -> np.ndarray:
    """Geodesic distance of each unit to the whole line, by brute force on pyproj.Geod."""
    parts = list(line.geoms) if isinstance(line, MultiLineString) else [line]
    return line_distance_km(units.geometry.x, units.geometry.y, [p.xy for p in parts])


def kyiv_side(units: gpd.GeoDataFrame, line: LineString | MultiLineString) -> np.ndarray:
    """Even number of crossings of the straight segment unit -> Kyiv with the line (shapely)."""
    out = []
    for point in units.geometry:
        crossing = LineString([(point.x, point.y), KYIV]).intersection(line)
        out.append(crossing.is_empty or len(shapely.get_parts(crossing)) % 2 == 0)
    return np.array(out)


# --- along the line --------------------------------------------------------------------------


def test_meridian_spacing_standoff_side_by_hand():
    units = place_along(frame(meridian()), spacing_km=50, standoff_km=10)
    assert list(units.columns) == [*UNIT_COLUMNS, "geometry"]
    assert units.crs.to_epsg() == 4326
    assert units["km_along"].tolist() == [25.0, 75.0, 125.0, 175.0]
    assert units["part"].tolist() == [0, 0, 0, 0]
    assert set(units["side"]) == {"left"}  # west of a northward line: Kyiv's side
    for km, point in zip(units["km_along"], units.geometry, strict=True):
        foot = along(LON0, LAT0, 0.0, km)
        azimuth, _, metres = GEOD.inv(*foot, point.x, point.y)
        assert metres / 1000.0 == pytest.approx(10.0, rel=0.01)
        assert azimuth % 360.0 == pytest.approx(270.0, abs=1.0)  # due west of its foot
    independent = line_distance(units, meridian())
    assert independent == pytest.approx(10.0, rel=0.01)
    assert units["distance_to_line_km"].to_numpy() == pytest.approx(independent, rel=1e-3)
    # neighbours 50 km apart along a parallel meridian 10 km west
    assert units["nearest_unit_km"].to_numpy() == pytest.approx(50.0, rel=0.01)
    assert units["oblast"].iloc[0] == "Zaporizhzhia"
    assert units["oblast"].iloc[-1] == "Dnipropetrovsk"


@pytest.mark.parametrize(
    ("spacing", "offset", "expected"),
    [
        (50.0, None, [25.0, 75.0, 125.0, 175.0]),
        (50.0, 0.0, [0.0, 50.0, 100.0, 150.0, 200.0]),
        (60.0, 10.0, [10.0, 70.0, 130.0, 190.0]),
        (100.0, None, [50.0, 150.0]),
    ],
)
def test_count_and_positions_follow_the_end_rule(spacing, offset, expected):
    units = place_along(meridian(), spacing_km=spacing, standoff_km=5, offset_km=offset)
    assert units["km_along"].to_numpy() == pytest.approx(expected)
    assert (
        len(units)
        == math.floor((LENGTH - (offset if offset is not None else spacing / 2)) / spacing) + 1
    )


@pytest.mark.parametrize(
    ("occupied", "side", "west"),
    [
        (box(35.0, 46.5, 37.0, 49.5), "left", True),  # occupied east: friendly west
        (box(33.0, 46.5, 35.0, 49.5), "right", False),  # occupied west: friendly east
    ],
)
def test_occupied_polygon_decides_the_side(occupied, side, west):
    units = place_along(meridian(), spacing_km=50, standoff_km=10, occupied=occupied)
    assert set(units["side"]) == {side}
    assert ((units.geometry.x < LON0) == west).all()
    assert not shapely.contains_xy(occupied, units.geometry.x, units.geometry.y).any()
    occupied_frame = gpd.GeoDataFrame(geometry=[occupied], crs="EPSG:4326")
    again = place_along(meridian(), spacing_km=50, standoff_km=10, occupied=occupied_frame)
    assert again.geometry.equals(units.geometry)


def test_concave_bend_pushes_units_clear_of_the_other_leg():
    # a V with a 40 degree inner angle opening towards Kyiv (friendly inside): a unit set back
    # from near the corner comes nearer the other leg than the standoff and is pushed out
    corner = (36.0, 48.3)
    assert GEOD.inv(*corner, *KYIV)[0] % 360.0 == pytest.approx(303.0, abs=1.0)
    vee = LineString([along(*corner, 283.0, 100.0), corner, along(*corner, 323.0, 100.0)])
    units, slots = place_along_slots(vee, spacing_km=10, standoff_km=10, offset_km=5)
    distance = line_distance(units, vee)
    # in the band [9.9, 12.0] km of both legs, never pushed further
    assert (distance >= 10.0 * 0.99).all() and (distance <= 12.0 + 1e-6).all()
    assert units["distance_to_line_km"].to_numpy() == pytest.approx(distance, rel=1e-3)
    assert kyiv_side(units, vee).all()
    # on the straight stretches, away from the corner, exactly the standoff (within 1 %)
    far = (np.abs(units["km_along"] - 100.0) > 40.0).to_numpy()
    assert far.sum() >= 8
    assert distance[far] == pytest.approx(10.0, rel=0.01)
    # the 20 slots of the two legs are all accounted for; inside the corner, where every
    # position in the band is nearer the other leg, slots stay empty rather than units
    # being pushed out of the band
    assert len(slots) == 20 and len(units) == (slots["reason"] == "placed").sum()
    assert set(slots["reason"]) <= {"placed", "no-valid-position"}


def test_all_parts_places_along_every_part():
    second = meridian(km=80.0, lon=33.0, lat=46.9)  # south-west of the main part
    line = frame(meridian(), second)
    main_only = place_along(line, spacing_km=50, standoff_km=10, all_parts=False)
    everything = place_along(line, spacing_km=50, standoff_km=10)  # every part by default
    assert set(main_only["part"]) == {0}
    assert everything["part"].tolist() == [0, 0, 0, 0, 1, 1]
    assert everything.loc[everything["part"] == 1, "km_along"].tolist() == [25.0, 75.0]


def test_unit_outside_ukraine_slides_along_the_line():
    # a meridian whose start lies in the Sea of Azov near Berdiansk; the friendly side of
    # the first stretch is sea, so the first unit slides north to the coast
    start = (36.3, 46.55)
    line = meridian(km=150.0, lon=start[0], lat=start[1])
    outline = ukraine_outline()
    assert not outline.contains(shapely.Point(along(*start, 270.0, 10.0)))
    units = place_along(line, spacing_km=50, standoff_km=10, offset_km=10)
    assert shapely.contains_xy(outline, units.geometry.x, units.geometry.y).all()
    assert units["km_along"].iloc[0] > 10.0  # slid forward
    assert units["km_along"].iloc[0] < 10.0 + 25.0  # within half a spacing


def test_prepared_line_distance_matches_brute_force():
    line = LineString([(34.0, 47.5), (35.0, 48.0), (35.4, 48.9), (36.5, 49.1)])
    prepared = prepare_line(line)
    rng = np.random.default_rng(1)
    lon = rng.uniform(33.0, 37.5, 60)
    lat = rng.uniform(46.5, 50.0, 60)
    expected = line_distance_km(lon, lat, [line.xy])
    assert prepared.distance_km(lon, lat) == pytest.approx(expected, rel=1e-4, abs=1e-4)
    assert prepared.length_km == pytest.approx(GEOD.geometry_length(line) / 1000.0, rel=1e-9)


def test_a_line_is_prepared_once_per_coordinates():
    """Plans on one line share its preparation (and memo); any other line gets its own."""
    line = LineString([(34.0, 47.5), (35.0, 48.0), (35.4, 48.9)])
    first = prepare_line(gpd.GeoDataFrame(geometry=[line], crs="EPSG:4326"))
    assert prepare_line(LineString(line.coords)) is first  # equal coordinates, a new object
    assert prepare_line(first) is first
    moved = LineString([(34.0, 47.5), (35.0, 48.0), (35.4, 48.9001)])
    other = prepare_line(moved)
    assert other is not first
    assert other.length_km != first.length_km
    coarse = prepare_line(line, max_segment_km=5.0)
    assert coarse is not first and coarse.lon.size < first.lon.size


line_starts = st.tuples(st.floats(32.0, 35.0), st.floats(47.5, 49.0))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=line_starts,
    heading=st.floats(0.0, 360.0),
    turn=st.floats(-60.0, 60.0),
    spacing=st.floats(15.0, 80.0),
    standoff=st.floats(2.0, 30.0),
)
def test_property_every_unit_friendly_inside_and_behind(start, heading, turn, spacing, standoff):
    # a bent line of two 80 km legs somewhere in central Ukraine
    corner = along(*start, heading, 80.0)
    line = LineString([start, corner, along(*corner, heading + turn, 80.0)])
    if line.distance(shapely.Point(KYIV)) < 0.6:  # not through Kyiv itself
        return
    try:
        units = place_along(line, spacing_km=spacing, standoff_km=standoff)
    except InputError as exc:  # may happen only if nothing fits inside Ukraine
        assert "no friendly side" in str(exc)
        return
    distance = line_distance(units, line)
    assert (distance >= standoff * 0.99).all()
    assert shapely.contains_xy(ukraine_outline(), units.geometry.x, units.geometry.y).all()
    assert kyiv_side(units, line).all()
    assert (np.diff(units["km_along"].to_numpy()) > 0).all()


@pytest.mark.skipif(not BUNDLED_LINE.exists(), reason="bundled line not built")
def test_bundled_line_50_km_gives_the_hand_count():
    line = gpd.read_file(BUNDLED_LINE)
    occupied = gpd.read_file(BUNDLED_OCCUPIED)
    main = line.loc[line["is_main"].astype(bool)].geometry.iloc[0]
    main_km = GEOD.geometry_length(main) / 1000.0
    units, slots = place_along_slots(
        line, spacing_km=50, standoff_km=10, radius_km=25, occupied=occupied
    )
    # one slot every 50 km on every part at least 25 km long (parts' lengths by pyproj)
    lengths = [GEOD.geometry_length(g) / 1000.0 for g in line.geometry]
    expected = sum(math.floor((km - 25.0) / 50.0) + 1 for km in lengths if km >= 25.0)
    assert (slots["reason"] != "too-short").sum() == expected
    assert (slots["reason"] == "too-short").sum() == sum(km < 25.0 for km in lengths)
    assert len(units) == (slots["reason"] == "placed").sum()
    assert (slots.loc[slots["part"] == 0, "reason"] != "too-short").sum() == (
        math.floor((main_km - 25.0) / 50.0) + 1
    )
    assert shapely.contains_xy(ukraine_outline(), units.geometry.x, units.geometry.y).all()
    occupied_geom = shapely.union_all(occupied.geometry.to_numpy())
    assert not shapely.contains_xy(occupied_geom, units.geometry.x, units.geometry.y).any()
    whole = MultiLineString(list(line.geometry))
    assert (line_distance(units, whole) >= 10.0 * 0.99).all()


# --- around points -------------------------------------------------------------------------


def test_point_on_the_occupied_side_gets_its_unit_on_the_friendly_side():
    points = gpd.GeoDataFrame(
        {"name": ["East"]}, geometry=[shapely.Point(35.5, 48.0)], crs="EPSG:4326"
    )
    units = place_around_points(points, meridian(), count=1, standoff_km=10)
    assert list(units.columns) == [*POINT_COLUMNS, "geometry"]
    unit = units.geometry.iloc[0]
    assert unit.x < LON0  # west: friendly
    assert unit.y == pytest.approx(48.0, abs=0.01)  # right opposite the point
    assert units["distance_to_line_km"].iloc[0] == pytest.approx(10.0, rel=0.01)
    azimuth, _, metres = GEOD.inv(unit.x, unit.y, 35.5, 48.0)
    assert units["distance_to_point_km"].iloc[0] == pytest.approx(metres / 1000.0, rel=1e-9)
    assert units["bearing_to_point_deg"].iloc[0] == pytest.approx(azimuth % 360.0, abs=1e-6)
    assert units["point"].iloc[0] == "East"
    assert math.isnan(units["km_along"].iloc[0])


def test_several_units_per_point_sit_spacing_apart():
    points = gpd.GeoDataFrame(
        {"name": ["A", "B"]},
        geometry=[shapely.Point(35.3, 47.8), shapely.Point(34.6, 48.4)],
        crs="EPSG:4326",
    )
    units = place_around_points(points, meridian(), count=3, standoff_km=10, spacing_km=20)
    assert units["point"].tolist() == ["A"] * 3 + ["B"] * 3
    assert (units.geometry.x < LON0).all()
    for name, lat in (("A", 47.8), ("B", 48.4)):
        mine = units[units["point"] == name]
        gaps = [
            km_between(a.x, a.y, b.x, b.y)
            for a, b in zip(mine.geometry[:-1], mine.geometry[1:], strict=True)
        ]
        assert gaps == pytest.approx([20.0, 20.0], rel=0.01)
        assert mine.geometry.y.iloc[1] == pytest.approx(lat, abs=0.01)  # middle one opposite


def test_ring_around_a_point_stays_friendly_and_at_radius():
    point = (35.5, 48.0)  # about 37 km east of the line
    points = gpd.GeoDataFrame({"name": ["East"]}, geometry=[shapely.Point(point)], crs="EPSG:4326")
    units = place_around_points(points, meridian(), count=4, standoff_km=10, radius_km=60)
    assert len(units) == 4
    to_point = [km_between(u.x, u.y, *point) for u in units.geometry]
    assert to_point == pytest.approx([60.0] * 4, rel=1e-6)
    assert (line_distance(units, meridian()) >= 10.0 * 0.99).all()
    assert (units.geometry.x < LON0).all()
    assert len(set(np.round(units["bearing_to_point_deg"], 3))) == 4  # spread, not stacked


def test_ring_too_small_to_reach_the_friendly_side_is_an_error():
    points = gpd.GeoDataFrame({"name": ["East"]}, geometry=[shapely.Point(35.5, 48.0)])
    with pytest.raises(InputError, match="radius_km of at least"):
        place_around_points(points, meridian(), count=2, standoff_km=10, radius_km=30)


# --- fewest units / best coverage -------------------------------------------------------------


@pytest.mark.parametrize(("radius", "standoff"), [(25.0, 10.0), (30.0, 10.0), (50.0, 30.0)])
def test_min_units_on_a_straight_line_by_hand(radius, standoff):
    half_width = math.sqrt(radius**2 - standoff**2)
    expected = math.ceil(LENGTH / (2.0 * half_width))
    units = min_units_to_cover(meridian(), radius_km=radius, standoff_km=standoff)
    assert len(units) == expected
    assert (units.geometry.x < LON0).all()
    coverage = measure_coverage(meridian(), units.geometry.x, units.geometry.y, radius)
    assert coverage.covered_fraction == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("count", [1, 2, 3])
def test_max_coverage_on_a_straight_line_by_hand(count):
    half_width = math.sqrt(25.0**2 - 10.0**2)
    units = max_coverage(meridian(), count=count, radius_km=25, standoff_km=10)
    assert len(units) == count
    coverage = measure_coverage(meridian(), units.geometry.x, units.geometry.y, 25.0)
    assert coverage.covered_km == pytest.approx(count * 2.0 * half_width, rel=0.005)
    assert coverage.overlap_km == pytest.approx(0.0, abs=0.5)


def test_max_coverage_with_enough_units_covers_everything():
    units = max_coverage(meridian(), count=8, radius_km=25, standoff_km=10)
    assert len(units) == 5  # no more than needed (ceil(200 / 45.8))
    coverage = measure_coverage(meridian(), units.geometry.x, units.geometry.y, 25.0)
    assert coverage.covered_fraction == pytest.approx(1.0, abs=1e-6)


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"spacing_km": 0, "standoff_km": 10}, "spacing_km is 0"),
        ({"spacing_km": -50, "standoff_km": 10}, "spacing_km is -50"),
        ({"spacing_km": float("nan"), "standoff_km": 10}, "spacing_km is nan"),
        ({"spacing_km": float("inf"), "standoff_km": 10}, "spacing_km is inf"),
        ({"spacing_km": "fifty", "standoff_km": 10}, "spacing_km is 'fifty'"),
        ({"spacing_km": 250, "standoff_km": 10}, "longer than the line"),
        ({"spacing_km": 50000, "standoff_km": 10}, "at most 2000 km"),
        ({"spacing_km": 50, "standoff_km": -1}, "standoff_km is -1"),
        ({"spacing_km": 50, "standoff_km": float("nan")}, "standoff_km is nan"),
        ({"spacing_km": 50, "standoff_km": 10, "offset_km": -1}, "offset_km is -1"),
        ({"spacing_km": 50, "standoff_km": 10, "offset_km": 300}, "beyond the end"),
    ],
)
def test_bad_numbers_are_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        place_along(meridian(), **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"count": 0, "standoff_km": 10}, "count is 0"),
        ({"count": 1.5, "standoff_km": 10}, "count is 1.5"),
        ({"count": 1, "standoff_km": 10, "radius_km": float("nan")}, "radius_km is nan"),
        ({"count": 1, "standoff_km": 10, "spacing_km": 0}, "spacing_km is 0"),
    ],
)
def test_bad_point_placement_numbers(kwargs, match):
    points = gpd.GeoDataFrame({"name": ["A"]}, geometry=[shapely.Point(35.3, 47.8)])
    with pytest.raises(InputError, match=match):
        place_around_points(points, meridian(), **kwargs)


def test_radius_not_beyond_standoff_is_an_error():
    with pytest.raises(InputError, match="does not exceed standoff_km"):
        min_units_to_cover(meridian(), radius_km=10, standoff_km=10)
    with pytest.raises(InputError, match="count is 0"):
        max_coverage(meridian(), count=0, radius_km=25, standoff_km=10)


@pytest.mark.parametrize(
    "line",
    [
        LineString([(2.0, 47.0), (2.0, 48.5)]),  # France
        LineString([(31.0, 44.0), (33.0, 44.2)]),  # the Black Sea
    ],
)
def test_line_without_a_friendly_side_in_ukraine_is_an_error(line):
    with pytest.raises(InputError, match="no friendly side inside Ukraine"):
        place_along(line, spacing_km=20, standoff_km=10)


def test_not_a_line_is_an_error():
    with pytest.raises(InputError, match="expected LineStrings"):
        place_along(Polygon([(35, 47), (36, 47), (36, 48)]), spacing_km=20, standoff_km=10)


def test_set_back_positions_remembered_per_line_are_those_computed_afresh():
    """The sweep's memo of set-back positions gives, for points met before or not, exactly
    what setting them back afresh gives, and keeps each point once."""
    from planner.along import _set_back
    from planner.rules import KYIV, Ground

    line = LineString([(35.0, 47.0), (35.3, 47.6), (35.0, 48.1), (35.4, 48.8)])
    prepared = prepare_line(line, max_segment_km=0.9)  # a line of its own: a fresh memo
    ground = Ground.make(prepared, 10.0, None, None, KYIV)
    chain = prepared.main
    sign = ground.side_sign(chain, 10.0)
    first = np.array([12.5, 37.5, 62.5, 13.5])
    second = np.array([37.5, 40.0, 12.5, 40.0, 150.25])  # two met before, one twice
    for km in (first, second):
        got = _set_back(ground, chain, km, sign, 10.0)
        fresh = ground.set_back(chain, km, sign, 10.0)
        for a, b in zip(got, fresh, strict=True):
            np.testing.assert_array_equal(a, b)
    [stored] = [v for k, v in prepared.memo.items() if k[0] == "along.set_back"]
    assert stored[0].tolist() == sorted({*first.tolist(), *second.tolist()})
