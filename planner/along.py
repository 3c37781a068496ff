"""Placing units along the line: one per slot, ``spacing_km`` apart, in the standoff band.

**Slots.** Each part of the line at least half a spacing long is cut into slots: slot k of a
part is the stretch from ``offset + (k - 1/2) * spacing`` to ``offset + (k + 1/2) * spacing``
km along it (clipped to the part; ``offset`` defaults to ``spacing / 2``, so the slots tile the
part from its south-western start). A part shorter than half a spacing has one slot, marked
``too-short``, and no unit. Parts are filled longest first (only the main part with
``all_parts=False``).

**One unit per slot, or none.** The unit of a slot starts from the slot's middle: from that
point on the line it moves ``standoff_km`` along the geodesic at 90 degrees to the line's local
direction (``Geod.fwd``), to the friendly side (the local direction is that of the chord from
``standoff_km`` before to ``standoff_km`` after the point, so a kink of a few hundred metres
does not swing a unit sideways into the next salient). If that position breaks a rule, the
point slides along the slot (nearest the middle first, steps of at most 1 km) until one keeps
every rule:

* its geodesic distance to the line, all parts, lies in the **standoff band**
  ``[standoff - 1 %, standoff + max(2 km, 25 % of the standoff)]`` (:func:`planner.rules.band_km`;
  on a bend that turns towards the unit it is pushed along its perpendicular, but never past
  the band);
* the nearest point of the line to it lies on the slot's own stretch: a unit is never pushed
  away from its slot;
* it is inside Ukraine and on the friendly side (:mod:`planner.rules`);
* its radius reaches the line (its distance is less than ``radius_km``, when given);
* it is at least ``spacing / 4`` from every unit of the deployment already placed.

A slot where no position keeps them stays **empty**, with the reason (``no-valid-position``, or
``outside-ukraine`` when every position tried fell outside Ukraine's outline). Every slot,
placed or not, is a row of the slots frame (:func:`place_along_slots`). Standoff 0 puts the
units on the line itself (band 0-2 km).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geodesy import distance_km as geodesic_km
from geo.geodesy import stations_km
from geo.geometry import geodesic_buffer
from geo.prepared import Chain, PreparedLine
from layers.oblasts import oblast_of
from planner.distances import check_km, prepare_line
from planner.rules import (
    KYIV,
    Area,
    FloatArray,
    Ground,
    band_km,
    no_side_error,
    side_names,
    units_frame,
)

__all__ = ["SLOT_COLUMNS", "SLOT_REASONS", "place_along", "place_along_slots", "positions_along"]

#: Columns of the slots frame (besides geometry, the slot's stretch of line).
SLOT_COLUMNS = ["slot", "part", "start_km", "end_km", "length_km", "oblast", "unit", "reason"]
#: Why a slot holds its unit or none.
SLOT_REASONS = ("placed", "no-valid-position", "outside-ukraine", "too-short")

# Slide steps along a slot: at most this long (km), at least this many per slot.
_SLIDE_STEP_KM = 1.0
_MIN_STEPS = 20
# Positions around the line (when a slot's perpendiculars fail) lie at most this far apart,
# degrees (about 0.3-0.45 km in Ukraine; farther for a large standoff: a twelfth of it).
_RING_STEP_DEG = 0.004
# A slot shorter than this many standoffs does not try the ring of its own stretch
# (:meth:`_Placer.stretch_ring_trial`), only that of the whole line.
_STRETCH_RING_MIN = 0.25


def _piece(chain: Chain, start_km: float, end_km: float) -> LineString:
    """The stretch of a part between two km, following its vertices."""
    inner = np.flatnonzero((chain.km > start_km) & (chain.km < end_km))
    end_lon, end_lat, _ = chain.interpolate([start_km, end_km])
    lon = np.concatenate(([end_lon[0]], chain.lon[inner], [end_lon[1]]))
    lat = np.concatenate(([end_lat[0]], chain.lat[inner], [end_lat[1]]))
    return LineString(np.column_stack((lon, lat)))


# The set-back positions remembered per (part, side, distance) of one line (in its memo) are
# at most this many: a sweep's placements at one standoff try the same points along the line
# for spacing after spacing.
_SET_BACK_MEMO = 200_000


def _set_back(
    ground: Ground, chain: Chain, km: FloatArray, sign: int, move: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:meth:`Ground.set_back` of the points at ``km``, each computed once per line.

    Each point's position depends on nothing but the line, its km, the side and the distance
    moved, so the results are kept in the line's memo (sorted by km) and only the points not
    met before are set back (then merged in): a sweep places units at one standoff for many
    spacings, whose slots' points along the line largely coincide.
    """
    km = np.asarray(km, dtype=np.float64)
    key = ("along.set_back", chain.part, int(sign), float(move))
    stored: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None
    stored = ground.line.memo.get(key)  # type: ignore[assignment]
    lon, lat, distance = np.empty(km.size), np.empty(km.size), np.empty(km.size)
    hit = np.zeros(km.size, dtype=bool)
    if stored is not None:
        s_km = stored[0]
        at = np.minimum(np.searchsorted(s_km, km), s_km.size - 1)
        hit = s_km[at] == km
        lon[hit], lat[hit], distance[hit] = (column[at[hit]] for column in stored[1:])
    if hit.all():
        return lon, lat, distance
    miss = ~hit
    new_km = np.unique(km[miss])
    fresh = (new_km, *ground.set_back(chain, new_km, sign, move))
    at = np.searchsorted(new_km, km[miss])
    lon[miss], lat[miss], distance[miss] = (column[at] for column in fresh[1:])
    if stored is None:
        ground.line.memo[key] = fresh
    elif stored[0].size + new_km.size <= _SET_BACK_MEMO:
        order = np.argsort(np.concatenate((stored[0], new_km)), kind="stable")
        ground.line.memo[key] = tuple(
            np.concatenate((old, new))[order] for old, new in zip(stored, fresh, strict=True)
        )
    return lon, lat, distance


class _Placer:
    """The units placed so far in one deployment, and the test a new position must pass."""

    def __init__(
        self, ground: Ground, standoff_km: float, spacing_km: float, radius_km: float | None
    ) -> None:
        self.ground = ground
        self.standoff = standoff_km
        self.min_apart = spacing_km / 4.0
        low, high = band_km(standoff_km)
        if radius_km is not None:
            high = min(high, radius_km * (1.0 - 1e-9))
        self.low, self.high = low, high
        # how far to move behind the line: the standoff, or the middle of the band where a
        # radius short of the standoff caps it (a unit must reach the line)
        self.move = standoff_km if standoff_km <= high else 0.5 * (low + high)
        self.lon: list[float] = []
        self.lat: list[float] = []
        self._by_lat: list[float] = []  # the placed units' latitudes, sorted
        self._order: list[int] = []  # their indices into lon / lat, in that order

    def apart(self, lon: FloatArray, lat: FloatArray) -> NDArray[np.bool_]:
        """At least a quarter spacing from every unit placed so far."""
        ok = np.ones(lon.size, dtype=bool)
        if not self.lon:
            return ok
        # a degree of latitude is at least 110.5 km: only units that near in latitude can be;
        # they are found by bisection in the placed units sorted by latitude, so that a check
        # costs the candidates and their neighbours, not every unit placed (20,000 at most)
        dlat = self.min_apart / 110.5
        first = [bisect.bisect_left(self._by_lat, y - dlat) for y in lat.tolist()]
        last = [bisect.bisect_right(self._by_lat, y + dlat) for y in lat.tolist()]
        counts = np.subtract(last, first)
        if counts.sum() == 0:
            return ok
        rows = np.repeat(np.arange(lon.size), counts)
        at = np.concatenate([np.arange(a, b) for a, b in zip(first, last, strict=True) if b > a])
        cols = np.asarray(self._order)[at]
        placed_lon, placed_lat = np.asarray(self.lon)[cols], np.asarray(self.lat)[cols]
        d = geodesic_km(lon[rows], lat[rows], placed_lon, placed_lat)
        ok[np.unique(rows[d < self.min_apart])] = False
        return ok

    def trial(
        self, chain: Chain, sign: int, km: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
        """Positions behind ``km``: lon, lat, distance, which keep the terrain rules, inside.

        The terrain rules are all but the spacing from units already placed (:meth:`apart`,
        which depends on the order of placement): the band, the radius, inside Ukraine and
        the friendly side. One vectorised pass for any number of points.
        """
        ground = self.ground
        lon, lat, distance = _set_back(ground, chain, km, sign, self.move)
        # set_back measured each within its move (the point on the line it left is that
        # near); none found that near (not expected) is measured again without the bound
        lost = ~np.isfinite(distance)
        if lost.any():
            distance[lost] = ground.line.distance_km(lon[lost], lat[lost])
        ok = (distance >= self.low - 1e-9) & (distance <= self.high + 1e-9)
        inside = ground.inside(lon, lat)
        ok &= inside
        check = ok & (distance > 0.05)
        ok[check] &= ground.friendly(lon[check], lat[check])
        return lon, lat, distance, ok, inside

    def ring_trial(
        self, chain: Chain, index: int, start: float, end: float, centre: float
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_], bool]:
        """Positions at two distances in the band from the whole line, nearest the stretch.

        Wherever the perpendiculars fail (deep salients, tight wiggles), the positions on the
        outline of the line's geodesic buffer at the standoff (or just inside a capped band)
        and at the middle of the band's upper half (:func:`_ring_positions`, computed once
        per line and distance) whose nearest point of the whole line lies on the slot's
        stretch: every one keeps the slot and, measured exactly, the band. Returns lon, lat,
        distance, km along the part of the nearest point, which keep every rule (nearest
        the slot's middle first), and whether any is inside Ukraine.
        """
        parts = [_ring_positions(self.ground.line, index, start, end, r) for r in self._radii()]
        lon, lat, distance, km = (np.concatenate(column) for column in zip(*parts, strict=True))
        return self._ranked(lon, lat, distance, km, centre)

    def stretch_ring_trial(
        self, chain: Chain, index: int, start: float, end: float, centre: float
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_], bool]:
        """Positions at two distances in the band from the slot's stretch alone, any direction.

        The last resort of a slot :meth:`ring_trial` leaves empty: the outline of the geodesic
        buffer of the stretch itself (not of the whole line), so also the positions whose
        nearest point of the line lies just beyond the stretch (where it bends back); they
        stand within the radius of the stretch and, measured exactly to all parts, keep the
        band. Same returns as :meth:`ring_trial`, km clipped to the slot.
        """
        piece = _piece(chain, start, end)
        xy = np.concatenate(
            [
                shapely.get_coordinates(
                    shapely.segmentize(
                        geodesic_buffer(piece, r, resolution=32).exterior,
                        max(_RING_STEP_DEG, r / 111.0 / 12.0),
                    )
                )
                for r in self._radii()
            ]
        )
        lon, lat = xy[:, 0].copy(), xy[:, 1].copy()
        # the outline runs round the stretch, so about half of it is on the other side: only
        # the points inside Ukraine on the friendly side (cheap tests) are searched for their
        # distance to all parts and where on the line the nearest point is (on another part,
        # or beyond the slot: the slot's nearest end, for the order); the others cannot be
        # taken whatever their distance
        ground = self.ground
        inside = ground.inside(lon, lat)
        friendly = inside.copy()
        friendly[inside] = ground.friendly(lon[inside], lat[inside])
        distance = np.full(lon.size, np.nan)
        km = np.full(lon.size, centre)
        if friendly.any():
            d, chain_of, at_km = ground.line.nearest(
                lon[friendly], lat[friendly], upper_km=self.high + 1.0
            )
            distance[friendly] = d
            km[friendly] = np.clip(np.where(chain_of == index, at_km, centre), start, end)
        return self._ranked(lon, lat, distance, km, centre, inside=inside, friendly=friendly)

    def _radii(self) -> tuple[float, float]:
        """The two distances the rings are drawn at: the standoff (just inside a capped
        band) and the middle of the band's upper half."""
        mid = 0.5 * (self.low + self.high)
        return min(self.standoff * 1.02, mid), 0.5 * (mid + self.high)

    def _ranked(
        self,
        lon: FloatArray,
        lat: FloatArray,
        distance: FloatArray,
        km: FloatArray,
        centre: float,
        *,
        inside: NDArray[np.bool_] | None = None,
        friendly: NDArray[np.bool_] | None = None,
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_], bool]:
        """Ring positions nearest the slot's middle first, and which keep every rule.

        Returns them as :meth:`ring_trial` does: lon, lat, distance, km, ok and whether any
        is inside Ukraine. ``inside`` and ``friendly`` (of every position), if given, are
        the ground's tests already made (a NaN distance is outside the band).
        """
        ground = self.ground
        ok = (distance >= self.low - 1e-9) & (distance <= self.high + 1e-9)
        if inside is None:
            inside = ground.inside(lon, lat)
        ok &= inside
        order = np.argsort(np.abs(np.where(ok, km, np.inf) - centre), kind="stable")
        lon, lat, distance, km, ok = lon[order], lat[order], distance[order], km[order], ok[order]
        if friendly is None:
            ok[ok] &= ground.friendly(lon[ok], lat[ok])
        else:
            ok &= friendly[order]
        ok[ok] &= self.apart(lon[ok], lat[ok])
        return lon, lat, distance, km, ok, bool(inside.any())

    def fill(
        self, chain: Chain, index: int, sign: int, slot: tuple[float, float, float], tries: _Tries
    ) -> tuple[tuple[float, float, float, float] | None, str]:
        """The slot's unit (lon, lat, km along, distance) or None, and the slot's reason.

        ``slot`` is the slot's middle, start and end (km along the part). The first of
        ``tries`` (the perpendicular from the slot's middle, then from points sliding along
        it, nearest the middle first) that keeps the terrain rules and is :meth:`apart` is
        taken, else the positions at the standoff from the slot's stretch in any direction
        (:meth:`ring_trial`, then :meth:`stretch_ring_trial`). The unit found is recorded as
        placed.
        """
        centre, start, end = slot
        found = self._take(tries)
        if found is None and not tries.slides:
            # the middle keeps the terrain rules but is too near a unit placed before it
            km = np.concatenate(([centre], _slide_order(centre, start, end)))
            lon, lat, d, ok, inside_all = self.trial(chain, sign, km)
            tries = _Tries(lon, lat, km, d, ok, bool(inside_all.any()), True)
            found = self._take(tries)
        if found is not None:
            return found, "placed"
        any_inside = tries.inside
        if self.standoff > 0.0:
            trials = [self.ring_trial]
            if end - start >= _STRETCH_RING_MIN * self.standoff:
                # a stretch this short has a ring close to the whole line's near it (which
                # ring_trial tried): only longer ones are worth their own buffer
                trials.append(self.stretch_ring_trial)
            for trial in trials:
                lon, lat, d, km, ok, ring_inside = trial(chain, index, start, end, centre)
                any_inside |= ring_inside
                good = np.flatnonzero(ok)
                if good.size:
                    j = int(good[0])
                    return self._add(lon[j], lat[j], km[j], d[j]), "placed"
        return None, "no-valid-position" if any_inside else "outside-ukraine"

    def _take(self, tries: _Tries) -> tuple[float, float, float, float] | None:
        """Place the unit at the first of ``tries`` that keeps every rule, if any."""
        good = np.flatnonzero(tries.ok)
        if good.size:
            good = good[self.apart(tries.lon[good], tries.lat[good])]
        if good.size == 0:
            return None
        j = int(good[0])
        return self._add(tries.lon[j], tries.lat[j], tries.km[j], tries.distance[j])

    def _add(
        self, lon: float, lat: float, km: float, distance: float
    ) -> tuple[float, float, float, float]:
        where = bisect.bisect_right(self._by_lat, float(lat))
        self._by_lat.insert(where, float(lat))
        self._order.insert(where, len(self.lon))
        self.lon.append(float(lon))
        self.lat.append(float(lat))
        return float(lon), float(lat), float(km), float(distance)


def _ring_positions(
    line: PreparedLine, index: int, start: float, end: float, radius_km: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Positions about ``radius_km`` from the whole line whose nearest point is on a stretch.

    Points of the outline (every ring) of the line's geodesic buffer at ``radius_km``
    (:func:`_ring_outline`) whose nearest point of the whole line lies on part ``index``
    between ``start`` and ``end`` km: lon, lat, geodesic distance to the line and km along
    the part of that nearest point.
    """
    lon, lat, distance, chains, km = _ring_outline(line, radius_km)
    # the outline is sorted by (chain, km): the stretch's points are one run, found by bisection
    first = np.searchsorted(chains, index, side="left")
    last = np.searchsorted(chains, index, side="right")
    a = first + np.searchsorted(km[first:last], start, side="left")
    b = first + np.searchsorted(km[first:last], end, side="right")
    return lon[a:b], lat[a:b], distance[a:b], km[a:b]


def _ring_outline(
    line: PreparedLine, radius_km: float
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.intp], FloatArray]:
    """The outline of the line's geodesic buffer at ``radius_km``, measured exactly.

    Every ring of :func:`geo.geometry.geodesic_buffer` of all parts, its points at most
    :data:`_RING_STEP_DEG` degrees or a twelfth of the radius apart: lon, lat, geodesic
    distance to the line, index of the nearest part and km along it of the nearest point.
    Computed once per line and radius (kept in ``line.memo``): a sweep's placements on one
    line share it.
    """
    key = ("along.ring", round(float(radius_km), 9))
    cached = line.memo.get(key)
    if cached is None:
        lines = shapely.multilinestrings([shapely.linestrings(c.lon, c.lat) for c in line.chains])
        # Simplified first, by a fiftieth of the radius (the rings, at 1.02 standoffs and
        # beyond, then stay above the band's lower edge, 0.99): the buffer of a line of
        # millions of vertices would take gigabytes, a wiggly one's seconds, and every
        # outline point is measured exactly below.
        lines = shapely.simplify(lines, radius_km / 111.0 / 50.0, preserve_topology=False)
        area = geodesic_buffer(lines, radius_km, resolution=32)
        step = max(_RING_STEP_DEG, radius_km / 111.0 / 12.0)
        xy = shapely.get_coordinates(shapely.segmentize(shapely.boundary(area), step))
        lon, lat = xy[:, 0].copy(), xy[:, 1].copy()
        distance, chain, km = line.nearest(lon, lat, upper_km=radius_km * 1.01 + 1.0)
        found = chain >= 0  # every point is within the bound; one beyond it is not a position
        order = np.lexsort((km[found], chain[found]))
        cached = tuple(a[found][order] for a in (lon, lat, distance, chain, km))
        line.memo[key] = cached
    return cached  # type: ignore[return-value]


def _slots_of(
    chain: Chain, spacing: float, offset: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Middles, starts and ends (km) of the slots of a part at least half a spacing long."""
    centres = stations_km(chain.length_km, spacing_km=spacing, offset_km=offset)
    if centres.size == 0:  # a part shorter than the offset: one slot over all of it
        centres = np.array([chain.length_km / 2.0])
        return centres, np.array([0.0]), np.array([chain.length_km])
    starts = np.maximum(centres - spacing / 2.0, 0.0)
    ends = np.minimum(centres + spacing / 2.0, chain.length_km)
    return centres, starts, ends


def _slide_order(centre: float, start: float, end: float) -> FloatArray:
    """Km of the slot's points to try after its middle: nearest the middle first."""
    step = min(_SLIDE_STEP_KM, (end - start) / _MIN_STEPS)
    if step <= 0.0:
        return np.empty(0)
    up = np.arange(centre + step, end + 1e-9, step)
    down = np.arange(centre - step, start - 1e-9, -step)
    trials = np.concatenate((up, down))
    return trials[np.argsort(np.abs(trials - centre), kind="stable")]


def place_along_slots(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    spacing_km: float,
    standoff_km: float,
    radius_km: float | None = None,
    offset_km: float | None = None,
    all_parts: bool = True,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Place one unit per slot along the line, in the standoff band; say what each slot holds.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact in lon/lat, parts oriented from their south-western end (as
        :mod:`layers.frontline` makes them); see :func:`planner.distances.prepare_line`.
    spacing_km : float
        Geodesic distance along the line between consecutive slots' middles, km.
    standoff_km : float
        Distance behind the line, km (0 puts the units on the line).
    radius_km : float, optional
        The units' coverage radius, km: a position from which it does not reach the line is
        not taken.
    offset_km : float, optional
        Distance of the first slot's middle from the start of each part, km (default
        ``spacing_km / 2``). A part of length L >= offset has
        ``floor((L - offset) / spacing) + 1`` slots.
    all_parts : bool, default True
        Slots on every part of the line (longest first), not only the main one.
    occupied : GeoDataFrame, GeoSeries or (Multi)Polygon, optional
        Occupied territory: the friendly side is the side not in it. Without it, the side of
        the line holding Kyiv.
    outline : (Multi)Polygon, optional
        Ukraine's outline (default :func:`layers.oblasts.ukraine_outline`).
    kyiv : (float, float)
        Where Kyiv is, for the friendly side without an occupied polygon.

    Returns
    -------
    units : GeoDataFrame
        One Point per unit (EPSG:4326), part by part (longest first), in order along each,
        with columns ``km_along`` (km along its part of the unit's point on the line),
        ``part``, ``distance_to_line_km`` (geodesic, to the whole line), ``side`` (``"left"``
        or ``"right"`` of the part's direction), ``oblast`` (``""`` outside every oblast) and
        ``nearest_unit_km`` (geodesic, to the nearest other unit; NaN for a lone unit).
    slots : GeoDataFrame
        One LineString per slot (its stretch of line, EPSG:4326) with columns ``slot``
        (1, 2, ... over the deployment), ``part``, ``start_km``, ``end_km``, ``length_km``,
        ``oblast`` (of the slot's middle), ``unit`` (row of ``units`` holding it, -1 when
        empty) and ``reason`` (one of :data:`SLOT_REASONS`).

    Raises
    ------
    InputError
        If the spacing is zero, negative, not finite or longer than the line, the standoff is
        negative, not finite or absurd, the radius does not exceed the band's lower edge, or
        the main part has no friendly side inside Ukraine.

    Examples
    --------
    >>> from shapely import LineString
    >>> units, slots = place_along_slots(LineString([(35.0, 47.0), (35.0, 48.8)]),
    ...                                  spacing_km=50, standoff_km=10)
    >>> units["km_along"].tolist(), slots["reason"].tolist()
    ([25.0, 75.0, 125.0, 175.0], ['placed', 'placed', 'placed', 'placed'])
    """
    prepared, units, rows, geoms = _fill_slots(
        line, spacing_km, standoff_km, radius_km, offset_km, all_parts, occupied, outline, kyiv
    )
    lon = np.asarray(units["lon"], dtype=np.float64)
    lat = np.asarray(units["lat"], dtype=np.float64)
    frame = units_frame(
        lon,
        lat,
        {
            "km_along": np.asarray(units["km"], dtype=np.float64),
            "part": np.asarray(units["part"], dtype=np.int64),
            "distance_to_line_km": np.asarray(units["d"], dtype=np.float64),
            "side": units["side"],
        },
    )
    return frame, _slots_frame(prepared, rows, geoms)


@dataclass(frozen=True)
class _Tries:
    """Positions to try for one slot, in order, with the terrain rules already checked.

    Each of ``lon``, ``lat``, ``km`` (along the part of the point each stands behind),
    ``distance`` (to the line) and ``ok`` (keeps the terrain rules) holds the slot's middle
    first, then its sliding points nearest the middle first; ``inside`` says whether any is
    inside Ukraine. ``slides`` is False when the sliding points are left out because the
    middle keeps the terrain rules: they are measured only if the middle proves too near a
    unit placed before it (:meth:`_Placer.fill`).
    """

    lon: FloatArray
    lat: FloatArray
    km: FloatArray
    distance: FloatArray
    ok: NDArray[np.bool_]
    inside: bool
    slides: bool


def _slot_tries(
    placer: _Placer,
    chain: Chain,
    sign: int | None,
    centres: FloatArray,
    starts: FloatArray,
    ends: FloatArray,
) -> list[_Tries] | None:
    """Each slot's positions to try (:class:`_Tries`), in two vectorised passes per part.

    The perpendiculars from every slot's middle first; then, for the slots whose middle
    breaks a terrain rule, the perpendiculars from all their sliding points at once. None
    when the part has no friendly side.
    """
    if sign is None:
        return None
    lon, lat, d, ok, inside = placer.trial(chain, sign, centres)
    orders = [
        np.concatenate(([c], _slide_order(c, a, b))) if not ok[k] else np.array([c])
        for k, (c, a, b) in enumerate(zip(centres, starts, ends, strict=True))
    ]
    slide = ~ok
    bounds = np.concatenate(([0], np.cumsum([o.size for o in orders])))
    km = np.concatenate(orders)
    t_lon, t_lat, t_d, t_ok, t_inside = lon.copy(), lat.copy(), d.copy(), ok.copy(), inside
    if slide.any():
        # the failing slots' sliding points (their middles are measured again: cheap, and
        # it keeps each slot's arrays in one piece)
        pick = np.repeat(slide, np.diff(bounds))
        s_lon, s_lat, s_d, s_ok, s_inside = placer.trial(chain, sign, km[pick])
        t_lon, t_lat, t_d = (np.empty(km.size) for _ in range(3))
        t_ok, t_inside = np.empty(km.size, dtype=bool), np.empty(km.size, dtype=bool)
        keep = ~pick
        t_lon[pick], t_lat[pick], t_d[pick], t_ok[pick], t_inside[pick] = (
            s_lon,
            s_lat,
            s_d,
            s_ok,
            s_inside,
        )
        t_lon[keep], t_lat[keep], t_d[keep] = lon[~slide], lat[~slide], d[~slide]
        t_ok[keep], t_inside[keep] = ok[~slide], inside[~slide]
    return [
        _Tries(
            t_lon[a:b],
            t_lat[a:b],
            km[a:b],
            t_d[a:b],
            t_ok[a:b],
            bool(t_inside[a:b].any()),
            bool(slide[k]),
        )
        for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:], strict=True))
    ]


def _slots_frame(prepared: PreparedLine, rows: dict[str, list], geoms: list) -> gpd.GeoDataFrame:
    """The slots as a frame: their stretches, where they are and what each holds."""
    part = np.asarray(rows["part"], dtype=np.int64)
    start = np.asarray(rows["start"], dtype=np.float64)
    end = np.asarray(rows["end"], dtype=np.float64)
    mid_lon = np.empty(part.size)
    mid_lat = np.empty(part.size)
    by_part = {c.part: c for c in prepared.chains}
    for i, (p, m) in enumerate(zip(part, rows["mid"], strict=True)):
        x, y, _ = by_part[int(p)].interpolate([float(m)])
        mid_lon[i], mid_lat[i] = x[0], y[0]
    frame = pd.DataFrame(
        {
            "slot": np.arange(1, part.size + 1, dtype=np.int64),
            "part": part,
            "start_km": start,
            "end_km": end,
            "length_km": end - start,
            "oblast": np.asarray(oblast_of(mid_lon, mid_lat), dtype=object)
            if part.size
            else np.empty(0, dtype=object),
            "unit": np.asarray(rows["unit"], dtype=np.int64),
            "reason": np.asarray(rows["reason"], dtype=object),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


def _fill_slots(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    spacing_km: float,
    standoff_km: float,
    radius_km: float | None,
    offset_km: float | None,
    all_parts: bool,
    occupied: Area | None,
    outline: BaseGeometry | None,
    kyiv: tuple[float, float],
    *,
    pieces: bool = True,
) -> tuple[PreparedLine, dict[str, list], dict[str, list], list[LineString]]:
    """The checks and the filling of :func:`place_along_slots`: the prepared line, the units
    placed (lon, lat, km, part, side, d), the slots' rows and, with ``pieces``, their stretches.
    """
    prepared = prepare_line(line)
    spacing = check_km("spacing_km", spacing_km)
    standoff = check_km("standoff_km", standoff_km, allow_zero=True)
    radius = None if radius_km is None else check_km("radius_km", radius_km)
    low, _ = band_km(standoff)
    if radius is not None and radius <= low:
        raise InputError(
            f"radius_km ({radius:g}) does not exceed standoff_km ({standoff:g}): a unit that "
            "far behind the line covers none of it; pass a radius larger than the standoff"
        )
    chains = sorted(prepared.select(all_parts), key=lambda c: -c.length_km)
    longest = chains[0].length_km
    what = "line" if all_parts else "main part of the line"
    if spacing > longest:
        raise InputError(
            f"spacing_km is {spacing:g} km, longer than the {what} ({longest:.1f} km); "
            + (
                f"pass a spacing below {longest:.0f} km"
                if longest >= 2
                else "give the real line of contact (this one is too short to plan on)"
            )
        )
    offset = (
        spacing / 2.0 if offset_km is None else check_km("offset_km", offset_km, allow_zero=True)
    )
    if offset > longest:
        raise InputError(
            f"offset_km is {offset:g} km, beyond the end of the {what} ({longest:.1f} km); "
            f"pass an offset below {longest:.0f} km"
        )
    ground = Ground.make(prepared, standoff, occupied, outline, kyiv)
    placer = _Placer(ground, standoff, spacing, radius)
    units: dict[str, list] = {"lon": [], "lat": [], "km": [], "part": [], "side": [], "d": []}
    rows: dict[str, list] = {k: [] for k in ("part", "start", "end", "mid", "unit", "reason")}
    geoms: list[LineString] = []
    for chain in chains:
        index = prepared.chains.index(chain)
        if chain.length_km < spacing / 2.0:
            for key, value in zip(
                rows,
                (chain.part, 0.0, chain.length_km, chain.length_km / 2, -1, "too-short"),
                strict=True,
            ):
                rows[key].append(value)
            if pieces:
                geoms.append(_piece(chain, 0.0, chain.length_km))
            continue
        centres, starts, ends = _slots_of(chain, spacing, offset)
        sign = ground.side_sign(chain, standoff)
        if sign is None and chain.part == prepared.main_part:
            raise no_side_error([chain.part])
        tries = _slot_tries(placer, chain, sign, centres, starts, ends)
        for k, (centre, start, end) in enumerate(zip(centres, starts, ends, strict=True)):
            found, reason = (
                placer.fill(chain, index, sign, (centre, start, end), tries[k])
                if tries is not None and sign is not None
                else (None, "no-valid-position")
            )
            unit = -1
            if found is not None:
                unit = len(units["lon"])
                lon_j, lat_j, km_j, d_j = found
                for key, value in zip(
                    units,
                    (lon_j, lat_j, km_j, chain.part, side_names(sign or 1, 1)[0], d_j),
                    strict=True,
                ):
                    units[key].append(value)
            for key, value in zip(
                rows, (chain.part, start, end, centre, unit, reason), strict=True
            ):
                rows[key].append(value)
            if pieces:
                geoms.append(_piece(chain, float(start), float(end)))
    if not units["lon"]:
        raise no_side_error(sorted({int(p) for p in rows["part"]}))
    return prepared, units, rows, geoms


def positions_along(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    spacing_km: float,
    standoff_km: float,
    radius_km: float | None = None,
    all_parts: bool = True,
    occupied: Area | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lon and lat of the units :func:`place_along_slots` places, and nothing else.

    For grids of placements (:func:`planner.sweep.sweep_grid`), which need the positions
    only: the same units in the same order, without the frames of units and slots (their
    oblasts, nearest-unit distances and stretches of line).
    """
    _, units, _, _ = _fill_slots(
        line,
        spacing_km,
        standoff_km,
        radius_km,
        None,
        all_parts,
        occupied,
        None,
        KYIV,
        pieces=False,
    )
    return np.asarray(units["lon"], dtype=np.float64), np.asarray(units["lat"], dtype=np.float64)


def place_along(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    spacing_km: float,
    standoff_km: float,
    radius_km: float | None = None,
    offset_km: float | None = None,
    all_parts: bool = True,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """Place one unit per slot along the line, ``standoff_km`` behind it (in the band).

    The units of :func:`place_along_slots` (which see for the parameters and the rules),
    without the slots.

    Examples
    --------
    >>> from shapely import LineString
    >>> units = place_along(LineString([(35.0, 47.0), (35.0, 48.8)]), spacing_km=50,
    ...                     standoff_km=10)
    >>> units["km_along"].tolist(), sorted(set(units["side"]))
    ([25.0, 75.0, 125.0, 175.0], ['left'])
    """
    units, _ = place_along_slots(
        line,
        spacing_km=spacing_km,
        standoff_km=standoff_km,
        radius_km=radius_km,
        offset_km=offset_km,
        all_parts=all_parts,
        occupied=occupied,
        outline=outline,
        kyiv=kyiv,
    )
    return units
