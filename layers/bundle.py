"""The four layers a plan is built on, loaded together: bundled, or from the user's files.

:func:`load_layers` is what the command line's layer options (``--line``,
``--line-from-occupied``, ``--line-date``, ``--line-layer``, ``--points``, ``--hubs``,
``--crs``) mean on every subcommand. Each user file is validated at the door
(:func:`layers.io.read_vector`); a user's line is given the columns of the derived one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo.errors import GeometryError, InputError, ParameterError
from layers.frontline import line_from_occupied as derive_line
from layers.frontline import line_layer, load_default_line, load_default_occupied
from layers.hubs import TIERS, default_hubs
from layers.io import EUROPE, UKRAINE, Region, parse_crs, read_vector
from layers.oblasts import load_oblasts, oblast_of
from layers.points import default_points
from layers.provenance import Provenance, attach, bundled_provenance, provenance_of

if TYPE_CHECKING:
    from layers.deepstate import Snapshot

__all__ = [
    "LAYER_NAMES",
    "MAX_HUBS",
    "MAX_POINTS",
    "STALE_DAYS",
    "Layers",
    "load_layers",
    "snapshot_layers",
]

#: The most concentration points a points file may hold (the notes name four).
MAX_POINTS = 1_000

#: The most hubs a hubs file may hold.
MAX_HUBS = 1_000

#: The layers in the order they are written and listed.
LAYER_NAMES = ("line", "oblasts", "points", "hubs")

PathLike = str | os.PathLike[str]

#: The bundled line older than this many days gets a note saying how to fetch a newer one.
STALE_DAYS = 90

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, eq=False)
class Layers:
    """The layers of a plan, each a GeoDataFrame in EPSG:4326 carrying its provenance.

    Attributes
    ----------
    line : GeoDataFrame
        The line of contact, one LineString per part: ``name``, ``part`` (0 = main, the
        longest), ``is_main``, ``length_km`` (geodesic), ``date`` (``YYYY-MM-DD`` or ``""``).
    oblasts : GeoDataFrame
        Ukraine's 27 units: ``name``, ``iso_3166_2``, ``type``.
    points : GeoDataFrame
        Concentration points: ``name``, ``oblast``, ``note`` (and a user file's own columns).
    hubs : GeoDataFrame
        Logistics hubs: ``name``, ``tier`` (rear / entry / forward), ``country``, ``note``.
    occupied : GeoDataFrame or None
        The occupied territory the line was derived from (bundled, or ``--line-from-occupied``);
        ``None`` for a user's own line, so that nothing pairs it with a polygon of another date.
    """

    line: gpd.GeoDataFrame
    oblasts: gpd.GeoDataFrame
    points: gpd.GeoDataFrame
    hubs: gpd.GeoDataFrame
    occupied: gpd.GeoDataFrame | None = None
    notes: tuple[str, ...] = ()

    @property
    def line_date(self) -> str:
        """The line's date, ``YYYY-MM-DD``, or ``""`` when undated."""
        return str(self.line["date"].iloc[0]) if len(self.line) else ""

    @property
    def is_bundled(self) -> bool:
        """Whether the line is the bundled default."""
        return provenance_of(self.line) == bundled_provenance("line").to_dict()

    def age_note(self, *, today: dt.date | None = None) -> str:
        """A note when the bundled line is used and is older than :data:`STALE_DAYS`, else ``""``.

        ``today`` defaults to :func:`layers.deepstate.today` (``DEPLOYPLAN_TODAY`` honoured).
        """
        if not self.is_bundled or not self.line_date:
            return ""
        from layers.deepstate import today as today_

        age = ((today or today_()) - dt.date.fromisoformat(self.line_date)).days
        if age <= STALE_DAYS:
            return ""
        return (
            f"note: the bundled line is of {self.line_date}, {age} days old; for a newer one "
            "add --deepstate latest (or fetch ahead with 'deployplan line fetch latest')"
        )

    def frames(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the four layers by name, in :data:`LAYER_NAMES` order, for ``write_layers``."""
        return {name: getattr(self, name) for name in LAYER_NAMES}

    def summary(self) -> str:
        """Return a few lines saying what each layer holds, its source and its date.

        Examples
        --------
        >>> print(load_layers().summary().splitlines()[0])  # doctest: +ELLIPSIS
        line: ... km in ... parts, main part ... km, dated 2025-12-15
        """
        line = self.line
        main = line.loc[line["is_main"].astype(bool), "length_km"]
        date = str(line["date"].iloc[0]) if len(line) else ""
        parts = f"{len(line)} part" + ("s" if len(line) != 1 else "")
        tiers = self.hubs["tier"].value_counts()
        described = {
            "line": f"{line['length_km'].sum():,.1f} km in {parts}, main part "
            f"{main.sum():,.1f} km, " + (f"dated {date}" if date else "undated (see --line-date)"),
            "oblasts": f"{len(self.oblasts)} units",
            "points": f"{len(self.points)} points: " + ", ".join(map(str, self.points["name"])),
            "hubs": f"{len(self.hubs)} hubs ("
            + ", ".join(f"{tiers.get(tier, 0)} {tier}" for tier in TIERS)
            + ")",
        }
        lines = []
        for name, text in described.items():
            prov = provenance_of(getattr(self, name))
            lines += [
                f"{name}: {text}",
                f"  source: {prov.get('source') or 'not stated'}",
                f"  date: {prov.get('date') or 'not stated'}; "
                f"licence: {prov.get('licence') or 'not stated'}",
            ]
        if note := self.age_note():
            lines.append(note)
        return "\n".join(lines)


def load_layers(
    *,
    line: PathLike | None = None,
    line_from_occupied: PathLike | None = None,
    line_date: str | None = None,
    line_layer: str | None = None,
    points: PathLike | None = None,
    hubs: PathLike | None = None,
    crs: str | pyproj.CRS | None = None,
    deepstate: str | dt.date | Snapshot | None = None,
    deepstate_url: str | None = None,
) -> Layers:
    """Load the four layers: the bundled ones, or those of the files given.

    Parameters
    ----------
    line : path, optional
        A line file (GeoJSON, GeoPackage, Shapefile, KML or CSV). Its features are merged
        where they meet end to end; the parts are numbered by length (0 = main), oriented from
        their south-western end and measured geodesically. Its date is ``line_date``, else the
        file's ``date`` column if it holds one date, else ``""``.
    line_from_occupied : path, optional
        An occupied-territory polygon file; the line is derived from it
        (:func:`layers.frontline.line_from_occupied`). Not with ``line``.
    line_date : str, optional
        ``YYYY-MM-DD``: the date the user's line (or polygon) stands for.
    line_layer : str, optional
        The layer of a multi-layer ``line`` or ``line_from_occupied`` file.
    points, hubs : path, optional
        Concentration points (a ``name`` column; ``oblast`` is filled in when missing) and
        logistics hubs (``name`` and ``tier`` columns, at least one hub of each tier: rear,
        entry, forward). Points must lie in or near Ukraine, hubs in Europe. From a
        multi-layer file the layer named ``points`` (``hubs``) is read, so a GeoPackage
        written by ``deployplan layers`` can be given back.
    crs : str or pyproj.CRS, optional
        The CRS of given files that carry none (e.g. a CSV). Files with a CRS are reprojected.
    deepstate : str, datetime.date or Snapshot, optional
        ``YYYY-MM-DD`` or ``"latest"``: DeepStateMap's occupied territory of that day, fetched
        from the archive (or the cache) by :func:`layers.deepstate.resolve_snapshot`; the line
        is derived from it as with ``line_from_occupied`` and dated, and the polygon is the
        occupied layer. Notes (a fallback to an earlier date, offline use of the cache) are in
        :attr:`Layers.notes`. Not with ``line`` or ``line_from_occupied``.
    deepstate_url : str, optional
        The archive's base URL (default ``DEPLOYPLAN_DEEPSTATE_URL``, else the public archive).

    Returns
    -------
    Layers

    Raises
    ------
    InputError
        For any file or option that cannot be used (:func:`layers.io.read_vector` lists the
        checks), ``line_date`` not ``YYYY-MM-DD``, or an option that has nothing to apply to.

    Examples
    --------
    >>> layers = load_layers()
    >>> [len(layers.oblasts), len(layers.points)]
    [27, 4]
    """
    if line is not None and line_from_occupied is not None:
        raise ParameterError(
            "line",
            "and {line_from_occupied} are both given; give one of them",
            mentions=("line_from_occupied",),
        )
    if deepstate is not None:
        if line is not None or line_from_occupied is not None:
            given = "line" if line is not None else "line_from_occupied"
            raise ParameterError(
                "deepstate",
                f"and {{{given}}} are both given; give one of them",
                mentions=(given,),
            )
        for name, value in (("line_date", line_date), ("line_layer", line_layer)):
            if value is not None:
                raise ParameterError(
                    name,
                    "does not go with {deepstate} (the snapshot carries its date and has one "
                    f"layer); drop {{{name}}}",
                    mentions=("deepstate", name),
                )
    elif deepstate_url is not None:
        raise ParameterError(
            "deepstate_url",
            "goes with {deepstate} DATE; add one or drop it",
            mentions=("deepstate",),
        )
    own_line = line is not None or line_from_occupied is not None
    if line_date is not None:
        _check_date(line_date)
        if not own_line:
            raise ParameterError(
                "line_date",
                f"{line_date} dates your own line; give {{line}} or {{line_from_occupied}} "
                "too (the bundled line carries its own date)",
                mentions=("line", "line_from_occupied"),
            )
    if line_layer is not None and not own_line:
        raise ParameterError(
            "line_layer",
            "picks a layer of {line} or {line_from_occupied}; give one",
            mentions=("line", "line_from_occupied"),
        )
    if crs is not None:
        crs = parse_crs(crs)
        if not own_line and points is None and hubs is None:
            raise ParameterError(
                "crs",
                "is the CRS of the files you give ({line}, {line_from_occupied}, {points}, "
                "{hubs}); give one, or leave {crs} out",
                mentions=("line", "line_from_occupied", "points", "hubs", "crs"),
            )

    occupied: gpd.GeoDataFrame | None
    notes: tuple[str, ...] = ()
    if deepstate is not None:
        line_gdf, occupied, notes = snapshot_layers(deepstate, url=deepstate_url)
    elif line is not None:
        line_gdf, occupied = _user_line(line, date=line_date, layer=line_layer, crs=crs), None
    elif line_from_occupied is not None:
        line_gdf, occupied = _derived_line(
            line_from_occupied, date=line_date, layer=line_layer, crs=crs
        )
    else:
        line_gdf, occupied = load_default_line(), load_default_occupied()
    return Layers(
        line=line_gdf,
        oblasts=load_oblasts(),
        points=default_points() if points is None else _user_points(points, crs=crs),
        hubs=default_hubs() if hubs is None else _user_hubs(hubs, crs=crs),
        occupied=occupied,
        notes=notes,
    )


def snapshot_layers(
    deepstate: str | dt.date | Snapshot, *, url: str | None = None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple[str, ...]]:
    """The line derived from a DeepStateMap snapshot, its polygon, and the notes on it.

    ``deepstate`` is a date, ``"latest"`` or a :class:`layers.deepstate.Snapshot` already
    resolved; see :func:`load_layers`.
    """
    from layers.deepstate import Snapshot, resolve_snapshot

    snapshot = (
        deepstate if isinstance(deepstate, Snapshot) else resolve_snapshot(deepstate, url=url)
    )
    occupied = snapshot.occupied()
    try:
        line_gdf = derive_line(occupied, date=snapshot.date)
    except GeometryError as exc:
        raise GeometryError(f"DeepStateMap snapshot of {snapshot.date}: {exc}") from None
    return line_gdf, occupied, snapshot.notes


def _check_date(date: str) -> str:
    try:
        ok = bool(_DATE.fullmatch(date)) and dt.date.fromisoformat(date) is not None
    except ValueError:
        ok = False
    if not ok:
        raise ParameterError(
            "line_date", f"'{date}' is not a date; give it as YYYY-MM-DD, e.g. 2025-12-15"
        )
    return date


def _date_column(gdf: gpd.GeoDataFrame) -> str:
    """Return the one date a file's ``date`` column holds, or ``""``."""
    if "date" not in gdf.columns:
        return ""
    values = {  # GDAL reads ISO dates in GeoJSON and GeoPackage as dates
        value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)
        for value in gdf["date"].dropna()
    } - {""}
    if len(values) == 1:
        (value,) = values
        try:
            return _check_date(value)
        except InputError:
            return ""
    return ""


def _user_line(
    path: PathLike, *, date: str | None, layer: str | None, crs: pyproj.CRS | None
) -> gpd.GeoDataFrame:
    gdf = read_vector(path, kind="line", crs=crs, layer=layer, what="line file")
    date = date or _date_column(gdf)
    merged = shapely.line_merge(
        shapely.multilinestrings(shapely.get_parts(gdf.geometry.to_numpy()))
    )
    prov = Provenance.from_dict(provenance_of(gdf))
    prov = replace(
        prov,
        date=date,
        derivation=f"{prov.derivation}; features merged where they meet end to end, "
        "parts numbered by geodesic length (0 = main) and oriented from their south-western end",
    )
    return line_layer(list(shapely.get_parts(merged)), date=date, provenance=prov)


def _derived_line(
    path: PathLike, *, date: str | None, layer: str | None, crs: pyproj.CRS | None
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    what = "occupied-territory file"
    occupied = read_vector(path, kind="polygon", crs=crs, layer=layer, what=what)
    attach(occupied, replace(Provenance.from_dict(provenance_of(occupied)), date=date or ""))
    try:
        return derive_line(occupied, date=date), occupied
    except GeometryError as exc:
        raise GeometryError(f"{what} '{Path(path).name}': {exc}") from None


def _named_points(
    path: PathLike, *, crs: pyproj.CRS | None, noun: str, region: Region
) -> tuple[gpd.GeoDataFrame, str]:
    """Read a user's points or hubs file, each feature named; return it and its label.

    ``noun`` is ``"point"`` or ``"hub"``; from a multi-layer file the layer named ``points``
    (``hubs``) is read. The label is how messages name the file.
    """
    label = f"{noun}s file '{Path(path).name}'"
    gdf = read_vector(
        path,
        kind="point",
        crs=crs,
        what=f"{noun}s file",
        region=region,
        layer_option=None,
        default_layer=f"{noun}s",
    )
    limit = MAX_POINTS if noun == "point" else MAX_HUBS
    if len(gdf) > limit:
        raise InputError(
            f"{label} holds {len(gdf):,} {noun}s, more than the {limit:,} a plan may use; keep "
            f"the {noun}s you mean"
        )
    if "name" not in gdf.columns:
        columns = ", ".join(str(c) for c in gdf.columns if c != "geometry") or "none"
        raise InputError(
            f"{label} has no 'name' column (columns: {columns}); add one that names each {noun}"
        )
    names = gdf["name"].astype("string").str.strip().fillna("")
    unnamed = np.flatnonzero(names.eq("").to_numpy(dtype=bool))
    if unnamed.size:
        raise InputError(f"{label} feature {unnamed[0] + 1} has no name; name every {noun}")
    gdf["name"] = names.astype(object)
    return gdf, label


def _user_points(path: PathLike, *, crs: pyproj.CRS | None) -> gpd.GeoDataFrame:
    gdf, _ = _named_points(path, crs=crs, noun="point", region=UKRAINE)
    if "oblast" not in gdf.columns:
        geoms = gdf.geometry.to_numpy()
        gdf["oblast"] = oblast_of(shapely.get_x(geoms), shapely.get_y(geoms)).astype(object)
    if "note" not in gdf.columns:
        gdf["note"] = ""
    return _ordered(gdf, ["name", "oblast", "note"])


def _user_hubs(path: PathLike, *, crs: pyproj.CRS | None) -> gpd.GeoDataFrame:
    gdf, label = _named_points(path, crs=crs, noun="hub", region=EUROPE)
    expected = ", ".join(TIERS)
    if "tier" not in gdf.columns:
        raise InputError(f"{label} has no 'tier' column; add one with {expected} for each hub")
    tiers = gdf["tier"].astype("string").str.strip().str.lower()
    bad = np.flatnonzero(~tiers.isin(TIERS).fillna(False).to_numpy(dtype=bool))
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"{label} hub '{gdf['name'].iloc[i]}' has tier '{gdf['tier'].iloc[i]}'; "
            f"expected one of {expected}"
        )
    gdf["tier"] = tiers.astype(object)
    missing = [tier for tier in TIERS if tier not in set(gdf["tier"])]
    if missing:
        raise InputError(
            f"{label} has no '{missing[0]}' hub; supplies run {' -> '.join(TIERS)}, so give at "
            "least one hub of each tier"
        )
    for column in ("country", "note"):
        if column not in gdf.columns:
            gdf[column] = ""
    return _ordered(gdf, ["name", "tier", "country", "note"])


def _ordered(gdf: gpd.GeoDataFrame, first: list[str]) -> gpd.GeoDataFrame:
    rest = [c for c in gdf.columns if c not in first and c != "geometry"]
    out = gdf[[*first, *rest, "geometry"]]
    out.attrs = dict(gdf.attrs)
    return out
