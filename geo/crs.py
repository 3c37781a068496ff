"""Coordinate reference systems: WGS84 and the local metric projections deployplan allows.

Distances are measured on the WGS84 ellipsoid or in a local projection whose error is tested:
an azimuthal equidistant projection (AEQD) centred on the geometry, in which every distance
from the centre is exact, or the UTM zone of a place. Never in Web Mercator (EPSG:3857), whose
scale at 48 deg N is 1.5 times too large.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pyproj

from geo.errors import CRSError

__all__ = ["GEOD", "WGS84", "aeqd_transformers", "local_aeqd", "utm_crs"]

WGS84 = "EPSG:4326"
#: Geodesics on the WGS84 ellipsoid (Karney's algorithm, accurate to nanometres).
GEOD = pyproj.Geod(ellps="WGS84")


def _check_lon_lat(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise CRSError(
            f"projection centre ({lon!r}, {lat!r}) is not a (lon, lat) in degrees; "
            "expected a finite longitude and a latitude within -90..90"
        )


def local_aeqd(lon0: float, lat0: float) -> pyproj.CRS:
    """Azimuthal equidistant projection on WGS84 centred on (lon0, lat0), in metres.

    Distances and azimuths from the centre are exact (PROJ solves the geodesic); the scale
    across the radius grows as about 1 + (r / R)^2 / 6, i.e. 0.01 % at 150 km from the centre
    and 0.1 % at 500 km.

    Parameters
    ----------
    lon0, lat0 : float
        The centre, degrees.

    Returns
    -------
    pyproj.CRS
        The projected CRS.

    Raises
    ------
    CRSError
        If the centre is not a valid (lon, lat).

    Examples
    --------
    >>> local_aeqd(30.5234, 50.4501).is_projected
    True
    """
    _check_lon_lat(lon0, lat0)
    return pyproj.CRS.from_proj4(
        f"+proj=aeqd +lat_0={float(lat0)!r} +lon_0={float(lon0)!r} "
        "+datum=WGS84 +units=m +no_defs +type=crs"
    )


@lru_cache(maxsize=512)
def aeqd_transformers(lon0: float, lat0: float) -> tuple[pyproj.Transformer, pyproj.Transformer]:
    """Transformers lon/lat (WGS84) -> :func:`local_aeqd` metres and back, cached per centre.

    ``Transformer.from_crs`` asks PROJ's database for the operation between the two CRSs
    (about 8 ms each time); between WGS84 and a projection on WGS84 that operation is the
    projection itself, so the same PROJ pipeline is built directly (about 0.1 ms) and gives
    the same coordinates to the last bit (tested). Transformers are shared per centre:
    reuse them in one thread only.

    Parameters
    ----------
    lon0, lat0 : float
        The centre, degrees.

    Returns
    -------
    (forward, back) : tuple of pyproj.Transformer
        ``forward.transform(lon, lat) -> (x, y)`` in metres; ``back`` the inverse. Both take
        and give longitude first.

    Raises
    ------
    CRSError
        If the centre is not a valid (lon, lat).

    Examples
    --------
    >>> forward, back = aeqd_transformers(30.0, 48.0)
    >>> [round(v) for v in forward.transform(30.0, 49.0)]
    [0, 111200]
    """
    _check_lon_lat(lon0, lat0)
    aeqd = f"+proj=aeqd +lat_0={float(lat0)!r} +lon_0={float(lon0)!r} +ellps=WGS84"
    forward = pyproj.Transformer.from_pipeline(
        f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {aeqd}"
    )
    back = pyproj.Transformer.from_pipeline(
        f"+proj=pipeline +step +inv {aeqd} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return forward, back


def utm_crs(lon: float, lat: float) -> pyproj.CRS:
    """The WGS84 / UTM zone CRS (EPSG:326zz north, 327zz south) holding a point.

    Zones are the regular 6-degree ones (the Norway and Svalbard exceptions are not applied).

    Parameters
    ----------
    lon, lat : float
        The point, degrees.

    Returns
    -------
    pyproj.CRS
        The UTM CRS, in metres.

    Raises
    ------
    CRSError
        If the point is not a valid (lon, lat) or lies outside UTM's -80..84 deg latitude.

    Examples
    --------
    >>> utm_crs(30.5234, 50.4501).to_epsg()
    32636
    """
    _check_lon_lat(lon, lat)
    if not -80.0 <= lat <= 84.0:
        raise CRSError(
            f"latitude {lat!r} is outside UTM's -80..84 deg; use local_aeqd(lon, lat) instead"
        )
    zone = int((lon + 180.0) % 360.0 // 6.0) + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)
