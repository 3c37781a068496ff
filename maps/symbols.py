"""APP-6 / MIL-STD-2525D unit symbols as SVG: one place for the map, the legend and exports.

:func:`symbol_svg` gives a symbol's SVG text for a SIDC; :func:`unit_symbol` the same with
its size and anchor, for map markers. The built-in symbols (every unit type of
:data:`planner.units.UNIT_TYPES` and the plain frames of a scenario's units) are read from
SVG files pre-rendered by ``milsymbol`` (``maps/static/symbols/``, made by
``python -m maps.build_symbols``); ``milsymbol`` itself, which parses 30 MB of symbol tables
on first use (0.4 s, 160 MB), is imported only to draw a user's own code.

Only 20-digit 2525D codes are accepted: ``milsymbol`` draws a letter-style or mistyped code
as a red question mark without complaint, so an invalid code is refused here instead.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from geo.errors import InputError

if TYPE_CHECKING:
    import folium

__all__ = ["DEFAULT_SIZE", "UnitSymbol", "builtin_sidcs", "echelon_of", "symbol_svg", "unit_symbol"]

#: Pixel size milsymbol is asked for (the height of the frame's core).
DEFAULT_SIZE = 20

_ECHELONS = {"16": "battalion", "17": "regiment", "18": "brigade", "21": "division"}
_XMLNS = re.compile(r'\s+xmlns="[^"]*"')
_SIZE_ATTRS = re.compile(r'width="[^"]*" height="[^"]*"')


@dataclass(frozen=True)
class UnitSymbol:
    """One SVG symbol and where its anchor (the unit's position) lies in it, in pixels."""

    sidc: str
    svg: str
    width: float
    height: float
    anchor_x: float
    anchor_y: float

    def div_icon(self, *, class_name: str = "dp-unit") -> folium.DivIcon:
        """The symbol as a :class:`folium.DivIcon` anchored at the unit's position."""
        import folium

        return folium.DivIcon(
            html=self.svg,
            icon_size=(math.ceil(self.width), math.ceil(self.height)),
            icon_anchor=(round(self.anchor_x), round(self.anchor_y)),
            class_name=class_name,
        )


def echelon_of(sidc: str) -> str:
    """The echelon named by a 2525D SIDC (digits 9–10), e.g. ``"battalion"`` for ``16``.

    Examples
    --------
    >>> echelon_of("10031000181205000000")
    'brigade'
    """
    return _ECHELONS.get(sidc[8:10], "other")


@cache
def _manifest() -> dict[str, Any]:
    text = (files("maps") / "static" / "symbols" / "symbols.json").read_text(encoding="utf-8")
    manifest: dict[str, Any] = json.loads(text)
    return manifest


def builtin_sidcs() -> tuple[str, ...]:
    """The SIDCs shipped pre-rendered (drawn without ``milsymbol``).

    Examples
    --------
    >>> "10031000161211000000" in builtin_sidcs()
    True
    """
    return tuple(_manifest()["symbols"])


def _invalid(sidc: object) -> InputError:
    return InputError(
        f"unit symbol code {sidc!r} is not a valid 20-digit MIL-STD-2525D SIDC; "
        "use one like '10031000161211000000' (friendly infantry battalion)"
    )


@lru_cache(maxsize=256)
def _drawn(code: str) -> tuple[str, float, float, float, float]:
    """(standalone SVG, width, height, anchor x, anchor y) at the base size, per code."""
    base = float(_manifest()["size"])
    known = _manifest()["symbols"].get(code)
    if known is not None:
        svg = (files("maps") / "static" / "symbols" / f"{code}.svg").read_text(encoding="utf-8")
        box = (known["width"], known["height"], known["anchor_x"], known["anchor_y"])
        return (svg.strip(), *(float(v) for v in box))  # type: ignore[return-value]
    if not (len(code) == 20 and code.isdigit()):
        raise _invalid(code)
    import milsymbol

    symbol = milsymbol.Symbol(code, size=base)
    if not symbol.is_valid():
        raise _invalid(code)
    size, anchor = symbol.get_size(), symbol.get_anchor()
    return (
        symbol.as_svg(),
        float(size["width"]),
        float(size["height"]),
        float(anchor["x"]),
        float(anchor["y"]),
    )


def _scaled(code: str, size: float) -> tuple[str, float, float, float, float]:
    svg, width, height, ax, ay = _drawn(code)
    k = float(size) / float(_manifest()["size"])
    if not (math.isfinite(k) and k > 0):
        raise InputError(f"symbol size {size!r} is not a positive number of pixels; e.g. 20")
    w, h = width * k, height * k
    svg = _SIZE_ATTRS.sub(f'width="{_decimal(w)}" height="{_decimal(h)}"', svg, count=1)
    return svg, round(w, 1), round(h, 1), round(ax * k, 1), round(ay * k, 1)


def _decimal(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def symbol_svg(sidc: str, *, size: float = DEFAULT_SIZE, inline: bool = False) -> str:
    """The SVG text of a unit symbol: the one source of symbols for maps, legends and exports.

    Parameters
    ----------
    sidc : str
        20-digit MIL-STD-2525D symbol identification code, e.g. ``"10031000161211000000"``
        (friendly land unit, battalion, infantry).
    size : float
        Size in pixels (milsymbol's size: the height of the frame's core); only the SVG's
        ``width`` and ``height`` depend on it, the drawing is vector.
    inline : bool
        Drop the ``xmlns`` attribute, which SVG inside HTML5 does not need; by default the SVG
        is standalone, ready for a ``.svg`` file (a QGIS SVG marker, a KMZ icon).

    Returns
    -------
    str
        ``<svg ...>...</svg>``. The built-in codes (:func:`builtin_sidcs`) come pre-rendered;
        other codes are drawn by ``milsymbol``.

    Raises
    ------
    InputError
        If the code is not a valid 20-digit 2525D SIDC, or the size not a positive number.

    Examples
    --------
    >>> svg = symbol_svg("10031000161211000000", size=40)
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), 'width="63.2"' in svg
    (True, True)
    """
    svg = _scaled(str(sidc).strip(), size)[0]
    return _XMLNS.sub("", svg, count=1) if inline else svg


@lru_cache(maxsize=256)
def unit_symbol(sidc: str, *, size: int = DEFAULT_SIZE) -> UnitSymbol:
    """The inline SVG of a 20-digit 2525D SIDC with its size and anchor, cached per code and size.

    The SVG is inline-ready: the ``xmlns`` attribute, which HTML5 does not need, is dropped
    (:func:`symbol_svg` gives the standalone one).

    Parameters
    ----------
    sidc : str
        20-digit MIL-STD-2525D symbol identification code, e.g. ``"10031000161211000000"``
        (friendly land unit, battalion, infantry).
    size : int
        Symbol size in pixels.

    Returns
    -------
    UnitSymbol

    Raises
    ------
    InputError
        If the code is not a valid 20-digit 2525D SIDC.

    Examples
    --------
    >>> symbol = unit_symbol("10031000161211000000")
    >>> symbol.svg.startswith("<svg"), symbol.anchor_y
    (True, 18.8)
    """
    code = str(sidc).strip()
    svg, width, height, ax, ay = _scaled(code, size)
    return UnitSymbol(
        sidc=code,
        svg=_XMLNS.sub("", svg, count=1),
        width=width,
        height=height,
        anchor_x=ax,
        anchor_y=ay,
    )
