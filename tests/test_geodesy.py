"""Tests of geo/: every reference value comes from pyproj.Geod directly or by hand.

Distances to lines are checked against :func:`reference.line_distance_km`, a brute force on
pyproj.Geod alone (the lines sampled down to 1 m), never against geo's own functions.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import REF, line_distance_km, sample_line
from shapely.geometry import (
    GeometryCollection,
    LinearRing,
    LineString,
    MultiLineString,
    MultiPoint,
    Point,
    Polygon,
)

import geo
from geo import (
    MAX_SEGMENT_KM,
    Chain,
    CRSError,
    GeometryError,
    InputError,
    PreparedLine,
    azimuth_deg,
    cumulative_km,
    degree_box,
    densify,
    distance_km,
    distance_matrix_km,
    distances_to_vertices_km,
    flat_error_km,
    flat_xy,
    geodesic_buffer,
    geodesic_circles,
    interpolate_along,
    line_length_km,
    line_parts,
    local_aeqd,
    nearest_neighbour_km,
    offset_point,
    point_line_distance_km,
    points_every,
    round_coordinates,
    segment_distance,
    stations_km,
    utm_crs,
)

LVIV = (24.0316, 49.8429)
KYIV = (30.5234, 50.4501)
DNIPRO = (35.0462, 48.4647)
KHARKIV = (36.2304, 49.9935)
# Kherson -> Zaporizhzhia -> Mariupol -> Donetsk -> Luhansk -> Kharkiv: about 940 km.
LONG_LINE = LineString(
    [
        (32.6169, 46.6354),
        (35.1396, 47.8388),
        (37.5498, 47.0951),
        (37.8028, 48.0159),
        (39.3078, 48.5740),
        KHARKIV,
    ]
)


def ref_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return REF.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def ref_fwd(lon: float, lat: float, azimuth: float, km: float) -> tuple[float, float]:
    lon2, lat2, _ = REF.fwd(lon, lat, azimuth, km * 1000.0)
    return lon2, lat2


def meridian_line(km: float, lon: float = 30.0, lat: float = 48.0) -> tuple[np.ndarray, ...]:
    """A straight line due north from (lon, lat), ``km`` long, its end found by Geod.fwd."""
    _, lat_end = ref_fwd(lon, lat, 0.0, km)
    return np.array([lon, lon]), np.array([lat, lat_end])


# --- point to point ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "nominal_km"),
    [(LVIV, KYIV, 470.0), (KYIV, DNIPRO, 395.0), (KYIV, KHARKIV, 410.0)],
    ids=["lviv-kyiv", "kyiv-dnipro", "kyiv-kharkiv"],
)
def test_distance_reference_pairs(a, b, nominal_km):
    km = distance_km(*a, *b)
    assert isinstance(km, float)
    assert km == pytest.approx(ref_km(*a, *b), rel=1e-3)
    assert km == pytest.approx(nominal_km, rel=0.01)


def test_distance_one_degree_of_equator_by_hand():
    # A degree of the equator is 2 pi a / 360 with a = 6378.137 km.
    assert distance_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(2 * np.pi * 6378.137 / 360, rel=1e-9)


def test_distance_vectorised_and_broadcast():
    lon2 = np.array([KYIV[0], DNIPRO[0], KHARKIV[0]])
    lat2 = np.array([KYIV[1], DNIPRO[1], KHARKIV[1]])
    km = distance_km(*LVIV, lon2, lat2)
    assert isinstance(km, np.ndarray)
    assert km.shape == (3,)
    expected = [ref_km(*LVIV, x, y) for x, y in zip(lon2, lat2, strict=True)]
    np.testing.assert_allclose(km, expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("end", "expected"),
    [((30.0, 1.0), 0.0), ((31.0, 0.0), 90.0), ((30.0, -1.0), 180.0), ((29.0, 0.0), 270.0)],
    ids=["north", "east", "south", "west"],
)
def test_azimuth_compass_points(end, expected):
    assert azimuth_deg(30.0, 0.0, *end) == pytest.approx(expected, abs=1e-9)


def test_azimuth_matches_geod_in_0_360():
    az = azimuth_deg(*KYIV, np.array([LVIV[0], DNIPRO[0]]), np.array([LVIV[1], DNIPRO[1]]))
    expected = [REF.inv(*KYIV, *p)[0] % 360 for p in (LVIV, DNIPRO)]
    np.testing.assert_allclose(az, expected, atol=1e-9)
    assert ((az >= 0) & (az < 360)).all()


@pytest.mark.parametrize("azimuth", [0.0, 45.0, 135.0, 250.0])
@pytest.mark.parametrize("km", [1.0, 50.0, 400.0])
def test_offset_point_matches_geod(azimuth, km):
    lon, lat = offset_point(*KYIV, azimuth, km)
    assert (lon, lat) == pytest.approx(ref_fwd(*KYIV, azimuth, km), abs=1e-10)
    assert distance_km(*KYIV, lon, lat) == pytest.approx(km, rel=1e-9)


def test_offset_point_vectorised():
    lon, lat = offset_point(np.array([30.0, 31.0]), 48.0, 90.0, np.array([10.0, 20.0]))
    assert lon.shape == lat.shape == (2,)
    assert (lon[1], lat[1]) == pytest.approx(ref_fwd(31.0, 48.0, 90.0, 20.0), abs=1e-10)


# --- lines ---------------------------------------------------------------------------------


def test_line_length_of_200_km_meridian_line():
    lon, lat = meridian_line(200.0)
    # Intermediate vertices on the meridian change nothing.
    mid = np.linspace(lat[0], lat[1], 7)
    assert line_length_km(LineString(zip(np.full(7, 30.0), mid, strict=True))) == pytest.approx(
        200.0, abs=1e-6
    )
    assert line_length_km(LineString(zip(lon, lat, strict=True))) == pytest.approx(200.0, abs=1e-6)


def test_line_length_of_multiline_and_ring():
    multi = MultiLineString([[LVIV, KYIV], [KYIV, DNIPRO]])
    assert line_length_km(multi) == pytest.approx(ref_km(*LVIV, *KYIV) + ref_km(*KYIV, *DNIPRO))
    ring = LinearRing([LVIV, KYIV, DNIPRO])
    expected = ref_km(*LVIV, *KYIV) + ref_km(*KYIV, *DNIPRO) + ref_km(*DNIPRO, *LVIV)
    assert line_length_km(ring) == pytest.approx(expected)
    assert line_length_km(LineString()) == 0.0


@pytest.mark.parametrize("geom", [Point(30, 48), Polygon([(30, 48), (31, 48), (31, 49)])])
def test_line_length_refuses_non_lines(geom):
    with pytest.raises(GeometryError, match="line was expected"):
        line_length_km(geom)


def test_cumulative_km():
    lon = np.array([LVIV[0], KYIV[0], DNIPRO[0]])
    lat = np.array([LVIV[1], KYIV[1], DNIPRO[1]])
    first = ref_km(*LVIV, *KYIV)
    np.testing.assert_allclose(
        cumulative_km(lon, lat), [0.0, first, first + ref_km(*KYIV, *DNIPRO)], rtol=1e-12
    )


@pytest.mark.parametrize(
    ("lon", "lat", "match"),
    [
        ([30.0], [48.0], "at least 2"),
        ([30.0, np.nan], [48.0, 49.0], "NaN"),
        ([30.0, 31.0], [48.0], "same length"),
        ([48.0, 49.0], [30.0, 130.0], "latitude"),
    ],
    ids=["one-vertex", "nan", "shapes", "latitude"],
)
def test_chains_are_validated(lon, lat, match):
    with pytest.raises(GeometryError, match=match):
        cumulative_km(lon, lat)


def test_densify_keeps_vertices_and_stays_on_the_geodesic():
    lon, lat = np.array([LVIV[0], KYIV[0], DNIPRO[0]]), np.array([LVIV[1], KYIV[1], DNIPRO[1]])
    dlon, dlat = densify(lon, lat, max_segment_km=10.0)
    steps = REF.line_lengths(dlon, dlat)
    assert max(steps) <= 10_000.0
    # Fewest equal pieces: ceil(length / 10 km) per segment.
    pieces = sum(int(np.ceil(ref_km(*a, *b) / 10.0)) for a, b in [(LVIV, KYIV), (KYIV, DNIPRO)])
    assert dlon.size == pieces + 1
    for vertex in (LVIV, KYIV, DNIPRO):
        assert ((dlon == vertex[0]) & (dlat == vertex[1])).sum() == 1
    # On the geodesic: the detour through each inserted point is nil.
    assert sum(steps) / 1000.0 == pytest.approx(
        ref_km(*LVIV, *KYIV) + ref_km(*KYIV, *DNIPRO), abs=1e-6
    )


def test_densify_refuses_bad_step():
    with pytest.raises(InputError, match="max_segment_km"):
        densify([30, 31], [48, 48], max_segment_km=0.0)


def test_interpolate_along_meridian():
    lon, lat = meridian_line(200.0)
    x, y, az = interpolate_along(lon, lat, 120.0)
    assert isinstance(x, float)
    assert (x, y) == pytest.approx(ref_fwd(30.0, 48.0, 0.0, 120.0), abs=1e-9)
    assert az == pytest.approx(0.0, abs=1e-9)


def test_interpolate_along_bent_line_and_azimuth():
    lon = np.array([LVIV[0], KYIV[0], DNIPRO[0]])
    lat = np.array([LVIV[1], KYIV[1], DNIPRO[1]])
    first = ref_km(*LVIV, *KYIV)
    x, y, az = interpolate_along(lon, lat, np.array([first + 100.0, first]))
    # 100 km past Kyiv towards Dnipro, heading the way the geodesic heads there.
    az_kd, _, _ = REF.inv(*KYIV, *DNIPRO)
    end_lon, end_lat, back = REF.fwd(*KYIV, az_kd, 100_000.0)
    assert (x[0], y[0]) == pytest.approx((end_lon, end_lat), abs=1e-9)
    assert az[0] == pytest.approx((back + 180.0) % 360.0, abs=1e-9)
    # At a vertex, the outgoing direction.
    assert (x[1], y[1]) == pytest.approx(KYIV, abs=1e-9)
    assert az[1] == pytest.approx(az_kd % 360, abs=1e-9)


@pytest.mark.parametrize("km", [-1.0, 201.0, np.nan])
def test_interpolate_along_refuses_outside(km):
    with pytest.raises(InputError, match="outside the line"):
        interpolate_along(*meridian_line(200.0), km)


def test_points_every_200_km_meridian_line():
    lon, lat = meridian_line(200.0)
    x, y, km, az = points_every(lon, lat, spacing_km=50.0)
    np.testing.assert_allclose(km, [25.0, 75.0, 125.0, 175.0])
    for xi, yi, ki in zip(x, y, km, strict=True):
        assert (xi, yi) == pytest.approx(ref_fwd(30.0, 48.0, 0.0, ki), abs=1e-9)
    np.testing.assert_allclose(az, 0.0, atol=1e-9)


def test_points_every_offset_zero_includes_both_ends():
    lon, lat = meridian_line(200.0)
    _, y, km, _ = points_every(lon, lat, spacing_km=50.0, offset_km=0.0)
    np.testing.assert_allclose(km, [0.0, 50.0, 100.0, 150.0, 200.0])
    assert y[-1] == pytest.approx(lat[-1], abs=1e-9)


def test_points_every_offset_beyond_the_end_gives_none():
    x, _, km, _ = points_every(*meridian_line(200.0), spacing_km=50.0, offset_km=250.0)
    assert x.size == km.size == 0


@pytest.mark.parametrize(
    ("spacing", "offset", "match"),
    [(0.0, None, "spacing_km"), (-5.0, None, "spacing_km"), (50.0, -1.0, "offset_km")],
)
def test_points_every_refuses_bad_spacing(spacing, offset, match):
    with pytest.raises(InputError, match=match):
        points_every(*meridian_line(200.0), spacing_km=spacing, offset_km=offset)


# --- point to line -------------------------------------------------------------------------


def foot_distance_km(lon: float, lat: float, line_lon: float, lat_lo: float, lat_hi: float):
    """Distance to a meridian segment by brute force: Geod.inv to 1 m spaced points on it."""
    lats = np.linspace(lat_lo, lat_hi, int((lat_hi - lat_lo) * 111_000) + 1)
    n = lats.size
    return REF.inv(np.full(n, lon), np.full(n, lat), np.full(n, line_lon), lats)[2].min() / 1000.0


@pytest.mark.parametrize(
    "point",
    [(30.5, 48.9), (29.2, 49.3), (30.01, 48.1), (31.5, 47.5)],
    ids=["east-37km", "west-59km", "near-1km", "beyond-start"],
)
def test_point_line_distance_on_meridian_matches_foot_point(point):
    lon, lat = meridian_line(200.0)
    d = point_line_distance_km(*point, lon, lat)
    assert d.shape == (1,)
    # The foot lies within 0.2 deg of the point's latitude (or is the line's start).
    lo, hi = max(lat[0], point[1] - 0.2), min(lat[1], max(lat[0], point[1] + 0.2))
    assert d[0] == pytest.approx(foot_distance_km(*point, 30.0, lo, hi), rel=1e-5)


def test_point_line_distance_beyond_the_end_is_to_the_end_vertex():
    lon, lat = meridian_line(200.0)
    d = point_line_distance_km(30.3, lat[1] + 0.5, lon, lat)
    assert d[0] == pytest.approx(ref_km(30.3, lat[1] + 0.5, lon[1], lat[1]), rel=1e-9)


def test_point_line_distance_long_segment_inside():
    # One 2,200 km geodesic segment; the nearest point is deep inside it.
    lon, lat = np.array([30.0, 30.0]), np.array([40.0, 60.0])
    d = point_line_distance_km([30.5, 28.0], [48.9, 55.0], lon, lat)
    np.testing.assert_allclose(
        d,
        [
            foot_distance_km(30.5, 48.9, 30.0, 48.7, 49.1),
            foot_distance_km(28.0, 55.0, 30.0, 54.8, 55.2),
        ],
        rtol=1e-5,
    )


def wiggly_line(n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.linspace(0.0, 1.0, n)
    return 33.0 + 4.0 * t + 0.3 * np.sin(20 * t), 46.5 + 3.5 * t + 0.2 * np.cos(15 * t)


@pytest.mark.parametrize("n_vertices", [2_000, 200_000])
def test_point_line_distance_dense_line_vs_every_vertex(n_vertices):
    lon, lat = wiggly_line(n_vertices)
    rng = np.random.default_rng(7)
    qlon, qlat = rng.uniform(31.0, 39.0, 6), rng.uniform(45.5, 51.0, 6)
    d = point_line_distance_km(qlon, qlat, lon, lat)
    spacing = max(REF.line_lengths(lon, lat)) / 1000.0
    for i in range(qlon.size):
        n = lon.size
        to_vertices = REF.inv(np.full(n, qlon[i]), np.full(n, qlat[i]), lon, lat)[2] / 1000.0
        # Never farther than the nearest vertex, never nearer than it by more than allowed
        # by the segment length (d^2 + (L/2)^2 >= nearest vertex^2).
        assert d[i] <= to_vertices.min() + 1e-9
        assert d[i] ** 2 + (spacing / 2) ** 2 >= to_vertices.min() ** 2 * (1 - 1e-9)


@pytest.mark.parametrize(("lon", "lat"), [(np.nan, 48.0), (30.0, 95.0)])
def test_point_line_distance_refuses_bad_points(lon, lat):
    with pytest.raises(GeometryError, match="points have"):
        point_line_distance_km([30.0, lon], [48.0, lat], *meridian_line(200.0))


def test_point_line_distance_across_the_antimeridian():
    # A meridian-like segment crossing lon 180; a point 0.1 deg east of it at the equator.
    d = point_line_distance_km(-179.9, 0.0, [180.0, 180.0], [-1.0, 1.0])
    assert d[0] == pytest.approx(ref_km(-179.9, 0.0, 180.0, 0.0), rel=1e-6)


def test_distances_to_vertices_prefilter():
    lon, lat = wiggly_line(20_000)
    n = lon.size
    exact = REF.inv(np.full(n, 35.0), np.full(n, 48.0), lon, lat)[2] / 1000.0
    np.testing.assert_allclose(distances_to_vertices_km(35.0, 48.0, lon, lat), exact, rtol=1e-12)
    near = distances_to_vertices_km(35.0, 48.0, lon, lat, max_km=60.0)
    within = exact <= 60.0
    assert 0 < within.sum() < n
    np.testing.assert_allclose(near[within], exact[within], rtol=1e-12)
    assert np.isinf(near[~within]).all()


def test_point_line_distance_to_a_line_of_one_repeated_vertex():
    d = point_line_distance_km([31.0, 30.0], [48.0, 49.0], [30.0, 30.0], [48.0, 48.0])
    np.testing.assert_allclose(d, [ref_km(31.0, 48.0, 30.0, 48.0), ref_km(30.0, 49.0, 30.0, 48.0)])


def test_point_line_distance_beyond_the_flat_range_is_exact():
    # 4,000 km and more from a short line: every segment is measured in the AEQD
    lon, lat = np.array([30.0, 31.0, 31.5]), np.array([48.0, 48.5, 48.2])
    qlon, qlat = np.array([-40.0, 100.0, 30.0]), np.array([10.0, 20.0, -10.0])
    np.testing.assert_allclose(
        point_line_distance_km(qlon, qlat, lon, lat),
        line_distance_km(qlon, qlat, [(lon, lat)]),
        rtol=1e-6,
    )


def test_points_every_on_a_line_of_one_repeated_vertex():
    x, _, km, _ = points_every([30.0, 30.0], [48.0, 48.0], spacing_km=50.0)
    assert x.size == km.size == 0
    with pytest.raises(GeometryError, match="zero length"):
        points_every([30.0, 30.0], [48.0, 48.0], spacing_km=50.0, offset_km=0.0)
    with pytest.raises(GeometryError, match="zero length"):
        interpolate_along([30.0, 30.0], [48.0, 48.0], 0.0)


@pytest.mark.parametrize(
    ("length", "spacing", "offset", "expected"),
    [
        (200.0, 50.0, 25.0, [25.0, 75.0, 125.0, 175.0]),
        (200.0, 50.0, 0.0, [0.0, 50.0, 100.0, 150.0, 200.0]),
        (100.0, 30.0, 10.0, [10.0, 40.0, 70.0, 100.0]),
        (200.0, 50.0, 250.0, []),
    ],
)
def test_stations_km_by_hand(length, spacing, offset, expected):
    km = stations_km(length, spacing_km=spacing, offset_km=offset)
    np.testing.assert_allclose(km, expected)


# --- point sets ----------------------------------------------------------------------------


def test_distance_matrix_matches_geod():
    rows, columns = [LVIV, KYIV], [DNIPRO, KHARKIV, KYIV]
    d, az = distance_matrix_km(*np.array(rows).T, *np.array(columns).T)
    assert d.shape == az.shape == (2, 3)
    for i, a in enumerate(rows):
        for j, b in enumerate(columns):
            assert d[i, j] == pytest.approx(ref_km(*a, *b), rel=1e-12, abs=1e-12)
            if a != b:
                assert az[i, j] == pytest.approx(REF.inv(*a, *b)[0] % 360.0, abs=1e-9)
    assert ((az >= 0.0) & (az < 360.0)).all()


def test_nearest_neighbour_on_a_meridian():
    lat = [48.0, 48.5, 50.0]
    near = ref_km(30.0, 48.0, 30.0, 48.5)
    np.testing.assert_allclose(
        nearest_neighbour_km([30.0] * 3, lat),
        [near, near, ref_km(30.0, 48.5, 30.0, 50.0)],
        rtol=1e-12,
    )
    assert np.isnan(nearest_neighbour_km([30.0], [48.0])).all()
    assert nearest_neighbour_km([], []).size == 0


# --- prepared lines ------------------------------------------------------------------------


def random_offsets(
    seed: int, n: int, max_km: float, *, lon=(-180.0, 180.0), lat=(-85.0, 85.0), power=2.0
) -> tuple[np.ndarray, ...]:
    """Random centres, distances up to max_km (denser near 0) and the points that far away."""
    rng = np.random.default_rng(seed)
    lon0, lat0 = rng.uniform(*lon, n), rng.uniform(*lat, n)
    km = rng.uniform(0.0, 1.0, n) ** power * max_km
    x, y, _ = REF.fwd(lon0, lat0, rng.uniform(0.0, 360.0, n), km * 1000.0)
    return lon0, lat0, km, x, y


def test_flat_coordinates_stay_within_their_error_bound():
    lon0, lat0, km, lon, lat = random_offsets(7, 20_000, 500.0, lon=(22.0, 41.0), lat=(44.0, 53.0))
    x, y = flat_xy(lon0, lat0, lon, lat)
    assert (np.abs(np.hypot(x, y) - km) <= flat_error_km(km, lat0) / 2.0).all()


def test_flat_error_bound_holds_at_every_latitude_and_across_the_antimeridian():
    lon0, lat0, km, lon, lat = random_offsets(11, 200_000, 3500.0)
    x, y = flat_xy(lon0, lat0, lon, lat)
    bound = flat_error_km(km, lat0)
    finite = np.isfinite(bound)
    assert (np.abs(np.hypot(x, y) - km)[finite] <= bound[finite] / 2.0).all()
    # by hand: a degree of latitude is at least 110.57 km (on the equator)
    reach = np.abs(lat0) + km / 110.57
    assert finite[(km < 2990.0) & (reach < 84.9)].all()
    assert not finite[(km > 3010.0) | (reach > 85.1)].any()
    assert 0.8 < finite.mean() < 1.0


@pytest.mark.parametrize("step_km", [MAX_SEGMENT_KM, 20.0])
def test_flat_chord_distance_stays_within_the_error_bound(step_km):
    # the flat chord of a segment against the geodesic segment itself (brute force)
    n = 100
    lon0, lat0, _, alon, alat = random_offsets(3, n, 3000.0, lat=(-80.0, 80.0))
    heading = np.random.default_rng(4).uniform(0.0, 360.0, n)
    blon, blat, _ = REF.fwd(alon, alat, heading, np.full(n, step_km * 1e3))
    ax, ay = flat_xy(lon0, lat0, alon, alat)
    bx, by = flat_xy(lon0, lat0, blon, blat)
    flat = segment_distance(ax, ay, bx - ax, by - ay)[0]
    true = np.array(
        [
            line_distance_km(lon0[i], lat0[i], [([alon[i], blon[i]], [alat[i], blat[i]])])[0]
            for i in range(n)
        ]
    )
    bound = flat_error_km(true, lat0, step_km)
    finite = np.isfinite(bound)
    assert finite.sum() > n // 2
    assert (np.abs(flat - true)[finite] <= bound[finite] / 2.0).all()


def test_segment_distance_by_hand():
    d, t = segment_distance(
        np.array([3.0, 3.0]), np.array([4.0, 4.0]), np.array([0.0, 3.0]), np.array([-8.0, 4.0])
    )
    np.testing.assert_allclose(d, [3.0, 5.0])  # the foot inside the first, the start of the next
    np.testing.assert_allclose(t, [0.5, 0.0])


def test_degree_box_holds_the_disc():
    lon0, lat0, radius, lon, lat = random_offsets(5, 50_000, 3000.0, lat=(-89.9, 89.9), power=3.0)
    box = np.array([degree_box(y, r) for y, r in zip(lat0.tolist(), radius.tolist(), strict=True)])
    assert (np.abs(lat - lat0) <= box[:, 1]).all()
    assert (np.abs((lon - lon0 + 180.0) % 360.0 - 180.0) <= box[:, 0]).all()


def test_chain_densifies_on_the_geodesic_and_measures_km_and_direction():
    lon = np.array([LVIV[0], KYIV[0], KYIV[0], DNIPRO[0]])  # Kyiv repeated: dropped
    lat = np.array([LVIV[1], KYIV[1], KYIV[1], DNIPRO[1]])
    chain = Chain.from_vertices(lon, lat, part=3, max_segment_km=10.0)
    assert chain.part == 3
    steps = REF.line_lengths(chain.lon, chain.lat) / 1000.0
    assert steps.min() > 0.0 and steps.max() <= 10.0
    assert chain.max_step_km >= steps.max()
    pieces = sum(int(np.ceil(ref_km(*a, *b) / 10.0)) for a, b in [(LVIV, KYIV), (KYIV, DNIPRO)])
    assert chain.lon.size == pieces + 1
    for vertex in (LVIV, KYIV, DNIPRO):
        assert ((chain.lon == vertex[0]) & (chain.lat == vertex[1])).sum() == 1
    first = ref_km(*LVIV, *KYIV)
    assert chain.length_km == pytest.approx(first + ref_km(*KYIV, *DNIPRO), rel=1e-12)
    at_kyiv = int(np.flatnonzero(chain.lon == KYIV[0])[0])
    assert chain.km[at_kyiv] == pytest.approx(first, rel=1e-12)
    az_kd, back_dk, _ = REF.inv(*KYIV, *DNIPRO)
    assert chain.azimuth[at_kyiv] == pytest.approx(az_kd % 360.0, abs=1e-9)
    assert chain.azimuth[-1] == pytest.approx((back_dk + 180.0) % 360.0, abs=1e-9)
    x, y, az = chain.interpolate([first + 100.0])
    end_lon, end_lat, back = REF.fwd(*KYIV, az_kd, 100_000.0)
    assert (x[0], y[0]) == pytest.approx((end_lon, end_lat), abs=1e-9)
    assert az[0] == pytest.approx((back + 180.0) % 360.0, abs=1e-9)


def test_chain_without_length_is_none():
    assert Chain.from_vertices([30.0, 30.0, 390.0], [48.0, 48.0, 48.0]) is None
    assert Chain.from_vertices([10.0, 50.0], [90.0, 90.0]) is None  # both at the pole


def test_chain_across_the_antimeridian():
    chain = Chain.from_vertices([179.5, -179.5], [10.0, 10.0], max_segment_km=5.0)
    assert chain.length_km == pytest.approx(ref_km(179.5, 10.0, -179.5, 10.0), rel=1e-12)
    assert chain.length_km < 120.0
    assert (REF.line_lengths(chain.lon, chain.lat) <= 5_000.0).all()


def meridians() -> list[tuple[np.ndarray, np.ndarray]]:
    """Two meridian lines: 200 km north from (35, 47) and 90 km north from (36.5, 49.5)."""
    return [meridian_line(200.0, 35.0, 47.0), meridian_line(90.0, 36.5, 49.5)]


def prepared(parts: list[tuple[np.ndarray, np.ndarray]]) -> PreparedLine:
    chains = [Chain.from_vertices(x, y, part=i) for i, (x, y) in enumerate(parts)]
    return PreparedLine.from_chains(chains, 0)


def test_prepared_line_nearest_part_and_km_along_by_brute_force():
    parts = meridians()
    line = prepared(parts)
    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(33.5, 38.0, 30), rng.uniform(46.5, 51.0, 30)
    d, chain, km = line.nearest(lon, lat)
    np.testing.assert_allclose(d, line_distance_km(lon, lat, parts), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(line.distance_km(lon, lat), d)
    for i in range(lon.size):
        x, y = parts[chain[i]]
        assert d[i] == pytest.approx(line_distance_km(lon[i], lat[i], [(x, y)])[0], rel=1e-6)
        # the foot: the nearest of the part's points every km, then every metre around it
        sx, sy = sample_line(x, y, 1.0)
        j = np.argmin(REF.inv(np.full(sx.size, lon[i]), np.full(sx.size, lat[i]), sx, sy)[2])
        around = [max(j - 1, 0), min(j + 1, sx.size - 1)]
        sx, sy = sample_line(sx[around], sy[around], 0.001)
        j = np.argmin(REF.inv(np.full(sx.size, lon[i]), np.full(sx.size, lat[i]), sx, sy)[2])
        assert km[i] == pytest.approx(ref_km(x[0], y[0], sx[j], sy[j]), abs=0.01)
    # only part 1, and with known upper bounds
    d1, chain1, _ = line.nearest(lon, lat, chains=[1], upper_km=d + 500.0)
    np.testing.assert_allclose(d1, line_distance_km(lon, lat, parts[1:]), rtol=1e-6, atol=1e-6)
    assert (chain1 == 1).all()


def test_prepared_line_on_a_dense_wiggly_line():
    lon, lat = wiggly_line(20_000)
    line = prepared([(lon, lat)])
    rng = np.random.default_rng(9)
    qlon, qlat = rng.uniform(31.0, 39.0, 25), rng.uniform(45.5, 51.0, 25)
    np.testing.assert_allclose(
        line.distance_km(qlon, qlat), line_distance_km(qlon, qlat, [(lon, lat)]), rtol=1e-6
    )


def test_prepared_line_across_the_antimeridian():
    x, y = np.array([179.0, 179.8, -179.7, -179.0]), np.array([-1.0, 0.0, 0.5, 1.0])
    line = prepared([(x, y)])
    lon, lat = np.array([-179.9, 179.9, -178.5, 178.0]), np.array([0.45, -0.2, 1.5, -2.0])
    np.testing.assert_allclose(
        line.distance_km(lon, lat), line_distance_km(lon, lat, [(x, y)]), rtol=1e-6
    )


# --- CRS -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [LVIV, DNIPRO, KHARKIV, (40.0, 44.0)])
def test_local_aeqd_distance_from_centre_is_exact(target):
    to_aeqd = pyproj.Transformer.from_crs(geo.WGS84, local_aeqd(*KYIV), always_xy=True)
    x, y = to_aeqd.transform(*target)
    assert np.hypot(x, y) / 1000.0 == pytest.approx(ref_km(*KYIV, *target), abs=1e-6)


@pytest.mark.parametrize(
    ("point", "epsg"),
    [(LVIV, 32635), (KYIV, 32636), (KHARKIV, 32637), ((-58.4, -34.6), 32721), ((179.9, 10), 32660)],
    ids=["lviv", "kyiv", "kharkiv", "buenos-aires", "zone-60"],
)
def test_utm_zone(point, epsg):
    assert utm_crs(*point).to_epsg() == epsg


@pytest.mark.parametrize(("lon", "lat"), [(30.0, 85.0), (30.0, -81.0), (np.nan, 48.0)])
def test_utm_refuses_points_outside(lon, lat):
    with pytest.raises(CRSError):
        utm_crs(lon, lat)


# --- circles and buffers -------------------------------------------------------------------


def ring_error(area, line_lon, line_lat, radius):
    """Largest relative miss of the outline's vertices from ``radius`` off the line."""
    ring = np.asarray(area.exterior.coords)
    d = line_distance_km(ring[:, 0], ring[:, 1], [(line_lon, line_lat)])
    return np.abs(d / radius - 1.0).max()


def test_web_mercator_circle_is_wrong_on_the_ground():
    """A 50 km circle drawn in EPSG:3857 metres near 48 deg N is ~33 km on the ground."""
    centre = (35.0, 48.0)
    to_merc = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    from_merc = pyproj.Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    merc_circle = Point(*to_merc.transform(*centre)).buffer(50_000.0, quad_segs=16)
    ring_lon, ring_lat = from_merc.transform(*np.asarray(merc_circle.exterior.coords).T)
    n = ring_lon.size
    ground = REF.inv(np.full(n, centre[0]), np.full(n, centre[1]), ring_lon, ring_lat)[2] / 1000
    # By hand: the Mercator scale at 48 deg is 1 / cos(48 deg), so 50 km -> 50 cos(48) ~ 33.5.
    assert ((ground > 32.0) & (ground < 34.5)).all()
    # The geodesic circle is 50 km.
    [circle] = geodesic_circles(*centre, 50.0)
    ring = np.asarray(circle.exterior.coords)
    n = len(ring)
    true = REF.inv(np.full(n, centre[0]), np.full(n, centre[1]), ring[:, 0], ring[:, 1])[2] / 1000
    np.testing.assert_allclose(true, 50.0, rtol=1e-9)


def test_geodesic_circles_vectorised():
    circles = geodesic_circles(
        np.array([KYIV[0], DNIPRO[0]]), np.array([KYIV[1], DNIPRO[1]]), [25.0, 100.0], resolution=32
    )
    assert len(circles) == 2
    for circle, centre, radius in zip(circles, (KYIV, DNIPRO), (25.0, 100.0), strict=True):
        ring = np.asarray(circle.exterior.coords)[:-1]
        assert len(ring) == 32
        assert circle.exterior.is_ccw
        for x, y in ring:
            assert ref_km(*centre, x, y) == pytest.approx(radius, rel=1e-9)


@pytest.mark.parametrize("radius", [0.0, -5.0, np.nan])
def test_circles_and_buffers_refuse_bad_radius(radius):
    with pytest.raises(InputError, match="radius_km"):
        geodesic_circles(30.0, 48.0, radius)
    with pytest.raises(InputError, match="radius_km"):
        geodesic_buffer(Point(30.0, 48.0), radius)


@pytest.mark.parametrize("radius", [5.0, 50.0, 200.0])
def test_point_buffer_radius(radius):
    area = geodesic_buffer(Point(*DNIPRO), radius)
    ring = np.asarray(area.exterior.coords)
    for x, y in ring:
        assert ref_km(*DNIPRO, x, y) == pytest.approx(radius, rel=0.005)
    for azimuth in range(0, 360, 30):
        assert area.contains(Point(ref_fwd(*DNIPRO, azimuth, radius * 0.99)))
        assert not area.contains(Point(ref_fwd(*DNIPRO, azimuth, radius * 1.01)))


@pytest.mark.parametrize("radius", [10.0, 25.0, 100.0])
def test_long_line_buffer_radius(radius):
    """A 940 km line: every outline vertex lies radius_km +/- 0.5 % from the line."""
    assert line_length_km(LONG_LINE) == pytest.approx(940.0, rel=0.01)
    area = geodesic_buffer(LONG_LINE, radius)
    assert area.geom_type == "Polygon"
    assert ring_error(area, *np.asarray(LONG_LINE.coords).T, radius) < 0.005
    # Probes square to the line every 37 km: at 0.99 radius inside; at 1.01 radius outside,
    # unless a bend brings another stretch of the line within the radius.
    coords = np.asarray(LONG_LINE.coords).T
    lon, lat, _, az = points_every(*coords, spacing_km=37.0)
    for side in (90.0, -90.0):
        x, y = offset_point(lon, lat, az + side, radius * 0.99)
        assert all(area.contains(Point(p)) for p in zip(x, y, strict=True))
        x, y = offset_point(lon, lat, az + side, radius * 1.01)
        clear = line_distance_km(x, y, [coords]) > radius
        assert clear.sum() >= 5
        assert not any(area.contains(Point(p)) for p in zip(x[clear], y[clear], strict=True))


def test_one_aeqd_for_a_very_long_line_is_not_enough():
    """Why lines are buffered in 200 km chunks: one AEQD's error grows away from its centre.

    Across the radius the scale is about 1 + (r / R)^2 / 6, so 1,500 km from the centre of a
    3,000 km line a buffer drawn in one AEQD is ~0.9 % too narrow on the ground.
    """
    end = ref_fwd(*LVIV, 90.0, 3000.0)
    line_lon, line_lat = densify([LVIV[0], end[0]], [LVIV[1], end[1]], max_segment_km=10.0)
    middle = ref_fwd(*LVIV, REF.inv(*LVIV, *end)[0], 1500.0)
    crs = local_aeqd(*middle)
    to_aeqd = pyproj.Transformer.from_crs(geo.WGS84, crs, always_xy=True)
    from_aeqd = pyproj.Transformer.from_crs(crs, geo.WGS84, always_xy=True)
    metric = LineString(np.column_stack(to_aeqd.transform(line_lon, line_lat))).buffer(50_000.0)
    one = Polygon(np.column_stack(from_aeqd.transform(*np.asarray(metric.exterior.coords).T)))
    assert 0.007 < ring_error(one, line_lon, line_lat, 50.0) < 0.012
    chunked = geodesic_buffer(LineString(zip(line_lon, line_lat, strict=True)), 50.0)
    assert ring_error(chunked, line_lon, line_lat, 50.0) < 0.001


def test_polygon_buffer_holds_polygon_and_reaches_radius():
    triangle = Polygon([KYIV, DNIPRO, KHARKIV])
    area = geodesic_buffer(triangle, 20.0)
    assert area.contains(triangle)
    ring = np.asarray(area.exterior.coords)
    d = line_distance_km(ring[:, 0], ring[:, 1], [np.asarray(triangle.exterior.coords).T])
    np.testing.assert_allclose(d, 20.0, rtol=0.005)


def test_buffer_of_collections_and_degenerate_lines():
    pair = geodesic_buffer(MultiPoint([KYIV, DNIPRO]), 30.0)
    assert pair.geom_type == "MultiPolygon"
    assert len(pair.geoms) == 2
    mixed = geodesic_buffer(GeometryCollection([Point(KYIV), LineString([LVIV, KYIV])]), 30.0)
    assert mixed.contains(Point(KYIV)) and mixed.contains(Point(LVIV))
    dot = geodesic_buffer(LineString([KYIV, KYIV]), 10.0)
    assert dot.contains(Point(KYIV))


def test_buffer_refuses_empty():
    with pytest.raises(GeometryError, match="empty"):
        geodesic_buffer(Point(), 10.0)


# --- small helpers -------------------------------------------------------------------------


def test_line_parts():
    a, b = LineString([LVIV, KYIV]), LineString([KYIV, DNIPRO])
    assert line_parts(a) == [a]
    assert line_parts(MultiLineString([a, b])) == [a, b]
    assert line_parts(GeometryCollection([a, MultiLineString([b])])) == [a, b]
    assert line_parts(LinearRing([LVIV, KYIV, DNIPRO]))[0].geom_type == "LineString"
    assert line_parts(LineString()) == []
    with pytest.raises(GeometryError):
        line_parts(Point(KYIV))


def test_round_coordinates():
    line = round_coordinates(LineString([(30.523412, 50.450187), (35.046249, 48.464711)]))
    assert list(line.coords) == [(30.52341, 50.45019), (35.04625, 48.46471)]
    assert round_coordinates(Point(1.23456789, 2.0, 3.0), decimals=2).wkt == "POINT Z (1.23 2 3)"


# --- properties ----------------------------------------------------------------------------

lons = st.floats(min_value=20.0, max_value=42.0)
lats = st.floats(min_value=43.0, max_value=53.0)


@settings(deadline=None, max_examples=60)
@given(lon1=lons, lat1=lats, lon2=lons, lat2=lats)
def test_distance_is_symmetric(lon1, lat1, lon2, lat2):
    assert distance_km(lon1, lat1, lon2, lat2) == pytest.approx(
        distance_km(lon2, lat2, lon1, lat1), rel=1e-12, abs=1e-12
    )


@settings(deadline=None, max_examples=40)
@given(
    lon=lons,
    lat=lats,
    azimuth=st.floats(min_value=0.0, max_value=359.9),
    length=st.floats(min_value=60.0, max_value=1500.0),
    spacing=st.floats(min_value=5.0, max_value=50.0),
)
def test_points_every_spacing_on_a_geodesic(lon, lat, azimuth, length, spacing):
    end = ref_fwd(lon, lat, azimuth, length)
    x, y, km, _ = points_every([lon, end[0]], [lat, end[1]], spacing_km=spacing)
    assert km[0] == pytest.approx(spacing / 2)
    assert km[-1] <= length + 1e-9 < km[-1] + spacing + 1e-9
    steps = REF.line_lengths(x, y) / 1000.0
    np.testing.assert_allclose(steps, spacing, rtol=1e-3)


@settings(deadline=None, max_examples=40)
@given(lon=lons, lat=lats, max_km=st.floats(min_value=1.0, max_value=400.0))
def test_vertex_prefilter_never_drops_a_near_vertex(lon, lat, max_km):
    vlon, vlat = wiggly_line(3_000)
    n = vlon.size
    exact = REF.inv(np.full(n, lon), np.full(n, lat), vlon, vlat)[2] / 1000.0
    got = distances_to_vertices_km(lon, lat, vlon, vlat, max_km=max_km)
    within = exact <= max_km
    np.testing.assert_allclose(got[within], exact[within], rtol=1e-12)
    assert np.isinf(got[~within]).all()


@settings(deadline=None, max_examples=40)
@given(lon=lons, lat=lats)
def test_point_line_distance_is_at_most_vertex_distance(lon, lat):
    vlon, vlat = LONG_LINE.xy
    d = point_line_distance_km(lon, lat, vlon, vlat)[0]
    n = len(vlon)
    to_vertices = REF.inv(np.full(n, lon), np.full(n, lat), np.asarray(vlon), np.asarray(vlat))[2]
    assert 0.0 <= d <= to_vertices.min() / 1000.0 + 1e-9
    # Never nearer than the line really is: no point on it, sampled every 1 km, is nearer.
    sx, sy = sample_line(vlon, vlat, 1.0)
    sampled = REF.inv(np.full(sx.size, lon), np.full(sx.size, lat), sx, sy)[2] / 1000.0
    assert sampled.min() >= d - 1e-6
    # ...and a sample lies within half a 1 km step of the foot.
    assert sampled.min() <= np.hypot(d, 0.5) * (1 + 1e-4)


@pytest.mark.parametrize(("lon0", "lat0"), [(30.0, 48.0), (37.8, 47.1), (-70.5, -33.4)])
def test_aeqd_transformers_match_proj_database_operation(lon0: float, lat0: float) -> None:
    # The cheap pipeline gives what Transformer.from_crs (PROJ's database) gives, both ways.
    from geo.crs import WGS84, aeqd_transformers, local_aeqd

    forward, back = aeqd_transformers(lon0, lat0)
    crs = local_aeqd(lon0, lat0)
    ref_forward = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    ref_back = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    lon = lon0 + np.linspace(-6, 6, 25)
    lat = lat0 + np.linspace(-4, 4, 25)
    x, y = forward.transform(lon, lat)
    rx, ry = ref_forward.transform(lon, lat)
    assert np.allclose(x, rx, atol=1e-6, rtol=0) and np.allclose(y, ry, atol=1e-6, rtol=0)
    # the distance from the centre is the geodesic one (AEQD's defining property)
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(np.full(25, lon0), np.full(25, lat0), lon, lat)
    assert np.allclose(np.hypot(x, y), metres, rtol=1e-9, atol=1e-6)
    blon, blat = back.transform(x, y)
    rlon, rlat = ref_back.transform(rx, ry)
    assert np.allclose(blon, rlon, atol=1e-10) and np.allclose(blat, lat, atol=1e-10)
    assert aeqd_transformers(lon0, lat0) is aeqd_transformers(lon0, lat0)
