"""Outputs for GIS, composed: a plan's (or the layers') frames, their styles and descriptions.

This is where the layers (``layers``), the plan (``planner``) and the unit symbols (``maps``)
meet, so it lives beside the command line, the one package allowed to import all of them.
:func:`write_plan` and :func:`write_layer_set` are what ``deployplan plan -o`` and
``deployplan layers -o`` write, for the Python API as well:

- ``gpkg``: one GeoPackage, every layer styled by default in QGIS (``layer_styles``: QML with
  the APP-6 symbols embedded, and SLD), described in ``gpkg_contents``; a plan's also holds the
  ``oblasts`` and (when known) ``occupied`` layers as a muted basemap and a ``summary`` table
  with its comparison row (:meth:`planner.Plan.row`).
- ``geojson``, ``csv``: a directory, a file a layer, with ``<layer>.qml`` beside each.
- ``kml``: a directory of KML files, or one KML file when the output ends in ``.kml``;
  ``kmz``: one KMZ file with the icons inside (:mod:`deployplan.kml`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from layers.bundle import Layers
from layers.export import write_layers
from planner.plan import Plan

__all__ = [
    "DESCRIPTIONS",
    "OutputFormat",
    "is_directory",
    "output_format",
    "plan_frames",
    "summary_table",
    "write_frames",
    "write_layer_set",
    "write_plan",
]

OutputFormat = Literal["gpkg", "geojson", "kml", "kmz", "csv"]

#: What each layer holds, for ``gpkg_contents`` and KML folders.
DESCRIPTIONS = {
    "units": "Units placed by deployplan: one point per unit (unit_id, type, APP-6 SIDC, "
    "radius, standoff, distances, hub and response)",
    "coverage": "Geodesic coverage circle of each unit (unit_id, radius_km)",
    "gaps": "Stretches of the contact line outside every unit's radius (km along the line)",
    "slots": "Slots along the line: the stretch each unit belongs to, empty ones with the reason "
    "(deployment, slot, part, start_km, end_km, oblast, unit_id NULL when empty, reason)",
    "legs": "Supply legs rear hub -> entry hub -> forward hub -> unit (geodesic and road km)",
    "line": "Line of contact, one line per part (part 0 is the main one), with its date",
    "points": "Expected concentration points",
    "hubs": "Logistics hubs (rear, entry, forward)",
    "oblasts": "Oblasts of Ukraine (basemap)",
    "occupied": "Occupied territory the line was derived from (basemap)",
    "summary": "The plan's comparison row: the notes' figures, what placement gives, force "
    "arithmetic and logistics",
}


def output_format(fmt: str | None, out: str | os.PathLike[str]) -> OutputFormat:
    """The format asked for, or implied by the output's suffix (``.kmz``, ``.kml``, ...).

    ``--format`` wins where both are given; without it a ``.kmz`` path means KMZ, ``.kml``
    one KML file, anything else a GeoPackage.
    """
    if fmt:
        return fmt  # type: ignore[return-value]
    suffix = Path(out).suffix.lower()
    implied = {".kmz": "kmz", ".kml": "kml"}
    return implied.get(suffix, "gpkg")  # type: ignore[return-value]


def is_directory(fmt: OutputFormat, out: str | os.PathLike[str]) -> bool:
    """Whether ``out`` is a directory of a file a layer (not one GeoPackage, KMZ or KML)."""
    if fmt in ("gpkg", "kmz"):
        return False
    return not (fmt == "kml" and Path(out).suffix.lower() == ".kml")


def summary_table(plan: Plan) -> pd.DataFrame:
    """A plan's comparison row as a one-row table with typed columns (NULL where none)."""
    row = plan.row()
    frame = pd.DataFrame([row])
    for key, value in row.items():
        if isinstance(value, bool):
            frame[key] = frame[key].astype(bool)
        elif value is None and key == "option":
            frame[key] = pd.Series([None], dtype="Int64")  # a user scenario has no option
        elif value is None and key != "variant":
            frame[key] = pd.Series([float("nan")], dtype=float)  # a measure that has no value
    return frame


def plan_frames(plan: Plan, layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """A plan's layers for export: its own, then the line, points, hubs and the basemap."""
    frames = {
        **plan.frames(),
        "line": layers.line,
        # the plan's points carry what the plan measured at each (sector, response)
        "points": plan.points if plan.points is not None else layers.points,
        "hubs": layers.hubs,
        "oblasts": layers.oblasts,
    }
    if layers.occupied is not None:
        frames["occupied"] = layers.occupied
    return frames


def write_frames(
    frames: Mapping[str, gpd.GeoDataFrame],
    out: str | os.PathLike[str],
    *,
    fmt: OutputFormat = "gpkg",
    tables: Mapping[str, pd.DataFrame] | None = None,
    title: str = "deployplan",
    document_description: str = "",
) -> list[Path]:
    """Write named layers styled for GIS (see the module's docstring); return the files.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        Layer name to layer; the names of :data:`DESCRIPTIONS` get deployplan's styles.
    out : path
        The GeoPackage, KMZ or single KML file, or the directory of a layer a file.
    fmt : {"gpkg", "geojson", "kml", "kmz", "csv"}
        The format.
    tables : mapping of str to DataFrame, optional
        Non-spatial tables (a plan's ``summary``).
    title, document_description : str
        For KML/KMZ: the document's name and HTML-free description (e.g. the plan's summary).
    """
    from deployplan.styles import layer_styles

    sidcs = []
    if "units" in frames and "sidc" in frames["units"].columns:
        sidcs = sorted({str(s) for s in frames["units"]["sidc"].dropna()})
    if fmt in ("kml", "kmz"):
        from deployplan.kml import write_kml

        return write_kml(
            frames,
            out,
            kmz=fmt == "kmz",
            sidcs=sidcs,
            title=title,
            description=document_description,
            descriptions=DESCRIPTIONS,
        )
    styles = layer_styles(frames, sidcs=sidcs)
    return write_layers(
        frames,
        out,
        fmt=fmt,  # type: ignore[arg-type]  # not kml/kmz, which return above
        styles=styles,
        descriptions={k: v for k, v in DESCRIPTIONS.items() if k in frames or k in (tables or {})},
        tables=tables,
    )


def write_plan(
    plan: Plan,
    layers: Layers,
    out: str | os.PathLike[str],
    *,
    fmt: OutputFormat | None = None,
) -> list[Path]:
    """Write a plan for GIS: its layers, the line, points, hubs, basemap and summary.

    Parameters
    ----------
    plan : Plan
        The plan (:func:`planner.make_plan`).
    layers : Layers
        The layers it was made on.
    out : path
        A ``.gpkg`` (default), ``.kmz`` or ``.kml`` file, or a directory with ``fmt``.
    fmt : {"gpkg", "geojson", "kml", "kmz", "csv"}, optional
        The format; by default implied by ``out``'s suffix (:func:`output_format`).

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> from layers import load_layers  # doctest: +SKIP
    >>> from planner import make_plan  # doctest: +SKIP
    >>> layers = load_layers()  # doctest: +SKIP
    >>> write_plan(make_plan(layers, (1, "eur-plus")), layers, "plan.kmz")  # doctest: +SKIP
    [PosixPath('plan.kmz')]
    """
    kind = output_format(fmt, out)
    return write_frames(
        plan_frames(plan, layers),
        out,
        fmt=kind,
        tables={"summary": summary_table(plan)},
        title=plan.name,
        # only KML shows the document's description; the summary costs a few ms to compose
        document_description=plan.summary() if kind in ("kml", "kmz") else "",
    )


def write_layer_set(
    layers: Layers, out: str | os.PathLike[str], *, fmt: OutputFormat | None = None
) -> list[Path]:
    """Write the four layers styled for GIS (see :func:`write_plan` for ``out`` and ``fmt``)."""
    return write_frames(
        layers.frames(),
        out,
        fmt=output_format(fmt, out),
        title="deployplan layers",
        document_description=layers.summary(),
    )
