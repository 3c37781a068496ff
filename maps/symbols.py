"""APP-6 / MIL-STD-2525D unit symbols as SVG, drawn by the ``milsymbol`` package.

A symbol is made once per SIDC and shared by every marker that shows it. Only 20-digit
2525D codes are accepted: ``milsymbol`` draws a letter-style or mistyped code as a red
question mark without complaint, so an invalid code is refused here instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.errors import InputError

if TYPE_CHECKING:
    import folium

__all__ = ["UnitSymbol", "echelon_of", "unit_symbol"]

#: Pixel size milsymbol is asked for (the height of the frame's core).
DEFAULT_SIZE = 20

_ECHELONS = {"16": "battalion", "17": "regiment", "18": "brigade", "21": "division"}
_XMLNS = re.compile(r'\s+xmlns="[^"]*"')


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


@lru_cache(maxsize=256)
def unit_symbol(sidc: str, *, size: int = DEFAULT_SIZE) -> UnitSymbol:
    """The SVG of a 20-digit 2525D SIDC, cached per code and size.

    The SVG is inline-ready: the ``xmlns`` attribute, which HTML5 does not need, is dropped.

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
    >>> symbol.svg.startswith("<svg")
    True
    """
    import milsymbol

    code = str(sidc).strip()
    symbol = milsymbol.Symbol(code, size=size)
    if not (len(code) == 20 and code.isdigit() and symbol.is_valid()):
        raise InputError(
            f"unit symbol code {sidc!r} is not a valid 20-digit MIL-STD-2525D SIDC; "
            "use one like '10031000161211000000' (friendly infantry battalion)"
        )
    box = symbol.get_size()
    anchor = symbol.get_anchor()
    return UnitSymbol(
        sidc=code,
        svg=_XMLNS.sub("", symbol.as_svg(), count=1),
        width=round(float(box["width"]), 1),
        height=round(float(box["height"]), 1),
        anchor_x=round(float(anchor["x"]), 1),
        anchor_y=round(float(anchor["y"]), 1),
    )
