"""Personcentrering: an index of the user survey's questions on respect, treatment and influence.

Used by ``notebooks/person_centred.ipynb``::

    idx = person_centred.index(ctx)
    show(person_centred.position_table(ctx, idx))
    show(person_centred.index_trend_chart(ctx, idx))
    show(person_centred.survey_table(ctx, area="hemtjänst"))
    show(person_centred.funnel_chart(ctx, area="hemtjänst"))
    show(person_centred.alpha_table(ctx))
    show(person_centred.stability_table(ctx, idx))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.plotting import funnel_plot, new_figure, no_data, short_title, trend_plot
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Table
from fou.stats import (
    cronbach_alpha_ecological,
    funnel_data,
    index_stability,
    person_centred_index,
    survey_uncertainty,
)

#: The survey's two areas, each with its own index.
AREAS: tuple[str, ...] = ("hemtjänst", "särskilt boende")
#: The question shown with its uncertainty and funnel, per area.
SURVEY_KPIS: dict[str, str] = {"hemtjänst": "U21463", "särskilt boende": "U23461"}


def index(ctx: ReportContext) -> pd.DataFrame:
    """Person-centredness index (national z reference) for hemtjänst and särskilt boende."""
    return pd.concat(
        [person_centred_index(ctx.values, area=a, catalog=ctx.catalog) for a in AREAS],
        ignore_index=True,
    )


def position_table(ctx: ReportContext, idx: pd.DataFrame) -> Table:
    """The municipality's index in the year against the GR mean and the national spread."""
    rows = []
    for area in AREAS:
        part = idx[(idx["area"] == area) & (idx["year"] == ctx.year)]
        own = part.loc[part["municipality_id"] == ctx.municipality_id, "index"]
        gr = part.loc[part["municipality_id"].isin(registry.GR_MUNICIPALITIES), "index"]
        nat = part.loc[~part["municipality_id"].str.startswith("00"), "index"].dropna()
        value = own.iloc[0] if len(own) else np.nan
        share = (nat < value).mean() * 100 if pd.notna(value) and len(nat) else np.nan
        rows.append({"area": area, "municipality": ctx.municipality, "index": value,
                     "gr_mean": gr.mean(), "n_gr": int(gr.notna().sum()),
                     "share_below": share, "n_nat": len(nat)})  # fmt: skip
    columns = (
        Column("area", "Verksamhet"),
        Column("municipality", "Kommun"),
        Column("index", "Index", "number", 2),
        Column("gr_mean", "GR-snitt (index)", "number", 2),
        Column("n_gr", "Antal i GR-snitt", "integer"),
        Column("share_below", "Andel kommuner i riket med lägre index (%)", "number", 0),
        Column("n_nat", "Kommuner i riket med index", "integer"),
    )
    return Table(
        pd.DataFrame(rows), columns,
        caption=f"Personcentreringsindex {ctx.year} (0 = rikets genomsnitt, "
        "enhet = standardavvikelser mellan kommuner)",
        name="Index",
    )  # fmt: skip


def _area_trend(
    ctx: ReportContext, idx: pd.DataFrame, area: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long table (year, series, value) of the municipality and the GR mean, and the GR range."""
    part = idx[idx["area"] == area]
    gr = part[part["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    wide = gr.pivot_table(index="year", columns="municipality_id", values="index", dropna=False)
    band = pd.DataFrame(
        {
            "year": wide.index,
            "lower": wide.min(axis=1).to_numpy(),
            "upper": wide.max(axis=1).to_numpy(),
        }
    )
    mean = pd.DataFrame({"year": wide.index, "series": "GR-snitt", "series_kind": "gr",
                         "value": wide.mean(axis=1).to_numpy()})  # fmt: skip
    own = part[part["municipality_id"] == ctx.municipality_id]
    mine = pd.DataFrame({"year": own["year"], "series": ctx.municipality, "series_kind": "kommun",
                         "value": own["index"]})  # fmt: skip
    return pd.concat([mean, mine], ignore_index=True), band


def index_trend_chart(ctx: ReportContext, idx: pd.DataFrame) -> Chart:
    """Index over the years: the municipality, the GR mean and the GR range, per area.

    Years without the survey are a gap in every line and in the band, never bridged.
    """
    fig, axes = new_figure((11, 3.8), ncols=2, sharey=True)
    for ax, area in zip(axes, AREAS, strict=True):
        data, band = _area_trend(ctx, idx, area)
        if not data["value"].notna().any():
            no_data(ax, f"Inget index för {area}")
            ax.set_title(sv.capitalise(area))
            continue
        has_own = data.loc[data["series_kind"] == "kommun", "value"].notna().any()
        trend_plot(
            data, highlight=ctx.municipality if has_own else "GR-snitt", band=band,
            band_label="GR: lägsta–högsta", not_run=list(ctx.catalog.survey_not_run), breaks=None,
            title=sv.capitalise(area), y_label="Index (0 = riket)", ax=ax,
        )  # fmt: skip
        ax.axhline(0, color="grey", lw=0.8, ls="--", zorder=1)
    return Chart(
        fig,
        "Personcentreringsindex över tid (streckad linje = rikets genomsnitt). "
        f"{sv.join([sv.year(y) for y in ctx.catalog.survey_not_run])} saknas eftersom "
        "brukarundersökningen inte genomfördes då; linjen bryts i stället för att gissa.",
        source=ctx.source,
        name="index_over_tid",
    )


def survey_table(ctx: ReportContext, *, area: str = "hemtjänst") -> Table:
    """Wilson intervals for the GR municipalities and Riket on one survey question."""
    kpi = SURVEY_KPIS[area]
    res = survey_uncertainty(
        ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog,
        municipalities=[*registry.GR_MUNICIPALITIES, registry.RIKET],
    )  # fmt: skip
    res = res.assign(municipality=res["municipality_id"].map(registry.municipality_name))
    columns = (
        Column("municipality", "Kommun"),
        Column("value", "Andel (%)", "number", 0),
        Column("ci_low", "95 % KI nedre (Wilson)", "number", 1),
        Column("ci_high", "95 % KI övre (Wilson)", "number", 1),
        Column("respondents", "Svarande", "integer"),
        Column("response_rate", "Svarsfrekvens (%)", "number", 0),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res, columns, caption=f"{kpi}: {short_title(ctx.title(kpi))} ({ctx.year})",
        name=f"Osäkerhet {area}",
    )  # fmt: skip


def funnel_chart(ctx: ReportContext, *, area: str = "hemtjänst") -> Chart:
    """Funnel plot of one survey share against the number of respondents (all municipalities)."""
    kpi = SURVEY_KPIS[area]
    fd = funnel_data(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    fig, ax = new_figure((8, 5))
    funnel_plot(fd, highlight=ctx.municipality_id, catalog=ctx.catalog, ax=ax)
    return Chart(
        fig,
        f"Trattdiagram {ctx.year}: punkter utanför trattens gränser skiljer sig mer från "
        f"målvärdet ({fd.target_label}) än slumpen väntas ge vid det antalet svarande. "
        f"Gränser: {fd.method_label}. {fd.note}",
        source=ctx.source,
        name=f"tratt_{area.replace(' ', '_')}",
    )


def alpha_table(ctx: ReportContext) -> Table:
    """Ecological Cronbach's alpha over the 13 GR municipalities, per area, for the year."""
    res = pd.concat(
        [cronbach_alpha_ecological(ctx.values, area=a, catalog=ctx.catalog, years=ctx.year,
                                   municipalities="gr") for a in AREAS],
        ignore_index=True,
    )  # fmt: skip
    columns = (
        Column("area", "Verksamhet"),
        Column("year", "År", "year"),
        Column("alpha", "Alfa (ekologisk)", "number", 2),
        Column("ci_low", "KI nedre", "number", 2),
        Column("ci_high", "KI övre", "number", 2),
        Column("n", "Antal kommuner", "integer"),
        Column("n_items", "Antal frågor", "integer"),
        Column("measure", "Vad måttet är", wrap=True),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res, columns, caption="Cronbachs alfa över kommunernas andelar: ekologisk konsistens",
        name="Cronbachs alfa",
    )  # fmt: skip


def stability_table(ctx: ReportContext, idx: pd.DataFrame) -> Table:
    """ICC(3,1) of the index over years among the GR municipalities."""
    gr = idx[idx["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    res = index_stability(gr)
    columns = (
        Column("area", "Verksamhet"),
        Column("years", "År som ingår"),
        Column("n", "Antal kommuner", "integer"),
        Column("icc", "ICC", "number", 2),
        Column("ci_low", "KI nedre", "number", 2),
        Column("ci_high", "KI övre", "number", 2),
        Column("icc_type", "Typ av ICC"),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res, columns, caption="Indexets stabilitet mellan åren (GR:s kommuner)", name="Stabilitet"
    )
