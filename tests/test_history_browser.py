"""The history map (``deployplan history --map``) in a real headless Chromium, network blocked.

Two snapshots of ``../shared/fixtures`` served on 127.0.0.1 (the ``archive`` fixture): the page
loads with nothing fetched from outside and no script error, the layer control lists one line
per date, each date's line is drawn in its own colour, and switching a date off and on removes
and restores exactly its paths.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from maps.snapshot import CHROMIUM, CHROMIUM_ARGS

IN_CI = bool(os.environ.get("CI"))
DATES = ("2025-06-30", "2025-12-15")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not IN_CI,
        reason="Debian's chromium is not installed (CI installs it)",
    ),
]

PATHS = """() => Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))
    .map(p => p.getAttribute('stroke'))"""


def _open(page: Any, url: str) -> tuple[list[str], list[str]]:
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", route)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-overlay-pane path').length")
    return outside, errors


def test_history_map_in_chromium(archive, run_cli, tmp: Path) -> None:  # noqa: ANN001
    if not IN_CI:
        pytest.importorskip("playwright.sync_api")
    from playwright.sync_api import sync_playwright

    result = run_cli("history", "--dates", *DATES, "--map", "-o", tmp / "h")
    assert result.code == 0, result.err
    page_file = tmp / "h" / "history.html"
    with (tmp / "h" / "history.csv").open(encoding="utf-8", newline="") as handle:
        parts = {row["date"]: int(row["line_parts"]) for row in csv.DictReader(handle)}
    assert set(parts) == set(DATES)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        outside, errors = _open(page, page_file.as_uri())
        assert outside == [] and errors == []

        labels = page.locator(".leaflet-control-layers-overlays label")
        texts = [t.strip() for t in labels.all_inner_texts()]
        assert texts == [f"Line of contact {d}" for d in DATES]
        # every part of every date's line is a path; each date has its own colour
        strokes = page.evaluate(PATHS)
        assert len(strokes) == sum(parts.values())
        by_colour = {c: strokes.count(c) for c in set(strokes)}
        assert sorted(by_colour.values()) == sorted(parts.values())
        legend = page.locator("#dp-history-legend").inner_text()
        assert all(d in legend for d in DATES)
        # the legend, the scale bar and the layer control: inside the window, none over another
        boxes = page.evaluate(
            """() => [...document.querySelectorAll('.leaflet-control')].map(e => {
                const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; })
                .filter(b => b[2] > b[0])"""
        )
        assert len(boxes) >= 3  # the legend, the scale bar, the layer control (and zoom)
        for i, a in enumerate(boxes):
            assert a[0] >= 0 and a[1] >= 0 and a[2] <= 1200 and a[3] <= 800
            for b in boxes[i + 1 :]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)

        # switching the first date off removes its paths only; on again restores them
        first = labels.nth(0).locator("input")
        first.uncheck()
        assert len(page.evaluate(PATHS)) == parts[DATES[1]]
        first.check()
        assert sorted(page.evaluate(PATHS)) == sorted(strokes)
        # a line's popup says its date and length
        page.locator(".leaflet-overlay-pane path").last.click(force=True)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=15000)
        assert "Line of contact" in popup.inner_text() and " km in " in popup.inner_text()
        browser.close()
