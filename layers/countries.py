"""The countries around Ukraine: a basemap for maps drawn without tiles.

The bundled ``layers/data/countries.geojson`` holds every country that reaches into
lon 18-47 E, lat 41-56 N except Ukraine, clipped to that box: the seven neighbours (Russia,
Belarus, Poland, Slovakia, Hungary, Romania, Moldova), the Black Sea coasts (Bulgaria,
Türkiye, Georgia) and the rest of the region (Natural Earth admin-0, public domain; see
``layers/data/PROVENANCE.md``). Ukraine's outline (:func:`layers.oblasts.ukraine_outline`,
Crimea and Sevastopol included) is cut out of every country, so the oblasts draw Ukraine.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from layers.provenance import read_bundled

__all__ = ["COUNTRIES_GEOJSON", "load_countries"]

COUNTRIES_GEOJSON = Path(__file__).resolve().parent / "data" / "countries.geojson"


@lru_cache(maxsize=1)
def _read_countries() -> gpd.GeoDataFrame:
    return read_bundled(COUNTRIES_GEOJSON, "countries", ["name", "iso_a3"])


def load_countries() -> gpd.GeoDataFrame:
    """Return the bundled countries around Ukraine.

    Returns
    -------
    GeoDataFrame
        One row per country in EPSG:4326, sorted by name, with columns ``name`` (today's
        English short name, e.g. ``"Moldova"``, ``"Russia"``, ``"Türkiye"``), ``iso_a3``
        (ISO 3166-1 alpha-3; Kosovo ``"XKX"``) and ``geometry`` (MultiPolygon, clipped to
        lon 18-47, lat 41-56); its provenance is in ``.attrs["provenance"]``. A fresh copy
        each call.

    Examples
    --------
    >>> countries = load_countries()
    >>> countries.crs.to_epsg(), "UKR" in set(countries["iso_a3"])
    (4326, False)
    >>> sorted(set(countries["iso_a3"]) & {"RUS", "BLR", "POL", "SVK", "HUN", "ROU", "MDA"})
    ['BLR', 'HUN', 'MDA', 'POL', 'ROU', 'RUS', 'SVK']
    """
    gdf = _read_countries()
    out = gdf.copy()
    out.attrs = {key: dict(value) for key, value in gdf.attrs.items()}
    return out
