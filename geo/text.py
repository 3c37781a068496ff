"""Text that cannot break a format: control characters found, named and refused.

Names, labels, notes and ids from a user reach KML, GeoPackage, CSV, Markdown, HTML and the
terminal; a control character (U+0000 to U+001F but tab, and U+007F) breaks some of them
(XML 1.0 cannot hold most of them at all) and can rewrite a terminal. They are refused where
the text arrives, naming the field.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["control_problem", "csv_cell", "csv_safe"]

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def control_problem(value: object) -> str | None:
    """Say which control character ``value`` holds and where, or None if it holds none.

    Examples
    --------
    >>> control_problem("Kharkiv screen") is None
    True
    >>> control_problem("recce\\n")
    'holds a control character (U+000A at character 6); remove it'
    """
    if not isinstance(value, str):
        return None
    found = _CONTROL.search(value)
    if found is None:
        return None
    return (
        f"holds a control character (U+{ord(found.group()):04X} at character "
        f"{found.start() + 1}); remove it"
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """Return a CSV text cell a spreadsheet will not run as a formula (OWASP's rule).

    A text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading ``'``;
    anything else, numbers included, is returned as it is.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(1)"), csv_cell("Donetsk"), csv_cell(-3.5)
    ("'=HYPERLINK(1)", 'Donetsk', -3.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with :func:`csv_cell` applied to its text columns (numbers untouched).

    Every CSV deployplan writes goes through this; the geometry column (if any) is kept.
    """
    columns = [
        column
        for column in frame.columns
        if frame[column].dtype.kind not in "biufcmM"
        and column != getattr(frame, "_geometry_column_name", None)
    ]
    if not columns:
        return frame
    frame = frame.copy()
    for column in columns:
        frame[column] = [csv_cell(value) for value in frame[column]]
    return frame
