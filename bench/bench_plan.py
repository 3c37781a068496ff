"""Benchmarks of the planner (figures for the README; not tests).

Run: ``python bench/bench_plan.py [--runs 9]``. Prints one table:

(a) one preset planned end to end -- the whole ``deployplan plan --option 1 --variant
    eur-plus -o X.gpkg`` process -- against ``python -c "import geopandas, pyproj"``
    (median of ``--runs`` runs of each, taken in turn, after a warm-up that leaves the
    bytecode cached, as an installed package has it; target: at most 1.3x);
(b) a 1,000-configuration sweep (10 spacings x 5 standoffs x 10 radii x 2 rotations) on the
    bundled line, in process (target: under 10 s);
(c) placement + coverage (line preparation, units every 50 km, coverage of the whole line)
    on synthetic lines of 50,000, 100,000 and 200,000 vertices, their length growing with
    the vertex count (about 6 m between vertices), to show the cost grows linearly
    (target: under 1 s for 200,000).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from shapely.geometry import LineString

__all__ = ["main"]


def _seconds(argv: list[str]) -> float:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else our modules are compiled on every run
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def bench_plan_process(runs: int) -> tuple[float, float]:
    """Median seconds of the plan process and of the geopandas + pyproj import.

    The two are run in turn, after a warm-up of each (bytecode caches, disk), so that a
    change in the machine's load hits both alike. The machine may be shared: run it twice.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "plan.gpkg"
        plan = [sys.executable, "-m", "deployplan", "plan", "--option", "1", "--variant"]
        plan += ["eur-plus", "-o", str(out)]
        baseline = [sys.executable, "-c", "import geopandas, pyproj"]
        _seconds(plan), _seconds(baseline)
        pairs = [(_seconds(plan), _seconds(baseline)) for _ in range(runs)]
    return statistics.median(p for p, _ in pairs), statistics.median(b for _, b in pairs)


def bench_sweep() -> tuple[int, float]:
    """Configurations and seconds of a 1,000-configuration sweep on the bundled line."""
    from layers import load_layers
    from planner.sweep import sweep_grid

    layers = load_layers()
    start = time.perf_counter()
    grid = sweep_grid(
        layers,
        spacing_km=[20, 30, 40, 50, 60, 70, 80, 90, 100, 120],
        standoff_km=[5, 10, 15, 20, 25],
        radius_km=[10, 15, 20, 25, 30, 40, 50, 60, 80, 100],
        rotation=[3, 4],
    )
    return len(grid), time.perf_counter() - start


def synthetic_line(vertices: int) -> LineString:
    """A gently winding west-east line across Ukraine at about 48.6 N, ~6 m per vertex.

    200,000 vertices run from 23.5 E to about 39.5 E (~1,180 km); fewer vertices, a
    proportionally shorter line from the same start.
    """
    lon = np.linspace(23.5, 23.5 + 16.0 * vertices / 200_000, vertices)
    lat = 48.6 + 0.05 * np.sin(np.radians((lon - 23.5) * 360.0 / 1.3))  # ~5 km, 100 km waves
    return LineString(np.column_stack((lon, lat)))


def bench_placement(vertices: int, repeat: int = 3) -> tuple[float, int, float]:
    """Line km, units placed and best seconds of prepare + place + coverage."""
    from planner.coverage import measure_coverage
    from planner.distances import as_lonlat, prepare_line
    from planner.placement import place_along

    line = synthetic_line(vertices)
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        prepared = prepare_line(line)
        units = place_along(prepared, spacing_km=50.0, standoff_km=10.0)
        lon, lat = as_lonlat(units)
        measure_coverage(prepared, lon, lat, 25.0)
        best = min(best, time.perf_counter() - start)
    return prepared.length_km, len(units), float(best)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per process timing (median)")
    args = parser.parse_args(argv)

    rows = []
    plan_s, import_s = bench_plan_process(args.runs)
    rows.append(("(a) import geopandas, pyproj", f"{import_s:.2f} s", "baseline"))
    rows.append(
        (
            "(a) deployplan plan 1 eur-plus -> gpkg",
            f"{plan_s:.2f} s",
            f"{plan_s / import_s:.2f}x the baseline (target <= 1.30x)",
        )
    )
    configs, sweep_s = bench_sweep()
    rows.append((f"(b) sweep, {configs:,} configurations", f"{sweep_s:.2f} s", "< 10 s"))
    per_vertex = []
    for vertices in (50_000, 100_000, 200_000):
        km, units, seconds = bench_placement(vertices)
        per_vertex.append(seconds / vertices * 1e6)
        rows.append(
            (
                f"(c) {vertices:,} vertices, {km:,.0f} km, {units} units",
                f"{seconds:.2f} s",
                f"{per_vertex[-1]:.2f} us/vertex",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'time':>8}  note")
    for name, seconds, note in rows:
        print(f"{name:<{width}}  {seconds:>8}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
