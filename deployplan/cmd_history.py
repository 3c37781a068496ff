"""``deployplan history``: the front over time, and how options would have fared, to DIR."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import InputError
from layers.atomic import Outputs

if TYPE_CHECKING:
    import pandas as pd

    from layers.deepstate import Snapshot

__all__ = ["run_history"]


def _options(args: argparse.Namespace) -> list[tuple[int, str]]:
    options, variants = args.option or [], args.variant or []
    if len(options) != len(variants):
        raise InputError(
            f"{len(options)} --option and {len(variants)} --variant given; give each --option "
            "its --variant, e.g. --option 1 --variant eur-plus --option 3 --variant ua-supported"
        )
    return list(zip(options, variants, strict=True))


def _requested(args: argparse.Namespace, notes: list[str]) -> list[str | dt.date]:
    """The dates asked for (``latest`` already resolved to its date for --to)."""
    from layers.deepstate import parse_date, resolve_snapshot
    from planner.history import history_dates

    if args.dates:
        if args.date_from or args.date_to or args.every:
            raise InputError("give either --dates, or --from and --to (with --every), not both")
        return list(args.dates)
    if not (args.date_from and args.date_to):
        raise InputError(
            "say which snapshots: --from DATE --to DATE|latest [--every 1w|1m], or --dates "
            "DATE..., e.g. --from 2025-01-01 --to latest"
        )
    start = parse_date(args.date_from, what="--from")
    if args.date_to.strip().lower() == "latest":
        latest = resolve_snapshot("latest", url=args.deepstate_url)
        notes.extend(latest.notes)
        end = dt.date.fromisoformat(latest.date)
    else:
        end = parse_date(args.date_to, what="--to")
    return list(history_dates(start, end, args.every or "1m"))


def run_history(args: argparse.Namespace) -> int:
    """Fetch (or find cached) the snapshots, measure them, write DIR/history.csv and chart.

    ``-o DIR`` is one output of the run's transaction (:class:`layers.atomic.Outputs`):
    written whole, with its manifest, or not at all.
    """
    from maps.history import check_matplotlib
    from planner.presets import get_preset

    options = _options(args)
    for option, variant in options:
        get_preset(option, variant)
    check_matplotlib()
    with Outputs() as run:
        tmp = run.directory(args.output, flag="-o")
        table, notes, has_map = _history_into(args, options, tmp)
    for note in notes:
        print(f"note: {note}")
    first, last = table.iloc[0], table.iloc[-1]
    print(
        f"{len(table)} DeepStateMap snapshots, {first['date']} to {last['date']}: line "
        f"{first['line_km']:,.1f} km -> {last['line_km']:,.1f} km, occupied "
        f"{first['occupied_km2']:,.0f} -> {last['occupied_km2']:,.0f} km² "
        f"({last['occupied_km2'] - first['occupied_km2']:+,.0f} km²)"
    )
    names = ["history.csv", "history.png", "history.svg"] + (["history.html"] if has_map else [])
    print(f"wrote {args.output}/: " + ", ".join(names))
    return 0


def _history_into(
    args: argparse.Namespace, options: list[tuple[int, str]], tmp: Path
) -> tuple[pd.DataFrame, list[str], bool]:
    """Resolve the snapshots, measure them, write the files into ``tmp``."""
    from layers.deepstate import NotInArchive, resolve_snapshot
    from maps.history import history_chart
    from planner.history import history

    notes: list[str] = []
    snapshots: list[Snapshot] = []
    for when in _requested(args, notes):
        try:
            snapshot = resolve_snapshot(when, url=args.deepstate_url)
        except NotInArchive:
            notes.append(f"skipped {when}: the archive has no snapshot in the 7 days up to it")
            continue
        notes.extend(snapshot.notes)
        if any(s.date == snapshot.date for s in snapshots):
            notes.append(f"{when} gives the snapshot of {snapshot.date} again; counted once")
            continue
        snapshots.append(snapshot)
    if not snapshots:
        raise InputError(
            "the archive has none of the snapshots asked for; "
            + (notes[-1] if notes else "give other dates")
        )
    result = history(snapshots, options=options, jobs=args.jobs, dask=args.dask)
    html = None
    if args.map:
        from maps.history import history_map

        html = history_map(result)
    table = result.table
    table.to_csv(tmp / "history.csv", index=False, lineterminator="\n")
    history_chart(result, tmp)
    if html is not None:
        (tmp / "history.html").write_text(html, encoding="utf-8")
    return table, notes, html is not None
