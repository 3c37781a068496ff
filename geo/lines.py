"""The parts of a (multi)line: the one helper both geodesy and geometry need.

Kept apart so that :mod:`geo.geodesy` and :mod:`geo.geometry` import it, not each other
(geometry uses geodesy; geodesy needs only this).
"""

from __future__ import annotations

from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import GeometryError

__all__ = ["line_parts"]


def line_parts(geom: BaseGeometry) -> list[LineString]:
    """The non-empty LineStrings that make up a (multi)line.

    Parameters
    ----------
    geom : shapely.geometry.base.BaseGeometry
        A LineString, LinearRing, MultiLineString, or a GeometryCollection of those.

    Returns
    -------
    list of shapely.LineString
        The parts in order; empty for an empty geometry.

    Raises
    ------
    GeometryError
        If ``geom`` holds anything that is not a line.

    Examples
    --------
    >>> from shapely import MultiLineString
    >>> len(line_parts(MultiLineString([[(0, 0), (1, 0)], [(2, 0), (3, 0)]])))
    2
    """
    kind = geom.geom_type
    if kind in ("LineString", "LinearRing"):
        return [] if geom.is_empty else [LineString(geom.coords)]
    if kind in ("MultiLineString", "GeometryCollection"):
        return [line for part in geom.geoms for line in line_parts(part)]
    raise GeometryError(
        f"got a {kind} where a line was expected; pass a LineString or MultiLineString"
    )
