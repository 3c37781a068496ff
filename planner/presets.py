"""The eight cells of the notes' options table as ready-made scenarios.

Options 1-4, each in two variants: ``eur-plus`` (European units carry the line, one unit
every 50 km) and ``ua-supported`` (Ukrainian units carry most of it, one European unit every
100 km). Each preset carries the notes' own figures (:attr:`Scenario.nominal`): the unit
count the notes derive for a line of about 1,200 km, counted in brigades and troops the
notes' way (:func:`planner.forces.count_forces`). What placement on the loaded line gives is
measured separately by :func:`planner.plan.make_plan`; the two are never mixed.

============  ==============================  ====================================
option        eur-plus                        ua-supported
============  ==============================  ====================================
1             24 light bn, 8-10 bde,          12 light bn, 4-5 bde,
              32,000-40,000                   16,000-20,000
2             24 heavy bn, 8-10 bde,          12 heavy bn, 4-5 bde,
              32,000-40,000                   16,000-20,000
3             24 heavy bde, 96,000            12 heavy bde, 48,000
4             4 heavy bde at the 4 points,    Ukrainian heavy brigades as back-up:
              16,000                          no European units, 0
============  ==============================  ====================================

The ninth, option 0 (variant ``reassurance``), is the UK-France reassurance force the notes
set aside: about 30,000 troops, 7.5 brigades of 4,000, stationed at strategic locations in
the hinterland, away from the front (``../shared/DOMAIN.md``). It is placed as 8
brigade-sized units (``reassurance-brigade``) at the 8 sites of
:func:`layers.hinterland.default_sites`, each at least 100 km from the line, so the placed
force is 8 brigades, 32,000 troops, beside the notes' 30,000; rotation and availability are
reckoned the same way as for the eight.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from geo.errors import InputError
from planner.forces import Forces, count_forces
from planner.scenario import Deployment, Scenario
from planner.units import BRIGADE_TROOPS, UNIT_TYPES

__all__ = [
    "NOTES_LINE_KM",
    "REASSURANCE",
    "REASSURANCE_OPTION",
    "OPTIONS",
    "PRESETS",
    "VARIANTS",
    "VARIANT_LABELS",
    "get_preset",
]

#: Length of the line of contact the notes count with.
NOTES_LINE_KM = 1_200

VARIANTS = ("eur-plus", "ua-supported")
VARIANT_LABELS: Mapping[str, str] = MappingProxyType(
    {"eur-plus": "EUR+", "ua-supported": "UA-supported"}
)
OPTIONS = (1, 2, 3, 4)
#: The ninth option: the UK-France reassurance force, ``--option 0`` or ``--option reassurance``.
REASSURANCE_OPTION = 0
REASSURANCE = "reassurance"
#: The notes' figures of the reassurance force: about 30,000 troops = 7.5 brigades of 4,000.
_REASSURANCE_TROOPS = 30_000
_REASSURANCE_SITES = 8

_CONCEPTS = {
    1: "Information-driven monitoring along the whole zone; European battalions are a "
    "tripwire for Ukrainian forces.",
    2: "Light area-based deployment, limited enforcement; tripwire for option 3.",
    3: "Heavy area-based deployment; tripwire for large-scale intervention including the US.",
    4: "Information-driven counter-concentration at the four expected points; tripwire for "
    "options 2 or 3.",
}

# (option, variant) -> (unit type, along, spacing km, units the notes count, deployment name)
_TABLE: dict[tuple[int, str], tuple[str, str, float, int, str]] = {
    (1, "eur-plus"): ("light-battalion", "line", 50.0, 24, "Tripwire battalions"),
    (1, "ua-supported"): ("light-battalion", "line", 100.0, 12, "European battalions"),
    (2, "eur-plus"): ("heavy-battalion", "line", 50.0, 24, "Heavy battalions"),
    (2, "ua-supported"): ("heavy-battalion", "line", 100.0, 12, "Heavy battalions"),
    (3, "eur-plus"): ("heavy-brigade", "line", 50.0, 24, "Heavy brigades"),
    (3, "ua-supported"): ("heavy-brigade", "line", 100.0, 12, "Heavy brigades"),
    (4, "eur-plus"): ("heavy-brigade", "points", 0.0, 4, "Counter-concentration brigades"),
}


def _preset(option: int, variant: str) -> Scenario:
    name = f"Option {option} {VARIANT_LABELS[variant]}"
    if (option, variant) not in _TABLE:
        # 4 / ua-supported: Ukrainian heavy brigades are the back-up; no European units.
        return Scenario(
            name=name,
            deployments=(),
            option=option,
            variant=variant,
            nominal=count_forces([]),
            description=f"{_CONCEPTS[option]} Ukrainian heavy brigades as back-up; "
            "no European units.",
            source="preset",
        )
    unit, along, spacing_km, units_nominal, label = _TABLE[(option, variant)]
    if along == "line":
        deployment = Deployment(name=label, unit=unit, along="line", spacing_km=spacing_km)
        where = f"one {UNIT_TYPES[unit].label.lower()} every {spacing_km:g} km"
    else:
        deployment = Deployment(name=label, unit=unit, along="points", count=1)
        where = "one heavy brigade opposite each of Luhansk, Donetsk, Zaporizhzhia, Kherson"
    return Scenario(
        name=name,
        deployments=(deployment,),
        option=option,
        variant=variant,
        nominal=count_forces([(UNIT_TYPES[unit], units_nominal)]),
        description=f"{_CONCEPTS[option]} {where[0].upper()}{where[1:]}.",
        source="preset",
    )


def _reassurance() -> Scenario:
    brigades = Fraction(_REASSURANCE_TROOPS, BRIGADE_TROOPS)  # 7.5
    return Scenario(
        name="Option 0 Reassurance force",
        deployments=(
            Deployment(name="Reassurance brigades", unit="reassurance-brigade", along="sites"),
        ),
        option=REASSURANCE_OPTION,
        variant=REASSURANCE,
        nominal=Forces(
            units=_REASSURANCE_SITES,
            brigades_min=brigades,
            brigades_max=brigades,
            troops_min=Fraction(_REASSURANCE_TROOPS),
            troops_max=Fraction(_REASSURANCE_TROOPS),
        ),
        description="The UK-France reassurance force, left out of the notes' four options: no "
        "troops at the front, air policing for civil aviation and freedom of navigation in the "
        "Black Sea; about 30,000 troops (7.5 brigades of 4,000) at strategic locations in the "
        "hinterland. One brigade-sized unit at each of 8 sites at least 100 km from the line.",
        source="preset",
    )


#: The nine presets, keyed (option, variant): the notes' eight, then the reassurance force.
PRESETS: Mapping[tuple[int, str], Scenario] = MappingProxyType(
    {
        **{
            (option, variant): _preset(option, variant)
            for option in OPTIONS
            for variant in VARIANTS
        },
        (REASSURANCE_OPTION, REASSURANCE): _reassurance(),
    }
)


def get_preset(option: object, variant: object = None) -> Scenario:
    """Return the preset of ``option`` (1-4) and ``variant`` (``eur-plus`` / ``ua-supported``),
    or the reassurance force (``option`` 0 or ``"reassurance"``; ``variant`` None or
    ``"reassurance"``).

    Raises
    ------
    InputError
        If either is unknown.

    Examples
    --------
    >>> int(get_preset(3, "eur-plus").nominal.troops_max)
    96000
    >>> get_preset("reassurance").name
    'Option 0 Reassurance force'
    """
    if option in (REASSURANCE_OPTION, REASSURANCE) and not isinstance(option, bool):
        if variant not in (None, REASSURANCE):
            raise InputError(
                f"option 0 (the reassurance force) has no variant {variant!r}; drop the variant "
                "or pass 'reassurance'"
            )
        return PRESETS[(REASSURANCE_OPTION, REASSURANCE)]
    if option not in OPTIONS:
        raise InputError(
            f"unknown option {option!r}; expected one of 1, 2, 3, 4, or 0 / 'reassurance'"
        )
    if variant not in VARIANTS:
        raise InputError(f"unknown variant {variant!r}; expected eur-plus or ua-supported")
    return PRESETS[(option, variant)]
