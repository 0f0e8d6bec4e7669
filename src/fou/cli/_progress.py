"""The console side of a batch run: a progress bar and a summary table, from the run's events."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fou.batch.events import (
    Event,
    JobFinished,
    RunFinished,
    RunNotice,
    RunResult,
    RunStarted,
    RunWaiting,
)
from fou.cli._app import console, err_console
from fou.core import sv
from fou.core.vocabulary import STATUS_LABELS

_STYLE = {"ok": "green", "skipped": "dim", "failed": "bold red", "timeout": "bold red"}


class RunProgress:
    """An event handler for :func:`fou.batch.schedule.run_jobs` that draws a progress bar.

    Parameters
    ----------
    enabled
        Draw the bar (only on a terminal); the summary is printed either way.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Progress | None = None
        self._task: Any = None

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunWaiting):
            who = f" ({escape(event.holder)})" if event.holder else ""
            err_console.print(
                f"En annan körning använder outputs/{who}. Väntar tills den är klar …",
                highlight=False,
            )
        elif isinstance(event, RunNotice):
            err_console.print(f"[yellow]Obs:[/] {escape(event.message)}", highlight=False)
        elif isinstance(event, RunStarted) and self.enabled and event.to_run:
            self._bar = Progress(
                TextColumn("[bold]Kör notebooks[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=err_console,
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=event.to_run)
        elif isinstance(event, JobFinished) and self._bar is not None and event.done:
            self._bar.update(self._task, advance=1, description=escape(event.entry.id))
        elif isinstance(event, RunFinished):
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
            print_summary(event.result)


def print_summary(result: RunResult) -> None:
    """Print a Swedish summary table of a run."""
    table = Table(title="Sammanfattning av körningen", show_lines=False)
    for col in ("Jobb", "Status", "Tid (s)", "Fel"):
        table.add_column(col)
    for e in result.entries:
        err = (e.error or "").splitlines()[0][:100] if e.error else ""
        status = f"[{_STYLE[e.status]}]{STATUS_LABELS[e.status]}[/]"
        table.add_row(escape(e.id), status, sv.number(e.duration_s, 1), escape(err))
    console.print(table)
    c = result.counts()
    console.print(
        f"{c['ok']} klara, {c['skipped']} oförändrade, {c['failed']} misslyckade, "
        f"{c['timeout']} över tidsgränsen på {sv.number(result.duration_s, 1)} s. "
        f"Manifest: {escape(str(result.manifest_path))}",
        highlight=False,
    )
    if result.index_path:
        console.print(f"Översikt: {escape(str(result.index_path))}", highlight=False)
