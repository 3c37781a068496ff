"""The README's commands and API example are the ones that work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_opens_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block is not None
    assert first_block.group(1).splitlines() == [
        "pip install -e . && deployplan brief",
        'pip install -e ".[test]" && python -m pytest',
    ]
    assert text.index("```bash") < text.index("\n## ")


def test_readme_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "plan.html").stat().st_size > 10_000
    assert (tmp_path / "briefing.html").stat().st_size > 10_000
    plan = namespace["plan"]
    # 40 km spacing from 20 km: floor((L - 20) / 40) + 1 slots on each part at least 20 km
    # long (the main part of ~1,180 km gives 30, the 39.2 and 31.9 km parts one each); one
    # unit in each slot that has a valid position
    main_km = plan.main_line_km  # type: ignore[attr-defined]
    slots = plan.slots  # type: ignore[attr-defined]
    assert (slots.loc[slots["part"] == 0, "reason"] != "too-short").sum() == (
        int((main_km - 20) // 40) + 1
    )
    assert len(plan.units) == (slots["reason"] == "placed").sum() >= 29  # type: ignore[attr-defined]


def test_readme_figures_are_the_bundled_lines() -> None:
    from layers import load_layers
    from planner import make_plan

    text = README.read_text(encoding="utf-8")
    layers = load_layers()
    plan = make_plan(layers, (1, "eur-plus"))
    row = plan.row()
    figure = (
        f"{row['units_placed']} units, {100 * row['coverage_fraction']:.1f} %, "
        f"gap {row['largest_gap_km']:.1f} km, {row['slots_empty']} of {len(plan.slots)} empty"
    )
    assert figure in text
    main = make_plan(layers, (1, "eur-plus"), all_parts=False)
    assert f"(`--main-only`: {len(main.units)})" in text
