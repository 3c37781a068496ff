"""``deployplan plan``, ``compare`` and ``sweep``: the planner on the command line.

Everything is checked before anything is written, and every output is written whole or not
at all (:func:`layers.atomic.atomic_output`). ``maps`` (and folium) are imported only when
``plan --map`` asks for a map, so that planning stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from deployplan.cmd_layers import input_paths, layers_from_args
from deployplan.outputs import (
    OutputFormat,
    is_directory,
    output_format,
    plan_frames,
    write_plan,
)
from geo.errors import InputError
from geo.text import csv_safe
from layers.atomic import Outputs, atomic_output
from layers.bundle import Layers
from planner.compare import format_table, table
from planner.forces import ROTATION_DEFAULT
from planner.plan import Plan, make_plan, plan_all
from planner.presets import OPTIONS, REASSURANCE, REASSURANCE_OPTION, get_preset
from planner.scenario import Scenario, load_scenario

__all__ = ["plans_from_args", "run_compare", "run_plan", "run_sweep"]


def _write_text(path: Path, text: str) -> None:
    with atomic_output(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _option(text: str) -> int:
    """``--option``'s value: 1-4, or 0 for the reassurance force (also ``reassurance``)."""
    word = str(text).strip().lower()
    if word == REASSURANCE:
        return REASSURANCE_OPTION
    if word.isdigit() and int(word) in (*OPTIONS, REASSURANCE_OPTION):
        return int(word)
    raise InputError(
        f"unknown option {text}; expected one of 1, 2, 3, 4 (the notes' options, with "
        "--variant) or 0 / reassurance (the UK-France reassurance force)"
    )


def _scenario(args: argparse.Namespace) -> Scenario:
    """The preset of --option/--variant, or the --scenario file."""
    if args.option is not None:
        option = _option(args.option)
        if option == REASSURANCE_OPTION:
            return get_preset(option, args.variant)
        if args.variant is None:
            raise InputError(
                f"--option {option} needs --variant eur-plus or ua-supported, e.g. "
                f"--option {option} --variant eur-plus"
            )
        return get_preset(option, args.variant)
    if args.variant is not None:
        raise InputError(
            f"--variant {args.variant} goes with --option, not --scenario; drop --variant, or "
            f"use --option N --variant {args.variant}"
        )
    return load_scenario(args.scenario)


def plans_from_args(args: argparse.Namespace, layers: Layers) -> list[Plan]:
    """The nine presets and every ``--scenario``, all at ``--rotation`` and
    ``--response-target-h`` when they are given."""
    target = getattr(args, "response_target_h", None)
    scenarios = [load_scenario(path) for path in args.scenario]
    scenarios = [
        s.with_overrides(rotation=args.rotation, response_target_h=target) for s in scenarios
    ]
    rotation = ROTATION_DEFAULT if args.rotation is None else args.rotation
    all_parts = False if getattr(args, "main_only", False) else None
    return plan_all(
        layers,
        rotation=rotation,
        scenarios=scenarios,
        response_target_h=target,
        all_parts=all_parts,
        jobs=getattr(args, "jobs", None),
    )


def run_plan(args: argparse.Namespace) -> int:
    """Plan one preset or scenario; write its layers (and map); print a summary."""
    if args.online and not args.map:
        raise InputError("--online goes with --map; add --map plan.html or drop --online")
    fmt = output_format(args.format, args.output)
    directory = is_directory(fmt, args.output)
    output = Path(args.output)
    map_path = Path(args.map) if args.map else None
    with Outputs(inputs=input_paths(args)) as run:
        if directory:
            run.directory(output, flag="-o")
        else:
            run.file(output, flag="-o")
        if map_path is not None:
            run.file(map_path, flag="--map")
        scenario = _scenario(args)
        written, layer_names = _plan_outputs(args, scenario, output, fmt, map_path)
    if not directory:
        print(f"wrote {output} (layers {', '.join(layer_names)})")
    else:
        print(f"wrote {len(written)} files in {output}/ (layers {', '.join(layer_names)}):")
        for path in written:
            print(f"  {path}")
    if map_path is not None:
        print(f"wrote {map_path}")
    return 0


def _plan_outputs(
    args: argparse.Namespace,
    scenario: Scenario,
    output: Path,
    fmt: OutputFormat,
    map_path: Path | None,
) -> tuple[list[Path], list[str]]:
    """Plan, write the layers and the map (into the run's temporaries), print the summary."""
    layers = layers_from_args(args, age_note=False)  # the summary says it
    plan = make_plan(
        layers,
        scenario,
        unit=args.unit,
        spacing_km=args.spacing_km,
        standoff_km=args.standoff_km,
        radius_km=args.radius_km,
        rotation=args.rotation,
        response_target_h=args.response_target_h,
        all_parts=False if args.main_only else None,
    )
    html = None
    if map_path is not None:
        from maps.render import plan_map_html  # offline pages need no folium

        html = plan_map_html(plan, layers, online=args.online)
    frames = plan_frames(plan, layers)
    written = write_plan(plan, layers, output, fmt=fmt)
    if map_path is not None and html is not None:
        _write_text(map_path, html)
    print(plan.summary())
    if note := layers.age_note():
        print(f"  {note}")
    return written, list(frames)


def run_compare(args: argparse.Namespace) -> int:
    """Print (or write) the comparison table of the presets and any scenarios."""
    output = Path(args.output) if args.output else None
    with Outputs(inputs=input_paths(args)) as run:
        if output is not None:
            run.file(output, flag="-o")
        plans = plans_from_args(args, layers_from_args(args))
        text = format_table(table(plans), args.format)
        if output is not None:
            _write_text(output, text)
    if output is None:
        args.data_on_stdout = True  # notes go to standard error
        sys.stdout.write(text)
    else:
        print(f"wrote {output} ({len(plans)} rows, {args.format})")
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    """Plan a grid of configurations and write it as CSV with a ``meets`` column."""
    output = Path(args.output)
    with Outputs(inputs=input_paths(args)) as run:
        run.file(output, flag="-o")
        frame = _sweep(args)
    meets = frame[frame["meets"]]
    print(
        f"{len(frame)} configurations of {args.unit} on the line of "
        f"{(frame['line_date'].iloc[0] if len(frame) else '') or '(undated)'}: {len(meets)} "
        "cover at least "
        f"{args.min_coverage:.0%} of the line within {args.max_troops:,} sustained troops"
    )
    if len(meets):
        best = meets.sort_values(
            ["sustained_troops_max", "coverage_fraction"], ascending=[True, False]
        ).iloc[0]
        print(
            f"  fewest troops: spacing {best.spacing_km:g} km, radius {best.radius_km:g} km, "
            f"standoff {best.standoff_km:g} km, rotation x{best.rotation_factor}: "
            f"{best.units_placed} units, {best.coverage_fraction:.1%} covered, "
            f"{best.sustained_troops_max:,} troops sustained"
        )
    print(f"wrote {output}")
    return 0


def _sweep(args: argparse.Namespace) -> pd.DataFrame:
    """Plan the grid and write it as CSV into the run's temporary."""
    from planner.sweep import sweep_grid

    layers = layers_from_args(args)
    frame = sweep_grid(
        layers,
        unit=args.unit,
        spacing_km=args.spacing_km,
        radius_km=args.radius_km,
        rotation=args.rotation,
        standoff_km=args.standoff_km,
        min_coverage=args.min_coverage,
        max_troops=args.max_troops,
        progress=not args.no_progress and sys.stderr.isatty(),
        all_parts=not args.main_only,
        jobs=args.jobs,
        dask=args.dask,
    )
    _write_text(Path(args.output), csv_safe(frame).to_csv(index=False, lineterminator="\n"))
    return frame
