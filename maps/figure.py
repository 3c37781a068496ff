"""The folium side of the maps: a page as a :class:`folium.Map` (its figure, the runtime's
data block, the inlined libraries), for :func:`maps.render_plan` and for online pages.

Offline pages are written without folium (:mod:`maps.page`); this module, and folium with
it, is imported only when a folium map is asked for.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from maps.assets import ONLINE_CSS, ONLINE_JS, inline_assets_html, static_text, uses_jquery
from maps.encode import script_json
from maps.page import PageSpec, base_groups

if TYPE_CHECKING:
    from collections.abc import Sequence

    import folium
    import geopandas as gpd

    from layers import Layers

__all__ = [
    "CornerControl",
    "Fill",
    "InlineAssets",
    "Page",
    "Setup",
    "add_base_layers",
    "figure_of",
    "folium_page",
    "map_html",
    "new_map",
]


class CornerControl(MacroElement):
    """Fixed HTML (a legend) as a Leaflet control in the bottom-left corner: Leaflet stacks it
    with the corner's other controls (the scale bar) instead of drawing it over them."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function () { var c = L.control({position: 'bottomleft'});"
        " c.onAdd = function () { var d = L.DomUtil.create('div', 'leaflet-control');"
        " d.id = {{ this.element_id|tojson }}; d.innerHTML = {{ this.html|tojson }};"
        " d.style.cssText = 'background:#fff;padding:8px 10px;border:1px solid #999;"
        "font:12px sans-serif';"
        " L.DomEvent.disableClickPropagation(d); return d; };"
        " c.addTo({{ this._parent.get_name() }}); })();"
        "{% endmacro %}"
    )

    def __init__(self, html: str, element_id: str) -> None:
        super().__init__()
        self._name = "CornerControl"
        self.html = html
        self.element_id = element_id


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
        self.data = script_json(data)
        self.body = body
        self.own_controls = not online
        self.extra_script = extra_script
        self.layer_control = layer_control
        self.options = list(options)


class Setup(MacroElement):
    """Before any layer: the map's panes, in drawing order (``deployplan.setup``).

    It brings deployplan's runtime and styles into the page's header, so that every map
    :func:`new_map` makes (a plan's, the history's) has what its script calls.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>{{ this.css }}</style><script>{{ this.js }}</script>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "deployplan.setup({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Setup"
        self.css = static_text("deployplan.css")
        self.js = static_text("deployplan.js")


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


def add_base_layers(
    m: folium.Map,
    layers: Layers,
    *,
    line_date: str,
    countries: gpd.GeoDataFrame | None = None,
) -> None:
    """Add the shared layers to ``m``, one overlay group each, the countries (if any) first."""
    import folium

    for g in base_groups(layers, line_date=line_date, countries=countries):
        group = folium.FeatureGroup(name=g.name)
        group.add_child(Fill(g.kind))
        m.add_child(group)


def folium_page(spec: PageSpec, *, online: bool) -> folium.Map:
    """The folium map of a page: the groups as feature groups, the layer control, the page."""
    import folium

    m = new_map(online=online)
    options = []
    for g in spec.groups:
        group = folium.FeatureGroup(name=g.name, show=g.show, overlay=g.overlay)
        group.add_child(Fill(g.kind, g.plan))
        m.add_child(group)
        if not g.overlay:
            options.append(group)
    control = folium.LayerControl(collapsed=False)
    control.add_to(m)
    figure_of(m).html.add_child(Element(spec.header), name="dp_header")
    m.add_child(
        Page(
            spec.data,
            spec.body,
            online=online,
            extra_script=spec.extra_script,
            layer_control=control,
            options=options,
        )
    )
    figure_of(m).title = spec.title
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


class InlineAssets(Element):
    """The inlined libraries, for a figure's header; jQuery only if the figure's script uses it.

    The decision is taken when the page is rendered: branca renders the header after every
    element has written its script, so the whole script can be read here.
    """

    def __init__(self) -> None:
        super().__init__()
        self._name = "InlineAssets"

    def render(self, **kwargs: object) -> str:
        """The ``<style>``/``<script>`` elements for the figure this element belongs to."""
        figure = self.get_root()
        script = figure.script.render() if hasattr(figure, "script") else ""
        return inline_assets_html(jquery=uses_jquery(script))
