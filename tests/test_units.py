"""The unit catalogue and the notes' force arithmetic (figures from ../shared/DOMAIN.md)."""

from __future__ import annotations

from fractions import Fraction

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
from planner.rounding import troops_out
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


# The notes: three battalions make a brigade; with support 24 battalions = 8-10 brigades,
# so a battalion is 1/3 to 1/2.4 of a brigade, linearly (issue 10).
@pytest.mark.parametrize(
    ("units", "echelon", "expected"),
    [
        (24, "battalion", (8, 10)),
        (12, "battalion", (4, 5)),
        (24, "brigade", (24, 24)),
        (12, "brigade", (12, 12)),
        (4, "brigade", (4, 4)),
        (0, "battalion", (0, 0)),
        (1, "battalion", (Fraction(1, 3), Fraction(10, 24))),
        (3, "battalion", (1, Fraction(5, 4))),
        (23, "battalion", (Fraction(23, 3), Fraction(230, 24))),
    ],
)
def test_brigades_for(units: int, echelon: str, expected: tuple[Fraction, Fraction]) -> None:
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
        # issue 10, typed from its text: 23 placed -> 30,667-38,333; 3 -> 4,000-5,000
        ("light-battalion", 23, (30_667, 38_333)),
        ("heavy-battalion", 3, (4_000, 5_000)),
        ("light-battalion", 1, (1_333, 1_667)),
    ],
)
def test_troops_are_linear_in_battalions(unit_id: str, units: int, troops: tuple[int, int]) -> None:
    forces = count_forces([(UNIT_TYPES[unit_id], units)])
    assert (troops_out(forces.troops_min), troops_out(forces.troops_max)) == troops
    # exact inside: 24 x 1,667 would be 40,008, the exact share gives the notes' 40,000
    if units == 24 and UNIT_TYPES[unit_id].echelon == "battalion":
        assert forces.troops_max == 40_000


def test_troops_by_hand_from_the_factors() -> None:
    """4,000 / 3 and 4,000 / 2.4 per battalion, for every count from 0 to 60."""
    light = UNIT_TYPES["light-battalion"]
    for n in range(61):
        forces = count_forces([(light, n)])
        assert abs(float(forces.troops_min) - n * 4000 / 3) < 1e-6
        assert abs(float(forces.troops_max) - n * 4000 / 2.4) < 1e-6
        assert abs(float(forces.brigades_max) - n / 2.4) < 1e-9


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
    assert not s4.fits_availability_low  # 160,000 > 50,000
    assert not s3.fits_availability_low  # 120,000 > 50,000
    tight = sustain(forces, rotation=4, availability=Availability(troops_max=150_000))
    assert not tight.fits_availability
    s5 = sustain(forces, rotation=5)  # 10 x 5 = 50 > 41
    assert not s5.fits_brigades


@pytest.mark.parametrize("rotation", [0, 7, -4, 2.5, True, "4"])
def test_bad_rotation(rotation: object) -> None:
    with pytest.raises(InputError, match="rotation"):
        validate_rotation(rotation)


def test_both_ends_of_availability() -> None:
    # the notes: from under 50,000 up to under 300,000 troops including rotation
    assert (Availability().troops_min, Availability().troops_max) == (50_000, 300_000)
    four = Forces(units=4, brigades_min=4, brigades_max=4, troops_min=16_000, troops_max=16_000)
    s3 = sustain(four, rotation=3)  # 48,000: under both ends
    assert s3.fits_availability_low and s3.fits_availability
    assert "both ends" in s3.fits_text()
    s4 = sustain(four, rotation=4)  # 64,000: the upper end only
    assert s4.fits_availability and not s4.fits_availability_low
    assert "upper end" in s4.fits_text() and "not the lower" in s4.fits_text()
    wide = sustain(four, rotation=4, availability=Availability(troops_min=64_000))
    assert wide.fits_availability_low  # at the figure counts as fitting, as the upper end


@pytest.mark.parametrize(
    "change",
    [{"troops_max": 0}, {"brigades_deployable": -1}, {"troops_min": 0}, {"troops_min": 2.5}],
)
def test_bad_availability(change: dict) -> None:
    with pytest.raises(InputError, match="availability"):
        Availability(**change)


def test_availability_ends_in_order() -> None:
    with pytest.raises(InputError, match="troops_min .* more than troops_max"):
        Availability(troops_min=400_000)
