"""The briefing's yardstick table and its groups: one per plan, the ninth option included."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from layers import Layers, load_layers
from maps.briefing import render_briefing
from planner import compare, plan_all
from planner.plan import Plan


class _Table(HTMLParser):
    """Rows (lists of cell texts) of the table with id ``dp-yardsticks-table``."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", "dp-yardsticks-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td") and self.rows:
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


@pytest.fixture(scope="module")
def layers() -> Layers:
    return load_layers()


@pytest.fixture(scope="module")
def plans(layers: Layers) -> list[Plan]:
    return plan_all(layers)


@pytest.fixture(scope="module")
def page(layers: Layers, plans: list[Plan]) -> str:
    return render_briefing(plans, layers, compare.table(plans))


def test_yardstick_table(page: str, plans: list[Plan]) -> None:
    parser = _Table()
    parser.feed(page)
    head, *body = parser.rows
    assert "troops per km of the line" in head
    by_name = {row[0]: row for row in body}
    assert len(body) == len(plans) + 4  # every plan, then the four yardsticks
    one = by_name["Option 1 EUR+"]
    # DOMAIN.md: 40,000 troops; per km of the bundled 1,274.4 km line (PROVENANCE.md): 31.4,
    # and x4 sustained 160,000 / 1,274.4 = 125.5
    assert one[1] == "40,000" and one[2] == "31.4" and one[3] == "125.5"
    assert one[4].startswith("6 of 7, from Ukrainian officials (50,000)")
    # DOMAIN.md: Korea 1954 ~225,000 on 249 km (~904 per km); inner-German 500,000-700,000
    korea = by_name["Korea, US forces in 1954"]
    assert korea[1] == "225,000" and korea[2] == "903.6"
    german = next(row for name, row in by_name.items() if name.startswith("Inner-German"))
    assert german[1] == "500,000\u2013700,000" and german[2] == "714.3\u20131,000.0"
    kosovo = next(row for name, row in by_name.items() if name.startswith("Kosovo"))
    assert kosovo[1] == "48,000" and kosovo[2] == "\u2013"


def test_comparison_says_both_ends(page: str) -> None:
    assert "lower end (50,000)" in page and "upper end (300,000)" in page


def test_one_group_per_plan(page: str, plans: list[Plan]) -> None:
    """The layer control lists one group per plan, in order, as its base layers (the options,
    one at a time), after the shared layers' overlays."""
    import json

    config = json.loads(re.search(r'deployplan\.build\("map", (\{.*?\})\);', page).group(1))
    groups = [name for name, kind, _, _, overlay in config["groups"] if not overlay]
    kinds = [kind for _, kind, _, _, overlay in config["groups"] if not overlay]
    assert [g.split(":")[0] for g in groups] == [plan.name for plan in plans]
    assert set(kinds) == {"plan"}
