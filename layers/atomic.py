"""The output contract: a run's outputs are written whole and together, or not at all.

A run opens one :class:`Outputs` transaction, reserves every output it will write (each
reservation checks the target before any work is done and hands out a temporary beside it),
writes into the temporaries, and commits them all at the end. A commit renames each temporary
onto its target; if a later rename fails, the earlier ones are undone, so the user's files are
as they were. On any error, or on SIGINT/SIGTERM (which the command line turns into
exceptions), every temporary is removed.

What a target may be:

- a new path in an existing, writable folder;
- an existing regular file (replaced, as every command-line tool does) for a file output;
- for a directory output, an empty directory or one that deployplan itself wrote, marked by the
  manifest :data:`MANIFEST` listing what it wrote, and holding nothing else.

Anything else is an :class:`~geo.errors.OutputError` saying what to do, raised before anything
is touched: a folder of other files (or one written before the manifest existed), a device, a
FIFO, a socket, the current folder, a name longer than the file system allows, a path equal to
or containing an input of the run or another output of it. A full disk, a quota, a read-only
file system, a refused permission or a name too long, met while writing, is an ``OutputError``
too, and nothing is left behind.

Library code calls :func:`atomic_output` for each file it writes. Outside a transaction that is
a transaction of its own; inside one (``with Outputs(...)`` around a whole run), it joins it:
the output is reserved there (or its earlier reservation is reused) and committed with the
others at the end.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with Outputs(inputs=[]) as run:
...     table = run.file(folder / "table.csv", flag="-o")
...     page = run.file(folder / "map.html", flag="--map")
...     _ = table.write_text("a,b\\n"), page.write_text("<html></html>")
>>> sorted(p.name for p in folder.iterdir())
['map.html', 'table.csv']
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from geo.errors import OutputError

__all__ = [
    "HELD_SIGNALS",
    "MANIFEST",
    "Outputs",
    "atomic_output",
    "check_writable",
    "note_input",
    "output_error",
    "signals_held",
    "remove_temporaries",
]

#: The manifest in every directory deployplan writes: what it wrote, so it may be replaced.
MANIFEST = ".deployplan.json"

#: errno values that mean "this place cannot take the output", with the advice to give
_OS_CAUSES = {
    errno.ENOSPC: ("the disk is full", "free some space or write elsewhere"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or write elsewhere"),
    errno.EFBIG: ("the file is too large for this file system", "write elsewhere"),
    errno.EROFS: ("the file system is read-only", "write elsewhere"),
    errno.EACCES: ("permission denied", "write elsewhere or change the folder's permissions"),
    errno.EPERM: ("operation not permitted", "write elsewhere"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name"),
    errno.EIO: ("an input/output error", "check the disk or write elsewhere"),
}

#: The same causes as GDAL and SQLite word them (their errors reach us as text)
_TEXT_CAUSES = (
    (re.compile(r"no space left|disk is full|database or disk is full", re.I), errno.ENOSPC),
    (re.compile(r"quota", re.I), errno.EDQUOT),
    (
        re.compile(r"read-only file system|readonly database|attempt to write a readonly", re.I),
        errno.EROFS,
    ),
    (re.compile(r"permission denied", re.I), errno.EACCES),
    (re.compile(r"file name too long|name too long", re.I), errno.ENAMETOOLONG),
)

#: What the free-space probe writes: a failed write leaves less than this free (a page, a buffer)
_PROBE_BYTES = 1 << 20

_NAME_MAX = 255
_PATH_MAX = 4096

#: Every temporary of this process not yet committed or removed, for :func:`remove_temporaries`.
_LIVE: set[Path] = set()
_LIVE_LOCK = threading.Lock()

_ACTIVE: ContextVar[Outputs | None] = ContextVar("deployplan_outputs", default=None)


@dataclass
class _Output:
    target: Path  # absolute, symlinks resolved: what is replaced
    shown: str  # as the caller named it, for messages
    flag: str
    directory: bool
    tmp: Path


class Outputs:
    """One run's outputs: reserved and checked up front, committed together at the end.

    Use it as a context manager around the whole run. Leaving the block normally commits every
    output; leaving it by an exception (including ``KeyboardInterrupt``) removes every temporary
    and leaves every target as it was. An ``OSError`` that says the disk is full, the file
    system read-only, permission denied or the name too long (or a GDAL error saying so) is
    re-raised as one :class:`~geo.errors.OutputError` naming the output.

    Parameters
    ----------
    inputs : iterable of path or None
        The files the run reads (``None`` entries are skipped). No output may be one of them,
        nor a directory containing one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with Outputs() as run:
    ...     layers = run.directory(folder / "layers")
    ...     _ = (layers / "line.geojson").write_text("{}")
    >>> sorted(p.name for p in (folder / "layers").iterdir())
    ['.deployplan.json', 'line.geojson']
    """

    def __init__(self, *, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
        self._inputs: list[tuple[str, Path]] = []
        self._outputs: list[_Output] = []
        self._done = False
        self._token: object | None = None
        for path in inputs:
            if path is not None:
                self.add_input(path)

    # -- reservations -------------------------------------------------------------------

    def file(self, target: str | os.PathLike[str], *, flag: str = "-o") -> Path:
        """Reserve a file output; return the temporary path to write (not yet created).

        Reserving the same target again returns the same temporary.

        Raises
        ------
        OutputError
            If ``target`` cannot be written or replaced (see the module's docstring).
        """
        return self._reserve(target, directory=False, flag=flag)

    def directory(self, target: str | os.PathLike[str], *, flag: str = "-o") -> Path:
        """Reserve a directory output; return the temporary directory (created, empty) to fill.

        On commit the manifest :data:`MANIFEST`, listing every file in it, is added.

        Raises
        ------
        OutputError
            If ``target`` cannot be written or replaced (see the module's docstring).
        """
        return self._reserve(target, directory=True, flag=flag)

    def temporary(self, target: str | os.PathLike[str]) -> Path | None:
        """The temporary reserved for ``target``, or ``None`` if it is not an output here."""
        found = self._find(_real(Path(target)))
        return None if found is None else found.tmp

    def add_input(self, path: str | os.PathLike[str]) -> None:
        """Record a file the run reads; refuse it if an output already reserved would touch it."""
        shown = str(path)
        real = _real(Path(path))
        self._inputs.append((shown, real))
        for out in self._outputs:
            _check_not_input(out.target, out.shown, out.flag, out.directory, [(shown, real)])

    def _find(self, real: Path) -> _Output | None:
        return next((out for out in self._outputs if out.target == real), None)

    def _reserve(self, target: str | os.PathLike[str], *, directory: bool, flag: str) -> Path:
        if self._done:
            raise RuntimeError("this Outputs was already committed or rolled back")
        real = _check_target(Path(target), directory=directory, flag=flag)
        found = self._find(real)
        if found is not None:
            if found.directory != directory or found.flag != flag:
                raise OutputError(
                    f"{flag} '{target}' is also {found.flag} '{found.shown}'; choose another name"
                )
            return found.tmp
        _check_not_input(real, str(target), flag, directory, self._inputs)
        for out in self._outputs:
            if _inside(real, out.target) or _inside(out.target, real):
                raise OutputError(
                    f"{flag} '{target}' and {out.flag} '{out.shown}' overlap (one is, or is "
                    f"inside, the other); give each output its own place"
                )
        tmp = _temporary_name(real, directory=directory)
        with _LIVE_LOCK:
            _LIVE.add(tmp)
        if directory:
            try:
                tmp.mkdir(mode=0o777)  # the umask applies, as for any folder the user makes
            except OSError as exc:
                with _LIVE_LOCK:
                    _LIVE.discard(tmp)
                raise _os_error(exc, flag, str(target)) from None
        self._outputs.append(_Output(real, str(target), flag, directory, tmp))
        return tmp

    # -- the end of the run -------------------------------------------------------------

    def commit(self) -> None:
        """Move every temporary onto its target, all or none; then drop the old versions.

        SIGINT and SIGTERM are held back while the renames run, so a signal cannot leave
        half of the outputs committed.

        Raises
        ------
        OutputError
            If a rename fails (the renames already done are undone first).
        """
        if self._done:
            return
        self._done = True
        backups: list[tuple[_Output, Path | None]] = []  # committed, with the old version
        with signals_held():
            try:
                for out in self._outputs:
                    if not _exists(out.tmp):
                        continue  # reserved but never written: the target stays as it was
                    if out.directory:
                        _write_manifest(out.tmp)
                    backups.append((out, _swap_in(out)))
            except BaseException as exc:
                for out, backup in reversed(backups):
                    _undo(out, backup)
                self._remove_temporaries()
                if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                    raise output_error(exc, self._outputs) or exc from None
                raise
            self._remove_temporaries()
        for _, backup in backups:
            if backup is not None:
                _remove(backup)

    def rollback(self) -> None:
        """Remove every temporary; no target is touched."""
        self._done = True
        self._remove_temporaries()

    def _remove_temporaries(self) -> None:
        for out in self._outputs:
            _remove(out.tmp)
            with _LIVE_LOCK:
                _LIVE.discard(out.tmp)

    def __enter__(self) -> Outputs:
        self._token = _ACTIVE.set(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._token is not None:
            _ACTIVE.reset(self._token)  # type: ignore[arg-type]
            self._token = None
        if exc is None:
            self.commit()
            return
        converted = output_error(exc, self._outputs)
        if converted is None and isinstance(exc, Exception) and not _is_user_error(exc):
            # GDAL and SQLite seldom say why a write failed ("Failed to commit transaction"):
            # ask the file system, before the temporaries are removed and the space is back.
            code = _probe_space(self._outputs)
            if code is not None:
                converted = output_error(OSError(code, os.strerror(code)), self._outputs)
        self.rollback()
        if converted is not None:
            raise converted from None


@contextmanager
def atomic_output(target: str | os.PathLike[str], *, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary for ``target``: committed at the end of the block, or of the run.

    Inside an :class:`Outputs` transaction the output joins it (reusing a reservation of the
    same target) and is committed with the run's other outputs; otherwise it is a transaction
    of its own, committed when the block ends. On an error the temporary is removed and
    ``target`` is left as it was.

    Parameters
    ----------
    target : path
        The file (or directory, with ``directory=True``) to write.
    directory : bool
        Yield an empty temporary directory instead of a file path.

    Raises
    ------
    OutputError
        If ``target`` cannot be written or replaced, or the disk is full, read-only, etc.
    """
    run = _ACTIVE.get()
    if run is not None:
        yield run._reserve(target, directory=directory, flag=_flag_of(run, target))
        return
    with Outputs() as own:
        yield own._reserve(target, directory=directory, flag="output")


def _flag_of(run: Outputs, target: str | os.PathLike[str]) -> str:
    found = run._find(_real(Path(target)))
    return "output" if found is None else found.flag


def check_writable(
    target: str | os.PathLike[str],
    *,
    directory: bool = False,
    flag: str = "-o",
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Fail early, before any work, if ``target`` cannot be written or must not be replaced.

    The same checks as :meth:`Outputs.file` (or :meth:`Outputs.directory`), without reserving.

    Returns
    -------
    Path
        ``target`` as a path.

    Raises
    ------
    OutputError
        See the module's docstring.
    """
    path = Path(target)
    real = _check_target(path, directory=directory, flag=flag)
    pairs = [(str(p), _real(Path(p))) for p in inputs if p is not None]
    _check_not_input(real, str(target), flag, directory, pairs)
    return path


def note_input(path: str | os.PathLike[str]) -> None:
    """Tell the running transaction (if any) that ``path`` is read: no output may touch it."""
    run = _ACTIVE.get()
    if run is not None:
        run.add_input(path)


def remove_temporaries() -> None:
    """Remove every temporary of this process not yet committed (for signal handlers)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
        _LIVE.clear()
    for tmp in live:
        _remove(tmp)


def output_error(exc: BaseException, outputs: Iterable[_Output] = ()) -> OutputError | None:
    """``exc`` as one-line :class:`OutputError` if it says the output's place cannot take it.

    ``outputs`` are the reservations, to name the one that failed.
    """
    if isinstance(exc, OutputError):
        return None
    code: int | None = None
    where: str | None = None
    if isinstance(exc, OSError) and exc.errno in _OS_CAUSES:
        code = exc.errno
        where = str(exc.filename) if exc.filename else None
    else:
        text = str(exc)
        for pattern, value in _TEXT_CAUSES:
            if pattern.search(text):
                code = value
                where = text
                break
    if code is None:
        return None
    outs = list(outputs)
    named = [out for out in outs if where and (str(out.tmp) in where or str(out.target) in where)]
    chosen = named or _being_written(outs) or outs
    what = " and ".join(f"{out.flag} '{out.shown}'" for out in chosen) if chosen else "the output"
    cause, fix = _OS_CAUSES[code]
    return OutputError(f"cannot write {what}: {cause}; {fix} (nothing was written)")


def _being_written(outs: list[_Output]) -> list[_Output]:
    """The output whose temporary changed last (the one a failed write was at), if any."""
    stamped = []
    for out in outs:
        try:
            stamped.append((os.stat(out.tmp).st_mtime_ns, out))
        except OSError:
            continue
    return [max(stamped, key=lambda pair: pair[0])[1]] if stamped else []


def _is_user_error(exc: BaseException) -> bool:
    from geo.errors import DeployplanError

    return isinstance(exc, DeployplanError)


def _probe_space(outputs: Iterable[_Output]) -> int | None:
    """The errno that writing beside the outputs now meets (disk full, quota, size limit)."""
    outs = list(outputs)
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):  # pragma: no cover - not on POSIX
        limit = -1
    if limit >= 0:
        for out in outs:
            sizes = (
                [entry.stat().st_size for entry in os.scandir(out.tmp) if entry.is_file()]
                if out.directory and out.tmp.is_dir()
                else [out.tmp.stat().st_size]
                if out.tmp.is_file()
                else []
            )
            if any(size >= limit for size in sizes):
                return errno.EFBIG
    for folder in {out.tmp.parent for out in outs}:
        probe = folder / f".deployplan-probe.{secrets.token_hex(6)}"
        try:
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            if exc.errno in _OS_CAUSES:
                return exc.errno
            continue
        try:
            block = memoryview(b"\0" * _PROBE_BYTES)
            while block:  # a nearly full disk takes part of a write before it refuses
                block = block[os.write(fd, block) :]
            os.fsync(fd)
        except OSError as exc:
            if exc.errno in _OS_CAUSES:
                return exc.errno
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
    return None


def _os_error(exc: OSError, flag: str, shown: str) -> OutputError:
    cause, fix = _OS_CAUSES.get(
        exc.errno or 0, (exc.strerror or str(exc), f"choose another {flag}")
    )
    return OutputError(f"cannot write {flag} '{shown}': {cause}; {fix}")


# -- checks ---------------------------------------------------------------------------------


def _real(path: Path) -> Path:
    """Absolute, with every symlink (the last one too) resolved; never raises."""
    return Path(os.path.realpath(os.path.abspath(os.fspath(path))))


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it."""
    return path == folder or folder in path.parents


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a file" if stat.S_ISREG(mode) else "a special file"


def _check_names(path: Path, flag: str) -> None:
    raw = os.fsencode(os.path.abspath(os.fspath(path)))
    if len(raw) >= _PATH_MAX:
        raise OutputError(
            f"cannot write {flag}: its path is {len(raw):,} bytes, over the limit of "
            f"{_PATH_MAX - 1:,}; choose a shorter path"
        )
    for part in raw.split(b"/"):
        if len(part) > _NAME_MAX:
            shown = os.fsdecode(part[:40]) + "..."
            raise OutputError(
                f"cannot write {flag}: the name '{shown}' is {len(part)} bytes, over the file "
                f"system's limit of {_NAME_MAX}; choose a shorter name"
            )


def _check_target(path: Path, *, directory: bool, flag: str) -> Path:
    """Check one output's target; return it resolved (see the module's docstring)."""
    if not os.fspath(path):
        raise OutputError(f"{flag} is empty; name a file or folder")
    _check_names(path, flag)
    real = _real(path)
    _check_names(real, flag)
    parent = real.parent
    if not parent.is_dir():
        raise OutputError(
            f"cannot write {flag} '{path}': folder '{parent}' does not exist; create it or "
            f"choose another {flag}"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write {flag} '{path}': folder '{parent}' is not writable; choose another "
            f"{flag}"
        )
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise _os_error(exc, flag, str(path)) from None
    if directory:
        if not stat.S_ISDIR(mode):
            raise OutputError(
                f"cannot write {flag} '{path}': it is {_kind(mode)}, and this output is a folder; "
                f"choose a new folder name"
            )
        cwd = _real(Path.cwd())
        if _inside(cwd, real):
            raise OutputError(
                f"will not replace {flag} '{path}': it is the current folder or holds it; name a "
                f"new folder inside it, e.g. {flag} out"
            )
        _check_replaceable(real, str(path), flag)
    elif not stat.S_ISREG(mode):
        hint = (
            "a folder output needs --format geojson, kml or csv; otherwise name a file"
            if stat.S_ISDIR(mode)
            else "deployplan writes regular files only; name a file"
        )
        raise OutputError(f"cannot write {flag} '{path}': it is {_kind(mode)}; {hint}")
    return real


def _check_replaceable(folder: Path, shown: str, flag: str) -> None:
    """A folder may be replaced only if it is empty or holds just what its manifest lists."""
    try:
        entries = sorted(entry.name for entry in os.scandir(folder))
    except OSError as exc:
        raise _os_error(exc, flag, shown) from None
    if not entries:
        return
    if MANIFEST not in entries:
        raise OutputError(
            f"will not replace {flag} '{shown}': it is a folder holding files (e.g. "
            f"'{entries[0]}') and no {MANIFEST}, so deployplan did not write it (or wrote it "
            f"before version 0.2); delete or rename it, or choose a new folder"
        )
    try:
        listed = set(json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f"will not replace {flag} '{shown}': its {MANIFEST} cannot be read; delete or "
            f"rename the folder, or choose a new one"
        ) from None
    for name in entries:
        if name == MANIFEST:
            continue
        if name not in listed or not (folder / name).is_file() or (folder / name).is_symlink():
            raise OutputError(
                f"will not replace {flag} '{shown}': it holds '{name}', which deployplan did not "
                f"write; move it out, or choose a new folder"
            )


def _check_not_input(
    real: Path, shown: str, flag: str, directory: bool, inputs: Iterable[tuple[str, Path]]
) -> None:
    for input_shown, input_real in inputs:
        same = real == input_real or _same_file(real, input_real)
        if same or (directory and _inside(input_real, real)):
            relation = "is" if same else "holds"
            raise OutputError(
                f"will not write {flag} '{shown}': it {relation} '{input_shown}', an input of "
                f"this run; choose another {flag}"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# -- temporaries and commits ----------------------------------------------------------------


def _temporary_name(real: Path, *, directory: bool) -> Path:
    """A hidden sibling of ``real`` that fits the file system's name limit."""
    suffix = "" if directory else real.suffix
    if len(os.fsencode(suffix)) > 16:
        suffix = ""
    base = real.name if directory else real.stem
    raw = os.fsencode(base)[: _NAME_MAX - 40]
    base = raw.decode("utf-8", "ignore") if raw else "out"
    return real.parent / f".{base}.{secrets.token_hex(6)}.tmp{suffix}"


def _write_manifest(folder: Path) -> None:
    files = sorted(entry.name for entry in os.scandir(folder) if entry.name != MANIFEST)
    manifest = {"written_by": "deployplan", "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _swap_in(out: _Output) -> Path | None:
    """Move ``out.tmp`` onto ``out.target``; return where the old version was kept (or None)."""
    if not _exists(out.target):
        os.rename(out.tmp, out.target)
        return None
    backup = out.target.parent / f".{out.tmp.name.lstrip('.')}.old"
    if out.directory:
        os.rename(out.target, backup)
        try:
            os.rename(out.tmp, out.target)
        except BaseException:
            os.rename(backup, out.target)
            raise
        return backup
    try:
        os.link(out.target, backup)  # the target never goes missing, even for a moment
    except OSError:
        os.rename(out.target, backup)
        try:
            os.rename(out.tmp, out.target)
        except BaseException:
            os.rename(backup, out.target)
            raise
        return backup
    try:
        os.replace(out.tmp, out.target)
    except BaseException:
        os.unlink(backup)
        raise
    return backup


def _undo(out: _Output, backup: Path | None) -> None:
    try:
        if backup is None:
            _remove(out.target)
        elif out.directory:
            shutil.rmtree(out.target, ignore_errors=True)
            os.rename(backup, out.target)
        else:
            os.replace(backup, out.target)
    except OSError:  # pragma: no cover - the file system failed twice; leave what is there
        pass


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:  # pragma: no cover - nothing more can be done
        pass


#: The signals :func:`signals_held` holds back.
HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (in the main thread) while the block runs."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not (
        threading.main_thread()
    ):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
