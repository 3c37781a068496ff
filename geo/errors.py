"""The error hierarchy of deployplan.

Every error a user can cause is an :class:`InputError`; the command line catches
:class:`DeployplanError`, prints its message on one line and exits with status 2.
Messages say what arrived, what was expected and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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

    def __init__(self, parameter: str, problem: str, *, mentions: Sequence[str] = ()) -> None:
        self.parameter = parameter
        self.problem = problem
        #: other parameters the problem names, as ``{name}`` fields of ``problem``
        self.mentions = tuple(mentions)
        super().__init__(f"{parameter} {self._filled(lambda name: name)}")

    def _filled(self, name_of: Callable[[str], str]) -> str:
        if not self.mentions:
            return self.problem
        return self.problem.format(**{name: name_of(name) for name in self.mentions})

    def for_flag(self, flag: str, name_of: Callable[[str], str] | None = None) -> str:
        """The message with ``flag`` in place of the parameter's name.

        ``name_of`` gives the flag of each other parameter the message mentions (default:
        their API names).
        """
        return f"{flag} {self._filled(name_of or (lambda name: name))}"


class CRSError(InputError):
    """A coordinate reference system that is missing, unknown or not usable."""


class GeometryError(InputError):
    """A geometry that is empty, of the wrong type, invalid or out of range."""


class OutputError(DeployplanError, OSError):
    """An output path that cannot be written."""
