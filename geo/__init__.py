"""Geodesy and geometry on WGS84 for deployplan: distances, lines, circles and buffers.

Coordinates are (lon, lat) in degrees and distances are in km. Everything is measured on the
WGS84 ellipsoid with :class:`pyproj.Geod`, or in a local azimuthal equidistant projection
whose error is tested; never in Web Mercator metres or in degrees.
"""

from __future__ import annotations

from geo.crs import GEOD, WGS84, aeqd_transformers, local_aeqd, utm_crs
from geo.errors import CRSError, DeployplanError, GeometryError, InputError, OutputError
from geo.geodesy import (
    azimuth_deg,
    cumulative_km,
    densify,
    distance_km,
    distance_matrix_km,
    distances_to_vertices_km,
    interpolate_along,
    line_length_km,
    nearest_neighbour_km,
    offset_point,
    point_line_distance_km,
    points_every,
    stations_km,
)
from geo.geometry import geodesic_buffer, geodesic_circles, line_parts, round_coordinates
from geo.prepared import (
    MAX_SEGMENT_KM,
    Chain,
    PreparedLine,
    aeqd_xy,
    degree_box,
    densify_chain,
    flat_error_km,
    flat_xy,
    segment_distance,
    wrap_deg,
)

__all__ = [
    "GEOD",
    "MAX_SEGMENT_KM",
    "WGS84",
    "CRSError",
    "Chain",
    "DeployplanError",
    "GeometryError",
    "InputError",
    "OutputError",
    "PreparedLine",
    "aeqd_xy",
    "aeqd_transformers",
    "azimuth_deg",
    "cumulative_km",
    "degree_box",
    "densify",
    "densify_chain",
    "distance_km",
    "distance_matrix_km",
    "distances_to_vertices_km",
    "flat_error_km",
    "flat_xy",
    "geodesic_buffer",
    "geodesic_circles",
    "interpolate_along",
    "line_length_km",
    "line_parts",
    "local_aeqd",
    "nearest_neighbour_km",
    "offset_point",
    "point_line_distance_km",
    "points_every",
    "round_coordinates",
    "segment_distance",
    "stations_km",
    "utm_crs",
    "wrap_deg",
]
