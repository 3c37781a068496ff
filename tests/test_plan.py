"""make_plan on the bundled line (a test per cell of the notes' table) and on a synthetic
straight line whose answers are worked out by hand."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import line_distance_km
from shapely.geometry import LineString

from geo.errors import InputError
from layers import (
    Layers,
    Provenance,
    default_hubs,
    default_points,
    line_layer,
    load_layers,
    load_oblasts,
    ukraine_outline,
)
from planner.plan import ROW_KEYS, UNIT_COLUMNS, make_plan, plan_all
from planner.presets import PRESETS
from planner.scenario import Deployment, Scenario

GEOD = pyproj.Geod(ellps="WGS84")

# The notes' table (../shared/DOMAIN.md): (units, brigades min, max, troops min, max)
NOTES = {
    (1, "eur-plus"): (24, 8, 10, 32_000, 40_000),
    (1, "ua-supported"): (12, 4, 5, 16_000, 20_000),
    (2, "eur-plus"): (24, 8, 10, 32_000, 40_000),
    (2, "ua-supported"): (12, 4, 5, 16_000, 20_000),
    (3, "eur-plus"): (24, 24, 24, 96_000, 96_000),
    (3, "ua-supported"): (12, 12, 12, 48_000, 48_000),
    (4, "eur-plus"): (4, 4, 4, 16_000, 16_000),
    (4, "ua-supported"): (0, 0, 0, 0, 0),
}
# The notes' spacing, and the echelon of the units (None: around the points or none)
SPACING = {1: 50, 2: 50, 3: 50}
SPACING_UA = {1: 100, 2: 100, 3: 100}
BATTALIONS = {1: True, 2: True, 3: False, 4: False}


def brigades_by_hand(units: int, battalions: bool) -> tuple[float, float]:
    """Three battalions to a brigade, 24 battalions = 8-10 brigades with support: a battalion
    is 1/3 to 1/2.4 of a brigade (issue 10: linear, no rounding up to whole brigades)."""
    if not battalions:
        return units, units
    return units / 3, units / 2.4


def half_up(value: float, digits: int = 0) -> float:
    """Round half up by hand (positive values)."""
    scale = 10**digits
    return math.floor(value * scale + 0.5) / scale


@pytest.fixture(scope="module")
def bundled() -> Layers:
    return load_layers()


@pytest.fixture(scope="module")
def main_km(bundled: Layers) -> float:
    geom = bundled.line.loc[bundled.line["is_main"].astype(bool)].geometry.iloc[0]
    return GEOD.geometry_length(geom) / 1000.0


@pytest.mark.parametrize("cell", sorted(NOTES))
def test_preset_on_the_bundled_line(cell: tuple[int, str], bundled: Layers, main_km: float) -> None:
    option, variant = cell
    plan = make_plan(bundled, cell)
    units, b_min, b_max, t_min, t_max = NOTES[cell]
    row = plan.row()
    # the notes' figures, exactly
    assert (row["units_nominal"], row["brigades_min"], row["brigades_max"]) == (units, b_min, b_max)
    assert (row["troops_min"], row["troops_max"]) == (t_min, t_max)
    assert (row["option"], row["variant"]) == (option, variant)
    # what placement on the loaded line gives: one slot every spacing on every part at least
    # half a spacing long (first slot's middle at spacing / 2), a unit in each slot that has
    # a valid position; parts' lengths by pyproj
    if option == 4:
        placed = 4 if variant == "eur-plus" else 0
        assert len(plan.slots) == 0
    else:
        spacing = (SPACING if variant == "eur-plus" else SPACING_UA)[option]
        lengths = [GEOD.geometry_length(g) / 1000.0 for g in bundled.line.geometry]
        slots = sum(
            math.floor((km - spacing / 2) / spacing) + 1 for km in lengths if km >= spacing / 2
        )
        assert (plan.slots["reason"] != "too-short").sum() == slots
        placed = int((plan.slots["reason"] == "placed").sum())
        assert placed >= slots - 8  # a few slots stay empty where no position is valid
        assert row["slots_empty"] == len(plan.slots) - placed
        assert plan.units["unit_id"].tolist() == sorted(plan.slots["unit_id"].dropna())
    assert row["units_placed"] == len(plan.units) == placed
    p_min, p_max = brigades_by_hand(placed, BATTALIONS[option])
    assert (row["brigades_placed_min"], row["brigades_placed_max"]) == (
        half_up(p_min, 1),
        half_up(p_max, 1),
    )
    assert (row["troops_placed_min"], row["troops_placed_max"]) == (
        half_up(p_min * 4000),
        half_up(p_max * 4000),
    )
    # force arithmetic on the notes' figures, rotation x4
    assert row["rotation_factor"] == 4
    assert (row["sustained_troops_min"], row["sustained_troops_max"]) == (4 * t_min, 4 * t_max)
    assert row["fits_availability"] == (4 * t_max <= 300_000)
    assert row["fits_brigades"] == (4 * b_max <= 41)
    assert row["main_line_km"] == pytest.approx(main_km, abs=0.1)
    assert row["line_date"] == "2025-12-15"
    assert 0.0 <= row["coverage_fraction"] <= 1.0
    # every unit inside Ukraine, off the occupied territory, no nearer the line than its standoff
    if len(plan.units):
        xy = plan.units.geometry
        assert shapely.contains_xy(ukraine_outline(), xy.x, xy.y).all()
        occupied = shapely.union_all(bundled.occupied.geometry.to_numpy())
        assert not shapely.contains_xy(occupied, xy.x, xy.y).any()
        nearest = line_distance_km(xy.x, xy.y, [part.xy for part in bundled.line.geometry])
        assert (nearest >= plan.units["standoff_km"].to_numpy() * 0.99).all()


def test_option_4_brigades_opposite_the_points(bundled: Layers) -> None:
    plan = make_plan(bundled, (4, "eur-plus"))
    units = plan.units
    assert sorted(units["point"]) == sorted(["Luhansk", "Donetsk", "Zaporizhzhia", "Kherson"])
    assert set(units["unit_type"]) == {"heavy-brigade"}
    assert set(units["echelon"]) == {"brigade"}
    assert units["km_along"].isna().all()
    assert (units["distance_to_line_km"] >= 30 * 0.99).all()  # the brigade's standoff
    # distance and bearing to the point are geodesics from the unit to its point
    points = bundled.points.set_index("name")
    for unit in units.itertuples():
        target = points.geometry[unit.point]
        azimuth, _, metres = GEOD.inv(unit.geometry.x, unit.geometry.y, target.x, target.y)
        assert unit.distance_to_point_km == pytest.approx(metres / 1000, rel=1e-6)
        assert unit.bearing_to_point_deg == pytest.approx(azimuth % 360, abs=1e-6)
    assert sorted(plan.response["point"]) == sorted(points.index)
    assert (plan.response["hours"] > 0).all()


def test_ua_supported_option_4_has_no_european_units(bundled: Layers) -> None:
    plan = make_plan(bundled, (4, "ua-supported"))
    assert len(plan.units) == len(plan.coverage) == len(plan.legs) == 0
    assert list(plan.units.columns) == [*UNIT_COLUMNS, "geometry"]
    assert plan.covered_fraction == 0.0
    assert plan.gaps["length_km"].sum() == pytest.approx(plan.line_km, rel=1e-6)
    assert plan.row()["response_hours_max"] is None


def test_plan_layers_share_unit_ids(bundled: Layers) -> None:
    plan = make_plan(bundled, (1, "eur-plus"))
    ids = plan.units["unit_id"].tolist()
    assert ids[0] == "1-eur-plus-01" and len(set(ids)) == len(ids)
    assert plan.coverage["unit_id"].tolist() == ids
    assert plan.legs["unit_id"].tolist() == ids
    assert list(plan.units.columns) == [*UNIT_COLUMNS, "geometry"]
    assert plan.units.crs.to_epsg() == 4326
    for frame in plan.frames().values():
        assert frame.attrs["provenance"]["date"] == "2025-12-15"
    assert set(plan.frames()) == {"units", "coverage", "gaps", "slots", "legs"}
    # every unit's supply leg ends at the unit
    for unit, leg in zip(plan.units.geometry, plan.legs.geometry, strict=True):
        assert leg.coords[-1] == pytest.approx((unit.x, unit.y))


def test_overrides_keep_the_notes_figures(bundled: Layers, main_km: float) -> None:
    plan = make_plan(bundled, PRESETS[(1, "eur-plus")], spacing_km=80, rotation=3)
    assert plan.nominal.units == 24 and plan.nominal.troops_max == 40_000
    assert len(plan.units) == math.floor((main_km - 40) / 80) + 1
    assert plan.row()["sustained_troops_max"] == 3 * 40_000
    assert plan.parameters["overrides"] == {"spacing_km": 80, "rotation": 3}
    assert plan.parameters["spacing_km"] == 80
    # The summary says what was changed, and the sustained demand of what was placed:
    # 15 battalions (floor((1,162.7 - 40) / 80) + 1) = 15 / 3 to 15 / 2.4 = 5-6.25
    # brigades = 20,000-25,000 troops, x3.
    summary = plan.summary()
    assert "changed from the above: spacing_km = 80, rotation = 3" in summary
    assert "as placed: 60,000-75,000 troops sustained" in summary


def test_plan_all(bundled: Layers) -> None:
    scenario = Scenario(
        name="My screen", deployments=(Deployment(unit="light-battalion", spacing_km=200),)
    )
    plans = plan_all(bundled, rotation=3, scenarios=[scenario])
    assert [(p.option, p.variant) for p in plans[:9]] == list(PRESETS)
    assert (plans[8].option, plans[8].variant) == (0, "reassurance")  # after the eight
    assert all(p.rotation == 3 for p in plans[:9])
    mine = plans[9]
    assert (mine.option, mine.variant, mine.rotation) == (None, None, 4)
    assert mine.units["unit_id"].iloc[0] == "my-screen-01"
    assert not mine.has_notes_figures
    assert mine.nominal == mine.placed  # a scenario has no notes' figures
    assert set(ROW_KEYS) == set(mine.row())


def test_plan_all_in_workers_is_the_same_as_in_one_process(bundled: Layers) -> None:
    """Forked workers give the plans of one process, in the same order."""
    scenario = Scenario(
        name="My screen", deployments=(Deployment(unit="light-battalion", spacing_km=200),)
    )
    alone = plan_all(bundled, scenarios=[scenario], jobs=1)
    shared = plan_all(bundled, scenarios=[scenario], jobs=2)
    assert [p.name for p in shared] == [p.name for p in alone]
    for one, two in zip(alone, shared, strict=True):
        assert one.row() == two.row()
        assert one.units.drop(columns="geometry").equals(two.units.drop(columns="geometry"))
        assert list(one.units.geometry.to_wkb()) == list(two.units.geometry.to_wkb())


def test_plan_all_refuses_a_bad_jobs_count(bundled: Layers) -> None:
    with pytest.raises(InputError, match="--jobs is 0"):
        plan_all(bundled, jobs=0)


# --- a synthetic straight meridian line, about 200 km, all answers by hand -----------------

LON, LAT0, LAT1 = 35.0, 47.0, 48.8


@pytest.fixture(scope="module")
def straight() -> Layers:
    return _straight_layers()


def _straight_layers() -> Layers:
    prov = Provenance(source="test", date="2025-01-01", licence="CC0", derivation="typed")
    line = line_layer([LineString([(LON, LAT0), (LON, LAT1)])], date="2025-01-01", provenance=prov)
    return Layers(
        line=line,
        oblasts=load_oblasts(),
        points=default_points(),
        hubs=default_hubs(),
        occupied=None,
    )


LENGTH_KM = GEOD.inv(LON, LAT0, LON, LAT1)[2] / 1000.0


def covered_by_hand(spacing: float, standoff: float, radius: float) -> tuple[float, list[float]]:
    """Covered km and gap lengths: unit i at km s/2 + i s covers km +-sqrt(r^2 - d^2)."""
    half = math.sqrt(radius**2 - standoff**2)
    centres = np.arange(spacing / 2, LENGTH_KM + 1e-9, spacing)
    blocks: list[list[float]] = []
    for c in centres:
        a, b = max(0.0, c - half), min(LENGTH_KM, c + half)
        if blocks and a <= blocks[-1][1]:
            blocks[-1][1] = max(blocks[-1][1], b)
        else:
            blocks.append([a, b])
    covered = sum(b - a for a, b in blocks)
    edges = [0.0, *[x for block in blocks for x in block], LENGTH_KM]
    gaps = [edges[i + 1] - edges[i] for i in range(0, len(edges), 2)]
    return covered, [g for g in gaps if g > 1e-6]


def _scenario(spacing: float, standoff: float, radius: float) -> Scenario:
    return Scenario(
        name="straight",
        deployments=(
            Deployment(
                name="screen",
                unit="light-battalion",
                spacing_km=spacing,
                standoff_km=standoff,
                radius_km=radius,
            ),
        ),
    )


def test_straight_line_by_hand(straight: Layers) -> None:
    plan = make_plan(straight, _scenario(50, 10, 25))
    units = plan.units
    # 200 km line, spacing 50: units at 25, 75, 125, 175 km
    assert units["km_along"].tolist() == pytest.approx([25, 75, 125, 175])
    # 10 km behind the line on Kyiv's (western) side, inside Ukraine
    assert (units.geometry.x < LON).all()
    assert units["distance_to_line_km"].to_numpy() == pytest.approx(10, rel=0.01)
    for unit, km in zip(units.geometry, [25, 75, 125, 175], strict=True):
        on_line = GEOD.fwd(LON, LAT0, 0.0, km * 1000)
        assert GEOD.inv(unit.x, unit.y, on_line[0], on_line[1])[2] / 1000 == pytest.approx(
            10, rel=0.01
        )
    assert units["nearest_unit_km"].to_numpy() == pytest.approx(50, rel=0.005)
    # each covers 2 * sqrt(25^2 - 10^2) = 45.83 km of line; gaps 2.09, 3 x 4.17, and the end
    covered, gaps = covered_by_hand(50, 10, 25)
    assert plan.line_km == pytest.approx(LENGTH_KM, rel=1e-6)
    assert plan.covered_fraction == pytest.approx(covered / LENGTH_KM, abs=1e-4)
    assert plan.gaps["length_km"].tolist() == pytest.approx(gaps, abs=0.01)
    assert plan.largest_gap_km == pytest.approx(max(gaps), abs=0.01)
    assert plan.overlap_fraction == 0.0
    # 4 light battalions: 4/3 to 4/2.4 brigades, 5,333-6,667 troops; x4 = 21,333-26,667
    row = plan.row()
    assert (row["units_placed"], row["troops_min"], row["troops_max"]) == (4, 5333, 6667)
    assert (row["brigades_min"], row["brigades_max"]) == (1.3, 1.7)
    assert (row["sustained_troops_min"], row["sustained_troops_max"]) == (21_333, 26_667)
    assert row["option"] is None and row["variant"] is None


@settings(max_examples=15, deadline=None)
@given(
    spacing=st.floats(min_value=20, max_value=150),
    standoff=st.floats(min_value=2, max_value=20),
    extra=st.floats(min_value=1, max_value=80),
)
def test_straight_line_properties(spacing: float, standoff: float, extra: float) -> None:
    layers = _straight_layers()
    radius = standoff + extra
    plan = make_plan(layers, _scenario(spacing, standoff, radius))
    n = math.floor((LENGTH_KM - spacing / 2) / spacing) + 1
    assert len(plan.units) == n
    assert 0.0 <= plan.covered_fraction <= 1.0
    covered, _ = covered_by_hand(spacing, standoff, radius)
    assert plan.covered_fraction == pytest.approx(covered / LENGTH_KM, abs=2e-4)
    low, high = brigades_by_hand(n, True)
    assert float(plan.placed.troops_min) == pytest.approx(4000 * low, rel=1e-12)
    assert float(plan.placed.troops_max) == pytest.approx(4000 * high, rel=1e-12)
    row = plan.row()
    assert (row["troops_placed_min"], row["troops_placed_max"]) == (
        half_up(4000 * low),
        half_up(4000 * high),
    )


@settings(max_examples=10, deadline=None)
@given(
    spacing=st.floats(min_value=20, max_value=120),
    offset=st.floats(min_value=0, max_value=20),
    radius=st.floats(min_value=12, max_value=60),
)
def test_halving_the_spacing_never_covers_less(
    spacing: float, offset: float, radius: float
) -> None:
    layers = _straight_layers()

    def covered(step: float) -> float:
        deployment = Deployment(
            unit="light-battalion",
            spacing_km=step,
            offset_km=offset,
            standoff_km=10,
            radius_km=radius,
        )
        return make_plan(layers, Scenario(name="x", deployments=(deployment,))).covered_fraction

    assert covered(spacing / 2) >= covered(spacing) - 1e-9


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"spacing_km": 0.0}, "spacing"),
        ({"spacing_km": -50.0}, "spacing"),
        ({"spacing_km": math.nan}, "spacing"),
        ({"spacing_km": 500.0}, "longer than"),  # the straight line is 200 km
        ({"radius_km": 0.0}, "radius"),
        ({"radius_km": math.inf}, "radius"),
        ({"radius_km": 300.0}, "more than the whole line"),
        ({"standoff_km": 30.0}, "not less than radius_km"),
        ({"unit": "tank"}, "unknown unit type 'tank'"),
        ({"rotation": 9}, "rotation"),
        ({"response_target_h": 0.0}, "response target is 0.0"),
        ({"response_target_h": math.nan}, "response target is nan"),
    ],
)
def test_bad_input(straight: Layers, overrides: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        make_plan(straight, _scenario(50, 10, 25), **overrides)


def _points_at(*km_east: tuple[str, float, float]) -> gpd.GeoDataFrame:
    """Points ``east`` km east of the straight line's point at ``km`` (so its sector is there)."""
    rows = []
    for name, km, east in km_east:
        lon, lat, _ = GEOD.fwd(LON, LAT0, 0.0, km * 1000)
        x, y, _ = GEOD.fwd(lon, lat, 90.0, east * 1000)
        rows.append((name, x, y))
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows]},
        geometry=gpd.points_from_xy([r[1] for r in rows], [r[2] for r in rows]),
        crs="EPSG:4326",
    )


def test_response_to_the_sector_by_hand(straight: Layers) -> None:
    # light battalions 10 km west of km 25, 75, 125, 175; P's sector is km 125, Q's km 50
    points = _points_at(("P", 125.0, 20.0), ("Q", 50.0, 40.0))
    layers = Layers(line=straight.line, oblasts=straight.oblasts, points=points, hubs=straight.hubs)
    plan = make_plan(layers, _scenario(50, 10, 25))
    sectors = plan.points.set_index("name")
    for name, km in (("P", 125.0), ("Q", 50.0)):
        lon, lat, _ = GEOD.fwd(LON, LAT0, 0.0, km * 1000)
        assert (sectors.loc[name, "sector_lon"], sectors.loc[name, "sector_lat"]) == (
            pytest.approx(lon, abs=1e-6),
            pytest.approx(lat, abs=1e-6),
        )
        assert sectors.loc[name, "sector_km"] == pytest.approx(km, abs=1e-3)
        assert sectors.loc[name, "sector_part"] == 0
    # light battalion: 1 h notice + road km (1.3 x geodesic) at 50 km/h
    #   P: unit 03, 10 km from the sector:            1 + 13 / 50           = 1.26 h
    #   Q: units 01 and 02, sqrt(10^2 + 25^2) = 26.93 km: 1 + 26.93 x 1.3 / 50 = 1.700 h
    response = plan.response.set_index("point")
    assert response.loc["P", "unit_id"] == "straight-03"
    assert response.loc["P", "hours"] == pytest.approx(1.26, rel=1e-3)
    assert response.loc["Q", "unit_id"] in ("straight-01", "straight-02")
    assert response.loc["Q", "hours"] == pytest.approx(1.700, rel=2e-3)
    assert response["meets_target"].all()
    row = plan.row()
    assert row["response_hours_max"] == pytest.approx(1.70, abs=0.01)
    assert row["response_point_slowest"] == "Q" and row["response_meets_target"] is True
    assert row["response_target_h"] == 6.0
    assert [r["point"] for r in row["response"]] == ["P", "Q"]
    # every unit answers its nearest point; the units layer says how fast it moves
    assert plan.units["notice_h"].tolist() == [1.0] * 4
    assert plan.units["road_kmh"].tolist() == [50.0] * 4
    assert plan.units.loc[2, "response_point"] == "P"
    assert plan.units.loc[2, "response_hours"] == pytest.approx(1.26, rel=1e-3)
    # a target of 1.5 h: P in time, Q not
    strict = make_plan(layers, _scenario(50, 10, 25), response_target_h=1.5)
    assert strict.response.set_index("point")["meets_target"].to_dict() == {
        "P": True,
        "Q": False,
    }
    assert strict.row()["response_meets_target"] is False
    assert "1 of 2 beyond the 1.5 h target" in strict.summary()
    assert "Q 1.7 h (straight-0" in plan.summary()
    # heavy brigades 30 km back: 2 h notice + 30 x 1.3 / 30 km/h = 3.3 h to P
    brigades = Scenario(
        name="brigades",
        deployments=(
            Deployment(unit="heavy-brigade", spacing_km=50, standoff_km=30, radius_km=100),
        ),
    )
    heavy = make_plan(layers, brigades).response.set_index("point")
    assert heavy.loc["P", "hours"] == pytest.approx(3.3, rel=1e-3)


def test_bad_preset(straight: Layers) -> None:
    with pytest.raises(InputError, match="unknown option 5"):
        make_plan(straight, (5, "eur-plus"))
    with pytest.raises(InputError, match="expected a Scenario"):
        make_plan(straight, "option 1")  # type: ignore[arg-type]


def test_line_with_no_friendly_side() -> None:
    prov = Provenance(source="test", date="", licence="CC0", derivation="typed")
    at_sea = line_layer([LineString([(31.0, 43.5), (33.0, 43.6)])], provenance=prov)
    layers = Layers(
        line=at_sea, oblasts=load_oblasts(), points=default_points(), hubs=default_hubs()
    )
    with pytest.raises(InputError, match="no friendly side"):
        make_plan(layers, (1, "eur-plus"))


def test_empty_plan_frames_are_typed(bundled: Layers) -> None:
    plan = make_plan(bundled, (4, "ua-supported"))
    assert isinstance(plan.units, gpd.GeoDataFrame)
    assert plan.units["part"].dtype == np.int64
    assert plan.units["radius_km"].dtype == np.float64


def test_every_unit_is_supplied_the_shortest_way(bundled: Layers) -> None:
    # brute force over every (rear, entry, forward) triple of the hubs layer, with pyproj.Geod
    hubs = bundled.hubs
    tiers = {
        tier: [(g.x, g.y) for g in hubs.geometry[hubs["tier"] == tier]]
        for tier in ("rear", "entry", "forward")
    }

    def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
        return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0

    checked = 0
    plans = plan_all(bundled)
    for plan in plans:
        for leg, unit in zip(plan.legs.itertuples(), plan.units.geometry, strict=True):
            xy = (unit.x, unit.y)
            shortest = min(
                geodesic_km(r, e) + geodesic_km(e, f) + geodesic_km(f, xy)
                for r in tiers["rear"]
                for e in tiers["entry"]
                for f in tiers["forward"]
            )
            assert leg.road_km == pytest.approx(1.3 * shortest, rel=0.01)
            assert leg.road_km >= 1.3 * shortest * (1 - 1e-9)
            checked += 1
        row = plan.row()
        if len(plan.legs):
            road = plan.legs["road_km"]
            assert row["supply_road_km_min"] == pytest.approx(road.min(), abs=0.05)
            assert row["supply_road_km_median"] == pytest.approx(road.median(), abs=0.05)
            assert row["supply_road_km_max"] == pytest.approx(road.max(), abs=0.05)
    assert checked == sum(len(p.units) for p in plans) > 100
