"""The sweep: a grid of spacing x standoff x radius x rotation, checked by hand and against
make_plan."""

from __future__ import annotations

import itertools
import math

import pyproj
import pytest
from shapely.geometry import LineString

from geo.errors import InputError
from layers import Layers, Provenance, default_hubs, default_points, line_layer, load_oblasts
from planner.plan import make_plan
from planner.scenario import Deployment, Scenario
from planner.sweep import SWEEP_COLUMNS, sweep_grid

GEOD = pyproj.Geod(ellps="WGS84")
LON, LAT0, LAT1 = 35.0, 47.0, 48.8
LENGTH_KM = GEOD.inv(LON, LAT0, LON, LAT1)[2] / 1000.0


@pytest.fixture(scope="module")
def straight() -> Layers:
    prov = Provenance(source="test", date="", licence="CC0", derivation="typed")
    line = line_layer([LineString([(LON, LAT0), (LON, LAT1)])], provenance=prov)
    return Layers(line=line, oblasts=load_oblasts(), points=default_points(), hubs=default_hubs())


def covered_by_hand(spacing: float, standoff: float, radius: float) -> float:
    """Units at s/2 + i s, each covering +-sqrt(r^2 - d^2) km of line; their union."""
    half = math.sqrt(radius**2 - standoff**2)
    n = math.floor((LENGTH_KM - spacing / 2) / spacing) + 1
    covered, reached = 0.0, 0.0
    for i in range(n):
        c = spacing / 2 + i * spacing
        start, end = max(reached, c - half, 0.0), min(LENGTH_KM, c + half)
        covered += max(0.0, end - start)
        reached = max(reached, end)
    return covered / LENGTH_KM


def test_grid_by_hand(straight: Layers) -> None:
    grid = sweep_grid(
        straight,
        spacing_km=[50, 100],
        radius_km=[20, 40],
        rotation=[3, 4],
        standoff_km=[10],
        min_coverage=0.8,
        max_troops=40_000,
    )
    assert list(grid.columns) == SWEEP_COLUMNS
    assert len(grid) == 2 * 2 * 2
    combos = list(itertools.product([50.0, 100.0], [10.0], [20.0, 40.0], [3, 4]))
    assert (
        list(
            zip(
                grid.spacing_km, grid.standoff_km, grid.radius_km, grid.rotation_factor, strict=True
            )
        )
        == combos
    )
    for row in grid.itertuples():
        n = math.floor((LENGTH_KM - row.spacing_km / 2) / row.spacing_km) + 1
        assert row.units_placed == n
        # linear: a battalion is 4,000 / 3 to 4,000 / 2.4 troops, rounded once, half up
        low, high = n * 4000 / 3, n * 4000 / 2.4
        assert (row.troops_min, row.troops_max) == (math.floor(low + 0.5), math.floor(high + 0.5))
        sustained = high * row.rotation_factor
        assert row.sustained_troops_max == math.floor(sustained + 0.5)
        assert row.coverage_fraction == pytest.approx(
            covered_by_hand(row.spacing_km, row.standoff_km, row.radius_km), abs=7e-4
        )
        assert row.meets == (row.coverage_fraction >= 0.8 and row.sustained_troops_max <= 40_000)
    # spacing 50, radius 40: 4 units cover all of 200 km (2 x 38.7 > 50); x3 = 20,000 troops
    best = grid[(grid.spacing_km == 50) & (grid.radius_km == 40) & (grid.rotation_factor == 3)]
    assert best["meets"].item()


def test_default_standoff_is_the_unit_types(straight: Layers) -> None:
    grid = sweep_grid(
        straight, unit="heavy-brigade", spacing_km=[50], radius_km=[100], rotation=[4]
    )
    assert grid["standoff_km"].tolist() == [30.0]
    assert grid["unit"].tolist() == ["heavy-brigade"]
    assert grid["troops_max"].tolist() == [4 * 4000]


def test_agrees_with_make_plan_on_the_bundled_line() -> None:
    from layers import load_layers

    layers = load_layers()
    grid = sweep_grid(layers, spacing_km=[60], radius_km=[35], rotation=[4], standoff_km=[12])
    plan = make_plan(
        layers,
        Scenario(
            name="x",
            deployments=(
                Deployment(unit="light-battalion", spacing_km=60, standoff_km=12, radius_km=35),
            ),
        ),
    )
    row = grid.iloc[0]
    assert row["units_placed"] == len(plan.units)
    assert row["coverage_fraction"] == plan.row()["coverage_fraction"]
    assert row["largest_gap_km"] == pytest.approx(plan.largest_gap_km, abs=0.05)
    assert row["sustained_troops_max"] == plan.row()["sustained_troops_placed_max"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"spacing_km": [0]}, "spacing_km"),
        ({"spacing_km": [float("nan")]}, "spacing_km"),
        ({"spacing_km": [500]}, "longer than"),
        ({"spacing_km": []}, "no values"),
        ({"radius_km": [-5]}, "radius_km"),
        ({"radius_km": [1000]}, "longer than"),
        ({"standoff_km": [-1]}, "standoff_km"),
        ({"jobs": 0}, "jobs"),
        ({"rotation": [0]}, "rotation"),
        ({"rotation": []}, "no values"),
        ({"min_coverage": 90}, "fraction"),
        ({"max_troops": 0}, "max troops"),
        ({"unit": "tank"}, "unknown unit type"),
    ],
)
def test_bad_grid(straight: Layers, options: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        sweep_grid(straight, **options)


def test_progress_bar_on_stderr(straight: Layers, capsys: pytest.CaptureFixture[str]) -> None:
    sweep_grid(straight, spacing_km=[50], radius_km=[25], rotation=[4], progress=True)
    assert "sweep" in capsys.readouterr().err
    sweep_grid(straight, spacing_km=[50], radius_km=[25], rotation=[4], progress=False)
    assert capsys.readouterr().err == ""


def test_standoff_zero_puts_the_units_on_the_line(straight: Layers) -> None:
    grid = sweep_grid(
        straight, spacing_km=[50], radius_km=[20, 30], rotation=[4], standoff_km=[0, 10]
    )
    on_line = grid[grid.standoff_km == 0]
    assert on_line["units_placed"].tolist() == [4, 4]
    for row in on_line.itertuples():
        assert row.coverage_fraction == pytest.approx(
            covered_by_hand(50, 0, row.radius_km),
            abs=6e-4,  # shown to 0.1 %
        )
    # the same stations 10 km behind the line cover less of it at 20 km (sqrt(300) < 20 and
    # 2 x 17.3 < 50 leaves gaps), all of it at 30 km (2 x sqrt(800) > 50)
    behind = grid[grid.standoff_km == 10]
    assert behind.coverage_fraction.tolist()[0] < on_line.coverage_fraction.tolist()[0]
    assert behind.coverage_fraction.tolist()[1] == on_line.coverage_fraction.tolist()[1] == 1.0


def test_many_radii_agree_with_one_radius_at_a_time() -> None:
    # the shared geometry across radii gives what a sweep of each radius alone gives
    from layers import load_layers

    layers = load_layers()
    radii = [10, 35, 60, 105]
    together = sweep_grid(layers, spacing_km=[40, 90], radius_km=radii, rotation=[4],
                          standoff_km=[0, 15], jobs=1)  # fmt: skip
    for radius in radii:
        alone = sweep_grid(layers, spacing_km=[40, 90], radius_km=[radius], rotation=[4],
                           standoff_km=[0, 15], jobs=1)  # fmt: skip
        mine = together[together.radius_km == radius].reset_index(drop=True)
        assert mine.equals(alone)


def test_rows_in_the_same_order_whatever_the_jobs(straight: Layers) -> None:
    kwargs = dict(spacing_km=[30, 50, 70], radius_km=[20, 40], rotation=[3, 4],
                  standoff_km=[0, 5, 10])  # fmt: skip
    one = sweep_grid(straight, jobs=1, **kwargs)
    two = sweep_grid(straight, jobs=2, **kwargs)
    assert len(one) == 3 * 3 * 2 * 2
    assert one.equals(two)
    assert set(one["line_date"]) == {""}


def test_on_a_dask_cluster(straight: Layers) -> None:
    distributed = pytest.importorskip("distributed")
    kwargs = dict(spacing_km=[30, 50], radius_km=[20, 40], rotation=[4], standoff_km=[5, 10])
    local = sweep_grid(straight, jobs=1, **kwargs)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
            processes=True, protocol="tcp://",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):  # fmt: skip
        by_address = sweep_grid(straight, dask=cluster.scheduler_address, **kwargs)
        by_client = sweep_grid(straight, dask=client, **kwargs)
    assert local.equals(by_address) and local.equals(by_client)


def test_an_unreachable_dask_scheduler_is_one_clear_error(
    straight: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    monkeypatch.setenv("DEPLOYPLAN_DASK_TIMEOUT", "1")
    with pytest.raises(InputError, match="cannot reach the Dask scheduler"):
        sweep_grid(straight, spacing_km=[50], radius_km=[20], rotation=[4],
                   dask="tcp://127.0.0.1:9")  # fmt: skip


def test_cli_jobs_give_the_same_csv(run_cli, tmp) -> None:
    grid = ["--spacing-km", "40", "80", "--radius-km", "30", "60", "--standoff-km", "0", "12"]
    one = run_cli("sweep", *grid, "--jobs", "1", "-o", tmp / "one.csv")
    two = run_cli("sweep", *grid, "--jobs", "2", "-o", tmp / "two.csv")
    assert one.code == two.code == 0, one.err + two.err
    assert (tmp / "one.csv").read_bytes() == (tmp / "two.csv").read_bytes()
    assert "on the line of 2025-12-15" in one.out
    bad = run_cli("sweep", *grid, "--jobs", "0", "-o", tmp / "bad.csv")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1 and "--jobs" in bad.err
    assert not (tmp / "bad.csv").exists()
