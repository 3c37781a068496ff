"""The layers a plan is built on: line of contact, oblasts, concentration points, hubs.

Each layer is a GeoDataFrame in EPSG:4326 with documented columns and its provenance in
``.attrs["provenance"]``. Load them together with :func:`load_layers` (bundled defaults, or
the user's files validated by :func:`read_vector`) and write them with :func:`write_layers`.
"""

from __future__ import annotations

from layers.atomic import atomic_output
from layers.bundle import LAYER_NAMES, Layers, load_layers
from layers.countries import load_countries
from layers.export import PROVENANCE_FIELDS, ExportFormat, LayerStyle, write_layers
from layers.frontline import (
    BORDER_TOLERANCE_KM,
    DEFAULT_DATE,
    LINE_COLUMNS,
    line_from_occupied,
    line_layer,
    load_default_line,
    load_default_occupied,
    orient_south_west,
)
from layers.hubs import TIERS, default_hubs
from layers.io import EUROPE, UKRAINE, Region, parse_crs, read_vector
from layers.oblasts import load_oblasts, oblast_of, ukraine_outline
from layers.points import default_points
from layers.provenance import Provenance, attach, bundled_provenance, provenance_of

__all__ = [
    "BORDER_TOLERANCE_KM",
    "DEFAULT_DATE",
    "EUROPE",
    "LAYER_NAMES",
    "LINE_COLUMNS",
    "PROVENANCE_FIELDS",
    "TIERS",
    "UKRAINE",
    "ExportFormat",
    "LayerStyle",
    "Layers",
    "Provenance",
    "Region",
    "atomic_output",
    "attach",
    "bundled_provenance",
    "default_hubs",
    "default_points",
    "line_from_occupied",
    "line_layer",
    "load_default_line",
    "load_default_occupied",
    "load_layers",
    "load_countries",
    "load_oblasts",
    "oblast_of",
    "orient_south_west",
    "parse_crs",
    "provenance_of",
    "read_vector",
    "ukraine_outline",
    "write_layers",
]
