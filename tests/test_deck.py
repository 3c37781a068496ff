"""``deployplan brief --pptx``: the deck opens with python-pptx and holds what a staff briefing
needs; ``--png-size``; one-line errors without python-pptx or Chromium, nothing written.

Skipped only on a machine without Chromium *and* outside CI (in CI a missing one fails).
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from layers import load_layers
from maps.snapshot import CHROMIUM
from planner import compare, plan_all

IN_CI = bool(os.environ.get("CI"))
browser = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not IN_CI,
    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); never skipped in CI",
)


def _png_size(blob: bytes) -> tuple[int, int]:
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", blob[16:24])  # the IHDR chunk
    return width, height


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One run of the command line for the module: HTML, PNG and deck together."""
    if not IN_CI:
        pytest.importorskip("pptx")
        pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not IN_CI:
        pytest.skip("no Chromium")
    from deployplan.cli import main

    out = tmp_path_factory.mktemp("deck")
    code = main(
        [
            "brief",
            "-o",
            str(out / "b.html"),
            "--png",
            str(out / "b.png"),
            "--pptx",
            str(out / "b.pptx"),
            "--png-size",
            "1600x900",
        ]
    )
    assert code == 0
    return out, ""


@pytest.fixture(scope="module")
def table():  # noqa: ANN201 - a DataFrame
    return compare.table(plan_all(load_layers()))


@browser
def test_all_three_outputs_are_written(deck: tuple[Path, str]) -> None:
    out, _ = deck
    assert sorted(p.name for p in out.iterdir()) == ["b.html", "b.png", "b.pptx"]
    assert _png_size((out / "b.png").read_bytes()) == (1600, 900)


@browser
def test_deck_has_title_one_slide_per_option_table_yardsticks_sources(
    deck: tuple[Path, str],
    table,  # noqa: ANN001
) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    out, _ = deck
    slides = list(Presentation(str(out / "b.pptx")).slides)
    names = list(table["name"])
    titles = [s.shapes.title.text for s in slides]
    assert titles == [
        "Deployment options along the line of contact",
        *names,
        "Comparison of the options",
        "Yardsticks",
        "Sources",
    ]
    # the title slide: the line's date and where the layers come from
    first = " ".join(sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame)
    assert "2025-12-15" in first and "DeepStateMap" in first and "Natural Earth" in first
    # one slide per option, each with its 16:9 map picture and its figures from compare
    for slide, record in zip(slides[1 : 1 + len(names)], table.to_dict("records"), strict=True):
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert _png_size(pictures[0].image.blob) == (1600, 900)
        assert pictures[0].width / pictures[0].height == pytest.approx(16 / 9, rel=0.01)
        text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert f"{record['coverage_fraction'] * 100:.1f}%" in text
        assert f"units placed on this line: {record['units_placed']}" in text


@browser
def test_comparison_is_a_native_table_with_the_compare_figures(
    deck: tuple[Path, str],
    table,  # noqa: ANN001
) -> None:
    from pptx import Presentation

    out, _ = deck
    slides = list(Presentation(str(out / "b.pptx")).slides)
    [grid] = [sh.table for sh in slides[-3].shapes if sh.has_table]
    header = [grid.cell(0, c).text for c in range(len(grid.columns))]
    assert header == ["", *table["name"]]
    rows = {grid.cell(r, 0).text: r for r in range(1, len(grid.rows))}
    for c, record in enumerate(table.to_dict("records"), start=1):
        assert grid.cell(rows["units placed on this line"], c).text == f"{record['units_placed']}"
        assert grid.cell(rows["gaps"], c).text == f"{record['gaps']}"
        low, high = record["troops_min"], record["troops_max"]
        want = f"{low:,}" if low == high else f"{low:,}–{high:,}"
        assert grid.cell(rows["troops deployed (notes)"], c).text == want
    # the yardsticks slide: a table too, one column per option
    [yard] = [sh.table for sh in slides[-2].shapes if sh.has_table]
    assert len(yard.columns) == len(table) + 1 and len(yard.rows) >= 2
    sources = " ".join(sh.text_frame.text for sh in slides[-1].shapes if sh.has_text_frame)
    for name in ("DeepStateMap", "Natural Earth", "GeoNames", "milsymbol"):
        assert name in sources


def test_pptx_without_python_pptx_is_one_line_and_writes_nothing(
    run_cli,  # noqa: ANN001
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pptx" else real(name, *a)
    )
    result = run_cli("brief", "-o", tmp / "b.html", "--pptx", tmp / "b.pptx")
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert "python-pptx" in line and "pip install deployplan[pptx]" in line
    assert list(tmp.iterdir()) == []


def test_pptx_without_chromium_is_one_line_and_writes_nothing(
    run_cli,  # noqa: ANN001
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not IN_CI:
        pytest.importorskip("pptx")
    monkeypatch.setattr("maps.snapshot.CHROMIUM", str(tmp / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp))
    result = run_cli("brief", "-o", tmp / "b.html", "--pptx", tmp / "b.pptx")
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert "apt-get install chromium" in line
    assert list(tmp.iterdir()) == []


@pytest.mark.parametrize("size", ["big", "1920", "100x100", "1920x0", "9000x1000", "axb"])
def test_bad_png_size_is_one_line_and_writes_nothing(run_cli, tmp: Path, size: str) -> None:  # noqa: ANN001
    result = run_cli("brief", "-o", tmp / "b.html", "--png", tmp / "b.png", "--png-size", size)
    assert result.code == 2
    [line] = result.err.strip().splitlines()
    assert "--png-size" in line and "1920x1080" in line
    assert list(tmp.iterdir()) == []
