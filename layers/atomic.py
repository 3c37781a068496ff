"""Write outputs whole or not at all: to a temporary sibling, then rename."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError

__all__ = ["atomic_output"]


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
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(
            f"cannot write '{target}': folder '{parent}' does not exist; "
            "create it or choose another -o"
        )
    if target.exists() and target.is_dir() != directory:
        kind = "a directory" if target.is_dir() else "a file"
        raise OutputError(f"cannot write '{target}': it is {kind}; choose another -o")
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
