"""APP-6 / 2525D unit symbols: the echelon and the branch must show, bad codes are refused."""

from __future__ import annotations

import re

import pytest

from geo.errors import InputError
from maps.symbols import builtin_sidcs, echelon_of, symbol_svg, unit_symbol

# 2525D: version 10, context 0, identity 3 (friend), symbol set 10 (land unit), status 0,
# HQ 0, echelon (16 battalion, 18 brigade), entity (121100 infantry, 120500 armour).
INF_BN = "10031000161211000000"
INF_BDE = "10031000181211000000"
ARM_BN = "10031000161205000000"
ARM_BDE = "10031000181205000000"


def _paths(svg: str) -> list[str]:
    return re.findall(r'<path d="([^"]+)"', svg)


@pytest.mark.parametrize("sidc", [INF_BN, INF_BDE, ARM_BN, ARM_BDE])
def test_valid_codes_make_an_svg(sidc: str) -> None:
    symbol = unit_symbol(sidc)
    assert symbol.svg.startswith("<svg") and symbol.svg.endswith("</svg>")
    assert "xmlns" not in symbol.svg and "http" not in symbol.svg
    assert symbol.width > 0 and symbol.height > 0
    assert 0 < symbol.anchor_x < symbol.width and 0 < symbol.anchor_y < symbol.height
    assert ">?<" not in symbol.svg  # milsymbol's red question mark for codes it cannot read


def test_echelon_marks_differ_battalion_two_bars_brigade_a_cross() -> None:
    battalion = unit_symbol(INF_BN).svg
    brigade = unit_symbol(INF_BDE).svg
    assert battalion != brigade
    # Battalion (II): two vertical strokes above the frame.
    bars = [d for d in _paths(battalion) if re.fullmatch(r"M([\d.]+),[\d.]+L\1,[\d.]+", d)]
    assert len(bars) == 2
    # Brigade (X): two crossing diagonal strokes, no vertical bars.
    assert not [d for d in _paths(brigade) if re.fullmatch(r"M([\d.]+),[\d.]+L\1,[\d.]+", d)]
    assert any(re.search(r"l\s*25,-25.*l\s*-25,-25", d) for d in _paths(brigade))


def test_branch_marks_differ_infantry_cross_armour_track() -> None:
    infantry = unit_symbol(INF_BN).svg
    armour = unit_symbol(ARM_BN).svg
    assert infantry != armour
    # Infantry: the frame's two diagonals, corner to corner of the rectangular friendly frame.
    x0, y0, w, h = (
        float(v)
        for v in re.match(
            r"M([\d.]+),([\d.]+) l([\d.]+),0 0,([\d.]+)", _paths(infantry)[0]
        ).groups()
    )
    corners = [(x0, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0 + w, y0)]
    strokes = {
        tuple(map(float, m))
        for d in _paths(infantry)
        for m in re.findall(r"M([\d.]+),([\d.]+) L([\d.]+),([\d.]+)", d)
    }
    assert (*corners[0], *corners[1]) in strokes and (*corners[2], *corners[3]) in strokes
    # Armour: the track, an oval drawn with curves, and no diagonals.
    assert any("C" in d for d in _paths(armour))
    assert not any("L175,150" in d for d in _paths(armour))


@pytest.mark.parametrize(
    ("sidc", "echelon"),
    [(INF_BN, "battalion"), (ARM_BDE, "brigade"), ("10031000171211000000", "regiment")],
)
def test_echelon_of(sidc: str, echelon: str) -> None:
    assert echelon_of(sidc) == echelon


@pytest.mark.parametrize(
    "sidc",
    [
        "SFGPUCI----D",
        "1003100016121100000",
        "100310001612110000000",
        "abc",
        "",
        "99999999999999999999",
    ],
)
def test_invalid_codes_are_refused(sidc: str) -> None:
    with pytest.raises(InputError, match="2525D SIDC"):
        unit_symbol(sidc)


def test_symbols_are_cached_per_code() -> None:
    assert unit_symbol(INF_BN) is unit_symbol(INF_BN)


# --- the pre-rendered built-in symbols --------------------------------------------------------


def test_every_unit_type_and_default_frame_is_pre_rendered() -> None:
    from planner.units import ECHELONS, UNIT_TYPES, default_sidc

    wanted = {u.sidc for u in UNIT_TYPES.values()} | {default_sidc(e) for e in ECHELONS}
    assert set(builtin_sidcs()) == wanted


@pytest.mark.parametrize("sidc", sorted({INF_BN, ARM_BN, ARM_BDE, "10031000180000000000"}))
def test_committed_svgs_are_what_milsymbol_draws(sidc: str) -> None:
    # The files in maps/static/symbols/ are milsymbol's own drawing (re-run
    # `python -m maps.build_symbols` after a change of the catalogue or of milsymbol).
    import milsymbol

    drawn = milsymbol.Symbol(sidc, size=20)
    assert symbol_svg(sidc) == drawn.as_svg()
    symbol = unit_symbol(sidc)
    assert (symbol.width, symbol.height) == (drawn.get_size()["width"], drawn.get_size()["height"])
    assert (symbol.anchor_x, symbol.anchor_y) == (drawn.get_anchor()["x"], drawn.get_anchor()["y"])
    big = milsymbol.Symbol(sidc, size=48)
    assert symbol_svg(sidc, size=48) == big.as_svg()
    assert unit_symbol(sidc, size=48).anchor_y == pytest.approx(big.get_anchor()["y"], abs=0.05)


def test_a_users_own_code_is_drawn_by_milsymbol() -> None:
    import milsymbol

    recce = "10031000161211000001"  # not built in
    assert recce not in builtin_sidcs()
    assert symbol_svg(recce, size=30) == milsymbol.Symbol(recce, size=30).as_svg()


def test_standalone_svg_is_a_well_formed_svg_file_and_inline_drops_the_namespace() -> None:
    from xml.etree import ElementTree

    root = ElementTree.fromstring(symbol_svg(INF_BN, size=64))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.get("width")) == pytest.approx(1.58 * 64, abs=0.1)
    assert "xmlns" not in symbol_svg(INF_BN, inline=True)
    with pytest.raises(InputError, match="size"):
        symbol_svg(INF_BN, size=0)


def test_built_in_symbols_do_not_load_milsymbol() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from maps.symbols import symbol_svg, unit_symbol; "
        f"symbol_svg('{INF_BN}'); unit_symbol('{ARM_BDE}', size=30); "
        "print('milsymbol' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
