"""The error hierarchy of deployplan.

Every error a user can cause is an :class:`InputError`; the command line catches
:class:`DeployplanError`, prints its message on one line and exits with status 2.
Messages say what arrived, what was expected and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DeployplanError",
    "GeometryError",
    "InputError",
    "OutputError",
    "ParameterError",
]


class DeployplanError(Exception):
    """Base class of every error deployplan raises on purpose."""


class InputError(DeployplanError, ValueError):
    """Input that deployplan cannot use: a file, a number, a key, a scenario."""


class ParameterError(InputError):
    """A bad value of one parameter of the Python API, named as the API names it.

    The message is ``"<parameter> <problem>"`` (e.g. ``spacing_km is 0; expected a positive
    number of km``); the command line, where the value came from a flag, says the flag
    instead (``--spacing-km is 0; ...``) with :meth:`for_flag`.
    """

    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        self.problem = problem
        super().__init__(f"{parameter} {problem}")

    def for_flag(self, flag: str) -> str:
        """The message with ``flag`` in place of the parameter's name."""
        return f"{flag} {self.problem}"


class CRSError(InputError):
    """A coordinate reference system that is missing, unknown or not usable."""


class GeometryError(InputError):
    """A geometry that is empty, of the wrong type, invalid or out of range."""


class OutputError(DeployplanError, OSError):
    """An output path that cannot be written."""
