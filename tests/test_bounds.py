"""Bounds checked before any work: units, points, hubs, sweep grid, scenario files, huge lines.

Each refused request must fail at once (no placement done), with one line naming what would
fit; reference values come from pyproj.Geod and the placement rule's own formula, counted by
hand.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pyogrio
import pyproj
import pytest
import shapely

import planner.plan
from layers import load_default_line
from layers.bundle import MAX_HUBS, MAX_POINTS
from planner.along import place_along_slots
from planner.distances import prepare_line
from planner.limits import MAX_CONFIGURATIONS, MAX_UNITS, units_along
from planner.scenario import MAX_SCENARIO_BYTES, MAX_SCENARIO_DEPTH, load_scenario

GEOD = pyproj.Geod(ellps="WGS84")
OPTION_1 = ("--option", "1", "--variant", "eur-plus")


def refused(result, command: str, *words: str) -> None:  # noqa: ANN001
    assert result.code == 2, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"deployplan {command}: error: "), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])


def main_part_km() -> float:
    line = load_default_line()
    main = line.loc[line["is_main"]].geometry.iloc[0]
    lon, lat = shapely.get_coordinates(main).T
    return GEOD.line_length(lon, lat) / 1000.0


def no_placement(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def placing(*args: object, **kwargs: object) -> None:
        calls.append(1)
        raise AssertionError("placement started before the bounds were checked")

    monkeypatch.setattr(planner.plan, "place_along_slots", placing)
    monkeypatch.setattr(planner.plan, "place_around_points", placing)
    return calls


@pytest.mark.parametrize("spacing", ["0.01", "0.001", "1e-300", "5e-324"])
def test_too_many_units_names_the_spacing_that_fits(
    run_cli: Callable, tmp: Path, monkeypatch: pytest.MonkeyPatch, spacing: str
) -> None:
    calls = no_placement(monkeypatch)
    result = run_cli("plan", *OPTION_1, "--spacing-km", spacing, "-o", tmp / "p.gpkg")
    refused(result, "plan", "more than the 20,000 a plan may hold", "spacing", "at least")
    assert not calls and list(tmp.iterdir()) == []
    fit = float(result.err.split("at least ")[1].split(" km")[0])
    # by hand: floor((L - s/2) / s) + 1 units on the main part of geodesic length L
    length = main_part_km()
    assert math.floor((length - fit / 2) / fit) + 1 <= MAX_UNITS
    assert math.floor((length - fit / 2) / (fit * 0.97)) + 1 > MAX_UNITS * 0.95  # not far off


def test_the_count_is_the_placement_rule() -> None:
    prepared = prepare_line(load_default_line())
    for spacing, offset in ((50.0, None), (7.3, 0.0), (120.0, 11.0)):
        placed, slots = place_along_slots(
            prepared, spacing_km=spacing, standoff_km=5.0, offset_km=offset
        )
        counted = units_along(prepared, spacing_km=spacing, offset_km=offset)
        # exactly the slots (issue 8), an upper bound of the units: a slot may stay empty
        assert counted == (slots["reason"] != "too-short").sum() >= len(placed)
        assert len(placed) == (slots["reason"] == "placed").sum()


def test_units_around_too_many_points(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    rows = ["name,lon,lat"] + [f"p{i},{36 + i * 1e-3:.4f},48.0" for i in range(MAX_POINTS + 1)]
    (tmp_path / "points.csv").write_text("\n".join(rows) + "\n")
    result = run_cli(
        "plan", "--option", "4", "--variant", "eur-plus", "--points", tmp_path / "points.csv",
        "--crs", "EPSG:4326", "-o", tmp / "p.gpkg",
    )  # fmt: skip
    refused(result, "plan", "1,001 points", "more than the 1,000")
    assert list(tmp.iterdir()) == []


def test_too_many_hubs(run_cli: Callable, tmp: Path, tmp_path: Path) -> None:
    tiers = ["rear", "entry", "forward"]
    rows = ["name,tier,lon,lat"] + [
        f"h{i},{tiers[i % 3]},{20 + i * 1e-3:.4f},50.0" for i in range(MAX_HUBS + 1)
    ]
    (tmp_path / "hubs.csv").write_text("\n".join(rows) + "\n")
    result = run_cli(
        "layers", "--hubs", tmp_path / "hubs.csv", "--crs", "EPSG:4326", "-o", tmp / "l.gpkg"
    )
    refused(result, "layers", "1,001 hubs", "more than the 1,000")


def test_a_sweep_grid_too_large(run_cli: Callable, tmp: Path) -> None:
    spacings = [str(50 + i / 100) for i in range(1001)]
    radii = [str(60 + i / 10) for i in range(500)]
    result = run_cli("sweep", "--spacing-km", *spacings, "--radius-km", *radii, "-o", tmp / "s.csv")
    total = 1001 * 500 * 2  # rotations 3 and 4 by default
    assert total > MAX_CONFIGURATIONS
    refused(result, "sweep", f"{total:,} configurations", "more than 1,000,000")
    assert list(tmp.iterdir()) == []


def test_a_sweep_spacing_too_small(run_cli: Callable, tmp: Path) -> None:
    result = run_cli("sweep", "--spacing-km", "50", "0.01", "-o", tmp / "s.csv")
    refused(result, "sweep", "0.01 km", "at least")
    assert list(tmp.iterdir()) == []


# --- scenario files ---------------------------------------------------------------------------


def test_a_scenario_that_is_a_device(run_cli: Callable, tmp: Path) -> None:
    refused(
        run_cli("plan", "--scenario", "/dev/zero", "-o", tmp / "p.gpkg"), "plan", "not a regular"
    )


def test_a_scenario_that_is_a_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "s.toml")
    result = subprocess.run(
        [sys.executable, "-m", "deployplan", "compare", "--scenario", "s.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


def test_a_scenario_too_large(run_cli: Callable, tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text('name = "x"\n' + "#" * MAX_SCENARIO_BYTES + "\n")
    refused(run_cli("compare", "--scenario", path), "compare", "1,048,588 bytes", "1,048,576")


@pytest.mark.parametrize("depth", [MAX_SCENARIO_DEPTH + 1, 100_000])
def test_a_scenario_nested_too_deep(run_cli: Callable, tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * depth + "]" * depth + "\n")
    refused(run_cli("compare", "--scenario", path), "compare", f"{depth:,} deep", "32")


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    text = (
        'name = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n'
        "description = '''{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{'''\n"
        "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
        '[[deployment]]\nunit = "light-battalion"\nspacing_km = 50\n'
    )
    path.write_text(text)
    assert load_scenario(path).name.startswith("[[[[")


def test_a_scenario_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfname = "BOM"\n[[deployment]]\nunit = "light-battalion"\n'
                     b"spacing_km = 50\n")  # fmt: skip
    assert load_scenario(path).name == "BOM"


# --- a huge line ------------------------------------------------------------------------------


def dense_line(path: Path, vertices: int) -> int:
    """The bundled main part, densified to about ``vertices`` vertices, as one GeoJSON feature."""
    line = load_default_line()
    main = line.loc[line["is_main"]].geometry.iloc[0]
    coords = shapely.get_coordinates(shapely.segmentize(main, main.length / vertices))
    with path.open("w") as handle:
        handle.write('{"type":"FeatureCollection","features":[{"type":"Feature",')
        handle.write('"properties":{"name":"dense"},"geometry":{"type":"LineString",')
        handle.write('"coordinates":[')
        handle.write(",".join(f"[{x!r},{y!r}]" for x, y in coords.tolist()))
        handle.write("]}}]}")
    return len(coords)


def test_a_line_file_is_read_once(
    run_cli: Callable, tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dense_line(tmp_path / "line.geojson", 2000)
    opened: list[str] = []
    for name in ("read_dataframe", "list_layers", "read_info"):
        real = getattr(pyogrio, name)

        def spy(path: object, *args: object, _real=real, _name=name, **kwargs: object) -> object:
            if str(path).endswith("line.geojson"):
                opened.append(_name)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(pyogrio, name, spy)
    result = run_cli("layers", "--line", tmp_path / "line.geojson", "-o", tmp / "l.gpkg")
    assert result.code == 0, result.err
    assert opened == ["read_dataframe"]


def test_three_million_vertices_within_2_gb(tmp_path: Path) -> None:
    """Past GDAL's GeoJSON object-size limit (OGR_GEOJSON_MAX_OBJ_SIZE), in a child process."""
    count = dense_line(tmp_path / "line.geojson", 3_000_000)
    assert count >= 3_000_000
    with pytest.raises(pyogrio.errors.DataSourceError, match="OGR_GEOJSON_MAX_OBJ_SIZE"):
        pyogrio.read_info(tmp_path / "line.geojson")  # GDAL's default refuses it
    code = textwrap.dedent(
        """
        import resource, sys
        from deployplan.cli import main
        status = main(sys.argv[1:])
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        sys.exit(status)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "plan", *OPTION_1, "--line", "line.geojson", "-o", "p.gpkg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    peak_kib = int(result.stdout.strip().splitlines()[-1])
    assert peak_kib < 2 * 1024 * 1024, f"peak {peak_kib / 1024:.0f} MiB"
    units = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="units")
    line = pyogrio.read_dataframe(tmp_path / "p.gpkg", layer="line")
    lon, lat = shapely.get_coordinates(line.geometry).T
    assert len(lon) >= 3_000_000
    assert GEOD.line_length(lon, lat) / 1000.0 == pytest.approx(main_part_km(), rel=1e-6)
    assert 20 <= len(units) <= 26
