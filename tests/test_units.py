"""The unit catalogue and the notes' force arithmetic (figures from ../shared/DOMAIN.md)."""

from __future__ import annotations

import milsymbol
import pytest

from geo.errors import InputError
from planner.forces import (
    Availability,
    Forces,
    brigades_for,
    count_forces,
    sustain,
    validate_rotation,
)
from planner.units import UNIT_TYPES, UnitType, default_sidc, get_unit_type

# id -> (echelon, SIDC typed from MIL-STD-2525D: friend land unit, echelon 16/18, entity)
EXPECTED = {
    "light-battalion": ("battalion", "10031000161211000000"),  # infantry battalion
    "heavy-battalion": ("battalion", "10031000161205000000"),  # armour battalion
    "heavy-brigade": ("brigade", "10031000181205000000"),  # armour brigade
}


@pytest.mark.parametrize("unit_id", sorted(EXPECTED))
def test_catalogue_types(unit_id: str) -> None:
    unit = get_unit_type(unit_id)
    echelon, sidc = EXPECTED[unit_id]
    assert unit.id == unit_id
    assert unit.echelon == echelon
    assert unit.sidc == sidc
    assert unit.troops == 4_000  # the notes: 96,000 troops / 24 brigades
    assert unit.rationale and unit.label


@pytest.mark.parametrize("unit_id", sorted(EXPECTED))
def test_sidc_is_valid_for_milsymbol(unit_id: str) -> None:
    # milsymbol draws codes it does not understand as a red "?": they must be valid
    assert milsymbol.Symbol(UNIT_TYPES[unit_id].sidc).is_valid()


@pytest.mark.parametrize("echelon", ["battalion", "brigade"])
def test_default_sidc_is_valid(echelon: str) -> None:
    sidc = default_sidc(echelon)
    assert len(sidc) == 20
    assert sidc[8:10] == {"battalion": "16", "brigade": "18"}[echelon]
    assert milsymbol.Symbol(sidc).is_valid()


def test_default_radius_and_standoff_follow_the_rationale() -> None:
    # A tripwire battalion watching 50 km of line covers 25 km each way, 10 km behind it;
    # a response brigade 30 km behind the line reaches 100 km.
    for unit_id in ("light-battalion", "heavy-battalion"):
        assert (UNIT_TYPES[unit_id].radius_km, UNIT_TYPES[unit_id].standoff_km) == (25, 10)
    assert (UNIT_TYPES["heavy-brigade"].radius_km, UNIT_TYPES["heavy-brigade"].standoff_km) == (
        100,
        30,
    )


def test_unknown_unit_type_lists_the_known() -> None:
    with pytest.raises(InputError, match="unknown unit type 'tank'.*heavy-brigade"):
        get_unit_type("tank")


GOOD = dict(
    id="recce",
    label="Recce",
    echelon="battalion",
    troops=4000,
    sidc="10031000160000000000",
    radius_km=40.0,
    standoff_km=5.0,
)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"id": "Recce Bn"}, "not valid"),
        ({"echelon": "company"}, "echelon 'company'"),
        ({"troops": 0}, "troops 0"),
        ({"troops": 1.5}, "troops 1.5"),
        ({"sidc": "SFGPUCI----D"}, "20-digit"),
        ({"sidc": "10031000181211000000"}, "echelon digits 18; expected 16"),
        ({"radius_km": 0}, "radius_km 0"),
        ({"radius_km": float("nan")}, "radius_km nan"),
        ({"standoff_km": -1}, "standoff_km -1"),
        ({"standoff_km": True}, "standoff_km True"),
    ],
)
def test_bad_unit_type(change: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        UnitType(**{**GOOD, **change})


# The notes: three battalions make a brigade; with support 24 battalions = 8-10 brigades.
@pytest.mark.parametrize(
    ("units", "echelon", "expected"),
    [
        (24, "battalion", (8, 10)),
        (12, "battalion", (4, 5)),
        (24, "brigade", (24, 24)),
        (12, "brigade", (12, 12)),
        (4, "brigade", (4, 4)),
        (0, "battalion", (0, 0)),
        (1, "battalion", (1, 1)),  # a lone battalion still needs a brigade's support
    ],
)
def test_brigades_for(units: int, echelon: str, expected: tuple[int, int]) -> None:
    assert brigades_for(units, echelon) == expected


@pytest.mark.parametrize(
    ("unit_id", "units", "troops"),
    [
        ("light-battalion", 24, (32_000, 40_000)),
        ("light-battalion", 12, (16_000, 20_000)),
        ("heavy-battalion", 24, (32_000, 40_000)),
        ("heavy-brigade", 24, (96_000, 96_000)),
        ("heavy-brigade", 12, (48_000, 48_000)),
        ("heavy-brigade", 4, (16_000, 16_000)),
    ],
)
def test_troops_are_brigades_times_4000(unit_id: str, units: int, troops: tuple[int, int]) -> None:
    forces = count_forces([(UNIT_TYPES[unit_id], units)])
    assert (forces.troops_min, forces.troops_max) == troops
    # never a per-battalion figure rounded up (24 x 1,667 = 40,008)
    assert forces.troops_max % 4_000 == 0


def test_same_type_pools_before_counting_brigades() -> None:
    light = UNIT_TYPES["light-battalion"]
    split = count_forces([(light, 13), (light, 11)])
    assert (split.brigades_min, split.brigades_max) == (8, 10)
    mixed = count_forces([(light, 12), (UNIT_TYPES["heavy-brigade"], 4)])
    assert mixed == Forces(
        units=16, brigades_min=8, brigades_max=9, troops_min=32_000, troops_max=36_000
    )


def test_sustain_hand_calculation() -> None:
    forces = Forces(units=24, brigades_min=8, brigades_max=10, troops_min=32_000, troops_max=40_000)
    s4 = sustain(forces, rotation=4)
    assert (s4.sustained_troops_min, s4.sustained_troops_max) == (128_000, 160_000)
    assert s4.fits_availability  # 160,000 <= 300,000
    assert s4.fits_brigades  # 10 x 4 = 40 <= 41
    s3 = sustain(forces, rotation=3)
    assert (s3.sustained_troops_min, s3.sustained_troops_max) == (96_000, 120_000)
    tight = sustain(forces, rotation=4, availability=Availability(troops_max=150_000))
    assert not tight.fits_availability
    s5 = sustain(forces, rotation=5)  # 10 x 5 = 50 > 41
    assert not s5.fits_brigades


@pytest.mark.parametrize("rotation", [0, 7, -4, 2.5, True, "4"])
def test_bad_rotation(rotation: object) -> None:
    with pytest.raises(InputError, match="rotation"):
        validate_rotation(rotation)


@pytest.mark.parametrize("change", [{"troops_max": 0}, {"brigades_deployable": -1}])
def test_bad_availability(change: dict) -> None:
    with pytest.raises(InputError, match="availability"):
        Availability(**change)
