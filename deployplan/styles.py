"""How each layer is drawn in GIS clients, the briefing's legend as data: QGIS QML, OGC SLD, KML.

One description per layer (:func:`layer_look`): a symbol (fill, line, marker or APP-6 SVG),
optionally one per category of an attribute (units by ``sidc``, hubs by ``tier``) and a label.
:func:`layer_style` turns it into a :class:`layers.export.LayerStyle` (QML for QGIS, SLD for
other clients); :mod:`deployplan.kml` turns the same description into KML styles. The colours
are the briefing's (``maps/static/deployplan.js``); the unit symbols are those of the briefing
(:func:`maps.symbols.unit_symbol`), embedded as SVG, so a style works on any machine with no
file beside it.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from layers.export import LayerStyle
from maps.symbols import builtin_sidcs, echelon_of, symbol_svg, unit_symbol
from planner.units import UNIT_TYPES

__all__ = [
    "Category",
    "Fill",
    "Label",
    "LayerLook",
    "Line",
    "Marker",
    "SvgMarker",
    "layer_look",
    "layer_style",
    "layer_styles",
    "svg_document",
]

#: Millimetres per CSS pixel (96 dpi): the briefing's sizes in QGIS's units.
MM_PER_PX = 25.4 / 96

Colour = tuple[int, int, int]


def _hex(colour: str) -> Colour:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


# The briefing's palette (maps/static/deployplan.js), Okabe-Ito, readable for colour-blind eyes.
LINE = _hex("#000000")
OCCUPIED = _hex("#D55E00")
COVERAGE = _hex("#0072B2")
GAP = _hex("#D55E00")
LEG = _hex("#CC79A7")
POINT = _hex("#E69F00")
OBLAST = _hex("#7a7a7a")
LAND = _hex("#f3f1ea")
HUB_TIERS = {"rear": _hex("#56B4E9"), "entry": _hex("#F0E442"), "forward": _hex("#009E73")}


@dataclass(frozen=True)
class Fill:
    """A polygon fill with an outline; opacities 0-1."""

    colour: Colour
    opacity: float
    outline: Colour
    outline_width_mm: float
    outline_opacity: float = 1.0


@dataclass(frozen=True)
class Line:
    """A line, solid or dashed."""

    colour: Colour
    width_mm: float
    opacity: float = 1.0
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """A simple marker: ``circle`` or ``square``, filled, with a black outline."""

    shape: str
    colour: Colour
    size_mm: float


@dataclass(frozen=True)
class SvgMarker:
    """An SVG image (a unit's APP-6 symbol) anchored at the point by ``offset_mm``."""

    svg: str
    width_mm: float
    height_mm: float
    offset_mm: tuple[float, float]
    sidc: str = ""


Symbol = Fill | Line | Marker | SvgMarker


@dataclass(frozen=True)
class Category:
    """The symbol of features whose attribute has ``value``."""

    value: str
    label: str
    symbol: Symbol


@dataclass(frozen=True)
class Label:
    """Each feature labelled with the text of ``attribute``."""

    attribute: str
    size_pt: float = 8.0
    colour: Colour = (20, 20, 20)


@dataclass(frozen=True)
class LayerLook:
    """How one layer is drawn: a symbol, or one per category of ``attribute``; a label."""

    layer: str
    title: str
    symbol: Symbol
    attribute: str | None = None
    categories: tuple[Category, ...] = field(default_factory=tuple)
    label: Label | None = None


def svg_document(sidc: str) -> tuple[str, float, float, float, float]:
    """A unit symbol as a standalone SVG document, its size and anchor in pixels.

    The same symbol as the briefing's (:func:`maps.symbols.symbol_svg`), standalone (with its
    ``xmlns``), as a file or an embedded image in QGIS, SLD or KML needs.
    """
    symbol = unit_symbol(sidc)
    svg = symbol_svg(sidc)
    return svg, symbol.width, symbol.height, symbol.anchor_x, symbol.anchor_y


def unit_marker(sidc: str) -> SvgMarker:
    """The APP-6 symbol of ``sidc`` as a marker the size it has in the briefing."""
    svg, width, height, ax, ay = svg_document(sidc)
    return SvgMarker(
        svg=svg,
        width_mm=round(width * MM_PER_PX, 2),
        height_mm=round(height * MM_PER_PX, 2),
        offset_mm=(round((width / 2 - ax) * MM_PER_PX, 2), round((height / 2 - ay) * MM_PER_PX, 2)),
        sidc=sidc,
    )


def _unit_labels(sidcs: Iterable[str]) -> dict[str, str]:
    labels: dict[str, list[str]] = {}
    for unit in UNIT_TYPES.values():
        labels.setdefault(unit.sidc, []).append(unit.label)
    return {
        sidc: ", ".join(labels.get(sidc, [])) or f"APP-6 {sidc} ({echelon_of(sidc)})"
        for sidc in sidcs
    }


def layer_look(name: str, *, sidcs: Sequence[str] = ()) -> LayerLook | None:
    """How the layer called ``name`` is drawn (None for a layer deployplan does not know).

    Parameters
    ----------
    name : str
        ``units``, ``coverage``, ``gaps``, ``slots``, ``legs``, ``line``, ``points``, ``hubs``,
        ``oblasts`` or ``occupied``.
    sidcs : sequence of str
        For ``units``: the SIDCs to draw besides the built-in unit types' (e.g. a scenario's
        own unit types).
    """
    thin = 0.26
    if name == "units":
        builtin = [*builtin_sidcs(), *(u.sidc for u in UNIT_TYPES.values())]
        codes = list(dict.fromkeys([*builtin, *sidcs]))
        labels = _unit_labels(codes)
        return LayerLook(
            name,
            "Units (APP-6 symbols)",
            Marker("square", COVERAGE, 4.0),
            attribute="sidc",
            categories=tuple(Category(c, labels[c], unit_marker(c)) for c in codes),
            label=Label("unit_id", 7.5),
        )
    looks = {
        "coverage": LayerLook(
            name,
            "Coverage: within a unit's radius",
            Fill(COVERAGE, 0.13, COVERAGE, thin, 0.8),
        ),
        "gaps": LayerLook(
            name, "Gap: line outside every unit's radius", Line(GAP, 6 * MM_PER_PX, 0.75)
        ),
        "slots": LayerLook(
            name,
            "Slot: the stretch of line a unit belongs to",
            Line(COVERAGE, 1.5 * MM_PER_PX, 0.6),
            attribute="reason",
            categories=(
                Category("placed", "slot holding its unit", Line(COVERAGE, 1.5 * MM_PER_PX, 0.6)),
                *(
                    Category(reason, f"empty slot: {reason}", Line(GAP, 3 * MM_PER_PX, 0.9))
                    for reason in ("no-valid-position", "outside-ukraine", "too-short")
                ),
            ),
        ),
        "legs": LayerLook(
            name,
            "Logistics leg: rear, entry, forward hub, unit",
            Line(LEG, 2 * MM_PER_PX, 1.0, dashed=True),
        ),
        "line": LayerLook(name, "Contact line", Line(LINE, 3 * MM_PER_PX)),
        "points": LayerLook(
            name,
            "Expected concentration point",
            Marker("circle", POINT, 14 * MM_PER_PX),
            label=Label("name", 9.0),
        ),
        "hubs": LayerLook(
            name,
            "Hub: rear, entry, forward",
            Marker("square", HUB_TIERS["forward"], 12 * MM_PER_PX),
            attribute="tier",
            categories=tuple(
                Category(tier, f"{tier} hub", Marker("square", colour, 12 * MM_PER_PX))
                for tier, colour in HUB_TIERS.items()
            ),
            label=Label("name", 8.0, (60, 60, 60)),
        ),
        "oblasts": LayerLook(
            name,
            "Oblasts (basemap)",
            Fill(LAND, 1.0, OBLAST, 0.8 * MM_PER_PX),
            label=Label("name", 7.0, (140, 138, 128)),
        ),
        "occupied": LayerLook(name, "Occupied territory", Fill(OCCUPIED, 0.22, OCCUPIED, 0.0, 0.0)),
    }
    return looks.get(name)


def layer_style(name: str, *, sidcs: Sequence[str] = ()) -> LayerStyle | None:
    """The QGIS (QML) and SLD style of layer ``name``, or None if deployplan has none."""
    look = layer_look(name, sidcs=sidcs)
    if look is None:
        return None
    return LayerStyle(qml=to_qml(look), sld=to_sld(look), description=look.title)


def layer_styles(names: Iterable[str], *, sidcs: Sequence[str] = ()) -> dict[str, LayerStyle]:
    """The styles of the layers deployplan knows among ``names``."""
    styles = {}
    for name in names:
        style = layer_style(name, sidcs=sidcs)
        if style is not None:
            styles[name] = style
    return styles


# --- QML ------------------------------------------------------------------------------------


def _rgba(colour: Colour, opacity: float = 1.0) -> str:
    return ",".join(str(c) for c in colour) + f",{round(255 * opacity)}"


def _props(**values: object) -> str:
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in values.items())


def svg_data(svg: str) -> str:
    """An SVG as QGIS's embedded form (``base64:...``)."""
    return "base64:" + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _qml_symbol(symbol: Symbol, name: str) -> str:
    if isinstance(symbol, Fill):
        kind = "fill"
        layer = (
            "SimpleFill",
            _props(
                color=_rgba(symbol.colour, symbol.opacity),
                outline_color=_rgba(symbol.outline, symbol.outline_opacity),
                outline_style="solid" if symbol.outline_width_mm > 0 else "no",
                outline_width=symbol.outline_width_mm,
                outline_width_unit="MM",
                style="solid",
                joinstyle="round",
            ),
        )
    elif isinstance(symbol, Line):
        kind = "line"
        layer = (
            "SimpleLine",
            _props(
                line_color=_rgba(symbol.colour, symbol.opacity),
                line_width=round(symbol.width_mm, 3),
                line_width_unit="MM",
                line_style="dash" if symbol.dashed else "solid",
                use_custom_dash=1 if symbol.dashed else 0,
                customdash="4;2",
                customdash_unit="MM",
                capstyle="round" if not symbol.dashed else "flat",
                joinstyle="round",
            ),
        )
    elif isinstance(symbol, Marker):
        kind = "marker"
        layer = (
            "SimpleMarker",
            _props(
                name=symbol.shape,
                color=_rgba(symbol.colour),
                outline_color="0,0,0,255",
                outline_style="solid",
                outline_width=0.4,
                outline_width_unit="MM",
                size=round(symbol.size_mm, 3),
                size_unit="MM",
            ),
        )
    else:
        kind = "marker"
        layer = (
            "SvgMarker",
            _props(
                name=svg_data(symbol.svg),
                size=symbol.width_mm,
                size_unit="MM",
                fixedAspectRatio=round(symbol.height_mm / symbol.width_mm, 4),
                offset=f"{symbol.offset_mm[0]},{symbol.offset_mm[1]}",
                offset_unit="MM",
                color="0,0,0,255",
                outline_color="0,0,0,255",
                outline_width=0,
                scale_method="diameter",
                vertical_anchor_point=1,
                horizontal_anchor_point=1,
            ),
        )
    cls, props = layer
    return (
        f'<symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
        f'<layer class="{cls}" enabled="1" pass="0" locked="0">{props}</layer></symbol>'
    )


def _qml_renderer(look: LayerLook) -> str:
    if not look.categories:
        return (
            '<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
            f'forceraster="0"><symbols>{_qml_symbol(look.symbol, "0")}</symbols>'
            "<rotation/><sizescale/></renderer-v2>"
        )
    categories = "".join(
        f'<category render="true" symbol="{i}" value={quoteattr(c.value)} '
        f"label={quoteattr(c.label)}/>"
        for i, c in enumerate(look.categories)
    )
    other = len(look.categories)
    categories += f'<category render="true" symbol="{other}" value="" label="other"/>'
    symbols = "".join(_qml_symbol(c.symbol, str(i)) for i, c in enumerate(look.categories))
    symbols += _qml_symbol(look.symbol, str(other))
    return (
        f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(look.attribute or "")} '
        'symbollevels="0" enableorderby="0" forceraster="0">'
        f"<categories>{categories}</categories><symbols>{symbols}</symbols>"
        f"<source-symbol>{_qml_symbol(look.symbol, '0')}</source-symbol>"
        "<rotation/><sizescale/></renderer-v2>"
    )


def _qml_labeling(look: LayerLook) -> str:
    label = look.label
    if label is None:
        return ""
    polygon = isinstance(look.symbol, Fill)
    # QgsPalLayerSettings.Placement: 1 OverPoint (polygons), 6 OrderedPositionsAroundPoint
    placement = 1 if polygon else 6
    return (
        '<labeling type="simple"><settings calloutType="simple">'
        f'<text-style fieldName={quoteattr(label.attribute)} isExpression="0" '
        f'fontSize="{label.size_pt}" fontSizeUnit="Point" textColor="{_rgba(label.colour)}" '
        'textOpacity="1" fontFamily="Sans Serif" namedStyle="Regular" fontWeight="50" '
        'fontItalic="0" fontUnderline="0" fontStrikeout="0" multilineHeight="1" '
        'blendMode="0" allowHtml="0" capitalization="0" previewBkgrdColor="255,255,255,255">'
        '<text-buffer bufferDraw="1" bufferSize="0.7" bufferSizeUnits="MM" '
        'bufferColor="255,255,255,255" bufferOpacity="0.9" bufferNoFill="1" '
        'bufferJoinStyle="128" bufferBlendMode="0"/>'
        "</text-style>"
        '<text-format wrapChar="" multilineAlign="3" formatNumbers="0" decimals="3" '
        'plussign="0" addDirectionSymbol="0"/>'
        f'<placement placement="{placement}" dist="1.2" distUnits="MM" '
        'offsetType="0" quadOffset="4" xOffset="0" yOffset="0" offsetUnits="MM" '
        'priority="5" maxCurvedCharAngleIn="25" maxCurvedCharAngleOut="-25" '
        'centroidWhole="0" centroidInside="1" fitInPolygonOnly="0" '
        'predefinedPositionOrder="TR,TL,BR,BL,R,L,TSR,BSR" placementFlags="10" '
        'overrunDistance="0" overrunDistanceUnit="MM" repeatDistance="0" '
        'repeatDistanceUnits="MM" rotationAngle="0"/>'
        '<rendering drawLabels="1" obstacle="1" obstacleFactor="1" obstacleType="1" '
        'displayAll="0" upsidedownLabels="0" limitNumLabels="0" maxNumLabels="2000" '
        'mergeLines="0" minFeatureSize="0" scaleVisibility="0" scaleMin="0" scaleMax="0" '
        'fontLimitPixelSize="0" fontMinPixelSize="3" fontMaxPixelSize="10000" '
        'labelPerPart="0" zIndex="0" unplacedVisibility="0"/>'
        "</settings></labeling>"
    )


def to_qml(look: LayerLook) -> str:
    """The QGIS style document (QML) of a layer: renderer, labels, layer opacity."""
    labels = "1" if look.label else "0"
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="3.22.16-Białowieża" styleCategories="AllStyleCategories" '
        f'labelsEnabled="{labels}" hasScaleBasedVisibilityFlag="0" minScale="1e+08" '
        f'maxScale="0">'
        f"{_qml_renderer(look)}{_qml_labeling(look)}"
        "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode>"
        "<layerOpacity>1</layerOpacity>"
        f"<layerGeometryType>{_geometry_type(look.symbol)}</layerGeometryType>"
        "</qgis>\n"
    )


def _geometry_type(symbol: Symbol) -> int:
    # QgsWkbTypes.GeometryType: 0 point, 1 line, 2 polygon
    return 2 if isinstance(symbol, Fill) else 1 if isinstance(symbol, Line) else 0


# --- SLD ------------------------------------------------------------------------------------

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"
_XLINK = "http://www.w3.org/1999/xlink"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
for _prefix, _uri in (("", _SLD), ("se", _SE), ("ogc", _OGC), ("xlink", _XLINK), ("xsi", _XSI)):
    ET.register_namespace(_prefix, _uri)


def _se(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{_SE}}}{tag}", attrib)
    if text is not None:
        element.text = text
    return element


def _hexcolour(colour: Colour) -> str:
    return "#{:02X}{:02X}{:02X}".format(*colour)


def _param(parent: ET.Element, name: str, value: object) -> None:
    _se(parent, "SvgParameter", str(value), name=name)


def _px(mm: float) -> str:
    return f"{mm / MM_PER_PX:.1f}"


def _sld_symbolizer(rule: ET.Element, symbol: Symbol) -> None:
    if isinstance(symbol, Fill):
        poly = _se(rule, "PolygonSymbolizer")
        fill = _se(poly, "Fill")
        _param(fill, "fill", _hexcolour(symbol.colour))
        _param(fill, "fill-opacity", symbol.opacity)
        if symbol.outline_width_mm > 0:
            stroke = _se(poly, "Stroke")
            _param(stroke, "stroke", _hexcolour(symbol.outline))
            _param(stroke, "stroke-opacity", symbol.outline_opacity)
            _param(stroke, "stroke-width", _px(symbol.outline_width_mm))
    elif isinstance(symbol, Line):
        stroke = _se(_se(rule, "LineSymbolizer"), "Stroke")
        _param(stroke, "stroke", _hexcolour(symbol.colour))
        _param(stroke, "stroke-opacity", symbol.opacity)
        _param(stroke, "stroke-width", _px(symbol.width_mm))
        if symbol.dashed:
            _param(stroke, "stroke-dasharray", "8 4")
    elif isinstance(symbol, Marker):
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        mark = _se(graphic, "Mark")
        _se(mark, "WellKnownName", symbol.shape)
        _param(_se(mark, "Fill"), "fill", _hexcolour(symbol.colour))
        stroke = _se(mark, "Stroke")
        _param(stroke, "stroke", "#000000")
        _param(stroke, "stroke-width", "1.5")
        _se(graphic, "Size", _px(symbol.size_mm))
    else:
        graphic = _se(_se(rule, "PointSymbolizer"), "Graphic")
        external = _se(graphic, "ExternalGraphic")
        content = _se(external, "InlineContent", encoding="base64")
        content.text = base64.b64encode(symbol.svg.encode("utf-8")).decode("ascii")
        _se(external, "Format", "image/svg+xml")
        _se(graphic, "Size", _px(symbol.height_mm))
        displacement = _se(graphic, "Displacement")
        _se(displacement, "DisplacementX", _px(symbol.offset_mm[0]))
        _se(displacement, "DisplacementY", _px(-symbol.offset_mm[1]))


def _equals(rule: ET.Element, attribute: str, value: str) -> None:
    filt = ET.SubElement(rule, f"{{{_OGC}}}Filter")
    equal = ET.SubElement(filt, f"{{{_OGC}}}PropertyIsEqualTo")
    ET.SubElement(equal, f"{{{_OGC}}}PropertyName").text = attribute
    ET.SubElement(equal, f"{{{_OGC}}}Literal").text = value


def to_sld(look: LayerLook) -> str:
    """The layer's style as an OGC Styled Layer Descriptor 1.1 (Symbology Encoding)."""
    root = ET.Element(
        f"{{{_SLD}}}StyledLayerDescriptor",
        {
            "version": "1.1.0",
            f"{{{_XSI}}}schemaLocation": "http://www.opengis.net/sld "
            "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
        },
    )
    layer = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    _se(layer, "Name", look.layer)
    style = ET.SubElement(layer, f"{{{_SLD}}}UserStyle")
    _se(style, "Name", "deployplan")
    _se(_se(style, "Description"), "Title", look.title)
    types = _se(style, "FeatureTypeStyle")
    if look.categories:
        for category in look.categories:
            rule = _se(types, "Rule")
            _se(rule, "Name", category.value)
            _se(_se(rule, "Description"), "Title", category.label)
            _equals(rule, look.attribute or "", category.value)
            _sld_symbolizer(rule, category.symbol)
        rule = _se(types, "Rule")
        _se(rule, "Name", "other")
        _se(rule, "ElseFilter")
        _sld_symbolizer(rule, look.symbol)
    else:
        rule = _se(types, "Rule")
        _se(rule, "Name", look.layer)
        _se(_se(rule, "Description"), "Title", look.title)
        _sld_symbolizer(rule, look.symbol)
    if look.label is not None:
        rule = _se(types, "Rule")
        _se(rule, "Name", "labels")
        text = _se(rule, "TextSymbolizer")
        label = _se(text, "Label")
        ET.SubElement(label, f"{{{_OGC}}}PropertyName").text = look.label.attribute
        font = _se(text, "Font")
        _param(font, "font-family", "Sans-Serif")
        _param(font, "font-size", f"{look.label.size_pt * 96 / 72:.0f}")
        halo = _se(text, "Halo")
        _se(halo, "Radius", "2")
        _param(_se(halo, "Fill"), "fill", "#FFFFFF")
        _param(_se(text, "Fill"), "fill", _hexcolour(look.label.colour))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
