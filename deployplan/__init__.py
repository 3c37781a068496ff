"""deployplan's command line. The planning itself lives in the packages
``geo``, ``layers``, ``planner`` and ``maps``; this package only wires them to argparse."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata when first asked for: importing
    :mod:`importlib.metadata` costs about 15 ms, which ``deployplan --help`` (that loads no
    geopandas, which imports it anyway) need not pay."""
    if name != "__version__":
        raise AttributeError(f"module 'deployplan' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("deployplan")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        found = "0+unknown"
    globals()["__version__"] = found
    return found
