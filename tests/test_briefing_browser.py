"""The offline briefing in a real headless Chromium, as a person would open it.

Skipped only on a machine without Chromium *and* outside CI; in CI (``CI`` set) a missing
Chromium or Playwright fails these tests instead, so they can never silently not run there.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pyproj
import pytest

from layers import Layers, load_layers
from maps.briefing import plan_label, write_briefing
from maps.snapshot import CHROMIUM, CHROMIUM_ARGS, write_png
from planner import compare, load_scenario, plan_all
from planner.plan import Plan

IN_CI = bool(os.environ.get("CI"))
EVIL = "<img src=x onerror=alert(1)>"
EVIL_SCENARIO = f"""
name = "{EVIL}"

[units.evil-battalion]
label = "{EVIL}"
echelon = "battalion"
radius_km = 25
standoff_km = 10

[[deployment]]
name = "{EVIL}"
unit = "evil-battalion"
along = "line"
spacing_km = 200
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not IN_CI,
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); never skipped in CI",
    ),
]


@pytest.fixture(scope="module")
def layers() -> Layers:
    return load_layers()


@pytest.fixture(scope="module")
def plans(layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> list[Plan]:
    scenario = tmp_path_factory.mktemp("scenario") / "evil.toml"
    scenario.write_text(EVIL_SCENARIO, encoding="utf-8")
    return plan_all(layers, scenarios=[load_scenario(scenario)])


@pytest.fixture(scope="module")
def briefing(layers: Layers, plans: list[Plan], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brief") / "briefing.html"
    return write_briefing(plans, layers, compare.table(plans), out)


class Visit:
    """A page opened with every request outside the file refused, and what it did."""

    def __init__(self, page, url: str) -> None:  # noqa: ANN001 - playwright Page
        self.page = page
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)
        page.goto(url, wait_until="load")
        page.wait_for_function("() => window.deployplan && document.querySelector('.dp-sym')")

    def _route(self, route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _dialog(self, dialog) -> None:  # noqa: ANN001
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture(scope="module")
def snapshot_png(briefing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot through maps.snapshot (its own browser, before the visit's one opens)."""
    if not IN_CI:
        pytest.importorskip("playwright.sync_api")
    return write_png(briefing, tmp_path_factory.mktemp("png") / "briefing.png")


@pytest.fixture(scope="module")
def visit(briefing: Path, snapshot_png: Path) -> Iterator[Visit]:
    if not IN_CI:
        pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        yield Visit(page, briefing.as_uri())
        browser.close()


MAIN = ".folium-map"


def test_cli_brief_with_png(run_cli, tmp: Path) -> None:  # noqa: ANN001 - conftest fixture
    # First in the file: Playwright's sync API cannot start while the module's visit is open.
    result = run_cli("brief", "-o", tmp / "brief.html", "--png", tmp / "brief.png")
    assert result.code == 0, result.err
    assert (tmp / "brief.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "brief.png" in result.out
    assert sorted(p.name for p in tmp.iterdir()) == ["brief.html", "brief.png"]


def test_layer_control_lists_the_layers(visit: Visit, plans: list[Plan]) -> None:
    labels = visit.page.locator(f"{MAIN} .leaflet-control-layers-list label").all_inner_texts()
    text = [" ".join(t.split()) for t in labels]
    for name in (
        "Neighbouring countries",
        "Oblasts",
        "Occupied territory",
        "Contact line",
        "Concentration points",
        "Logistics hubs",
    ):
        assert any(t.startswith(name) for t in text), name
    for plan in plans:
        want = " ".join(re.sub("<[^>]+>", "", plan_label(plan)).replace("&times;", "×").split())
        assert any(t == want.replace("&lt;", "<").replace("&gt;", ">") for t in text), want


def test_every_option_shows_its_units(visit: Visit, plans: list[Plan]) -> None:
    # options are radio buttons: each, chosen in turn, shows its own units and no other's
    page = visit.page
    radios = page.locator(f"{MAIN} .leaflet-control-layers-base input[type=radio]")
    assert radios.count() == len(plans)
    for i, plan in enumerate(plans):
        radios.nth(i).check()
        n = page.locator(f"{MAIN} .dp-sym[data-plan='p{i}']").count()
        assert n == len(plan.units), plan.name
        assert page.locator(f"{MAIN} .dp-sym").count() == n
    radios.nth(0).check()
    backup = [i for i, p in enumerate(plans) if p.option == 4 and p.variant == "ua-supported"]
    assert backup and len(plans[backup[0]].units) == 0
    assert "Ukrainian back-up" in page.inner_text("body")
    assert any(len(p.units) for p in plans if p.variant == "eur-plus")


def test_legend_and_provenance_are_visible(visit: Visit) -> None:
    legend = visit.page.locator(f"{MAIN} #dp-legend")
    sources = visit.page.locator(f"{MAIN} #dp-provenance")
    assert legend.is_visible() and "Contact line" in legend.inner_text()
    if not sources.locator("details").get_attribute("open"):  # closed below 1500 x 850
        sources.locator("summary").click()
    assert sources.is_visible() and "DeepStateMap" in sources.inner_text()
    assert visit.page.locator(f"{MAIN} .leaflet-control-scale").is_visible()


# fill colours of maps/static/deployplan.js: countries ("abroad") and Ukraine's oblasts ("land")
ABROAD, LAND = "#e4e2da", "#f3f1ea"
# the main map's panes (not the minimap's, which is a control inside it)
PANE_FILLS = f"""() => Object.fromEntries([...document.querySelectorAll(
    '{MAIN} > .leaflet-map-pane > .leaflet-pane')].map(p => [p.className.split(' ')[1],
    [Number(getComputedStyle(p).zIndex), [...p.querySelectorAll('path')]
        .map(e => [e.getAttribute('fill'), e.classList.contains('leaflet-interactive')])]]))"""


def test_countries_are_a_quiet_basemap_beneath_the_oblasts(visit: Visit) -> None:
    page = visit.page
    drawn = page.evaluate("() => deployplan.data().base.countries.length")
    countries, oblasts = "leaflet-dp-countries-pane", "leaflet-dp-oblasts-pane"

    def beneath() -> bool:
        panes = page.evaluate(PANE_FILLS)
        fills = [fill for fill, _ in panes[countries][1]]
        others = [z for name, (z, paths) in panes.items() if paths and name != countries]
        return (
            fills.count(ABROAD) == drawn == len(fills)
            and panes[countries][0] < panes[oblasts][0] == min(others)
            and {f for f, _ in panes[oblasts][1]} == {LAND}
        )

    assert drawn >= 7 and beneath()
    assert not any(interactive for _, interactive in page.evaluate(PANE_FILLS)[countries][1])
    # the layer control takes them off and puts them back: still beneath the oblasts
    box = page.locator(
        f"{MAIN} .leaflet-control-layers-overlays label", has_text="Neighbouring countries"
    ).locator("input")
    box.uncheck()
    assert page.evaluate(PANE_FILLS)[countries][1] == []
    box.check()
    assert beneath()
    names = {t.strip().upper() for t in page.locator(f"{MAIN} .dp-country").all_inner_texts()}
    assert {"RUSSIA", "BELARUS", "POLAND", "SLOVAKIA", "HUNGARY", "ROMANIA", "MOLDOVA"} <= names
    assert "Countries" in page.locator(f"{MAIN} #dp-provenance").inner_text()


def test_user_text_shows_as_text_and_runs_nothing(visit: Visit, plans: list[Plan]) -> None:
    page = visit.page
    evil = next(i for i, p in enumerate(plans) if p.name == EVIL)
    page.locator(f"{MAIN} .leaflet-control-layers-base input[type=radio]").nth(evil).check()
    marker = page.locator(f"{MAIN} .dp-sym[data-plan='p{evil}']").first
    marker.dispatch_event("click")  # on this very marker, whatever other option lies on top
    popup = page.locator(f"{MAIN} .leaflet-popup-content")
    popup.wait_for()
    assert EVIL in popup.inner_text()
    # the response to its point's sector: notice to move + road move, at its type's speed
    response = re.search(
        r"Response to (.+)'s sector\s+(\d+\.\d) h \((\d+\.\d) h notice \+ road at (\d+) km/h\)",
        popup.inner_text(),
    )
    assert response is not None, popup.inner_text()
    units = plans[evil].units
    assert response.group(1) in set(units["response_point"])
    assert float(response.group(3)) in set(units["notice_h"])
    assert float(response.group(4)) in set(units["road_kmh"])
    assert page.locator("img[src='x']").count() == 0
    assert EVIL in page.inner_text("body")
    assert visit.dialogs == []


def _show_only_base_layers(visit: Visit, plans: list[Plan]) -> None:
    """Close any popup and show the option without units (nothing to catch the clicks)."""
    page = visit.page
    page.evaluate("() => { deployplan.main.closePopup(); }")
    page.locator(f"{MAIN} .leaflet-popup").wait_for(state="detached")  # it fades out first
    empty = next(i for i, p in enumerate(plans) if len(p.units) == 0)
    page.locator(f"{MAIN} .leaflet-control-layers-base input[type=radio]").nth(empty).check()


def test_measure_tool_gives_the_geodesic_distance(visit: Visit, plans: list[Plan]) -> None:
    _show_only_base_layers(visit, plans)
    page = visit.page
    page.locator(f"{MAIN} .dp-measure a").click()
    box = page.locator(MAIN).bounding_box()
    a = (box["x"] + 500, box["y"] + 300)
    b = (box["x"] + 800, box["y"] + 600)
    page.mouse.click(*a)
    page.mouse.click(*b)
    shown = page.locator(f"{MAIN} .dp-measure-out").inner_text()
    ends = page.evaluate(
        """([a, b]) => {
            const map = Object.values(window).find(v => v instanceof L.Map &&
                v.getContainer().classList.contains('folium-map'));
            const r = map.getContainer().getBoundingClientRect();
            return [a, b].map(p => map.containerPointToLatLng([p[0] - r.left, p[1] - r.top]))
                         .map(ll => [ll.lat, ll.lng]);
        }""",
        [list(a), list(b)],
    )
    page.locator(f"{MAIN} .dp-measure a").click()
    (lat1, lon1), (lat2, lon2) = ends
    _, _, metres = pyproj.Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    km = float(shown.replace(",", "").split()[0])
    assert km == pytest.approx(metres / 1000, abs=0.06)


def test_side_by_side_panes_are_synced(visit: Visit, plans: list[Plan]) -> None:
    page = visit.page
    page.locator("#dp-pane-b select").select_option(str(len(plans) - 1))
    counts = [page.locator(f"#{p} .dp-sym").count() for p in ("dp-pane-a", "dp-pane-b")]
    assert counts == [len(plans[0].units), len(plans[-1].units)]
    views = (
        "() => deployplan.paneMaps.map(m => [m.getCenter().lat, m.getCenter().lng, m.getZoom()])"
    )
    before = page.evaluate(views)
    pane = page.locator("#dp-pane-a .dp-pane-map")
    pane.scroll_into_view_if_needed()
    box = pane.bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 320, box["y"] + 260, steps=5)
    page.mouse.up()
    after = page.evaluate(views)
    assert after[0] != pytest.approx(before[0])  # the drag moved pane A ...
    pixel_deg = 360 / (256 * 2 ** after[0][2])  # ... and pane B followed, to the pixel
    assert after[1][2] == after[0][2]
    assert after[1][:2] == pytest.approx(after[0][:2], abs=1.5 * pixel_deg)


def test_screenshot_is_not_blank(visit: Visit, snapshot_png: Path) -> None:
    colours = visit.page.evaluate(
        """async (b64) => {
            const img = new Image();
            img.src = 'data:image/png;base64,' + b64;
            await img.decode();
            const c = document.createElement('canvas');
            c.width = img.width; c.height = img.height;
            const ctx = c.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            const seen = new Set();
            for (let i = 0; i < d.length; i += 28) {
                seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            }
            return seen.size;
        }""",
        base64.b64encode(snapshot_png.read_bytes()).decode("ascii"),
    )
    assert colours > 200


def test_after_all_that_nothing_was_fetched_logged_or_run(visit: Visit) -> None:
    # Last in the file: every click, popup and pan above happened with the network blocked.
    assert visit.outside == []
    assert visit.errors == []
    assert visit.dialogs == []
