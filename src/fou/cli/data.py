"""Reference commands: ``catalog`` and ``municipalities``.

``fetch``/``data`` live in :mod:`fou.cli.fetch`, ``import`` in :mod:`fou.cli.imports`.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fou.cli._app import app, console, friendly_errors


@app.command("catalog")
@friendly_errors
def catalog_cmd(
    domain: Annotated[
        str | None, typer.Option("--domain", "-d", help="Visa bara ett område.")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Visa även bakgrundsvariabler och enkätfölje.")
    ] = False,
) -> None:
    """Lista nyckeltalen i katalogen, per område."""
    from fou.core.catalog import BETTER_LABELS, UNIT_LABELS, load_catalog

    cat = load_catalog()
    roles = ("key_figure", "covariate", "companion") if all_ else ("key_figure",)
    ids = cat.ids(domain=domain, roles=roles)
    df = cat.kpis.set_index("kpi").loc[ids].reset_index()
    breaks = cat.breaks.groupby("kpi")["year"].apply(lambda ys: ", ".join(map(str, ys)))
    table = Table(title=f"Nyckeltalskatalog ({len(df)} nyckeltal)", show_lines=False)
    for col in ("Område", "Id", "Titel", "Enhet", "Bättre", "Brott"):
        table.add_column(col, overflow="fold")
    for r in df.itertuples(index=False):
        table.add_row(
            str(r.domain or "enkätfölje"),
            r.kpi,
            r.title,
            UNIT_LABELS.get(r.unit, r.unit),
            BETTER_LABELS[r.better].split(" ")[0] if r.better != "neither" else "–",
            breaks.get(r.kpi, ""),
        )
    console.print(table)


@app.command("municipalities")
@friendly_errors
def municipalities_cmd(
    all_: Annotated[
        bool, typer.Option("--all", help="Alla 290 kommuner och regionerna, inte bara GR.")
    ] = False,
    search: Annotated[
        str | None, typer.Option("--search", "-s", help="Sök på namn eller kod.")
    ] = None,
) -> None:
    """Lista kommuner (standard: de 13 i Göteborgsregionen) med Kolada-id."""
    from fou.core.registry import SIMILAR_GROUP_IDS, municipalities, normalise_name

    df = municipalities()
    if search:
        key = normalise_name(search)
        df = df[
            df["name"].map(normalise_name).str.contains(key, regex=False)
            | df["municipality_id"].str.startswith(search)
        ]
    elif not all_:
        df = df[df["is_gr"]]
    table = Table(title=f"Kommuner ({len(df)})")
    for col in ("Id", "Namn", "Typ", "Region", "GR", "Liknande kommuner-grupp"):
        table.add_column(col)
    for r in df.itertuples(index=False):
        table.add_row(
            r.municipality_id,
            r.name,
            "kommun" if r.type == "K" else "region/riket",
            r.region_id if isinstance(r.region_id, str) else "",
            "ja" if r.is_gr else "",
            SIMILAR_GROUP_IDS.get(r.municipality_id, ""),
        )
    console.print(table)
