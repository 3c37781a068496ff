"""Sectors: the stretch of line each concentration point bears on.

A concentration point's *sector* is the point of the line of contact nearest to it (geodesic,
over every part of the line). Luhansk and Donetsk lie behind the enemy's line: an offensive
from there meets the line at their sectors, and that is where a response force is sent
(:func:`planner.logistics.response_times`) and what units placed "opposite" a point face
(:mod:`planner.placement`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.prepared import PreparedLine
from planner.distances import as_lonlat, prepare_line

__all__ = ["SECTOR_COLUMNS", "point_sectors", "sector_points"]

#: Columns :func:`point_sectors` adds to the points: the sector's lon/lat, the line part it is
#: on, its km along that part (from the part's south-western end) and the geodesic distance
#: from the point to it.
SECTOR_COLUMNS = ["sector_lon", "sector_lat", "sector_part", "sector_km", "sector_distance_km"]


def point_sectors(
    points: gpd.GeoDataFrame,
    line: gpd.GeoDataFrame | BaseGeometry | PreparedLine,
) -> gpd.GeoDataFrame:
    """The points with their sectors: the nearest point of the line to each.

    Parameters
    ----------
    points : GeoDataFrame
        Concentration points (Point geometry, lon/lat).
    line : GeoDataFrame, LineString, MultiLineString or PreparedLine
        The line of contact (see :func:`planner.distances.prepare_line`).

    Returns
    -------
    GeoDataFrame
        A copy of ``points`` (EPSG:4326, provenance kept) with the columns
        :data:`SECTOR_COLUMNS` added (replaced if present).

    Examples
    --------
    >>> from shapely.geometry import LineString, Point
    >>> points = gpd.GeoDataFrame({"name": ["P"]}, geometry=[Point(30.5, 48.0)], crs=4326)
    >>> s = point_sectors(points, LineString([(30.0, 47.0), (30.0, 49.0)]))
    >>> s[["sector_lon", "sector_part"]].round(3).values.tolist()
    [[30.0, 0]]
    """
    prepared = prepare_line(line)
    lon, lat = as_lonlat(points)
    distance, chain, km = prepared.nearest(lon, lat)
    sector_lon = np.full(lon.size, np.nan)
    sector_lat = np.full(lon.size, np.nan)
    part = np.zeros(lon.size, dtype=np.int64)
    for i in np.unique(chain):
        rows = np.flatnonzero(chain == i)
        c = prepared.chains[int(i)]
        sector_lon[rows], sector_lat[rows], _ = c.interpolate(km[rows])
        part[rows] = c.part
    out = points.to_crs("EPSG:4326") if points.crs is not None else points.copy()
    out = out.copy()
    out["sector_lon"] = sector_lon
    out["sector_lat"] = sector_lat
    out["sector_part"] = part
    out["sector_km"] = km
    out["sector_distance_km"] = distance
    out.attrs = dict(points.attrs)
    return out


def sector_points(sectors: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The sectors of :func:`point_sectors` as points of their own (``name`` and geometry)."""
    names = (
        sectors["name"].astype(str).tolist()
        if "name" in sectors.columns
        else [str(i) for i in sectors.index]
    )
    return gpd.GeoDataFrame(
        {"name": names},
        geometry=gpd.points_from_xy(sectors["sector_lon"], sectors["sector_lat"]),
        crs="EPSG:4326",
    )
