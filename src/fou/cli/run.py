"""Command ``fou run``: execute the batch of notebooks and export the reports."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fou.cli._app import EXIT_FAILED, app, console, friendly_errors, stdout_is_terminal


@app.command("run")
@friendly_errors
def run_cmd(
    batch: Annotated[
        Path | None, typer.Argument(help="Batchfil (YAML); standard: parameters/gr.yaml.")
    ] = None,
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality", "-m", help="Bara denna kommun (namn eller kod; kan upprepas)."
        ),
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option("--year", "-y", help="Bara detta år (kan upprepas).")
    ] = None,
    notebook: Annotated[
        list[str] | None,
        typer.Option("--notebook", "-n", help="Bara denna notebook (kan upprepas)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-w", min=1, help="Antal parallella processer (standard: antal kärnor)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Kör om även oförändrade jobb.")] = False,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask-schemaläggare (tcp://värd:port) att köra på."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Längsta tid i sekunder för en cell.")
    ] = 600,
    source: Annotated[
        str, typer.Option("--source", "-s", help="Datakälla: auto, kolada eller demo.")
    ] = "auto",
    no_export: Annotated[
        bool, typer.Option("--no-export", help="Skriv bara körda notebooks, ingen HTML/PDF.")
    ] = False,
    fresh_kernel: Annotated[
        bool,
        typer.Option(
            "--fresh-kernel",
            help="Starta en ny kernel för varje jobb "
            "(långsammare; annars återanvänds en per process).",
        ),
    ] = False,
    no_shared: Annotated[
        bool,
        typer.Option(
            "--no-shared",
            help="Räkna allt i varje jobb (annars räknas det som är lika för alla kommuner "
            "en gång och delas, i outputs/.cache).",
        ),
    ] = False,
    notebooks_dir: Annotated[
        Path | None,
        typer.Option("--notebooks-dir", help="Mapp med notebooks (standard: notebooks/)."),
    ] = None,
    comparison: Annotated[
        str | None,
        typer.Option(
            "--comparison",
            "-c",
            help="Jämförelse (jamforelse) i stället för batchfilens: gr, liknande, riket, "
            "region, en grupp i parameters/groups.yaml eller ett Kolada-grupp-id.",
        ),
    ] = None,
) -> None:
    """Kör notebooks för kommuner och år enligt batchfilen: HTML, PDF, bildspel och översikt.

    Bildspel görs per år och vy när batchfilen har nyckeln 'slides'. Oförändrade jobb
    (samma notebook, parametrar, data och version) hoppas över.
    Avslutas med kod 1 om något jobb misslyckades och 2 vid felaktig indata.
    """
    from fou.batch import load_batch, plan_jobs, run_jobs
    from fou.cli._progress import RunProgress
    from fou.core.errors import check_choice
    from fou.core.paths import paths
    from fou.core.vocabulary import DATA_SOURCES
    from fou.data.dataset import load_dataset

    check_choice(source, DATA_SOURCES, "--source")
    p = paths()
    b = load_batch(batch or p.parameters / "gr.yaml", notebooks_dir=notebooks_dir or p.notebooks)
    if comparison is not None:
        from dataclasses import replace

        from fou.core.errors import ParameterError
        from fou.core.groups import load_groups
        from fou.reports.parameters import check_comparison

        try:
            chosen = check_comparison(comparison, own=load_groups(b.path.parent))
        except ParameterError as exc:
            raise ParameterError(f"--comparison: {exc}") from None
        b = replace(b, parameters={**b.parameters, "jamforelse": chosen})
    ds = load_dataset(source)
    jobs = plan_jobs(b, dataset=ds, municipalities=municipality, years=year, notebooks=notebook)
    if not jobs:
        console.print("Inga jobb att köra.")
        return
    console.print(f"{len(jobs)} jobb · {escape(ds.provenance.source_line())}", highlight=False)
    if b.slides and not no_export and not municipality and not notebook:
        from fou.batch.decks import make_decks

        for deck in make_decks(
            ds, years={j.year for j in jobs}, views=b.slides, root=p.root, force=force
        ):
            state = "skrivet" if deck.made else "oförändrat"
            console.print(
                f"Bildspel ({deck.view}) {state}: {escape(str(deck.path))}", highlight=False
            )
    result = run_jobs(
        jobs,
        workers=workers or os.cpu_count() or 1,
        scheduler=scheduler,
        force=force,
        cell_timeout=timeout,
        export=not no_export,
        root=p.root,
        reuse_kernels=not fresh_kernel,
        share_results=not no_shared,
        on_event=RunProgress(enabled=stdout_is_terminal()),
    )
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
