"""The unit catalogue: what a deployed unit is, how many troops it stands for, where it sits.

A :class:`UnitType` says how a unit is drawn (a 20-digit MIL-STD-2525D symbol code, SIDC),
how it is counted (its echelon and the troops of one brigade of its kind) and where it is
placed by default (standoff behind the line, coverage radius), with the reason for those
defaults written beside them, and how fast it responds (notice to move ``notice_h`` and road
speed ``road_kmh``: a response time is ``notice_h`` + road km / ``road_kmh``, see
:func:`planner.logistics.response_times`). Troops are counted from the brigade: the notes count
brigades of about 4,000 troops, three battalions to a brigade, and 24 battalions as 8-10
brigades with support, so a battalion is 1/3 to 1/2.4 of its type's brigade (see
:mod:`planner.forces`). ``reassurance-brigade`` is the UK-France reassurance force's unit, at
hinterland sites (:mod:`layers.hinterland`), not along the line.

Users add or override types in a scenario file (``[units.<id>]``, see
:mod:`planner.scenario`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from geo.errors import InputError
from geo.text import control_problem

__all__ = [
    "BRIGADE_TROOPS",
    "ECHELONS",
    "RESPONSE_DEFAULTS",
    "UNIT_TYPES",
    "UnitType",
    "default_sidc",
    "get_unit_type",
]

Echelon = Literal["battalion", "brigade"]

#: Echelons the planner counts, with their two-digit echelon code in a 2525D SIDC (digits 9-10).
ECHELONS: Mapping[str, str] = MappingProxyType({"battalion": "16", "brigade": "18"})

#: Troops of one brigade, support included: the notes' 96,000 troops for 24 brigades.
BRIGADE_TROOPS = 4_000

#: Notice to move (h) and road speed (km/h) of a type that does not give its own, by echelon:
#: those of the built-in light battalion and heavy brigade.
RESPONSE_DEFAULTS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"battalion": (1.0, 50.0), "brigade": (2.0, 30.0)}
)
# Response settings beyond these are not a unit's: a week's notice, a car's speed.
_NOTICE_MAX_H = 168.0
_ROAD_MAX_KMH = 120.0

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# 2525D: version 10, context 0 (reality), standard identity 3 (friend), symbol set 10 (land
# unit), status 0 (present), HQ/task force 0, echelon, entity (6), modifiers (4).
_SIDC = re.compile(r"^\d{20}$")
_SIDC_FRIENDLY_LAND_UNIT = "10031000"


def default_sidc(echelon: str) -> str:
    """Return the SIDC of a friendly land unit of ``echelon`` with no entity (a plain frame).

    Examples
    --------
    >>> default_sidc("brigade")
    '10031000180000000000'
    """
    return f"{_SIDC_FRIENDLY_LAND_UNIT}{ECHELONS[echelon]}{'0' * 10}"


@dataclass(frozen=True, kw_only=True)
class UnitType:
    """A kind of unit that can be deployed.

    Parameters
    ----------
    id : str
        Identifier used on the command line and in scenarios, e.g. ``"light-battalion"``
        (lowercase letters, digits and hyphens).
    label : str
        Human name shown on maps and in tables.
    echelon : {"battalion", "brigade"}
        How the unit is counted: brigades count one each; battalions three to a brigade,
        8-10 brigades per 24 with support (:func:`planner.forces.brigades_for`).
    troops : int
        Troops of one brigade of this kind, support included (the notes' 4,000). A battalion
        is not given its own figure: it is 1/3 to 1/2.4 of ``troops`` (with support).
    sidc : str
        20-digit MIL-STD-2525D symbol identification code; digits 9-10 must match the echelon
        (16 battalion, 18 brigade).
    radius_km : float
        Default coverage radius: the stretch of line the unit watches or can reach.
    standoff_km : float
        Default distance behind the line.
    notice_h : float, optional
        Notice to move, hours: from the order to the first vehicles rolling (fuelled, loaded,
        crews in). Default: by echelon, :data:`RESPONSE_DEFAULTS`.
    road_kmh : float, optional
        Road speed of the unit moving to a threatened sector, km/h, halts included.
        Default: by echelon, :data:`RESPONSE_DEFAULTS`.
    rationale : str
        Why these defaults.
    """

    id: str
    label: str
    echelon: Echelon
    troops: int
    sidc: str
    radius_km: float
    standoff_km: float
    notice_h: float = math.nan  # NaN: the echelon's default (RESPONSE_DEFAULTS)
    road_kmh: float = math.nan
    rationale: str = ""

    def __post_init__(self) -> None:
        where = f"unit type '{self.id}'"
        for key in ("id", "label", "rationale"):
            control = control_problem(getattr(self, key))
            if control:
                raise InputError(f"unit type {key} {getattr(self, key)!r} {control}")
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise InputError(
                f"unit type id {self.id!r} is not valid; expected lowercase letters, digits and "
                "hyphens, e.g. 'light-battalion'"
            )
        if self.echelon not in ECHELONS:
            raise InputError(
                f"{where} has echelon {self.echelon!r}; expected one of {', '.join(ECHELONS)}"
            )
        if isinstance(self.troops, bool) or not isinstance(self.troops, int) or self.troops <= 0:
            raise InputError(
                f"{where} has troops {self.troops!r}; expected a positive whole number of troops "
                f"per brigade, e.g. {BRIGADE_TROOPS}"
            )
        if not isinstance(self.sidc, str) or not _SIDC.fullmatch(self.sidc):
            raise InputError(
                f"{where} has sidc {self.sidc!r}; expected a 20-digit MIL-STD-2525D code, e.g. "
                f"'{default_sidc(self.echelon)}'"
            )
        if self.sidc[8:10] != ECHELONS[self.echelon]:
            raise InputError(
                f"{where} has sidc {self.sidc} with echelon digits {self.sidc[8:10]}; expected "
                f"{ECHELONS[self.echelon]} for a {self.echelon} (SIDC digits 9-10)"
            )
        for name in ("radius_km", "standoff_km"):
            value = getattr(self, name)
            number = not isinstance(value, bool) and isinstance(value, int | float)
            if not number or not math.isfinite(value) or value <= 0:
                raise InputError(f"{where} has {name} {value!r}; expected a positive number of km")
        notice, speed = RESPONSE_DEFAULTS[self.echelon]
        for name, default, low, high, unit in (
            ("notice_h", notice, 0.0, _NOTICE_MAX_H, "hours"),
            ("road_kmh", speed, 1.0, _ROAD_MAX_KMH, "km/h"),
        ):
            value = getattr(self, name)
            number = not isinstance(value, bool) and isinstance(value, int | float)
            if number and math.isnan(value):
                object.__setattr__(self, name, default)
                continue
            if not number or not math.isfinite(value) or not low <= value <= high:
                raise InputError(
                    f"{where} has {name} {value!r}; expected {unit} from {low:g} to {high:g}, "
                    f"e.g. {default:g}"
                )
            object.__setattr__(self, name, float(value))


UNIT_TYPES: Mapping[str, UnitType] = MappingProxyType(
    {
        unit.id: unit
        for unit in (
            UnitType(
                id="light-battalion",
                label="Light (infantry) battalion",
                echelon="battalion",
                troops=BRIGADE_TROOPS,
                sidc="10031000161211000000",  # friendly land unit, battalion, infantry
                radius_km=25.0,
                standoff_km=10.0,
                notice_h=1.0,
                road_kmh=50.0,
                rationale=(
                    "Tripwire and monitoring: one battalion per 50 km of line watches 25 km each "
                    "way along it; it sits 10 km behind the line, out of direct fire and observed "
                    "artillery yet close enough to see and report incidents. Light and wheeled, "
                    "held at high readiness: moving within 1 h of the order, at 50 km/h on main "
                    "roads."
                ),
            ),
            UnitType(
                id="heavy-battalion",
                label="Heavy (armoured) battalion",
                echelon="battalion",
                troops=BRIGADE_TROOPS,
                sidc="10031000161205000000",  # friendly land unit, battalion, armour
                radius_km=25.0,
                standoff_km=10.0,
                notice_h=1.5,
                road_kmh=30.0,
                rationale=(
                    "Area-based presence with limited enforcement: like the light battalion it "
                    "holds 50 km of line, 25 km each way, 10 km behind the line; its armour adds "
                    "denial, not reach. Tracked armour is slower to start (fuel, ammunition, "
                    "crews: 1.5 h notice to move) and marches at about 30 km/h on roads, the "
                    "usual rate of tracked columns."
                ),
            ),
            UnitType(
                id="heavy-brigade",
                label="Heavy (armoured) brigade",
                echelon="brigade",
                troops=BRIGADE_TROOPS,
                sidc="10031000181205000000",  # friendly land unit, brigade, armour
                radius_km=100.0,
                standoff_km=30.0,
                notice_h=2.0,
                road_kmh=30.0,
                rationale=(
                    "Response force: a brigade 30 km behind the line, beyond most tube artillery, "
                    "reaches 100 km of line around it within about the 6 h response target: 2 h "
                    "notice to move (a whole brigade, at high readiness in theatre, takes longer "
                    "to get rolling than a battalion) and 130 road km (1.3x the straight "
                    "distance) at 30 km/h, a tracked brigade column's march rate, is 6.3 h. "
                    "Heavy brigades are slower than light battalions."
                ),
            ),
            UnitType(
                id="reassurance-brigade",
                label="Reassurance brigade (hinterland)",
                echelon="brigade",
                troops=BRIGADE_TROOPS,
                sidc="10031000181210000000",  # friendly land unit, brigade, combined arms
                radius_km=50.0,
                standoff_km=100.0,
                notice_h=4.0,
                road_kmh=40.0,
                rationale=(
                    "The UK-France reassurance force: brigade-sized, multinational combined-arms "
                    "units at strategic sites in the hinterland, not at the front; the radius is "
                    "the area around its site it protects (air defence, ports, air bases), the "
                    "standoff the least distance from the line a site may have (100 km). "
                    "Stationed in barracks, not on alert at the front: 4 h notice to move; a mixed "
                    "wheeled and tracked brigade at 40 km/h on main roads."
                ),
            ),
        )
    }
)


def get_unit_type(unit_id: str, catalogue: Mapping[str, UnitType] | None = None) -> UnitType:
    """Return the unit type ``unit_id`` from ``catalogue`` (default :data:`UNIT_TYPES`).

    Raises
    ------
    InputError
        If there is no such type; the message lists the known ones.

    Examples
    --------
    >>> get_unit_type("heavy-brigade").troops
    4000
    """
    catalogue = UNIT_TYPES if catalogue is None else catalogue
    try:
        return catalogue[unit_id]
    except KeyError:
        raise InputError(
            f"unknown unit type {unit_id!r}; expected one of {', '.join(sorted(catalogue))} "
            "(or define it under [units.<id>] in a scenario)"
        ) from None
