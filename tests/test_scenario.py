"""Scenario files: the format of the issue, user unit types, and errors naming key and line."""

from __future__ import annotations

from pathlib import Path

import milsymbol
import pytest

from geo.errors import InputError
from planner.forces import Availability
from planner.presets import get_preset
from planner.scenario import Deployment, Scenario, load_scenario, parse_scenario

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

ISSUE_EXAMPLE = """\
name = "Northern tripwire"
rotation = 4
[[deployment]]
name = "Kharkiv screen"        # shown on maps and in tables
unit = "light-battalion"
along = "line"                 # or "points" (then `count` per point, `radius_km` ring)
spacing_km = 50
standoff_km = 10
radius_km = 25
"""


def test_issue_example() -> None:
    scenario = parse_scenario(ISSUE_EXAMPLE, source="x.toml")
    assert scenario.name == "Northern tripwire"
    assert scenario.rotation == 4
    assert scenario.option is None and scenario.nominal is None
    assert scenario.deployments == (
        Deployment(
            name="Kharkiv screen",
            unit="light-battalion",
            along="line",
            spacing_km=50,
            standoff_km=10,
            radius_km=25,
        ),
    )
    assert scenario.availability == Availability(
        troops_min=50_000, troops_max=300_000, brigades_deployable=41
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_examples_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.deployments
    assert scenario.source == str(path)


def test_example_names() -> None:
    names = {p.name for p in EXAMPLES.glob("*.toml")}
    assert {"northern_tripwire.toml", "recce_and_response.toml"} <= names


def test_custom_unit_and_points_example() -> None:
    scenario = load_scenario(EXAMPLES / "recce_and_response.toml")
    recce = scenario.unit_types["recce-battalion"]
    assert (recce.echelon, recce.troops, recce.radius_km, recce.standoff_km) == (
        "battalion",
        4000,
        40,
        8,
    )
    assert milsymbol.Symbol(recce.sidc).is_valid()
    assert (recce.notice_h, recce.road_kmh, scenario.response_target_h) == (0.5, 60.0, 4.0)
    brigade = scenario.unit_types["heavy-brigade"]
    assert (brigade.standoff_km, brigade.radius_km, brigade.echelon) == (40, 100, "brigade")
    line, points = scenario.deployments
    assert (line.along, line.spacing_km, line.all_parts) == ("line", 80, True)
    assert (points.along, points.count, points.ring_km) == ("points", 2, 80)
    assert scenario.rotation == 3
    assert scenario.availability == Availability(troops_max=200_000, brigades_deployable=30)


def test_new_unit_gets_a_plain_frame_sidc() -> None:
    scenario = parse_scenario(
        '[units.guard]\nechelon = "brigade"\n'
        + "radius_km = 60\nstandoff_km = 20\n"
        + '[[deployment]]\nunit = "guard"\nspacing_km = 120\n'
    )
    guard = scenario.unit_types["guard"]
    assert guard.sidc == "10031000180000000000"
    assert guard.label == "guard"
    assert milsymbol.Symbol(guard.sidc).is_valid()


def _error(text: str, tmp_path: Path) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert str(path) in message
    return message


GOOD_DEPLOYMENT = '[[deployment]]\nunit = "light-battalion"\nspacing_km = 50\n'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # typo in the second deployment: line 9 is "spacing = 50"
        (
            'name = "x"\n\n' + GOOD_DEPLOYMENT + '\n[[deployment]]\nunit = "heavy-brigade"\n'
            "spacing = 50\n",
            9,
            ["unknown key 'spacing'", "did you mean 'spacing_km'", "[[deployment]] #2"],
        ),
        # wrong type
        (GOOD_DEPLOYMENT + 'radius_km = "25"\n', 4, ["'radius_km' is '25'", "positive number"]),
        (GOOD_DEPLOYMENT + "standoff_km = -3\n", 4, ["'standoff_km' is -3", ">= 0"]),
        (GOOD_DEPLOYMENT + "radius_km = nan\n", 4, ["'radius_km' is nan"]),
        (GOOD_DEPLOYMENT + "all_parts = 1\n", 4, ["'all_parts' is 1", "true or false"]),
        (GOOD_DEPLOYMENT.replace("50", "0"), 3, ["'spacing_km' is 0"]),
        # top level
        ('name = "x"\nrotaton = 3\n' + GOOD_DEPLOYMENT, 2, ["unknown key 'rotaton'", "'rotation'"]),
        ("rotation = 9\n" + GOOD_DEPLOYMENT, 1, ["'rotation' is 9", "1 to 6"]),
        ("rotation = 3.5\n" + GOOD_DEPLOYMENT, 1, ["'rotation' is 3.5"]),
        ("name = 4\n" + GOOD_DEPLOYMENT, 1, ["'name' is 4"]),
        # unknown unit
        (GOOD_DEPLOYMENT.replace("light-battalion", "light-batalion"), 2, ["unknown unit type"]),
        # keys that do not go with `along`
        (GOOD_DEPLOYMENT + "count = 2\n", 4, ["'count' is for along = \"points\""]),
        (
            '[[deployment]]\nunit = "heavy-brigade"\nalong = "points"\nspacing_km = 50\n',
            4,
            ["'spacing_km' is for along = \"line\""],
        ),
        ('[[deployment]]\nunit = "heavy-brigade"\nalong = "circle"\n', 3, ["'along' is 'circle'"]),
        ('[[deployment]]\nunit = "heavy-brigade"\n', 1, ["needs 'spacing_km'"]),
        ("[[deployment]]\nspacing_km = 50\n", 1, ["'unit' is missing"]),
        # unit types
        (
            "[units.recce]\nlabel = 'Recce'\nradius_km = 30\n" + GOOD_DEPLOYMENT,
            1,
            ["[units.recce]", "needs echelon, standoff_km"],
        ),
        (
            "[units.light-battalion]\n\nradius = 30\n" + GOOD_DEPLOYMENT,
            3,
            ["unknown key 'radius'", "'radius_km'"],
        ),
        (
            '[units.light-battalion]\nsidc = "10031000181211000000"\n' + GOOD_DEPLOYMENT,
            2,
            ["echelon digits 18"],
        ),
        ("[units.light-battalion]\ntroops = 4000.0\n" + GOOD_DEPLOYMENT, 2, ["'troops' is 4000.0"]),
        ("[units.light-battalion]\nnotice_h = -1\n" + GOOD_DEPLOYMENT, 2, ["'notice_h' is -1"]),
        ("[units.heavy-brigade]\nroad_kmh = 0\n" + GOOD_DEPLOYMENT, 2, ["'road_kmh' is 0"]),
        ("[units.heavy-brigade]\nroad_kmh = 500\n" + GOOD_DEPLOYMENT, 2, ["road_kmh 500"]),
        # response target
        ("response_target_h = 0\n" + GOOD_DEPLOYMENT, 1, ["'response_target_h' is 0"]),
        ('response_target_h = "6"\n' + GOOD_DEPLOYMENT, 1, ["'response_target_h' is '6'"]),
        # availability
        (GOOD_DEPLOYMENT + "[availability]\ntroops = 1\n", 5, ["unknown key 'troops'"]),
        (GOOD_DEPLOYMENT + "[availability]\nbrigades_deployable = 0\n", 5, ["is 0"]),
        (GOOD_DEPLOYMENT + "[availability]\ntroops_min = 4e4\n", 5, ["'troops_min' is 40000.0"]),
        (
            GOOD_DEPLOYMENT + "[availability]\ntroops_max = 100000\ntroops_min = 150000\n",
            6,
            ["troops_min (150,000) is more than troops_max (100,000)"],
        ),
    ],
)
def test_bad_scenario_names_key_and_line(
    text: str, line: int, words: list[str], tmp_path: Path
) -> None:
    message = _error(text, tmp_path)
    assert f"line {line}:" in message
    for word in words:
        assert word in message


def test_not_toml(tmp_path: Path) -> None:
    message = _error('name = "x\n', tmp_path)
    assert "not valid TOML" in message and "line 1" in message


def test_no_deployment(tmp_path: Path) -> None:
    assert "no [[deployment]]" in _error('name = "x"\n', tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_scenario(tmp_path / "nope.toml")


def test_deployment_checks_in_python() -> None:
    with pytest.raises(InputError, match="'spacing_km' is -5"):
        Deployment(unit="light-battalion", spacing_km=-5)
    with pytest.raises(InputError, match="needs 'spacing_km'"):
        Deployment(unit="light-battalion")
    with pytest.raises(InputError, match="unknown unit type"):
        Scenario(name="x", deployments=(Deployment(unit="tank", spacing_km=50),))


def test_overrides() -> None:
    preset = get_preset(1, "eur-plus")
    changed = preset.with_overrides(spacing_km=80, radius_km=40, unit="heavy-battalion", rotation=3)
    (deployment,) = changed.deployments
    assert (deployment.spacing_km, deployment.radius_km, deployment.unit) == (
        80,
        40,
        "heavy-battalion",
    )
    assert changed.rotation == 3
    assert changed.nominal == preset.nominal  # the notes' figures stay the notes'
    assert preset.deployments[0].spacing_km == 50  # presets are not changed


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        # the API names its parameters; the command line its flags (tests/test_cli_plan.py)
        ({"spacing_km": 0.0}, "^spacing_km is 0.0; expected a positive"),
        ({"radius_km": float("nan")}, "^radius_km"),
        ({"standoff_km": -1.0}, "^standoff_km"),
        ({"unit": "tank"}, "unknown unit type 'tank'"),
        ({"rotation": 0}, "rotation is 0"),
    ],
)
def test_bad_overrides(overrides: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        get_preset(1, "eur-plus").with_overrides(**overrides)


def test_spacing_does_not_apply_to_points() -> None:
    with pytest.raises(InputError, match="does not apply"):
        get_preset(4, "eur-plus").with_overrides(spacing_km=50)


def test_availability_lower_end_key() -> None:
    scenario = parse_scenario(GOOD_DEPLOYMENT + "[availability]\ntroops_min = 40000\n")
    assert scenario.availability == Availability(troops_min=40_000, troops_max=300_000)


def test_response_keys() -> None:
    scenario = parse_scenario(
        "response_target_h = 4.5\n"
        "[units.recce]\nechelon = 'battalion'\nradius_km = 40\nstandoff_km = 5\n"
        "notice_h = 0.5\nroad_kmh = 70\n"
        "[units.scouts]\nechelon = 'brigade'\nradius_km = 40\nstandoff_km = 5\n"
        "[units.heavy-brigade]\nnotice_h = 4\n" + GOOD_DEPLOYMENT
    )
    assert scenario.response_target_h == 4.5
    types = scenario.unit_types
    assert (types["recce"].notice_h, types["recce"].road_kmh) == (0.5, 70.0)
    # a new type without them takes its echelon's: the built-in heavy brigade's 2 h, 30 km/h
    assert (types["scouts"].notice_h, types["scouts"].road_kmh) == (2.0, 30.0)
    # an override changes only what it gives
    assert (types["heavy-brigade"].notice_h, types["heavy-brigade"].road_kmh) == (4.0, 30.0)
    assert parse_scenario(GOOD_DEPLOYMENT).response_target_h == 6.0
    assert scenario.with_overrides(response_target_h=3).response_target_h == 3.0
    with pytest.raises(InputError, match="response target is -1"):
        scenario.with_overrides(response_target_h=-1)
