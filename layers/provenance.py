"""Where a layer comes from: a small record that travels with every layer.

Every layer GeoDataFrame carries its :class:`Provenance` as a plain dict in
``gdf.attrs["provenance"]``, so exports and maps can say source, date, licence and
how the data were derived. The records of the bundled layers are kept in
``layers/data/provenance.json`` (and explained in ``layers/data/PROVENANCE.md``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from geo.errors import InputError

__all__ = [
    "PROVENANCE_JSON",
    "Provenance",
    "attach",
    "bundled_provenance",
    "provenance_of",
    "read_bundled",
]

PROVENANCE_JSON = Path(__file__).resolve().parent / "data" / "provenance.json"


@dataclass(frozen=True)
class Provenance:
    """Source, date, licence and derivation of one layer.

    Parameters
    ----------
    source : str
        Who made the data, and through which channel they arrived.
    date : str
        The date the data stand for or were retrieved (``YYYY-MM-DD``), as stated in
        ``derivation`` or ``source``.
    licence : str
        The licence of the data (e.g. ``"public domain"``, ``"GPL-3.0"``).
    derivation : str
        How the layer was made from the source: the command, simplification, renaming.
    url : str or None
        Where the source can be found.

    Examples
    --------
    >>> p = Provenance(source="me", date="2025-12-15", licence="CC0", derivation="typed")
    >>> Provenance.from_dict(p.to_dict()) == p
    True
    """

    source: str
    date: str
    licence: str
    derivation: str
    url: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """Return the record as a plain dict (JSON-serialisable)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        """Build a record from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InputError
            If a required key is missing or an unknown key is present.
        """
        fields = {"source", "date", "licence", "derivation", "url"}
        unknown = sorted(set(data) - fields)
        missing = sorted({"source", "date", "licence", "derivation"} - set(data))
        if unknown or missing:
            raise InputError(
                f"provenance record has unknown keys {unknown} / lacks keys {missing}; "
                f"expected {sorted(fields)}"
            )
        return cls(**{key: data[key] for key in fields if key in data})


def attach(gdf: gpd.GeoDataFrame, prov: Provenance) -> gpd.GeoDataFrame:
    """Set ``gdf.attrs["provenance"]`` to the record and return ``gdf`` (modified in place)."""
    gdf.attrs["provenance"] = prov.to_dict()
    return gdf


def provenance_of(gdf: gpd.GeoDataFrame) -> dict[str, str | None]:
    """Return the provenance dict a layer carries, or an empty dict if it carries none."""
    return dict(gdf.attrs.get("provenance", {}))


def bundled_provenance(key: str) -> Provenance:
    """Return the provenance of a bundled layer from ``layers/data/provenance.json``.

    Parameters
    ----------
    key : str
        The layer's key in that file, e.g. ``"oblasts"``, ``"points"``, ``"hubs"``.

    Raises
    ------
    InputError
        If the file has no entry for ``key``.
    """
    records = json.loads(PROVENANCE_JSON.read_text(encoding="utf-8"))
    if key not in records:
        raise InputError(
            f"no provenance entry '{key}' in {PROVENANCE_JSON.name}; "
            f"known: {sorted(records)}; rebuild with python -m layers.data.build"
        )
    return Provenance.from_dict(records[key])


def read_bundled(path: Path, key: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    """Read a bundled GeoJSON layer (EPSG:4326) with its provenance (``key``).

    The files are small and plain RFC 7946, so they are read with :mod:`json` and shapely
    (``GeoDataFrame.from_features``), not GDAL: planning on the bundled layers then never
    imports pyogrio (20-50 ms of a ``deployplan plan``).

    Returns
    -------
    GeoDataFrame
        ``columns`` and ``geometry``, in the file's order.
    """
    collection = json.loads(path.read_text(encoding="utf-8"))
    gdf = gpd.GeoDataFrame.from_features(collection, crs="EPSG:4326")
    return attach(gdf[[*columns, "geometry"]], bundled_provenance(key))
