"""``deployplan layers``: write the four layers, with their provenance, for GIS."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace

from deployplan.outputs import is_directory, output_format, write_layer_set
from layers import Layers, load_layers
from layers.atomic import Outputs

__all__ = ["input_paths", "layers_from_args", "pop_notes", "run_layers"]


def input_paths(args: argparse.Namespace) -> list[str | os.PathLike[str]]:
    """Every file the run reads, as the options name them: no output may touch one."""
    paths = [getattr(args, name, None) for name in ("line", "line_from_occupied", "points", "hubs")]
    scenario = getattr(args, "scenario", None)
    paths += scenario if isinstance(scenario, list) else [scenario]
    return [path for path in paths if path]


# Notes on the layers loaded in this run, printed on standard error once it has succeeded (so
# that a refused input still gets its one line, and nothing else).
_NOTES: list[str] = []


def pop_notes() -> list[str]:
    """Return the notes of the layers loaded since the last call, and forget them."""
    notes = list(dict.fromkeys(_NOTES))
    _NOTES.clear()
    return notes


def layers_from_args(args: argparse.Namespace, *, age_note: bool = True) -> Layers:
    """Load the layers the layer options of any subcommand name (bundled where not given).

    ``args`` carries ``line``, ``line_from_occupied``, ``line_date``, ``line_layer``,
    ``points``, ``hubs``, ``crs``, ``deepstate`` and ``deepstate_url``, as
    :func:`deployplan.cli.build_parser` defines them. Notes on the snapshot used (a fallback
    to an earlier date, offline use of the cache) are printed on standard error when the
    command has succeeded, and so is the bundled line's age when it is old (unless
    ``age_note`` is False: the caller's summary says it).
    """
    layers = load_layers(
        line=args.line,
        line_from_occupied=args.line_from_occupied,
        line_date=args.line_date,
        line_layer=args.line_layer,
        points=args.points,
        hubs=args.hubs,
        crs=args.crs,
        deepstate=getattr(args, "deepstate", None),
        deepstate_url=getattr(args, "deepstate_url", None),
    )
    _NOTES.extend(f"note: {note}" for note in layers.notes)
    if age_note and (note := layers.age_note()):
        _NOTES.append(note)
    return layers


def run_layers(args: argparse.Namespace) -> int:
    """Load the layers, write them where ``-o`` says in ``--format``, print what was written.

    The points layer carries each point's sector (the nearest point of the line:
    :func:`planner.sectors.point_sectors`), as a plan's does.
    """
    from planner.sectors import point_sectors

    fmt = output_format(args.format, args.output)
    with Outputs(inputs=input_paths(args)) as run:
        if is_directory(fmt, args.output):
            run.directory(args.output, flag="-o")
        else:
            run.file(args.output, flag="-o")
        layers = layers_from_args(args, age_note=False)  # the summary says it
        layers = replace(layers, points=point_sectors(layers.points, layers.line))
        written = write_layer_set(layers, args.output, fmt=fmt)
    print(layers.summary())
    print("wrote:")
    for path in written:
        print(f"  {path}")
    return 0
