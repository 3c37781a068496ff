"""Benchmarks of the maps (figures for the README; not tests).

Run: ``python bench/bench_maps.py [--pairs 2]``. Prints one table:

(a) ``deployplan brief -o X.html`` (the offline briefing of every option) against the import
    floor ``python -c "import geopandas, pyproj, folium"``; target: at most 2x;
(b) ``deployplan plan --option 1 --variant eur-plus -o X.gpkg --map X.html`` against
    ``python -c "import geopandas, pyproj"``; target: at most 1.5x;
(c) the same without ``--map``, to show what the map adds.

Each is timed in pairs, command then floor, one right after the other, after a warm-up of
each (bytecode caches, disk); the ratio is the best command time over the best floor time of
``--pairs`` pairs (the machine is shared and its speed swings: a pair sees the same load).
Peak memory is the largest resident set of the command's process (``wait4``), the page size
that of the HTML written.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main", "run_once"]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MiB) of one process."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else our modules are compiled on every run
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv)} failed: {err.strip()}")
    return seconds, usage.ru_maxrss / 1024.0  # Linux: KiB


def paired(command: list[str], floor: list[str], pairs: int) -> dict[str, float]:
    """Best seconds of the command and of the floor over ``pairs`` pairs, and peak memory."""
    run_once(command), run_once(floor)  # warm-up
    times, floors, peaks = [], [], []
    for _ in range(pairs):
        seconds, peak = run_once(command)
        base, _ = run_once(floor)
        times.append(seconds)
        floors.append(base)
        peaks.append(peak)
    return {
        "command": min(times),
        "floor": min(floors),
        "ratio": min(times) / min(floors),
        "pair_ratios": [t / f for t, f in zip(times, floors, strict=True)],  # type: ignore[dict-item]
        "peak_mib": max(peaks),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="paired runs (best of them)")
    args = parser.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        brief = [py, "-m", "deployplan", "brief", "-o", str(out / "brief.html")]
        plan = [py, "-m", "deployplan", "plan", "--option", "1", "--variant", "eur-plus"]
        plan += ["-o", str(out / "plan.gpkg"), "--map", str(out / "plan.html")]
        rows = [
            (
                "(a) deployplan brief",
                paired(brief, [py, "-c", "import geopandas, pyproj, folium"], args.pairs),
                2.0,
                out / "brief.html",
            ),
            (
                "(b) deployplan plan --map",
                paired(plan, [py, "-c", "import geopandas, pyproj"], args.pairs),
                1.5,
                out / "plan.html",
            ),
            (
                "(c) the same plan without --map",
                paired(plan[:-2], [py, "-c", "import geopandas, pyproj"], args.pairs),
                1.5,
                out / "plan.html",
            ),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"{'benchmark':<{width}}  {'time':>7}  {'floor':>7}  ratio (target)  peak  page")
        for name, r, target, page in rows:
            pairs = ", ".join(f"{x:.2f}" for x in r["pair_ratios"])  # type: ignore[union-attr]
            print(
                f"{name:<{width}}  {r['command']:6.2f}s  {r['floor']:6.2f}s  "
                f"{r['ratio']:.2f}x (<= {target:.1f}x; pairs {pairs})  "
                f"{r['peak_mib']:.0f} MiB  {page.stat().st_size / 1024:,.0f} KiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
