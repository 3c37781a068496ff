"""Maps without a browser: assets inlined, nothing fetched offline, escaping, geometry encoding,
size budget against naive folium, atomic writes. (The browser tests are in
test_briefing_browser.py.)"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point

from geo.errors import OutputError
from layers import Layers, load_layers
from layers.countries import load_countries
from layers.oblasts import ukraine_outline
from maps.assets import inline_assets_html, leaflet_css, leaflet_js
from maps.briefing import render_briefing, write_briefing
from maps.encode import (
    LABEL_BAND_KM,
    SIMPLIFY_KM,
    country_labels,
    encode_lines,
    encode_polygons,
    script_json,
    simplified,
)
from maps.render import map_html, render_plan, write_map
from maps.symbols import unit_symbol
from planner import compare, plan_all
from planner.plan import Plan

EVIL = "<img src=x onerror=alert(1)>"
BUDGET_BYTES = 1_500_000
GEOD = pyproj.Geod(ellps="WGS84")
NEIGHBOURS = {"BLR", "HUN", "MDA", "POL", "ROU", "RUS", "SVK"}


@pytest.fixture(scope="module")
def layers() -> Layers:
    return load_layers()


@pytest.fixture(scope="module")
def plans(layers: Layers) -> list[Plan]:
    return plan_all(layers)


@pytest.fixture(scope="module")
def briefing(layers: Layers, plans: list[Plan]) -> str:
    return render_briefing(plans, layers, compare.table(plans))


def _decode(encoded: list[int]) -> list[tuple[float, float]]:
    """The runtime's decoding (maps/static/deployplan.js, ``chain``) in Python."""
    pairs = np.cumsum(np.asarray(encoded, dtype=np.int64).reshape(-1, 2), axis=0)
    return [(lat / 1e5, lon / 1e5) for lat, lon in pairs]


class _AssetRefs(HTMLParser):
    """Collect every URL the page would fetch: script/img/iframe src, link href, CSS url()."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in {"script", "img", "iframe", "source", "embed", "audio", "video"} and values.get(
            "src"
        ):
            self.urls.append(str(values["src"]))
        if tag == "link" and values.get("href"):
            self.urls.append(str(values["href"]))
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def _fetched_urls(page: str) -> list[str]:
    parser = _AssetRefs()
    parser.feed(page)
    return [u for u in parser.urls if not u.startswith(("data:", "#"))]


# --- assets ---------------------------------------------------------------------------------


def test_leaflet_and_jquery_are_read_from_the_xstatic_packages() -> None:
    assert "Leaflet 1.9.3" in leaflet_js()
    assert "jQuery v3.7.1" in inline_assets_html()
    assert "sourceMappingURL" not in inline_assets_html()


def test_leaflet_css_images_are_data_uris() -> None:
    css = leaflet_css()
    assert "url(images/" not in css
    assert css.count("url(data:image/png;base64,") == 3  # layers, layers-2x, marker-icon


# --- geometry encoding ----------------------------------------------------------------------


def test_delta_encoding_round_trips_to_five_decimals() -> None:
    rng = np.random.default_rng(1)
    lon = 30 + rng.random(50) * 10
    lat = 45 + rng.random(50) * 7
    [encoded] = encode_lines(LineString(np.column_stack([lon, lat])))
    decoded = np.array(_decode(encoded))
    assert np.allclose(decoded[:, 0], np.round(lat, 5), atol=1e-9)
    assert np.allclose(decoded[:, 1], np.round(lon, 5), atol=1e-9)


def test_polygon_encoding_keeps_holes_and_drops_closing_vertex() -> None:
    square = shapely.Polygon(
        [(30, 48), (31, 48), (31, 49), (30, 49)], holes=[[(30.4, 48.4), (30.6, 48.4), (30.5, 48.6)]]
    )
    [[outer, hole]] = encode_polygons(square)
    assert _decode(outer) == [(48, 30), (48, 31), (49, 31), (49, 30)]
    assert len(_decode(hole)) == 3


def test_simplification_stays_within_the_stated_tolerance() -> None:
    # A 50 km geodesic circle with 720 vertices: after simplification every original vertex is
    # within SIMPLIFY_KM of the simplified ring (measured geodesically, by densifying it).
    az = np.linspace(0, 360, 721)[:-1]
    lon, lat, _ = GEOD.fwd(np.full(720, 36.0), np.full(720, 48.0), az, np.full(720, 50_000.0))
    circle = shapely.Polygon(np.column_stack([lon, lat]))
    [simple] = simplified([circle])
    assert len(simple.exterior.coords) < 200
    ring = np.asarray(simple.exterior.coords)
    dense = []
    for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
        pts = GEOD.npts(x0, y0, x1, y1, 50)
        dense += [(x0, y0), *pts]
    dense_lon, dense_lat = np.array(dense).T
    worst = 0.0
    for x, y in zip(lon, lat, strict=True):
        _, _, d = GEOD.inv(
            np.full(len(dense_lon), x), np.full(len(dense_lon), y), dense_lon, dense_lat
        )
        worst = max(worst, d.min())
    assert worst <= SIMPLIFY_KM * 1000 * 1.02


def test_oblasts_still_tile_after_simplification(layers: Layers) -> None:
    simple = simplified(layers.oblasts.geometry, coverage=True)
    total = sum(g.area for g in simple)
    union = shapely.union_all(simple).area
    assert total - union < 1e-6 * total  # no overlaps created between neighbours


def test_script_json_cannot_close_the_script_element() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>", "x": "a&b"})
    assert "</" not in text and "<" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


# --- pages ----------------------------------------------------------------------------------


def test_offline_plan_map_fetches_nothing_and_has_no_tiles(
    layers: Layers, plans: list[Plan]
) -> None:
    page = map_html(render_plan(plans[0], layers))
    assert _fetched_urls(page) == []
    assert "{z}/{x}/{y}" not in page and "tile_layer" not in page
    assert "bootstrap" not in page.lower() and "font-awesome" not in page.lower()
    assert "Leaflet 1.9.3" in page and "dp-data" in page


def test_offline_briefing_fetches_nothing(briefing: str) -> None:
    assert _fetched_urls(briefing) == []
    assert "{z}/{x}/{y}" not in briefing


def test_online_map_uses_cdns_tiles_and_folium_plugins(layers: Layers, plans: list[Plan]) -> None:
    page = map_html(render_plan(plans[0], layers, online=True))
    urls = _fetched_urls(page)
    assert any("leaflet@1.9.3" in u for u in urls) and any("jquery-3.7.1" in u for u in urls)
    assert any("leaflet-measure" in u for u in urls) and any(
        "fullscreen" in u.lower() for u in urls
    )
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "Leaflet 1.9.3, a JS library" not in page  # not inlined


def test_rendering_is_deterministic(layers: Layers, plans: list[Plan]) -> None:
    first = map_html(render_plan(plans[0], layers))
    assert first == map_html(render_plan(plans[0], layers))


def _evil_plan(plan: Plan) -> Plan:
    units = plan.units.assign(unit_label=EVIL, deployment=EVIL, oblast=EVIL, unit_id=EVIL)
    return dataclasses.replace(plan, name=EVIL, units=units)


def test_user_text_is_escaped_everywhere(layers: Layers, plans: list[Plan]) -> None:
    evil = _evil_plan(plans[0])
    for page in (
        map_html(render_plan(evil, layers)),
        render_briefing([evil], layers, compare.table([plans[0]]).assign(name=EVIL)),
    ):
        assert EVIL not in page
        assert "<img" not in page
        assert html.escape(EVIL) in page


def test_plan_map_has_every_unit_and_their_symbols(layers: Layers, plans: list[Plan]) -> None:
    plan = next(p for p in plans if len(p.units))
    page = map_html(render_plan(plan, layers))
    data = json.loads(re.search(r'id="dp-data">(.*?)</script>', page, re.S).group(1))
    [drawn] = data["plans"]
    assert len(drawn["units"]) == len(plan.units)
    assert set(data["symbols"]) == set(plan.units["sidc"])
    lat, lon = drawn["cols"].index("lat"), drawn["cols"].index("lon")
    got = np.array([[row[lon], row[lat]] for row in drawn["units"]])
    want = np.column_stack([plan.units.geometry.x, plan.units.geometry.y])
    assert np.abs(got - want).max() < 1e-5  # [lat, lon] order, 5 decimals


def test_briefing_lists_every_plan_and_says_ukrainian_backup(
    briefing: str, plans: list[Plan]
) -> None:
    data = json.loads(re.search(r'id="dp-data">(.*?)</script>', briefing, re.S).group(1))
    assert [len(p["units"]) for p in data["plans"]] == [len(p.units) for p in plans]
    backup = next(p for p in plans if p.option == 4 and p.variant == "ua-supported")
    assert len(backup.units) == 0
    assert "Ukrainian back-up, no European units" in briefing
    assert "Comparison of the options" in briefing and "dp-table" in briefing


def _naive_briefing(plans: list[Plan], layers: Layers) -> str:
    """What plain folium writes for the same content: every layer (and the countries around
    Ukraine) through folium.GeoJson at full resolution, one Marker (symbol DivIcon, tooltip,
    HTML popup) per unit, online assets."""
    import folium

    m = folium.Map(location=[48.5, 33.0], zoom_start=6)
    frames = {name: getattr(layers, name) for name in ("oblasts", "occupied", "line", "points")}
    frames |= {"hubs": layers.hubs, "countries": load_countries()}
    for name, gdf in frames.items():
        fields = [c for c in gdf.columns if c != "geometry"][:2]
        folium.GeoJson(gdf, name=name, tooltip=folium.GeoJsonTooltip(fields=fields)).add_to(m)
    for plan in plans:
        group = folium.FeatureGroup(name=plan.name).add_to(m)
        for unit in plan.units.itertuples(index=False):
            rows = "".join(
                f"<tr><th>{k}</th><td>{getattr(unit, k)}</td></tr>"
                for k in (
                    "unit_label",
                    "deployment",
                    "unit_type",
                    "km_along",
                    "distance_to_line_km",
                    "nearest_unit_km",
                    "oblast",
                    "point",
                    "distance_to_point_km",
                    "hub",
                    "leg_road_km",
                    "leg_hours",
                )  # fmt: skip
            )
            folium.Marker(
                [unit.geometry.y, unit.geometry.x],
                icon=unit_symbol(unit.sidc).div_icon(),
                tooltip=str(unit.unit_label),
                popup=folium.Popup(f"<table>{rows}</table>", max_width=360),
            ).add_to(group)
        for frame in (plan.coverage, plan.gaps, plan.legs):
            if len(frame):
                folium.GeoJson(frame).add_to(group)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def test_bundled_briefing_within_size_budget(
    briefing: str, plans: list[Plan], layers: Layers, tmp_path: Path
) -> None:
    size = len(briefing.encode("utf-8"))
    naive = len(_naive_briefing(plans, layers).encode("utf-8"))
    print(f"offline briefing {size:,} bytes; naive folium {naive:,} bytes")
    assert size <= BUDGET_BYTES
    assert size <= naive / 2


def test_jquery_is_inlined_only_when_folium_code_calls_it(
    layers: Layers, plans: list[Plan]
) -> None:
    import folium

    m = render_plan(plans[0], layers)
    assert "jQuery v3.7.1" not in map_html(m)
    folium.Marker([48.5, 35.0], popup=folium.Popup("<b>a folium popup</b>")).add_to(m)
    page = map_html(m)
    assert "jQuery v3.7.1" in page and page.index("jQuery v3.7.1") < page.index("L.popup(")
    assert 'L.Icon.Default.imagePath=""' in page  # default markers need no image files
    assert _fetched_urls(page) == []


# --- writing --------------------------------------------------------------------------------


def test_write_map_and_briefing_write_whole_files(
    layers: Layers, plans: list[Plan], tmp_path: Path
) -> None:
    out = write_map(plans[0], layers, tmp_path / "plan.html")
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    brief = write_briefing(plans, layers, compare.table(plans), tmp_path / "brief.html")
    assert brief.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brief.html", "plan.html"]


def test_write_into_missing_folder_is_a_one_line_error(
    layers: Layers, plans: list[Plan], tmp_path: Path
) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        write_map(plans[0], layers, tmp_path / "nope" / "plan.html")
    assert list(tmp_path.iterdir()) == []


def test_points_are_drawn_where_they_are(layers: Layers, plans: list[Plan]) -> None:
    page = map_html(render_plan(plans[0], layers))
    data = json.loads(re.search(r'id="dp-data">(.*?)</script>', page, re.S).group(1))
    for drawn, geom in zip(data["base"]["points"], layers.points.geometry, strict=True):
        assert Point(drawn["g"][1], drawn["g"][0]).distance(geom) < 1e-5


# --- the countries around Ukraine (offline basemap) ------------------------------------------


def _page_data(page: str) -> dict:
    return json.loads(re.search(r'id="dp-data">(.*?)</script>', page, re.S).group(1))


def test_offline_pages_draw_the_countries_around_ukraine(
    briefing: str, layers: Layers, plans: list[Plan]
) -> None:
    countries = load_countries()
    for page in (briefing, map_html(render_plan(plans[0], layers))):
        drawn = _page_data(page)["base"]["countries"]
        assert {c["c"] for c in drawn} == set(countries["iso_a3"])
        assert {c["c"] for c in drawn} >= NEIGHBOURS and "UKR" not in {c["c"] for c in drawn}
        assert all(c["g"] for c in drawn)
        assert "Neighbouring countries (basemap)" in page  # its group in the layer control
        assert "<b>Countries</b>: Natural Earth admin-0 countries" in page  # provenance panel


def test_countries_are_drawn_where_they_are(briefing: str) -> None:
    # Each decoded country keeps its area to 1 % (display simplification at 0.3 km) and
    # stays outside Ukraine but for slivers: whatever overlaps the outline is on average
    # narrower than the simplification tolerance (width = 2 area / perimeter of a thin strip).
    source = load_countries().set_index("iso_a3").geometry
    outline = ukraine_outline()
    for country in _page_data(briefing)["base"]["countries"]:
        rings = [[[(lon, lat) for lat, lon in _decode(r)] for r in poly] for poly in country["g"]]
        geom = shapely.MultiPolygon([(rings_[0], rings_[1:]) for rings_ in rings])
        want = source[country["c"]]
        area = abs(GEOD.geometry_area_perimeter(geom)[0])
        assert area == pytest.approx(abs(GEOD.geometry_area_perimeter(want)[0]), rel=0.01)
        inside = shapely.intersection(shapely.make_valid(geom), outline)
        overlap, perimeter = GEOD.geometry_area_perimeter(inside)
        assert 2 * abs(overlap) <= SIMPLIFY_KM * 1000 * perimeter, country["n"]


def test_country_names_are_placed_in_each_neighbour_near_ukraine(briefing: str) -> None:
    source = load_countries().set_index("iso_a3").geometry
    outline = ukraine_outline()
    labelled = {c["c"]: c["l"] for c in _page_data(briefing)["base"]["countries"] if c["l"]}
    assert set(labelled) >= NEIGHBOURS
    for code, (lat, lon) in labelled.items():
        point = Point(lon, lat)
        assert source[code].contains(point), code
        nearest = shapely.ops.nearest_points(outline.boundary, point)[0]
        km = GEOD.inv(lon, lat, nearest.x, nearest.y)[2] / 1000
        assert 10 < km <= LABEL_BAND_KM * 1.01, code


def test_country_label_goes_to_the_middle_of_the_band_next_to_ukraine() -> None:
    # A 'Ukraine' lon 30-32 and a country east of it, lon 32-40, both lat 48-50: the band of
    # 150 km along their border is about 150 km by 222 km, its middle 75 km east of lon 32 at
    # lat 49. A country 400 km away gets no label.
    outline = shapely.box(30.0, 48.0, 32.0, 50.0)
    [(lat, lon), far] = country_labels(
        [shapely.box(32.0, 48.0, 40.0, 50.0), shapely.box(38.0, 48.0, 40.0, 50.0)], outline
    )
    want_lon, want_lat, _ = GEOD.fwd(32.0, 49.0, 90.0, 75_000.0)
    assert GEOD.inv(lon, lat, want_lon, want_lat)[2] < 5_000  # within 5 km of the middle
    assert far is None


def test_online_maps_leave_the_countries_to_the_tiles(layers: Layers, plans: list[Plan]) -> None:
    page = map_html(render_plan(plans[0], layers, online=True))
    assert _page_data(page)["base"]["countries"] == []
    assert "Neighbouring countries" not in page


def test_cli_brief_writes_an_offline_briefing(run_cli, tmp: Path) -> None:  # noqa: ANN001
    result = run_cli("brief", "-o", tmp / "b.html")
    assert result.code == 0, result.err
    page = (tmp / "b.html").read_text(encoding="utf-8")
    assert _fetched_urls(page) == [] and "Option 4 UA-supported" in page
    assert "b.html" in result.out and "offline" in result.out


def test_cli_brief_png_without_chromium_says_how_to_install(
    run_cli,
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    monkeypatch.setattr("maps.snapshot.CHROMIUM", str(tmp / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp))
    result = run_cli("brief", "-o", tmp / "b.html", "--png", tmp / "b.png")
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert "apt-get install chromium" in line and "pip install deployplan[png]" in line
    assert list(tmp.iterdir()) == []


# --- offline pages without folium -------------------------------------------------------------


def test_offline_pages_are_written_without_importing_folium_or_gdal(tmp: Path) -> None:
    """Offline pages need no folium; the bundled layers and a GeoPackage need no pyogrio."""
    import subprocess
    import sys

    code = (
        "import sys; from deployplan.cli import main; "
        f"main(['brief', '-o', {str(tmp / 'b.html')!r}]); "
        f"main(['plan', '--option', '1', '--variant', 'eur-plus', '-o', {str(tmp / 'p.gpkg')!r}, "
        f"'--map', {str(tmp / 'p.html')!r}]); "
        "print(sorted(m for m in ('folium', 'branca', 'jinja2', 'pyogrio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert _fetched_urls((tmp / "b.html").read_text(encoding="utf-8")) == []
    assert _fetched_urls((tmp / "p.html").read_text(encoding="utf-8")) == []


def test_folium_map_and_direct_page_show_the_same(layers: Layers, plans: list[Plan]) -> None:
    from maps.render import plan_map_html

    plan = plans[1]
    direct = plan_map_html(plan, layers)
    via_folium = map_html(render_plan(plan, layers))
    assert _page_data(direct) == _page_data(via_folium)
    for page in (direct, via_folium):
        for name in ("Oblasts (basemap)", "Coverage", "Gaps in coverage", "Logistics legs"):
            assert name in page
        assert page.count("id='dp-legend'") == 1 and "dp-print-legend" in page
    # the same groups, in the same order, shown or not alike
    names = re.findall(r'\[("[^"]+"), "(\w+)", (null|\d+), (true|false), (true|false)\]', direct)
    assert [n[1] for n in names] == [
        "countries", "oblasts", "occupied", "line", "points", "hubs",
        "coverage", "gaps", "legs", "units",
    ]  # fmt: skip
    assert [n[3] for n in names].count("false") == 1  # the legs start hidden, as in folium's
    assert len(re.findall(r"feature_group_\d+\.addTo\(map_", via_folium)) == 9


def test_basemap_cache_is_keyed_by_the_data_and_survives_corruption(
    layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from maps.encode import basemap_data

    countries = load_countries()
    monkeypatch.setenv("DEPLOYPLAN_NO_CACHE", "1")
    fresh = basemap_data(layers.oblasts, countries)
    monkeypatch.delenv("DEPLOYPLAN_NO_CACHE")
    monkeypatch.delenv("DEPLOYPLAN_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert basemap_data(layers.oblasts, countries) == fresh  # computed, then written
    [cached] = (tmp_path / "deployplan" / "basemap").glob("basemap-*.json")
    assert json.loads(cached.read_text(encoding="utf-8")) == fresh
    assert basemap_data(layers.oblasts, countries) == fresh  # read back
    cached.write_text("{not json", encoding="utf-8")
    assert basemap_data(layers.oblasts, countries) == fresh  # a broken cache is recomputed
    # other data, another key: one oblast moved by 0.1 degree is not served the old basemap
    moved = layers.oblasts.copy()
    moved.loc[moved.index[0], "geometry"] = shapely.affinity.translate(
        moved.geometry.iloc[0], xoff=0.1
    )
    other = basemap_data(moved, countries)
    assert len(list((tmp_path / "deployplan" / "basemap").glob("basemap-*.json"))) == 2
    assert other["oblasts"][0]["g"] != fresh["oblasts"][0]["g"]
    # DEPLOYPLAN_CACHE_DIR, deployplan's own cache folder, takes precedence
    mine = tmp_path / "mine"
    monkeypatch.setenv("DEPLOYPLAN_CACHE_DIR", str(mine))
    assert basemap_data(layers.oblasts, countries) == fresh
    assert len(list((mine / "basemap").glob("basemap-*.json"))) == 1
