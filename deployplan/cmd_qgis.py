"""``deployplan qgis install``: put deployplan's Processing provider into a QGIS profile.

The plugin (``deployplan_qgis``, shipped in this package) is copied into the profile's
``python/plugins`` folder with ``deployplan.json`` naming this Python interpreter (the one of
deployplan's environment, which the plugin runs deployplan with), and enabled in the profile's
``QGIS/QGIS3.ini``. QGIS then shows the ``deployplan`` algorithms in its Processing toolbox,
and ``qgis_process`` lists and runs them.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import sys
from importlib.resources import files
from pathlib import Path

from geo.errors import OutputError

__all__ = ["PLUGIN", "default_profile", "install_plugin", "run_qgis"]

PLUGIN = "deployplan_qgis"


def default_profile() -> Path:
    """QGIS 3's default profile of this user: ``~/.local/share/QGIS/QGIS3/profiles/default``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "QGIS" / "QGIS3" / "profiles" / "default"


def _enable(ini: Path) -> None:
    """Set ``[PythonPlugins] deployplan_qgis=true`` in QGIS's settings, keeping the rest."""
    config = configparser.RawConfigParser(strict=False, interpolation=None)
    config.optionxform = str  # type: ignore[assignment,method-assign]  # keep keys' case
    if ini.exists():
        config.read(ini, encoding="utf-8")
    if not config.has_section("PythonPlugins"):
        config.add_section("PythonPlugins")
    config.set("PythonPlugins", PLUGIN, "true")
    ini.parent.mkdir(parents=True, exist_ok=True)
    tmp = ini.with_name(ini.name + ".deployplan.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        config.write(handle, space_around_delimiters=False)
    os.replace(tmp, ini)


def install_plugin(profile_dir: str | os.PathLike[str] | None = None) -> Path:
    """Install and enable the plugin in a QGIS profile; return the plugin's folder.

    Parameters
    ----------
    profile_dir : path, optional
        The QGIS profile (default :func:`default_profile`), created if need be.

    Raises
    ------
    OutputError
        If the profile cannot be written.
    """
    profile = Path(profile_dir) if profile_dir is not None else default_profile()
    target = profile / "python" / "plugins" / PLUGIN
    source = files("deployplan") / "qgis_plugin" / PLUGIN
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir()
        for entry in source.iterdir():
            if entry.name.endswith((".py", ".txt")):
                (target / entry.name).write_bytes(entry.read_bytes())
        config = {"python": sys.executable, "version": _version()}
        (target / "deployplan.json").write_text(json.dumps(config, indent=2) + "\n")
        _enable(profile / "QGIS" / "QGIS3.ini")
    except OSError as exc:
        raise OutputError(
            f"cannot install the QGIS plugin into '{profile}': {exc.strerror or exc}; pass "
            "--profile-dir with a QGIS profile you can write"
        ) from None
    return target


def _version() -> str:
    from deployplan import __version__

    return __version__


def run_qgis(args: argparse.Namespace) -> int:
    """``deployplan qgis install``: install the plugin, say where and how to use it."""
    target = install_plugin(args.profile_dir)
    print(f"installed the deployplan plugin in {target}")
    print(f"  it runs deployplan with {sys.executable}")
    print("  enabled in the profile; restart QGIS: Processing Toolbox > deployplan")
    print("  or: qgis_process list | grep deployplan  (Debian 12: /usr/bin/qgis_process.bin)")
    return 0
