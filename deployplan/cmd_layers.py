"""``deployplan layers``: write the four layers, with their provenance, for GIS."""

from __future__ import annotations

import argparse
from dataclasses import replace

from deployplan.outputs import is_directory, output_format, write_layer_set
from layers import Layers, load_layers
from layers.atomic import check_writable

__all__ = ["layers_from_args", "run_layers"]


def layers_from_args(args: argparse.Namespace) -> Layers:
    """Load the layers the layer options of any subcommand name (bundled where not given).

    ``args`` carries ``line``, ``line_from_occupied``, ``line_date``, ``line_layer``,
    ``points``, ``hubs`` and ``crs``, as :func:`deployplan.cli.build_parser` defines them.
    """
    return load_layers(
        line=args.line,
        line_from_occupied=args.line_from_occupied,
        line_date=args.line_date,
        line_layer=args.line_layer,
        points=args.points,
        hubs=args.hubs,
        crs=args.crs,
    )


def run_layers(args: argparse.Namespace) -> int:
    """Load the layers, write them where ``-o`` says in ``--format``, print what was written.

    The points layer carries each point's sector (the nearest point of the line:
    :func:`planner.sectors.point_sectors`), as a plan's does.
    """
    from planner.sectors import point_sectors

    fmt = output_format(args.format, args.output)
    check_writable(args.output, flag="-o", directory=is_directory(fmt, args.output))
    layers = layers_from_args(args)
    layers = replace(layers, points=point_sectors(layers.points, layers.line))
    written = write_layer_set(layers, args.output, fmt=fmt)
    print(layers.summary())
    print("wrote:")
    for path in written:
        print(f"  {path}")
    return 0
