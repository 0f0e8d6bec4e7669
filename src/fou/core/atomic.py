"""Atomic file writes: a reader sees the old file or the new one, never half.

Everything the workbench writes goes through these helpers: the content is
written to a temporary file in the target's directory, flushed to disk, and
renamed over the target (``os.replace`` is atomic on POSIX and Windows).

Files and directories get the permissions the user's umask gives a new file
(``0644``/``0755`` with the usual umask 022), so reviewers on a shared drive or
web server can read the reports. A file that replaces another keeps the old
file's permissions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read without changing it for longer than a moment)."""
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _file_mode(target: Path) -> int:
    """Mode for *target*: the replaced file's, else what the umask gives a new file."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


@contextlib.contextmanager
def atomic_path(target: Path | str, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to *target*; rename it onto *target* on success.

    Parameters
    ----------
    target
        Final path.
    overwrite
        If False, refuse to replace an existing *target* (``FileExistsError``).
        Used for raw snapshots, which are never overwritten.

    Yields
    ------
    pathlib.Path
        Where to write. Removed if the block raises.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and target.exists():
        raise FileExistsError(f"{target} finns redan och skrivs aldrig över.")
    mode = _file_mode(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        tmp.chmod(mode)  # mkstemp makes the file private (0600)
        if overwrite:
            os.replace(tmp, target)
        else:
            # os.link fails if target exists: no race between check and rename.
            os.link(tmp, target)
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes(target: Path | str, data: bytes, *, overwrite: bool = True) -> Path:
    """Write *data* to *target* atomically and return the path."""
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text(target: Path | str, text: str, *, overwrite: bool = True) -> Path:
    """Write UTF-8 *text* to *target* atomically and return the path."""
    return write_bytes(target, text.encode("utf-8"), overwrite=overwrite)


def write_with(
    target: Path | str, writer: Callable[[Path], Any], *, overwrite: bool = True
) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto *target* atomically.

    Parameters
    ----------
    target
        Final path.
    writer
        Function that writes a complete file at the path it is given, e.g.
        ``lambda p: df.to_parquet(p)``.
    overwrite
        See :func:`atomic_path`.

    Returns
    -------
    pathlib.Path
    """
    with atomic_path(target, overwrite=overwrite) as tmp:
        writer(tmp)
    return Path(target)


@contextlib.contextmanager
def atomic_directory(target: Path | str) -> Iterator[Path]:
    """Yield a temporary directory that replaces *target* as a whole on success.

    Parameters
    ----------
    target
        Final directory; an existing one is replaced only after the new one is
        complete.

    Yields
    ------
    pathlib.Path
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes the directory private (0700)
        yield tmp
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
