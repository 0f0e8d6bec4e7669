"""Regional översikt: the 13 GR municipalities side by side, domain by domain.

Used by ``notebooks/regional_report.ipynb``::

    issues = data_quality.issues(ctx)
    for kpi in ctx.catalog.ids(domain=domain):
        show(regional.kpi_section(ctx, kpi, issues))
    show(regional.domain_associations(ctx, domain))
    show(regional.data_gaps_table(ctx, issues))
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from fou.core import registry, sv
from fou.core.tidy import select
from fou.plotting import new_figure, short_title, trend_plot
from fou.quality import KINDS
from fou.reports import associations
from fou.reports.context import ReportContext
from fou.reports.display import Block, Chart, Column, Heading, Note, Table
from fou.stats import gr_overview, trend_table

#: Years in a key figure's trend panel.
TREND_YEARS = 8


def overview_table(ctx: ReportContext, kpi: str) -> Table:
    """The 13 GR municipalities side by side for one key figure (best first)."""
    res = gr_overview(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    d = ctx.catalog.decimals(kpi)
    columns = (
        Column("municipality", "Kommun"),
        Column("value", "Värde", "number", d),
        Column("previous_value", "Föregående år", "number", d),
        Column("change", "Förändring", "signed", d),
        Column("diff_gr", "Skillnad mot GR", "signed", d),
        Column("diff_riket", "Skillnad mot riket", "signed", d),
        Column("rank", "Rang (1 = bäst)", "integer"),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res, columns,
        caption=f"{kpi}: {short_title(ctx.title(kpi))} ({ctx.year}); GR-snitt "
        f"{sv.number(res['gr_mean'].iloc[0], d)}, riket {sv.number(res['riket'].iloc[0], d)}",
        name=kpi,
    )  # fmt: skip


def gr_trend_data(ctx: ReportContext, kpi: str, years: Sequence[int]) -> pd.DataFrame:
    """Long table (kpi, year, series, value) of the 13, their unweighted mean and Riket."""
    ids = [*registry.GR_MUNICIPALITIES, registry.RIKET]
    sel = select(ctx.values, kpis=kpi, municipalities=ids, years=years)
    sel = sel.drop_duplicates(["municipality_id", "year"])
    rows = sel.assign(series=sel["municipality_id"].map(registry.municipality_name))[
        ["year", "series", "value"]
    ]
    # The GR-snitt series of any member's trend table is the unweighted mean of
    # the 13, year by year (the same mean as gr_overview's gr_mean).
    trend = trend_table(ctx.values, municipality=registry.GR_MUNICIPALITIES[0], kpi=kpi,
                        years=list(years))  # fmt: skip
    means = trend.loc[trend["series_kind"] == "gr", ["year", "series", "value"]]
    # With the kpi column the plot finds unit, breaks and years without a survey in the catalogue.
    return pd.concat([rows, means], ignore_index=True).assign(kpi=kpi)


def trend_chart(ctx: ReportContext, kpi: str, *, n_years: int = TREND_YEARS) -> Chart | None:
    """GR-snitt and Riket over the last *n_years*, the 13 as thin grey lines (None for one year)."""
    years = [y for y in ctx.dataset.years if y <= ctx.year][-n_years:]
    if len(years) < 2:
        return None
    data = gr_trend_data(ctx, kpi, years)
    fig, ax = new_figure((8, 3.6))
    names = [registry.municipality_name(m) for m in registry.GR_MUNICIPALITIES]
    trend_plot(data, highlight="GR-snitt", background=names, background_label="GR-kommunerna",
               catalog=ctx.catalog, title="", ax=ax)  # fmt: skip
    return Chart(
        fig,
        f"Utveckling {sv.year_span(years[0], years[-1])}: GR-snittet (ovägt medel) och riket; de "
        "tunna grå linjerna är de 13 kommunerna, var för sig. Varje kommuns värde står i tabellen "
        "ovan.",
        source=ctx.source,
        name=f"{kpi}_utveckling",
    )


def kpi_issues_table(ctx: ReportContext, kpi: str, issues: pd.DataFrame) -> Table | None:
    """The data problems of one key figure among the 13 (None when there are none)."""
    own = issues[
        (issues["kpi"] == kpi) & issues["severity"].astype(str).isin(["varning", "fel", "info"])
    ]
    if own.empty:
        return None
    own = own.assign(
        label=own["check"].map(lambda k: KINDS[str(k)].label),
        municipality=own["municipality_id"].map(
            lambda m: registry.municipality_name(m) if isinstance(m, str) else "alla"
        ),
        severity=own["severity"].astype(str),
    )
    columns = (
        Column("severity", "Allvarlighet"),
        Column("label", "Typ av brist", wrap=True),
        Column("municipality", "Kommun"),
        Column("detail", "Beskrivning", wrap=True),
    )
    return Table(
        own, columns, caption=f"Brister i data för {kpi} ({ctx.year})", name=f"{kpi}_brister"
    )


def kpi_section(ctx: ReportContext, kpi: str, issues: pd.DataFrame) -> list[Block]:
    """One key figure for the region: the 13 side by side, a trend panel, and what is missing."""
    table = overview_table(ctx, kpi)
    blocks: list[Block] = [Heading(f"{kpi}: {short_title(ctx.title(kpi))}"), table]
    if table.data["value"].isna().all():
        reasons = "; ".join(dict.fromkeys(table.data["note"].dropna().astype(str))) or "okänd orsak"
        blocks.append(Note(f"Värdet saknas för alla GR-kommuner {ctx.year}. Orsak: {reasons}",
                           kind="missing"))  # fmt: skip
        return blocks
    chart = trend_chart(ctx, kpi)
    if chart is not None:
        blocks.append(chart)
    problems = kpi_issues_table(ctx, kpi, issues)
    if problems is not None:
        blocks.append(problems)
    return blocks


def domain_kpis_for_screen(ctx: ReportContext, domain: str) -> list[str]:
    """The domain's key figures with values for enough GR municipalities to test associations."""
    return associations.candidate_kpis(ctx, candidates=ctx.catalog.ids(domain=domain))


def domain_associations(ctx: ReportContext, domain: str) -> list[Block]:
    """Holm-corrected screen among the domain's key figures with enough GR values."""
    kpis = domain_kpis_for_screen(ctx, domain)
    if len(kpis) < 2:
        return [Note(f"För få nyckeltal med värden för minst {associations.MIN_GR_VALUES} "
                     "GR-kommuner för att pröva samband.")]  # fmt: skip
    n_pairs = len(kpis) * (len(kpis) - 1) // 2
    screen = associations.gr_screen(ctx, kpis, n_resamples=associations.resamples_for(n_pairs))
    return [associations.heatmap_chart(ctx, screen)]


def data_gaps_table(ctx: ReportContext, issues: pd.DataFrame) -> Table:
    """Per key figure: how many of the 13 lack a value this year, and the stated reasons."""
    ids = ctx.catalog.ids()
    sel = select(ctx.values, kpis=ids, municipalities=registry.GR_MUNICIPALITIES, years=ctx.year)
    have = sel.dropna(subset=["value"]).groupby("kpi")["municipality_id"].nunique()
    relevant = issues[issues["municipality_id"].isin(registry.GR_MUNICIPALITIES)
                      | issues["municipality_id"].isna()]  # fmt: skip
    reasons = relevant.groupby("kpi")["check"].agg(
        lambda s: ", ".join(sorted({KINDS[str(k)].label for k in s}))
    )
    out = pd.DataFrame({"kpi": ids})
    out["title"] = out["kpi"].map(lambda k: short_title(ctx.title(k)))
    out["domain"] = out["kpi"].map(lambda k: ctx.catalog.row(k)["domain"])
    out["missing"] = len(registry.GR_MUNICIPALITIES) - out["kpi"].map(have).fillna(0).astype(int)
    out["reasons"] = out["kpi"].map(reasons).fillna("")
    out = out[out["missing"] > 0].sort_values(["missing", "domain"], ascending=[False, True])
    columns = (
        Column("domain", "Område"),
        Column("kpi", "Nyckeltal"),
        Column("title", "Nyckeltal (titel)", wrap=True),
        Column("missing", "Saknas (av 13)", "integer"),
        Column("reasons", "Brister som kontrollerna fann", wrap=True),
    )
    return Table(
        out, columns,
        caption=f"Nyckeltal där GR-kommuner saknar värde {ctx.year} (antal av 13) och de "
        "brister som kontrollerna fann",
        name="Brister per nyckeltal",
    )  # fmt: skip
