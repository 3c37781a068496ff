"""Scenarios: what to deploy where, read from TOML files or built in Python.

A scenario is a name, a rotation factor, one or more deployments, optional user-defined unit
types and an optional availability::

    name = "Northern tripwire"
    rotation = 4
    response_target_h = 6          # hours within which each concentration point's sector
                                   # should be reached by a unit (default 6)

    [[deployment]]
    name = "Kharkiv screen"        # shown on maps and in tables
    unit = "light-battalion"
    along = "line"                 # or "points"
    spacing_km = 50
    standoff_km = 10
    radius_km = 25

    [units.recce-squadron]         # a new type, or an override of a built-in one
    label = "Reconnaissance battalion"
    echelon = "battalion"
    radius_km = 40
    standoff_km = 5
    notice_h = 0.5                 # notice to move, hours
    road_kmh = 60                  # road speed, km/h

    [availability]
    troops_min = 40000             # lower end of what Europe can sustain (default 50,000)
    troops_max = 150000            # upper end (default 300,000)
    brigades_deployable = 30

Keys of a ``[[deployment]]``:

``name``
    Shown on maps and in tables (default ``deployment N``).
``unit``
    A unit type id (required).
``along``
    ``"line"`` (default): one unit every ``spacing_km`` along the line; ``"points"``: ``count``
    units opposite each concentration point; ``"sites"``: one unit at each of the bundled
    hinterland sites (:mod:`layers.hinterland`; the reassurance force), those nearer the line
    than the standoff left out.
``spacing_km``
    Distance between units along the line (required with ``along = "line"``).
``offset_km``
    Distance of the first unit from the south-western end (default ``spacing_km / 2``).
``all_parts``
    Slots on every part of the line at least half a spacing long, longest first (default
    true); false: the main part only.
``count``
    Units per concentration point (``along = "points"``, default 1).
``ring_km``
    ``along = "points"``: spread the units on a ring of this radius around the point
    instead of taking the nearest positions behind the line.
``standoff_km``, ``radius_km``
    Distance behind the line and coverage radius (default: the unit type's).

Keys of ``[units.<id>]``: ``label``, ``echelon`` (``"battalion"`` or ``"brigade"``),
``troops`` (per brigade, default 4,000), ``sidc`` (20-digit 2525D; default a plain frame of
the echelon), ``radius_km``, ``standoff_km``, ``notice_h`` (notice to move, hours) and
``road_kmh`` (road speed, km/h; default for both: by echelon, those of the built-in light
battalion or heavy brigade, :data:`planner.units.RESPONSE_DEFAULTS`), ``rationale``. A new type
needs ``echelon``, ``radius_km`` and ``standoff_km``; for a built-in type give only what changes.

``response_target_h`` (top level, default 6): the time within which the sector of each
concentration point should be reached (notice to move + road km / road speed of the fastest
unit); each plan says, per point, whether it is.

Unknown keys and wrong types are :class:`~geo.errors.InputError` naming the key, the file
and the line.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from geo.errors import InputError, ParameterError
from geo.text import control_problem
from planner.forces import ROTATION_DEFAULT, Availability, Forces, validate_rotation
from planner.units import UNIT_TYPES, UnitType, default_sidc, get_unit_type

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "RESPONSE_TARGET_H",
    "Deployment",
    "Scenario",
    "given_options",
    "load_scenario",
    "parse_scenario",
    "validate_response_target",
]

#: Default response target, hours: the sector of each concentration point reached by a unit
#: within the working day of an incident (notice to move + the road move), before an
#: attacker's follow-on echelons can exploit a breach.
#: The largest scenario file read (a scenario is a few hundred bytes).
MAX_SCENARIO_BYTES = 1 << 20

#: The deepest nesting of arrays and tables in a scenario (it needs three or four).
MAX_SCENARIO_DEPTH = 32

RESPONSE_TARGET_H = 6.0
RESPONSE_TARGET_MAX_H = 168.0

Along = Literal["line", "points", "sites"]

# key -> (expected type description, check); checks return True when the value is fine.
_Check = tuple[str, Any]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positive(value: object) -> bool:
    return _is_number(value) and math.isfinite(value) and value > 0  # type: ignore[arg-type, operator]


def _non_negative(value: object) -> bool:
    return _is_number(value) and math.isfinite(value) and value >= 0  # type: ignore[arg-type, operator]


def _text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def validate_response_target(value: object) -> float:
    """Return the response target in hours, or raise InputError saying what is wrong.

    Examples
    --------
    >>> validate_response_target(4)
    4.0
    """
    if not (_positive(value) and value <= RESPONSE_TARGET_MAX_H):  # type: ignore[operator]
        raise InputError(
            f"response target is {value!r} h; expected a positive number of hours up to "
            f"{RESPONSE_TARGET_MAX_H:g} (response_target_h in a scenario, --response-target-h "
            f"on the command line), e.g. {RESPONSE_TARGET_H:g}"
        )
    return float(value)  # type: ignore[arg-type]


_DEPLOYMENT_KEYS: Mapping[str, _Check] = {
    "name": ("a non-empty string", _text),
    "unit": ('a unit type id string, e.g. "light-battalion"', _text),
    "along": ('"line", "points" or "sites"', lambda v: v in ("line", "points", "sites")),
    "spacing_km": ("a positive number of km", _positive),
    "offset_km": ("a number of km >= 0", _non_negative),
    "all_parts": ("true or false", lambda v: isinstance(v, bool)),
    "count": ("a whole number >= 1", _whole),
    "ring_km": ("a positive number of km", _positive),
    "standoff_km": ("a number of km >= 0", _non_negative),
    "radius_km": ("a positive number of km", _positive),
}
_LINE_ONLY = ("spacing_km", "offset_km", "all_parts")
_POINTS_ONLY = ("count", "ring_km")

_UNIT_KEYS: Mapping[str, _Check] = {
    "label": ("a non-empty string", _text),
    "echelon": ('"battalion" or "brigade"', lambda v: v in ("battalion", "brigade")),
    "troops": ("a whole number of troops per brigade >= 1", _whole),
    "sidc": ("a 20-digit string", lambda v: isinstance(v, str) and re.fullmatch(r"\d{20}", v)),
    "radius_km": ("a positive number of km", _positive),
    "standoff_km": ("a number of km >= 0", _non_negative),
    "notice_h": ("a number of hours >= 0 (notice to move)", _non_negative),
    "road_kmh": ("a positive road speed in km/h", _positive),
    "rationale": ("a string", lambda v: isinstance(v, str)),
}
_NEW_UNIT_REQUIRED = ("echelon", "radius_km", "standoff_km")

_AVAILABILITY_KEYS: Mapping[str, _Check] = {
    "troops_min": ("a whole number of troops >= 1", _whole),
    "troops_max": ("a whole number of troops >= 1", _whole),
    "brigades_deployable": ("a whole number of brigades >= 1", _whole),
}

_TOP_KEYS: Mapping[str, _Check] = {
    "name": ("a non-empty string", _text),
    "description": ("a string", lambda v: isinstance(v, str)),
    "rotation": ("a whole number from 1 to 6", lambda v: _whole(v) and v <= 6),
    "response_target_h": (
        f"a positive number of hours up to {RESPONSE_TARGET_MAX_H:g}",
        lambda v: _positive(v) and v <= RESPONSE_TARGET_MAX_H,
    ),
    "deployment": ("an array of [[deployment]] tables", lambda v: isinstance(v, list)),
    "units": ("a table of [units.<id>] tables", lambda v: isinstance(v, dict)),
    "availability": ("an [availability] table", lambda v: isinstance(v, dict)),
}


def _mismatch(along: object, given: Mapping[str, object]) -> tuple[str | None, str] | None:
    """(key, problem) when a key does not go with ``along``; the key is None if one is missing."""
    if along == "sites":
        for key in (*_LINE_ONLY, *_POINTS_ONLY):
            if key in given:
                return (
                    key,
                    f"'{key}' does not go with along = \"sites\" (one unit per site); drop it",
                )
        return None
    if along == "points":
        for key in _LINE_ONLY:
            if key in given:
                return key, f'\'{key}\' is for along = "line"; drop it or set along = "line"'
        return None
    if "spacing_km" not in given:
        return None, "along = \"line\" needs 'spacing_km', e.g. spacing_km = 50"
    for key in _POINTS_ONLY:
        if key in given:
            return key, f'\'{key}\' is for along = "points"; drop it or set along = "points"'
    return None


def _problem(checks: Mapping[str, _Check], key: str, value: object) -> str | None:
    """Say what is wrong with ``key = value``, or None if it is fine."""
    if key not in checks:
        hint = difflib.get_close_matches(key, list(checks), n=1)
        suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"unknown key '{key}'; expected one of {', '.join(checks)}{suggestion}"
    expected, check = checks[key]
    control = control_problem(value)
    if control:
        return f"'{key}' {control}"
    if not check(value):
        return f"'{key}' is {value!r}; expected {expected}"
    return None


@dataclass(frozen=True, kw_only=True)
class Deployment:
    """One group of units of one type, placed along the line or around the points.

    See the module docstring for what each field means; ``None`` means "the default"
    (the unit type's standoff and radius, ``spacing_km / 2`` for the offset).
    """

    unit: str
    name: str = "deployment"
    along: Along = "line"
    spacing_km: float | None = None
    offset_km: float | None = None
    all_parts: bool = True
    count: int = 1
    ring_km: float | None = None
    standoff_km: float | None = None
    radius_km: float | None = None

    def __post_init__(self) -> None:
        for key in _DEPLOYMENT_KEYS:
            value = getattr(self, key)
            if value is None:
                continue
            problem = _problem(_DEPLOYMENT_KEYS, key, value)
            if problem:
                raise InputError(f"deployment '{self.name}': {problem}")
        given = {k: getattr(self, k) for k in (*_LINE_ONLY, *_POINTS_ONLY)}
        given = {
            k: v
            for k, v in given.items()
            if v is not None and (k, v) not in (("count", 1), ("all_parts", True))
        }
        mismatch = _mismatch(self.along, given)
        if mismatch:
            raise InputError(f"deployment '{self.name}': {mismatch[1]}")


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A named set of deployments with its rotation, unit catalogue and availability.

    Parameters
    ----------
    name : str
        Shown on maps and in tables.
    deployments : tuple of Deployment
        What to place; empty for a plan with no European units (option 4, UA-supported).
    rotation : int
        Rotation factor, 1-6 (default 4).
    unit_types : mapping of str to UnitType
        The catalogue the deployments' ``unit`` ids refer to (built-in plus user types).
    availability : Availability
        What Europe can provide, rotation included.
    option, variant : int or None, str or None
        Set for the presets of the notes (:mod:`planner.presets`), None for a user scenario.
    nominal : Forces or None
        The notes' own figures for a preset; None for a user scenario (which has none).
    description : str
        A sentence on the concept.
    source : str
        Where it came from: a file path, or ``"preset"``.
    response_target_h : float
        Hours within which each concentration point's sector should be reached
        (default :data:`RESPONSE_TARGET_H`).
    """

    name: str
    deployments: tuple[Deployment, ...]
    rotation: int = ROTATION_DEFAULT
    unit_types: Mapping[str, UnitType] = field(default_factory=lambda: UNIT_TYPES)
    availability: Availability = field(default_factory=Availability)
    option: int | None = None
    variant: str | None = None
    nominal: Forces | None = None
    description: str = ""
    source: str = ""
    response_target_h: float = RESPONSE_TARGET_H

    def __post_init__(self) -> None:
        for key in ("name", "description"):
            control = control_problem(getattr(self, key))
            if control:
                raise InputError(f"scenario {key} {getattr(self, key)!r} {control}")
        validate_rotation(self.rotation)
        validate_response_target(self.response_target_h)
        for deployment in self.deployments:
            get_unit_type(deployment.unit, self.unit_types)

    def with_overrides(
        self,
        *,
        unit: str | None = None,
        spacing_km: float | None = None,
        standoff_km: float | None = None,
        radius_km: float | None = None,
        rotation: int | None = None,
        response_target_h: float | None = None,
        all_parts: bool | None = None,
    ) -> Scenario:
        """Return the scenario with options of the command line applied to every deployment.

        ``spacing_km`` and ``all_parts`` (False for ``--main-only``) apply to deployments
        along the line only; ``rotation`` and ``response_target_h`` to the scenario; the
        others to all deployments.

        Raises
        ------
        InputError
            If a value is not valid, or ``spacing_km`` is given and no deployment runs along
            the line.
        """
        changes = given_options(
            unit=unit, spacing_km=spacing_km, standoff_km=standoff_km, radius_km=radius_km
        )
        for key, value in changes.items():
            if _problem(_DEPLOYMENT_KEYS, key, value):
                raise ParameterError(key, f"is {value!r}; expected {_DEPLOYMENT_KEYS[key][0]}")
        if unit is not None:
            get_unit_type(unit, self.unit_types)
        if spacing_km is not None and not any(d.along == "line" for d in self.deployments):
            raise ParameterError(
                "spacing_km",
                f"does not apply to '{self.name}': its units are not placed along the line "
                "(around the concentration points, or at sites); leave it out",
            )
        if all_parts is not None:
            changes["all_parts"] = bool(all_parts)
        line_only = ("spacing_km", "all_parts")
        deployments = tuple(
            replace(
                d, **{k: v for k, v in changes.items() if k not in line_only or d.along == "line"}
            )
            for d in self.deployments
        )
        return replace(
            self,
            deployments=deployments,
            rotation=self.rotation if rotation is None else validate_rotation(rotation),
            response_target_h=(
                self.response_target_h
                if response_target_h is None
                else validate_response_target(response_target_h)
            ),
        )


def given_options(**options: Any) -> dict[str, Any]:
    """The options that were given (not None), in order: a user's overrides.

    Examples
    --------
    >>> given_options(unit=None, spacing_km=30.0, rotation=None)
    {'spacing_km': 30.0}
    """
    return {key: value for key, value in options.items() if value is not None}


class _Locator:
    """Find the line of a key in TOML text, by scanning it (tomllib keeps no positions)."""

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"""^\s*["']?([A-Za-z0-9_.-]+?)["']?\s*=""")

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        self.headers: dict[str, int] = {}
        section, deployments = "", 0
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(2).replace('"', "").replace("'", "").replace(" ", "")
                if header.group(1) == "[[" and name == "deployment":
                    deployments += 1
                    name = f"deployment#{deployments}"
                section = name
                self.headers.setdefault(section, number)
                continue
            key = self._KEY.match(line)
            if key:
                self.keys.setdefault((section, key.group(1)), number)

    def line(self, section: str, key: str | None = None) -> int | None:
        """Line of ``key`` in ``section`` ("" top level, "deployment#1", "units.x"), else of
        the section's header, else of the key anywhere."""
        if key is not None and (section, key) in self.keys:
            return self.keys[(section, key)]
        if key is not None and section.startswith("units."):
            inline = self.keys.get(("units", section[6:]))
            if inline:
                return inline
        if section in self.headers:
            return self.headers[section]
        anywhere = [n for (_, k), n in self.keys.items() if k == key]
        return min(anywhere) if anywhere else None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario TOML file.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Scenario

    Raises
    ------
    InputError
        If the file cannot be read, is not TOML, or has an unknown key or a wrong value
        (the message names the key, the file and the line).
    """
    path = Path(path)
    try:
        info = os.stat(path)  # never blocks, unlike opening a FIFO
    except FileNotFoundError:
        raise InputError(f"scenario file '{path}' does not exist; check the path") from None
    except OSError as exc:
        raise InputError(
            f"scenario file '{path}' cannot be read ({exc.strerror}); check the path"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise InputError(f"scenario file '{path}' is {kind}; pass a TOML file")
    if info.st_size > MAX_SCENARIO_BYTES:
        raise InputError(
            f"scenario file '{path}' is {info.st_size:,} bytes, more than a scenario may be "
            f"({MAX_SCENARIO_BYTES:,}); pass the TOML scenario, not another file"
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_SCENARIO_BYTES + 1)
        if len(raw) > MAX_SCENARIO_BYTES:  # it grew since stat
            raise InputError(
                f"scenario file '{path}' is more than {MAX_SCENARIO_BYTES:,} bytes; pass the "
                f"TOML scenario"
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"scenario file '{path}' cannot be read ({exc}); pass a UTF-8 TOML file"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 byte-order mark, as some Windows editors write
    return parse_scenario(text, source=str(path))


def _nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings and comments (TOML's arrays and
    inline tables), found by a scan, so that a hostile file cannot exhaust the parser's stack."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            triple = text.startswith(char * 3, i)
            end_token = char * 3 if triple else char
            j = i + len(end_token)
            while j < n:
                if char == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(end_token, j):
                    break
                if not triple and text[j] == "\n":
                    break
                j += 1
            i = j + len(end_token)
            continue
        if char == "#":
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def parse_scenario(text: str, *, source: str = "<scenario>") -> Scenario:
    """Build a scenario from TOML text (see the module docstring for the keys).

    Parameters
    ----------
    text : str
        The TOML document.
    source : str
        Its name in error messages (the file path).

    Examples
    --------
    >>> s = parse_scenario('''
    ... name = "Screen"
    ... [[deployment]]
    ... unit = "light-battalion"
    ... spacing_km = 50
    ... ''')
    >>> s.name, s.rotation, s.deployments[0].spacing_km
    ('Screen', 4, 50)
    """
    depth = _nesting_depth(text)
    if depth > MAX_SCENARIO_DEPTH:
        raise InputError(
            f"scenario '{source}' nests arrays or tables {depth:,} deep, more than "
            f"{MAX_SCENARIO_DEPTH}; a scenario needs only a few levels"
        )
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise InputError(
            f"scenario '{source}' nests too deep for the TOML reader; a scenario needs only "
            f"a few levels"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"scenario '{source}' is not valid TOML: {exc}; fix the syntax there"
        ) from None
    locate = _Locator(text)

    def fail(section: str, key: str | None, problem: str, where: str = "") -> InputError:
        number = locate.line(section, key)
        at = f", line {number}" if number else ""
        return InputError(f"scenario '{source}'{at}: {where}{problem}")

    for key, value in data.items():
        problem = _problem(_TOP_KEYS, key, value)
        if problem:
            raise fail("", key, problem)

    catalogue = dict(UNIT_TYPES)
    for unit_id, table in data.get("units", {}).items():
        section = f"units.{unit_id}"
        where = f"[units.{unit_id}]: "
        control = control_problem(unit_id)
        if control:
            raise fail("units", None, f"unit type id {unit_id!r} {control}", "[units]: ")
        if not isinstance(table, dict):
            raise fail("units", unit_id, f"'{unit_id}' is {table!r}; expected a table", "[units]: ")
        for key, value in table.items():
            problem = _problem(_UNIT_KEYS, key, value)
            if problem:
                raise fail(section, key, problem, where)
        base = catalogue.get(unit_id)
        if base is None:
            missing = [k for k in _NEW_UNIT_REQUIRED if k not in table]
            if missing:
                raise fail(
                    section,
                    None,
                    f"new unit type needs {', '.join(missing)} (built-in types: "
                    f"{', '.join(UNIT_TYPES)})",
                    where,
                )
            values = {
                "label": unit_id,
                "troops": 4_000,
                "sidc": default_sidc(table["echelon"]),
                "rationale": "",
                **table,
            }
        else:
            values = {**{k: getattr(base, k) for k in _UNIT_KEYS}, **table}
            if "echelon" in table and "sidc" not in table and table["echelon"] != base.echelon:
                values["sidc"] = default_sidc(table["echelon"])
        try:
            catalogue[unit_id] = UnitType(id=unit_id, **values)
        except InputError as exc:
            key = next((k for k in _UNIT_KEYS if f" has {k} " in str(exc)), None)
            raise fail(section, key, str(exc), where) from None

    deployments = []
    tables = data.get("deployment", [])
    if not tables:
        raise fail("", None, "no [[deployment]] table; add at least one (see examples/)")
    for index, table in enumerate(tables, start=1):
        section = f"deployment#{index}"
        where = f"[[deployment]] #{index}: "
        if not isinstance(table, dict):
            raise fail("", "deployment", "'deployment' must be an array of tables", where)
        for key, value in table.items():
            problem = _problem(_DEPLOYMENT_KEYS, key, value)
            if problem:
                raise fail(section, key, problem, where)
        if "unit" not in table:
            raise fail(
                section, None, "'unit' is missing; add e.g. unit = \"light-battalion\"", where
            )
        if table["unit"] not in catalogue:
            raise fail(
                section,
                "unit",
                f"unknown unit type {table['unit']!r}; expected one of "
                f"{', '.join(sorted(catalogue))} or define it under [units.<id>]",
                where,
            )
        mismatch = _mismatch(table.get("along", "line"), table)
        if mismatch:
            raise fail(section, mismatch[0], mismatch[1], where)
        deployments.append(Deployment(**{"name": f"deployment {index}", **table}))

    return Scenario(
        name=data.get("name", Path(source).stem),
        description=data.get("description", ""),
        rotation=data.get("rotation", ROTATION_DEFAULT),
        response_target_h=float(data.get("response_target_h", RESPONSE_TARGET_H)),
        deployments=tuple(deployments),
        unit_types=MappingProxyType(catalogue),
        availability=_availability(data.get("availability", {}), fail),
        source=source,
    )


def _availability(table: Mapping[str, Any], fail: Any) -> Availability:
    for key, value in table.items():
        problem = _problem(_AVAILABILITY_KEYS, key, value)
        if problem:
            raise fail("availability", key, problem, "[availability]: ")
    try:
        return Availability(**table)
    except InputError as exc:
        raise fail("availability", "troops_min", str(exc), "[availability]: ") from None
