"""One writer at a time: an advisory lock on a folder such as ``outputs/``.

Two ``fou run`` on the same project would otherwise race on the manifest and
the index. :func:`exclusive_lock` takes an operating-system lock on a lock
file (``flock`` on POSIX, ``msvcrt.locking`` on Windows). The system releases
it when the holder exits, also after ``kill -9``, so a lock can never be left
behind. While another process holds it, the caller is told who (process id,
start time) and waits.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from fou.core.errors import FouError

LOCK_NAME = ".lock"


class LockTimeout(FouError):
    """The lock was not free within the time allowed."""


def try_lock(fh: IO[str]) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder(path: Path) -> str:
    """Who holds the lock, as written in the lock file (empty when unknown)."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@contextlib.contextmanager
def exclusive_lock(
    path: Path | str,
    *,
    on_wait: Callable[[str], None] | None = None,
    timeout: float | None = None,
    poll: float = 0.25,
) -> Iterator[Path]:
    """Hold an exclusive lock on *path* for the duration of the block.

    Parameters
    ----------
    path
        The lock file (created if missing; its content names the holder).
    on_wait
        Called once, with the holder's description, when the lock is taken
        and the caller has to wait.
    timeout
        Seconds to wait at most (None: as long as it takes).
    poll
        Seconds between attempts.

    Yields
    ------
    pathlib.Path
        The lock file.

    Raises
    ------
    LockTimeout
        When *timeout* passes before the lock is free.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened for appending so that a waiting process never truncates the holder's note.
    fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held across the yield)
    try:
        waited_since = None
        while not try_lock(fh):
            if waited_since is None:
                waited_since = time.monotonic()
                if on_wait is not None:
                    on_wait(holder(path))
            if timeout is not None and time.monotonic() - waited_since >= timeout:
                raise LockTimeout(
                    f"{path.parent} används av en annan körning ({holder(path) or 'okänd'}); "
                    f"gav upp efter {timeout:g} s."
                )
            time.sleep(poll)
        started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        fh.seek(0)
        fh.truncate()
        fh.write(f"process {os.getpid()} på {socket.gethostname()} sedan {started}\n")
        fh.flush()
        yield path
    finally:
        fh.close()  # closing the file releases the lock
