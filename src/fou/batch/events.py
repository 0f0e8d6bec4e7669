"""What a batch run tells its caller: events while it runs, and its result.

:func:`fou.batch.schedule.run_jobs` calls ``on_event(event)`` with one of the
dataclasses below; the CLI turns them into a progress bar and a summary, a
test can collect them in a list, and a notebook can ignore them. The batch
package itself never prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fou.batch.manifest import Entry
from fou.core.vocabulary import STATUSES


@dataclass(frozen=True)
class RunResult:
    """Outcome of :func:`run_jobs`.

    Attributes
    ----------
    entries
        Manifest entries of the jobs of this run (in job order).
    manifest_path
        ``outputs/manifest.json``.
    index_path
        ``outputs/index.html`` (None if it could not be written).
    duration_s
        Wall time of the run.
    """

    entries: tuple[Entry, ...]
    manifest_path: Path
    index_path: Path | None
    duration_s: float

    @property
    def failed(self) -> list[Entry]:
        """Entries that did not produce their report."""
        return [e for e in self.entries if e.failed]

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return not self.failed

    def counts(self) -> dict[str, int]:
        """Number of jobs per status."""
        out = dict.fromkeys(STATUSES, 0)
        for e in self.entries:
            out[e.status] += 1
        return out


@dataclass(frozen=True)
class RunWaiting:
    """Another run holds ``outputs/``; this one waits for it (*holder* says who)."""

    holder: str


@dataclass(frozen=True)
class RunNotice:
    """Something the user should know that does not stop the run (in Swedish)."""

    message: str


@dataclass(frozen=True)
class RunStarted:
    """The run is planned: *total* jobs, of which *to_run* will execute (the rest are unchanged)."""

    total: int
    to_run: int


@dataclass(frozen=True)
class JobFinished:
    """A job finished (or was skipped); its manifest entry is recorded."""

    entry: Entry
    done: int
    to_run: int


@dataclass(frozen=True)
class RunFinished:
    """The run is over; the manifest and the index are written."""

    result: RunResult


Event = RunWaiting | RunNotice | RunStarted | JobFinished | RunFinished
EventHandler = Callable[[Event], None]


def ignore(event: Event) -> None:
    """An event handler that does nothing."""
