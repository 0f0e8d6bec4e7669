"""Kommunprofil: one municipality's key figures against GR, similar municipalities and Riket.

Used by ``notebooks/municipality_profile.ipynb``::

    show(profile.domain_table(ctx, domain))   # one table per domain
    show(profile.comparison_chart(ctx))       # bars for a selection of key figures
    show(profile.trend_chart(ctx))            # the same key figures over time
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fou.core import sv
from fou.plotting import comparison_bar, new_figure, short_title, trend_plot
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Table
from fou.stats import comparison_table, gr_overview, trend_table

#: Key figures shown as bars and trends in the municipality profile.
PROFILE_KPIS: tuple[str, ...] = ("U21468", "U23471", "N20403", "N20402", "N21608", "N20900")
#: Column of :func:`fou.stats.comparison_table` and label of each comparison.
COMPARISON_COLUMNS: dict[str, tuple[str, str]] = {
    "gr": ("gr_mean", "GR-snitt"),
    "liknande": ("similar_mean", "Liknande kommuner"),
    "riket": ("riket", "Riket"),
    "region": ("region", "Regionen"),
}


def comparison(ctx: ReportContext, *, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`fou.stats.comparison_table` for the report's municipality and year, with decimals."""
    table = comparison_table(
        ctx.values, municipality=str(ctx.municipality_id), year=ctx.year,
        kpis=list(kpis) if kpis is not None else None, catalog=ctx.catalog, groups=ctx.groups,
    )  # fmt: skip
    return table.assign(decimals=[ctx.catalog.decimals(k) for k in table["kpi"]])


def domain_table(ctx: ReportContext, domain: str) -> Table:
    """One domain: value, change, the chosen comparison first, then the others, rank and note."""
    table = comparison(ctx, kpis=ctx.catalog.ids(domain=domain))
    table = table.assign(short=[short_title(t) for t in table["title"]])
    first, first_label = COMPARISON_COLUMNS[ctx.comparison]
    others = [c for c in ("gr_mean", "similar_mean", "riket") if c != first]
    labels = dict(COMPARISON_COLUMNS.values())
    columns = (
        Column("kpi", "Nyckeltal"),
        Column("short", "Nyckeltal (titel)", wrap=True),
        Column("value", "Värde", "number", "decimals"),
        Column("change", "Förändring", "signed", "decimals"),
        Column(first, f"{first_label} (vald jämförelse)", "number", "decimals"),
        *(Column(c, labels[c], "number", "decimals") for c in others),
        Column("diff_gr", "Skillnad mot GR", "signed", "decimals"),
        Column("rank_gr", "Rang i GR (1 = bäst)", "integer"),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        table,
        columns,
        caption=f"{sv.capitalise(domain)}: {ctx.municipality} {ctx.year} jämfört med "
        f"{ctx.comparison_label} (– = värde saknas, inte 0)",
        name=sv.capitalise(domain),
    )


def comparison_chart(ctx: ReportContext, *, kpis: Sequence[str] = PROFILE_KPIS) -> Chart:
    """Bars: the 13 with the report's municipality, GR-snitt, liknande kommuner and Riket."""
    table = comparison(ctx, kpis=kpis)
    ncols = 3
    nrows = math.ceil(len(table) / ncols)
    fig, axes = new_figure((11, 3.4 * nrows), nrows=nrows, ncols=ncols)
    flat = np.ravel(axes)
    for ax, row in zip(flat, table.itertuples(index=False), strict=False):
        data = gr_overview(ctx.values, kpi=row.kpi, year=ctx.year, catalog=ctx.catalog)
        if ctx.municipality_id not in set(data["municipality_id"]):
            own = pd.DataFrame(
                [{"kpi": row.kpi, "year": ctx.year, "municipality_id": ctx.municipality_id,
                  "value": row.value}]
            )  # fmt: skip
            data = pd.concat([data, own], ignore_index=True)
        reference = {"GR-snitt": row.gr_mean, "Liknande kommuner": row.similar_mean,
                     "Riket": row.riket}  # fmt: skip
        comparison_bar(
            data, highlight=ctx.municipality_id, reference=reference, catalog=ctx.catalog,
            decimals=ctx.catalog.decimals(row.kpi), title=short_title(row.title), ax=ax,
        )  # fmt: skip
        ax.title.set_fontsize(9)
        ax.tick_params(labelsize=7)
    for ax in flat[len(table) :]:
        ax.set_visible(False)
    return Chart(
        fig,
        f"{ctx.municipality} {ctx.year} jämfört med GR-snitt (ovägt medel av de 13), liknande "
        "kommuner och riket. En stapel med texten 'saknas' har inget värde (inte 0).",
        source=ctx.source,
        name="jamforelse",
    )


def trend_chart(ctx: ReportContext, *, kpis: Sequence[str] = PROFILE_KPIS) -> Chart:
    """Lines over time: the municipality, GR-snitt, liknande kommuner and Riket, per key figure."""
    ncols = 2
    nrows = math.ceil(len(kpis) / ncols)
    fig, axes = new_figure((11, 3.2 * nrows), nrows=nrows, ncols=ncols)
    flat = np.ravel(axes)
    for ax, kpi in zip(flat, kpis, strict=False):
        tt = trend_table(ctx.values, municipality=str(ctx.municipality_id), kpi=kpi,
                         groups=ctx.groups)  # fmt: skip
        trend_plot(tt, catalog=ctx.catalog, title=short_title(ctx.title(kpi)), ax=ax)
        ax.title.set_fontsize(9)
    for ax in flat[len(kpis) :]:
        ax.set_visible(False)
    return Chart(
        fig,
        "Utveckling över tid. Avbrott i linjen betyder att värde saknas (t.ex. 2021 då "
        "brukarundersökningen inte gjordes); ett hopp för de flesta kommuner samma år är "
        "oftast en definitionsändring, inte en verklig förändring.",
        source=ctx.source,
        name="utveckling",
    )
