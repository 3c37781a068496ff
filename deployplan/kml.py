"""KML 2.2 and KMZ for Google Earth: a folder per layer, named and described placemarks, styles.

:func:`write_kml` writes the same document three ways:

- ``kmz=True``: one KMZ (a zip holding ``doc.kml``, the units' APP-6 symbols as PNGs under
  ``files/icons/`` and a legend under ``files/legend.png``, shown as a screen overlay);
- a ``.kml`` path: one KML file (no images inside: units get a tinted pushpin);
- otherwise a directory with ``<layer>.kml`` (and ``<layer>.provenance.json``) per layer.

Each layer is a ``<Document>`` (a folder in Google Earth) named by the layer (GDAL reads it as a
layer of that name) and described by what it holds and its provenance; every feature a
``<Placemark>`` with a ``<name>`` (the unit's id, the hub's name, ...), a description that is an
HTML table of its figures (escaped, as KML wants it), a style and its attributes as typed
``<SchemaData>`` (booleans written ``1``/``0``, which xsd:boolean allows and GDAL's LIBKML
driver reads as integers, where it reads ``true`` as 0). The document's description is the
plan's summary and the provenance of every layer. Styles are those of the GeoPackage
(:func:`deployplan.styles.layer_look`): translucent coverage, the legend's colours, and legs
drawn dashed (KML has no dashed line style, so a leg is a MultiGeometry of 12 km dashes,
measured geodesically).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from deployplan.styles import (
    Category,
    Fill,
    LayerLook,
    Line,
    Marker,
    SvgMarker,
    layer_look,
    svg_document,
)
from geo.geodesy import cumulative_km, interpolate_along
from layers.atomic import atomic_output
from layers.provenance import provenance_of

__all__ = ["KML_NS", "document", "icon_png", "legend_png", "write_kml"]

KML_NS = "http://www.opengis.net/kml/2.2"
ET.register_namespace("", KML_NS)

#: Dashes of a logistics leg, km (drawn, then left out).
DASH_KM, SPACE_KM = 12.0, 6.0

#: Pixels of an icon: a unit symbol is rendered at this many times its briefing size.
ICON_ZOOM = 2.0

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

#: Placemark names: the first of these columns a layer has.
_NAME_COLUMNS = ("unit_id", "gap_id", "name")


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, _k(tag))
    if text is not None:
        element.text = _clean(str(text))
    return element


def _clean(text: str) -> str:
    """Text XML 1.0 can hold: control characters (but tab and newlines) dropped."""
    return _XML_INVALID.sub("", text)


def _abgr(colour: tuple[int, int, int], opacity: float) -> str:
    """KML's colour order: alpha, blue, green, red, in hex."""
    r, g, b = colour
    return f"{round(255 * opacity):02x}{b:02x}{g:02x}{r:02x}"


# --- images -------------------------------------------------------------------------------


def icon_png(sidc: str) -> bytes:
    """A unit's APP-6 symbol (:func:`maps.symbols.symbol_svg`) as a PNG, rendered by resvg."""
    import resvg_py

    svg = svg_document(sidc)[0]
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=ICON_ZOOM))


def _legend_svg(looks: Sequence[LayerLook]) -> str:
    rows: list[str] = []
    y = 30

    def row(mark: str, text: str) -> None:
        nonlocal y
        rows.append(
            f'<g transform="translate(10,{y})">{mark}</g>'
            f'<text x="62" y="{y + 17}" font-family="sans-serif" font-size="13" '
            f'fill="#222">{escape(text)}</text>'
        )
        y += 32

    def css(colour: tuple[int, int, int]) -> str:
        return "#{:02x}{:02x}{:02x}".format(*colour)

    for look in looks:
        if look.layer == "units":
            for category in look.categories:
                if isinstance(category.symbol, SvgMarker):
                    svg, width, height, _, _ = svg_document(category.symbol.sidc)
                    scale = min(42 / width, 26 / height)
                    inner = re.sub(r"^<svg[^>]*>|</svg>\s*$", "", svg.strip())
                    box = re.search(r'viewBox="([^"]+)"', svg)
                    view = box.group(1) if box else f"0 0 {width} {height}"
                    mark = (
                        f'<svg width="{width * scale:.1f}" height="{height * scale:.1f}" '
                        f'viewBox="{view}">{inner}</svg>'
                    )
                    row(mark, category.label)
            continue
        symbol = look.symbol
        if isinstance(symbol, Fill):
            mark = (
                f'<rect x="2" y="4" width="38" height="18" fill="{css(symbol.colour)}" '
                f'fill-opacity="{symbol.opacity}" stroke="{css(symbol.outline)}" '
                f'stroke-opacity="{symbol.outline_opacity}"/>'
            )
        elif isinstance(symbol, Line):
            dash = ' stroke-dasharray="8 4"' if symbol.dashed else ""
            width = max(symbol.width_mm / 0.2646, 1.5)
            mark = (
                f'<line x1="2" y1="13" x2="40" y2="13" stroke="{css(symbol.colour)}" '
                f'stroke-opacity="{symbol.opacity}" stroke-width="{width:.1f}"{dash}/>'
            )
        elif isinstance(symbol, Marker):
            colours = [
                c.symbol.colour for c in look.categories if isinstance(c.symbol, Marker)
            ] or [symbol.colour]
            if symbol.shape == "circle":
                mark = f'<circle cx="21" cy="13" r="7" fill="{css(symbol.colour)}" stroke="#000"/>'
            else:
                mark = "".join(
                    f'<rect x="{2 + 14 * i}" y="7" width="11" height="11" fill="{css(c)}" '
                    'stroke="#000"/>'
                    for i, c in enumerate(colours)
                )
        else:
            continue
        row(mark, look.title)
    height = y + 6
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="330" height="{height}" '
        f'viewBox="0 0 330 {height}"><rect width="330" height="{height}" rx="6" fill="#ffffff" '
        'fill-opacity="0.92" stroke="#888"/><text x="10" y="21" font-family="sans-serif" '
        'font-size="14" font-weight="bold" fill="#222">Legend</text>' + "".join(rows) + "</svg>"
    )


def legend_png(looks: Sequence[LayerLook]) -> bytes:
    """The legend of ``looks`` (unit symbols first, then each layer's style) as a PNG."""
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=_legend_svg(looks)))


# --- the document -------------------------------------------------------------------------


def _style_id(layer: str, category: Category | None = None) -> str:
    if category is None:
        return layer
    return f"{layer}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", category.value)


def _add_style(
    parent: ET.Element, style_id: str, symbol: Any, *, icons: bool, label: bool
) -> str | None:
    """A ``<Style>``; returns the icon's path inside the KMZ if the style needs one."""
    style = ET.SubElement(parent, _k("Style"), id=style_id)
    icon_path = None
    if isinstance(symbol, Fill):
        line = _sub(style, "LineStyle")
        _sub(line, "color", _abgr(symbol.outline, symbol.outline_opacity))
        _sub(line, "width", f"{max(symbol.outline_width_mm / 0.2646, 1):.1f}")
        poly = _sub(style, "PolyStyle")
        _sub(poly, "color", _abgr(symbol.colour, symbol.opacity))
        _sub(poly, "fill", 1)
        _sub(poly, "outline", 1 if symbol.outline_width_mm > 0 else 0)
    elif isinstance(symbol, Line):
        line = _sub(style, "LineStyle")
        _sub(line, "color", _abgr(symbol.colour, symbol.opacity))
        _sub(line, "width", f"{max(symbol.width_mm / 0.2646, 1):.1f}")
    else:
        icon_style = _sub(style, "IconStyle")
        if isinstance(symbol, SvgMarker):
            if icons:
                icon_path = f"files/icons/{symbol.sidc}.png"
                _sub(icon_style, "scale", f"{1.0:.1f}")
                _sub(_sub(icon_style, "Icon"), "href", icon_path)
                _, width, height, ax, ay = svg_document(symbol.sidc)
                ET.SubElement(
                    icon_style,
                    _k("hotSpot"),
                    x=f"{ax / width:.3f}",
                    y=f"{1 - ay / height:.3f}",
                    xunits="fraction",
                    yunits="fraction",
                )
            else:
                _sub(icon_style, "color", _abgr((86, 180, 233), 1.0))
        elif isinstance(symbol, Marker):
            _sub(icon_style, "color", _abgr(symbol.colour, 1.0))
            _sub(icon_style, "scale", "0.8")
    label_style = _sub(style, "LabelStyle")
    _sub(label_style, "scale", "0.8" if label else "0")
    return icon_path


def _value_text(value: Any) -> str | None:
    """An attribute as KML text: None for missing; booleans 1/0; floats without noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if pd.isna(value) if not isinstance(value, list | tuple | np.ndarray) else False:
        return None
    if isinstance(value, bool | np.bool_):
        return "1" if value else "0"
    if isinstance(value, float | np.floating):
        return repr(round(float(value), 6))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _schema_type(values: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_integer_dtype(values):
        return "int"
    if pd.api.types.is_float_dtype(values):
        return "double"
    return "string"


def _description_html(row: Mapping[str, Any], columns: Iterable[str]) -> str:
    cells = []
    for column in columns:
        text = _value_text(row[column])
        if text is None:
            continue
        if isinstance(row[column], bool | np.bool_):
            text = "yes" if row[column] else "no"
        elif isinstance(row[column], float | np.floating):
            text = f"{float(row[column]):,.2f}".rstrip("0").rstrip(".")
        cells.append(f"<tr><th align='left'>{escape(column)}</th><td>{escape(text)}</td></tr>")
    return "<table>" + "".join(cells) + "</table>"


def _coordinates(coords: np.ndarray) -> str:
    return " ".join(f"{x:.6f},{y:.6f}" for x, y in coords[:, :2])


def _dashes(geom: BaseGeometry) -> list[np.ndarray]:
    """A line cut into dashes of :data:`DASH_KM` every :data:`DASH_KM` + :data:`SPACE_KM`."""
    pieces = []
    parts = getattr(geom, "geoms", [geom])
    for part in parts:
        coords = np.asarray(part.coords)[:, :2]
        if len(coords) < 2:
            continue
        along = cumulative_km(coords[:, 0], coords[:, 1])
        length = float(along[-1])
        if length <= DASH_KM:
            pieces.append(coords)
            continue
        start = 0.0
        while start < length:
            end = min(start + DASH_KM, length)
            inside = coords[(along > start) & (along < end)]
            lon, lat, _ = interpolate_along(coords[:, 0], coords[:, 1], [start, end])
            pieces.append(np.vstack([[lon[0], lat[0]], inside, [lon[1], lat[1]]]))
            start += DASH_KM + SPACE_KM
    return pieces


def _add_geometry(parent: ET.Element, geom: BaseGeometry, *, dashed: bool) -> None:
    kind = geom.geom_type
    if dashed and kind in ("LineString", "MultiLineString"):
        multi = _sub(parent, "MultiGeometry")
        for piece in _dashes(geom):
            line = _sub(multi, "LineString")
            _sub(line, "tessellate", 1)
            _sub(line, "coordinates", _coordinates(piece))
        return
    if kind == "Point":
        _sub(_sub(parent, "Point"), "coordinates", _coordinates(np.asarray(geom.coords)))
    elif kind == "LineString":
        line = _sub(parent, "LineString")
        _sub(line, "tessellate", 1)
        _sub(line, "coordinates", _coordinates(np.asarray(geom.coords)))
    elif kind == "Polygon":
        poly = _sub(parent, "Polygon")
        _sub(poly, "tessellate", 1)
        ring = _sub(_sub(poly, "outerBoundaryIs"), "LinearRing")
        _sub(ring, "coordinates", _coordinates(np.asarray(geom.exterior.coords)))
        for interior in geom.interiors:
            ring = _sub(_sub(poly, "innerBoundaryIs"), "LinearRing")
            _sub(ring, "coordinates", _coordinates(np.asarray(interior.coords)))
    else:  # Multi*, GeometryCollection
        multi = _sub(parent, "MultiGeometry")
        for part in geom.geoms:
            _add_geometry(multi, part, dashed=False)


def _placemark_name(layer: str, row: Mapping[str, Any], index: int) -> str:
    for column in _NAME_COLUMNS:
        if column in row and _value_text(row[column]):
            name = str(row[column])
            if layer == "coverage":
                return f"coverage of {name}"
            if layer == "legs":
                return f"supply leg to {name}"
            return name
    return f"{layer} {index + 1}"


def _provenance_html(name: str, gdf: gpd.GeoDataFrame) -> str:
    prov = provenance_of(gdf)
    if not prov:
        return f"<p><b>{escape(name)}</b>: no provenance recorded</p>"
    items = "; ".join(
        f"{key} {escape(str(prov[key]))}"
        for key in ("source", "date", "licence", "derivation", "url")
        if prov.get(key)
    )
    return f"<p><b>{escape(name)}</b>: {items}</p>"


def _in_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf if gdf.crs is None or gdf.crs.equals("EPSG:4326") else gdf.to_crs("EPSG:4326")


def document(
    frames: Mapping[str, gpd.GeoDataFrame],
    *,
    title: str,
    description: str = "",
    descriptions: Mapping[str, str] | None = None,
    sidcs: Sequence[str] = (),
    icons: bool = False,
) -> tuple[ET.ElementTree, list[str], list[LayerLook]]:
    """The KML document of ``frames``: the tree, the icons it refers to, the looks it used.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        Layer name to layer; each becomes a ``<Folder>`` of that name.
    title, description : str
        The document's name and its description (plain text, e.g. a plan's summary); the
        provenance of every layer is added to it.
    descriptions : mapping of str to str, optional
        What each layer holds, for its folder's description.
    sidcs : sequence of str
        Unit symbols to style besides the built-in ones.
    icons : bool
        Refer to PNG icons inside a KMZ (``files/icons/<sidc>.png``) for the units.
    """
    descriptions = descriptions or {}
    kml = ET.Element(_k("kml"))
    doc = _sub(kml, "Document")
    _sub(doc, "name", title)
    _sub(doc, "open", 1)
    provenance = "".join(_provenance_html(name, gdf) for name, gdf in frames.items())
    summary = "".join(f"{escape(line)}<br/>" for line in description.splitlines())
    _sub(doc, "description", f"<p>{summary}</p><h4>Provenance</h4>{provenance}")
    icon_paths: list[str] = []
    looks: list[LayerLook] = []
    for name, gdf in frames.items():
        look = layer_look(name, sidcs=sidcs)
        if look is None:
            continue
        if look.attribute == "sidc" and look.attribute in gdf.columns:
            present = {str(v) for v in gdf[look.attribute].dropna()}  # icons, legend: these only
            look = replace(look, categories=tuple(c for c in look.categories if c.value in present))
        looks.append(look)
        label = look.label is not None
        path = _add_style(doc, _style_id(name), look.symbol, icons=icons, label=label)
        for category in look.categories:
            path = _add_style(
                doc, _style_id(name, category), category.symbol, icons=icons, label=label
            )
            if path:
                icon_paths.append(path)
        del path
    for name, gdf in frames.items():
        look = next((lk for lk in looks if lk.layer == name), None)
        # A Document (not a Folder) per layer holding its own Schema: GDAL's LIBKML driver
        # (3.6) finds a layer's schema in a KMZ only there.
        folder = _sub(doc, "Document")
        _sub(folder, "name", name)
        _sub(
            folder,
            "description",
            f"<p>{escape(descriptions.get(name, name))}</p>{_provenance_html(name, gdf)}",
        )
        layer = _in_wgs84(gdf)
        columns = [c for c in layer.columns if c != layer.geometry.name]
        schema = ET.SubElement(folder, _k("Schema"), name=name, id=f"schema-{name}")
        for column in columns:
            ET.SubElement(
                schema, _k("SimpleField"), name=str(column), type=_schema_type(layer[column])
            )
        categories = {c.value: c for c in look.categories} if look else {}
        dashed = bool(look and isinstance(look.symbol, Line) and look.symbol.dashed)
        records = layer[columns].to_dict("records")
        for index, (row, geom) in enumerate(zip(records, layer.geometry, strict=True)):
            if geom is None or geom.is_empty:
                continue
            placemark = _sub(folder, "Placemark")
            _sub(placemark, "name", _placemark_name(name, row, index))
            _sub(placemark, "description", _description_html(row, columns))
            if look is not None:
                found = categories.get(str(row.get(look.attribute))) if look.attribute else None
                _sub(placemark, "styleUrl", f"#{_style_id(name, found)}")
            data = _sub(_sub(placemark, "ExtendedData"), "SchemaData")
            data.set("schemaUrl", f"#schema-{name}")
            for column in columns:
                text = _value_text(row[column])
                if text is not None:
                    ET.SubElement(data, _k("SimpleData"), name=str(column)).text = _clean(text)
            _add_geometry(placemark, geom, dashed=dashed)
    if icons and looks:
        overlay = _sub(doc, "ScreenOverlay")
        _sub(overlay, "name", "Legend")
        _sub(_sub(overlay, "Icon"), "href", "files/legend.png")
        for tag, x, y in (("overlayXY", "0", "0"), ("screenXY", "0.01", "0.04")):
            ET.SubElement(overlay, _k(tag), x=x, y=y, xunits="fraction", yunits="fraction")
        ET.SubElement(overlay, _k("size"), x="0", y="0", xunits="pixels", yunits="pixels")
    ET.indent(kml, space=" ")
    return ET.ElementTree(kml), list(dict.fromkeys(icon_paths)), looks


def _kml_bytes(tree: ET.ElementTree) -> bytes:
    buffer = io.BytesIO()
    tree.write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue()


def write_kml(
    frames: Mapping[str, gpd.GeoDataFrame],
    out: str | os.PathLike[str],
    *,
    kmz: bool = False,
    sidcs: Sequence[str] = (),
    title: str = "deployplan",
    description: str = "",
    descriptions: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write ``frames`` as one KMZ, one KML file (``out`` ends in ``.kml``) or a KML a layer.

    Parameters
    ----------
    frames : mapping of str to GeoDataFrame
        Layer name to layer (reprojected to EPSG:4326).
    out : path
        The ``.kmz`` or ``.kml`` file, or a directory (created or replaced, as
        :func:`layers.export.write_layers` does).
    kmz : bool
        Write a KMZ with the unit icons and the legend inside.
    sidcs, title, description, descriptions
        See :func:`document`.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    OutputError
        If ``out`` cannot be written; nothing is changed then.
    """
    out = Path(out)
    kwargs: dict[str, Any] = {
        "title": title,
        "description": description,
        "descriptions": descriptions,
    }
    if kmz:
        tree, icon_paths, looks = document(frames, sidcs=sidcs, icons=True, **kwargs)
        # the archive is closed (inner context) before the temporary file is renamed onto out
        with (
            atomic_output(out) as tmp,
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr("doc.kml", _kml_bytes(tree))  # the first entry, as KMZ wants
            for path in icon_paths:
                sidc = Path(path).stem
                archive.writestr(path, icon_png(sidc), compress_type=zipfile.ZIP_STORED)
            if looks:
                archive.writestr("files/legend.png", legend_png(looks))
        return [out]
    if out.suffix.lower() == ".kml":
        tree, _, _ = document(frames, sidcs=sidcs, icons=False, **kwargs)
        with atomic_output(out) as tmp:
            tmp.write_bytes(_kml_bytes(tree))
        return [out]
    written: list[str] = []
    with atomic_output(out, directory=True) as tmp:
        for name, gdf in frames.items():
            tree, _, _ = document(
                {name: gdf},
                sidcs=sidcs,
                icons=False,
                title=f"{title}: {name}",
                description=description,
                descriptions=descriptions,
            )
            (tmp / f"{name}.kml").write_bytes(_kml_bytes(tree))
            prov = provenance_of(gdf)
            row = {"layer": name} | {
                key: str(prov.get(key) or "")
                for key in ("source", "date", "licence", "derivation", "url")
            }
            (tmp / f"{name}.provenance.json").write_text(
                json.dumps(row, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
            written += [f"{name}.kml", f"{name}.provenance.json"]
    return [out / name for name in written]
