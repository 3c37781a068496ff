"""deployplan's command line. The planning itself lives in the packages
``geo``, ``layers``, ``planner`` and ``maps``; this package only wires them to argparse."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deployplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
