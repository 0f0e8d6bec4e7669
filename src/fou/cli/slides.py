"""Command ``fou slides``: the key-figure slide deck with charts and talmanus."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fou.cli._app import app, console, friendly_errors


@app.command("slides")
@friendly_errors
def slides_cmd(
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", help="År (standard: senaste året med värden)."),
    ] = None,
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Kommun i GR att lyfta fram (namn eller kod); standard: ingen.",
        ),
    ] = None,
    domain: Annotated[
        list[str] | None,
        typer.Option(
            "--domain",
            "-d",
            help="Område ur katalogen, eller rubrik i vyn (kan upprepas; standard: alla).",
        ),
    ] = None,
    view: Annotated[
        str | None,
        typer.Option(
            "--view",
            "-v",
            help="Hur nyckeltalen grupperas: nara_vard (GR:s områden, standard) eller fardplan "
            "(Göteborgs färdplan).",
        ),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", "-s", help="Datakälla: auto, kolada eller demo.")
    ] = "auto",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="PowerPoint-fil (standard: "
            "outputs/<år>/slides/nyckeltal_<år>[_<kommunkod>][_<vy>].pptx).",
        ),
    ] = None,
) -> None:
    """Skapa ett bildspel (PowerPoint) med diagram och talmanus för GR:s nyckeltal.

    Diagrammen sparas också som PNG och SVG i mappen charts/ bredvid bildspelet.
    """
    from fou.core.catalog import load_catalog
    from fou.core.errors import ParameterError, check_choice
    from fou.core.registry import resolve_municipality
    from fou.core.vocabulary import DATA_SOURCES
    from fou.data.dataset import load_dataset
    from fou.reports.slides import build_deck

    check_choice(source, DATA_SOURCES, "--source")
    try:
        chosen = load_catalog().with_view(view).view  # checked here: the message names --view
    except ParameterError as exc:
        raise ParameterError(f"--view: {exc}") from None
    if municipality is not None:  # checked here, so the message names the option
        municipality = resolve_municipality(municipality, parameter="--municipality")
    ds = load_dataset(source)
    y = ds.latest_year() if year is None else ds.check_year(year, parameter="--year")
    path = build_deck(
        ds, year=y, municipality=municipality, domains=domain, output=output, view=chosen
    )
    console.print(f"Bildspelet är skrivet: {escape(str(path))}", highlight=False)
    console.print(ds.provenance.source_line(), style="dim")
