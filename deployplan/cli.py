"""The ``deployplan`` command line: a thin argparse layer over the Python API.

Each subcommand's work is in its own module (``cmd_layers``, ``cmd_plan``, ``cmd_brief``),
imported only when that subcommand runs, so ``deployplan --help`` stays fast.
User errors (:class:`geo.errors.DeployplanError`) print one line and exit 2.
"""

from __future__ import annotations

from deployplan import _signals

_signals.install()  # first: Ctrl-C or SIGTERM during start-up exits cleanly too

import argparse  # noqa: E402
import atexit  # noqa: E402
import contextlib  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from typing import TextIO  # noqa: E402

import deployplan  # noqa: E402

__all__ = ["build_parser", "main"]


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked (it costs ~15 ms)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"deployplan {deployplan.__version__}")
        parser.exit()


EXIT_USER_ERROR = 2
REPEATABLE = "repeatable"

_EPILOG_MAIN = """\
examples:
  deployplan brief                              # briefing.html with all nine options, offline
  deployplan layers -o layers.gpkg              # the bundled layers as a GeoPackage
  deployplan plan --option 1 --variant eur-plus -o plan.gpkg --map plan.html
  deployplan compare --format md                # the options side by side
  deployplan sweep --spacing-km 25 50 100 --radius-km 25 50 -o sweep.csv
"""


def _add_layer_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("layers (the same on every subcommand)")
    line = group.add_mutually_exclusive_group()
    line.add_argument("--line", metavar="PATH", help="your own contact line (any vector format)")
    line.add_argument(
        "--line-from-occupied",
        metavar="PATH",
        help="derive the contact line from an occupied-territory polygon file (e.g. DeepStateMap)",
    )
    _add_deepstate_options(group, line)
    group.add_argument("--line-date", metavar="YYYY-MM-DD", help="the date the line stands for")
    group.add_argument("--line-layer", metavar="NAME", help="layer to read from a multi-layer file")
    group.add_argument("--points", metavar="PATH", help="concentration points ('name' column)")
    group.add_argument("--hubs", metavar="PATH", help="logistics hubs ('name', 'tier' columns)")
    group.add_argument(
        "--crs",
        metavar="CRS",
        help="CRS of input files that carry none, e.g. EPSG:4326 (others are reprojected)",
    )


def _add_response_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--response-target-h",
        type=float,
        metavar="H",
        help="hours within which each concentration point's sector should be reached "
        "(notice to move + road move of the fastest unit; default 6, or the scenario's)",
    )


def _add_deepstate_options(
    group: argparse._ArgumentGroup, line: argparse._MutuallyExclusiveGroup
) -> None:
    """``--deepstate DATE|latest`` (exclusive with the other line sources), ``--deepstate-url``."""
    line.add_argument(
        "--deepstate",
        metavar="DATE|latest",
        help="DeepStateMap's occupied territory of that day (YYYY-MM-DD, or latest), fetched "
        "from the archive once and cached; the line is derived from it",
    )
    group.add_argument(
        "--deepstate-url",
        metavar="URL",
        help="base URL of the archive's files (default $DEPLOYPLAN_DEEPSTATE_URL, else the "
        "public archive cyterat/deepstate-map-data)",
    )


def _add_jobs(parser: argparse.ArgumentParser, text: str) -> None:
    """``--jobs N``: worker processes (checked by :func:`planner.parallel.check_jobs`)."""
    parser.add_argument("--jobs", type=int, metavar="N", help=text)


def _add_plan_jobs(parser: argparse.ArgumentParser) -> None:
    """``--jobs N`` of the commands that plan the nine options (and the scenarios)."""
    _add_jobs(
        parser,
        "worker processes for the plans (default: every core; 1: this process alone); "
        "the results are the same",
    )


def _add_parallel_options(parser: argparse.ArgumentParser) -> None:
    """``--jobs N`` and ``--dask ADDRESS`` of the commands that run a grid of plans."""
    _add_jobs(parser, "worker processes (default: every core); the rows come in the same order")
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on this Dask scheduler instead, e.g. tcp://127.0.0.1:8786 (the [dask] extra)",
    )


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("gpkg", "geojson", "kml", "kmz", "csv"),
        help="gpkg (default; styled for QGIS): OUT is the GeoPackage; kmz (implied by OUT.kmz; "
        "for Google Earth): one file; kml: one file if OUT ends in .kml, else a directory; "
        "geojson, csv: OUT is a directory, a file a layer",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", required=True, help="output file or directory"
    )


def _subcommand(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[str],
    handler: str,
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` and return its parser.

    ``examples`` are command lines after ``deployplan``, listed at the end of its ``--help``;
    ``handler`` (``module:function``) is imported only when the subcommand runs.
    """
    parser = sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + "".join(f"  deployplan {example}\n" for example in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="deployplan",
        description="Turn a deployment option along the Ukrainian line of contact into maps "
        "and numbers.",
        epilog=_EPILOG_MAIN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")

    p = _subcommand(
        sub,
        "layers",
        summary="write the layers (line, oblasts, points, hubs) for GIS",
        description="Write the four layers with their provenance.",
        examples=[
            "layers -o layers.gpkg",
            "layers --line-from-occupied occupied.geojson --line-date 2025-12-15 -o out.gpkg",
            "layers --line front.csv --crs EPSG:4326 --format geojson -o layers/",
        ],
        handler="deployplan.cmd_layers:run_layers",
    )
    _add_layer_options(p)
    _add_output(p)

    p = _subcommand(
        sub,
        "plan",
        summary="place the units of one option or scenario and measure it",
        description="Place units along the line or around the concentration points; write units, "
        "coverage, gaps, slots, legs, line, points and hubs.\n\n"
        "Slots: along the line, unit k of a part belongs to its slot, the stretch from\n"
        "offset + (k - 1/2) x spacing to offset + (k + 1/2) x spacing km along it. It may\n"
        "slide within its slot, never out of it; a slot with no valid position stays empty,\n"
        "and the 'slots' layer and the summary say which and why (no-valid-position,\n"
        "outside-ukraine, too-short).\n\n"
        "Standoff band: every unit's geodesic distance to the line (all parts) lies in\n"
        "[standoff - 1 %, standoff + max(2 km, 25 % of the standoff)], its radius reaches the\n"
        "line, and no two units of a deployment are closer than spacing / 4. Standoff 0 puts\n"
        "the units on the line.\n\n"
        "Parts: by default (all_parts = true in a scenario) slots cover every part of the line\n"
        "at least half a spacing long, longest first; --main-only (all_parts = false) keeps\n"
        "the units to the main part.",
        examples=[
            "plan --option 1 --variant eur-plus -o plan.gpkg",
            "plan --option 3 --variant ua-supported --spacing-km 80 --format geojson -o plan/",
            "plan --option reassurance -o reassurance.gpkg --map reassurance.html",
            "plan --scenario examples/northern_tripwire.toml -o plan.gpkg --map plan.html",
        ],
        handler="deployplan.cmd_plan:run_plan",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--option",
        metavar="{1,2,3,4,0}",
        help="one of the notes' four options (with --variant), or 0 / reassurance: the "
        "UK-France reassurance force (no --variant)",
    )
    which.add_argument("--scenario", metavar="FILE.toml", help="a scenario file")
    p.add_argument("--variant", metavar="{eur-plus,ua-supported}", help="with --option")
    p.add_argument("--unit", metavar="TYPE", help="unit type id, e.g. light-battalion")
    p.add_argument("--spacing-km", type=float, metavar="N", help="km between units along the line")
    p.add_argument("--standoff-km", type=float, metavar="N", help="km behind the line")
    p.add_argument("--radius-km", type=float, metavar="N", help="coverage radius of each unit")
    p.add_argument("--rotation", type=int, metavar="N", help="rotation factor (3 or 4; default 4)")
    _add_response_target(p)
    p.add_argument(
        "--main-only",
        action="store_true",
        help="slots on the main part of the line only (default: every part at least half a "
        "spacing long, longest first)",
    )
    _add_layer_options(p)
    _add_output(p)
    p.add_argument("--map", metavar="HTML", help="also write this plan's map")
    p.add_argument("--online", action="store_true", help="with --map: tiles and CDN assets")

    p = _subcommand(
        sub,
        "compare",
        summary="the options (and your scenarios) side by side",
        description="One row per preset (and per scenario): the notes' figures, what placement "
        "on the loaded line gives, and the force arithmetic.",
        examples=[
            "compare",
            "compare --format json -o options.json",
            "compare --scenario examples/northern_tripwire.toml --format csv -o compare.csv",
        ],
        handler="deployplan.cmd_plan:run_compare",
    )
    p.add_argument("--scenario", metavar="FILE.toml", action="append", default=[], help=REPEATABLE)
    p.add_argument("--rotation", type=int, metavar="N", help="rotation factor (default 4)")
    _add_response_target(p)
    p.add_argument(
        "--main-only",
        action="store_true",
        help="slots on the main part of the line only (default: every part at least half a "
        "spacing long, longest first)",
    )
    _add_plan_jobs(p)
    _add_layer_options(p)
    p.add_argument("--format", choices=("md", "csv", "json"), default="md")
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")

    p = _subcommand(
        sub,
        "sweep",
        summary="a grid of spacing x radius x rotation (x standoff) to CSV",
        description="Plan every configuration of the grid and say which cover at least "
        "--min-coverage of the line within --max-troops.",
        examples=[
            "sweep --spacing-km 25 50 75 100 --radius-km 25 50 -o sweep.csv",
            "sweep --unit heavy-brigade --rotation 3 4 --min-coverage 0.9 --max-troops 300000 "
            "-o sweep.csv",
        ],
        handler="deployplan.cmd_plan:run_sweep",
    )
    p.add_argument("--unit", metavar="TYPE", default="light-battalion")
    p.add_argument("--spacing-km", type=float, nargs="+", metavar="N", default=[25.0, 50.0, 100.0])
    p.add_argument("--radius-km", type=float, nargs="+", metavar="N", default=[25.0, 50.0])
    p.add_argument("--rotation", type=int, nargs="+", metavar="N", default=[3, 4])
    p.add_argument("--standoff-km", type=float, nargs="+", metavar="N")
    p.add_argument("--min-coverage", type=float, metavar="F", default=0.9, help="fraction, 0-1")
    p.add_argument("--max-troops", type=int, metavar="N", default=300_000, help="sustained troops")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--main-only",
        action="store_true",
        help="slots on the main part of the line only (default: every part at least half a "
        "spacing long, longest first)",
    )
    _add_parallel_options(p)
    _add_layer_options(p)
    p.add_argument("-o", "--output", metavar="FILE.csv", required=True)

    p = _subcommand(
        sub,
        "brief",
        summary="one HTML briefing with all nine options (works offline)",
        description="Write one HTML file: the nine presets as switchable groups on one map, the "
        "comparison table, the line's date and every layer's provenance.",
        examples=[
            "brief",
            "brief -o briefing.html --png briefing.png",
            "brief --pptx briefing.pptx --png-size 1600x900",
            "brief --online --scenario examples/northern_tripwire.toml",
        ],
        handler="deployplan.cmd_brief:run_brief",
    )
    p.add_argument("-o", "--output", metavar="HTML", default="briefing.html")
    p.add_argument("--online", action="store_true", help="OpenStreetMap tiles and CDN assets")
    p.add_argument("--scenario", metavar="FILE.toml", action="append", default=[], help=REPEATABLE)
    p.add_argument("--rotation", type=int, metavar="N", help="rotation factor (default 4)")
    p.add_argument("--png", metavar="PNG", help="also a PNG snapshot (Chromium, the [png] extra)")
    p.add_argument(
        "--pptx",
        metavar="PPTX",
        help="also a slide deck: title, one slide per option with its map, the comparison "
        "table, yardsticks, sources (Chromium, the [pptx] extra)",
    )
    p.add_argument(
        "--png-size",
        metavar="WxH",
        help="size of the --png and slide pictures in pixels (default 1920x1080)",
    )
    _add_response_target(p)
    p.add_argument(
        "--main-only",
        action="store_true",
        help="slots on the main part of the line only (default: every part at least half a "
        "spacing long, longest first)",
    )
    _add_plan_jobs(p)
    _add_layer_options(p)
    p = _subcommand(
        sub,
        "qgis",
        summary="run deployplan inside QGIS: install its Processing provider",
        description="Install deployplan's QGIS plugin (Processing provider 'deployplan') into a "
        "QGIS profile and enable it; it runs deployplan with this Python environment.",
        examples=[
            "qgis install",
            "qgis install --profile-dir ~/.local/share/QGIS/QGIS3/profiles/analyst",
        ],
        handler="deployplan.cmd_qgis:run_qgis",
    )
    p.add_argument("action", choices=("install",), help="install: copy and enable the plugin")
    p.add_argument(
        "--profile-dir",
        metavar="DIR",
        help="the QGIS profile (default: ~/.local/share/QGIS/QGIS3/profiles/default)",
    )
    _add_line_commands(sub)
    _add_history_command(sub)
    return parser


def _for_the_command_line(exc: Exception, args: argparse.Namespace) -> str:
    """The error's message, naming the flag where an API parameter came from one."""
    from geo.errors import ParameterError

    def flag(name: str) -> str:
        return "--" + name.replace("_", "-") if hasattr(args, name) else name

    if isinstance(exc, ParameterError) and getattr(args, exc.parameter, None) is not None:
        return exc.for_flag(flag(exc.parameter), flag)
    return str(exc)


def printable(text: str) -> str:
    r"""``text`` with what a terminal would act on escaped: ``a\x1b[2Jb`` for ``a<ESC>[2Jb``.

    Characters Python does not count as printable (control characters, separators, format
    characters such as right-to-left overrides) become their ``\x..``/``\u....`` escapes;
    line breaks and tabs are kept, so summaries and tables keep their shape.

    Examples
    --------
    >>> printable("front\x1b[31m")
    'front\\x1b[31m'
    """
    if text.isprintable():
        return text
    return "\n".join(
        "".join(
            ch if ch.isprintable() or ch == "\t" else ch.encode("unicode_escape").decode("ascii")
            for ch in line
        )
        for line in text.split("\n")
    )


class _PrintableOut(io.TextIOBase):
    """Standard output through :func:`printable`: names echoed in summaries cannot act."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return self._stream.isatty()


def _add_history_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``deployplan history``: the front over DeepStateMap snapshots, to a directory."""
    p = _subcommand(
        sub,
        "history",
        summary="how the front moved, and how options would have fared, snapshot by snapshot",
        description="Fetch DeepStateMap snapshots (or use the cache), derive each day's line and "
        "write DIR/history.csv (line length, occupied area and its change, how far the front "
        "moved, and per --option the units placed, coverage and largest gap) and the chart "
        "DIR/history.png and .svg (the [history] extra: matplotlib).",
        examples=[
            "history --from 2025-01-01 --to latest -o history/",
            "history --dates 2024-07-08 2025-06-30 2025-12-15 --option 1 --variant eur-plus "
            "--map -o history/",
            "history --from 2025-06-01 --to 2025-12-01 --every 1w --jobs 2 -o weekly/",
        ],
        handler="deployplan.cmd_history:run_history",
    )
    p.add_argument("--from", dest="date_from", metavar="DATE", help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="DATE|latest", help="last date, or latest")
    p.add_argument("--every", choices=("1w", "1m"), help="step between dates (default 1m)")
    p.add_argument("--dates", nargs="+", metavar="DATE", help="these dates instead")
    p.add_argument("--option", type=int, action="append", metavar="{1,2,3,4}", help=REPEATABLE)
    p.add_argument(
        "--variant", action="append", metavar="{eur-plus,ua-supported}", help="one per --option"
    )
    p.add_argument("--map", action="store_true", help="also DIR/history.html, a line per date")
    p.add_argument("--deepstate-url", metavar="URL", help="base URL of the archive's files")
    _add_parallel_options(p)
    p.add_argument("-o", "--output", metavar="DIR", required=True, help="output directory")


def _add_line_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``deployplan line fetch DATE...`` and ``deployplan line list``."""
    p = _subcommand(
        sub,
        "line",
        summary="fetch DeepStateMap snapshots ahead of time; list those cached",
        description="DeepStateMap's occupied territory by date, from the daily archive "
        "(cyterat/deepstate-map-data, GPL-3.0), kept in the cache ($DEPLOYPLAN_CACHE_DIR, else "
        "the user's cache directory) for --deepstate DATE to use offline.",
        examples=["line fetch latest", "line fetch 2025-06-30 2025-12-15", "line list"],
        handler="deployplan.cmd_line:run_line_list",
    )
    line_sub = p.add_subparsers(dest="line_command", metavar="{fetch,list}", required=True)
    fetch = line_sub.add_parser(
        "fetch",
        help="fetch the snapshots of these dates (or latest) into the cache",
        description="Fetch each date's snapshot (a date the archive lacks falls back to the "
        "nearest earlier one within 7 days; latest is the newest within 60 days).",
    )
    fetch.add_argument("dates", nargs="+", metavar="DATE|latest")
    fetch.add_argument("--deepstate-url", metavar="URL", help="base URL of the archive's files")
    fetch.set_defaults(handler="deployplan.cmd_line:run_line_fetch")
    listing = line_sub.add_parser("list", help="list the snapshots in the cache")
    listing.set_defaults(handler="deployplan.cmd_line:run_line_list")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    User errors print one line and give 2; SIGINT gives 130 and SIGTERM 143, with every
    temporary output removed (:mod:`layers.atomic`).
    """
    try:
        return _main(argv)
    except (KeyboardInterrupt, _signals.Terminated) as exc:
        _signals.remove_temporaries()
        print("deployplan: interrupted", file=sys.stderr)
        return _signals.exit_status(exc)


def _main(argv: Sequence[str] | None) -> int:
    # Python's garbage collection at exit, over all that pandas, pyproj and GDAL's bindings
    # made, takes about 0.1 s; frozen objects are skipped and the operating system reclaims
    # the memory. Every output is closed and in place before main() returns.
    atexit.unregister(gc.freeze)  # registered once, however often main() runs in a process
    atexit.register(gc.freeze)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    collecting = gc.isenabled()
    if args.command not in _LONG_COMMANDS:
        # A run of a second or less: the cycle collector would only walk, again and again,
        # the objects that importing pandas, GDAL's bindings and pyproj leaves (about 30 ms
        # of a plan); reference counting still frees all else. Sweeps and histories, which
        # may plan for minutes, keep it.
        gc.disable()
    try:
        return _run(args)
    finally:
        if collecting:
            gc.enable()


#: Commands that may run for minutes, and keep Python's cycle collector on.
_LONG_COMMANDS = frozenset({"sweep", "history"})


def _run(args: argparse.Namespace) -> int:
    module_name, _, func_name = args.handler.partition(":")
    from deployplan.cmd_layers import pop_notes
    from geo.errors import DeployplanError

    pop_notes()
    try:
        with warnings.catch_warnings():
            if not args.debug:
                # Libraries' warnings (GDAL's through pyogrio, pandas, shapely) would precede
                # the one-line error or clutter the summary; deployplan says what matters in
                # its own words. Library code and tests keep them (filterwarnings = error).
                warnings.simplefilter("ignore")
            handler = getattr(importlib.import_module(module_name), func_name)
            with contextlib.redirect_stdout(_PrintableOut(sys.stdout)):
                code = int(handler(args) or 0)
        # after the summary; on standard error only where standard output is the table itself
        stream = sys.stderr if getattr(args, "data_on_stdout", False) else sys.stdout
        for note in pop_notes():
            print(printable(f"deployplan {args.command}: {note}"), file=stream)
        return code
    except DeployplanError as exc:
        if args.debug:
            raise
        message = printable(" ".join(_for_the_command_line(exc, args).split()))
        print(f"deployplan {args.command}: error: {message}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
