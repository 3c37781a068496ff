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
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from layers.atomic import atomic_output
from layers.countries import load_countries
from maps.assets import ONLINE_CSS, ONLINE_JS, InlineAssets
from maps.encode import (
    base_data,
    escape,
    hub_positions,
    plan_data,
    script_json,
    symbols_data,
    trunks_data,
)
from maps.panels import legend_html, provenance_html

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from layers import Layers
    from planner.plan import Plan

__all__ = [
    "Fill",
    "Page",
    "add_base_layers",
    "basemap_countries",
    "figure_of",
    "line_date_of",
    "map_html",
    "new_map",
    "page_data",
    "render_plan",
    "symbol_labels",
    "unit_troops",
    "write_html",
    "write_map",
]

#: Base layers, the key the runtime fills them by, and their name in the layer control.
BASE_LAYERS = (
    ("oblasts", "Oblasts (basemap)"),
    ("occupied", "Occupied territory"),
    ("line", "Contact line"),
    ("points", "Concentration points"),
    ("hubs", "Logistics hubs"),
)


@cache
def _static(name: str) -> str:
    return (files("maps") / "static" / name).read_text(encoding="utf-8")


class Fill(MacroElement):
    """Fill the parent layer group from the page's data block (one kind, or a whole plan)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "deployplan.fill({{ this._parent.get_name() }}, "
        "{{ this.kind|tojson }}, {{ this.plan|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, kind: str, plan: int | None = None) -> None:
        super().__init__()
        self._name = "Fill"
        self.kind = kind
        self.plan = plan


class Page(MacroElement):
    """The runtime, its styles, the data block, and the page's own HTML (panels, sections)."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>{{ this.css }}</style><script>{{ this.js }}</script>"
        "{% endmacro %}"
        "{% macro html(this, kwargs) %}"
        '<script type="application/json" id="dp-data">{{ this.data }}</script>{{ this.body }}'
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "deployplan.controls({{ this._parent.get_name() }}, {{ this.own_controls|tojson }}, "
        "{{ this.layer_control.get_name() if this.layer_control else 'null' }}, "
        "[{% for g in this.options %}{{ g.get_name() }}{{ ', ' if not loop.last }}{% endfor %}]);"
        "{{ this.extra_script }}"
        "{% endmacro %}"
    )

    def __init__(
        self,
        data: dict[str, Any],
        body: str,
        *,
        online: bool,
        extra_script: str = "",
        layer_control: Element | None = None,
        options: Sequence[Element] = (),
    ) -> None:
        super().__init__()
        self._name = "Page"
        self.css = _static("deployplan.css")
        self.js = _static("deployplan.js")
        self.data = script_json(data)
        self.body = body
        self.own_controls = not online
        self.extra_script = extra_script
        self.layer_control = layer_control
        self.options = list(options)


class Setup(MacroElement):
    """Before any layer: the map's panes, in drawing order (``deployplan.setup``)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "deployplan.setup({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Setup"


def new_map(*, online: bool) -> folium.Map:
    """An empty map over Ukraine with a scale bar; Leaflet and jQuery inlined unless ``online``.

    Offline there is no tile layer and no asset outside the page; online the map has
    OpenStreetMap tiles and folium's CDN plugins for measuring, full screen and a minimap.
    Bootstrap and Font Awesome are dropped in both modes: nothing here uses them.
    """
    import folium

    m = folium.Map(
        location=[48.5, 33.0],
        zoom_start=6,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    m.add_child(Setup(), name="deployplan_setup")
    if online:
        import folium.plugins  # CDN plugins: only online pages use them

        m.default_js = list(ONLINE_JS)
        m.default_css = list(ONLINE_CSS)
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
        folium.plugins.MeasureControl(
            position="topleft", primary_length_unit="kilometers", secondary_length_unit=None
        ).add_to(m)
        folium.plugins.Fullscreen(position="topleft").add_to(m)
        folium.plugins.MiniMap(position="bottomright", toggle_display=True).add_to(m)
    else:
        m.default_js = []
        m.default_css = []
        figure_of(m).header.add_child(InlineAssets(), name="deployplan_assets")
    return m


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


def add_base_layers(
    m: folium.Map,
    layers: Layers,
    *,
    line_date: str,
    countries: gpd.GeoDataFrame | None = None,
) -> None:
    """Add the shared layers to ``m``, one overlay group each, the countries (if any) first."""
    import folium

    if countries is not None and len(countries):
        group = folium.FeatureGroup(name="Neighbouring countries (basemap)")
        group.add_child(Fill("countries"))
        m.add_child(group)
    for kind, title in BASE_LAYERS:
        if kind == "occupied" and (layers.occupied is None or not len(layers.occupied)):
            continue
        name = f"{title} {line_date}" if kind == "line" and line_date else title
        group = folium.FeatureGroup(name=escape(name))
        group.add_child(Fill(kind))
        m.add_child(group)


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


def render_plan(plan: Plan, layers: Layers, *, online: bool = False) -> folium.Map:
    """Draw one plan on its layers.

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
        :func:`write_html`.

    Examples
    --------
    >>> from layers import load_layers
    >>> from planner import make_plan
    >>> layers = load_layers()
    >>> m = render_plan(make_plan(layers, (1, "eur-plus")), layers)  # doctest: +SKIP
    """
    import folium

    m = new_map(online=online)
    line_date = line_date_of(layers)
    countries = basemap_countries(online=online)
    add_base_layers(m, layers, line_date=line_date, countries=countries)
    labels = sorted(set(plan.units["unit_label"]))
    unit_name = (
        f"Units ({len(plan.units)} &times; {', '.join(escape(x) for x in labels) or 'none'})"
    )
    for kind, name in (
        ("coverage", "Coverage"),
        ("gaps", "Gaps in coverage"),
        ("legs", "Logistics legs"),
        ("units", unit_name),
    ):
        group = folium.FeatureGroup(name=name, show=kind != "legs")
        group.add_child(Fill(kind, 0))
        m.add_child(group)
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    date = f"contact line of {escape(line_date)} &middot; " if line_date else ""
    legend = legend_html(symbol_labels([plan]), line_date=line_date)
    parameters = {**plan.parameters, "rotation": plan.rotation}
    sources = provenance_html(layers, parameters=parameters, online=online, countries=countries)
    figure_of(m).html.add_child(
        Element(
            f"<header class='dp-header'><h1>{escape(plan.name)}</h1>"
            f"<span>{date}{_plan_summary(plan)}</span></header>"
        ),
        name="dp_header",
    )
    body = (
        f"<div id='dp-legend'>{legend}</div><div id='dp-provenance'>{sources}</div>"
        "<section class='dp-section dp-print-only' id='dp-print-legend'>"
        f"{legend_html(symbol_labels([plan]), line_date=line_date, print_copy=True)}</section>"
    )
    data = page_data([plan], layers, online=online, countries=countries)
    m.add_child(Page(data, body, online=online, layer_control=control))
    figure_of(m).title = escape(plan.name)
    return m


def figure_of(m: folium.Map) -> Figure:
    """The page (branca Figure) a map belongs to."""
    root = m.get_root()
    if not isinstance(root, Figure):  # pragma: no cover - folium always makes one
        raise TypeError(f"map {m.get_name()} is not on a page")
    return root


def _number_elements(figure: Figure) -> None:
    """Give every element a sequential id, so the same input writes the same bytes."""
    counter = itertools.count(1)

    def walk(element: Element) -> None:
        element._id = f"{next(counter)}"
        for child in element._children.values():
            walk(child)

    walk(figure)


def map_html(m: folium.Map | Figure) -> str:
    """The page of a map (or figure) as one HTML string, with stable element ids."""
    figure = m if isinstance(m, Figure) else figure_of(m)
    _number_elements(figure)
    return figure.render().replace("<html>", '<html lang="en">', 1)


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
    return write_html(map_html(render_plan(plan, layers, online=online)), path)
