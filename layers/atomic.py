"""Write outputs whole or not at all: to a temporary sibling, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError

__all__ = ["atomic_output", "check_writable"]


def check_writable(
    target: str | os.PathLike[str], *, directory: bool = False, flag: str = "-o"
) -> Path:
    """Fail early, before any work, if ``target`` surely cannot be written.

    Parameters
    ----------
    target : path
        The output file (or directory, with ``directory=True``).
    directory : bool
        Whether the output is a directory.
    flag : str
        The command-line option that named it, for the message.

    Returns
    -------
    Path
        ``target`` as a path.

    Raises
    ------
    OutputError
        If its folder does not exist or is not writable, or it exists as the other kind.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(
            f"cannot write {flag} '{target}': folder '{parent}' does not exist; create it or "
            f"choose another {flag}"
        )
    if not os.access(parent, os.W_OK):
        raise OutputError(
            f"cannot write {flag} '{target}': folder '{parent}' is not writable; choose another "
            f"{flag}"
        )
    if target.exists() and target.is_dir() != directory:
        kind = "a directory" if target.is_dir() else "a file"
        expected = "a directory (with --format other than gpkg)" if directory else "a file"
        raise OutputError(
            f"cannot write {flag} '{target}': it is {kind}, expected {expected}; choose another "
            f"{flag}"
        )
    return target


@contextmanager
def atomic_output(
    target: str | os.PathLike[str],
    *,
    directory: bool = False,
    own_suffixes: Collection[str] = (),
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success.

    On any error the temporary file (or directory) is removed and ``target`` is left
    as it was, so a failed run never leaves a half-written output behind.

    Parameters
    ----------
    target : path
        The file (or directory, with ``directory=True``) to write.
    directory : bool
        Yield an empty temporary directory instead of a file path.
    own_suffixes : collection of str
        With ``directory=True``: an existing directory is replaced only if it holds nothing but
        files with these suffixes (what an earlier run wrote), so ``-o .`` or ``-o ~`` can never
        wipe a folder of the user's.

    Raises
    ------
    OutputError
        If the parent folder does not exist or cannot be written, or the target is a directory
        holding other files.
    """
    target = check_writable(target, directory=directory)
    parent = target.parent
    if directory and target.is_dir():
        _check_replaceable(target, own_suffixes)
    try:
        if directory:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the output is not
        else:
            fd, name = tempfile.mkstemp(
                prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=parent
            )
            os.close(fd)
            tmp = Path(name)
            tmp.unlink()  # writers such as GDAL want to create the file themselves
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror}; choose another -o") from None
    try:
        yield tmp
        if directory:
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
                old.rmdir()
                target.rename(old)
                tmp.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                tmp.rename(target)
        else:
            os.replace(tmp, target)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp.exists():
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_replaceable(target: Path, own_suffixes: Collection[str]) -> None:
    suffixes = {suffix.lower() for suffix in own_suffixes}
    foreign = sorted(
        entry.name
        for entry in target.iterdir()
        if not entry.is_file() or entry.suffix.lower() not in suffixes
    )
    if foreign:
        raise OutputError(
            f"will not replace '{target}': it is a directory holding other files (e.g. "
            f"'{foreign[0]}'); choose a new or empty directory for -o"
        )
