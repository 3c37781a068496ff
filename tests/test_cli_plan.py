"""``deployplan plan``, ``compare`` and ``sweep`` on the command line.

Outputs are read back with pyogrio (and ``ogrinfo``); every bad input exits 2 with one error
line, no traceback and nothing written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLAN_LAYERS = ["units", "coverage", "gaps", "slots", "legs", "line", "points", "hubs"]
STRAIGHT = {"type": "LineString", "coordinates": [[35.0, 47.0], [35.0, 48.8]]}
AT_SEA = {"type": "LineString", "coordinates": [[31.0, 43.5], [33.0, 43.6]]}
OPTION_1 = ("--option", "1", "--variant", "eur-plus")


def geojson(path: Path, geometry: dict) -> Path:
    feature = {"type": "Feature", "properties": {}, "geometry": geometry}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def refused(result, tmp: Path, *words: str, command: str = "plan") -> None:  # noqa: ANN001
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"deployplan {command}: error: "), lines[0]
    assert "Traceback" not in result.err
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert list(tmp.iterdir()) == [], "something was written"


def test_plan_gpkg(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.gpkg"
    result = run_cli("plan", *OPTION_1, "-o", out)
    assert result.code == 0, result.err
    assert "Option 1 EUR+" in result.out and "24 units" in result.out
    assert f"wrote {out}" in result.out
    layers = [name for name, _ in pyogrio.list_layers(out)]
    assert layers == [*PLAN_LAYERS, "oblasts", "occupied", "summary", "provenance", "layer_styles"]
    units = pyogrio.read_dataframe(out, layer="units")
    assert units.crs.to_epsg() == 4326
    ids = units["unit_id"].tolist()
    assert ids and len(set(ids)) == len(ids)
    assert pyogrio.read_dataframe(out, layer="coverage")["unit_id"].tolist() == ids
    assert pyogrio.read_dataframe(out, layer="legs")["unit_id"].tolist() == ids
    assert set(units["sidc"]) == {"10031000161211000000"}
    provenance = pyogrio.read_dataframe(out, layer="provenance")
    assert provenance["layer"].tolist() == [*PLAN_LAYERS, "oblasts", "occupied"]
    assert provenance["date"].iloc[0] == "2025-12-15"
    assert [p.name for p in tmp.iterdir()] == ["plan.gpkg"]  # no temporary file left


@pytest.mark.gdal
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="ogrinfo (gdal-bin) not installed")
def test_ogrinfo_reads_the_plan(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.gpkg"
    assert run_cli("plan", "--option", "4", "--variant", "eur-plus", "-o", out).code == 0
    info = subprocess.run(
        ["ogrinfo", "-so", "-al", str(out)], capture_output=True, text=True, check=True
    )
    assert "Warning" not in info.stderr and "ERROR" not in info.stderr
    for name in PLAN_LAYERS:
        assert f"Layer name: {name}" in info.stdout
    assert "Feature Count: 4" in info.stdout  # four brigades
    assert "WGS 84" in info.stdout


@pytest.mark.parametrize(("fmt", "ext"), [("geojson", "geojson"), ("csv", "csv"), ("kml", "kml")])
def test_plan_directory_formats(run_cli: Callable, tmp: Path, fmt: str, ext: str) -> None:
    out = tmp / "plan"
    result = run_cli(
        "plan", "--option", "3", "--variant", "ua-supported", "--format", fmt, "-o", out
    )
    assert result.code == 0, result.err
    for name in PLAN_LAYERS:
        assert (out / f"{name}.{ext}").is_file()
        assert (out / f"{name}.provenance.json").is_file()
    if fmt == "geojson":
        units = pyogrio.read_dataframe(out / "units.geojson")
        legs = pyogrio.read_dataframe(out / "legs.geojson")
        assert units["unit_id"].tolist() == legs["unit_id"].tolist()


def test_plan_scenario_with_overrides(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.gpkg"
    result = run_cli(
        "plan",
        "--scenario",
        EXAMPLES / "northern_tripwire.toml",
        "--spacing-km",
        "100",
        "--radius-km",
        "40",
        "--rotation",
        "3",
        "-o",
        out,
    )
    assert result.code == 0, result.err
    assert "Northern tripwire" in result.out and "rotation x3" in result.out
    units = pyogrio.read_dataframe(out, layer="units")
    assert set(units["radius_km"]) == {40.0}
    assert units["unit_id"].iloc[0] == "northern-tripwire-01"


def test_plan_user_line(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    line = geojson(tmp_path / "front.geojson", STRAIGHT)
    out = tmp / "plan.gpkg"
    result = run_cli("plan", *OPTION_1, "--line", line, "-o", out)
    assert result.code == 0, result.err
    units = pyogrio.read_dataframe(out, layer="units")
    assert units["km_along"].tolist() == pytest.approx([25, 75, 125, 175])  # 200 km line


def test_plan_does_not_import_folium(tmp: Path) -> None:
    argv = ["plan", "--option", "2", "--variant", "eur-plus", "-o", str(tmp / "p.gpkg")]
    code = (
        f"import sys; from deployplan.cli import main; code = main({argv!r}); "
        "print(code, 'folium' in sys.modules, "
        "','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'maps')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # the GeoPackage's styles take the unit symbols from maps.symbols, which is light
    assert done.stdout.split()[-3:] == ["0", "False", "maps,maps.symbols"]


def test_plan_map(run_cli: Callable, tmp: Path) -> None:
    result = run_cli(
        "plan",
        "--option",
        "4",
        "--variant",
        "eur-plus",
        "-o",
        tmp / "plan.gpkg",
        "--map",
        tmp / "plan.html",
    )
    assert result.code == 0, result.err
    html = (tmp / "plan.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "leaflet" in html.lower()


SCENARIO_TYPO = """name = "Typo"

[[deployment]]
unit = "light-battalion"
spacing = 50
"""
SCENARIO_TYPE = """name = "Wrong type"
rotation = 4

[[deployment]]
unit = "light-battalion"
spacing_km = 50
radius_km = "25"
"""


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--option", "1"], ["--option 1 needs --variant", "eur-plus or ua-supported"]),
        (["--option", "7", "--variant", "eur-plus"], ["unknown option 7"]),
        (["--option", "1", "--variant", "eur"], ["unknown variant 'eur'"]),
        ([*OPTION_1, "--unit", "tank"], ["unknown unit type"]),
        ([*OPTION_1, "--spacing-km", "0"], ["spacing"]),
        ([*OPTION_1, "--spacing-km", "-50"], ["spacing"]),
        ([*OPTION_1, "--spacing-km", "nan"], ["spacing"]),
        ([*OPTION_1, "--spacing-km", "1500"], ["longer than"]),
        ([*OPTION_1, "--spacing-km", "50000"], ["spacing"]),
        ([*OPTION_1, "--radius-km", "0"], ["radius"]),
        ([*OPTION_1, "--radius-km", "nan"], ["radius"]),
        ([*OPTION_1, "--radius-km", "1900"], ["whole line"]),
        ([*OPTION_1, "--standoff-km", "-1"], ["standoff"]),
        (["--option", "3", "--variant", "eur-plus", "--standoff-km", "150"], ["standoff"]),
        ([*OPTION_1, "--rotation", "0"], ["rotation"]),
        (["--option", "4", "--variant", "eur-plus", "--spacing-km", "50"], ["does not apply"]),
        ([*OPTION_1, "--online"], ["--online goes with --map"]),
        (
            [*OPTION_1, "--response-target-h", "0"],
            ["response target is 0.0", "--response-target-h"],
        ),
        ([*OPTION_1, "--response-target-h", "nan"], ["response target is nan"]),
    ],
)
def test_plan_bad_input(run_cli: Callable, tmp: Path, argv: list[str], words: list[str]) -> None:
    refused(run_cli("plan", *argv, "-o", tmp / "plan.gpkg"), tmp, *words)


def test_variant_with_scenario(run_cli: Callable, tmp: Path) -> None:
    result = run_cli(
        "plan",
        "--scenario",
        EXAMPLES / "northern_tripwire.toml",
        "--variant",
        "eur-plus",
        "-o",
        tmp / "p.gpkg",
    )
    refused(result, tmp, "--variant eur-plus goes with --option")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (SCENARIO_TYPO, ["line 5", "unknown key 'spacing'", "did you mean 'spacing_km'"]),
        (SCENARIO_TYPE, ["line 7", "'radius_km' is '25'"]),
    ],
)
def test_bad_scenario(
    run_cli: Callable, tmp: Path, tmp_path: Path, text: str, words: list[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("plan", "--scenario", path, "-o", tmp / "p.gpkg")
    refused(result, tmp, str(path), *words)
    refused(run_cli("compare", "--scenario", path), tmp, *words, command="compare")


def test_line_with_no_friendly_side(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    line = geojson(tmp_path / "sea.geojson", AT_SEA)
    result = run_cli("plan", *OPTION_1, "--line", line, "-o", tmp / "p.gpkg")
    refused(result, tmp, "no friendly side")


def test_unwritable_output(run_cli: Callable, tmp: Path) -> None:
    result = run_cli("plan", *OPTION_1, "-o", tmp / "no" / "p.gpkg")
    refused(result, tmp, "does not exist")
    (tmp / "dir.gpkg").mkdir()
    result = run_cli("plan", *OPTION_1, "-o", tmp / "dir.gpkg")
    assert result.code == 2 and "it is a directory" in result.err
    assert list((tmp / "dir.gpkg").iterdir()) == []
    (tmp / "dir.gpkg").rmdir()
    result = run_cli(
        "plan",
        "--option",
        "1",
        "--variant",
        "eur-plus",
        "-o",
        tmp / "p.gpkg",
        "--map",
        tmp / "no" / "m.html",
    )
    refused(result, tmp, "--map", "does not exist")


def test_old_output_survives_a_refused_run(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.gpkg"
    assert run_cli("plan", *OPTION_1, "-o", out).code == 0
    before = out.read_bytes()
    result = run_cli("plan", *OPTION_1, "--spacing-km", "0", "-o", out)
    assert result.code == 2
    assert out.read_bytes() == before
    assert [p.name for p in tmp.iterdir()] == ["plan.gpkg"]


# --- compare ----------------------------------------------------------------------------


def test_compare_markdown_to_stdout(run_cli: Callable) -> None:
    result = run_cli("compare")
    assert result.code == 0, result.err
    assert result.out.startswith("| | Option 1 EUR+ |")
    assert "32,000-40,000" in result.out and "96,000" in result.out


def test_compare_json_file(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "options.json"
    result = run_cli(
        "compare",
        "--scenario",
        EXAMPLES / "recce_and_response.toml",
        "--rotation",
        "3",
        "--format",
        "json",
        "-o",
        out,
    )
    assert result.code == 0, result.err
    assert f"wrote {out}" in result.out
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 10  # the eight, the reassurance force (option 0), the scenario
    assert [r["option"] for r in rows] == [1, 1, 2, 2, 3, 3, 4, 4, 0, None]
    assert {r["rotation_factor"] for r in rows} == {3}
    assert rows[4]["sustained_troops_max"] == 3 * 96_000


def test_compare_csv(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "compare.csv"
    assert run_cli("compare", "--format", "csv", "-o", out).code == 0
    frame = pd.read_csv(out)
    assert frame["troops_max"].tolist() == [
        40_000,
        20_000,
        40_000,
        20_000,
        96_000,
        48_000,
        16_000,
        0,
        30_000,  # option 0, the reassurance force (DOMAIN.md: ~30,000)
    ]


def test_plan_response_and_sectors(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan.gpkg"
    result = run_cli(
        "plan", "--option", "4", "--variant", "eur-plus", "--response-target-h", "2", "-o", out
    )
    assert result.code == 0, result.err
    assert "response to the points' sectors" in result.out
    assert "beyond the 2 h target" in result.out  # heavy brigades: 2 h notice before moving
    points = pyogrio.read_dataframe(out, layer="points")
    for column in ("sector_lon", "sector_lat", "sector_part", "sector_km", "sector_distance_km"):
        assert points[column].notna().all(), column
    units = pyogrio.read_dataframe(out, layer="units")
    assert set(units["notice_h"]) == {2.0} and set(units["road_kmh"]) == {30.0}
    assert (units["response_hours"] > 2.0).all()


def test_compare_response_target(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "options.json"
    result = run_cli("compare", "--response-target-h", "3.5", "--format", "json", "-o", out)
    assert result.code == 0, result.err
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert {r["response_target_h"] for r in rows} == {3.5}
    for row in rows:
        for item in row["response"]:
            assert item["meets_target"] == (item["hours"] <= 3.5)
    out.unlink()
    refused(
        run_cli("compare", "--response-target-h", "-2", "-o", tmp / "c.md"),
        tmp,
        "response target is -2.0",
        command="compare",
    )


def test_compare_unwritable(run_cli: Callable, tmp: Path) -> None:
    refused(run_cli("compare", "-o", tmp / "no" / "c.md"), tmp, "does not exist", command="compare")


# --- sweep ------------------------------------------------------------------------------


def test_sweep_csv(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "sweep.csv"
    result = run_cli(
        "sweep",
        "--spacing-km",
        "50",
        "100",
        "--radius-km",
        "25",
        "60",
        "--rotation",
        "3",
        "4",
        "--standoff-km",
        "10",
        "20",
        "--min-coverage",
        "0.8",
        "--max-troops",
        "200000",
        "-o",
        out,
    )
    assert result.code == 0, result.err
    assert result.err == ""  # no progress bar when standard error is not a terminal
    assert "16 configurations" in result.out and f"wrote {out}" in result.out
    frame = pd.read_csv(out)
    assert len(frame) == 16
    expected = (frame["coverage_fraction"] >= 0.8) & (frame["sustained_troops_max"] <= 200_000)
    assert frame["meets"].tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--spacing-km", "0"], ["spacing_km"]),
        (["--radius-km", "nan"], ["radius_km"]),
        (["--rotation", "9"], ["rotation"]),
        (["--min-coverage", "90"], ["fraction"]),
        (["--max-troops", "0"], ["max troops"]),
        (["--unit", "tank"], ["unknown unit type"]),
    ],
)
def test_sweep_bad_input(run_cli: Callable, tmp: Path, argv: list[str], words: list[str]) -> None:
    refused(run_cli("sweep", *argv, "-o", tmp / "s.csv"), tmp, *words, command="sweep")


@pytest.mark.parametrize(("argv", "collecting"), [(["compare"], False), (["sweep"], True)])
def test_cycle_collector_off_for_short_runs_only(
    run_cli: Callable, monkeypatch: pytest.MonkeyPatch, argv: list[str], collecting: bool
) -> None:
    """Short commands run without the cycle collector; sweeps and histories, which may plan
    for minutes, keep it; either way it is on again when main() returns."""
    import gc

    import deployplan.cmd_plan

    seen = []
    handler = "run_compare" if argv == ["compare"] else "run_sweep"
    monkeypatch.setattr(deployplan.cmd_plan, handler, lambda args: seen.append(gc.isenabled()))
    extra = ["-o", "s.csv"] if argv == ["sweep"] else []
    assert gc.isenabled()
    assert run_cli(*argv, *extra).code == 0
    assert seen == [collecting]
    assert gc.isenabled()
