"""Styled GIS outputs: QGIS's layer_styles in a plan's GeoPackage, QML beside GeoJSON, in QGIS."""

from __future__ import annotations

import base64
import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from qgis_env import require_qgis, run_pyqgis

from deployplan.outputs import write_plan
from deployplan.styles import layer_style
from layers import load_layers
from planner import make_plan

SPATIAL = [
    "units",
    "coverage",
    "gaps",
    "slots",
    "legs",
    "line",
    "points",
    "hubs",
    "oblasts",
    "occupied",
]
LIGHT_BATTALION = "10031000161211000000"
BRIGADE = "10031000181205000000"


@pytest.fixture(scope="module")
def plan_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("styled") / "plan.gpkg"
    layers = load_layers()
    write_plan(make_plan(layers, (2, "eur-plus")), layers, out)
    return out


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def test_every_layer_has_a_default_style(plan_gpkg: Path) -> None:
    styles = rows(
        plan_gpkg,
        "SELECT f_table_name, f_table_schema, f_geometry_column, useAsDefault, styleQML, "
        "styleSLD FROM layer_styles",
    )
    assert sorted(r[0] for r in styles) == sorted(SPATIAL)
    for name, schema, geometry, default, qml, sld in styles:
        assert (schema, geometry, default) == ("", "geom", 1), name
        qgis = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        assert qgis.tag == "qgis" and qgis.find("renderer-v2") is not None, name
        assert ET.fromstring(sld.encode("utf-8")).tag.endswith("StyledLayerDescriptor"), name
    # the table is a GeoPackage table like any other (QGIS creates it the same way)
    assert ("layer_styles", "attributes") in rows(
        plan_gpkg, "SELECT table_name, data_type FROM gpkg_contents"
    )


def test_units_style_embeds_the_app6_svg_and_labels_unit_id(plan_gpkg: Path) -> None:
    (qml,) = rows(plan_gpkg, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'units'")[0]
    root = ET.fromstring(qml.split("\n", 1)[1])
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "sidc"
    values = [c.get("value") for c in renderer.iter("category")]
    assert LIGHT_BATTALION in values and BRIGADE in values
    names = [p.get("v") for p in renderer.iter("prop") if p.get("k") == "name"]
    svgs = [name for name in names if name.startswith("base64:")]
    assert len(svgs) >= 3
    decoded = base64.b64decode(svgs[0].removeprefix("base64:")).decode("utf-8")
    assert decoded.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert root.get("labelsEnabled") == "1"
    assert root.find("labeling/settings/text-style").get("fieldName") == "unit_id"


def test_coverage_is_translucent_and_legs_dashed() -> None:
    coverage = ET.fromstring(layer_style("coverage").qml.split("\n", 1)[1])
    props = {p.get("k"): p.get("v") for p in coverage.iter("prop")}
    alpha = int(props["color"].split(",")[3])
    assert 0 < alpha < 255
    legs = ET.fromstring(layer_style("legs").qml.split("\n", 1)[1])
    assert {p.get("k"): p.get("v") for p in legs.iter("prop")}["line_style"] == "dash"
    sld = ET.fromstring(layer_style("legs").sld)
    assert any(e.get("name") == "stroke-dasharray" for e in sld.iter())


def test_descriptions_summary_dates_and_nulls(plan_gpkg: Path) -> None:
    described = dict(rows(plan_gpkg, "SELECT table_name, description FROM gpkg_contents"))
    for name in [*SPATIAL, "summary"]:
        assert described[name], name
    summary = pyogrio.read_dataframe(plan_gpkg, layer="summary")
    assert len(summary) == 1
    row = summary.iloc[0]
    # DOMAIN.md, option 2 EUR+: heavy battalion every 50 km = 24 battalions = 32,000-40,000
    assert (row["option"], row["variant"], row["units_nominal"]) == (2, "eur-plus", 24)
    assert (row["troops_min"], row["troops_max"]) == (32_000, 40_000)
    assert summary["fits_availability"].dtype == bool
    declared = dict((r[1], r[2]) for r in rows(plan_gpkg, "PRAGMA table_info(line)"))
    assert declared["date"] == "DATE"
    line = pyogrio.read_dataframe(plan_gpkg, layer="line")
    assert line["date"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2025-12-15"]
    # units along the line answer no concentration point: NULL, not ''
    (empty,) = rows(plan_gpkg, "SELECT count(*) FROM units WHERE point = ''")[0]
    (null,) = rows(plan_gpkg, "SELECT count(*) FROM units WHERE point IS NULL")[0]
    assert empty == 0 and null > 0


def test_geojson_has_a_qml_beside_each_layer(run_cli: Callable, tmp: Path) -> None:
    out = tmp / "plan"
    result = run_cli(
        "plan", "--option", "1", "--variant", "eur-plus", "--format", "geojson", "-o", out
    )
    assert result.code == 0, result.err
    for name in SPATIAL:
        qml = (out / f"{name}.qml").read_text(encoding="utf-8")
        assert qml.startswith("<!DOCTYPE qgis"), name
        assert (out / f"{name}.geojson").is_file()
    summary = pd.read_csv(out / "summary.csv")
    assert summary.loc[0, "units_nominal"] == 24
    assert json.loads((out / "units.provenance.json").read_text())["layer"] == "units"


@pytest.mark.qgis
def test_qgis_applies_the_default_styles(plan_gpkg: Path, tmp_path: Path) -> None:
    require_qgis()
    script = """
from qgis.core import QgsVectorLayer, QgsRenderContext
path = sys.argv[1]
report = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    symbols = layer.renderer().symbols(QgsRenderContext())
    report[name] = {
        "valid": layer.isValid(),
        "crs": layer.crs().authid(),
        "features": layer.featureCount(),
        "renderer": layer.renderer().type(),
        "symbol_layers": sorted({s.symbolLayer(0).layerType() for s in symbols}),
        "svg": [s.symbolLayer(0).path()[:7] for s in symbols
                if s.symbolLayer(0).layerType() == "SvgMarker"],
        "alpha": min(s.color().alphaF() * s.opacity() for s in symbols) * layer.opacity(),
        "labels": layer.labelsEnabled() and layer.labeling().settings().fieldName,
        "styles": layer.listStylesInDatabase()[0],
    }
print(json.dumps(report))
"""
    report = run_pyqgis(script, tmp_path, str(plan_gpkg), *SPATIAL)
    for name in SPATIAL:
        assert report[name]["valid"] and report[name]["crs"] == "EPSG:4326", name
        assert report[name]["styles"] >= 1, name
    units = report["units"]
    assert units["renderer"] == "categorizedSymbol"
    assert "SvgMarker" in units["symbol_layers"] and set(units["svg"]) == {"base64:"}
    assert units["labels"] == "unit_id"
    assert report["coverage"]["alpha"] < 1
    assert report["occupied"]["alpha"] < 1
    assert report["points"]["labels"] == "name" and report["hubs"]["labels"] == "name"
    assert report["hubs"]["renderer"] == "categorizedSymbol"


@pytest.mark.qgis
def test_qgis_ogr_provider_reads_the_csv_with_text_sidc_and_crs(
    run_cli: Callable, tmp: Path, tmp_path: Path
) -> None:
    require_qgis()
    out = tmp / "plan"
    result = run_cli("plan", "--option", "3", "--variant", "eur-plus", "--format", "csv", "-o", out)
    assert result.code == 0, result.err
    script = """
from qgis.core import QgsVectorLayer, QgsWkbTypes
layer = QgsVectorLayer(sys.argv[1], "units", "ogr")  # what Add Vector Layer / drag and drop do
feature = next(layer.getFeatures())
print(json.dumps({
    "valid": layer.isValid(),
    "crs": layer.crs().authid(),
    "geometry": QgsWkbTypes.displayString(layer.wkbType()),
    "features": layer.featureCount(),
    "sidc_type": layer.fields().field("sidc").typeName(),
    "sidc": feature["sidc"],
    "renderer": layer.renderer().type(),
}))
"""
    report = run_pyqgis(script, tmp_path, str(out / "units.csv"))
    assert report["valid"] and report["crs"] == "EPSG:4326"
    rows = pd.read_csv(out / "units.csv", dtype={"sidc": str})  # an independent reader
    assert report["geometry"] == "Point" and report["features"] == len(rows) > 0
    assert report["sidc_type"] == "String"
    assert report["sidc"] == "10031000181205000000"  # all 20 digits, not 1.0031e+19
    assert report["renderer"] == "categorizedSymbol"  # units.qml beside it, applied on load
