"""Placing units along the line: one every ``spacing_km``, ``standoff_km`` behind it.

One unit every ``spacing_km`` measured geodesically along a part, the first at ``offset_km``
(default ``spacing_km / 2``) from the part's start (parts run from their south-western end, so
the main part's first unit is near the Dnipro estuary); from its point on the line the unit
moves ``standoff_km`` along the geodesic at 90 degrees to the line's local direction
(``Geod.fwd``), to the friendly side. The local direction is that of the chord from
``standoff_km`` before to ``standoff_km`` after the point: on a straight stretch the line's own
azimuth; on the real, wiggly line its run at the scale of the standoff, so that a kink of a few
hundred metres does not swing a unit sideways into the next salient. The rules every position
keeps are in :mod:`planner.rules`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.geodesy import stations_km
from geo.prepared import PreparedLine
from planner.distances import check_km, prepare_line
from planner.rules import KYIV, Area, Ground, no_side_error, side_names, units_frame

__all__ = ["place_along"]


def place_along(
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    spacing_km: float,
    standoff_km: float,
    offset_km: float | None = None,
    all_parts: bool = False,
    occupied: Area | None = None,
    outline: BaseGeometry | None = None,
    kyiv: tuple[float, float] = KYIV,
) -> gpd.GeoDataFrame:
    """Place one unit every ``spacing_km`` along the line, ``standoff_km`` behind it.

    Parameters
    ----------
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact in lon/lat, parts oriented from their south-western end (as
        :mod:`layers.frontline` makes them); see :func:`planner.distances.prepare_line`.
    spacing_km : float
        Geodesic distance along the line between consecutive units, km.
    standoff_km : float
        Distance behind the line, km.
    offset_km : float, optional
        Distance of the first unit from the start of each part, km (default
        ``spacing_km / 2``). A part of length L gets ``floor((L - offset) / spacing) + 1`` units.
    all_parts : bool, default False
        Place along every part, not only the main one.
    occupied : GeoDataFrame, GeoSeries or (Multi)Polygon, optional
        Occupied territory: the friendly side is the side not in it. Without it, the side of
        the line holding Kyiv.
    outline : (Multi)Polygon, optional
        Ukraine's outline (default :func:`layers.oblasts.ukraine_outline`).
    kyiv : (float, float)
        Where Kyiv is, for the friendly side without an occupied polygon.

    Returns
    -------
    GeoDataFrame
        One Point per unit (EPSG:4326), in order along each part, with columns ``km_along``
        (km along its part of the unit's point on the line), ``part``,
        ``distance_to_line_km`` (geodesic, to the whole line), ``side`` (``"left"`` or
        ``"right"`` of the part's direction), ``oblast`` (``""`` outside every oblast) and
        ``nearest_unit_km`` (geodesic, to the nearest other unit; NaN for a lone unit).

    Raises
    ------
    InputError
        If a distance is zero, negative, not finite or absurd (a spacing longer than the
        line), or the line has no friendly side inside Ukraine.

    Examples
    --------
    >>> from shapely import LineString
    >>> units = place_along(LineString([(35.0, 47.0), (35.0, 48.8)]), spacing_km=50,
    ...                     standoff_km=10)
    >>> units["km_along"].tolist(), sorted(set(units["side"]))
    ([25.0, 75.0, 125.0, 175.0], ['left'])
    """
    prepared = prepare_line(line)
    spacing = check_km("spacing_km", spacing_km)
    standoff = check_km("standoff_km", standoff_km)
    chains = prepared.select(all_parts)
    longest = max(c.length_km for c in chains)
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
    out: dict[str, list] = {"lon": [], "lat": [], "km_along": [], "part": [], "side": [], "d": []}
    no_side = []
    for chain in chains:
        km = stations_km(chain.length_km, spacing_km=spacing, offset_km=offset)
        if km.size == 0:
            continue
        sign = ground.side_sign(chain, standoff)
        if sign is None:
            no_side.append(chain.part)
            continue
        lon, lat, distance, km, ok = ground.positions(chain, km, sign, standoff, spacing / 2.0)
        if not ok.any():
            no_side.append(chain.part)
        out["lon"].append(lon[ok])
        out["lat"].append(lat[ok])
        out["km_along"].append(km[ok])
        out["part"].append(np.full(int(ok.sum()), chain.part))
        out["side"] += side_names(sign, int(ok.sum()))
        out["d"].append(distance[ok])
    if prepared.main_part in no_side or not out["lon"] or not sum(map(len, out["lon"])):
        raise no_side_error(no_side or [c.part for c in chains])
    lon, lat = np.concatenate(out["lon"]), np.concatenate(out["lat"])
    return units_frame(
        lon,
        lat,
        {
            "km_along": np.concatenate(out["km_along"]),
            "part": np.concatenate(out["part"]).astype(np.int64),
            "distance_to_line_km": np.concatenate(out["d"]),
            "side": out["side"],
        },
    )
