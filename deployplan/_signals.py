"""SIGINT and SIGTERM as exceptions, from the moment the command line is imported.

SIGINT raises :class:`KeyboardInterrupt` (as Python does) and SIGTERM raises
:class:`Terminated`, so every ``with`` block of the output contract
(:class:`layers.atomic.Outputs`) removes its temporaries on the way out. If either arrives
before :func:`deployplan.cli.main` can catch it (during start-up), :func:`sys.excepthook`
removes what temporaries there are, prints one line and exits 130 or 143: never a traceback.
This module imports nothing heavy, so it is in place before pandas or GDAL load.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType, TracebackType

__all__ = ["Terminated", "exit_status", "install", "remove_temporaries"]


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM (a ``BaseException``, like ``KeyboardInterrupt``)."""


def _raise(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated


def exit_status(exc: BaseException) -> int:
    """130 for an interrupt, 143 for SIGTERM (128 + the signal's number)."""
    return 128 + (signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT)


def remove_temporaries() -> None:
    """Remove the output contract's temporaries, if its module was loaded at all."""
    atomic = sys.modules.get("layers.atomic")
    if atomic is not None:
        atomic.remove_temporaries()


_previous_hook = sys.excepthook


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if isinstance(exc, (KeyboardInterrupt, Terminated)):
        remove_temporaries()
        try:
            print("deployplan: interrupted", file=sys.stderr, flush=True)
        finally:
            os._exit(exit_status(exc))
    _previous_hook(exc_type, exc, tb)


def install() -> None:
    """Install the handlers (only possible from the main thread; a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _raise)
    signal.signal(signal.SIGTERM, _raise)
    sys.excepthook = _excepthook
