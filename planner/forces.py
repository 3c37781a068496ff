"""Force arithmetic: units to brigades to troops, times rotation, against what Europe has.

The notes' planning factors (``../shared/DOMAIN.md``):

- a brigade is about 4,000 troops (96,000 for 24 brigades);
- three battalions make a brigade, and with support 24 battalions are 8-10 brigades, so
  battalions count as ``ceil(n / 3)`` to ``ceil(n / 3 x 10 / 8)`` brigades and their troops
  are brigades x 4,000 (24 -> 8-10 -> 32,000-40,000; 12 -> 4-5 -> 16,000-20,000), never a
  per-battalion figure rounded up;
- rotation: every deployed unit needs 3 or 4 in the cycle (x4 usual, x3 if need be), so the
  sustained demand is the deployed force times the rotation factor;
- available to Europe including rotation: from under 50,000 to under 300,000 troops;
  European NATO has 82 brigades, about half (41) deployable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.errors import InputError
from planner.units import UnitType

__all__ = [
    "AVAILABLE_TROOPS_MAX",
    "AVAILABLE_TROOPS_MIN",
    "BATTALIONS_PER_BRIGADE",
    "BRIGADES_DEPLOYABLE",
    "BRIGADES_TOTAL",
    "ROTATION_DEFAULT",
    "ROTATION_RANGE",
    "Availability",
    "Forces",
    "Sustainment",
    "brigades_for",
    "count_forces",
    "sustain",
    "validate_rotation",
]

BATTALIONS_PER_BRIGADE = 3
#: 24 battalions = 8 brigades, 10 with support: the upper count is the lower x 10 / 8.
_SUPPORT_NUM, _SUPPORT_DEN = 10, 8

ROTATION_DEFAULT = 4
#: Rotation factors accepted: 1 (no rotation, a one-off surge) to 6 (a thin force).
ROTATION_RANGE = (1, 6)

AVAILABLE_TROOPS_MIN = 50_000
AVAILABLE_TROOPS_MAX = 300_000
BRIGADES_TOTAL = 82
BRIGADES_DEPLOYABLE = 41


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def validate_rotation(rotation: object) -> int:
    """Return ``rotation`` if it is a whole number in :data:`ROTATION_RANGE`.

    Raises
    ------
    InputError
        Otherwise, saying what is expected.
    """
    low, high = ROTATION_RANGE
    if isinstance(rotation, bool) or not isinstance(rotation, int) or not low <= rotation <= high:
        raise InputError(
            f"rotation is {rotation!r}; expected a whole number from {low} to {high} "
            "(4 is usual, 3 if need be)"
        )
    return rotation


def brigades_for(units: int, echelon: str) -> tuple[int, int]:
    """Brigades that ``units`` units of ``echelon`` count as: (without, with support).

    Examples
    --------
    >>> brigades_for(24, "battalion"), brigades_for(12, "battalion"), brigades_for(24, "brigade")
    ((8, 10), (4, 5), (24, 24))
    """
    if echelon == "brigade":
        return units, units
    low = _ceil_div(units, BATTALIONS_PER_BRIGADE)
    return low, _ceil_div(units * _SUPPORT_NUM, BATTALIONS_PER_BRIGADE * _SUPPORT_DEN)


@dataclass(frozen=True, kw_only=True)
class Availability:
    """What Europe can provide, rotation included.

    Parameters
    ----------
    troops_max : int
        Upper bound of sustained troops (the notes: under 300,000).
    brigades_deployable : int
        Deployable brigades (the notes: about half of 82, i.e. 41).
    """

    troops_max: int = AVAILABLE_TROOPS_MAX
    brigades_deployable: int = BRIGADES_DEPLOYABLE

    def __post_init__(self) -> None:
        for name in ("troops_max", "brigades_deployable"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InputError(
                    f"availability {name} is {value!r}; expected a positive whole number"
                )


@dataclass(frozen=True, kw_only=True)
class Forces:
    """A deployed force counted the notes' way: units, brigades (range), troops (range)."""

    units: int = 0
    brigades_min: int = 0
    brigades_max: int = 0
    troops_min: int = 0
    troops_max: int = 0


def count_forces(counts: Iterable[tuple[UnitType, int]]) -> Forces:
    """Count a force from (unit type, number of units) pairs.

    Units of the same type are pooled before they are counted as brigades (13 + 11 light
    battalions are 24, i.e. 8-10 brigades); different types never share a brigade.

    Examples
    --------
    >>> from planner.units import UNIT_TYPES
    >>> count_forces([(UNIT_TYPES["light-battalion"], 24)])
    Forces(units=24, brigades_min=8, brigades_max=10, troops_min=32000, troops_max=40000)
    """
    pooled: dict[str, tuple[UnitType, int]] = {}
    for unit, n in counts:
        pooled[unit.id] = (unit, pooled.get(unit.id, (unit, 0))[1] + n)
    units = brigades_min = brigades_max = troops_min = troops_max = 0
    for unit, n in pooled.values():
        low, high = brigades_for(n, unit.echelon)
        units += n
        brigades_min += low
        brigades_max += high
        troops_min += low * unit.troops
        troops_max += high * unit.troops
    return Forces(
        units=units,
        brigades_min=brigades_min,
        brigades_max=brigades_max,
        troops_min=troops_min,
        troops_max=troops_max,
    )


@dataclass(frozen=True, kw_only=True)
class Sustainment:
    """A force times rotation, set against availability."""

    rotation_factor: int
    sustained_troops_min: int
    sustained_troops_max: int
    sustained_brigades_max: int
    fits_availability: bool
    fits_brigades: bool


def sustain(
    forces: Forces, *, rotation: int = ROTATION_DEFAULT, availability: Availability | None = None
) -> Sustainment:
    """Sustained demand of ``forces`` under ``rotation`` and whether it fits ``availability``.

    ``fits_availability``: sustained troops (upper figure) <= ``troops_max``;
    ``fits_brigades``: brigades (upper figure) x rotation <= ``brigades_deployable``.

    Examples
    --------
    >>> s = sustain(Forces(units=24, brigades_min=8, brigades_max=10, troops_min=32000,
    ...                    troops_max=40000), rotation=4)
    >>> s.sustained_troops_max, s.fits_availability, s.fits_brigades
    (160000, True, True)
    """
    rotation = validate_rotation(rotation)
    availability = availability or Availability()
    brigades = forces.brigades_max * rotation
    troops_max = forces.troops_max * rotation
    return Sustainment(
        rotation_factor=rotation,
        sustained_troops_min=forces.troops_min * rotation,
        sustained_troops_max=troops_max,
        sustained_brigades_max=brigades,
        fits_availability=troops_max <= availability.troops_max,
        fits_brigades=brigades <= availability.brigades_deployable,
    )
