"""``deployplan brief``: one HTML briefing with every option (offline unless ``--online``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from deployplan.cmd_layers import input_paths, layers_from_args
from deployplan.cmd_plan import plans_from_args
from layers.atomic import Outputs

__all__ = ["run_brief"]


def run_brief(args: argparse.Namespace) -> int:
    """Plan the nine presets (and any ``--scenario``), write the briefing, print what was written.

    ``args`` carries ``output``, ``online``, ``scenario`` (list of TOML paths), ``rotation``,
    ``png`` and the layer options (see :func:`deployplan.cli.build_parser`). With ``--png``
    a snapshot is taken through headless Chromium after the page is written.
    """
    from maps import write_briefing
    from maps.snapshot import chromium_path
    from planner import compare

    # Say what cannot work before any planning is done; commit the page and the PNG
    # together, so a failed snapshot leaves no page either.
    with Outputs(inputs=input_paths(args)) as run:
        page_tmp = run.file(args.output, flag="-o")
        if args.png:
            run.file(args.png, flag="--png")
            chromium_path()
        plans = plans_from_args(args, layers := layers_from_args(args))
        write_briefing(plans, layers, compare.table(plans), args.output, online=args.online)
        size = page_tmp.stat().st_size
        if args.png:
            from maps import write_png

            write_png(page_tmp, args.png, online=args.online)
    mode = "online: tiles and libraries from the network" if args.online else "offline"
    print(f"wrote {args.output} ({size:,} bytes, {len(plans)} plans, {mode})")
    if args.png:
        print(f"wrote {Path(args.png)}")
    return 0
