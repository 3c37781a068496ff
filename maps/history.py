"""A history's chart (matplotlib, the ``[history]`` extra) and its map (one line per date).

:func:`history_chart` draws, per snapshot, the line's length (all parts, main part), the
occupied area, how far the front moved since the previous snapshot and, for each option, the
coverage of the line; it writes PNG and SVG. :func:`history_map` draws one switchable line per
date on the offline base map of :func:`maps.render.new_map`.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from geo.errors import InputError
from planner.history import History, option_columns

__all__ = ["check_matplotlib", "history_chart", "history_map"]

# A colour per date on the map, oldest light, newest dark (viridis, sampled).
_RAMP = ["#fde725", "#a0da39", "#4ac16d", "#1fa187", "#277f8e", "#365c8d", "#46327e", "#440154"]


def check_matplotlib() -> None:
    """Raise InputError unless matplotlib can be imported (the ``[history]`` extra)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(
            "the history chart needs matplotlib; install the extra: pip install "
            "'deployplan[history]'"
        ) from None


def history_chart(result: History, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``history.png`` and ``history.svg`` into ``folder``; return their paths."""
    check_matplotlib()
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    table = result.table
    dates = np.array([np.datetime64(d) for d in table["date"]])
    panels = 4 if result.options else 3
    fig, axes = plt.subplots(panels, 1, figsize=(8.0, 2.3 * panels), sharex=True)
    first, last = table["date"].iloc[0], table["date"].iloc[-1]
    fig.suptitle(
        f"Line of contact, {first} to {last} ({len(table)} DeepStateMap snapshots)", fontsize=11
    )
    ax = axes[0]
    ax.plot(dates, table["line_km"], marker="o", label="whole line (all parts)")
    ax.plot(dates, table["main_line_km"], marker="s", label="main part")
    ax.set_ylabel("length, km")
    ax.legend(loc="best", fontsize=8)
    ax = axes[1]
    ax.plot(dates, table["occupied_km2"] / 1000.0, marker="o", color="#8b0000")
    ax.set_ylabel("occupied,\nthousand km²")
    ax = axes[2]
    ax.plot(dates, table["moved_mean_km"], marker="o", label="mean")
    ax.plot(dates, table["moved_max_km"], marker="^", label="largest")
    ax.set_ylabel("front moved since\nprevious, km")
    ax.legend(loc="best", fontsize=8)
    if result.options:
        ax = axes[3]
        for option, variant in result.options:
            _, coverage, _ = option_columns(option, variant)
            ax.plot(dates, 100.0 * table[coverage], marker="o", label=f"option {option} {variant}")
        ax.set_ylabel("line covered, %")
        ax.set_ylim(0, 105)
        ax.legend(loc="best", fontsize=8)
    for ax in axes:
        ax.grid(True, alpha=0.3)
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    fig.text(
        0.01,
        0.005,
        "Source: DeepStateMap via cyterat/deepstate-map-data (GPL-3.0); lengths geodesic (WGS84)",
        fontsize=7,
        color="#555",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 0.97))
    out = Path(folder)
    fig.savefig(out / "history.png", dpi=90)
    # SVG without the date of the run, so that the same history gives the same file
    fig.savefig(out / "history.svg", metadata={"Date": None})
    written = [out / "history.png", out / "history.svg"]
    plt.close(fig)
    return written


def history_map(result: History, *, online: bool = False) -> str:
    """One HTML page: each snapshot's line as its own switchable layer, newest on top."""
    import folium

    from maps.figure import CornerControl, map_html, new_map

    m = new_map(online=online)
    dates = list(result.lines)
    colours = _colours(len(dates))
    for date, colour in zip(dates, colours, strict=True):
        line = result.lines[date]
        row = result.table[result.table["date"] == date].iloc[0]
        popup = (
            f"<b>Line of contact, {escape(date)}</b><br>{row['line_km']:,.1f} km in "
            f"{int(row['line_parts'])} parts (main {row['main_line_km']:,.1f} km)<br>occupied "
            f"{row['occupied_km2']:,.0f} km²"
        )
        if not np.isnan(row["moved_mean_km"]):
            popup += (
                f"<br>moved since previous: mean {row['moved_mean_km']:.1f} km, largest "
                f"{row['moved_max_km']:.1f} km"
            )
        group = folium.FeatureGroup(name=f"Line of contact {escape(date)}", show=True)
        folium.GeoJson(
            _geojson(line),
            style_function=_style(colour),
            tooltip=f"Line of contact {escape(date)}",
        ).add_to(group)
        group.add_child(folium.Popup(popup, max_width=320))
        group.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    first, last = dates[0], dates[-1]
    legend = "".join(
        f"<div><span style='display:inline-block;width:24px;height:4px;background:{c};"
        f"vertical-align:middle;margin-right:6px'></span>{escape(d)}</div>"
        for d, c in zip(dates, colours, strict=True)
    )
    title = f"Line of contact, {escape(first)} to {escape(last)}"
    html = (
        f"<b>{title}</b>{legend}<div style='color:#555;margin-top:4px'>DeepStateMap via "
        "cyterat/deepstate-map-data, GPL-3.0</div>"
    )
    CornerControl(html, "dp-history-legend").add_to(m)
    root: Any = m.get_root()
    root.title = title
    return map_html(m)


def _colours(n: int) -> list[str]:
    if n == 1:
        return [_RAMP[-1]]
    index = np.round(np.linspace(0, len(_RAMP) - 1, n)).astype(int)
    return [_RAMP[i] for i in index]


def _style(colour: str) -> Any:
    def style(_feature: Any) -> dict[str, Any]:
        return {"color": colour, "weight": 3, "opacity": 0.9}

    return style


def _geojson(line: Any) -> dict[str, Any]:
    frame = line[["name", "part", "length_km", "date", "geometry"]].copy()
    frame["length_km"] = frame["length_km"].round(1)
    return frame.__geo_interface__
