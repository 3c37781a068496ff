"""What deployplan's QGIS plugin runs: one Processing algorithm, in deployplan's environment.

QGIS runs its own Python (Debian's, with its numpy), which cannot import deployplan's
geopandas stack, so the plugin (``deployplan_qgis``) runs this module with the interpreter
recorded by ``deployplan qgis install``::

    python -m deployplan.qgis_worker request.json

The request names the algorithm, its parameters and its input GeoPackages (written by QGIS)
and the output GeoPackage, whose layers the plugin hands back to QGIS. Every algorithm calls
the planner's own functions (:func:`planner.make_plan`, :func:`planner.measure_coverage`,
:func:`layers.load_layers`), so QGIS gets the same answer as the command line. A user error
prints its message on one line to standard error and exits 2; the plugin raises it as a QGIS
processing error.

Algorithms (``ALGORITHMS``) and their parameters:

- ``deriveline``: ``occupied`` (input), ``date``; output layer ``line``.
- ``placealongline``: ``line`` (input), ``unit``, ``spacing_km``, ``standoff_km``,
  ``radius_km``, ``all_parts``; layers ``units``, ``coverage``, ``gaps``.
- ``placearoundpoints``: ``points`` and optionally ``line`` (inputs), ``unit``, ``count``,
  ``standoff_km``, ``radius_km``; layers ``units``, ``coverage``.
- ``planpreset``: ``option``, ``variant``, optionally ``line`` (input), ``rotation``; layers
  ``units``, ``coverage``, ``gaps``, ``legs`` and the table ``summary``.
- ``coverage``: ``line`` and ``units`` (inputs, points), ``radius_km`` (for units without a
  ``radius_km`` column); layers ``gaps`` and ``coverage``, and ``covered_fraction``,
  ``largest_gap_km`` in the result.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from geo.errors import DeployplanError, InputError

__all__ = ["ALGORITHMS", "main", "run_request"]

Result = tuple[dict[str, gpd.GeoDataFrame], dict[str, Any]]


def _layers(inputs: Mapping[str, str], **given: str | None) -> Any:
    from layers import load_layers

    return load_layers(**{k: v for k, v in given.items() if v}, crs=None)


def _number(params: Mapping[str, Any], key: str) -> float | None:
    value = params.get(key)
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(f"{key.upper()} is {value!r}; expected a number of km") from None


def _derive(params: Mapping[str, Any], inputs: Mapping[str, str]) -> Result:
    layers = _layers(inputs, line_from_occupied=inputs.get("occupied"))
    date = str(params.get("date") or "").strip()
    if date:
        from layers import load_layers

        layers = load_layers(line_from_occupied=inputs["occupied"], line_date=date)
    line = layers.line
    return {"line": line}, {"line_km": round(float(line["length_km"].sum()), 3)}


def _plan_result(plan: Any, names: Sequence[str]) -> Result:
    frames = {name: plan.frames()[name] for name in names}
    return frames, {
        "units": len(plan.units),
        "covered_fraction": round(plan.covered_fraction, 6),
        "largest_gap_km": round(plan.largest_gap_km, 3),
    }


def _along(params: Mapping[str, Any], inputs: Mapping[str, str]) -> Result:
    from planner import make_plan
    from planner.scenario import Deployment, Scenario

    layers = _layers(inputs, line=inputs.get("line"))
    deployment = Deployment(
        unit=str(params.get("unit") or "light-battalion"),
        name="QGIS",
        along="line",
        spacing_km=_number(params, "spacing_km"),
        all_parts=bool(params.get("all_parts", True)),
        standoff_km=_number(params, "standoff_km"),
        radius_km=_number(params, "radius_km"),
    )
    if deployment.spacing_km is None:
        raise InputError("SPACING_KM is missing; give the km between units, e.g. 50")
    plan = make_plan(layers, Scenario(name="QGIS along the line", deployments=(deployment,)))
    return _plan_result(plan, ["units", "coverage", "gaps"])


def _around(params: Mapping[str, Any], inputs: Mapping[str, str]) -> Result:
    from planner import make_plan
    from planner.scenario import Deployment, Scenario

    layers = _layers(inputs, line=inputs.get("line"), points=inputs.get("points"))
    count = params.get("count") or 1
    deployment = Deployment(
        unit=str(params.get("unit") or "heavy-brigade"),
        name="QGIS",
        along="points",
        count=int(count),
        standoff_km=_number(params, "standoff_km"),
        radius_km=_number(params, "radius_km"),
    )
    plan = make_plan(layers, Scenario(name="QGIS around the points", deployments=(deployment,)))
    return _plan_result(plan, ["units", "coverage"])


def _preset(params: Mapping[str, Any], inputs: Mapping[str, str]) -> Result:
    from deployplan.outputs import summary_table
    from planner import make_plan

    layers = _layers(inputs, line=inputs.get("line"))
    rotation = params.get("rotation")
    plan = make_plan(
        layers,
        (int(params.get("option") or 0), str(params.get("variant") or "")),
        rotation=int(rotation) if rotation not in (None, "", 0) else None,
    )
    frames, result = _plan_result(plan, ["units", "coverage", "gaps", "legs"])
    result["summary"] = json.loads(summary_table(plan).to_json(orient="records"))[0]
    return frames, result


def _coverage(params: Mapping[str, Any], inputs: Mapping[str, str]) -> Result:
    from layers import read_vector
    from planner import coverage_polygons, measure_coverage

    layers = _layers(inputs, line=inputs.get("line"))
    if not inputs.get("units"):
        raise InputError("UNITS is missing; give a point layer of units")
    units = read_vector(inputs["units"], kind="point", what="units file", layer_option=None)
    if not (units.geometry.geom_type == "Point").all():
        raise InputError(
            f"UNITS has {sorted(set(units.geometry.geom_type))} geometries; expected points"
        )
    radius = _number(params, "radius_km")
    if "radius_km" in units.columns and units["radius_km"].notna().all():
        radii = units["radius_km"].to_numpy(dtype=float)
    elif radius is not None:
        radii = np.full(len(units), radius)
    else:
        raise InputError("the units have no radius_km column; give RADIUS_KM, e.g. 25")
    if not (np.isfinite(radii) & (radii > 0)).all():
        raise InputError("RADIUS_KM must be a positive number of km")
    lon = units.geometry.x.to_numpy()
    lat = units.geometry.y.to_numpy()
    measured = measure_coverage(layers.line, lon, lat, radii)
    circles_input = units.assign(radius_km=radii)
    if "unit_id" not in circles_input.columns:
        circles_input["unit_id"] = [f"unit-{i + 1:02d}" for i in range(len(units))]
    circles = coverage_polygons(circles_input)
    return {"gaps": measured.gaps, "coverage": circles}, {
        "covered_fraction": round(measured.covered_fraction, 6),
        "largest_gap_km": round(measured.largest_gap_km, 3),
        "gaps": len(measured.gaps),
    }


ALGORITHMS: dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], Result]] = {
    "deriveline": _derive,
    "placealongline": _along,
    "placearoundpoints": _around,
    "planpreset": _preset,
    "coverage": _coverage,
}


def run_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """Run one request (see the module docstring); write its layers; return the result."""
    from deployplan.outputs import write_frames

    name = request.get("algorithm")
    if name not in ALGORITHMS:
        raise InputError(f"unknown algorithm {name!r}; expected one of {', '.join(ALGORITHMS)}")
    frames, result = ALGORITHMS[name](request.get("params", {}), request.get("inputs", {}))
    written = write_frames(frames, request["output"], fmt="gpkg")
    return {"layers": list(frames), "files": [str(p) for p in written], **result}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the request in the JSON file ``argv[0]``; print the result as JSON; 2 on user error."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m deployplan.qgis_worker REQUEST.json", file=sys.stderr)
        return 2
    try:
        request = json.loads(Path(args[0]).read_text(encoding="utf-8"))
        result = run_request(request)
    except DeployplanError as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
