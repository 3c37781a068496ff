"""deployplan inside QGIS: ``deployplan qgis install``, then qgis_process lists and runs it."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from qgis_env import QGIS_PROCESS, qgis_env, require_qgis

from deployplan.qgis_worker import main as worker_main
from layers import load_layers, write_layers
from planner import make_plan

ALGORITHMS = ["coverage", "deriveline", "placealongline", "placearoundpoints", "planpreset"]


def test_install_into_a_profile_dir(run_cli: Callable, tmp: Path) -> None:
    profile = tmp / "profile"
    ini = profile / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[General]\nlocale=en_GB\n\n[PythonPlugins]\nother_plugin=true\n")
    result = run_cli("qgis", "install", "--profile-dir", profile)
    assert result.code == 0, result.err
    plugin = profile / "python" / "plugins" / "deployplan_qgis"
    for name in ("__init__.py", "metadata.txt", "provider.py", "algorithms.py", "plugin.py"):
        assert (plugin / name).is_file(), name
    assert "hasProcessingProvider=yes" in (plugin / "metadata.txt").read_text()
    assert json.loads((plugin / "deployplan.json").read_text())["python"] == sys.executable
    settings = configparser.RawConfigParser()
    settings.optionxform = str  # type: ignore[assignment,method-assign]
    settings.read(ini)
    assert settings.get("PythonPlugins", "deployplan_qgis") == "true"
    assert settings.get("PythonPlugins", "other_plugin") == "true"  # the rest is kept
    assert settings.get("General", "locale") == "en_GB"
    assert str(plugin) in result.out


def test_install_into_an_unwritable_place_is_one_line(run_cli: Callable, tmp: Path) -> None:
    blocker = tmp / "file"
    blocker.write_text("not a folder")
    result = run_cli("qgis", "install", "--profile-dir", blocker / "profile")
    assert result.code == 2 and "--profile-dir" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("qgis-inputs")
    layers = load_layers()
    plan = make_plan(layers, (1, "eur-plus"))
    paths = {}
    for name, frame in {
        "line": layers.line,
        "points": layers.points,
        "occupied": layers.occupied,
        "units": plan.units,
    }.items():
        paths[name] = folder / f"{name}.gpkg"
        write_layers({name: frame}, paths[name])
    return paths


def test_worker_error_is_one_line_naming_the_parameter(
    tmp_path: Path, inputs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "algorithm": "placealongline",
                "params": {"spacing_km": 0, "standoff_km": 10, "radius_km": 25},
                "inputs": {"line": str(inputs["line"])},
                "output": str(tmp_path / "out.gpkg"),
            }
        )
    )
    assert worker_main([str(request)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "spacing_km" in err
    assert not (tmp_path / "out.gpkg").exists()


@pytest.fixture(scope="module")
def qgis_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_qgis()
    home = tmp_path_factory.mktemp("home")
    done = subprocess.run(
        [sys.executable, "-m", "deployplan", "qgis", "install"],
        env={**qgis_env(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return home


def qgis_process(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(QGIS_PROCESS), *args],
        env=qgis_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.qgis
def test_qgis_process_lists_the_algorithms(qgis_home: Path) -> None:
    listed = qgis_process(qgis_home, "list")
    assert listed.returncode == 0, listed.stderr[-2000:]
    for name in ALGORITHMS:
        assert f"deployplan:{name}\t" in listed.stdout, name


def _run(home: Path, algorithm: str, **params: object) -> subprocess.CompletedProcess[str]:
    argv = [f"{key}={value}" for key, value in params.items()]
    return qgis_process(home, "run", f"deployplan:{algorithm}", "--", *argv)


def _features(path: Path) -> int:
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326", path
    return int(info["features"])


@pytest.mark.qgis
def test_qgis_process_runs_each_algorithm(
    qgis_home: Path, inputs: dict[str, Path], tmp_path: Path
) -> None:
    out = {name: tmp_path / f"{name}.gpkg" for name in ("line", "units", "cov", "gaps", "legs")}

    done = _run(
        qgis_home, "deriveline", INPUT=inputs["occupied"], DATE="2025-12-15", OUTPUT=out["line"]
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    derived = pyogrio.read_dataframe(out["line"])
    direct = load_layers(line_from_occupied=inputs["occupied"], line_date="2025-12-15").line
    # through QGIS (its GeoPackage export and back) the same line as from the Python API ...
    assert len(derived) == len(direct)
    assert derived["length_km"].sum() == pytest.approx(direct["length_km"].sum(), rel=1e-9)
    # ... and within 1 % of the bundled line, derived by its build from the unsimplified polygon
    # (the border-front rule reads the 100 m simplification of the bundled polygon a little
    # differently: Vovchansk's strip is 26.9 km from it, 31.9 km from the original)
    bundled = pyogrio.read_dataframe(inputs["line"], layer="line")
    assert derived["length_km"].sum() == pytest.approx(bundled["length_km"].sum(), rel=1e-2)

    done = _run(
        qgis_home,
        "placealongline",
        INPUT=inputs["line"],
        SPACING_KM=50,
        STANDOFF_KM=10,
        RADIUS_KM=25,
        OUTPUT=out["units"],
        COVERAGE=out["cov"],
        GAPS=out["gaps"],
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    # option 1 EUR+ is a light battalion every 50 km, 10 km back, 25 km radius: the same plan
    expected = pyogrio.read_dataframe(inputs["units"], layer="units")
    # (every part of the line by default, as in the plan: issue 8)
    assert _features(out["units"]) == len(expected) >= 23
    assert _features(out["cov"]) == len(expected) and _features(out["gaps"]) > 0
    placed = pyogrio.read_dataframe(out["units"])
    # the same slots; on the main part the same positions, on the short parts (where the
    # plan's occupied polygon and the algorithm's side of Kyiv may choose differently) in the
    # same slot of 50 km
    main = (expected["part"] == 0).to_numpy()
    got, want = placed["km_along"].to_numpy(), expected["km_along"].to_numpy()
    assert placed["part"].tolist() == expected["part"].tolist()
    assert got[main].tolist() == pytest.approx(want[main].tolist())
    assert np.abs(got - want).max() <= 25.0

    done = _run(
        qgis_home,
        "placearoundpoints",
        INPUT=inputs["points"],
        COUNT=1,
        STANDOFF_KM=30,
        RADIUS_KM=100,
        OUTPUT=out["units"],
        COVERAGE=out["cov"],
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert _features(out["units"]) == 4  # one opposite each of the four points

    done = _run(
        qgis_home,
        "planpreset",
        OPTION=6,
        OUTPUT=out["units"],
        COVERAGE=out["cov"],
        GAPS=out["gaps"],
        LEGS=out["legs"],
    )  # 6: option 4 EUR+
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert _features(out["units"]) == 4 and _features(out["legs"]) == 4

    done = _run(
        qgis_home,
        "coverage",
        INPUT=inputs["line"],
        UNITS=inputs["units"],
        RADIUS_KM=25,
        OUTPUT=out["gaps"],
        COVERAGE=out["cov"],
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    plan = make_plan(load_layers(), (1, "eur-plus"))
    assert _features(out["gaps"]) == len(plan.gaps)
    assert f"COVERED_FRACTION:\t{round(plan.covered_fraction, 6)}" in done.stdout


@pytest.mark.qgis
def test_qgis_process_reports_deployplans_error(
    qgis_home: Path, inputs: dict[str, Path], tmp_path: Path
) -> None:
    done = _run(
        qgis_home,
        "placealongline",
        INPUT=inputs["line"],
        SPACING_KM=0,
        OUTPUT=tmp_path / "u.gpkg",
        COVERAGE=tmp_path / "c.gpkg",
        GAPS=tmp_path / "g.gpkg",
    )
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "deployplan:" in text and "spacing_km" in text and "Traceback" not in text
