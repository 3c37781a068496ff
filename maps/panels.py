"""The legend, the provenance panel and the comparison table, as escaped HTML fragments."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

from maps.assets import asset_versions
from maps.encode import SIMPLIFY_KM, escape
from maps.symbols import echelon_of, unit_symbol
from planner.rounding import brigades_text, per_km_text

if TYPE_CHECKING:
    import geopandas as gpd

    from layers import Layers

__all__ = [
    "TABLE_ROWS",
    "cell_text",
    "deployplan_version",
    "legend_html",
    "provenance_html",
    "table_html",
]

_LAYER_TITLES = (
    ("line", "Contact line"),
    ("occupied", "Occupied territory"),
    ("oblasts", "Oblasts"),
    ("points", "Concentration points"),
    ("hubs", "Logistics hubs"),
)


def deployplan_version() -> str:
    """The installed deployplan version (``"unknown"`` from a bare source tree)."""
    try:
        return version("deployplan")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "unknown"


def _swatch(style: str) -> str:
    return f"<span class='dp-sw' style='{style}'></span>"


def _row(mark: str, text: str) -> str:
    return f"<div class='dp-legend-row'>{mark}<span>{text}</span></div>"


def legend_html(
    symbols: Mapping[str, Iterable[str]], *, line_date: str, print_copy: bool = False
) -> str:
    """The legend: one row per unit symbol (with its labels), then the layers' styles.

    Parameters
    ----------
    symbols : mapping of SIDC to unit labels
        The symbols on the map and the unit types that use them (labels not yet escaped).
    line_date : str
        Date of the contact line.
    print_copy : bool
        The copy printed under the map (a heading, not a toggle: controls are not printed).
    """
    rows = []
    for sidc, labels in sorted(symbols.items()):
        symbol = unit_symbol(sidc)
        names = ", ".join(escape(label) for label in sorted(set(labels)))
        rows.append(_row(symbol.svg, f"{names} ({echelon_of(sidc)})"))
    date = f" as of {escape(line_date)}" if line_date else ""
    dot = "background:#E69F00;border:1.5px solid #000;border-radius:50%;width:14px;height:14px"
    hubs = "".join(
        _swatch(f"background:{colour};border:1.5px solid #000;width:12px")
        for colour in ("#56B4E9", "#F0E442", "#009E73")
    )
    rows += [
        _row(_swatch("border-top:3px solid #000;height:3px"), f"Contact line{date}"),
        _row(_swatch("background:rgba(213,94,0,.3)"), "Occupied territory"),
        _row(
            _swatch("background:rgba(0,114,178,.18);border:1px solid #0072B2"),
            "Coverage: within a unit's radius (geodesic circles, merged)",
        ),
        _row(
            _swatch("border-top:7px solid rgba(204,121,167,.9);height:7px"),
            "Gap: stretch of line outside every unit's radius",
        ),
        _row(
            _swatch("border-top:2px dashed #444;height:2px"),
            "Logistics leg: rear &rarr; entry &rarr; forward hub &rarr; unit",
        ),
        _row(_swatch(dot), "Expected concentration point"),
        _row(hubs, "Hub: rear, entry, forward"),
    ]
    if print_copy:
        return f"<h2>Legend</h2><div class='dp-legend-print'>{''.join(rows)}</div>"
    return f"<details open><summary>Legend</summary>{''.join(rows)}</details>"


def _short(source: str) -> str:
    """A source's name without details: 'GeoNames (geonames.org) city ...' -> 'GeoNames'."""
    return source.split(",")[0].split(" (")[0].split(";")[0].strip()[:70]


def _link(url: object) -> str:
    """A provenance URL as a link if it is http(s); any other scheme is shown as text only."""
    if not isinstance(url, str) or not url.strip():
        return ""
    text = url.strip()
    if urlsplit(text).scheme.lower() in ("http", "https") and text.lower().startswith("http"):
        return f" <a href='{escape(text)}' target='_blank' rel='noopener'>link</a>"
    return f" (link not shown: {escape(text)})"


def _source_item(title: str, prov: Mapping[str, Any], *, full: bool) -> str:
    if not prov:
        return f"<li><b>{title}</b>: no provenance recorded</li>"
    link = _link(prov.get("url"))
    source, date, licence = (str(prov.get(k, "")) for k in ("source", "date", "licence"))
    derivation = str(prov.get("derivation", ""))
    if full:
        return (
            f"<li><b>{title}</b>: {escape(source)}; {escape(date)}; licence {escape(licence)}. "
            f"Derivation: {escape(derivation)}{link}</li>"
        )
    details = escape(f"{source}. {derivation}")
    return (
        f"<li title='{details}'><b>{title}</b>: {escape(_short(source))}, "
        f"{escape(date)}, {escape(licence)}{link}</li>"
    )


def provenance_html(
    layers: Layers,
    *,
    parameters: Mapping[str, Any] | None = None,
    online: bool = False,
    full: bool = False,
    countries: gpd.GeoDataFrame | None = None,
) -> str:
    """The provenance panel: each layer's source, date and licence, the plan's parameters,
    and what drew the map.

    Parameters
    ----------
    layers : layers.Layers
    parameters : mapping, optional
        A plan's parameters: the plain values (unit, spacing, standoff, radius, rotation ...)
        are listed, the description follows; nested details (per deployment) are in the
        units' popups instead.
    online : bool
        The page loads its libraries from CDNs (else they are inlined).
    full : bool
        Whole source and derivation texts (else short, with the details on hover).
    countries : GeoDataFrame, optional
        The countries drawn around Ukraine, if the map draws them.
    """
    items = [
        _source_item(title, getattr(layers, name).attrs.get("provenance", {}), full=full)
        for name, title in _LAYER_TITLES
        if getattr(layers, name, None) is not None
    ]
    if countries is not None:
        items.append(_source_item("Countries", countries.attrs.get("provenance", {}), full=full))
    body = f"<ul>{''.join(items)}</ul>"
    if parameters:
        plain = {
            k: v
            for k, v in parameters.items()
            if isinstance(v, str | int | float)
            and k != "description"
            and v not in ("", None)
            and v == v
        }
        pairs = "; ".join(f"{escape(k)} {escape(v)}" for k, v in plain.items())
        body += f"<div><b>Plan parameters</b>: {pairs}</div>"
        if parameters.get("description"):
            body += f"<div>{escape(parameters['description'])}</div>"
    leaflet = asset_versions()["leaflet"]
    where = (
        "from a CDN, tiles &copy; OpenStreetMap contributors" if online else "inlined, no network"
    )
    body += (
        f"<div class='dp-note'>deployplan {escape(deployplan_version())}; "
        f"Leaflet {leaflet} ({where}); "
        "symbols: milsymbol (APP-6 / MIL-STD-2525D). "
        f"Display geometry simplified to {SIMPLIFY_KM:g} km, coordinates to 1e-5&deg;.</div>"
    )
    return f"<details open><summary>Sources and parameters</summary>{body}</details>"


#: Rows of the briefing's comparison table: (key, label, key of the range's upper end).
TABLE_ROWS: tuple[tuple[str, str, str | None], ...] = (
    ("unit", "unit type", None),
    ("units_nominal", "units (notes)", None),
    ("brigades_min", "brigades (notes)", "brigades_max"),
    ("troops_min", "troops deployed (notes)", "troops_max"),
    ("units_placed", "units placed on this line", None),
    ("troops_placed_min", "troops placed", "troops_placed_max"),
    ("rotation_factor", "rotation", None),
    ("sustained_troops_min", "troops sustained (notes &times; rotation)", "sustained_troops_max"),
    ("fits_availability", "fits what Europe can sustain, upper end (300,000)", None),
    ("fits_availability_low", "fits what Europe can sustain, lower end (50,000)", None),
    ("fits_brigades", "fits deployable brigades", None),
    ("coverage_fraction", "line covered", None),
    ("largest_gap_km", "largest gap, km", None),
    ("gaps", "gaps", None),
    ("road_km_max", "supply by road, farthest unit, km", None),
    ("convoy_hours_max", "convoy hours, farthest unit", None),
    ("response_hours_max", "response hours to a point, slowest", None),
)


def cell_text(key: str, value: Any) -> str:
    """One cell of the comparison as plain text (for slides): the briefing table's format.

    Examples
    --------
    >>> cell_text("coverage_fraction", 0.868), cell_text("troops_min", 32000)
    ('86.8%', '32,000')
    >>> cell_text("fits_brigades", True), cell_text("largest_gap_km", float("nan"))
    ('yes', '–')
    """
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "none"
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return "\u2013"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key.endswith("_fraction"):
        return f"{value * 100:.1f}%"  # the row's 0.1 %, as in every table
    if isinstance(value, int):
        return f"{value:,}"
    if key.startswith("brigades"):
        return brigades_text(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if "hours" in key else f"{value:,.1f}"
    return str(value)


def _cell(key: str, value: Any) -> str:
    text = cell_text(key, value)
    return "&ndash;" if text == "\u2013" else escape(text)


def table_html(table: pd.DataFrame) -> str:
    """The comparison table (:func:`planner.compare.table`) as escaped HTML, one column per
    plan and one row per measure (:data:`TABLE_ROWS`, those the table has); ranges as min-max.
    """
    records = table.astype(object).to_dict("records")
    head = "".join(f"<th>{escape(r.get('name', ''))}</th>" for r in records)
    body = []
    for key, label, high in TABLE_ROWS:
        if key not in table.columns:
            continue
        cells = []
        for r in records:
            cell = _cell(key, r[key])
            if high and high in r and r[high] != r[key]:
                cell = f"{cell}&ndash;{_cell(high, r[high])}"
            cells.append(f"<td>{cell}</td>")
        body.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    return (
        "<div class='dp-scroll' tabindex='0' role='region' aria-label='Comparison table'>"
        f"<table class='dp-table'><thead><tr><th></th>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def yardsticks_html(table: pd.DataFrame) -> str:
    """A small table: each plan's troops per km of the line (deployed and sustained, upper
    ends) and the proposals at least as large, then the yardsticks' own figures.

    Takes the comparison table (:func:`planner.compare.table`); plans without the per-km
    columns (an older table) give an empty string.
    """
    from planner.yardsticks import PROPOSALS, YARDSTICKS

    if "troops_per_km" not in table.columns:
        return ""
    body = []
    for r in table.astype(object).to_dict("records"):
        names = list(r.get("fits_proposals") or [])
        fitting = [p for p in PROPOSALS if p.name in names]
        smallest = min(fitting, key=lambda p: p.troops_max) if fitting else None
        proposals = (
            f"{len(fitting)} of {len(PROPOSALS)}, from {escape(smallest.name)} "
            f"({smallest.troops_max:,})"
            if smallest
            else "none"
        )
        body.append(
            f"<tr><th>{escape(r.get('name', ''))}</th><td>{_cell('troops', r['troops_max'])}</td>"
            f"<td>{r['troops_per_km']:,.1f}</td><td>{r['sustained_troops_per_km']:,.1f}</td>"
            f"<td title='{escape('; '.join(names))}'>{proposals}</td></tr>"
        )
    for y in YARDSTICKS.values():
        troops = f"{y.troops_min:,}"
        if y.troops_max != y.troops_min:
            troops += f"&ndash;{y.troops_max:,}"
        density = "&ndash;"
        if y.troops_per_km is not None:
            low, high = (per_km_text(v) for v in y.troops_per_km)
            density = low if low == high else f"{low}&ndash;{high}"
        what = f"yardstick, a line of {y.line_km:,} km" if y.line_km else "yardstick, an area"
        body.append(
            f"<tr class='dp-yardstick'><th>{escape(y.name)}</th><td>{troops}</td>"
            f"<td>{density}</td><td>&ndash;</td><td>{what}</td></tr>"
        )
    head = (
        "<tr><th></th><th>troops deployed (upper end)</th><th>troops per km of the line</th>"
        "<th>sustained per km (&times; rotation)</th><th>reported proposals at least as large"
        "</th></tr>"
    )
    return (
        "<div class='dp-scroll' tabindex='0' role='region' aria-label='Yardsticks table'>"
        f"<table class='dp-table' id='dp-yardsticks-table'><thead>{head}"
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )
