"""Benchmark of the 10,000-configuration sweep (figures for the README; not a test).

Run: ``python bench/bench_sweep.py [--runs 3] [--baseline DIR]``. The grid is issue 13's:
``--spacing-km 20 25 ... 140`` (25) x ``--radius-km 10 15 ... 105`` (20) x ``--rotation 3 4``
x ``--standoff-km 0 5 ... 45`` (10) = 10,000 configurations on the bundled line, the whole
``deployplan sweep`` process each time (target: under 10 s on 2 cores).

Printed, as medians of ``--runs`` paired runs taken in turn (the machine is shared and noisy:
compare the ratios, not the seconds): ``--jobs 1`` against ``--jobs N`` (every core), and, with
``--baseline DIR`` (a checkout of an earlier deployplan, e.g. ``git archive 530002f | tar -x -C
DIR``), that version against this one on the grid it accepts (standoffs 5 ... 50: it refused 0),
both in one process. CPU seconds (user + system, the workers' included) are printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main"]


def _grid(standoff_from: int) -> list[str]:
    spacing = [str(v) for v in range(20, 141, 5)]
    radius = [str(v) for v in range(10, 106, 5)]
    standoff = [str(v) for v in range(standoff_from, standoff_from + 46, 5)]
    return ["--spacing-km", *spacing, "--radius-km", *radius, "--rotation", "3", "4",
            "--standoff-km", *standoff, "--no-progress"]  # fmt: skip


def _run(argv: list[str], *, pythonpath: str | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one process (CPU: its own and its reaped children's)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", metavar="DIR", help="an earlier deployplan's checkout")
    args = parser.parse_args(argv)
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "sweep.csv")
        sweep = [sys.executable, "-m", "deployplan", "sweep", *_grid(0), "-o", out]
        one, many = [*sweep, "--jobs", "1"], [*sweep, "--jobs", str(cores)]
        _run(one), _run(many)  # warm-up: bytecode, disk
        pairs = [(_run(one), _run(many)) for _ in range(args.runs)]
        w1 = statistics.median(a[0] for a, _ in pairs)
        wn = statistics.median(b[0] for _, b in pairs)
        c1 = statistics.median(a[1] for a, _ in pairs)
        cn = statistics.median(b[1] for _, b in pairs)
        print(f"10,000-configuration sweep, whole process, median of {args.runs} paired runs")
        print(f"  --jobs 1: {w1:6.2f} s wall, {c1:6.2f} s CPU")
        print(f"  --jobs {cores}: {wn:6.2f} s wall, {cn:6.2f} s CPU   (x{w1 / wn:.2f} faster)")
        if args.baseline:
            base_dir = str(Path(args.baseline).resolve())
            grid = _grid(5)
            old = [sys.executable, "-m", "deployplan", "sweep", *grid, "-o", out]
            new = [*old, "--jobs", "1"]
            _run(old, pythonpath=base_dir), _run(new)
            pairs = [(_run(old, pythonpath=base_dir), _run(new)) for _ in range(args.runs)]
            wo = statistics.median(a[0] for a, _ in pairs)
            wn1 = statistics.median(b[0] for _, b in pairs)
            print(f"baseline {args.baseline} against this tree, standoffs 5-50, one process")
            print(f"  baseline: {wo:6.2f} s wall; this: {wn1:6.2f} s wall (x{wo / wn1:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
