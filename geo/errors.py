"""The error hierarchy of deployplan.

Every error a user can cause is an :class:`InputError`; the command line catches
:class:`DeployplanError`, prints its message on one line and exits with status 2.
Messages say what arrived, what was expected and how to fix it.
"""

from __future__ import annotations

__all__ = ["CRSError", "DeployplanError", "GeometryError", "InputError", "OutputError"]


class DeployplanError(Exception):
    """Base class of every error deployplan raises on purpose."""


class InputError(DeployplanError, ValueError):
    """Input that deployplan cannot use: a file, a number, a key, a scenario."""


class CRSError(InputError):
    """A coordinate reference system that is missing, unknown or not usable."""


class GeometryError(InputError):
    """A geometry that is empty, of the wrong type, invalid or out of range."""


class OutputError(DeployplanError, OSError):
    """An output path that cannot be written."""
