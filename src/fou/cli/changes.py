"""Command ``fou changes``: what changed in Kolada between two snapshots."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fou.cli._app import app, console, friendly_errors

if TYPE_CHECKING:
    import pandas as pd

#: Detail rows shown per kind in the terminal (all of them are in --format csv).
SHOWN_PER_KIND = 15
FORMATS: tuple[str, ...] = ("table", "csv")


@app.command("changes")
@friendly_errors
def changes_cmd(
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Tidigare ögonblicksbild (standard: den före --to)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option("--to", help="Senare ögonblicksbild (standard: den som används)."),
    ] = None,
    kpi: Annotated[
        list[str] | None, typer.Option("--kpi", "-k", help="Bara detta nyckeltal (kan upprepas).")
    ] = None,
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality", "-m", help="Bara denna kommun, namn eller kod (kan upprepas)."
        ),
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table (läsbar sammanställning) eller csv.")
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Skriv csv till denna fil (standard: skärmen)."),
    ] = None,
) -> None:
    """Visa vad som ändrats i Kolada mellan två ögonblicksbilder.

    Nya år, reviderade värden (gammalt → nytt), strukna värden, värden som blivit
    saknade och nyckeltal som tillkommit eller försvunnit. Med bara en
    ögonblicksbild finns inget att jämföra (kod 0).
    """
    from fou.core.atomic import write_text
    from fou.core.errors import DataNotFoundError, check_choice
    from fou.core.paths import paths
    from fou.core.registry import resolve_municipality
    from fou.data.changes import choose_pair, load_pair, snapshot_changes
    from fou.data.fetch import current_provenance

    check_choice(format_, FORMATS, "--format")
    mids = [resolve_municipality(m, parameter="--municipality") for m in municipality or []]
    p = paths()
    prov = current_provenance(p.root)
    in_use = prov.snapshot_id if prov is not None and not prov.is_demo else None
    try:
        pair = choose_pair(p.raw, in_use=in_use, old=from_, new=to)
    except DataNotFoundError as exc:  # no snapshot yet: nothing to compare, not an error
        console.print(str(exc))
        return
    if pair is None:
        console.print(
            "Det finns bara en ögonblicksbild; inget att jämföra ännu. Nästa `fou fetch` gör "
            "en ny, och då visar `fou changes` vad som ändrats."
        )
        return
    loaded = load_pair(pair)
    found = snapshot_changes(
        loaded.old_tables.values, loaded.new_tables.values, kpis=kpi or None,
        municipalities=mids or None,
    )  # fmt: skip
    if format_ == "csv":
        text = found.to_csv(index=False, lineterminator="\n")
        if output is not None:
            write_text(output, text)
            console.print(f"{len(found)} ändringar skrivna till {escape(str(output))}")
        else:
            sys.stdout.write(text)
        return
    console.print(
        f"Från {escape(pair[0].snapshot_id)} till {escape(pair[1].snapshot_id)}: "
        f"{len(found)} ändringar.",
        highlight=False,
    )
    if found.empty:
        return
    console.print(_summary(found))
    for kind, part in found.groupby("change", sort=False):
        console.print(_details(str(kind), part))


def _summary(found: pd.DataFrame) -> Table:
    from fou.core import sv

    table = Table(title="Ändringar per slag")
    table.add_column("Slag")
    table.add_column("Antal", justify="right")
    table.add_column("Nyckeltal", justify="right")
    for kind, part in found.groupby("change", sort=False):
        table.add_row(str(kind), sv.integer(len(part)), sv.integer(part["kpi"].nunique()))
    return table


def _value(x: object) -> str:
    from fou.core import sv

    if sv.is_missing(x):
        return "–"
    v = float(x)  # type: ignore[arg-type]
    return sv.number(v, sv.fewest_decimals([v]))


def _details(kind: str, part: pd.DataFrame) -> Table:
    from fou.core import sv
    from fou.core.registry import municipality_name

    shown = part.head(SHOWN_PER_KIND)
    more = len(part) - len(shown)
    caption = f"… och {sv.integer(more)} till (alla finns med --format csv)" if more else None
    table = Table(title=sv.capitalise(kind), caption=caption)
    for col in ("Nyckeltal", "Kommun", "År", "Kön", "Förut", "Nu"):
        table.add_column(col, justify="right" if col in ("Förut", "Nu") else "left")
    for r in shown.itertuples(index=False):
        where = "" if r.municipality_id is None else f"{municipality_name(r.municipality_id)}"
        table.add_row(
            r.kpi, where, "" if sv.is_missing(r.year) else sv.year(r.year),
            r.gender or "", _value(r.old), _value(r.new),
        )  # fmt: skip
    return table
