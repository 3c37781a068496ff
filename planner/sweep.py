"""A grid of configurations: which spacing, radius, rotation and standoff meet a goal.

:func:`sweep_grid` plans one unit type along the main part of the line for every combination of
spacing x standoff x radius x rotation and says which cover at least ``min_coverage`` of the
whole line with at most ``max_troops`` sustained troops (the placed force's upper figure x
rotation). It is fast because work is shared across the grid: the line is prepared (densified)
once; units are placed once per (spacing, standoff), with the same rules as
:func:`planner.plan.make_plan` (a standoff of 0 puts them on the line itself); the segments
near each unit are measured once, for the largest radius, and each radius only solves where
its circle crosses them (the geodesic intervals of :func:`planner.coverage.disc_intervals`)
and takes their union; the rotation factor is arithmetic only.

The (spacing, standoff) blocks are independent: they run on every core (worker processes,
``jobs``) or on a Dask cluster (``dask``), and the rows come back in a fixed order
(:func:`planner.parallel.run_tasks`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.prepared import PreparedLine, flat_error_km, segment_distance
from layers.bundle import Layers
from planner.along import positions_along
from planner.distances import check_km, prepare_line
from planner.forces import Availability, count_forces, sustain, validate_rotation
from planner.limits import check_configurations, check_units, units_along
from planner.parallel import run_tasks
from planner.rounding import brigades_out, fraction_out, km_out, troops_out
from planner.rules import band_km
from planner.units import UNIT_TYPES, UnitType, get_unit_type

__all__ = ["SWEEP_COLUMNS", "sweep_grid"]

#: Columns of the sweep table, in order.
SWEEP_COLUMNS = [
    "unit",
    "spacing_km",
    "standoff_km",
    "radius_km",
    "rotation_factor",
    "units_placed",
    "brigades_min",
    "brigades_max",
    "troops_min",
    "troops_max",
    "sustained_troops_min",
    "sustained_troops_max",
    "coverage_fraction",
    "largest_gap_km",
    "fits_availability",
    "fits_availability_low",
    "fits_brigades",
    "meets",
    "line_date",
]

# Uncovered stretches shorter than this (km, 1 mm) are rounding where two discs touch.
_EPS_KM = 1e-6


@dataclass(frozen=True, eq=False)
class _Context:
    """What every block of the grid needs: sent once to each worker."""

    prepared: PreparedLine
    occupied: Any
    unit_type: UnitType
    radii: tuple[float, ...]
    rotations: tuple[int, ...]
    availability: Availability
    min_coverage: float
    max_troops: int
    all_parts: bool = True


def _coverage_by_radius(
    prepared: PreparedLine, lon: np.ndarray, lat: np.ndarray, radii: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Covered fraction of the whole line and its largest gap (km) for each radius.

    The rules of :func:`planner.coverage.disc_intervals`, with the work shared by the radii:
    the segments near each unit are found once, for the largest radius, in flat local
    coordinates (:meth:`PreparedLine.segments_near`); for each radius, segments surely inside
    its circle are covered whole, those surely outside dropped, and those that may cross its
    edge are measured exactly in the azimuthal equidistant projection centred on the unit
    (:meth:`PreparedLine.segments_exact`, once per pair whatever the radii) and cut where the
    circle crosses them. The union is taken on all parts at once (each part laid after the
    previous one on one axis, its ends marked with empty intervals so that the gaps at its
    ends count).
    """
    chains = prepared.chains
    lengths = np.array([c.length_km for c in chains])
    offsets = np.concatenate(([0.0], np.cumsum(lengths + 1.0)[:-1]))
    covered = np.zeros(radii.size)
    largest = np.full(radii.size, float(lengths.max()))
    if lon.size == 0:
        return covered, largest
    rmax = float(radii.max())
    owner, seg, ax, ay, dx, dy = prepared.segments_near(lon, lat, rmax)
    # flat distances screen each pair once; only pairs that may cross a circle's edge are
    # measured exactly, once, whatever the number of radii
    near_end = segment_distance(ax, ay, dx, dy)[0]
    far_end = np.maximum(np.hypot(ax, ay), np.hypot(ax + dx, ay + dy))
    keep = near_end < rmax + flat_error_km(rmax, lat, prepared.max_step_km)[owner]
    # in order along the line: each radius's intervals then come nearly sorted
    order = np.argsort(seg[keep], kind="stable")
    owner, seg = owner[keep][order], seg[keep][order]
    near_end, far_end = near_end[keep][order], far_end[keep][order]
    exact = np.zeros((4, owner.size))
    measured = np.zeros(owner.size, dtype=bool)
    km0 = prepared.km[seg]
    step = prepared.km[seg + 1] - km0
    chain_of = prepared.chain[seg]
    axis0 = km0 + offsets[chain_of]
    ends = np.concatenate((offsets, offsets + lengths))
    end_chain = np.concatenate((np.arange(lengths.size), np.arange(lengths.size)))
    for i, radius in enumerate(radii.tolist()):
        error = flat_error_km(radius, lat, prepared.max_step_km)[owner]
        inside = far_end <= radius - error
        edge = np.flatnonzero(~inside & (near_end < radius + error))
        new = edge[~measured[edge]]
        if new.size:
            exact[:, new] = prepared.segments_exact(lon[owner[new]], lat[owner[new]], seg[new])
            measured[new] = True
        ex, ey, edx, edy = exact[:, edge]
        # |A + t (B - A)| = r:  a t^2 + 2 h t + c = 0, with a > 0 (segments have length)
        qa = edx * edx + edy * edy
        qh = ex * edx + ey * edy
        disc = qh * qh - qa * (ex * ex + ey * ey - radius * radius)
        root = np.sqrt(np.maximum(disc, 0.0))
        t0 = np.zeros(owner.size)
        t1 = np.where(inside, 1.0, 0.0)
        t0[edge] = np.where(disc > 0.0, np.clip((-qh - root) / qa, 0.0, 1.0), 0.0)
        t1[edge] = np.where(disc > 0.0, np.clip((-qh + root) / qa, 0.0, 1.0), 0.0)
        hit = t1 > t0
        start = np.concatenate((axis0[hit] + t0[hit] * step[hit], ends))
        end = np.concatenate((axis0[hit] + t1[hit] * step[hit], ends))
        chain = np.concatenate((chain_of[hit], end_chain))
        order = np.argsort(start, kind="stable")
        s, e, c = start[order], end[order], chain[order]
        reach = np.maximum.accumulate(e)
        first = np.flatnonzero(np.append(True, s[1:] > reach[:-1] + _EPS_KM))
        block_start = s[first]
        block_end = np.maximum.reduceat(e, first)
        block_chain = c[first]
        covered[i] = float((block_end - block_start).sum()) / prepared.length_km
        same = block_chain[1:] == block_chain[:-1]
        gaps = (block_start[1:] - block_end[:-1])[same]
        gaps = gaps[gaps > _EPS_KM]
        largest[i] = float(gaps.max()) if gaps.size else 0.0
    return covered, largest


def _units(
    ctx: _Context, spacing: float, standoff: float, radius: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Lon, lat of the units of one (spacing, standoff, radius cap): as make_plan places them.

    ``radius`` is the cap a radius inside the standoff band puts on the distance to the line
    (None: the band alone decides), as :func:`planner.place_along` takes it.
    """
    return positions_along(
        ctx.prepared,
        spacing_km=spacing,
        standoff_km=standoff,
        radius_km=radius,
        all_parts=ctx.all_parts,
        occupied=ctx.occupied,
    )


def _block(ctx: _Context, spacing: float, standoff: float) -> dict[str, np.ndarray]:
    """The rows of one (spacing, standoff): every radius x rotation, as columns.

    A unit must reach the line with its radius: a radius within the band keeps the units
    nearer (one placement per such cap, shared by the radii above the band); a radius that
    does not pass the band's near edge places no unit at all (it would cover nothing).
    """
    low, high = band_km(standoff)
    radii = np.array(ctx.radii)
    caps: dict[float | None, list[int]] = {}
    for i, radius in enumerate(radii.tolist()):
        if radius <= low:
            caps.setdefault(-1.0, []).append(i)
        else:
            caps.setdefault(radius if radius < high + 1.0 else None, []).append(i)
    covered = np.zeros(radii.size)
    largest = np.zeros(radii.size)
    units = np.zeros(radii.size, dtype=int)
    longest = float(max(c.length_km for c in ctx.prepared.select(ctx.all_parts)))
    for cap, index in caps.items():
        idx = np.array(index)
        if cap == -1.0:
            largest[idx] = longest
            continue
        lon, lat = _units(ctx, spacing, standoff, cap)
        units[idx] = lon.size
        covered[idx], largest[idx] = _coverage_by_radius(ctx.prepared, lon, lat, radii[idx])
    return _rows(ctx, spacing, standoff, radii, units, covered, largest)


def _rows(
    ctx: _Context,
    spacing: float,
    standoff: float,
    radii: np.ndarray,
    units: np.ndarray,
    covered: np.ndarray,
    largest: np.ndarray,
) -> dict[str, np.ndarray]:
    """The columns of one (spacing, standoff) block: radius-major, then rotation."""
    n_rad = radii.size
    covered = np.array([fraction_out(c) for c in covered])  # "meets" agrees with the table
    gaps = np.array([km_out(g) for g in largest], dtype=float)
    columns: dict[str, list[Any]] = {key: [] for key in _BLOCK_KEYS}
    for i in range(n_rad):
        forces = count_forces([(ctx.unit_type, int(units[i]))])
        for factor in ctx.rotations:
            x = sustain(forces, rotation=factor, availability=ctx.availability)
            row = {
                "spacing_km": spacing,
                "standoff_km": standoff,
                "radius_km": float(radii[i]),
                "rotation_factor": factor,
                "units_placed": forces.units,
                "brigades_min": brigades_out(forces.brigades_min),
                "brigades_max": brigades_out(forces.brigades_max),
                "troops_min": troops_out(forces.troops_min),
                "troops_max": troops_out(forces.troops_max),
                "sustained_troops_min": troops_out(x.sustained_troops_min),
                "sustained_troops_max": troops_out(x.sustained_troops_max),
                "coverage_fraction": covered[i],
                "largest_gap_km": gaps[i],
                "fits_availability": x.fits_availability,
                "fits_availability_low": x.fits_availability_low,
                "fits_brigades": x.fits_brigades,
                "meets": bool(
                    covered[i] >= ctx.min_coverage and x.sustained_troops_max <= ctx.max_troops
                ),
            }
            for key in _BLOCK_KEYS:
                columns[key].append(row[key])
    return {key: np.array(values) for key, values in columns.items()}


#: The columns one block computes (the unit and the line date are the whole grid's).
_BLOCK_KEYS = tuple(c for c in SWEEP_COLUMNS if c not in ("unit", "line_date"))


def _values(
    name: str, values: Sequence[float], limit_km: float, what: str, *, allow_zero: bool = False
) -> list[float]:
    if not len(values):
        raise InputError(f"--{name.replace('_', '-')} has no values; give one or more")
    out = []
    for value in values:
        km = check_km(name, value, allow_zero=allow_zero)
        if km > limit_km:
            raise InputError(
                f"{name} is {km:g} km, longer than the {what} ({limit_km:.0f} km); pass values "
                f"below {limit_km:.0f} km"
            )
        out.append(km)
    return list(dict.fromkeys(out))


def sweep_grid(
    layers: Layers,
    *,
    unit: str | UnitType = "light-battalion",
    spacing_km: Sequence[float] = (25.0, 50.0, 100.0),
    radius_km: Sequence[float] = (25.0, 50.0),
    rotation: Sequence[int] = (3, 4),
    standoff_km: Sequence[float] | None = None,
    min_coverage: float = 0.9,
    max_troops: int = 300_000,
    availability: Availability | None = None,
    progress: bool = False,
    all_parts: bool = True,
    jobs: int | None = None,
    dask: str | Any | None = None,
) -> pd.DataFrame:
    """Plan every configuration of a grid and say which meet the goal.

    Parameters
    ----------
    layers : Layers
        The line (and occupied territory) to plan on.
    unit : str or UnitType
        The unit type placed (built-in id or a type of your own).
    spacing_km, radius_km : sequence of float
        Spacings along the main part of the line and coverage radii, km.
    rotation : sequence of int
        Rotation factors (1-6).
    standoff_km : sequence of float, optional
        Distances behind the line, km (default: the unit type's); 0 puts the units on the
        line itself.
    min_coverage : float
        Fraction of the whole line to cover, 0-1.
    max_troops : int
        Most sustained troops allowed (placed force, upper figure, x rotation).
    availability : Availability, optional
        For ``fits_availability``, ``fits_availability_low`` and ``fits_brigades`` (default:
        the notes').
    progress : bool
        Show a progress bar (tqdm) on standard error.
    all_parts : bool, default True
        Slots on every part of the line; False (``--main-only``): the main part only.
    jobs : int, optional
        Worker processes (default: every core this process may use); 1 runs in this process.
        The rows come in the same order whatever the number.
    dask : str or distributed.Client, optional
        Run the blocks on this Dask cluster instead (a scheduler address such as
        ``tcp://127.0.0.1:8786``, or a client); needs the ``[dask]`` extra.

    Returns
    -------
    DataFrame
        One row per configuration with the columns :data:`SWEEP_COLUMNS`, in the order
        spacing, standoff, radius, rotation; ``meets`` is ``coverage_fraction >= min_coverage
        and sustained_troops_max <= max_troops``; ``line_date`` is the line's date.

    Raises
    ------
    InputError
        For a bad value in the grid (zero, negative, NaN, longer than the line), a bad
        rotation, ``min_coverage`` outside 0-1 or ``max_troops`` not positive.

    Examples
    --------
    >>> from layers import load_layers
    >>> grid = sweep_grid(load_layers(), spacing_km=[50], radius_km=[25], rotation=[4])
    >>> grid[["units_placed", "troops_max", "sustained_troops_max"]].iloc[0].tolist()
    [23, 40000, 160000]
    """
    unit_type = unit if isinstance(unit, UnitType) else get_unit_type(unit, UNIT_TYPES)
    if not (isinstance(min_coverage, int | float) and 0.0 <= min_coverage <= 1.0):
        raise InputError(
            f"min coverage is {min_coverage!r}; expected a fraction from 0 to 1, e.g. 0.9"
        )
    if isinstance(max_troops, bool) or not isinstance(max_troops, int) or max_troops <= 0:
        raise InputError(f"max troops is {max_troops!r}; expected a positive whole number")
    prepared = prepare_line(layers.line)
    main_km = prepared.main.length_km
    spacings = _values("spacing_km", spacing_km, main_km, "main part of the line")
    radii = _values("radius_km", radius_km, prepared.length_km, "line")
    standoffs = _values(
        "standoff_km",
        [unit_type.standoff_km] if standoff_km is None else standoff_km,
        prepared.length_km,
        "line",
        allow_zero=True,
    )
    rotations = [validate_rotation(r) for r in dict.fromkeys(rotation)] if rotation else []
    if not rotations:
        raise InputError("--rotation has no values; give one or more, e.g. 3 4")
    check_configurations(
        [len(spacings), len(standoffs), len(radii), len(rotations)],
        ["spacings", "standoffs", "radii", "rotations"],
    )
    smallest = min(spacings)
    count = units_along(prepared, spacing_km=smallest, all_parts=all_parts)
    check_units([("", count, smallest, main_km)], where=f"the sweep's spacing of {smallest:g} km")
    availability = availability or Availability()
    ctx = _Context(
        prepared=prepared,
        occupied=layers.occupied,
        unit_type=unit_type,
        radii=tuple(radii),
        rotations=tuple(rotations),
        availability=availability,
        min_coverage=float(min_coverage),
        max_troops=int(max_troops),
        all_parts=all_parts,
    )
    tasks = list(itertools.product(spacings, standoffs))
    # run one standoff's spacings together, the largest standoffs (the costliest) first: a
    # worker then sets back the points along the line once per standoff and shares them
    # across its spacings (the line's memo), and the cheap blocks even out the end; the rows
    # come back in the order of `tasks` whatever ran them
    run_order = sorted(range(len(tasks)), key=lambda i: (-tasks[i][1], tasks[i][0]))
    per_task = len(radii) * len(rotations)
    bar: Any = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks) * per_task, unit="config", file=sys.stderr, desc="sweep")
    try:
        done = run_tasks(
            _block,
            ctx,
            [tasks[i] for i in run_order],
            jobs=jobs,
            dask=dask,
            on_done=None if bar is None else (lambda: bar.update(per_task)),
            chunksize=len(spacings),
        )
    finally:
        if bar is not None:
            bar.close()
    blocks: list[dict[str, np.ndarray]] = [{}] * len(tasks)
    for i, block in zip(run_order, done, strict=True):
        blocks[i] = block
    columns = {
        name: np.concatenate([b[name] for b in blocks]) if blocks else np.empty(0)
        for name in blocks[0]
    }
    frame = pd.DataFrame({"unit": unit_type.id, **columns})
    frame["line_date"] = _line_date(layers)
    for name in ("fits_availability", "fits_availability_low", "fits_brigades", "meets"):
        frame[name] = frame[name].astype(bool)
    return frame[SWEEP_COLUMNS]


def _line_date(layers: Layers) -> str:
    line = layers.line
    return str(line["date"].iloc[0]) if len(line) and "date" in line.columns else ""
