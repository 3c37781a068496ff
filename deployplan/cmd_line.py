"""``deployplan line fetch`` / ``line list``: DeepStateMap snapshots fetched ahead; the cache."""

from __future__ import annotations

import argparse
import sys

__all__ = ["run_line_fetch", "run_line_list"]


def run_line_fetch(args: argparse.Namespace) -> int:
    """Fetch (or find in the cache) the snapshot of each date; say what each gave."""
    from layers.deepstate import resolve_snapshot
    from layers.frontline import line_from_occupied

    for when in args.dates:
        snapshot = resolve_snapshot(when, url=args.deepstate_url)
        for note in snapshot.notes:
            print(f"deployplan line: note: {note}", file=sys.stderr)
        c = snapshot.cached
        line = line_from_occupied(snapshot.occupied(), date=snapshot.date)
        how = "cached already" if snapshot.from_cache else "fetched"
        asked = f" (for {when})" if when != snapshot.date else ""
        print(
            f"{snapshot.date}{asked}: {how}, {c.size:,} bytes, sha256 {c.sha256[:12]}..., line "
            f"{line['length_km'].sum():,.1f} km in {len(line)} parts; {c.path}"
        )
    return 0


def run_line_list(args: argparse.Namespace) -> int:
    """List the snapshots in the cache, oldest first."""
    from layers.deepstate import cache_dir, cached_snapshots

    folder = cache_dir()
    entries = cached_snapshots(folder)
    if not entries:
        print(
            f"no DeepStateMap snapshots cached in {folder}; fetch some with "
            "'deployplan line fetch latest' (or a date, YYYY-MM-DD)"
        )
        return 0
    print(f"{len(entries)} DeepStateMap snapshot(s) cached in {folder}:")
    for c in entries:
        print(f"  {c.date}  {c.size:>10,} bytes  retrieved {c.retrieved}  from {c.url}")
    return 0
