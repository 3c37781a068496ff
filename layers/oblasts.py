"""Ukraine's 27 first-level units, its outline, and which oblast holds a point.

The bundled ``layers/data/oblasts.geojson`` holds the 24 oblasts, the Autonomous Republic of
Crimea and the cities of Kyiv and Sevastopol, with today's English names and ISO 3166-2 codes
(Natural Earth admin-1, public domain; see ``layers/data/PROVENANCE.md``). The city of Kyiv
(``Kyiv City``, UA-30) is its own feature, distinct from ``Kyiv Oblast`` (UA-32).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import InputError
from layers.provenance import read_bundled

__all__ = ["OBLASTS_GEOJSON", "load_oblasts", "oblast_of", "ukraine_outline"]

OBLASTS_GEOJSON = Path(__file__).resolve().parent / "data" / "oblasts.geojson"


@lru_cache(maxsize=1)
def _read_oblasts() -> gpd.GeoDataFrame:
    return read_bundled(OBLASTS_GEOJSON, "oblasts", ["name", "iso_3166_2", "type"])


def load_oblasts() -> gpd.GeoDataFrame:
    """Return the bundled oblasts layer.

    Returns
    -------
    GeoDataFrame
        27 rows in EPSG:4326, sorted by code, with columns ``name`` (today's English name,
        e.g. ``"Zaporizhzhia"``, ``"Kyiv City"``, ``"Kyiv Oblast"``), ``iso_3166_2``
        (``"UA-05"`` ... ``"UA-77"``), ``type`` (``"oblast"``, ``"city"`` or
        ``"autonomous republic"``) and ``geometry`` (Polygon / MultiPolygon); its provenance
        is in ``.attrs["provenance"]``. A fresh copy each call.

    Examples
    --------
    >>> oblasts = load_oblasts()
    >>> len(oblasts), oblasts.crs.to_epsg()
    (27, 4326)
    """
    gdf = _read_oblasts()
    out = gdf.copy()
    out.attrs = {key: dict(value) for key, value in gdf.attrs.items()}
    return out


@lru_cache(maxsize=1)
def ukraine_outline() -> Polygon | MultiPolygon:
    """Return Ukraine's outline: the union of the 27 units (cached), in lon/lat.

    Crimea and Sevastopol are part of it; the outline is a MultiPolygon (mainland and islands).
    The units form a clean coverage (the build shares every border), so the fast coverage
    union gives the same outline as a general union, ten times sooner.
    """
    return shapely.coverage_union_all(_read_oblasts().geometry.to_numpy())


@lru_cache(maxsize=1)
def _oblast_tree() -> shapely.STRtree:
    return shapely.STRtree(_read_oblasts().geometry.to_numpy())


def oblast_of(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Return the name of the unit that holds each point, ``""`` outside Ukraine.

    Parameters
    ----------
    lon, lat : float or array_like
        Longitudes and latitudes in degrees (WGS84), of the same shape.

    Returns
    -------
    ndarray of str
        One name per point (1-D, so a scalar gives an array of length 1). A point on a border
        between two units gets the one with the lower ISO 3166-2 code; NaN gives ``""``.

    Raises
    ------
    InputError
        If ``lon`` and ``lat`` differ in shape.

    Examples
    --------
    >>> oblast_of([24.0297, 30.7233, 0.0], [49.8397, 46.4825, 0.0]).tolist()
    ['Lviv', 'Odesa', '']
    """
    lon_arr = np.atleast_1d(np.asarray(lon, dtype=float))
    lat_arr = np.atleast_1d(np.asarray(lat, dtype=float))
    if lon_arr.shape != lat_arr.shape:
        raise InputError(
            f"oblast_of got {lon_arr.shape} longitudes but {lat_arr.shape} latitudes; "
            "pass arrays of the same shape"
        )
    lon_arr, lat_arr = lon_arr.ravel(), lat_arr.ravel()
    names = _read_oblasts()["name"].to_numpy(dtype=str)
    result = np.full(lon_arr.shape, "", dtype=names.dtype)
    points = shapely.points(lon_arr, lat_arr)
    point_idx, oblast_idx = _oblast_tree().query(points, predicate="intersects")
    order = np.lexsort((oblast_idx, point_idx))  # by point, then by code (file order)
    point_idx, oblast_idx = point_idx[order], oblast_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    result[point_idx[first]] = names[oblast_idx[first]]
    return result
