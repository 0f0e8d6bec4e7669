"""Kommunprofil: one municipality's key figures against GR, similar municipalities and Riket.

Used by ``notebooks/municipality_profile.ipynb``::

    profile.summary(ctx)                       # Sammanfattning: 3–6 findings
    show(profile.domain_section(ctx, domain))  # per domain: overview figure and table
    profile.trend_chart(ctx)                   # a selection of key figures over time
    profile.appendix(ctx)                      # every key figure's full Kolada title and id
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.plotting import new_figure, trend_plot
from fou.reports import gender
from fou.reports.common import (
    break_notes,
    kpi_appendix,
    overview_chart,
    unit_short,
)
from fou.reports.context import ReportContext
from fou.reports.display import Block, Chart, Column, Heading, Note, Table
from fou.reports.findings import municipality_summary, summary_note
from fou.stats import trend_table
from fou.stats.compare import group_mean

#: Key figures shown over time in the municipality profile (those with values are drawn).
PROFILE_KPIS: tuple[str, ...] = ("U21468", "U23471", "N20403", "N20402", "N21608", "N20900")
#: Column of :func:`fou.stats.comparison_table` and label of each comparison.
COMPARISON_COLUMNS: dict[str, tuple[str, str]] = {
    "gr": ("gr_mean", "GR-snitt"),
    "liknande": ("similar_mean", "Liknande"),
    "riket": ("riket", "Riket"),
    "region": ("region", "Regionen"),
}


#: Columns left empty for sizes in mnkr (no comparison is meaningful).
SIZE_BLANKED: tuple[str, ...] = (
    "riket", "region", "diff_riket", "gr_mean", "diff_gr", "similar_mean", "diff_similar",
    "rank_gr", "n_ranked",
)  # fmt: skip


def report_kpis(ctx: ReportContext) -> list[str]:
    """Every key figure of the profile, domain by domain."""
    return [k for d in ctx.catalog.domains() for k in ctx.catalog.ids(domain=d)]


def summary(ctx: ReportContext) -> Block:
    """Sammanfattning: the strongest positions and changes, beyond their uncertainty."""
    return summary_note(municipality_summary(ctx, report_kpis(ctx)))


def comparison(ctx: ReportContext, *, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`fou.stats.comparison_table` for the report's municipality and year, with decimals."""
    table = ctx.comparisons(ctx.catalog.ids() if kpis is None else kpis)
    # Sizes in mnkr grow with the municipality: Riket and the region are sums, and a
    # mean of the 13 (or of the similar municipalities) mostly says how big Göteborg is.
    sizes = ~table["kpi"].map(ctx.catalog.comparable).astype(bool)
    blank = [c for c in table.columns if c in SIZE_BLANKED]
    table.loc[sizes, blank] = np.nan
    return table.assign(
        decimals=[ctx.catalog.decimals(k) for k in table["kpi"]],
        label=[ctx.catalog.label(k) for k in table["kpi"]],
        unit_short=[unit_short(ctx, k) for k in table["kpi"]],
    )


def domain_table(ctx: ReportContext, domain: str) -> Table:
    """One domain: value, change, the chosen comparison first, then the others, rank and note."""
    table = comparison(ctx, kpis=ctx.catalog.ids(domain=domain))
    labels = dict(COMPARISON_COLUMNS.values())
    notes = []
    if ctx.group is not None:
        table, note = _with_group(ctx, table)
        first, first_label = "group_mean", "Egen grupp"
        notes.append(note)
    else:
        first, first_label = COMPARISON_COLUMNS[ctx.comparison]
    others = [c for c in ("gr_mean", "similar_mean", "riket") if c != first]
    columns = (
        Column("label", "Nyckeltal", wrap=True),
        Column("unit_short", "Enhet"),
        Column("value", f"{ctx.municipality} {ctx.year}", "number", "decimals"),
        Column("change", f"Förändring sedan {ctx.year - 1}", "signed", "decimals"),
        Column(first, f"{first_label} (vald jämförelse)", "number", "decimals"),
        *(Column(c, labels[c], "number", "decimals") for c in others),
        Column("rank_gr", "Rang i GR", "integer", optional=True),
        Column("note", "Kommentar", wrap=True, optional=True),
    )
    if table["rank_gr"].notna().any():
        notes.append("Rang i GR: 1 = bäst bland GR-kommunerna med värde.")
    if "similar_mean" in (first, *others):
        notes.append("Liknande = Koladas liknande kommuner för äldreomsorg.")
    return Table(
        table,
        columns,
        caption=f"{sv.capitalise(domain)}: {ctx.municipality} {ctx.year} jämfört med "
        f"{ctx.comparison_label} (– = värde saknas, inte 0)",
        name=sv.capitalise(domain),
        notes=tuple(notes),
    )


def _with_group(ctx: ReportContext, table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The table with the own group's mean (``group_mean``), and a note on who contributed."""
    if ctx.group is None:  # pragma: no cover - only called with a group
        raise ValueError("no comparison group")
    g = group_mean(ctx.values, kpis=table["kpi"], year=ctx.year, members=ctx.group.members)
    g = g.set_index("kpi")
    sizes = ~table["kpi"].map(ctx.catalog.comparable).astype(bool)
    out = table.assign(group_mean=table["kpi"].map(g["mean"]).where(~sizes))
    names = sv.join(sorted(ctx.group.member_names, key=sv.sort_key))
    note = (
        f"{ctx.group.title}: ovägt medelvärde av de {len(ctx.group.members)} kommunerna som har "
        f"värde ({names}), som Kolada räknar gruppmedel."
    )
    partial = g[(g["n"] < g["n_members"]) & (g["n"] > 0)]
    if len(partial):
        parts = [
            f"{ctx.catalog.label(k)} ({r.n} av {r.n_members}; saknas: "
            f"{sv.join([registry.municipality_name(m) for m in r.missing_members])})"
            for k, r in partial.iterrows()
        ]
        note += " Ofullständigt medel för " + "; ".join(parts) + "."
    return out, note


def domain_section(ctx: ReportContext, domain: str) -> list[Block]:
    """A domain: its heading, the overview figure, every key figure's numbers in a table,
    then women and men where Kolada divides the domain's key figures by gender."""
    blocks: list[Block] = [
        Heading(sv.capitalise(domain), level=2),
        overview_chart(ctx, domain),
        domain_table(ctx, domain),
    ]
    by_gender = gender.domain_table(ctx, domain)
    if by_gender is not None:
        blocks.append(by_gender)
    return blocks


def trend_kpis(ctx: ReportContext, kpis: Sequence[str] = PROFILE_KPIS) -> list[str]:
    """The trend chart's key figures that have values for the municipality (no empty panels)."""
    shown = []
    for kpi in kpis:
        rows = ctx.values_of(kpi)
        own = rows["value"].notna() & (rows["municipality_id"] == ctx.municipality_id)
        if own.any():  # the municipality's own values (then the key figure has values)
            shown.append(kpi)
    return shown


def trend_chart(ctx: ReportContext, *, kpis: Sequence[str] = PROFILE_KPIS) -> Block:
    """Lines over time: the municipality, GR-snitt, liknande kommuner and Riket, per key figure."""
    shown = trend_kpis(ctx, kpis)
    left_out = [k for k in kpis if k not in shown]
    if not shown:
        return Note("Inget av nyckeltalen i urvalet har värden för kommunen.", kind="missing")
    ncols = 2 if len(shown) > 1 else 1
    nrows = math.ceil(len(shown) / ncols)
    fig, axes = new_figure((11, 3.4 * nrows), nrows=nrows, ncols=ncols)
    flat = np.ravel(axes)
    for ax, kpi in zip(flat, shown, strict=False):
        tt = trend_table(
            ctx.values_of(kpi), municipality=str(ctx.municipality_id), kpi=kpi, groups=ctx.groups
        )
        if not ctx.catalog.comparable(kpi):  # Riket's value is the country's sum
            tt = tt[tt["series_kind"] != "riket"]
        trend_plot(tt, catalog=ctx.catalog, title=ctx.catalog.label(kpi), ax=ax)
        ax.title.set_fontsize(9.5)
    for ax in flat[len(shown) :]:
        ax.set_visible(False)
    notes = break_notes(ctx, shown)
    caption = (
        "Utveckling över tid. Avbrott i linjen betyder att värde saknas (t.ex. 2021 då "
        "brukarundersökningen inte gjordes); ett hopp för de flesta kommuner samma år är "
        "oftast en definitionsändring, inte en verklig förändring."
    )
    if notes:
        caption += " Definitionsbyten: " + "; ".join(notes) + "."
    if left_out:
        names = sv.join([ctx.catalog.label(k) for k in left_out])
        caption += f" Utan värden för {ctx.municipality} och därför inte med: {names}."
    return Chart(fig, caption, source=ctx.source, name="utveckling")


def appendix(ctx: ReportContext) -> Table:
    """Every key figure of the profile with Kolada's full title and id."""
    return kpi_appendix(ctx, report_kpis(ctx))
