"""``fou import``: check and store a municipality's own key figures (CSV/XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from fou.cli._app import EXIT_INPUT, app, console, err_console, friendly_errors

_FILE_HELP = "CSV- eller XLSX-fil enligt mallen (docs/submission_template.md)."
_SOURCE_HELP = "Källans namn (standard: filnamnet); samma namn ersätter en tidigare import."
_DRY_RUN_HELP = "Kontrollera filen utan att spara något."
_TEMPLATE_HELP = "Skriv en tom mall (rubrikraden) till FILE i stället för att importera."


def problems_table(problems: pd.DataFrame, *, title: str) -> Table:
    """Render a submission's problem table for the terminal.

    Parameters
    ----------
    problems
        ``origin, row, column, check, value, expected`` (see
        :data:`fou.data.submissions.PROBLEM_COLUMNS`).
    title
        Table title.

    Returns
    -------
    rich.table.Table
    """
    table = Table(title=title, show_lines=True, title_justify="left")
    for col in ("Rad", "Kolumn", "Hittat", "Problem", "Förväntat"):
        table.add_column(col, overflow="fold")
    for r in problems.itertuples(index=False):
        row = str(r.row) if pd.notna(r.row) else "–"
        cells = (row, str(r.column or "–"), str(r.value), str(r.check), str(r.expected))
        table.add_row(*(escape(c) for c in cells))  # cell text is the user's, not markup
    return table


def _summary_table(values: pd.DataFrame, *, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for col in ("Nyckeltal", "Kommuner", "År", "Rader", "Saknade värden", "Med svarande"):
        table.add_column(col)
    for kpi, g in values.groupby("kpi", sort=True):
        years = sorted(g["year"].unique())
        table.add_row(
            escape(str(kpi)),
            str(g["municipality_id"].nunique()),
            f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]),
            str(len(g)),
            str(int(g["value"].isna().sum())),
            str(int(g["count"].notna().sum())),
        )
    return table


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]Fel:[/] {escape(message)}", highlight=False)
    return typer.Exit(EXIT_INPUT)


def _write_template(file: Path) -> None:
    from fou.data import submissions

    if file.suffix.lower() != ".csv":
        raise _fail(f"mallen är en CSV-fil; ange ett filnamn på .csv, inte {file.name}.")
    if file.exists():
        raise _fail(f"{file} finns redan; välj ett nytt filnamn för mallen.")
    submissions.write_template(file)
    console.print(
        f"Mallen skrevs till {escape(str(file))}. Fyll i den och kör "
        f"`fou import {escape(file.name)}`.",
        highlight=False,
    )


@app.command("import")
@friendly_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help=_FILE_HELP)],
    source_name: Annotated[str | None, typer.Option("--source-name", help=_SOURCE_HELP)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_DRY_RUN_HELP)] = False,
    template: Annotated[bool, typer.Option("--mall", help=_TEMPLATE_HELP)] = False,
) -> None:
    """Importera en kommuns egna nyckeltal (CSV eller XLSX) till data/local/.

    Filen kontrolleras i sin helhet; finns det något problem visas alla i en
    tabell (rad, kolumn, vad som hittades, vad som förväntas) och inget
    importeras. En ny import av en fil med samma namn ersätter den förra.
    """
    from fou.data import submissions

    if template:
        _write_template(file)
        return
    try:
        result = submissions.accept_submission(file, source_name=source_name, dry_run=dry_run)
    except submissions.SubmissionError as exc:
        problems = exc.failure_cases
        if problems is None or len(problems) == 0:
            raise
        err_console.print(problems_table(problems, title=f"Problem i {escape(file.name)}"))
        err_console.print(
            f"[bold red]Inget importerades:[/] {len(problems)} problem i {escape(file.name)}. "
            "Rätta filen och försök igen (mallen beskrivs i docs/submission_template.md).",
            highlight=False,
        )
        raise typer.Exit(EXIT_INPUT) from None
    sub = result.submission
    title = f"{escape(file.name)}: {len(sub.values)} rader godkända"
    console.print(_summary_table(sub.values, title=title))
    if result.dry_run:
        console.print(
            f"Torrkörning: inget sparades (källa skulle bli '{escape(sub.source)}').",
            highlight=False,
        )
        return
    verb = "ersatte den tidigare importen" if result.replaced else "sparades"
    console.print(
        f"Källan '{escape(sub.source)}' {verb}: {escape(str(result.target))}", highlight=False
    )
