"""Brister i data: which of a municipality's values can be trusted, which are missing and why.

Used by ``notebooks/data_quality.ipynb``; the regional report uses the same
tables for the 13::

    issues = data_quality.issues(ctx)
    show(data_quality.counts_table(ctx, issues))
    show(data_quality.issues_table(ctx, issues))
    show(data_quality.usable_chart(ctx))
"""

from __future__ import annotations

import pandas as pd

from fou.core import registry
from fou.plotting import new_figure, quality_heatmap
from fou.quality import KINDS, filter_issues, issue_counts, run_checks, usable_summary
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Table


def scope(ctx: ReportContext) -> list[str]:
    """The municipalities a report checks: its own, or the 13 in the regional report."""
    return [ctx.municipality_id] if ctx.municipality_id else list(registry.GR_MUNICIPALITIES)


def issues(ctx: ReportContext) -> pd.DataFrame:
    """Every check for the report's municipality (or the 13) and year.

    Distributions (jumps, outliers, level shifts) are measured against every
    municipality in the data.
    """
    return run_checks(ctx.values, catalog=ctx.catalog, municipalities=scope(ctx), years=[ctx.year])


def _named(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues with the Swedish name of each kind and the municipality's name."""
    return issues.assign(
        label=issues["check"].map(lambda k: KINDS[str(k)].label),
        municipality=issues["municipality_id"].map(
            lambda m: registry.municipality_name(m) if isinstance(m, str) else "alla"
        ),
        severity=issues["severity"].astype(str),
    )


def counts_table(ctx: ReportContext, issues: pd.DataFrame) -> Table:
    """Counts by kind and severity, including kinds checked without findings."""
    counts = issue_counts(issues, all_kinds=True).assign(
        severity=lambda d: d["severity"].astype(str)
    )
    columns = (
        Column("label", "Typ av brist", wrap=True),
        Column("severity", "Allvarlighet"),
        Column("n", "Antal", "integer"),
        Column("n_kpis", "Antal nyckeltal", "integer"),
        Column("n_municipalities", "Antal kommuner", "integer"),
    )
    return Table(
        counts, columns, caption="Antal brister per typ (0 = kontrollerat, inget hittat)",
        name="Antal brister",
    )  # fmt: skip


def issues_table(
    ctx: ReportContext, issues: pd.DataFrame, *, min_severity: str | None = None
) -> Table:
    """The issue table, most serious first."""
    sel = filter_issues(issues, min_severity=min_severity) if min_severity else issues
    columns = (
        Column("severity", "Allvarlighet"),
        Column("label", "Typ av brist", wrap=True),
        Column("kpi", "Nyckeltal"),
        Column("municipality", "Kommun"),
        Column("year", "År", "year"),
        Column("value", "Värde", "number"),
        Column("detail", "Beskrivning", wrap=True),
    )
    return Table(
        _named(sel), columns, caption="Brister i data (allvarligast först)", name="Brister"
    )


def usable_chart(ctx: ReportContext) -> Chart:
    """Heatmap: share of each domain's key figures that are usable, per year (or municipality)."""
    mun = scope(ctx)
    all_years = run_checks(ctx.values, catalog=ctx.catalog, municipalities=mun)
    summary = usable_summary(ctx.values, all_years, catalog=ctx.catalog, municipalities=mun)
    fig, ax = new_figure((10, 3.8))
    if ctx.municipality_id:
        quality_heatmap(summary, rows="domain", municipality=ctx.municipality_id, ax=ax)
    else:
        quality_heatmap(summary, rows="municipality", ax=ax)
    return Chart(
        fig,
        "Andel av områdets nyckeltal som har ett värde och ingen allvarlig brist (%), per år. "
        "Mörkt = nästan inget går att använda det året.",
        source=ctx.source,
        name="anvandbara",
    )
