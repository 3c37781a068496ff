"""Geodesy and geometry on WGS84 for deployplan: distances, lines, circles and buffers.

Coordinates are (lon, lat) in degrees and distances are in km. Everything is measured on the
WGS84 ellipsoid with :class:`pyproj.Geod`, or in a local azimuthal equidistant projection
whose error is tested; never in Web Mercator metres or in degrees.
"""

from __future__ import annotations

from geo.crs import WGS84, local_aeqd, utm_crs
from geo.errors import CRSError, DeployplanError, GeometryError, InputError, OutputError
from geo.geodesy import (
    GEOD,
    azimuth_deg,
    cumulative_km,
    densify,
    distance_km,
    distances_to_vertices_km,
    interpolate_along,
    line_length_km,
    offset_point,
    point_line_distance_km,
    points_every,
)
from geo.geometry import geodesic_buffer, geodesic_circles, line_parts, round_coordinates

__all__ = [
    "GEOD",
    "WGS84",
    "CRSError",
    "DeployplanError",
    "GeometryError",
    "InputError",
    "OutputError",
    "azimuth_deg",
    "cumulative_km",
    "densify",
    "distance_km",
    "distances_to_vertices_km",
    "geodesic_buffer",
    "geodesic_circles",
    "interpolate_along",
    "line_length_km",
    "line_parts",
    "local_aeqd",
    "offset_point",
    "point_line_distance_km",
    "points_every",
    "round_coordinates",
    "utm_crs",
]
