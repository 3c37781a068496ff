"""Text that cannot break a format: control characters found, named and refused.

Names, labels, notes and ids from a user reach KML, GeoPackage, CSV, Markdown, HTML and the
terminal; a control character (U+0000 to U+001F but tab, and U+007F) breaks some of them
(XML 1.0 cannot hold most of them at all) and can rewrite a terminal. They are refused where
the text arrives, naming the field.
"""

from __future__ import annotations

import re

__all__ = ["control_problem"]

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
