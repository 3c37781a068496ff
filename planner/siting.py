"""Optimal siting: the fewest units that cover the line, the best coverage with a fixed number.

:func:`min_units_to_cover` and :func:`max_coverage` both work on candidate positions at the
standoff every 0.5 km or less along each part (keeping the rules of :mod:`planner.rules`), each
covering an interval of km along its part; on a line the problems are one-dimensional and are
solved exactly by a greedy sweep and a dynamic programme.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.prepared import Chain, PreparedLine
from planner.coverage import disc_intervals
from planner.distances import check_km, prepare_line
from planner.rules import KYIV, Area, FloatArray, Ground, no_side_error, side_names, units_frame

__all__ = ["max_coverage", "min_units_to_cover"]

_EPS_KM = 1e-6
_CANDIDATE_STEP_KM = 0.5
_BISECTIONS = 24


@dataclass(frozen=True, eq=False)
class _Candidates:
    """Valid positions at the standoff along one part and the stretch [a, b] each covers."""

    chain: Chain
    sign: int
    km: FloatArray
    lon: FloatArray
    lat: FloatArray
    distance: FloatArray
    a: FloatArray
    b: FloatArray


def _reach(
    line: PreparedLine,
    chain: Chain,
    lon: FloatArray,
    lat: FloatArray,
    radius_km: float,
    km: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """The stretch of the part covered from each position: the run holding (or nearest) km.

    NaN where a position covers none of the part.
    """
    owner, on_chain, start, end = disc_intervals(line, lon, lat, radius_km)
    mine = on_chain == line.chains.index(chain)
    owner, start, end = owner[mine], start[mine], end[mine]
    a = np.full(km.size, np.nan)
    b = np.full(km.size, np.nan)
    if owner.size == 0:
        return a, b
    order = np.lexsort((start, owner))
    owner, start, end = owner[order], start[order], end[order]
    # one owner's intervals are disjoint, so a gap after the previous one starts a new run
    new = np.append(True, (owner[1:] != owner[:-1]) | (start[1:] > end[:-1] + _EPS_KM))
    first = np.flatnonzero(new)
    run_owner, run_start = owner[first], start[first]
    run_end = np.maximum.reduceat(end, first)
    miss = np.maximum(run_start - km[run_owner], 0.0) + np.maximum(km[run_owner] - run_end, 0.0)
    best = np.lexsort((miss, run_owner))
    best = best[np.append(True, run_owner[best][1:] != run_owner[best][:-1])]
    a[run_owner[best]], b[run_owner[best]] = run_start[best], run_end[best]
    return a, b


def _candidates(
    ground: Ground, chain: Chain, sign: int, standoff_km: float, radius_km: float, km: FloatArray
) -> _Candidates:
    lon, lat, distance = ground.set_back(chain, km, sign, standoff_km)
    ok = np.flatnonzero(ground.valid(lon, lat, distance, standoff_km))
    a, b = _reach(ground.line, chain, lon[ok], lat[ok], radius_km, km[ok])
    keep = ok[np.isfinite(a)]
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    return _Candidates(chain, sign, km[keep], lon[keep], lat[keep], distance[keep], a, b)


def _cover_setup(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    radius_km: float,
    standoff_km: float,
    all_parts: bool,
    occupied: Area | None,
    outline: BaseGeometry | None,
    kyiv: tuple[float, float],
) -> tuple[Ground, list[_Candidates], float, float]:
    """Validate, then the candidate positions of every part (grid of at most 0.5 km)."""
    radius = check_km("radius_km", radius_km)
    standoff = check_km("standoff_km", standoff_km)
    if radius <= standoff:
        raise InputError(
            f"radius_km ({radius:g}) does not exceed standoff_km ({standoff:g}): a unit that "
            "far behind the line covers none of it; pass a radius larger than the standoff"
        )
    prepared = prepare_line(line)
    ground = Ground.make(prepared, standoff, occupied, outline, kyiv)
    half_width = np.sqrt(radius**2 - standoff**2)
    step = min(_CANDIDATE_STEP_KM, half_width / 10.0)
    candidates = []
    for chain in prepared.select(all_parts):
        sign = ground.side_sign(chain, standoff)
        if sign is None:
            continue
        km = np.linspace(0.0, chain.length_km, int(np.ceil(chain.length_km / step)) + 1)
        candidates.append(_candidates(ground, chain, sign, standoff, radius, km))
    if not any(c.km.size for c in candidates):
        raise no_side_error([c.part for c in prepared.select(all_parts)])
    return ground, candidates, radius, standoff


def _cover_frame(
    picked: list[tuple[_Candidates, FloatArray, FloatArray, FloatArray, FloatArray]],
) -> gpd.GeoDataFrame:
    """Units at chosen positions (per part: km, lon, lat, distance), as place_along gives."""
    columns: dict[str, list[FloatArray]] = {"km": [], "lon": [], "lat": [], "d": []}
    parts: list[NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    sides: list[str] = []
    for cand, km, lon, lat, distance in picked:
        order = np.argsort(km)
        for key, values in zip(columns, (km, lon, lat, distance), strict=True):
            columns[key].append(values[order])
        parts.append(np.full(km.size, cand.chain.part, dtype=np.int64))
        sides += side_names(cand.sign, km.size)
    km_all, lon, lat, distance = (np.concatenate([np.empty(0), *v]) for v in columns.values())
    return units_frame(
        lon,
        lat,
        {
            "km_along": km_all,
            "part": np.concatenate(parts),
            "distance_to_line_km": distance,
            "side": sides,
        },
    )


def min_units_to_cover(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    radius_km: float,
    standoff_km: float,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """The fewest units, ``standoff_km`` behind the line, whose radius covers the whole line.

    Method: an exact 1-D sweep along the line. Candidate positions stand at the standoff on
    the friendly side every 0.5 km or less (with the rules of :func:`place_along`); each covers
    an interval of km along the line, from the geodesic distances (the run of line within its
    radius around its own point). For intervals on a line the greedy cover -- from the first
    uncovered km, take the candidate reaching farthest among those that cover it -- is optimal;
    each choice is then refined by bisection between neighbouring candidates, so on a straight
    stretch the count is the continuous optimum ``ceil(L / (2 sqrt(r^2 - d^2)))``.

    Why not spopt's LSCP: it solves the general set-cover integer programme with a MIP solver
    (an extra dependency, exponential in the worst case, exact only over the candidates given
    to it); on a line the problem is one-dimensional, and this sweep is exact and runs in time
    linear in the line's length. Parts are covered one by one (a unit is not credited for
    reaching two parts). Stretches that no valid position can reach (e.g. where the friendly
    side is outside Ukraine) are skipped.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    radius_km : float
        Each unit's coverage radius, km (larger than the standoff).
    standoff_km : float
        Distance behind the line, km.
    all_parts : bool, default False
        Cover every part, not only the main one.
    occupied, outline, kyiv
        As for :func:`place_along`.

    Returns
    -------
    GeoDataFrame
        The units, with the columns of :func:`place_along`; their number is the minimum.

    Raises
    ------
    InputError
        If a distance is bad, the radius does not exceed the standoff, or the line has no
        friendly side inside Ukraine.
    """
    ground, candidates, radius, standoff = _cover_setup(
        line, radius_km, standoff_km, all_parts, occupied, outline, kyiv
    )
    return _cover_frame([(c, *_greedy(ground, c, radius, standoff)) for c in candidates])


def _greedy(
    ground: Ground, cand: _Candidates, radius: float, standoff: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Greedy interval cover of one part: km, lon, lat and distance of the chosen positions."""
    a, b = cand.a, cand.b
    chosen: list[tuple[float, float, float, float]] = []
    x = 0.0
    while x < cand.chain.length_km - _EPS_KM:
        reach = np.where(a <= x + _EPS_KM, b, -np.inf)
        j = int(np.argmax(reach))
        if reach[j] <= x + _EPS_KM:  # nothing covers x: skip to where coverage can start
            later = a > x + _EPS_KM
            if not later.any():
                break
            x = float(a[later].min())
            continue
        best = (float(cand.km[j]), float(cand.lon[j]), float(cand.lat[j]), float(cand.distance[j]))
        best_b = float(b[j])
        if j + 1 < a.size and a[j + 1] > x + _EPS_KM:
            # the best position lies between this candidate and the next: bisect for the
            # farthest one along the line that still covers x
            lo, hi = float(cand.km[j]), float(cand.km[j + 1])
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo + hi)
                m = _candidates(ground, cand.chain, cand.sign, standoff, radius, np.array([mid]))
                if m.km.size and m.a[0] <= x + _EPS_KM:
                    lo = mid
                    if m.b[0] > best_b:
                        best_b = float(m.b[0])
                        best = (mid, float(m.lon[0]), float(m.lat[0]), float(m.distance[0]))
                else:
                    hi = mid
        chosen.append(best)
        x = best_b
    km, lon, lat, distance = (
        (np.array(v, dtype=np.float64) for v in zip(*chosen, strict=True))
        if chosen
        else (np.empty(0),) * 4
    )
    return km, lon, lat, distance


def max_coverage(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    count: int,
    radius_km: float,
    standoff_km: float,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """At most ``count`` units, ``standoff_km`` behind the line, covering as much of it as can be.

    Method: the candidates and intervals of :func:`min_units_to_cover`, then an exact dynamic
    programme over them. Intervals inside another are dropped (never better); the rest, sorted
    by start, are sorted by end too, so the union of a chosen sequence is
    ``sum(b_i - max(a_i, b_previous))``; ``F[j][i]``, the best union of j intervals ending with
    interval i, takes the best predecessor that ends before ``a_i`` (a prefix maximum) or that
    overlaps it (a range maximum, by sparse table): O(count * n log n) for n candidates.
    Parts share the units by a knapsack over their best values. Why not spopt's MCLP: as for
    LSCP, an integer programme and a solver for what is a one-dimensional problem solved
    exactly here. The optimum is over candidates every 0.5 km or less (within 0.5 km per unit of
    the continuous optimum).

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    count : int
        Number of units available (>= 1).
    radius_km, standoff_km, all_parts, occupied, outline, kyiv
        As for :func:`min_units_to_cover`.

    Returns
    -------
    GeoDataFrame
        The units, with the columns of :func:`place_along`: ``count`` of them, or fewer when
        fewer already cover all the line can be covered.

    Raises
    ------
    InputError
        As :func:`min_units_to_cover`, and if ``count`` is not a positive integer.
    """
    if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 1:
        raise InputError(
            f"count is {count!r}; expected a whole number of units >= 1; pass count=10"
        )
    _, candidates, _, _ = _cover_setup(
        line, radius_km, standoff_km, all_parts, occupied, outline, kyiv
    )
    per_part = [_best_intervals(c.a, c.b, count) for c in candidates]
    # knapsack: how many units each part gets
    best = np.zeros(count + 1)
    shares: list[list[int]] = [[] for _ in range(count + 1)]
    for values, _ in per_part:
        new = np.full(count + 1, -np.inf)
        new_shares: list[list[int]] = [[] for _ in range(count + 1)]
        for total in range(count + 1):
            for mine in range(min(total, values.size - 1) + 1):
                value = best[total - mine] + values[mine]
                if value > new[total] + _EPS_KM:
                    new[total] = value
                    new_shares[total] = [*shares[total - mine], mine]
        best, shares = new, new_shares
    allotment = shares[int(np.argmax(best))]
    picked = []
    for cand, (_, choose), n in zip(candidates, per_part, allotment, strict=True):
        idx = np.asarray(choose(n), dtype=np.intp)
        picked.append((cand, cand.km[idx], cand.lon[idx], cand.lat[idx], cand.distance[idx]))
    return _cover_frame(picked)


def _best_intervals(a: FloatArray, b: FloatArray, k: int):  # noqa: ANN202
    """Best union length with at most j of the intervals, j = 0..k, and how to get it.

    Returns ``values`` (array, ``values[j]`` the best union with at most j intervals) and a
    function giving the indices of the intervals that achieve ``values[j]``.
    """
    order = np.lexsort((-b, a))
    prior = np.concatenate(([-np.inf], np.maximum.accumulate(b[order])[:-1]))
    keep = order[b[order] > prior + _EPS_KM]  # not inside an earlier interval
    a_k, b_k = a[keep], b[keep]
    n = keep.size
    k = min(k, n)
    q = np.searchsorted(b_k, a_k, side="right")  # intervals 0..q-1 end before a_i
    arange = np.arange(n)
    scores = [np.zeros(0)]  # F[j], j >= 1
    preds = [np.zeros(0, dtype=np.intp)]
    score = b_k - a_k
    scores.append(score)
    preds.append(np.full(n, -1, dtype=np.intp))
    for _ in range(2, k + 1):
        prev = scores[-1]
        # predecessors that end before a_i: best prefix of prev
        prefix_arg = _running_argmax(prev)
        before_arg = np.where(q > 0, prefix_arg[np.maximum(q - 1, 0)], -1)
        before = np.where(q > 0, prev[before_arg] + b_k - a_k, -np.inf)
        # predecessors that overlap: max of prev - b over [q_i, i - 1]
        gain = prev - b_k
        over_arg = _range_argmax(gain, q, arange - 1)
        over = np.where(over_arg >= 0, gain[np.maximum(over_arg, 0)] + b_k, -np.inf)
        new = np.maximum(before, over)
        scores.append(np.where(np.isfinite(new), new, -np.inf))
        preds.append(np.where(before >= over, before_arg, over_arg))
    best_j = [np.max(s) if s.size else 0.0 for s in scores]
    values = np.maximum.accumulate(np.asarray(best_j, dtype=np.float64))

    def choose(j: int) -> list[int]:
        if j == 0 or n == 0:
            return []
        j = int(np.flatnonzero(np.asarray(best_j[: j + 1]) >= values[j] - _EPS_KM)[0])
        if j == 0:
            return []
        i = int(np.argmax(scores[j]))
        out = []
        while j >= 1 and i >= 0:
            out.append(int(keep[i]))
            i = int(preds[j][i])
            j -= 1
        return out

    return values, choose


def _running_argmax(values: FloatArray) -> NDArray[np.intp]:
    """Index of the maximum of values[0..i] for each i."""
    running = np.maximum.accumulate(values)
    is_new = np.append(True, values[1:] >= running[:-1])
    return np.maximum.accumulate(np.where(is_new, np.arange(values.size), 0))


def _range_argmax(
    values: FloatArray, lo: NDArray[np.intp], hi: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Index of the maximum of values[lo_i..hi_i] for each i (-1 where the range is empty)."""
    n = values.size
    table = [np.arange(n)]
    width = 1
    while 2 * width <= n:
        last = table[-1]
        left, right = last[: n - 2 * width + 1], last[width : n - width + 1]
        table.append(np.where(values[left] >= values[right], left, right))
        width *= 2
    empty = hi < lo
    span = np.where(empty, 1, hi - lo + 1)
    level = np.floor(np.log2(span)).astype(np.intp)
    out = np.full(lo.size, -1, dtype=np.intp)
    for lev in np.unique(level[~empty]):
        rows = np.flatnonzero((level == lev) & ~empty)
        first = table[lev][lo[rows]]
        second = table[lev][hi[rows] - (1 << lev) + 1]
        out[rows] = np.where(values[first] >= values[second], first, second)
    return out
