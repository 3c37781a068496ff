"""Briefing maps: folium HTML of the layers and plans, offline by default, and PNG snapshots.

``maps`` only draws: plans come from :mod:`planner`, layers from :mod:`layers`. folium is
imported when a map is made, not when ``maps`` is imported.

Examples
--------
>>> from layers import load_layers  # doctest: +SKIP
>>> from planner import compare, plan_all  # doctest: +SKIP
>>> layers = load_layers()  # doctest: +SKIP
>>> plans = plan_all(layers)  # doctest: +SKIP
>>> write_briefing(plans, layers, compare.table(plans), "briefing.html")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maps.briefing import render_briefing, write_briefing
    from maps.figure import map_html
    from maps.notebook import explore
    from maps.render import render_plan, write_html, write_map
    from maps.snapshot import write_png
    from maps.symbols import UnitSymbol, unit_symbol

__all__ = [
    "UnitSymbol",
    "explore",
    "map_html",
    "render_briefing",
    "render_plan",
    "unit_symbol",
    "write_briefing",
    "write_html",
    "write_map",
    "write_png",
]

_HOME = {
    "explore": "maps.notebook",
    "render_briefing": "maps.briefing",
    "write_briefing": "maps.briefing",
    "map_html": "maps.figure",
    "render_plan": "maps.render",
    "write_html": "maps.render",
    "write_map": "maps.render",
    "write_png": "maps.snapshot",
    "UnitSymbol": "maps.symbols",
    "unit_symbol": "maps.symbols",
}


def __getattr__(name: str) -> Any:
    """Import the public functions on first use (keeps ``import maps`` light)."""
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'maps' has no attribute {name!r}")
