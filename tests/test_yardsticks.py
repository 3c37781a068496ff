"""Yardsticks and proposals beside every option; figures typed from ../shared/DOMAIN.md."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyproj
import pytest

from layers import load_layers
from planner.compare import format_table, table
from planner.plan import Plan, plan_all

GEOD = pyproj.Geod(ellps="WGS84")

# DOMAIN.md, "Yardsticks and proposals": troops, line km, troops per km as printed there
KOREA_1954 = (225_000, 249, 904)
KOREA_TODAY = (30_000, 249, 120)
INNER_GERMAN = (500_000, 700_000, 700, 714, 1_000)
KOSOVO_PEAK = 48_000
# the proposals as reported, by upper end (DOMAIN.md)
PROPOSALS = {
    "UK-France reassurance force": 30_000,
    "Ukrainian officials": 50_000,  # 40,000-50,000
    "President Trump": 100_000,
    "President Zelensky": 150_000,  # 100,000-150,000
    "President Zelensky (earlier request)": 200_000,
    "Experts": 250_000,  # up to 250,000
    "Parity with the Russian force": 600_000,  # 600,000 + rotation
}
# the notes' deployed troops, upper end (DOMAIN.md's options table)
TROOPS_MAX = {
    (1, "eur-plus"): 40_000,
    (1, "ua-supported"): 20_000,
    (2, "eur-plus"): 40_000,
    (2, "ua-supported"): 20_000,
    (3, "eur-plus"): 96_000,
    (3, "ua-supported"): 48_000,
    (4, "eur-plus"): 16_000,
    (4, "ua-supported"): 0,
}


def half_up(value: float, digits: int = 1) -> float:
    return math.floor(value * 10**digits + 0.5) / 10**digits


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    return plan_all(load_layers())


@pytest.fixture(scope="module")
def rows(plans: list[Plan]) -> list[dict]:
    return json.loads(format_table(table(plans), "json"))


@pytest.fixture(scope="module")
def line_km() -> float:
    """The bundled line's length, all parts, by pyproj.Geod on the file itself."""
    import geopandas as gpd

    path = Path(__file__).resolve().parents[1] / "layers/data/contact_line_2025-12-15.geojson"
    return sum(GEOD.geometry_length(g) for g in gpd.read_file(path).geometry) / 1000.0


def test_yardstick_densities(rows: list[dict]) -> None:
    for row in rows:
        troops, km, printed = KOREA_1954
        assert row["korea_1954_troops_per_km"] == half_up(troops / km)
        assert abs(row["korea_1954_troops_per_km"] - printed) < 0.5
        troops, km, printed = KOREA_TODAY
        assert row["korea_today_troops_per_km"] == half_up(troops / km)
        assert abs(row["korea_today_troops_per_km"] - printed) < 1
        low, high, km, p_low, p_high = INNER_GERMAN
        assert row["inner_german_troops_per_km_min"] == half_up(low / km)
        assert row["inner_german_troops_per_km_max"] == half_up(high / km)
        assert abs(row["inner_german_troops_per_km_min"] - p_low) < 0.5
        assert row["inner_german_troops_per_km_max"] == p_high
        assert row["kosovo_peak_troops"] == KOSOVO_PEAK


def test_troops_per_km_of_the_loaded_line(rows: list[dict], line_km: float) -> None:
    assert line_km == pytest.approx(1274.4, abs=0.1)  # PROVENANCE.md: bundled 1,274.4 km
    for row in rows[:8]:
        troops = TROOPS_MAX[(row["option"], row["variant"])]
        assert row["troops_per_km"] == half_up(troops / line_km)
        assert row["sustained_troops_per_km"] == half_up(4 * troops / line_km)
        placed = row["troops_placed_max"]  # rounded troops; the per-km figure is from exact
        assert row["troops_placed_per_km"] == pytest.approx(placed / line_km, abs=0.051)
    # option 1 EUR+: 40,000 on 1,274 km is ~31 troops per km, 1/28.8 of Korea in 1954
    one = rows[0]
    assert one["troops_per_km"] == pytest.approx(31.4, abs=0.05)
    assert one["korea_1954_troops_per_km"] / one["troops_per_km"] > 28
    # even sustained (x4) option 3 EUR+ stays below the inner-German border's lower end
    assert rows[4]["sustained_troops_per_km"] < rows[4]["inner_german_troops_per_km_min"]


def test_fits_proposals(rows: list[dict]) -> None:
    for row in rows[:8]:
        troops = TROOPS_MAX[(row["option"], row["variant"])]
        expected = [name for name, figure in PROPOSALS.items() if figure >= troops]
        assert row["fits_proposals"] == expected, row["name"]
    assert "UK-France reassurance force" not in rows[0]["fits_proposals"]  # 40,000 > 30,000
    assert rows[4]["fits_proposals"][0] == "President Trump"  # 96,000 <= 100,000
    assert len(rows[6]["fits_proposals"]) == 7  # option 4 EUR+: 16,000


def test_csv_and_markdown_carry_them(plans: list[Plan], rows: list[dict]) -> None:
    frame = table(plans)
    back = pd.read_csv(io.StringIO(format_table(frame, "csv")))
    for key in ("troops_per_km", "sustained_troops_per_km", "korea_1954_troops_per_km"):
        assert back[key].tolist() == [r[key] for r in rows]
    assert [text.split("; ") for text in back["fits_proposals"]] == [
        r["fits_proposals"] for r in rows
    ]
    md = format_table(frame, "md")
    line = next(x for x in md.splitlines() if x.startswith("| troops per km of the line (notes)"))
    assert line.split("|")[2].strip() == f"{rows[0]['troops_per_km']:.1f}"
    assert "| yardstick: Korea 1954, troops per km | 903.6 |" in md
    proposals = next(x for x in md.splitlines() if x.startswith("| proposals at least"))
    assert "6 of 7: Ukrainian officials (50,000) and larger" in proposals.split("|")[2]


def test_compare_json_on_the_command_line(run_cli: Callable) -> None:
    result = run_cli("compare", "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    keys = {"troops_per_km", "sustained_troops_per_km", "fits_proposals", "kosovo_peak_troops"}
    assert keys <= set(rows[0])
    assert isinstance(rows[0]["fits_proposals"], list)
