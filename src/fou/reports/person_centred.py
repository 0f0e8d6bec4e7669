"""Personcentrering: an index of the user survey's questions on respect, treatment and influence.

Used by ``notebooks/person_centred.ipynb``::

    idx = person_centred.index(ctx)
    person_centred.summary(ctx, idx)
    person_centred.position_table(ctx, idx)
    person_centred.index_trend_chart(ctx, idx)
    person_centred.survey_table(ctx, area="hemtjänst")
    person_centred.funnel_chart(ctx, area="hemtjänst")
    person_centred.alpha_table(ctx)
    person_centred.stability_table(ctx, idx)
    show(pandemic.section(ctx, pandemic.changes(ctx)))   # the pandemic years

For a year without the survey (2021) the year's sections say so and the
report still shows what there is: the index over the years and its stability.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.core.errors import FouError
from fou.plotting import funnel_plot, new_figure, no_data, trend_plot
from fou.reports import pandemic
from fou.reports.common import alphabetical, kpi_appendix
from fou.reports.context import ReportContext
from fou.reports.display import Block, Chart, Column, Note, Table
from fou.reports.findings import Finding, level_findings, summary_note
from fou.reports.shared import shared
from fou.stats import (
    cronbach_alpha_ecological,
    funnel_data,
    index_items,
    index_stability,
    person_centred_index,
    survey_uncertainty,
)

#: The survey's two areas, each with its own index.
AREAS: tuple[str, ...] = ("hemtjänst", "särskilt boende")
#: The question shown with its uncertainty and funnel, per area.
SURVEY_KPIS: dict[str, str] = {"hemtjänst": "U21463", "särskilt boende": "U23461"}


def survey_run(ctx: ReportContext) -> bool:
    """True when the user survey has results for the report's year."""
    if ctx.year in ctx.catalog.survey_not_run:
        return False
    items = set(SURVEY_KPIS.values())
    v = ctx.values_of(sorted(items))
    return bool(((v["year"] == ctx.year) & v["kpi"].isin(items) & v["value"].notna()).any())


def not_run_note(ctx: ReportContext) -> Note:
    """What a section shows instead of results when the survey was not run that year."""
    return Note(
        f"Brukarundersökningen Vad tycker de äldre om äldreomsorgen genomfördes inte "
        f"{ctx.year}, så det finns inga resultat för året. Utvecklingen över åren och "
        "indexets stabilitet visas nedan.",
        kind="missing",
    )


@shared
def index(ctx: ReportContext) -> pd.DataFrame:
    """Person-centredness index (national z reference) for hemtjänst and särskilt boende."""
    return pd.concat(
        [person_centred_index(ctx.values, area=a, catalog=ctx.catalog) for a in AREAS],
        ignore_index=True,
    )


def _positions(ctx: ReportContext, idx: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for area in AREAS:
        part = idx[(idx["area"] == area) & (idx["year"] == ctx.year)]
        own = part.loc[part["municipality_id"] == ctx.municipality_id, "index"]
        gr = part.loc[part["municipality_id"].isin(registry.GR_MUNICIPALITIES), "index"]
        nat = part.loc[~part["municipality_id"].str.startswith("00"), "index"].dropna()
        value = own.iloc[0] if len(own) else np.nan
        share = (nat < value).mean() * 100 if pd.notna(value) and len(nat) else np.nan
        rows.append(
            {
                "area": area,
                "municipality": ctx.municipality,
                "index": value,
                "gr_mean": gr.mean(),
                "n_gr": int(gr.notna().sum()),
                "share_below": share,
                "n_nat": len(nat),
            }
        )
    return pd.DataFrame(rows)


def summary(ctx: ReportContext, idx: pd.DataFrame, changes: pd.DataFrame | None = None) -> Note:
    """Sammanfattning: the index against GR and Riket, the questions beyond the uncertainty.

    With *changes* (:func:`fou.reports.pandemic.changes`) it ends with what
    changed over the pandemic years.
    """
    pandemic_finding = None if changes is None else pandemic.finding(ctx, changes)
    if not survey_run(ctx):
        last = idx.dropna(subset=["index"])["year"]
        before = int(last[last < ctx.year].max()) if (last < ctx.year).any() else None
        text = (
            f"Brukarundersökningen genomfördes inte {ctx.year}; det finns inga resultat för året."
        )
        items = [Finding("saknas", text)]
        if before is not None:
            items.append(
                Finding(
                    "senast",
                    f"Senaste undersökningen före {ctx.year} är från {before}; utvecklingen "
                    "över åren visas i diagrammet nedan.",
                )
            )
        if pandemic_finding is not None:
            items.append(pandemic_finding)
        return summary_note(items)
    found: list[Finding] = []
    for r in _positions(ctx, idx).itertuples(index=False):
        if pd.isna(r.index):
            text = (
                f"{sv.capitalise(r.area)}: {ctx.municipality} har inget index {ctx.year} "
                "(för få frågor med värden)."
            )
            found.append(Finding("saknas", text))
            continue
        found.append(
            Finding(
                "index",
                f"Personcentreringsindex {r.area}: {ctx.municipality} {sv.signed(r.index, 2)} "
                f"(0 = rikets genomsnitt), GR-snittet {sv.signed(r.gr_mean, 2)}; "
                f"{sv.percent(r.share_below, 0)} av landets {r.n_nat} kommuner har lägre index. "
                "Indexet har inget eget osäkerhetsmått; frågorna nedan har det.",
            )
        )
    questions = [k for a in AREAS for k in index_items(ctx.catalog, area=a)]
    found += level_findings(ctx, questions)[:2]
    funnel = funnel_finding(ctx, area="hemtjänst")
    if funnel is not None:
        found.append(funnel)
    found = found[:5] if pandemic_finding is not None else found[:6]
    if pandemic_finding is not None:
        found.append(pandemic_finding)
    return summary_note(found)


def funnel_finding(ctx: ReportContext, *, area: str) -> Finding | None:
    """Which of the 13 lie outside the funnel's 95 % limits (widened where overdispersed).

    Only municipalities outside the limits the figure draws are counted: when
    the municipalities differ more than chance allows, those are the limits
    widened for overdispersion, so a point outside them differs clearly.
    """
    kpi = SURVEY_KPIS[area]
    try:
        fd = funnel_data(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    except FouError:
        return None  # no respondent counts that year: the funnel section says so
    gr = fd.points[fd.points["is_gr"] & fd.points["outside_95"].notna()]
    out = gr[gr["outside_95"].astype(bool)]
    names = sorted((registry.municipality_name(m) for m in out["municipality_id"]), key=sv.sort_key)
    widened = " (vidgade för att kommunerna skiljer sig mer än slumpen ger)" if fd.adjusted else ""
    label = ctx.catalog.label(kpi)
    if not names:
        text = (
            f"{label}: ingen av GR:s {len(gr)} kommuner med svar ligger utanför trattens "
            f"95 %-gränser{widened}; skillnaderna ryms i osäkerheten."
        )
    else:
        text = (
            f"{label}: {sv.quantity(len(names), 'kommun', 'kommuner')} av GR:s {len(gr)} ligger "
            f"utanför trattens 95 %-gränser{widened}: {sv.join(names)}."
        )
    return Finding("tratt", text, 1.0, kpi)


def position_table(ctx: ReportContext, idx: pd.DataFrame) -> Block:
    """The municipality's index in the year against the GR mean and the national spread."""
    if not survey_run(ctx):
        return not_run_note(ctx)
    columns = (
        Column("area", "Verksamhet"),
        Column("municipality", "Kommun", optional=True),
        Column("index", "Index", "signed", 2),
        Column("gr_mean", "GR-snitt (index)", "signed", 2),
        Column("n_gr", "GR-kommuner med index", "integer"),
        Column("share_below", "Andel kommuner i riket med lägre index (%)", "number", 0),
        Column("n_nat", "Kommuner i riket med index", "integer"),
    )
    return Table(
        _positions(ctx, idx),
        columns,
        caption=f"Personcentreringsindex {ctx.year} (0 = rikets genomsnitt, "
        "enhet = standardavvikelser mellan kommuner)",
        name="Index",
    )


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
    mean = pd.DataFrame(
        {
            "year": wide.index,
            "series": "GR-snitt",
            "series_kind": "gr",
            "value": wide.mean(axis=1).to_numpy(),
        }
    )
    own = part[part["municipality_id"] == ctx.municipality_id]
    mine = pd.DataFrame(
        {
            "year": own["year"],
            "series": ctx.municipality,
            "series_kind": "kommun",
            "value": own["index"],
        }
    )
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
            data,
            highlight=ctx.municipality if has_own else "GR-snitt",
            band=band,
            band_label="GR: lägsta–högsta",
            not_run=list(ctx.catalog.survey_not_run),
            breaks=None,
            title=sv.capitalise(area),
            y_label="Index (0 = riket)",
            ax=ax,
        )
        ax.axhline(0, color="grey", lw=0.8, ls="--", zorder=1)
        ax.tick_params(labelleft=True)  # both panels readable on their own (shared scale)
    return Chart(
        fig,
        "Personcentreringsindex över tid (streckad linje = rikets genomsnitt). "
        f"{sv.join([sv.year(y) for y in ctx.catalog.survey_not_run])} saknas eftersom "
        "brukarundersökningen inte genomfördes då; linjen bryts i stället för att gissa.",
        source=ctx.source,
        name="index_over_tid",
    )


def survey_table(ctx: ReportContext, *, area: str = "hemtjänst") -> Block:
    """Wilson intervals for the GR municipalities and Riket on one survey question."""
    if not survey_run(ctx):
        return not_run_note(ctx)
    kpi = SURVEY_KPIS[area]
    res = survey_uncertainty(
        ctx.values,
        kpi=kpi,
        year=ctx.year,
        catalog=ctx.catalog,
        municipalities=[*registry.GR_MUNICIPALITIES, registry.RIKET],
    )
    res = res.assign(
        municipality=res["municipality_id"].map(registry.municipality_name),
        mine=res["municipality_id"] == ctx.municipality_id,
    )
    res = alphabetical(res, "municipality", last=registry.municipality_name(registry.RIKET))
    columns = (
        Column("municipality", "Kommun"),
        Column("value", "Andel (%)", "number", 0),
        Column("ci_low", "95 % KI nedre (Wilson)", "number", 0),
        Column("ci_high", "95 % KI övre (Wilson)", "number", 0),
        Column("respondents", "Svarande", "integer"),
        Column("response_rate", "Svarsfrekvens (%)", "number", 0),
        Column("note", "Kommentar", wrap=True, optional=True),
    )
    return Table(
        res,
        columns,
        caption=f"{ctx.catalog.label(kpi)} ({kpi}), {ctx.year}",
        name=f"Osäkerhet {area}",
        highlight="mine",
    )


def funnel_chart(ctx: ReportContext, *, area: str = "hemtjänst") -> Block:
    """Funnel plot of one survey share against the number of respondents (all municipalities)."""
    if not survey_run(ctx):
        return not_run_note(ctx)
    kpi = SURVEY_KPIS[area]
    fd = funnel_data(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    fig, ax = new_figure((8, 5))
    funnel_plot(fd, highlight=ctx.municipality_id, catalog=ctx.catalog, ax=ax)
    return Chart(
        fig,
        f"{ctx.catalog.label(kpi)}, trattdiagram {ctx.year}: punkter utanför trattens gränser "
        f"skiljer sig mer från jämförelsevärdet ({fd.target_label}) än slumpen väntas ge vid det "
        f"antalet svarande. Gränser: {fd.method_label}.",
        source=ctx.source,
        name=f"tratt_{area.replace(' ', '_')}",
    )


def alpha_table(ctx: ReportContext) -> Block:
    """Ecological Cronbach's alpha over the 13 GR municipalities, per area, for the year."""
    if not survey_run(ctx):
        return not_run_note(ctx)
    res = pd.concat(
        [
            cronbach_alpha_ecological(
                ctx.values, area=a, catalog=ctx.catalog, years=ctx.year, municipalities="gr"
            )
            for a in AREAS
        ],
        ignore_index=True,
    )
    columns = (
        Column("area", "Verksamhet"),
        Column("year", "År", "year", optional=True),
        Column("alpha", "Alfa (ekologisk)", "number", 2),
        Column("ci_low", "KI nedre", "number", 2),
        Column("ci_high", "KI övre", "number", 2),
        Column("n", "Antal kommuner", "integer", optional=True),
        Column("n_items", "Antal frågor", "integer", optional=True),
        Column("note", "Kommentar", wrap=True, optional=True),
    )
    return Table(
        res,
        columns,
        caption="Cronbachs alfa över kommunernas andelar: ekologisk konsistens (kommunnivå), "
        "inte individuell reliabilitet",
        name="Cronbachs alfa",
    )


def stability_table(ctx: ReportContext, idx: pd.DataFrame) -> Table:
    """ICC(3,1) of the index over years among the GR municipalities."""
    gr = idx[idx["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    res = index_stability(gr)
    res = res.assign(
        years=[sv.year_ranges(str(y).split(", ")) if str(y) else "" for y in res["years"]]
    )
    columns = (
        Column("area", "Verksamhet"),
        Column("years", "År som ingår", wrap=True),
        Column("n", "Antal kommuner", "integer"),
        Column("icc", "ICC", "number", 2),
        Column("ci_low", "KI nedre", "number", 2),
        Column("ci_high", "KI övre", "number", 2),
        Column("icc_type", "Typ av ICC", wrap=True, optional=True),
        Column("note", "Kommentar", wrap=True, optional=True),
    )
    return Table(
        res, columns, caption="Indexets stabilitet mellan åren (GR:s kommuner)", name="Stabilitet"
    )


def appendix(ctx: ReportContext) -> Table:
    """The survey questions of the index and of the pandemic section, with Kolada's titles."""
    kpis = [k for a in AREAS for k in index_items(ctx.catalog, area=a)]
    kpis += [k for ks in pandemic.KPIS.values() for k in ks if k not in kpis]
    return kpi_appendix(ctx, kpis)
