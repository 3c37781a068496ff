"""Force arithmetic: units to brigades to troops, times rotation, against what Europe has.

The notes' planning factors (``../shared/DOMAIN.md``):

- a brigade is about 4,000 troops (96,000 for 24 brigades);
- three battalions make a brigade, and with support 24 battalions are 8-10 brigades: a
  battalion with its share of brigade support is 1/3 to 1/2.4 of a brigade, i.e. 4,000 / 3 to
  4,000 / 2.4 troops (1,333-1,667). Troops scale linearly with the battalions: 24 -> 8-10
  brigades, 32,000-40,000; 12 -> 4-5, 16,000-20,000; 23 -> 7.67-9.58, 30,667-38,333;
  3 -> 1-1.25, 4,000-5,000. Brigades and troops are exact fractions here
  (:class:`fractions.Fraction`), rounded once at output (:mod:`planner.rounding`);
- rotation: every deployed unit needs 3 or 4 in the cycle (x4 usual, x3 if need be), so the
  sustained demand is the deployed force times the rotation factor;
- available to Europe including rotation: from under 50,000 to under 300,000 troops; both
  ends are checked (:attr:`Sustainment.fits_availability_low` and ``fits_availability``);
  European NATO has 82 brigades, about half (41) deployable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from geo.errors import InputError
from planner.units import UnitType

__all__ = [
    "AVAILABLE_TROOPS_MAX",
    "AVAILABLE_TROOPS_MIN",
    "BATTALIONS_PER_BRIGADE",
    "BATTALIONS_PER_BRIGADE_WITH_SUPPORT",
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

#: Three battalions make a brigade (24 battalions = 8 brigades): the lower count.
BATTALIONS_PER_BRIGADE = 3
#: With support 24 battalions are 10 brigades: 2.4 battalions a brigade, the upper count.
BATTALIONS_PER_BRIGADE_WITH_SUPPORT = Fraction(24, 10)

ROTATION_DEFAULT = 4
#: Rotation factors accepted: 1 (no rotation, a one-off surge) to 6 (a thin force).
ROTATION_RANGE = (1, 6)

AVAILABLE_TROOPS_MIN = 50_000
AVAILABLE_TROOPS_MAX = 300_000
BRIGADES_TOTAL = 82
BRIGADES_DEPLOYABLE = 41


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


def brigades_for(units: int, echelon: str) -> tuple[Fraction, Fraction]:
    """Brigades that ``units`` units of ``echelon`` count as: (without, with support), exact.

    A brigade counts one; a battalion 1/3 of a brigade without support, 1/2.4 with it.

    Examples
    --------
    >>> [tuple(map(str, brigades_for(n, "battalion"))) for n in (24, 12, 23, 3)]
    [('8', '10'), ('4', '5'), ('23/3', '115/12'), ('1', '5/4')]
    >>> brigades_for(24, "brigade")
    (Fraction(24, 1), Fraction(24, 1))
    """
    n = Fraction(units)
    if echelon == "brigade":
        return n, n
    return n / BATTALIONS_PER_BRIGADE, n / BATTALIONS_PER_BRIGADE_WITH_SUPPORT


@dataclass(frozen=True, kw_only=True)
class Availability:
    """What Europe can provide, rotation included.

    The notes give a range, "from under 50,000 up to under 300,000 troops including
    rotation": both ends are kept, and a plan is checked against each.

    Parameters
    ----------
    troops_min : int
        Lower end of sustained troops Europe can provide (the notes: under 50,000).
    troops_max : int
        Upper end of sustained troops (the notes: under 300,000).
    brigades_deployable : int
        Deployable brigades (the notes: about half of 82, i.e. 41).

    Raises
    ------
    InputError
        For a value that is not a positive whole number, or ``troops_min > troops_max``.
    """

    troops_min: int = AVAILABLE_TROOPS_MIN
    troops_max: int = AVAILABLE_TROOPS_MAX
    brigades_deployable: int = BRIGADES_DEPLOYABLE

    def __post_init__(self) -> None:
        for name in ("troops_min", "troops_max", "brigades_deployable"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InputError(
                    f"availability {name} is {value!r}; expected a positive whole number"
                )
        if self.troops_min > self.troops_max:
            raise InputError(
                f"availability troops_min ({self.troops_min:,}) is more than troops_max "
                f"({self.troops_max:,}); the lower end must not exceed the upper, e.g. "
                f"troops_min = {AVAILABLE_TROOPS_MIN} and troops_max = {AVAILABLE_TROOPS_MAX}"
            )


@dataclass(frozen=True, kw_only=True)
class Forces:
    """A deployed force counted the notes' way: units, brigades (range), troops (range).

    Brigades and troops are exact fractions (whole numbers are accepted and converted);
    round them for output with :mod:`planner.rounding`.
    """

    units: int = 0
    brigades_min: Fraction = Fraction(0)
    brigades_max: Fraction = Fraction(0)
    troops_min: Fraction = Fraction(0)
    troops_max: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        for name in ("brigades_min", "brigades_max", "troops_min", "troops_max"):
            object.__setattr__(self, name, Fraction(getattr(self, name)))


def count_forces(counts: Iterable[tuple[UnitType, int]]) -> Forces:
    """Count a force from (unit type, number of units) pairs.

    Each unit counts its share of a brigade (:func:`brigades_for`) of its type's troops, so
    totals scale linearly: 13 + 11 light battalions are 24, 8-10 brigades, like 24 at once.

    Examples
    --------
    >>> from planner.units import UNIT_TYPES
    >>> f = count_forces([(UNIT_TYPES["light-battalion"], 23)])
    >>> f.units, float(f.troops_min), float(f.troops_max)
    (23, 30666.666666666668, 38333.333333333336)
    """
    units = 0
    brigades_min = brigades_max = troops_min = troops_max = Fraction(0)
    for unit, n in counts:
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
    """A force times rotation, set against both ends of availability.

    Attributes
    ----------
    rotation_factor : int
    sustained_troops_min, sustained_troops_max : Fraction
        Deployed troops x rotation (exact).
    sustained_brigades_max : Fraction
        Brigades (upper figure) x rotation.
    fits_availability : bool
        Sustained troops (upper figure) <= the upper end of availability (300,000).
    fits_availability_low : bool
        Sustained troops (upper figure) <= the lower end of availability (50,000).
    fits_brigades : bool
        Sustained brigades (upper figure) <= deployable brigades (41).
    availability : Availability
        What it was checked against.
    """

    rotation_factor: int
    sustained_troops_min: Fraction
    sustained_troops_max: Fraction
    sustained_brigades_max: Fraction
    fits_availability: bool
    fits_availability_low: bool
    fits_brigades: bool
    availability: Availability = field(default_factory=Availability)

    def fits_text(self) -> str:
        """Which ends of availability the sustained force fits, in words.

        Examples
        --------
        >>> s = sustain(Forces(units=4, brigades_min=4, brigades_max=4, troops_min=16000,
        ...                    troops_max=16000), rotation=3)
        >>> s.fits_text()
        'fits both ends of availability (50,000 and 300,000)'
        """
        low, high = self.availability.troops_min, self.availability.troops_max
        ends = f"({low:,} and {high:,})"
        if self.fits_availability_low and self.fits_availability:
            return f"fits both ends of availability {ends}"
        if self.fits_availability:
            return f"fits the upper end of availability ({high:,}) only, not the lower ({low:,})"
        if self.fits_availability_low:  # only with a user's odd availability
            return f"fits the lower end of availability ({low:,}) only"
        return f"fits neither end of availability {ends}"


def sustain(
    forces: Forces, *, rotation: int = ROTATION_DEFAULT, availability: Availability | None = None
) -> Sustainment:
    """Sustained demand of ``forces`` under ``rotation`` and whether it fits ``availability``.

    ``fits_availability``: sustained troops (upper figure) <= ``troops_max``;
    ``fits_availability_low``: the same <= ``troops_min``;
    ``fits_brigades``: brigades (upper figure) x rotation <= ``brigades_deployable``.

    Examples
    --------
    >>> s = sustain(Forces(units=24, brigades_min=8, brigades_max=10, troops_min=32000,
    ...                    troops_max=40000), rotation=4)
    >>> int(s.sustained_troops_max), s.fits_availability, s.fits_availability_low, s.fits_brigades
    (160000, True, False, True)
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
        fits_availability_low=troops_max <= availability.troops_min,
        fits_brigades=brigades <= availability.brigades_deployable,
        availability=availability,
    )
