"""Run real QGIS headless from the tests: PyQGIS scripts in Debian's Python, qgis_process.

QGIS is a Debian package (``apt-get install qgis python3-qgis qgis-providers``) with its own
Python (``/usr/bin/python3``), not deployplan's virtual environment, so every check runs in a
subprocess. Where QGIS is absent the tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

SYSTEM_PYTHON = Path("/usr/bin/python3")
#: Debian 12's ``qgis_process`` wrapper adds --noversioncheck, which 3.22 refuses; the binary
#: behind it works.
QGIS_PROCESS = Path("/usr/bin/qgis_process.bin")


def have_qgis() -> bool:
    if not (SYSTEM_PYTHON.exists() and QGIS_PROCESS.exists()):
        return False
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True, check=False
    )
    return done.returncode == 0


def require_qgis() -> None:
    """Skip the test without QGIS; fail it in CI, where QGIS must be installed."""
    if have_qgis():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("QGIS is not installed; .ci/run installs qgis python3-qgis qgis-providers")
    pytest.skip("needs QGIS (apt-get install qgis python3-qgis qgis-providers)")


def qgis_env(home: Path) -> dict[str, str]:
    """The environment for headless QGIS with its profile under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        # QGIS's embedded Python finds its home from the first python3 on PATH: an activated
        # virtual environment's would be taken (and PyQGIS not found), so the system's first
        PATH="/usr/bin:/bin:" + os.environ.get("PATH", ""),
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_RUNTIME_DIR=str(home / "runtime"),
        QGIS_NO_OVERRIDE_IMPORT="1",
    )
    (home / "runtime").mkdir(mode=0o700, exist_ok=True)
    return env


_PRELUDE = """
import json, sys
from qgis.core import QgsApplication
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
"""


def run_pyqgis(script: str, home: Path, *args: str) -> dict:
    """Run ``script`` (after QGIS is initialised) in QGIS's Python; return its JSON on stdout.

    The script prints one JSON object with ``print(json.dumps(...))``, its last line.
    """
    done = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", _PRELUDE + script, *args],
        capture_output=True,
        text=True,
        env=qgis_env(home),
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
