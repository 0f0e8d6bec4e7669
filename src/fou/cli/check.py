"""Command ``fou check``: the data-quality checks as a table or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from fou.cli._app import app, console, friendly_errors
from fou.core.errors import ParameterError, one_of_message

if TYPE_CHECKING:
    import pandas as pd

FORMATS: tuple[str, ...] = ("table", "csv")
_SEVERITY_STYLE = {"fel": "bold red", "varning": "yellow", "info": "cyan"}


def _resolve_municipalities(given: list[str] | None) -> list[str]:
    from fou.core.registry import GR_MUNICIPALITIES, resolve_municipality

    if not given:
        return list(GR_MUNICIPALITIES)
    return list(dict.fromkeys(resolve_municipality(m, parameter="--municipality") for m in given))


def _who(muns: list[str]) -> str:
    """How the selection is named in the title."""
    from fou.core.registry import GR_MUNICIPALITIES, municipality_name

    if set(muns) == set(GR_MUNICIPALITIES):
        return "GR:s 13 kommuner"
    if len(muns) <= 4:
        return ", ".join(municipality_name(m) for m in muns)
    return f"{len(muns)} kommuner"


def _count_line(issues: pd.DataFrame) -> str:
    """Summary line, e.g. ``"12 fynd: 1 fel, 8 varningar, 3 upplysningar"``."""
    from fou.core import sv

    n = issues["severity"].astype(str).value_counts()
    parts = [
        sv.quantity(int(n.get("fel", 0)), "fel", "fel"),
        sv.quantity(int(n.get("varning", 0)), "varning", "varningar"),
        sv.quantity(int(n.get("info", 0)), "upplysning", "upplysningar"),
    ]
    return f"{len(issues)} fynd: " + ", ".join(parts)


def _print_tables(issues: pd.DataFrame, *, title: str, caption: str) -> None:
    """One table per kind of finding, most serious first, under a heading with its label."""
    import pandas as pd
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    from fou.core import sv
    from fou.core.registry import municipality_name
    from fou.quality import KINDS, SEVERITY_WORDS

    console.rule(title)
    for kind, part in issues.groupby("check", sort=False):
        spec = KINDS[str(kind)]
        sev = str(part["severity"].iloc[0])
        style = _SEVERITY_STYLE.get(sev, "")
        table = Table(
            title=f"[{style}]{SEVERITY_WORDS.get(sev, sev)}[/]: {spec.label} ({len(part)})",
            title_justify="left",
            caption=escape(spec.meaning),
            caption_justify="left",
            box=box.SIMPLE_HEAD,
        )
        table.add_column("Nyckeltal", no_wrap=True)
        table.add_column("Kommun", overflow="fold")
        table.add_column("År", no_wrap=True, justify="right")
        table.add_column("Värde", no_wrap=True, justify="right")
        table.add_column("Beskrivning", overflow="fold", min_width=30)
        for r in part.itertuples(index=False):
            table.add_row(
                r.kpi if isinstance(r.kpi, str) else "alla",
                municipality_name(r.municipality_id)
                if isinstance(r.municipality_id, str)
                else "alla",
                "" if pd.isna(r.year) else str(int(r.year)),
                "" if pd.isna(r.value) else sv.prose(r.value),
                escape(str(r.detail)),
            )
        console.print(table)
    console.print(caption, style="dim")


@app.command("check")
@friendly_errors
def check_cmd(
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Kommun, namn eller kod (kan upprepas; standard: GR:s 13 kommuner).",
        ),
    ] = None,
    year: Annotated[
        list[int] | None,
        typer.Option("--year", "-y", help="År (kan upprepas; standard: senaste året med värden)."),
    ] = None,
    format_: Annotated[
        str,
        typer.Option("--format", "-f", help="Utdata: 'table' (tabell) eller 'csv' (till stdout)."),
    ] = "table",
    source: Annotated[
        str, typer.Option("--source", "-s", help="Datakälla: auto, kolada eller demo.")
    ] = "auto",
    severity: Annotated[
        str,
        typer.Option(
            "--severity",
            help="Visa bara brister med minst denna allvarlighetsgrad: info, varning eller fel.",
        ),
    ] = "info",
    check: Annotated[
        list[str] | None,
        typer.Option(
            "--check",
            "-c",
            help="Kör bara dessa kontroller eller slag av brister (kan upprepas), "
            "t.ex. suppression, jumps, duplicates.",
        ),
    ] = None,
) -> None:
    """Kontrollera datakvaliteten (brister i data) och lista fynden.

    Fynd är resultat, inte fel: kommandot avslutas med 0 även när brister
    hittas, och med en felkod bara vid felaktiga val.
    """
    from fou.data.dataset import load_dataset
    from fou.quality import SEVERITIES, filter_issues, run_checks

    if format_ not in FORMATS:
        raise ParameterError(one_of_message("--format", FORMATS, format_))
    if severity not in SEVERITIES:
        raise ParameterError(one_of_message("--severity", SEVERITIES, severity))
    muns = _resolve_municipalities(municipality)
    ds = load_dataset(source)
    years = (
        sorted({ds.check_year(y, parameter="--year") for y in year}) if year else [ds.latest_year()]
    )
    issues = run_checks(
        ds.values, checks=check, municipalities=muns, years=years, expected_years=years
    )
    issues = filter_issues(issues, min_severity=severity)
    if format_ == "csv":
        typer.echo(issues.to_csv(index=False), nl=False)
        return
    span = ", ".join(map(str, years))
    who = _who(muns)
    title = f"Brister i data – {who}, {span}"
    if issues.empty:
        console.print(f"{title}: inga brister hittades (nivå {severity} och allvarligare).")
        console.print(ds.provenance.source_line(), style="dim")
        return
    _print_tables(issues, title=title, caption=ds.provenance.source_line())
    console.print(_count_line(issues))
