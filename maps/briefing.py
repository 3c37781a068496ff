"""The briefing: every option on one map, the comparison table, two options side by side.

One HTML page: the shared layers once, each plan as an overlay group in the layer control
(the first plan with units shown), the comparison table, two synced panes that show any two
plans next to each other, and the provenance of every layer. The side-by-side panes are the
runtime's own (folium's DualMap loads a CDN plugin), so they work offline too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from maps.assets import static_text
from maps.encode import escape
from maps.page import Group, PageSpec, base_groups, page_html
from maps.panels import legend_html, provenance_html, table_html, yardsticks_html
from maps.render import (
    basemap_countries,
    line_date_of,
    page_data,
    symbol_labels,
    write_html,
)

if TYPE_CHECKING:
    import pandas as pd

    from layers import Layers
    from planner.plan import Plan

__all__ = [
    "briefing_html",
    "briefing_spec",
    "first_shown",
    "plan_label",
    "render_briefing",
    "write_briefing",
]

_VARIANTS = {"eur-plus": "EUR+", "ua-supported": "UA-supported"}
TITLE = "Deployment options along the line of contact"


def plan_label(plan: Plan) -> str:
    """The plan's name in the layer control and the panes (HTML-escaped).

    A plan without units says so; option 4 / UA-supported is Ukrainian back-up.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> empty = SimpleNamespace(name="Option 4 UA-supported", variant="ua-supported",
    ...                         units=pd.DataFrame({"unit_label": []}))
    >>> plan_label(empty)
    'Option 4 UA-supported: Ukrainian back-up, no European units'
    """
    name = escape(plan.name)
    n = len(plan.units)
    if n == 0:
        backup = "Ukrainian back-up, " if plan.variant == "ua-supported" else ""
        return f"{name}: {backup}no European units"
    labels = sorted({str(x) for x in plan.units["unit_label"]})
    what = escape(labels[0]).lower() if len(labels) == 1 else "units"
    return f"{name}: {n} &times; {what}"


def first_shown(plans: Sequence[Plan]) -> int | None:
    """The option on when the page opens: Option 1 EUR+, else the first plan with units.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> plans = [SimpleNamespace(option=0, variant="eur-plus", units=[1]),
    ...          SimpleNamespace(option=1, variant="eur-plus", units=[1, 2])]
    >>> first_shown(plans)
    1
    """
    for i, plan in enumerate(plans):
        if getattr(plan, "option", None) == 1 and getattr(plan, "variant", None) == "eur-plus":
            return i
    return next((i for i, p in enumerate(plans) if len(p.units)), 0 if plans else None)


def _notes(plans: Sequence[Plan]) -> str:
    empty = [p for p in plans if len(p.units) == 0]
    if not empty:
        return ""
    items = "".join(
        f"<li>{escape(p.name)}: "
        + (
            "Ukrainian heavy brigades are the back-up; no European units are placed, so its "
            "group on the map is empty."
            if p.variant == "ua-supported"
            else "no European units are placed."
        )
        + "</li>"
        for p in empty
    )
    return f"<ul class='dp-note'>{items}</ul>"


def _pane(pane_id: str, plans: Sequence[Plan]) -> str:
    options = "".join(f"<option value='{i}'>{plan_label(p)}</option>" for i, p in enumerate(plans))
    return (
        f"<div class='dp-pane' id='{pane_id}'><select aria-label='plan'>{options}</select>"
        "<div class='dp-pane-map'></div></div>"
    )


def render_briefing(
    plans: Sequence[Plan], layers: Layers, table: pd.DataFrame, *, online: bool = False
) -> str:
    """The briefing page of ``plans`` on ``layers``.

    Parameters
    ----------
    plans : sequence of planner.plan.Plan
        E.g. :func:`planner.plan_all` (the nine presets, then any scenarios).
    layers : layers.Layers
        The layers the plans were made on.
    table : pandas.DataFrame
        The comparison table (:func:`planner.compare.table`), shown as it is.
    online : bool
        OpenStreetMap tiles and CDN assets instead of a self-contained page.

    Returns
    -------
    str
        One HTML page. Offline it needs no network at all.
    """
    return briefing_html(briefing_spec(plans, layers, table, online=online), online=online)


def briefing_spec(
    plans: Sequence[Plan], layers: Layers, table: pd.DataFrame, *, online: bool = False
) -> PageSpec:
    """What the briefing shows (:func:`render_briefing`)."""
    line_date = line_date_of(layers)
    countries = basemap_countries(online=online)
    shown = first_shown(plans)
    groups = base_groups(layers, line_date=line_date, countries=countries)
    # the options: base layers of the layer control, radio buttons, one at a time
    groups += [
        Group(plan_label(plan), "plan", i, show=i == shown, overlay=False)
        for i, plan in enumerate(plans)
    ]
    date = f"contact line of {escape(line_date)}" if line_date else "contact line (undated)"
    header = (
        f"<header class='dp-header'><h1>{TITLE}</h1><span>{date} &middot; {len(plans)} "
        "options, one at a time in the layer control; comparison and side by side "
        "below</span></header>"
    )
    body = (
        f"<div id='dp-legend'>{legend_html(symbol_labels(plans), line_date=line_date)}</div>"
        f"<div id='dp-provenance'>{provenance_html(layers, online=online, countries=countries)}"
        "</div>"
        "<section class='dp-section dp-print-only' id='dp-print-legend'>"
        f"{legend_html(symbol_labels(plans), line_date=line_date, print_copy=True)}</section>"
        "<section class='dp-section' id='dp-comparison'><h2>Comparison of the options</h2>"
        f"{table_html(table)}{_notes(plans)}</section>"
        "<section class='dp-section' id='dp-yardsticks'><h2>Is that a lot? Yardsticks and "
        "proposals</h2>"
        f"{yardsticks_html(table)}<p class='dp-note'>Options: the notes' figures (upper end) "
        "per km of the loaded line, all parts; sustained = deployed &times; rotation. "
        "Proposals as reported, from the UK&ndash;France reassurance force (~30,000) to parity "
        "with the Russian force (600,000 + rotation).</p></section>"
        "<section class='dp-section' id='dp-side-by-side'><h2>Side by side</h2>"
        f"<div class='dp-panes'>{_pane('dp-pane-a', plans)}{_pane('dp-pane-b', plans)}</div>"
        "</section>"
        "<section class='dp-section' id='dp-sources'><h2>Sources</h2>"
        f"{provenance_html(layers, online=online, full=True, countries=countries)}</section>"
    )
    return PageSpec(
        title=f"{TITLE} ({escape(line_date)})" if line_date else TITLE,
        header=header,
        groups=groups,
        body=body,
        data=page_data(plans, layers, online=online, countries=countries),
        extra_script="deployplan.panes(['dp-pane-a', 'dp-pane-b']);",
        css=static_text("deployplan.css"),
        js=static_text("deployplan.js"),
    )


def briefing_html(spec: PageSpec, *, online: bool) -> str:
    """The page of a briefing spec: offline without folium, online by folium."""
    if online:
        from maps.figure import folium_page, map_html

        return map_html(folium_page(spec, online=True))
    return page_html(spec)


def write_briefing(
    plans: Sequence[Plan],
    layers: Layers,
    table: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    online: bool = False,
) -> Path:
    """Render the briefing (:func:`render_briefing`) and write it to ``path`` atomically."""
    return write_html(render_briefing(plans, layers, table, online=online), path)
