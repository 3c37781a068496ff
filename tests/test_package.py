"""The installed packages are ours, and the command line answers --help and --version."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import deployplan
from deployplan.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers", "planner", "maps", "deployplan")
SUBCOMMANDS = ("layers", "plan", "compare", "sweep", "brief", "qgis", "line", "history")


@pytest.mark.parametrize("name", PACKAGES)
def test_imported_package_is_ours(name: str) -> None:
    # PyPI has unrelated packages called geo, layers, planner and maps; a stray one in the
    # environment would shadow ours and fail in confusing ways.
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == ROOT / name
    assert (ROOT / name / "py.typed").is_file()
    assert isinstance(module.__all__, list | tuple)


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("geo", ("layers", "planner", "maps", "deployplan", "folium")),
        ("layers", ("planner", "maps", "deployplan", "folium")),
        ("planner", ("maps", "deployplan", "folium", "milsymbol")),
        ("maps", ("deployplan",)),
    ],
)
def test_imports_run_one_way(package: str, forbidden: tuple[str, ...]) -> None:
    # geo <- layers <- planner <- maps <- deployplan: read the sources, not sys.modules,
    # so a lazy import inside a function is caught too.
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            words = line.split()
            if len(words) >= 2 and words[0] in ("import", "from"):
                top = words[1].split(".")[0]
                if top in forbidden:
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "deployplan", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_version_matches_metadata() -> None:
    result = _run_module("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"deployplan {deployplan.__version__}"
    assert deployplan.__version__[0].isdigit()


@pytest.mark.parametrize("subcommand", SUBCOMMANDS)
def test_subcommand_help_has_examples(subcommand: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([subcommand, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: deployplan {subcommand}" in out
    assert f"examples:\n  deployplan {subcommand}" in out


def test_console_script_runs_help() -> None:
    result = _run_module("--help")
    assert result.returncode == 0
    for subcommand in SUBCOMMANDS:
        assert subcommand in result.stdout


def test_unknown_subcommand_is_a_usage_error() -> None:
    result = _run_module("deploy")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid choice: 'deploy'" in result.stderr


def _module_imports(path: Path) -> set[str]:
    """The modules of ours a source file imports, lazily or not (``from x import y`` -> x)."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if (
            len(words) >= 2
            and words[0] in ("import", "from")
            and words[1].split(".")[0] in PACKAGES
        ):
            found.add(words[1])
    return found


def test_no_import_cycles_between_modules() -> None:
    # e.g. geo.geodesy and geo.geometry once imported each other (one of them lazily)
    graph = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
            graph[name] = {m for m in _module_imports(path) if m != name}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt in PACKAGES:  # a package's __init__ re-exports its modules: not a cycle
                continue
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
