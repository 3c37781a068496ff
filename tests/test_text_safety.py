"""Text that cannot break a format: control characters refused, ids matched in full."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.errors import InputError
from geo.text import control_problem
from planner.scenario import Deployment, Scenario, load_scenario
from planner.units import UNIT_TYPES, UnitType

_BASE = """
name = "Screen"
[[deployment]]
unit = "light-battalion"
spacing_km = 50
"""


@pytest.mark.parametrize("char", ["\x00", "\n", "\r", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_found(char: str) -> None:
    problem = control_problem(f"ab{char}c")
    assert problem is not None
    assert f"U+{ord(char):04X} at character 3" in problem


def test_tab_and_plain_text_pass() -> None:
    assert control_problem("a\tb") is None
    assert control_problem("Kharkiv – Харків") is None


def _scenario(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            'name = "Scr\\u001Been"\n[[deployment]]\nunit = "light-battalion"\nspacing_km = 50\n',
            "'name'",
        ),
        (_BASE.replace("spacing_km = 50", 'spacing_km = 50\nname = "north\\nsouth"'), "'name'"),
        (_BASE + '[units.light-battalion]\nlabel = "Light\\u0000"\n', "'label'"),
        (_BASE + '[units.light-battalion]\nrationale = "why\\u007F"\n', "'rationale'"),
        (_BASE + '[units."recce\\n"]\necheLon = 1\n', "unit type id 'recce\\n'"),
    ],
)
def test_scenario_control_characters_refused_with_the_field(
    tmp_path: Path, run_cli, text: str, field: str
) -> None:
    path = _scenario(tmp_path, text)
    with pytest.raises(InputError, match="control character") as info:
        load_scenario(path)
    assert field in str(info.value)
    out = tmp_path / "p.gpkg"
    result = run_cli("plan", "--scenario", path, "-o", out)
    assert result.code == 2
    assert "control character" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err
    assert not out.exists()


def test_unit_id_with_trailing_newline_refused() -> None:
    # "$" matches before a trailing newline: the id must match its pattern in full.
    base = UNIT_TYPES["light-battalion"]
    with pytest.raises(InputError, match="unit type id"):
        UnitType(
            id="recce\n",
            label=base.label,
            echelon=base.echelon,
            troops=base.troops,
            sidc=base.sidc,
            radius_km=base.radius_km,
            standoff_km=base.standoff_km,
        )


def test_sidc_with_trailing_newline_refused() -> None:
    base = UNIT_TYPES["light-battalion"]
    with pytest.raises(InputError, match="sidc"):
        UnitType(
            id="recce",
            label=base.label,
            echelon=base.echelon,
            troops=base.troops,
            sidc=base.sidc + "\n",
            radius_km=base.radius_km,
            standoff_km=base.standoff_km,
        )


def test_api_refuses_control_characters() -> None:
    with pytest.raises(InputError, match=r"'name' holds a control character \(U\+000A"):
        Deployment(name="a\nb", unit="light-battalion", spacing_km=50)
    deployment = Deployment(name="ok", unit="light-battalion", spacing_km=50)
    with pytest.raises(InputError, match="scenario name .* control character"):
        Scenario(name="x\x1b[2J", deployments=(deployment,))


def _points_geojson(path: Path, name: str, column: str = "name") -> Path:
    feature = {
        "type": "Feature",
        "properties": {column: name},
        "geometry": {"type": "Point", "coordinates": [37.8, 48.0]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def _line_geojson(path: Path, name: str) -> Path:
    feature = {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "LineString", "coordinates": [[35.0, 47.0], [37.0, 48.5]]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def test_line_file_name_with_control_character_refused(tmp_path: Path, run_cli) -> None:
    line = _line_geojson(tmp_path / "front.geojson", "front\x1b[31m")
    out = tmp_path / "out.gpkg"
    result = run_cli("layers", "--line", line, "-o", out)
    assert result.code == 2
    assert "column 'name'" in result.err
    assert "U+001B" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.parametrize("column", ["name", "note"])
def test_points_and_hubs_text_columns_refused(tmp_path: Path, run_cli, column: str) -> None:
    points = _points_geojson(tmp_path / "pts.geojson", "Donetsk\r\nX", column)
    out = tmp_path / "out.gpkg"
    for option in ("--points", "--hubs"):
        result = run_cli("layers", option, points, "-o", out)
        assert result.code == 2, result.err
        assert f"column '{column}'" in result.err
        assert "U+000D" in result.err
        assert not out.exists()


def test_csv_name_column_refused(tmp_path: Path, run_cli) -> None:
    csv = tmp_path / "front.csv"
    csv.write_text('lon,lat,name\n35,47,"a\nb"\n37,48.5,c\n')
    (tmp_path / "front.prj").write_text(
        'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]'
    )
    out = tmp_path / "out.gpkg"
    result = run_cli("layers", "--line", csv, "--crs", "EPSG:4326", "-o", out)
    assert result.code == 2, result.err
    assert "column 'name'" in result.err
    assert not out.exists()


# --- CSV cells a spreadsheet would run as formulas (OWASP) -----------------------------------

_FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("text", _FORMULAS)
def test_csv_cell_prefixes_formula_starts(text: str) -> None:
    from geo.text import csv_cell

    assert csv_cell(text) == "'" + text
    assert csv_cell("Donetsk") == "Donetsk"
    assert csv_cell(-1.5) == -1.5


def test_csv_safe_leaves_numbers_alone() -> None:
    import pandas as pd

    from geo.text import csv_safe

    frame = pd.DataFrame({"name": ["=cmd", "ok"], "km": [-5.0, 3.0], "n": [-1, 2]})
    safe = csv_safe(frame)
    assert safe["name"].tolist() == ["'=cmd", "ok"]
    assert safe["km"].tolist() == [-5.0, 3.0]
    assert safe["n"].tolist() == [-1, 2]
    assert frame["name"].tolist() == ["=cmd", "ok"]  # the caller's frame is unchanged


def test_compare_csv_name_prefixed(tmp_path: Path, run_cli) -> None:
    import csv

    scenario = _scenario(tmp_path, _BASE.replace('name = "Screen"', 'name = "=HYPERLINK(1)"'))
    out = tmp_path / "c.csv"
    result = run_cli("compare", "--scenario", scenario, "--format", "csv", "-o", out)
    assert result.code == 0, result.err
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    names = [row["name"] for row in rows]
    assert "'=HYPERLINK(1)" in names
    assert "=HYPERLINK(1)" not in names
    assert all(float(row["line_km"]) > 0 for row in rows)  # numbers are written as numbers


def test_export_csv_layer_name_prefixed(tmp_path: Path, run_cli) -> None:
    import csv

    points = _points_geojson(tmp_path / "pts.geojson", "-Donetsk")
    out = tmp_path / "layers"
    result = run_cli("layers", "--points", points, "--format", "csv", "-o", out)
    assert result.code == 0, result.err
    rows = list(csv.DictReader((out / "points.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0]["name"] == "'-Donetsk"
    assert float(rows[0]["lon"]) == pytest.approx(37.8)


# --- Markdown cells ---------------------------------------------------------------------------


def test_markdown_cells_escape_pipes_and_newlines() -> None:
    import re

    from layers import load_layers
    from planner.compare import format_table, table
    from planner.plan import plan_all

    frame = table(plan_all(load_layers()))
    frame["name"] = ["a|b\nc"] + [f"plan {i}" for i in range(1, len(frame))]
    frame["line_date"] = ["x|y"] * len(frame)
    text = format_table(frame, "md")
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    # every row of the table has as many unescaped pipes as the header: no cell splits
    widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table_lines}
    assert widths == {len(frame) + 2}
    assert "a\\|b<br>c" in table_lines[0]


# --- provenance links -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x"],
)
def test_provenance_link_only_for_http(url: str) -> None:
    from maps.panels import _source_item

    prov = {"source": "s", "date": "2025", "licence": "CC0", "derivation": "d", "url": url}
    for full in (True, False):
        html = _source_item("Line", prov, full=full)
        assert "href" not in html
        assert "link not shown" in html
    ok = _source_item("Line", {**prov, "url": "https://example.org/a?b=1&c=2"}, full=True)
    assert "href='https://example.org/a?b=1&amp;c=2'" in ok


def test_javascript_url_in_provenance_sidecar_not_a_link(tmp_path: Path, run_cli) -> None:
    line = _line_geojson(tmp_path / "front.geojson", "front")
    (tmp_path / "front.provenance.json").write_text(
        json.dumps(
            {
                "source": "my survey",
                "date": "2025-12-01",
                "licence": "CC0",
                "derivation": "drawn",
                "url": "javascript:alert(document.domain)",
            }
        )
    )
    out = tmp_path / "p.gpkg"
    page = tmp_path / "p.html"
    result = run_cli(
        "plan", "--option", 1, "--variant", "eur-plus", "--line", line, "-o", out, "--map", page
    )
    assert result.code == 0, result.err
    html = page.read_text(encoding="utf-8")
    assert "my survey" in html
    assert "href='javascript:" not in html
    assert 'href="javascript:' not in html
    assert "link not shown: javascript:alert(document.domain)" in html


# --- what reaches the terminal ----------------------------------------------------------------


def test_printable_escapes() -> None:
    from deployplan.cli import printable

    assert printable("Харків – ok\tx") == "Харків – ok\tx"
    assert printable("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert printable("r\u202el\u2028") == "r\\u202el\\u2028"
    assert printable("one\ntwo") == "one\ntwo"


def test_error_line_naming_a_file_is_printable(tmp_path: Path, run_cli) -> None:
    missing = tmp_path / "front\x1b[2J.geojson"
    result = run_cli("layers", "--line", missing, "-o", tmp_path / "out.gpkg")
    assert result.code == 2
    assert "\x1b" not in result.err
    assert "front\\x1b[2J" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_summary_echoing_a_name_is_printable(tmp_path: Path, run_cli) -> None:
    # U+202E (right-to-left override) is not a control character of C0 but would reorder
    # what the terminal shows; it is echoed as an escape.
    scenario = _scenario(tmp_path, _BASE.replace('name = "Screen"', 'name = "Screen\\u202Exyz"'))
    result = run_cli("plan", "--scenario", scenario, "-o", tmp_path / "p.gpkg")
    assert result.code == 0, result.err
    assert "\u202e" not in result.out
    assert "Screen\\u202exyz" in result.out


# --- KML and KMZ parse as XML, whatever the names ---------------------------------------------

_NASTY = "A ]]> <b>&amp; & \"q\" 'x'"


def _nasty_scenario(tmp_path: Path) -> Path:
    return _scenario(
        tmp_path,
        f"name = {json.dumps(_NASTY)}\n"
        "[[deployment]]\n"
        'unit = "recce"\n'
        f"name = {json.dumps('dep ' + _NASTY)}\n"
        "spacing_km = 100\n"
        "[units.recce]\n"
        f"label = {json.dumps('label ' + _NASTY)}\n"
        'echelon = "battalion"\n'
        "radius_km = 25\n"
        "standoff_km = 10\n",
    )


def _texts(root) -> str:
    return " ".join(t for t in root.itertext())


def test_kml_with_markup_in_names_parses(tmp_path: Path, run_cli) -> None:
    import xml.etree.ElementTree as ET

    points = _points_geojson(tmp_path / "pts.geojson", "pt " + _NASTY)
    out = tmp_path / "kml"
    result = run_cli(
        "plan", "--scenario", _nasty_scenario(tmp_path), "--points", points,
        "--format", "kml", "-o", out,
    )  # fmt: skip
    assert result.code == 0, result.err
    files = sorted(out.rglob("*.kml"))
    assert files
    text = ""
    for path in files:
        text += _texts(ET.parse(path).getroot())  # raises if not well-formed
    assert _NASTY in text
    assert "pt " + _NASTY in text


def test_kmz_with_markup_in_names_parses(tmp_path: Path, run_cli) -> None:
    import xml.etree.ElementTree as ET
    import zipfile

    points = _points_geojson(tmp_path / "pts.geojson", "pt " + _NASTY)
    out = tmp_path / "plan.kmz"
    result = run_cli("plan", "--scenario", _nasty_scenario(tmp_path), "--points", points, "-o", out)
    assert result.code == 0, result.err
    with zipfile.ZipFile(out) as archive:
        kmls = [n for n in archive.namelist() if n.endswith(".kml")]
        assert kmls
        text = " ".join(_texts(ET.fromstring(archive.read(n))) for n in kmls)
    assert _NASTY in text
    assert "pt " + _NASTY in text
