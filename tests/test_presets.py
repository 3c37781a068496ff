"""The eight presets reproduce the notes' options table (figures typed from DOMAIN.md)."""

from __future__ import annotations

import pytest

from geo.errors import InputError
from planner.forces import sustain
from planner.presets import PRESETS, get_preset

# (option, variant): (unit type, units, brigades min, max, troops min, max), from the table in
# ../shared/DOMAIN.md; 4 / ua-supported: Ukrainian heavy brigades as back-up, no European units.
TABLE = {
    (1, "eur-plus"): ("light-battalion", 24, 8, 10, 32_000, 40_000),
    (1, "ua-supported"): ("light-battalion", 12, 4, 5, 16_000, 20_000),
    (2, "eur-plus"): ("heavy-battalion", 24, 8, 10, 32_000, 40_000),
    (2, "ua-supported"): ("heavy-battalion", 12, 4, 5, 16_000, 20_000),
    (3, "eur-plus"): ("heavy-brigade", 24, 24, 24, 96_000, 96_000),
    (3, "ua-supported"): ("heavy-brigade", 12, 12, 12, 48_000, 48_000),
    (4, "eur-plus"): ("heavy-brigade", 4, 4, 4, 16_000, 16_000),
    (4, "ua-supported"): (None, 0, 0, 0, 0, 0),
}

# (option, variant): (spacing km: the notes' "every 50 km" / "every 100 km", or None)
SPACING = {
    (1, "eur-plus"): 50,
    (1, "ua-supported"): 100,
    (2, "eur-plus"): 50,
    (2, "ua-supported"): 100,
    (3, "eur-plus"): 50,
    (3, "ua-supported"): 100,
    (4, "eur-plus"): None,
    (4, "ua-supported"): None,
}


def test_eight_presets_then_the_reassurance_force() -> None:
    eight = [(o, v) for o in (1, 2, 3, 4) for v in ("eur-plus", "ua-supported")]
    assert list(PRESETS)[:8] == eight and sorted(eight) == sorted(TABLE)
    assert list(PRESETS)[8] == (0, "reassurance") and len(PRESETS) == 9


@pytest.mark.parametrize("cell", sorted(TABLE))
def test_preset_reproduces_the_table(cell: tuple[int, str]) -> None:
    unit, units, brigades_min, brigades_max, troops_min, troops_max = TABLE[cell]
    preset = PRESETS[cell]
    assert (preset.option, preset.variant) == cell
    assert preset.nominal is not None
    assert preset.nominal.units == units
    assert (preset.nominal.brigades_min, preset.nominal.brigades_max) == (
        brigades_min,
        brigades_max,
    )
    assert (preset.nominal.troops_min, preset.nominal.troops_max) == (troops_min, troops_max)
    assert [d.unit for d in preset.deployments] == ([unit] if unit else [])
    assert preset.rotation == 4


@pytest.mark.parametrize("cell", sorted(TABLE))
def test_preset_placement_rule(cell: tuple[int, str]) -> None:
    preset = PRESETS[cell]
    if cell == (4, "eur-plus"):
        (deployment,) = preset.deployments
        assert (deployment.along, deployment.count) == ("points", 1)
    elif cell == (4, "ua-supported"):
        assert preset.deployments == ()
    else:
        (deployment,) = preset.deployments
        assert (deployment.along, deployment.spacing_km) == ("line", SPACING[cell])
        assert deployment.offset_km is None  # first unit at spacing / 2
        assert deployment.all_parts  # every part of the line by default


# Sustained = troops x rotation; fits: sustained max <= 300,000 and brigades max x rotation <= 41.
SUSTAINED_X4 = {
    (1, "eur-plus"): (128_000, 160_000, True, True),  # 10 x 4 = 40
    (1, "ua-supported"): (64_000, 80_000, True, True),
    (2, "eur-plus"): (128_000, 160_000, True, True),
    (2, "ua-supported"): (64_000, 80_000, True, True),
    (3, "eur-plus"): (384_000, 384_000, False, False),  # 24 x 4 = 96
    (3, "ua-supported"): (192_000, 192_000, True, False),  # 12 x 4 = 48
    (4, "eur-plus"): (64_000, 64_000, True, True),
    (4, "ua-supported"): (0, 0, True, True),
}


@pytest.mark.parametrize("cell", sorted(SUSTAINED_X4))
def test_preset_sustained_demand(cell: tuple[int, str]) -> None:
    preset = PRESETS[cell]
    assert preset.nominal is not None
    s = sustain(preset.nominal, rotation=4)
    expected = SUSTAINED_X4[cell]
    assert (s.sustained_troops_min, s.sustained_troops_max) == expected[:2]
    assert (s.fits_availability, s.fits_brigades) == expected[2:]


def test_rotation_three_option_3_ua() -> None:
    preset = get_preset(3, "ua-supported")
    assert preset.nominal is not None
    s = sustain(preset.nominal, rotation=3)
    assert s.sustained_troops_max == 144_000
    assert s.fits_brigades  # 12 x 3 = 36 <= 41


@pytest.mark.parametrize(
    ("option", "variant", "match"),
    [
        (5, "eur-plus", "unknown option 5"),
        (0, "eur-plus", "option 0 .*has no variant 'eur-plus'"),
        (6, None, "unknown option 6"),
        (1, "eur", "unknown variant 'eur'"),
        (1, None, "unknown variant None"),
    ],
)
def test_unknown_option_or_variant(option: object, variant: object, match: str) -> None:
    with pytest.raises(InputError, match=match):
        get_preset(option, variant)
