"""Offline pages without folium: the same page as the folium figure, written as one string.

An offline map page needs nothing folium does for it: Leaflet and the runtime are inlined,
the runtime (``deployplan.build``) makes the map, its layer groups, the scale and the layer
control from a small configuration. Importing folium (and compiling its ~90 templates) costs
more than drawing a plan, so ``deployplan plan --map`` and ``deployplan brief`` write their
offline pages here. :func:`maps.render_plan` still gives a :class:`folium.Map` for users who
add their own folium layers, and online pages (CDN plugins, tiles) are folium's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from maps.assets import inline_assets_html
from maps.encode import escape, script_json

if TYPE_CHECKING:
    import geopandas as gpd

    from layers import Layers

__all__ = ["BASE_LAYERS", "Group", "PageSpec", "base_groups", "page_html"]

#: Base layers, the key the runtime fills them by, and their name in the layer control.
BASE_LAYERS = (
    ("oblasts", "Oblasts (basemap)"),
    ("occupied", "Occupied territory"),
    ("line", "Contact line"),
    ("points", "Concentration points"),
    ("hubs", "Logistics hubs"),
)


@dataclass(frozen=True)
class Group:
    """One layer group of the map: its name in the layer control and how it is filled."""

    name: str  #: HTML-escaped, as the layer control shows it
    kind: str  #: "countries", "oblasts", ... a base kind; "units", ... a plan kind; or "plan"
    plan: int | None = None
    show: bool = True
    overlay: bool = True  #: False: an option (a radio button, one at a time)


@dataclass(frozen=True)
class PageSpec:
    """What a page shows, whoever writes it (folium or :func:`page_html`)."""

    title: str  #: HTML-escaped
    header: str  #: the header bar's HTML
    groups: Sequence[Group]
    body: str  #: panels and sections (HTML)
    data: dict[str, Any]  #: the runtime's data block
    extra_script: str = ""
    css: str = ""
    js: str = ""
    options: Sequence[int] = field(default_factory=tuple)


_HEAD = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<title>{title}</title>\n'
    '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
    "{assets}<style>{css}</style><script>{js}</script>\n"
    "<style>html, body {{width: 100%; height: 100%; margin: 0; padding: 0;}}\n"
    "#map {{position: relative; width: 100%; height: 100%; left: 0; top: 0;}}</style>\n"
    "</head>\n<body>\n"
)


def page_html(spec: PageSpec) -> str:
    """The whole offline page of ``spec``: Leaflet, the runtime, the data, the panels.

    The map is made by ``deployplan.build`` (``maps/static/deployplan.js``): the same map
    options, panes, groups (those with ``show`` on the map), scale and layer control as the
    folium figure of the same page.
    """
    config = {
        "groups": [[g.name, g.kind, g.plan, g.show, g.overlay] for g in spec.groups],
        "own": True,
    }
    # the names are HTML-escaped already; as JSON in a script they must not close it
    build = json.dumps(config, ensure_ascii=False).replace("</", "<\\/")
    return (
        _HEAD.format(
            title=spec.title,
            assets=inline_assets_html(jquery=False),
            css=spec.css,
            js=spec.js,
        )
        + f'{spec.header}\n<div class="folium-map" id="map"></div>\n'
        + f'<script type="application/json" id="dp-data">{script_json(spec.data)}</script>'
        + f'{spec.body}\n<script>deployplan.build("map", {build});{spec.extra_script}</script>\n'
        + "</body>\n</html>\n"
    )


def base_groups(
    layers: Layers, *, line_date: str, countries: gpd.GeoDataFrame | None = None
) -> list[Group]:
    """The shared layers' groups, the countries (if any) first."""
    groups = []
    if countries is not None and len(countries):
        groups.append(Group("Neighbouring countries (basemap)", "countries"))
    for kind, title in BASE_LAYERS:
        if kind == "occupied" and (layers.occupied is None or not len(layers.occupied)):
            continue
        name = f"{title} {line_date}" if kind == "line" and line_date else title
        groups.append(Group(escape(name), kind))
    return groups
