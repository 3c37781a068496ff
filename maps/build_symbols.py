"""Pre-render the built-in unit symbols: ``python -m maps.build_symbols``.

Drawing a symbol with ``milsymbol`` costs about 0.4 s and 160 MB the first time in a
process (it parses its 30 MB symbol tables), so the symbols deployplan ships with are drawn
once here and committed as SVG files in ``maps/static/symbols/`` with a manifest
(``symbols.json``: size, anchor and what drew them). :func:`maps.symbols.symbol_svg` reads
them; ``milsymbol`` is imported only for a code of a user's own. Run this script again after
a change to the unit catalogue (:data:`planner.units.UNIT_TYPES`) or to ``milsymbol``;
``tests/test_symbols.py`` fails while the committed files differ from what it draws.

The symbols: every built-in unit type's SIDC, and the plain frames of
:func:`planner.units.default_sidc` that a scenario's unit gets when it names no code.
"""

from __future__ import annotations

import argparse
import json
from importlib.metadata import version
from pathlib import Path

from planner.units import ECHELONS, UNIT_TYPES, default_sidc

__all__ = ["BUILT_IN", "OUT", "SIZE", "build", "main", "render"]

#: Where the files go.
OUT = Path(__file__).resolve().parent / "static" / "symbols"
#: Size milsymbol draws them at (the SVG scales: only width and height depend on it).
SIZE = 20


def built_in() -> dict[str, str]:
    """SIDC -> what it stands for, for every symbol deployplan ships pre-rendered."""
    codes = {u.sidc: u.label for u in UNIT_TYPES.values()}
    for echelon in ECHELONS:
        codes.setdefault(default_sidc(echelon), f"unit of a scenario ({echelon}, plain frame)")
    return dict(sorted(codes.items()))


BUILT_IN = built_in()


def render(sidc: str, *, size: int = SIZE) -> tuple[str, dict[str, float]]:
    """milsymbol's standalone SVG of ``sidc`` and its size and anchor in pixels."""
    import milsymbol

    symbol = milsymbol.Symbol(sidc, size=size)
    if not symbol.is_valid():
        raise ValueError(f"milsymbol cannot draw {sidc}")
    box, anchor = symbol.get_size(), symbol.get_anchor()
    return symbol.as_svg(), {
        "width": round(float(box["width"]), 1),
        "height": round(float(box["height"]), 1),
        "anchor_x": round(float(anchor["x"]), 1),
        "anchor_y": round(float(anchor["y"]), 1),
    }


def build(out: Path = OUT) -> list[Path]:
    """Write one ``<SIDC>.svg`` per built-in symbol and ``symbols.json``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest: dict[str, object] = {
        "generator": f"maps/build_symbols.py with milsymbol {version('milsymbol')} (MIT licence)",
        "size": SIZE,
        "symbols": {},
    }
    symbols: dict[str, object] = {}
    for sidc, meaning in BUILT_IN.items():
        svg, box = render(sidc)
        path = out / f"{sidc}.svg"
        path.write_text(svg + "\n", encoding="utf-8")
        written.append(path)
        symbols[sidc] = {"meaning": meaning, **box}
    manifest["symbols"] = symbols
    index = out / "symbols.json"
    index.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return [*written, index]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m maps.build_symbols [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
