"""Fuzzing every reader through the command line (hypothesis, bounded to about a minute).

Random bytes, random GeoJSON, random CSV as a line file, and random TOML as a scenario: the
run ends with 0 or 2, never a traceback; an error is one line on stderr and leaves no output;
a success writes a GeoPackage that pyogrio reads back.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyogrio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples in CI and locally: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(result: Any, out: Path) -> None:
    assert result.code in (0, 2), (result.code, result.err)
    assert "Traceback" not in result.err
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert not out.exists()
        return
    assert out.is_file()
    for name, _ in pyogrio.list_layers(out):
        pyogrio.read_dataframe(out, layer=name)


def _run_with_file(run_cli: Callable[..., Any], suffix: str, data: bytes, *argv_for: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        out = Path(folder) / "out.gpkg"
        argv = [a.replace("{F}", str(path)) for a in argv_for]
        result = run_cli(*argv, "-o", out)
        _check(result, out)


@FUZZ
@given(
    data=st.binary(max_size=400),
    suffix=st.sampled_from([".geojson", ".csv", ".kml", ".gpkg", ".shp", ".json"]),
)
def test_random_bytes_as_a_line_file(run_cli, data: bytes, suffix: str) -> None:
    _run_with_file(run_cli, suffix, data, "layers", "--line", "{F}")


_lon = st.one_of(st.floats(30.0, 40.0), st.floats(allow_nan=True, allow_infinity=True))
_lat = st.one_of(st.floats(45.0, 52.0), st.floats(allow_nan=True, allow_infinity=True))
_position = st.tuples(_lon, _lat).map(list)
_text = st.text(max_size=12)
_geometry = st.one_of(
    st.builds(lambda c: {"type": "LineString", "coordinates": c}, st.lists(_position, max_size=5)),
    st.builds(lambda c: {"type": "Point", "coordinates": c}, _position),
    st.builds(
        lambda c: {"type": "MultiLineString", "coordinates": c},
        st.lists(st.lists(_position, max_size=4), max_size=3),
    ),
    st.builds(
        lambda c: {"type": "Polygon", "coordinates": [c + c[:1]]}, st.lists(_position, max_size=4)
    ),
    st.none(),
)
_feature = st.builds(
    lambda g, name, note: {
        "type": "Feature",
        "geometry": g,
        "properties": {"name": name, "note": note},
    },
    _geometry,
    st.one_of(_text, st.integers(), st.none()),
    st.one_of(_text, st.none()),
)


_plain_name = st.text(alphabet="abcXYZ -=+@'\"<>&]|;,", max_size=10)
_good_line = st.builds(
    lambda c, name: {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": c},
        "properties": {"name": name},
    },
    st.lists(
        st.tuples(st.floats(33.0, 39.0), st.floats(46.5, 50.0)).map(list), min_size=2, max_size=6
    ),
    _plain_name,
)
_good_point = st.builds(
    lambda c, name: {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": c},
        "properties": {"name": name, "note": name},
    },
    st.tuples(st.floats(33.0, 39.0), st.floats(46.5, 50.0)).map(list),
    _plain_name,
)


def _dumps(value: Any) -> bytes:
    # GeoJSON has no NaN; some writers emit it anyway, so the readers must cope with it too
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


@FUZZ
@given(
    features=st.lists(_feature, max_size=4),
    good=st.lists(st.one_of(_good_line, _good_point), min_size=1, max_size=3),
    plausible=st.booleans(),
    option=st.sampled_from(["--line", "--points"]),
)
def test_random_geojson(
    run_cli,
    features: list[dict[str, Any]],
    good: list[dict[str, Any]],
    plausible: bool,
    option: str,
) -> None:
    # half the files are well-formed (a valid line or points, random names) so that writers
    # are fuzzed too; the other half random features
    data = _dumps({"type": "FeatureCollection", "features": good if plausible else features})
    _run_with_file(run_cli, ".geojson", data, "layers", option, "{F}")


_cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(30.0, 40.0).map(str),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=8),
)


@FUZZ
@given(
    header=st.sampled_from(["lon,lat", "lon,lat,name", "x,y,part", "wkt,name", "lat,lon"]),
    rows=st.one_of(
        st.lists(st.lists(_cell, min_size=1, max_size=3), max_size=5),
        st.lists(
            st.tuples(
                st.floats(33.0, 39.0).map(str), st.floats(46.5, 50.0).map(str), _plain_name
            ).map(list),
            min_size=2,
            max_size=5,
        ),
    ),
)
def test_random_csv_line(run_cli, header: str, rows: list[list[str]]) -> None:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    text = header + "\n" + "".join(",".join(quote(c) for c in row) + "\n" for row in rows)
    _run_with_file(
        run_cli, ".csv", text.encode("utf-8"), "layers", "--line", "{F}", "--crs", "EPSG:4326"
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a TOML basic string is JSON's string syntax for these


_toml_scalar = st.one_of(
    st.booleans(),
    st.integers(-5, 300),
    st.floats(-10, 500, allow_nan=False),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=10),
    st.sampled_from(["light-battalion", "heavy-brigade", "line", "points", "sites", "battalion"]),
)
_deployment_keys = st.sampled_from(
    ["name", "unit", "along", "spacing_km", "offset_km", "count", "ring_km", "radius_km", "bogus"]
)
_top_keys = st.sampled_from(["name", "rotation", "response_target_h", "description", "nope"])


@FUZZ
@given(
    top=st.dictionaries(_top_keys, _toml_scalar, max_size=3),
    deployments=st.lists(
        st.dictionaries(_deployment_keys, _toml_scalar, max_size=5), min_size=0, max_size=2
    ),
    base=st.booleans(),
    plausible=st.booleans(),
    name=_plain_name.filter(lambda n: n.strip() != ""),
)
def test_random_scenario_toml(
    run_cli,
    top: dict[str, Any],
    deployments: list[dict[str, Any]],
    base: bool,
    plausible: bool,
    name: str,
) -> None:
    if plausible:  # a valid scenario with a random name: the writers get it
        top = {"name": name}
        deployments = [{"name": name, "spacing_km": 150}]
    lines = [f"{key} = {_toml_value(value)}" for key, value in top.items()]
    for table in deployments:
        if base or plausible:  # mostly plausible deployments, so that some runs get past validation
            table = {"unit": "light-battalion", "spacing_km": 100, **table}
        lines.append("[[deployment]]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    _run_with_file(run_cli, ".toml", data, "plan", "--scenario", "{F}")


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_scenario(run_cli, data: bytes) -> None:
    _run_with_file(run_cli, ".toml", data, "plan", "--scenario", "{F}")
