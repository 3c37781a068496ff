"""Notebooks: a short repr, an HTML summary, maps.explore offline, the README's example."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pyogrio
import pytest

import maps
from geo.errors import InputError
from layers import load_layers
from planner import make_plan

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.fixture(scope="module")
def plan_and_layers():  # noqa: ANN201
    layers = load_layers()
    return make_plan(layers, (1, "eur-plus")), layers


def test_repr_is_one_short_line(plan_and_layers) -> None:  # noqa: ANN001
    plan, _ = plan_and_layers
    text = repr(plan)
    assert "\n" not in text and len(text) < 200  # not the 9,700 characters of every frame
    assert text.startswith("Plan('Option 1 EUR+'")
    assert f"{len(plan.units)} units placed" in text
    assert f"{plan.covered_fraction:.1%}" in text


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ARG002
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.cells.append(data)


def test_repr_html_is_the_summary_table(plan_and_layers) -> None:  # noqa: ANN001
    plan, _ = plan_and_layers
    parser = _Cells()
    parser.feed(plan._repr_html_())
    assert parser.tags.count("tr") == len(plan.row())
    text = "".join(parser.cells)
    assert "units_nominal" in text and "24" in text  # DOMAIN.md: 24 battalions
    assert "32,000" in text and "40,000" in text


def test_explore_is_an_offline_folium_map(plan_and_layers) -> None:  # noqa: ANN001
    plan, layers = plan_and_layers
    m = maps.explore(plan, layers)
    html = m.get_root().render()
    assert "<script src=" not in re.sub(r"<script src=\"data:[^\"]*\"", "", html)
    # nothing fetched (links to sources in the text are only links): works offline
    assert not re.search(r"src=\"https?://|<link[^>]*href=\"https?://|url\(https?://", html)
    assert plan.units["unit_id"].iloc[0] in html


def test_explore_says_what_it_needs() -> None:
    with pytest.raises(InputError, match="expected a Plan"):
        maps.explore("plan", load_layers())  # type: ignore[arg-type]


def test_api_errors_name_parameters_cli_errors_flags(run_cli: Callable, tmp: Path) -> None:
    layers = load_layers()
    with pytest.raises(InputError, match=r"^spacing_km is 0"):
        make_plan(layers, (1, "eur-plus"), spacing_km=0)
    result = run_cli(
        "plan", "--option", "1", "--variant", "eur-plus", "--spacing-km", "0", "-o", tmp / "p.gpkg"
    )
    assert result.code == 2
    assert "--spacing-km is 0" in result.err and "spacing_km" not in result.err


def test_readme_notebook_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python notebook\n(.*?)```", text, re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "plan-map.html").stat().st_size > 10_000
    layers = [name for name, _ in pyogrio.list_layers(tmp_path / "plan.gpkg")]
    assert "layer_styles" in layers and "summary" in layers
    # one placemark a unit: as many as the GeoPackage holds (a unit per filled slot, issue 8)
    units = pyogrio.read_info(tmp_path / "plan.gpkg", layer="units")["features"]
    assert pyogrio.read_info(tmp_path / "plan.kmz", layer="units")["features"] == units >= 23
