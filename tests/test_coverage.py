"""Coverage of the line, by hand on a straight meridian and against brute-force sampling.

A unit at distance d from a straight line with radius r covers 2 sqrt(r^2 - d^2) of it (flat
approximation: at these scales it is within 0.5 % of the geodesic answer). Units are placed
in the tests themselves with pyproj.Geod (10 km due west of points of the line), not by the
planner.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LineString, Point

from geo.errors import InputError
from layers.oblasts import oblast_of
from planner.coverage import GAP_COLUMNS, coverage_polygons, measure_coverage, merge_intervals

GEOD = Geod(ellps="WGS84")
LON0, LAT0, LENGTH = 35.0, 47.0, 200.0


def along(lon: float, lat: float, azimuth: float, km: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, azimuth, km * 1000.0)
    return float(x), float(y)


def meridian(km: float = LENGTH, lon: float = LON0, lat: float = LAT0) -> LineString:
    return LineString([(lon, lat), along(lon, lat, 0.0, km)])


def units_west(km_along: list[float], standoff: float, lon: float = LON0, lat: float = LAT0):
    """Units ``standoff`` km due west of the meridian's points at ``km_along``."""
    xy = [along(*along(lon, lat, 0.0, km), 270.0, standoff) for km in km_along]
    return np.array([p[0] for p in xy]), np.array([p[1] for p in xy])


def test_four_units_by_hand():
    lon, lat = units_west([25, 75, 125, 175], 10.0)
    cov = measure_coverage(meridian(), lon, lat, 25.0)
    half = math.sqrt(25.0**2 - 10.0**2)  # 22.91 km each way
    assert cov.line_km == pytest.approx(LENGTH, rel=1e-9)
    assert cov.covered_fraction == pytest.approx(4 * 2 * half / LENGTH, rel=0.005)
    assert cov.covered_km == pytest.approx(4 * 2 * half, rel=0.005)
    assert list(cov.gaps.columns) == [*GAP_COLUMNS, "geometry"]
    starts = [0.0, 25 + half, 75 + half, 125 + half, 175 + half]
    ends = [25 - half, 75 - half, 125 - half, 175 - half, LENGTH]
    assert cov.gaps["start_km"].to_numpy() == pytest.approx(starts, rel=0.005, abs=0.01)
    assert cov.gaps["end_km"].to_numpy() == pytest.approx(ends, rel=0.005, abs=0.01)
    assert cov.gaps["length_km"].to_numpy() == pytest.approx(
        np.subtract(ends, starts), rel=0.005, abs=0.02
    )
    assert cov.gaps["gap_id"].tolist() == [1, 2, 3, 4, 5]
    assert set(cov.gaps["part"]) == {0}
    assert cov.largest_gap_km == pytest.approx(50 - 2 * half, rel=0.005)
    assert cov.overlap_km == 0.0 and cov.overlap_fraction == 0.0
    assert cov.coverage_by_part == {0: pytest.approx(cov.covered_fraction)}


def test_overlap_when_spacing_is_below_twice_the_half_width():
    lon, lat = units_west([25, 75, 125, 175], 10.0)
    cov = measure_coverage(meridian(), lon, lat, 30.0)
    half = math.sqrt(30.0**2 - 10.0**2)  # 28.28 km: neighbours 50 km apart overlap
    assert cov.covered_fraction == pytest.approx(1.0, abs=1e-9)
    assert cov.gaps.empty and cov.largest_gap_km == 0.0
    assert cov.overlap_km == pytest.approx(3 * (2 * half - 50.0), rel=0.005)
    assert cov.overlap_fraction == pytest.approx(3 * (2 * half - 50.0) / LENGTH, rel=0.005)


def test_per_unit_radius_and_gap_geometry():
    lon, lat = units_west([50, 150], 10.0)
    cov = measure_coverage(meridian(), lon, lat, [15.0, 40.0])
    small, large = math.sqrt(15.0**2 - 100.0), math.sqrt(40.0**2 - 100.0)
    assert cov.covered_km == pytest.approx(2 * small + 2 * large, rel=0.005)
    for gap in cov.gaps.itertuples():
        assert GEOD.geometry_length(gap.geometry) / 1000.0 == pytest.approx(
            gap.length_km, rel=0.005
        )
        start = along(LON0, LAT0, 0.0, gap.start_km)
        assert gap.geometry.coords[0] == pytest.approx(start, abs=1e-6)


def test_no_units_leave_one_gap_per_part():
    second = meridian(km=60.0, lon=33.0, lat=47.2)
    line = gpd.GeoDataFrame(
        {"part": [0, 1], "is_main": [True, False]}, geometry=[meridian(), second], crs=4326
    )
    cov = measure_coverage(line, [], [], 25.0)
    assert cov.covered_fraction == 0.0
    assert cov.gaps["part"].tolist() == [0, 1]
    assert cov.gaps["length_km"].to_numpy() == pytest.approx([LENGTH, 60.0], rel=1e-9)
    assert cov.largest_gap_km == pytest.approx(LENGTH)
    main_only = measure_coverage(line, [], [], 25.0, all_parts=False)
    assert main_only.line_km == pytest.approx(LENGTH)


def test_per_part_and_per_oblast_add_up():
    second = meridian(km=60.0, lon=33.5, lat=46.8)  # in Kherson oblast
    line = gpd.GeoDataFrame(
        {"part": [0, 1], "is_main": [True, False]}, geometry=[meridian(), second], crs=4326
    )
    lon, lat = units_west([25, 75, 125], 10.0)
    cov = measure_coverage(line, lon, lat, 25.0)
    assert cov.coverage_by_part[1] == 0.0
    assert cov.coverage_by_part[0] * LENGTH / (LENGTH + 60.0) == pytest.approx(cov.covered_fraction)
    # the meridian runs from Zaporizhzhia into Dnipropetrovsk; the second part in Kherson
    assert {"Zaporizhzhia", "Dnipropetrovsk", "Kherson"} <= set(cov.coverage_by_oblast)
    assert cov.coverage_by_oblast["Kherson"] == 0.0
    assert all(0.0 <= v <= 1.0 for v in cov.coverage_by_oblast.values())
    # by hand: find where the meridian leaves Zaporizhzhia (bisection on the oblast layer),
    # then the covered km on either side of that border from the three 2w-long stretches
    lo, hi = 0.0, LENGTH
    for _ in range(30):
        mid = (lo + hi) / 2.0
        inside = oblast_of(*along(LON0, LAT0, 0.0, mid))[0] == "Zaporizhzhia"
        lo, hi = (mid, hi) if inside else (lo, mid)
    border = lo
    half = math.sqrt(25.0**2 - 10.0**2)
    stretches = [(k - half, k + half) for k in (25.0, 75.0, 125.0)]
    south = sum(max(0.0, min(b, border) - a) for a, b in stretches)
    north = sum(max(0.0, b - max(a, border)) for a, b in stretches)
    # the oblast of each 1 km bin is its midpoint's: the border is placed within 0.5 km
    assert cov.coverage_by_oblast["Zaporizhzhia"] == pytest.approx(south / border, abs=0.6 / border)
    assert cov.coverage_by_oblast["Dnipropetrovsk"] == pytest.approx(
        north / (LENGTH - border), abs=0.6 / (LENGTH - border)
    )
    gap_oblasts = ", ".join(cov.gaps["oblast"])
    assert "Kherson" in gap_oblasts


def test_coverage_polygons_are_geodesic_circles():
    lon, lat = units_west([25, 125], 10.0)
    units = gpd.GeoDataFrame(
        {"unit_id": ["a", "b"], "radius_km": [25.0, 40.0]},
        geometry=[Point(x, y) for x, y in zip(lon, lat, strict=True)],
        crs="EPSG:4326",
    )
    circles = coverage_polygons(units)
    assert circles["unit_id"].tolist() == ["a", "b"]
    assert circles["radius_km"].tolist() == [25.0, 40.0]
    for circle, x, y, r in zip(circles.geometry, lon, lat, [25.0, 40.0], strict=True):
        ring = np.asarray(circle.exterior.coords)
        _, _, metres = GEOD.inv(
            np.full(len(ring), x), np.full(len(ring), y), ring[:, 0], ring[:, 1]
        )
        assert np.asarray(metres) / 1000.0 == pytest.approx(r, rel=1e-9)
    fixed = coverage_polygons(units, 10.0)
    assert fixed["radius_km"].tolist() == [10.0, 10.0]
    with pytest.raises(InputError, match="no radius_km column"):
        coverage_polygons(units.drop(columns="radius_km"))


@pytest.mark.parametrize("radius", [0, -5, float("nan"), float("inf"), 1e6, "far"])
def test_bad_radius_is_an_input_error(radius):
    lon, lat = units_west([25], 10.0)
    with pytest.raises(InputError, match="radius_km"):
        measure_coverage(meridian(), lon, lat, radius)


def test_mismatched_units_are_an_input_error():
    with pytest.raises(InputError, match="one lon and one lat"):
        measure_coverage(meridian(), [34.9, 34.8], [47.5], 25.0)
    with pytest.raises(InputError, match="one radius_km or one per unit"):
        measure_coverage(meridian(), [34.9, 34.8], [47.5, 47.6], [25.0, 25.0, 25.0])


def test_merge_intervals():
    start, end = merge_intervals(np.array([5.0, 0.0, 1.0, 9.0]), np.array([6.0, 1.0, 2.0, 9.5]))
    assert start.tolist() == [0.0, 5.0, 9.0] and end.tolist() == [2.0, 6.0, 9.5]


# --- properties ----------------------------------------------------------------------------

lines = st.tuples(
    st.floats(33.0, 36.0), st.floats(47.0, 49.0), st.floats(0.0, 360.0), st.floats(40.0, 250.0)
)


def _sampled_fraction(line: LineString, lon, lat, radius: float, step_km: float = 0.02):
    """Brute force: fraction of points every step_km along the line within radius of a unit."""
    length = GEOD.geometry_length(line) / 1000.0
    x0, y0 = line.coords[0]
    azimuth = GEOD.inv(x0, y0, *line.coords[1])[0]
    km = np.arange(step_km / 2.0, length, step_km)
    px, py, _ = GEOD.fwd(
        np.full(km.size, x0), np.full(km.size, y0), np.full(km.size, azimuth), km * 1000.0
    )
    inside = np.zeros(km.size, dtype=bool)
    for x, y in zip(lon, lat, strict=True):
        _, _, metres = GEOD.inv(np.full(km.size, x), np.full(km.size, y), px, py)
        inside |= np.asarray(metres) / 1000.0 <= radius
    return inside.mean()


@settings(max_examples=25, deadline=None)
@given(
    line=lines,
    seed=st.integers(0, 10_000),
    count=st.integers(0, 6),
    radius=st.floats(3.0, 60.0),
)
def test_property_fraction_in_unit_interval_and_matches_brute_force(line, seed, count, radius):
    lon0, lat0, azimuth, length = line
    geom = LineString([(lon0, lat0), along(lon0, lat0, azimuth, length)])
    rng = np.random.default_rng(seed)
    # units scattered over the line's box, widened by about 40 km
    xs, ys = geom.coords.xy
    lon = rng.uniform(min(xs) - 0.5, max(xs) + 0.5, count)
    lat = rng.uniform(min(ys) - 0.4, max(ys) + 0.4, count)
    cov = measure_coverage(geom, lon, lat, radius)
    assert 0.0 <= cov.covered_fraction <= 1.0
    assert 0.0 <= cov.overlap_fraction <= cov.covered_fraction
    assert cov.covered_fraction == pytest.approx(
        _sampled_fraction(geom, lon, lat, radius), abs=0.005
    )
    assert cov.covered_km + cov.gaps["length_km"].sum() == pytest.approx(cov.line_km, rel=1e-9)


@settings(max_examples=25, deadline=None)
@given(
    line=lines,
    spacing=st.floats(10.0, 80.0),
    offset=st.floats(0.0, 20.0),
    standoff=st.floats(1.0, 30.0),
    radius=st.floats(5.0, 60.0),
)
def test_property_halving_the_spacing_never_covers_less(line, spacing, offset, standoff, radius):
    lon0, lat0, azimuth, length = line
    end = along(lon0, lat0, azimuth, length)
    geom = LineString([(lon0, lat0), end])

    def units(step: float):
        km = np.arange(offset, length, step)
        feet = [along(lon0, lat0, azimuth, k) for k in km]
        xy = [along(*f, azimuth - 90.0, standoff) for f in feet]
        return np.array([p[0] for p in xy]), np.array([p[1] for p in xy])

    coarse = measure_coverage(geom, *units(spacing), radius)
    fine = measure_coverage(geom, *units(spacing / 2.0), radius)
    assert fine.covered_km >= coarse.covered_km - 1e-9
    assert fine.largest_gap_km <= coarse.largest_gap_km + 1e-9
