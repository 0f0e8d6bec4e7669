"""Commands ``fou fetch`` (Kolada → raw snapshot → processed table) and ``fou data``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fou.cli._app import EXIT_FETCH, app, console, err_console, friendly_errors, stdout_is_terminal
from fou.core.errors import FouError, ParameterError

if TYPE_CHECKING:
    from fou.data.dataset import Dataset
    from fou.data.snapshots import SnapshotInfo


def _year_span(first: int | None, last: int | None, default: tuple[int, int]) -> tuple[int, int]:
    """Fill in a missing end of the year span: 12 years, ending this year by default.

    Examples
    --------
    >>> _year_span(None, 2022, (2015, 2026))
    (2011, 2022)
    >>> _year_span(2012, None, (2015, 2026))
    (2012, 2026)
    """
    span = default[1] - default[0]
    if first is None:
        if last is None:
            return default
        return last - span, last
    return first, default[1] if last is None else last


def _n_municipalities(muns: list[str] | None) -> str:
    if muns is None:
        return "alla kommuner, regioner och riket"
    return "1 kommun" if len(muns) == 1 else f"{len(muns)} kommuner"


@app.command("fetch")
@friendly_errors
def fetch_cmd(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Kolada-API:ts adress (standard: FOU_KOLADA_URL eller Koladas publika v3-API).",
        ),
    ] = None,
    from_year: Annotated[
        int | None, typer.Option("--from-year", help="Första år (standard: 11 år före sista året).")
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to-year", help="Sista år (standard: innevarande år).")
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option(
            "--kpi",
            "-k",
            help="Nyckeltals-id (kan upprepas; standard: hela katalogen, "
            "med enkätfölje och bakgrund).",
        ),
    ] = None,
    municipality: Annotated[
        list[str] | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Kommun, namn eller kod (kan upprepas; standard: alla kommuner, "
            "regioner och riket).",
        ),
    ] = None,
    rate: Annotated[float, typer.Option("--rate", help="Högst så många anrop per sekund.")] = 5.0,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Tidsgräns per anrop i sekunder.")
    ] = 30.0,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Ersätt data i bruk med hämtningen även när den omfattar mindre "
            "(annars läggs en smal hämtning ovanpå och inget går förlorat).",
        ),
    ] = False,
) -> None:
    """Hämta nyckeltal från Kolada till en ny rå ögonblicksbild och en ny bearbetad tabell.

    En hämtning av färre nyckeltal, kommuner eller år läggs ovanpå data i bruk:
    de hämtade värdena ersätter sina gamla, allt annat behålls. Med --replace
    ersätts i stället allt.
    """
    from fou.core.paths import paths
    from fou.core.registry import resolve_municipalities
    from fou.data.fetch import (
        check_kpis,
        check_years,
        default_years,
        describe_data_in_use,
        fetch_to_project,
    )
    from fou.data.kolada import KoladaClient

    # Input errors are reported (exit 2) before any request is made.
    if rate <= 0:
        raise ParameterError(f"--rate måste vara ett positivt tal, men {rate} angavs.")
    years = check_years(_year_span(from_year, to_year, default_years()))
    kpis = check_kpis(kpi) if kpi else None
    muns = (
        resolve_municipalities(municipality, parameter="--municipality") if municipality else None
    )
    client = KoladaClient(base_url, max_rate=rate, timeout=timeout)
    root = paths().root
    console.print(
        f"Hämtar {'alla katalogens nyckeltal' if kpis is None else f'{len(kpis)} nyckeltal'} "
        f"för {_n_municipalities(muns)}, "
        f"åren {years[0]}–{years[1]}, från {client.base_url} (högst {rate:g} anrop/s).",
        highlight=False,
    )
    try:
        result = fetch_to_project(
            years=years,
            kpis=kpis,
            municipalities=muns,
            root=root,
            client=client,
            progress=stdout_is_terminal(),
            replace=replace,
        )
    except KeyboardInterrupt:
        err_console.print(
            "[yellow]Avbrutet.[/] Ingen ny ögonblicksbild sparades; "
            "tidigare data används fortfarande: "
            f"{describe_data_in_use(root)}.",
            highlight=False,
        )
        raise typer.Exit(130) from None
    except (FouError, OSError) as exc:
        err_console.print(f"[bold red]Hämtningen misslyckades:[/] {exc}", highlight=False)
        err_console.print(
            "Inget halvfärdigt har sparats. Tidigare data används fortfarande: "
            f"{describe_data_in_use(root)}.",
            highlight=False,
        )
        raise typer.Exit(EXIT_FETCH) from None
    finally:
        client.close()
    console.print(
        f"[green]Klart:[/] ögonblicksbild {result.snapshot_id} sparad "
        f"i data/raw/{result.snapshot_id}/ — "
        f"{result.n_requests} anrop ({result.n_retries} omförsök), {result.n_rows} rader "
        f"({result.n_values} med värde), {result.n_kpis} nyckeltal, "
        f"{result.n_municipalities} kommuner/regioner, "
        f"{result.seconds:.1f} s.",
        highlight=False,
    )
    for path in result.cleared_partials:
        console.print(
            "Tog bort en halvfärdig ögonblicksbild från en avbruten hämtning: "
            f"{escape(path.name)}.",
            highlight=False,
        )
    if result.based_on:
        console.print(
            f"Hämtningen omfattar bara en del av data i bruk och lades ovanpå den: "
            f"{result.n_kept} rader utanför hämtningen behölls från ögonblicksbild "
            f"{result.based_on}. Använd --replace för att i stället ersätta allt.",
            highlight=False,
        )
    elif replace and result.n_before is not None and result.n_before > result.n_rows:
        console.print(
            f"[yellow]--replace:[/] data i bruk ersattes helt ({result.n_before} rader före, "
            f"{result.n_rows} nu).",
            highlight=False,
        )
    if result.n_deleted:
        console.print(
            f"{result.n_deleted} värden var markerade som borttagna i Kolada och togs inte med."
        )
    if result.missing_kpis:
        console.print(
            f"[yellow]Obs:[/] Kolada saknar beskrivning av {', '.join(result.missing_kpis)}.",
            highlight=False,
        )
    if result.kpis_without_values:
        console.print(
            f"[yellow]Obs:[/] inga värden {years[0]}–{years[1]} för "
            f"{', '.join(result.kpis_without_values)}.",
            highlight=False,
        )


@app.command("rebuild")
@friendly_errors
def rebuild_cmd(
    snapshot: Annotated[
        str | None,
        typer.Argument(help="Ögonblicksbildens id i data/raw (standard: den senaste)."),
    ] = None,
) -> None:
    """Bygg om den bearbetade tabellen från en rå ögonblicksbild, utan nätet.

    För när data/processed/kolada är skadad eller borttagen: den råa
    ögonblicksbilden är oförändrad och ger samma tabell igen (en smal
    hämtning byggs ovanpå sin bas, som då).
    """
    from fou.core.paths import paths
    from fou.data.snapshots import list_snapshots, rebuild_processed, tables_from_snapshot

    p = paths()
    snaps = {s.snapshot_id: s for s in list_snapshots(p.raw) if not s.problem}
    if not snaps:
        raise ParameterError(f"Det finns inga råa ögonblicksbilder i {p.raw}. Kör fou fetch.")
    chosen = snapshot or list(snaps)[-1]
    if chosen not in snaps:
        raise ParameterError(
            f"Ögonblicksbild {chosen!r} finns inte i {p.raw}. Finns: {', '.join(snaps)}."
        )
    target = rebuild_processed(snaps[chosen].path)
    tables, _ = tables_from_snapshot(snaps[chosen].path)
    console.print(
        f"[green]Klart:[/] {escape(str(target))} byggdes om från ögonblicksbild {chosen} "
        f"({len(tables.values)} rader).",
        highlight=False,
    )


@app.command("data")
@friendly_errors
def data_cmd(
    prepare: Annotated[
        bool,
        typer.Option(
            "--prepare",
            help="Se till att en datamängd finns (skapar demodata om inget har hämtats).",
        ),
    ] = False,
) -> None:
    """Visa vilka data som används (källa, ögonblicksbild, år, antal) och råa ögonblicksbilder."""
    from fou.core.paths import paths
    from fou.data.dataset import load_dataset
    from fou.data.fetch import current_provenance
    from fou.data.snapshots import list_snapshots

    p = paths()
    fetched = p.processed / "kolada"
    # A fetched data set that is there in part is read (and its problem said), never skipped.
    in_part = fetched.is_dir() and any(fetched.iterdir())
    if prepare or in_part or current_provenance(p.root) is not None:
        ds = load_dataset("auto", root=p.root)
    else:
        ds = None
    if ds is None:
        console.print(
            "Inga data är förberedda ännu. Kör [bold]fou fetch[/] för att hämta från Kolada "
            "eller [bold]fou data --prepare[/] för demodata."
        )
    else:
        console.print(_dataset_table(ds))
    console.print(
        _snapshot_table(
            list_snapshots(p.raw), in_use=None if ds is None else ds.provenance.snapshot_id
        )
    )


def _dataset_table(ds: Dataset) -> Table:
    from fou.core import sv

    prov, v = ds.provenance, ds.values
    regions = v["municipality_id"].str.startswith("00")
    table = Table(title="Data som används", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row(
        "Källa",
        "Demodata (syntetiska värden, inte verkliga resultat)" if prov.is_demo else "Kolada",
    )
    table.add_row("Ögonblicksbild", prov.snapshot_id)
    table.add_row("Hämtad" if not prov.is_demo else "Skapad", prov.created_at)
    table.add_row("Bas-URL", prov.base_url or "–")
    table.add_row("År", f"{prov.years[0]}–{prov.years[1]}" if prov.years else "–")
    table.add_row("Anrop", sv.integer(prov.n_requests) if prov.n_requests is not None else "–")
    table.add_row(
        "Rader", f"{sv.integer(len(v))} ({sv.integer(int(v['value'].notna().sum()))} med värde)"
    )
    table.add_row("Nyckeltal", sv.integer(v["kpi"].nunique()))
    table.add_row(
        "Kommuner",
        f"{v.loc[~regions, 'municipality_id'].nunique()} kommuner, "
        f"{v.loc[regions, 'municipality_id'].nunique()} regioner/riket",
    )
    table.add_row("Kommungrupper", str(ds.groups["group_id"].nunique()) if len(ds.groups) else "0")
    table.add_row("Lokala inlämningar", ", ".join(prov.local_files) if prov.local_files else "inga")
    table.add_row("Källrad", prov.source_line())
    return table


def _snapshot_table(snaps: list[SnapshotInfo], *, in_use: str | None) -> Table:
    """The raw snapshots, narrow enough for an 80-column terminal (the id is never cut)."""
    table = Table(title=f"Råa ögonblicksbilder i data/raw ({len(snaps)})")
    table.add_column("Id", no_wrap=True)
    table.add_column("Hämtad", no_wrap=True)
    for col in ("Nyckeltal", "År", "Kommuner"):
        table.add_column(col, justify="right" if col != "År" else "left", no_wrap=True)
    table.add_column("Status", overflow="fold", min_width=8)
    for s in snaps:
        status = "i bruk" if s.snapshot_id == in_use else ""
        if s.problem:
            status = f"{status}, {s.problem}" if status else s.problem
        table.add_row(
            s.snapshot_id,
            s.started_at[:10],
            str(s.n_kpis) if not s.problem else "",
            f"{s.years[0]}–{s.years[1]}" if s.years else "",
            ("alla" if s.municipalities is None else str(len(s.municipalities)))
            if not s.problem
            else "",
            escape(status),
        )
    return table
