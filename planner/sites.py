"""Placing units at fixed sites away from the line: the reassurance force's hinterland bases.

Unlike :func:`planner.along.place_along` and :func:`planner.around.place_around_points`, the
positions are given (one unit per site, e.g. :func:`layers.hinterland.default_sites`); what is
measured is how far each is from the line. A site nearer the line than ``min_distance_km``
(the unit type's standoff) gets no unit: a hinterland force keeps away from the front. On the
bundled line every bundled site is at least 100 km away; on another line (an older front, a
user's file) the sites too near are left out and listed (:func:`sites_too_near`), and only
when none is left is it an error.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.prepared import PreparedLine
from planner.distances import as_lonlat, check_km, prepare_line
from planner.rules import units_frame

__all__ = ["place_at_sites", "sites_too_near"]


def _names(sites: gpd.GeoDataFrame) -> list[str]:
    if "name" in sites.columns:
        return sites["name"].astype(str).tolist()
    return [str(i) for i in sites.index]


def sites_too_near(
    sites: gpd.GeoDataFrame,
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    min_distance_km: float,
) -> list[tuple[str, float]]:
    """(name, km from the line) of each site nearer the line than ``min_distance_km``."""
    floor = check_km("min_distance_km", min_distance_km)
    if len(sites) == 0:
        return []
    lon, lat = as_lonlat(sites)
    distance, _, _ = prepare_line(line).nearest(lon, lat)
    return [(n, float(d)) for n, d in zip(_names(sites), distance, strict=True) if d < floor]


def place_at_sites(
    sites: gpd.GeoDataFrame,
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
    *,
    min_distance_km: float,
) -> gpd.GeoDataFrame:
    """One unit at each site; each at least ``min_distance_km`` from the line (geodesic).

    Parameters
    ----------
    sites : GeoDataFrame
        Points (lon/lat), named by a ``name`` column if there is one, else by their index.
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact.
    min_distance_km : float
        Least distance from the line a site may have, km.

    Returns
    -------
    GeoDataFrame
        One Point per site far enough from the line (EPSG:4326) with the columns of
        :func:`planner.along.place_along` (``km_along`` NaN, ``part`` the nearest part,
        ``distance_to_line_km`` geodesic, ``side`` empty) and ``site`` (its name).

    Raises
    ------
    InputError
        If there are no sites, or every site is nearer the line than ``min_distance_km``.
    """
    floor = check_km("min_distance_km", min_distance_km)
    if len(sites) == 0:
        raise InputError("no sites to place units at; pass a layer of one Point per site")
    prepared = prepare_line(line)
    lon, lat = as_lonlat(sites)
    distance, chain, _ = prepared.nearest(lon, lat)
    names = _names(sites)
    keep = distance >= floor
    if not keep.any():
        nearest = ", ".join(f"{n} ({d:.0f} km)" for n, d in zip(names, distance, strict=True))
        raise InputError(
            f"every site is nearer the line than {floor:g} km ({nearest}); a hinterland force "
            "keeps away from the front: pass a smaller --standoff-km or use another line"
        )
    lon, lat, distance, chain = lon[keep], lat[keep], distance[keep], chain[keep]
    names = [n for n, k in zip(names, keep, strict=True) if k]
    part = np.array([prepared.chains[int(i)].part for i in chain], dtype=np.int64)
    frame = units_frame(
        lon,
        lat,
        {
            "km_along": np.full(lon.size, np.nan),
            "part": part,
            "distance_to_line_km": distance,
            "side": [""] * lon.size,
        },
    )
    frame["site"] = np.asarray(names, dtype=object)
    return frame
