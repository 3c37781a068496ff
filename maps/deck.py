"""The briefing as a slide deck (PowerPoint, python-pptx): ``deployplan brief --pptx``.

Slides, 16:9: a title slide (line date, provenance); one slide per option with its map
picture and its figures; the comparison table as a native PowerPoint table; the yardsticks
(whatever yardstick columns the comparison table has); the sources. Every figure comes from
the same table as ``deployplan compare`` (:func:`planner.compare.table`), formatted as the
briefing's HTML table formats it. The pictures are taken from the briefing page by the same
headless Chromium as ``--png`` (:func:`maps.snapshot.take_pictures`), one option at a time.

python-pptx is the optional extra ``deployplan[pptx]``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.errors import DeployplanError
from layers.atomic import atomic_output
from maps.panels import TABLE_ROWS, cell_text, deployplan_version
from maps.render import line_date_of
from maps.snapshot import PNG_SIZE, take_pictures

if TYPE_CHECKING:
    import pandas as pd

    from layers import Layers
    from planner.plan import Plan

__all__ = [
    "FIGURE_ROWS",
    "require_pptx",
    "slide_pictures",
    "write_deck",
    "yardstick_keys",
]

_HOW_TO = "install it with `pip install deployplan[pptx]`"
#: Measures listed beside each option's picture (those the table has).
FIGURE_ROWS = (
    "units_placed",
    "troops_min",
    "troops_placed_min",
    "rotation_factor",
    "sustained_troops_min",
    "fits_availability",
    "fits_brigades",
    "coverage_fraction",
    "largest_gap_km",
    "gaps",
    "road_km_max",
    "convoy_hours_max",
    "response_hours_max",
)
_YARDSTICK = re.compile(r"per_km|kosovo|proposal|yardstick")
_LAYER_TITLES = (
    ("line", "Contact line"),
    ("occupied", "Occupied territory"),
    ("oblasts", "Oblasts"),
    ("points", "Concentration points"),
    ("hubs", "Logistics hubs"),
)
_INCH = 914400  # EMU


def require_pptx() -> None:
    """Raise a one-line :class:`DeployplanError` when python-pptx is not installed."""
    if importlib.util.find_spec("pptx") is None:
        raise DeployplanError(f"slide decks need python-pptx, which is not installed; {_HOW_TO}")


def _labels() -> dict[str, str]:
    """Row labels: the briefing table's, then the comparison's own (``planner.compare``)."""
    from planner import compare

    labels = {
        str(k): str(v)
        for k, v in (getattr(compare, "LABELS", None) or getattr(compare, "_LABELS", {})).items()
    }
    labels.update({key: label.replace("&times;", "×") for key, label, _ in TABLE_ROWS})
    return labels


def _ranges() -> dict[str, str]:
    out = {key: high for key, _, high in TABLE_ROWS if high}
    stems = ("brigades", "troops", "sustained_troops", "troops_placed", "sustained_troops_placed")
    for key in stems:
        out.setdefault(f"{key}_min", f"{key}_max")
    out.setdefault("inner_german_troops_per_km_min", "inner_german_troops_per_km_max")
    return out


def _value(record: dict[str, Any], key: str) -> str:
    """A cell as the briefing shows it, ranges as ``low–high``; plain text."""
    text = cell_text(key, record.get(key))
    high = _ranges().get(key)
    if high and high in record and record[high] != record.get(key):
        text = f"{text}–{cell_text(high, record[high])}"
    return text


def yardstick_keys(table: pd.DataFrame) -> list[str]:
    """The yardstick columns of the comparison table (troops per km, Kosovo, proposals ...),
    then the availability checks; the ``_max`` end of a range is shown with its ``_min``."""
    highs = set(_ranges().values())
    keys = [c for c in table.columns if _YARDSTICK.search(str(c)) and c not in highs]
    keys += [
        c
        for c in table.columns
        if str(c).startswith("fits_") and c not in keys and not str(c).endswith("_placed")
    ]
    return keys


def slide_pictures(
    html_path: str | os.PathLike[str],
    plans: Sequence[Plan],
    folder: str | os.PathLike[str],
    *,
    size: tuple[int, int] = PNG_SIZE,
    online: bool = False,
    window_png: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """One PNG per plan (``option-<i>.png`` in ``folder``), the briefing showing it alone;
    first, with ``window_png``, the window as a reader sees it (the ``--png`` snapshot), by
    the same browser."""
    shots: list[tuple[str | os.PathLike[str], int | None]] = []
    if window_png is not None:
        shots.append((window_png, None))
    shots += [(Path(folder) / f"option-{i}.png", i) for i in range(len(plans))]
    pictures = take_pictures(
        html_path, shots, width=size[0], height=size[1], online=online, slide=True
    )
    return pictures[1:] if window_png is not None else pictures


def _title(slide: Any, text: str, width: int) -> None:
    from pptx.util import Emu, Pt

    title = slide.shapes.title
    title.left, title.top = Emu(int(0.4 * _INCH)), Emu(int(0.25 * _INCH))
    title.width, title.height = Emu(width - int(0.8 * _INCH)), Emu(int(0.8 * _INCH))
    title.text = text
    for paragraph in title.text_frame.paragraphs:
        paragraph.font.size = Pt(28)
        paragraph.font.bold = True


def _text(
    slide: Any,
    lines: Sequence[str],
    box: tuple[float, float, float, float],
    *,
    size: int = 14,
) -> Any:
    from pptx.util import Emu, Pt

    left, top, width, height = (Emu(int(v * _INCH)) for v in box)
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
    return shape


def _table(
    slide: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    box: tuple[float, float, float, float],
    *,
    first_width: float,
) -> Any:
    from pptx.util import Emu, Pt

    left, top, width, height = box
    n_cols = len(header)
    shape = slide.shapes.add_table(
        len(rows) + 1,
        n_cols,
        Emu(int(left * _INCH)),
        Emu(int(top * _INCH)),
        Emu(int(width * _INCH)),
        Emu(int(height * _INCH)),
    )
    table = shape.table
    rest = (width - first_width) / max(1, n_cols - 1)
    for c in range(n_cols):
        table.columns[c].width = Emu(int((first_width if c == 0 else rest) * _INCH))
    size = 11 if n_cols <= 6 else 9 if n_cols <= 11 else 7
    for r, values in enumerate([list(header), *[list(v) for v in rows]]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(size)
                paragraph.font.bold = r == 0 or c == 0
    return shape


def _provenance_lines(layers: Layers, *, full: bool) -> list[str]:
    from layers.countries import load_countries

    frames = [(title, getattr(layers, name, None)) for name, title in _LAYER_TITLES]
    frames.append(("Countries (basemap)", load_countries()))
    lines = []
    for title, frame in frames:
        if frame is None:
            continue
        prov = dict(frame.attrs.get("provenance", {}))
        if not prov:
            lines.append(f"{title}: no provenance recorded")
            continue
        source, date, licence = (prov.get(k, "") for k in ("source", "date", "licence"))
        text = f"{title}: {source}; {date}; {licence}"
        if full:
            derivation = str(prov.get("derivation", ""))
            text += f". {derivation[:300]}{'…' if len(derivation) > 300 else ''}"
            if prov.get("url"):
                text += f" <{prov['url']}>"
        lines.append(text)
    return lines


def write_deck(
    plans: Sequence[Plan],
    layers: Layers,
    table: pd.DataFrame,
    html_path: str | os.PathLike[str],
    pptx_path: str | os.PathLike[str],
    *,
    size: tuple[int, int] = PNG_SIZE,
    online: bool = False,
    window_png: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the briefing deck of ``plans`` (pictures from the briefing page ``html_path``).

    Parameters
    ----------
    plans : sequence of planner.plan.Plan
        The plans of the briefing, in its order.
    layers : layers.Layers
        The layers they were made on (line date, provenance).
    table : pandas.DataFrame
        :func:`planner.compare.table` of ``plans``: every figure of the deck comes from it.
    html_path : path
        The briefing page (:func:`maps.write_briefing`) the pictures are taken from.
    pptx_path : path
        Where the deck goes (written whole or not at all).
    size : (int, int)
        Picture size in pixels (16:9 fits the slides best).
    online : bool
        The page loads tiles and CDN assets (else every request outside it is refused).
    window_png : path, optional
        Also write the window as a reader sees it here (``--png``), by the same browser:
        written as given, the caller commits it.

    Returns
    -------
    Path
        The deck written.

    Raises
    ------
    DeployplanError
        Without python-pptx, Chromium or Playwright (saying how to install them).
    """
    require_pptx()
    from pptx import Presentation
    from pptx.util import Emu

    target = Path(pptx_path)
    records = table.astype(object).to_dict("records")
    labels = _labels()
    line_date = line_date_of(layers)
    with tempfile.TemporaryDirectory(prefix="deployplan-slides-") as folder:
        pictures = slide_pictures(
            html_path, plans, folder, size=size, online=online, window_png=window_png
        )
        deck = Presentation()
        deck.slide_width, deck.slide_height = Emu(int(13.333 * _INCH)), Emu(int(7.5 * _INCH))
        width = int(deck.slide_width)
        title_only = deck.slide_layouts[5]

        # 1. title: what, the line's date, where the layers come from
        slide = deck.slides.add_slide(title_only)
        _title(slide, "Deployment options along the line of contact", width)
        made = dt.date.today().isoformat()
        _text(
            slide,
            [
                f"Contact line of {line_date}" if line_date else "Contact line (undated)",
                f"{len(plans)} options · figures from `deployplan compare` · "
                f"deployplan {deployplan_version()} · {made}",
            ],
            (0.6, 1.3, 12.1, 1.2),
            size=20,
        )
        _text(slide, ["Layers:", *_provenance_lines(layers, full=False)], (0.6, 2.8, 12.1, 4.2))

        # 2. one slide per option: its picture and its figures
        for plan, record, picture in zip(plans, records, pictures, strict=True):
            slide = deck.slides.add_slide(title_only)
            _title(slide, str(plan.name), width)
            pic_w = 9.3
            pic_h = pic_w * size[1] / size[0]
            if pic_h > 5.9:
                pic_h = 5.9
                pic_w = pic_h * size[0] / size[1]
            slide.shapes.add_picture(
                str(picture),
                Emu(int(0.3 * _INCH)),
                Emu(int(1.2 * _INCH)),
                Emu(int(pic_w * _INCH)),
                Emu(int(pic_h * _INCH)),
            )
            figures = [
                f"{labels.get(k, k.replace('_', ' '))}: {_value(record, k)}"
                for k in FIGURE_ROWS
                if k in table.columns
            ]
            if len(plan.units) == 0:
                figures.insert(0, "No European units placed")
            left = 0.3 + pic_w + 0.2
            _text(slide, figures, (left, 1.2, 13.0 - left, 5.9), size=12)
            notes = str(plan.parameters.get("description", "") or "")
            if notes:
                slide.notes_slide.notes_text_frame.text = notes

        # 3. the comparison table, native
        header = ["", *[str(r.get("name", "")) for r in records]]
        keys = [k for k, _, _ in TABLE_ROWS if k in table.columns]
        rows = [[labels.get(k, k), *[_value(r, k) for r in records]] for k in keys]
        slide = deck.slides.add_slide(title_only)
        _title(slide, "Comparison of the options", width)
        _table(slide, header, rows, (0.3, 1.15, 12.7, 0.3 * (len(rows) + 1)), first_width=2.4)

        # 4. the yardsticks
        ykeys = yardstick_keys(table)
        slide = deck.slides.add_slide(title_only)
        _title(slide, "Yardsticks", width)
        yrows = [
            [labels.get(k, k.replace("_", " ")), *[_value(r, k) for r in records]] for k in ykeys
        ]
        if yrows:
            box = (0.3, 1.15, 12.7, 0.32 * (len(yrows) + 1))
            _table(slide, header, yrows, box, first_width=2.8)
        else:  # pragma: no cover - every comparison table has availability checks
            _text(slide, ["The comparison table has no yardstick columns."], (0.6, 1.3, 12, 1))

        # 5. sources
        slide = deck.slides.add_slide(title_only)
        _title(slide, "Sources", width)
        _text(
            slide,
            [
                *_provenance_lines(layers, full=True),
                f"Maps: deployplan {deployplan_version()}, Leaflet, unit symbols by milsymbol "
                "(APP-6 / MIL-STD-2525D); pictures by headless Chromium; figures from "
                "`deployplan compare`.",
            ],
            (0.5, 1.2, 12.3, 6.0),
            size=11,
        )
        deck.core_properties.title = "Deployment options along the line of contact"
        deck.core_properties.author = "deployplan"
        with atomic_output(target) as tmp:
            deck.save(str(tmp))
    return target
