"""One plan on a folium map: layers, units with APP-6 symbols, coverage, gaps, legs, legend and
provenance, offline by default.

The map is a :class:`folium.Map` whose layer groups are filled by a small runtime
(``maps/static/deployplan.js``) from one JSON block (:mod:`maps.encode`), so each shape and
each symbol is written once. Offline, Leaflet and jQuery are inlined (:mod:`maps.assets`),
there are no tiles (the oblasts and the countries around Ukraine are the basemap), and the
measure tool, full-screen button and minimap are the runtime's own; online, OpenStreetMap
tiles and folium's CDN plugins (MeasureControl, Fullscreen, MiniMap) are used instead.
``maps`` only draws: the plan comes from :func:`planner.make_plan`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layers.atomic import atomic_output
from layers.countries import load_countries
from maps.assets import static_text
from maps.encode import (
    base_data,
    escape,
    hub_positions,
    plan_data,
    symbols_data,
    trunks_data,
)
from maps.page import Group, PageSpec, base_groups, page_html
from maps.panels import legend_html, provenance_html

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from layers import Layers
    from planner.plan import Plan

__all__ = [
    "base_groups",
    "basemap_countries",
    "line_date_of",
    "page_data",
    "plan_map_html",
    "plan_spec",
    "render_plan",
    "symbol_labels",
    "unit_troops",
    "write_html",
    "write_map",
]


_static = static_text


def unit_troops(plan: Plan) -> dict[str, str]:
    """Troops each unit of ``plan`` stands for, as popup text.

    Counted the notes' way (:func:`planner.forces.brigades_for`): a brigade counts its type's
    troops; a battalion with its share of support 1/3 to 1/2.4 of a brigade, e.g. about
    1,333-1,667 troops of a brigade of 4,000.
    """
    from planner.forces import brigades_for
    from planner.rounding import span, troops_text

    types = plan.parameters.get("unit_types", {})
    texts: dict[str, str] = {}
    for type_id in plan.units["unit_type"].unique():
        info = types.get(type_id)
        if not info:
            continue
        if info["echelon"] == "brigade":
            texts[str(type_id)] = f"about {info['troops']:,} (a brigade)"
            continue
        low, high = brigades_for(1, info["echelon"])
        amount = span(troops_text(low * info["troops"]), troops_text(high * info["troops"]))
        texts[str(type_id)] = (
            f"about {amount} (a {info['echelon']} with its share of support: 1/3 to 1/2.4 of a "
            f"brigade of {info['troops']:,})"
        )
    return {
        str(unit_id): texts.get(str(type_id), "")
        for unit_id, type_id in zip(plan.units["unit_id"], plan.units["unit_type"], strict=True)
    }


def basemap_countries(*, online: bool) -> gpd.GeoDataFrame | None:
    """The countries drawn around Ukraine where there are no tiles (offline); ``None`` online."""
    return None if online else load_countries()


def line_date_of(layers: Layers) -> str:
    """The date of the contact line ('' when the line carries none)."""
    if "date" not in layers.line.columns:
        return ""
    dates = sorted({str(d) for d in layers.line["date"] if isinstance(d, str) and d})
    return ", ".join(dates)


def symbol_labels(plans: Iterable[Plan]) -> dict[str, list[str]]:
    """The SIDCs the plans' units use, each with the unit labels that show it (for the legend)."""
    labels: dict[str, list[str]] = {}
    for plan in plans:
        for sidc, label in zip(plan.units["sidc"], plan.units["unit_label"], strict=True):
            labels.setdefault(str(sidc), []).append(str(label))
    return labels


def page_data(
    plans: Sequence[Plan],
    layers: Layers,
    *,
    online: bool,
    countries: gpd.GeoDataFrame | None = None,
) -> dict[str, Any]:
    """The data block of a page showing ``plans`` on ``layers`` (and ``countries``)."""
    tiles = None
    if online:
        tiles = {
            "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            "attribution": "&copy; <a href='https://www.openstreetmap.org/copyright'>"
            "OpenStreetMap</a> contributors",
        }
    hubs = hub_positions(layers.hubs)
    return {
        "online": online,
        "tiles": tiles,
        "base": base_data(layers, countries=countries),
        "trunks": trunks_data(plans, hubs),
        "symbols": symbols_data(itertools.chain.from_iterable(p.units["sidc"] for p in plans)),
        "plans": [
            plan_data(plan, key=f"p{i}", hubs=hubs, troops=unit_troops(plan))
            for i, plan in enumerate(plans)
        ],
    }


def _plan_summary(plan: Plan) -> str:
    n = len(plan.units)
    if n == 0:
        return "no European units placed"
    return (
        f"{n} units &middot; {plan.covered_fraction:.0%} of the line covered &middot; "
        f"largest gap {plan.largest_gap_km:,.0f} km"
    )


def plan_spec(plan: Plan, layers: Layers, *, online: bool = False) -> PageSpec:
    """What the map of one plan shows (:func:`render_plan`, :func:`plan_map_html`)."""
    line_date = line_date_of(layers)
    countries = basemap_countries(online=online)
    labels = sorted(set(plan.units["unit_label"]))
    unit_name = (
        f"Units ({len(plan.units)} &times; {', '.join(escape(x) for x in labels) or 'none'})"
    )
    groups = base_groups(layers, line_date=line_date, countries=countries)
    groups += [
        Group(name, kind, 0, show=kind != "legs")
        for kind, name in (
            ("coverage", "Coverage"),
            ("gaps", "Gaps in coverage"),
            ("legs", "Logistics legs"),
            ("units", unit_name),
        )
    ]
    date = f"contact line of {escape(line_date)} &middot; " if line_date else ""
    legend = legend_html(symbol_labels([plan]), line_date=line_date)
    parameters = {**plan.parameters, "rotation": plan.rotation}
    sources = provenance_html(layers, parameters=parameters, online=online, countries=countries)
    body = (
        f"<div id='dp-legend'>{legend}</div><div id='dp-provenance'>{sources}</div>"
        "<section class='dp-section dp-print-only' id='dp-print-legend'>"
        f"{legend_html(symbol_labels([plan]), line_date=line_date, print_copy=True)}</section>"
    )
    return PageSpec(
        title=escape(plan.name),
        header=(
            f"<header class='dp-header'><h1>{escape(plan.name)}</h1>"
            f"<span>{date}{_plan_summary(plan)}</span></header>"
        ),
        groups=groups,
        body=body,
        data=page_data([plan], layers, online=online, countries=countries),
        css=_static("deployplan.css"),
        js=_static("deployplan.js"),
    )


def render_plan(plan: Plan, layers: Layers, *, online: bool = False) -> folium.Map:
    """Draw one plan on its layers, as a :class:`folium.Map` (to add folium layers of your own).

    Parameters
    ----------
    plan : planner.plan.Plan
        From :func:`planner.make_plan`.
    layers : layers.Layers
        The layers the plan was made on.
    online : bool
        OpenStreetMap tiles and CDN assets instead of a self-contained page.

    Returns
    -------
    folium.Map
        Layers in a layer control (offline the countries around Ukraine; oblasts, occupied
        territory, dated line, points, hubs, units, coverage, gaps, legs), legend and
        provenance panels, scale bar, measure tool, full screen, minimap. Save it with
        :func:`write_html`; :func:`plan_map_html` writes the same page without folium.

    Examples
    --------
    >>> from layers import load_layers
    >>> from planner import make_plan
    >>> layers = load_layers()
    >>> m = render_plan(make_plan(layers, (1, "eur-plus")), layers)  # doctest: +SKIP
    """
    from maps.figure import folium_page

    return folium_page(plan_spec(plan, layers, online=online), online=online)


def plan_map_html(plan: Plan, layers: Layers, *, online: bool = False) -> str:
    """The page of one plan's map: offline written directly (no folium import), online by
    folium (its CDN plugins)."""
    spec = plan_spec(plan, layers, online=online)
    if online:
        from maps.figure import folium_page, map_html

        return map_html(folium_page(spec, online=True))
    return page_html(spec)


def write_html(text: str, path: str | os.PathLike[str]) -> Path:
    """Write a page atomically (whole or not at all); return the path written."""
    target = Path(path)
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_map(
    plan: Plan, layers: Layers, path: str | os.PathLike[str], *, online: bool = False
) -> Path:
    """Render one plan (:func:`render_plan`) and write it to ``path`` atomically.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    geo.errors.OutputError
        If ``path`` cannot be written.
    """
    return write_html(plan_map_html(plan, layers, online=online), path)


_MOVED = ("Fill", "Page", "Setup", "add_base_layers", "figure_of", "folium_page", "map_html")


def __getattr__(name: str) -> Any:
    """The folium side (:mod:`maps.figure`), imported on first use: offline pages need none."""
    if name in _MOVED or name == "new_map":
        import maps.figure

        return getattr(maps.figure, name)
    raise AttributeError(f"module 'maps.render' has no attribute {name!r}")
