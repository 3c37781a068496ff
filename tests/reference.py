"""Brute-force geodesic references for the tests: pyproj.Geod alone, none of deployplan's code.

The distance from a point to a polyline is found by sampling: the line's geodesics are cut
into equal pieces of at most 20 km (``Geod.inv`` for each segment's length and azimuth,
``Geod.fwd`` for the samples) and every sample is measured with ``Geod.inv``. The nearest
point of the line lies within half a piece of some sample, so the pieces next to every sample
no farther than the nearest plus half a piece hold it; those are sampled again, every 1 km,
100 m, 10 m and 1 m, until a round is off by at most 1e-7 d (a round of pieces s long is off by at
most sqrt(d^2 + (s / 2)^2) - d < s^2 / 8d), or by 0.5 m at most on the line itself.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

__all__ = ["REF", "line_distance_km", "sample_line"]

#: An independent Geod instance: the reference, not the code under test.
REF = pyproj.Geod(ellps="WGS84")

_STEPS_M = (20_000.0, 1000.0, 100.0, 10.0, 1.0)

FloatArray = NDArray[np.float64]


def _samples(
    lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray, step_m: float
) -> tuple[NDArray[np.intp], FloatArray, FloatArray]:
    """Points every ``step_m`` or less along geodesic arcs, both ends included.

    Returns, per sample, its place in its arc (0 at the start; the arcs follow each other)
    and its lon, lat.
    """
    azimuth, _, metres = REF.inv(lon1, lat1, lon2, lat2)
    count = np.maximum(np.ceil(np.asarray(metres) / step_m), 1).astype(np.intp) + 1
    arc = np.repeat(np.arange(count.size), count)
    place = np.arange(arc.size) - np.repeat(np.cumsum(count) - count, count)
    along = np.asarray(metres)[arc] * place / (count[arc] - 1)
    lon, lat, _ = REF.fwd(lon1[arc], lat1[arc], np.asarray(azimuth)[arc], along)
    return place, np.asarray(lon), np.asarray(lat)


def sample_line(lon: ArrayLike, lat: ArrayLike, step_km: float) -> tuple[FloatArray, FloatArray]:
    """Points every ``step_km`` or less along a polyline's geodesics (vertices included)."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    _, sx, sy = _samples(x[:-1], y[:-1], x[1:], y[1:], step_km * 1000.0)
    return sx, sy


def line_distance_km(
    lon: ArrayLike, lat: ArrayLike, parts: Iterable[tuple[ArrayLike, ArrayLike]]
) -> FloatArray:
    """Geodesic distance (km) from each point to the nearest point of any of the polylines.

    Parameters
    ----------
    lon, lat : array_like
        The points, degrees.
    parts : iterable of (lon, lat)
        The polylines' vertices, degrees.
    """
    ends = [
        np.asarray(v, dtype=np.float64) for x, y in parts for v in (x[:-1], y[:-1], x[1:], y[1:])
    ]
    segments = [np.concatenate(ends[i::4]) for i in range(4)]
    coarse = _samples(*segments, _STEPS_M[0])
    out = []
    for x, y in zip(np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True):
        place, sx, sy = coarse
        for step, finer in zip(_STEPS_M, [*_STEPS_M[1:], 0.0], strict=True):
            metres = REF.inv(np.full(sx.size, x), np.full(sx.size, y), sx, sy)[2]
            best = metres.min()
            if not finer or step**2 / 8.0 <= 1e-7 * best**2:
                break
            near = np.flatnonzero(metres <= best + step / 2.0 + 1e-6)
            # the pieces on either side of each near sample (within its own arc)
            last = np.append(place[1:] == 0, True)
            start = np.union1d(near[place[near] > 0] - 1, near[~last[near]])
            place, sx, sy = _samples(sx[start], sy[start], sx[start + 1], sy[start + 1], finer)
        out.append(best / 1000.0)
    return np.array(out)
