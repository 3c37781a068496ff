"""Slots kept on the real line: the standoff band, spacing / 4, radius reaching the line.

On the bundled line and on every DeepStateMap snapshot of ``../shared/fixtures`` (each line
derived from its occupied polygon once per session), for options 1-3 (both variants) and for
light battalions at radius 25 km at spacings 25-100 km, every unit is checked with the tests'
own geodesy (``tests/reference.py``: pyproj.Geod and sampling, none of deployplan's code):

* its distance to the whole line (all parts) is in [standoff - 1 %, standoff + max(2, 25 %)];
* its radius reaches the line;
* it stands within the band of its own slot's stretch (never pushed away from it);
* no two units of a deployment are closer than a quarter of the spacing;
* no slot holds two units, every unit holds one slot, and the empty slots are in the slots
  layer and the summary.

Coverage never rises by more than 1 percentage point as the spacing grows. A hypothesis test
checks the band and spacing rules on random wiggly lines inside Ukraine.
"""

from __future__ import annotations

import itertools
import math
import os
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from reference import REF, line_distance_km
from shapely.geometry import LineString

from geo.errors import InputError
from layers.bundle import Layers, load_layers
from layers.oblasts import ukraine_outline
from planner.along import place_along_slots
from planner.plan import Plan, make_plan

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "deepstate-archive"
IN_CI = bool(os.environ.get("CI"))
SNAPSHOTS = sorted(FIXTURES.glob("deepstatemap_data_*.geojson")) if FIXTURES.exists() else []
if IN_CI and not SNAPSHOTS:  # never skip in CI: a missing ../shared is a failure there
    raise RuntimeError(f"CI is set but {FIXTURES} holds no snapshots")
LINES = ["bundled", *[p.stem.rsplit("_", 1)[-1] for p in SNAPSHOTS]]
CELLS = [(o, v) for o in (1, 2, 3) for v in ("eur-plus", "ua-supported")]
SPACINGS = (25, 30, 40, 50, 60, 75, 100)


def band(standoff: float) -> tuple[float, float]:
    """The band by hand: standoff - 1 %, standoff + max(2 km, 25 %)."""
    return standoff * 0.99, standoff + max(2.0, 0.25 * standoff)


@pytest.fixture(scope="session", params=LINES)
def layers(request: pytest.FixtureRequest) -> Layers:
    """Each line once per session: the bundled one, then each snapshot's derived line."""
    if request.param == "bundled":
        return load_layers()
    (path,) = [p for p in SNAPSHOTS if p.stem.endswith(request.param)]
    date = f"{request.param[:4]}-{request.param[4:6]}-{request.param[6:]}"
    return load_layers(line_from_occupied=path, line_date=date)


def _parts(layers: Layers) -> list[tuple[np.ndarray, np.ndarray]]:
    return [tuple(np.asarray(g.coords).T) for g in layers.line.geometry]  # type: ignore[misc]


def _stretch(slot_geom: LineString) -> list[tuple[np.ndarray, np.ndarray]]:
    return [tuple(np.asarray(slot_geom.coords).T)]  # type: ignore[list-item]


def _check_units(
    units_xy: np.ndarray,
    standoff: float,
    radius: float,
    spacing: float,
    parts: list,
    stretches: list[LineString],
) -> None:
    """The rules every placed unit keeps, measured with the reference geodesy."""
    low, high = band(standoff)
    lon, lat = units_xy[:, 0], units_xy[:, 1]
    distance = line_distance_km(lon, lat, parts)
    assert (distance >= low - 1e-3).all(), distance.min()
    assert (distance <= high + 1e-3).all(), distance.max()
    assert (distance < radius).all()  # its radius reaches the line
    # within the band of its own slot's stretch: never pushed away from its slot
    own = np.array(
        [
            line_distance_km([x], [y], _stretch(g))[0]
            for x, y, g in zip(lon, lat, stretches, strict=True)
        ]
    )
    assert (own <= high + 1e-3).all(), own.max()
    # no two units of the deployment closer than a quarter of the spacing
    if lon.size > 1:
        i, j = np.triu_indices(lon.size, 1)
        apart = REF.inv(lon[i], lat[i], lon[j], lat[j])[2] / 1000.0
        assert apart.min() >= spacing / 4.0 - 1e-6, apart.min()


def _check_plan(plan: Plan, layers: Layers, spacing: float, standoff: float, radius: float):
    slots, units = plan.slots, plan.units
    # every unit holds exactly one slot; no slot holds two
    held = slots["unit_id"].dropna()
    assert held.is_unique
    assert sorted(held) == sorted(units["unit_id"])
    assert ((slots["reason"] == "placed") == slots["unit_id"].notna()).all()
    assert set(slots["reason"]) <= {"placed", "no-valid-position", "outside-ukraine", "too-short"}
    # empty slots are reported, in the row and in the summary
    empty = int((slots["reason"] != "placed").sum())
    assert plan.row()["slots_empty"] == empty
    assert f"{len(slots)} along the line, {empty} empty" in plan.summary()
    # slots tile their parts: stretches spacing long (clipped at the ends), in order
    for _, mine in slots.groupby("part"):
        assert (np.diff(mine["start_km"].to_numpy()) > 0).all()
        assert (mine["length_km"] <= spacing + 1e-6).all()
    stretch = dict(zip(slots["unit_id"].dropna(), slots.loc[held.index, "geometry"], strict=True))
    xy = np.column_stack((units.geometry.x, units.geometry.y))
    _check_units(
        xy, standoff, radius, spacing, _parts(layers), [stretch[u] for u in units["unit_id"]]
    )


@pytest.mark.parametrize("cell", CELLS, ids=[f"{o}-{v}" for o, v in CELLS])
def test_options_keep_band_slots_and_spacing(layers: Layers, cell: tuple[int, str]) -> None:
    plan = make_plan(layers, cell)
    (deployment,) = plan.parameters["deployments"]
    spacing, standoff, radius = (
        deployment["spacing_km"],
        deployment["standoff_km"],
        deployment["radius_km"],
    )
    assert len(plan.units) >= 0.75 * (plan.slots["reason"] != "too-short").sum()
    _check_plan(plan, layers, spacing, standoff, radius)


def test_light_battalions_coverage_never_rises_with_spacing(layers: Layers) -> None:
    coverage = {}
    for spacing in SPACINGS:
        plan = make_plan(layers, (1, "eur-plus"), spacing_km=spacing, radius_km=25)
        _check_plan(plan, layers, spacing, 10.0, 25.0)
        coverage[spacing] = plan.covered_fraction
    for a, b in itertools.combinations(SPACINGS, 2):  # a < b
        assert coverage[b] <= coverage[a] + 0.01, (a, b, coverage)


def test_main_only_keeps_the_old_behaviour(layers: Layers) -> None:
    everything = make_plan(layers, (1, "eur-plus"))
    main = make_plan(layers, (1, "eur-plus"), all_parts=False)
    assert set(main.units["part"]) == {0} and set(main.slots["part"]) == {0}
    assert set(everything.slots["part"]) == set(range(len(layers.line)))
    assert everything.unassigned_km <= main.unassigned_km
    assert main.row()["unassigned_km"] == pytest.approx(
        main.line_km - main.slots.loc[main.slots["reason"] == "placed", "length_km"].sum(),
        abs=0.1,
    )


def test_standoff_zero_puts_units_on_the_line() -> None:
    layers = load_layers()
    plan = make_plan(layers, (1, "eur-plus"), standoff_km=0)
    xy = np.column_stack((plan.units.geometry.x, plan.units.geometry.y))
    distance = line_distance_km(xy[:, 0], xy[:, 1], _parts(layers))
    assert len(plan.units) >= 20 and (distance <= 2.0 + 1e-3).all()


@pytest.mark.parametrize("standoff", [-1.0, float("nan"), 1e6])
def test_bad_standoff_is_an_input_error(standoff: float) -> None:
    with pytest.raises(InputError, match="standoff_km"):
        place_along_slots(
            LineString([(35.0, 47.0), (35.0, 48.8)]), spacing_km=50, standoff_km=standoff
        )


def test_radius_short_of_the_band_is_an_input_error() -> None:
    with pytest.raises(InputError, match="does not exceed standoff_km"):
        place_along_slots(
            LineString([(35.0, 47.0), (35.0, 48.8)]), spacing_km=50, standoff_km=10, radius_km=9
        )


# --- random wiggly lines inside Ukraine ----------------------------------------------------


def _wiggly(start: tuple[float, float], heading: float, turns: list[float], leg_km: float):
    points = [start]
    azimuth = heading
    for turn in turns:
        azimuth += turn
        lon, lat, _ = REF.fwd(*points[-1], azimuth, leg_km * 1000.0)
        points.append((float(lon), float(lat)))
    return LineString(points)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    start=st.tuples(st.floats(31.0, 35.5), st.floats(47.5, 49.5)),
    heading=st.floats(0.0, 360.0),
    turns=st.lists(st.floats(-75.0, 75.0), min_size=4, max_size=12),
    leg_km=st.floats(4.0, 25.0),
    spacing=st.floats(10.0, 60.0),
    standoff=st.one_of(st.just(0.0), st.floats(1.0, 25.0)),
)
def test_property_band_and_spacing_on_wiggly_lines(
    start, heading, turns, leg_km, spacing, standoff
) -> None:
    line = _wiggly(start, heading, turns, leg_km)
    outline = ukraine_outline()
    length = REF.geometry_length(line) / 1000.0
    assume(line.is_simple and outline.contains(line) and spacing <= length)
    assume(line.distance(shapely.Point(30.5234, 50.4501)) > 0.6)  # not through Kyiv
    try:
        units, slots = place_along_slots(line, spacing_km=spacing, standoff_km=standoff)
    except InputError as exc:
        assert "no friendly side" in str(exc)
        return
    assert (slots["reason"] != "too-short").sum() == math.floor(
        (length - spacing / 2) / spacing
    ) + 1
    held = slots.loc[slots["unit"] >= 0]
    assert held["unit"].is_unique and len(held) == len(units)
    assert shapely.contains_xy(outline, units.geometry.x, units.geometry.y).all()
    xy = np.column_stack((units.geometry.x, units.geometry.y))
    stretches = list(held.sort_values("unit")["geometry"])
    _check_units(xy, standoff, math.inf, spacing, [tuple(np.asarray(line.coords).T)], stretches)


# --- the command line ------------------------------------------------------------------------


def test_cli_plan_writes_the_slots_layer(run_cli, tmp: Path) -> None:
    import json

    import pyogrio

    out = tmp / "plan.gpkg"
    result = run_cli("plan", "--option", "1", "--variant", "eur-plus", "-o", out)
    assert result.code == 0, result.err
    slots = pyogrio.read_dataframe(out, layer="slots")
    units = pyogrio.read_dataframe(out, layer="units")
    assert list(slots.columns[:9]) == [
        "deployment",
        "slot",
        "part",
        "start_km",
        "end_km",
        "length_km",
        "oblast",
        "unit_id",
        "reason",
    ]
    assert sorted(slots["unit_id"].dropna()) == sorted(units["unit_id"])
    empty = slots[slots["reason"] != "placed"]
    assert empty["unit_id"].isna().all()  # NULL in the GeoPackage, not "" or "None"
    assert f"{len(slots)} along the line, {len(empty)} empty" in result.out
    # directory outputs carry it too
    folder = tmp / "plan"
    assert (
        run_cli(
            "plan", "--option", "1", "--variant", "eur-plus", "--format", "geojson", "-o", folder
        ).code
        == 0
    )
    features = json.loads((folder / "slots.geojson").read_text())["features"]
    assert len(features) == len(slots)
    assert any(f["properties"]["unit_id"] is None for f in features) == bool(len(empty))


def test_cli_main_only_on_plan_compare_and_sweep(run_cli, tmp: Path) -> None:
    import json

    import pandas as pd
    import pyogrio

    out = tmp / "main.gpkg"
    assert (
        run_cli("plan", "--option", "1", "--variant", "eur-plus", "--main-only", "-o", out).code
        == 0
    )
    assert set(pyogrio.read_dataframe(out, layer="units")["part"]) == {0}
    assert set(pyogrio.read_dataframe(out, layer="slots")["part"]) == {0}
    rows = {}
    for flag in ((), ("--main-only",)):
        target = tmp / f"compare{len(flag)}.json"
        assert run_cli("compare", *flag, "--format", "json", "-o", target).code == 0
        rows[flag] = {(r["option"], r["variant"]): r for r in json.loads(target.read_text())}
    main, every = rows[("--main-only",)], rows[()]
    for cell in ((1, "eur-plus"), (2, "ua-supported")):
        assert "slots_empty" in every[cell] and "unassigned_km" in every[cell]
        assert every[cell]["unassigned_km"] <= main[cell]["unassigned_km"]
        assert every[cell]["units_placed"] >= main[cell]["units_placed"]
    sweeps = []
    for flag in ((), ("--main-only",)):
        target = tmp / f"sweep{len(flag)}.csv"
        argv = ("sweep", *flag, "--spacing-km", "50", "--radius-km", "25", "--rotation", "4")
        assert run_cli(*argv, "--no-progress", "-o", target).code == 0
        sweeps.append(pd.read_csv(target)["units_placed"].iloc[0])
    assert sweeps[0] >= sweeps[1]
