"""``deployplan brief``: one HTML briefing with every option (offline unless ``--online``),
and on request a PNG snapshot and a slide deck of it."""

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
    ``png``, ``pptx``, ``png_size`` and the layer options (see
    :func:`deployplan.cli.build_parser`). ``--png`` and ``--pptx`` are taken through one
    headless Chromium from the page before anything is put in place: the page, the PNG and
    the deck are committed together or not at all (:class:`layers.atomic.Outputs`).
    """
    from maps.briefing import render_briefing
    from maps.snapshot import PNG_SIZE, chromium_path, parse_size
    from planner import compare

    # Say what cannot work before any planning is done; commit the page, the PNG and the
    # deck together, so a failed snapshot or deck leaves no page either.
    size = parse_size(args.png_size) if args.png_size else PNG_SIZE
    with Outputs(inputs=input_paths(args)) as run:
        page = run.file(args.output, flag="-o")
        png = run.file(args.png, flag="--png") if args.png else None
        deck = run.file(args.pptx, flag="--pptx") if args.pptx else None
        if deck is not None:
            from maps.deck import require_pptx

            require_pptx()
        if png is not None or deck is not None:
            chromium_path()
        plans = plans_from_args(args, layers := layers_from_args(args))
        table = compare.table(plans)
        page.write_text(render_briefing(plans, layers, table, online=args.online), "utf-8")
        page_bytes = page.stat().st_size
        if deck is not None:  # one browser for the deck's pictures and the --png snapshot
            from maps.deck import write_deck

            # the deck joins the run's reservation of --pptx (atomic_output inside Outputs)
            write_deck(
                plans,
                layers,
                table,
                page,
                args.pptx,
                size=size,
                online=args.online,
                window_png=png,
            )
        elif png is not None:
            from maps.snapshot import take_pictures

            take_pictures(page, [(png, None)], width=size[0], height=size[1], online=args.online)
    mode = "online: tiles and libraries from the network" if args.online else "offline"
    dated = f"line of {layers.line_date}" if layers.line_date else "undated line"
    print(f"wrote {args.output} ({page_bytes:,} bytes, {len(plans)} plans on the {dated}, {mode})")
    if args.png:
        print(f"wrote {Path(args.png)} ({size[0]}x{size[1]})")
    if args.pptx:
        print(f"wrote {Path(args.pptx)} ({len(plans) + 4} slides)")
    return 0
