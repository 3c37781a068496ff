"""A plan on an interactive map in a notebook: :func:`explore`, like geopandas' own ``explore``.

``maps.explore(plan, layers)`` returns the folium map of the plan that ``deployplan plan --map``
writes (:func:`maps.render_plan`): the line, the oblasts, the occupied territory, coverage,
gaps, legs and the units' APP-6 symbols, with the legend and the plan's figures. A notebook
shows it as it shows any folium map; offline by default (Leaflet and the data are inside the
page, no tiles), so it also works with no network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import folium

    from layers.bundle import Layers
    from planner.plan import Plan

__all__ = ["explore"]


def explore(plan: Plan, layers: Layers, *, online: bool = False) -> folium.Map:
    """The folium map of ``plan`` on ``layers``, for a notebook.

    Parameters
    ----------
    plan : Plan
        The plan (:func:`planner.make_plan`).
    layers : Layers
        The layers it was made on (:func:`layers.load_layers`).
    online : bool
        OpenStreetMap tiles and CDN assets instead of the offline page.

    Returns
    -------
    folium.Map
        Displayed by Jupyter; ``.save("plan.html")`` writes it.

    Raises
    ------
    InputError
        If ``plan`` is not a :class:`planner.Plan` or ``layers`` not a :class:`layers.Layers`.

    Examples
    --------
    >>> from layers import load_layers  # doctest: +SKIP
    >>> from planner import make_plan  # doctest: +SKIP
    >>> layers = load_layers()  # doctest: +SKIP
    >>> explore(make_plan(layers, (1, "eur-plus")), layers)  # doctest: +SKIP
    <folium.folium.Map object at ...>
    """
    from geo.errors import InputError
    from layers.bundle import Layers
    from maps.render import render_plan
    from planner.plan import Plan

    if not isinstance(plan, Plan):
        raise InputError(
            f"plan is a {type(plan).__name__}; expected a Plan from planner.make_plan(layers, "
            "(1, 'eur-plus'))"
        )
    if not isinstance(layers, Layers):
        raise InputError(
            f"layers is a {type(layers).__name__}; expected the Layers the plan was made on "
            "(layers.load_layers())"
        )
    return render_plan(plan, layers, online=online)
