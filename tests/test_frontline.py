"""The line of contact derived from an occupied-territory polygon, and the bundled default.

Reference lengths come from pyproj.Geod on hand-built geometries, and, for the real
2025-12-15 polygon, from the issue's figures (about 1,250 km in all, 1,160 km main part).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from geo.errors import CRSError, GeometryError, InputError
from layers.data.build import build_line
from layers.frontline import (
    DEFAULT_LINE_GEOJSON,
    DEFAULT_OCCUPIED_GEOJSON,
    LINE_COLUMNS,
    line_from_occupied,
    load_default_line,
    load_default_occupied,
    orient_south_west,
)
from layers.oblasts import oblast_of, ukraine_outline
from layers.provenance import Provenance, attach, provenance_of

FIXTURE = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "fixtures"
    / "deepstate_occupied_2025-12-15.geojson"
)
needs_fixture = pytest.mark.skipif(not FIXTURE.exists(), reason="../shared absent")

GEOD = pyproj.Geod(ellps="WGS84")
KHERSON = (32.6169, 46.6354)
#: A stand-in for Ukraine whose eastern border is the meridian 36 E.
WEST_OF_36 = box(30.0, 45.0, 36.0, 52.0)


def geod_km(geom: shapely.Geometry) -> float:
    """Geodesic length of a (multi)line, by pyproj directly."""
    return GEOD.geometry_length(geom) / 1000.0


def ring_km(lon: list[float], lat: list[float]) -> float:
    return GEOD.line_length(lon, lat) / 1000.0


def cut_lon(lat: float, km: float) -> float:
    """Longitude of the point ``km`` west of the meridian 36 E, at latitude ``lat``."""
    lon, _, _ = GEOD.fwd(36.0, lat, 270.0, km * 1000.0)
    return float(lon)


def min_distance_to_outline_km(lines: gpd.GeoSeries, outline: shapely.Geometry) -> float:
    """Smallest geodesic distance from the lines (every ~100 m) to the outline's boundary.

    Distances go to the outline's vertices, densified to ~100 m, which overstates the distance
    to the boundary itself by under 1 m at 3 km.
    """
    points = shapely.get_coordinates(shapely.segmentize(lines.to_numpy(), 0.001))
    border = shapely.get_coordinates(shapely.segmentize(shapely.boundary(outline), 0.001))
    tree = shapely.STRtree(shapely.points(border))
    # 0.1 deg is at least 6.9 km on the ground up to 52 N: every vertex within 3 km is found
    near_point, near_border = tree.query(shapely.points(points), predicate="dwithin", distance=0.1)
    _, _, dist = GEOD.inv(
        points[near_point, 0], points[near_point, 1], border[near_border, 0], border[near_border, 1]
    )
    return float(dist.min() / 1000.0) if len(dist) else np.inf


# --- synthetic polygons with known answers --------------------------------------------------


def test_rectangle_across_the_border_keeps_the_inside_edges() -> None:
    occupied = box(35.0, 47.0, 37.0, 48.0)  # half west of the border at 36 E
    line = line_from_occupied(occupied, outline=WEST_OF_36, date="2025-01-31")
    assert list(line.columns) == LINE_COLUMNS
    assert line.crs.to_epsg() == 4326
    assert len(line) == 1
    # the top and bottom edges face unoccupied Ukraine up to 1 km from the border (where a
    # probe off them still ends 1 km inside it), to within the 250 m the boundary is probed at
    expected = (
        ring_km([35.0, 35.0], [47.0, 48.0])
        + ring_km([35.0, cut_lon(48.0, 1.0)], [48.0, 48.0])
        + ring_km([35.0, cut_lon(47.0, 1.0)], [47.0, 47.0])
    )
    geom = line.geometry[0]
    assert geod_km(geom) == pytest.approx(expected, abs=0.5)
    assert line.length_km[0] == pytest.approx(geod_km(geom), rel=1e-9)
    # from the south-western end: the bottom edge's cut, west, north, then east along the top
    start, end = geom.coords[0], geom.coords[-1]
    assert start == pytest.approx((cut_lon(47.0, 1.0), 47.0), abs=0.01)
    assert end == pytest.approx((cut_lon(48.0, 1.0), 48.0), abs=0.01)
    assert shapely.get_coordinates(geom)[:, 0].max() < 36.0
    assert line.date[0] == "2025-01-31"
    assert line.name.tolist() == ["contact line"] and line.is_main.tolist() == [True]


def test_pieces_meeting_at_the_ring_seam_are_merged() -> None:
    # the ring starts half-way up the western edge, inside the kept stretch
    occupied = Polygon([(35, 47.5), (35, 47), (37, 47), (37, 48), (35, 48), (35, 47.5)])
    line = line_from_occupied(occupied, outline=WEST_OF_36)
    assert len(line) == 1
    assert line.length_km[0] == pytest.approx(
        line_from_occupied(box(35.0, 47.0, 37.0, 48.0), outline=WEST_OF_36).length_km[0]
    )


def test_polygon_inside_ukraine_gives_its_whole_closed_ring() -> None:
    occupied = box(34.5, 48.0, 35.0, 48.4)  # near Dnipro, far from coast and border
    line = line_from_occupied(occupied)  # the real outline
    assert len(line) == 1
    geom = line.geometry[0]
    assert geom.is_closed
    expected = ring_km([34.5, 35.0, 35.0, 34.5, 34.5], [48.0, 48.0, 48.4, 48.4, 48.0])
    assert geod_km(geom) == pytest.approx(expected, rel=1e-9)
    # a ring starts at its south-western-most vertex and runs counter-clockwise
    assert geom.coords[0] == pytest.approx((34.5, 48.0))
    assert shapely.is_ccw(geom)


def test_two_polygons_give_two_parts_longest_main() -> None:
    small = box(33.0, 49.0, 33.2, 49.1)
    large = box(34.0, 47.0, 35.0, 48.0)
    line = line_from_occupied(MultiPolygon([small, large]), outline=WEST_OF_36)
    assert line.part.tolist() == [0, 1]
    assert line.is_main.tolist() == [True, False]
    assert line.name.tolist() == ["contact line", "contact line part 1"]
    assert line.length_km[0] == pytest.approx(geod_km(large.exterior), rel=1e-9)
    assert line.length_km[1] == pytest.approx(geod_km(small.exterior), rel=1e-9)


def test_hole_is_kept_as_a_pocket() -> None:
    hole = box(34.4, 47.4, 34.6, 47.6)
    occupied = Polygon(box(34.0, 47.0, 35.0, 48.0).exterior.coords, [hole.exterior.coords])
    line = line_from_occupied(occupied, outline=WEST_OF_36)
    assert len(line) == 2
    assert line.geometry.is_closed.all()
    assert line.length_km[1] == pytest.approx(geod_km(hole.exterior), rel=1e-9)


def test_short_border_fragment_is_dropped_but_small_pocket_kept() -> None:
    # a sliver east of 35.975 E (1.9 km inside the border at 36 E), 2.2 km tall: its western
    # edge faces unoccupied Ukraine, and so do its top and bottom edges to 1 km from the
    # border: one open piece of about 3.9 km, under the 5 km floor
    sliver = box(35.975, 47.5, 37.0, 47.52)
    pocket = box(34.0, 47.0, 34.01, 47.01)  # a 4 km ring, well inside
    line = line_from_occupied(MultiPolygon([sliver, pocket]), outline=WEST_OF_36)
    assert len(line) == 1
    assert line.geometry[0].is_closed
    assert line.length_km[0] == pytest.approx(geod_km(pocket.exterior), rel=1e-9)

    kept = line_from_occupied(sliver, outline=WEST_OF_36, min_fragment_km=1.0)
    expected = (
        ring_km([35.975, 35.975], [47.5, 47.52])
        + ring_km([35.975, cut_lon(47.5, 1.0)], [47.5, 47.5])
        + ring_km([35.975, cut_lon(47.52, 1.0)], [47.52, 47.52])
    )
    assert expected < 5.0
    assert kept.length_km[0] == pytest.approx(expected, abs=0.5)


def test_tolerance_is_in_km_on_the_ground() -> None:
    # at 48 N a degree of longitude is ~74.6 km: an eastern edge 0.05 deg (3.73 km) inside
    # the border, facing Russia, is front with a 3 km tolerance and border with a 4 km one
    occupied = box(35.0, 47.0, 35.95, 48.0)
    wide = line_from_occupied(occupied, outline=WEST_OF_36).length_km.sum()
    narrow = line_from_occupied(occupied, outline=WEST_OF_36, border_tolerance_km=4.0)
    assert wide - narrow.length_km.sum() == pytest.approx(ring_km([35.95, 35.95], [47, 48]), 0.02)
    with pytest.raises(GeometryError, match="no line of contact"):
        line_from_occupied(box(35.98, 47.0, 35.99, 47.02), outline=WEST_OF_36)


def test_geodataframe_input_reprojected_and_provenance_kept() -> None:
    occupied = gpd.GeoDataFrame(geometry=[box(34.0, 47.0, 35.0, 48.0)], crs="EPSG:4326")
    attach(occupied, Provenance("ISW", "2025-06-01", "CC BY 4.0", "downloaded", "https://x.org"))
    line = line_from_occupied(occupied.to_crs("EPSG:3857"), outline=WEST_OF_36)
    assert line.length_km[0] == pytest.approx(geod_km(box(34.0, 47.0, 35.0, 48.0).exterior), 1e-6)
    prov = Provenance.from_dict(provenance_of(line))
    assert prov.source == "ISW" and prov.licence == "CC BY 4.0"
    assert prov.url == "https://x.org" and prov.date == "2025-06-01"
    assert "3 km inside" in prov.derivation
    assert line.date[0] == ""


@pytest.mark.parametrize(
    ("occupied", "error", "match"),
    [
        (box(40.5, 47.0, 41.0, 48.0), GeometryError, "no line of contact"),  # in Russia
        (Polygon(), GeometryError, "empty"),
        (LineString([(35, 47), (36, 48)]), GeometryError, "LineString"),
        (Polygon([(34, 47), (35, 48), (35, 47), (34, 48)]), GeometryError, "invalid"),
        (box(3_800_000, 5_900_000, 3_900_000, 6_000_000), GeometryError, "lon/lat range"),
        (gpd.GeoDataFrame(geometry=[box(34, 47, 35, 48)]), CRSError, "no CRS"),
    ],
)
def test_bad_input_is_refused(occupied: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        line_from_occupied(occupied)


@pytest.mark.parametrize("date", ["15-12-2025", "2025-13-01", "2025-1-5", "yesterday"])
def test_bad_date_is_refused(date: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        line_from_occupied(box(34.0, 47.0, 35.0, 48.0), date=date)


@pytest.mark.parametrize(
    "options",
    [{"border_tolerance_km": -1.0}, {"min_fragment_km": float("nan")}, {"min_hole_km2": -1.0}],
)
def test_bad_distance_is_refused(options: dict[str, float]) -> None:
    with pytest.raises(InputError, match="finite number of km"):
        line_from_occupied(box(34.0, 47.0, 35.0, 48.0), **options)


def test_orientation_of_open_line_and_ring() -> None:
    assert orient_south_west(LineString([(37, 50), (32, 46)])).coords[0] == (32.0, 46.0)
    assert orient_south_west(LineString([(32, 46), (37, 50)])).coords[0] == (32.0, 46.0)
    clockwise = LineString([(1, 1), (1, 2), (2, 2), (2, 1), (1, 1)])
    ring = orient_south_west(clockwise)
    assert ring.coords[0] == (1.0, 1.0) and shapely.is_ccw(ring)
    assert ring.length == pytest.approx(clockwise.length)


# --- the real DeepStateMap polygon of 2025-12-15 --------------------------------------------


@pytest.fixture(scope="module")
def derived() -> gpd.GeoDataFrame:
    return line_from_occupied(gpd.read_file(FIXTURE), date="2025-12-15")


@needs_fixture
def test_fixture_lengths(derived: gpd.GeoDataFrame) -> None:
    lengths = np.array([geod_km(g) for g in derived.geometry])
    assert derived.length_km.to_numpy() == pytest.approx(lengths, rel=1e-9)
    assert lengths.sum() == pytest.approx(1250.0, rel=0.04)
    assert lengths[0] == pytest.approx(1160.0, rel=0.04)
    assert derived.is_main.tolist() == [True] + [False] * (len(derived) - 1)
    assert (np.diff(lengths) <= 0).all()
    assert derived.part.tolist() == list(range(len(derived)))
    assert len(derived) > 1  # pockets near Kupiansk and the bridgeheads in Sumy and Kharkiv


@needs_fixture
def test_fixture_main_line_runs_from_the_dnipro_estuary_to_kharkiv(
    derived: gpd.GeoDataFrame,
) -> None:
    main = derived.geometry[0]
    (lon0, lat0), (lon1, lat1) = main.coords[0], main.coords[-1]
    assert oblast_of([lon0, lon1], [lat0, lat1]).tolist() == ["Kherson", "Kharkiv"]
    assert lon0 < 33.0 and lat0 < 46.7  # the estuary, downstream of Kherson city
    # north-east of Kupiansk it follows the Dvorichna strip towards the Russian border: the
    # strip faces unoccupied Ukraine, so its edge is front to within about 1 km of the border
    # (before, the line stopped 3 km out, where the strip is 3 km deep)
    assert lon1 > 37.0 and lat1 > 49.8
    points = shapely.get_coordinates(shapely.segmentize(main, 0.001))
    gap = outline_distances_km(points, ukraine_outline())
    closest = points[np.argmin(gap)]
    assert gap.min() < 1.0 and closest[0] > 37.5 and closest[1] > 50.0


def outline_distances_km(points: np.ndarray, outline: shapely.Geometry) -> np.ndarray:
    """Geodesic distance from each point to the outline's boundary (inf beyond 0.1 deg)."""
    border = shapely.get_coordinates(shapely.segmentize(shapely.boundary(outline), 0.001))
    tree = shapely.STRtree(shapely.points(border))
    near_point, near_border = tree.query(shapely.points(points), predicate="dwithin", distance=0.1)
    _, _, dist = GEOD.inv(
        points[near_point, 0], points[near_point, 1], border[near_border, 0], border[near_border, 1]
    )
    out = np.full(len(points), np.inf)
    np.minimum.at(out, near_point, dist / 1000.0)
    return out


@needs_fixture
def test_fixture_line_keeps_off_coast_and_border(derived: gpd.GeoDataFrame) -> None:
    outline = ukraine_outline()
    assert shapely.contains(outline, derived.geometry.to_numpy()).all()
    xy = shapely.get_coordinates(derived.geometry.to_numpy())
    assert xy[:, 0].min() > 32.0  # not the Kinburn spit (31.5-31.9 E)
    assert not ((xy[:, 0] > 35.0) & (xy[:, 1] < 47.2)).any()  # not the Azov coast
    # within 3 km of the outline only where occupied strips along the Russian border face
    # unoccupied Ukraine: in Sumy and Kharkiv oblasts, north of 50 N, never nearer than ~1 km
    points = shapely.get_coordinates(shapely.segmentize(derived.geometry.to_numpy(), 0.001))
    gap = outline_distances_km(points, outline)
    near = points[gap < 3.0 - 0.01]
    assert len(near) > 0
    assert set(oblast_of(near[:, 0], near[:, 1])) <= {"Sumy", "Kharkiv"}
    assert near[:, 1].min() > 50.0
    # about 100 m apart: some tens of km of border front (the Sumy strips, Dvorichna)
    assert 15.0 < len(near) * 0.1 < 80.0


@needs_fixture
def test_fixture_line_follows_the_dnipro(derived: gpd.GeoDataFrame) -> None:
    xy = shapely.get_coordinates(derived.geometry[0])
    n = len(xy)
    _, _, to_kherson = GEOD.inv(xy[:, 0], xy[:, 1], np.full(n, KHERSON[0]), np.full(n, KHERSON[1]))
    assert to_kherson.min() < 15_000
    # and up the river to the Kakhovka dam (Nova Kakhovka 33.36 E, 46.75 N)
    _, _, to_dam = GEOD.inv(xy[:, 0], xy[:, 1], np.full(n, 33.36), np.full(n, 46.75))
    assert to_dam.min() < 10_000


# --- the bundled default ---------------------------------------------------------------------


def test_bundled_line() -> None:
    line = load_default_line()
    assert list(line.columns) == LINE_COLUMNS
    assert line.crs.to_epsg() == 4326
    assert (line.date == "2025-12-15").all()
    assert line.geometry.geom_type.eq("LineString").all()
    total = sum(geod_km(g) for g in line.geometry)
    assert 1100.0 <= total <= 1350.0
    assert line.length_km.sum() == pytest.approx(total, rel=1e-9)
    prov = Provenance.from_dict(provenance_of(line))
    assert "DeepStateMap" in prov.source and "cyterat/deepstate-map-data" in prov.source
    assert prov.licence.startswith("GPL-3.0") and prov.date == "2025-12-15"
    assert "python -m layers.data.build line --from" in prov.derivation
    xy = shapely.get_coordinates(line.geometry.to_numpy())
    assert xy == pytest.approx(np.round(xy, 5), abs=1e-9)
    assert DEFAULT_LINE_GEOJSON.stat().st_size < 50_000
    changed = load_default_line()
    changed.loc[0, "name"] = "changed"
    assert load_default_line().name[0] == "contact line"  # each call a fresh copy


def test_bundled_occupied() -> None:
    occupied = load_default_occupied()
    assert occupied.crs.to_epsg() == 4326
    assert occupied.name.tolist() == ["occupied territory"] and occupied.date[0] == "2025-12-15"
    geom = occupied.geometry[0]
    assert geom.geom_type == "MultiPolygon" and geom.is_valid
    assert DEFAULT_OCCUPIED_GEOJSON.stat().st_size < 100_000
    assert "DeepStateMap" in Provenance.from_dict(provenance_of(occupied)).source
    # the line lies on the polygon's boundary, within the simplification of either
    line = load_default_line()
    aeqd = pyproj.CRS.from_proj4("+proj=aeqd +lat_0=47.8 +lon_0=35.9 +datum=WGS84 +units=m")
    rim = gpd.GeoSeries([geom.boundary], crs=4326).to_crs(aeqd).iloc[0]
    points = gpd.GeoSeries(shapely.points(shapely.get_coordinates(line.geometry)), crs=4326)
    assert shapely.distance(points.to_crs(aeqd).to_numpy(), rim).max() < 250.0


@needs_fixture
def test_bundled_line_is_close_to_the_unsimplified_derivation(derived: gpd.GeoDataFrame) -> None:
    line = load_default_line()
    assert len(line) == len(derived)
    total_raw = sum(geod_km(g) for g in derived.geometry)
    assert sum(geod_km(g) for g in line.geometry) == pytest.approx(total_raw, rel=0.02)
    aeqd = pyproj.CRS.from_proj4("+proj=aeqd +lat_0=47.8 +lon_0=35.9 +datum=WGS84 +units=m")
    bundled, raw = line.to_crs(aeqd).geometry, derived.to_crs(aeqd).geometry
    for a, b in zip(bundled, raw, strict=True):
        assert shapely.hausdorff_distance(a, b) <= 1000.0


@needs_fixture
def test_build_line_remakes_the_bundled_files(tmp_path: Path) -> None:
    (tmp_path / "provenance.json").write_text("{}\n", encoding="utf-8")
    written = build_line(FIXTURE, out_dir=tmp_path, provenance_path=tmp_path / "provenance.json")
    assert [p.name for p in written] == [DEFAULT_LINE_GEOJSON.name, DEFAULT_OCCUPIED_GEOJSON.name]
    for path, bundled in zip(
        written, (DEFAULT_LINE_GEOJSON, DEFAULT_OCCUPIED_GEOJSON), strict=True
    ):
        assert json.loads(path.read_text()) == json.loads(bundled.read_text())
    records = json.loads((tmp_path / "provenance.json").read_text())
    assert sorted(records) == ["line", "occupied"]
    assert records["line"]["licence"].startswith("GPL-3.0")
