"""Brister i data: which of a municipality's values can be trusted, which are missing and why.

Used by ``notebooks/data_quality.ipynb``; the regional report uses the same
tables for the 13::

    issues = data_quality.issues(ctx)
    share = data_quality.usable(ctx)
    data_quality.summary(ctx, issues, share)  # Sammanfattning
    data_quality.counts_table(ctx, issues)    # checked kinds, with how many findings
    data_quality.serious_table(ctx, issues)   # errors and warnings
    data_quality.usable_chart(ctx, share)     # usable share per domain and year
    data_quality.issues_table(ctx, issues)   # appendix: every finding
"""

from __future__ import annotations

import pandas as pd

from fou.core import registry, sv
from fou.plotting import new_figure, quality_heatmap
from fou.quality import (
    KINDS,
    SEVERITY_WORDS,
    filter_issues,
    issue_counts,
    one_scope_per_run,
    run_checks,
    run_checks_by_year,
    usable_summary,
)
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Note, Table
from fou.reports.findings import Finding, summary_note

#: Kinds that are bookkeeping for other tables, not findings a reader acts on.
BOOKKEEPING_KINDS = frozenset({"completeness_summary"})
#: Kinds that concern a key figure in every municipality (no single municipality).
_ALL_MUNICIPALITIES = frozenset(
    name for name, kind in KINDS.items() if kind.level in {"kpi", "kpi_year"}
)


def scope(ctx: ReportContext) -> list[str]:
    """The municipalities a report checks: its own, or the 13 in the regional report."""
    return [ctx.municipality_id] if ctx.municipality_id else list(registry.GR_MUNICIPALITIES)


def _reported(found: pd.DataFrame) -> pd.DataFrame:
    return found[~found["check"].isin(BOOKKEEPING_KINDS)].reset_index(drop=True)


def issues(ctx: ReportContext) -> pd.DataFrame:
    """Every check for the report's municipality (or the 13) and year.

    Distributions (jumps, outliers, level shifts) are measured against every
    municipality in the data.
    """
    found = run_checks(ctx.values, catalog=ctx.catalog, municipalities=scope(ctx), years=[ctx.year])
    return _reported(found)


def issues_and_usable(ctx: ReportContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`issues` and :func:`usable` together, checking the history once.

    The same two tables as calling both (the checks of the year come from
    the run over every year, see :func:`fou.quality.run_checks_by_year`), in
    about half the time.
    """
    mun = scope(ctx)
    with one_scope_per_run():  # the summary reads the table the checks prepared
        of_year, every = run_checks_by_year(
            ctx.values, year=ctx.year, catalog=ctx.catalog, municipalities=mun
        )
        share = usable_summary(ctx.values, every, catalog=ctx.catalog, municipalities=mun)
    return _reported(of_year), share


def _named(ctx: ReportContext, issues: pd.DataFrame) -> pd.DataFrame:
    """Issues with Swedish names: kind, municipality and the key figure's short label."""
    return issues.assign(
        label=issues["check"].map(lambda k: KINDS[str(k)].label),
        municipality=issues["municipality_id"].map(
            lambda m: registry.municipality_name(m) if isinstance(m, str) else "alla"
        ),
        kpi_label=issues["kpi"].map(
            lambda k: ctx.catalog.label(k) if isinstance(k, str) else "alla"
        ),
        severity=issues["severity"].astype(str).map(SEVERITY_WORDS),
    )


def usable(ctx: ReportContext) -> pd.DataFrame:
    """Usable share of each domain's key figures, per municipality and year (all years checked)."""
    mun = scope(ctx)
    all_years = run_checks(ctx.values, catalog=ctx.catalog, municipalities=mun)
    return usable_summary(ctx.values, all_years, catalog=ctx.catalog, municipalities=mun)


def _counted(n: int, singular: str, plural: str, meaning: str = "") -> str:
    """``2 fel (värdet bör inte användas)``, or ``inga fel`` (no meaning for nothing)."""
    if n == 0:
        return f"inga {plural}"
    return sv.quantity(n, singular, plural) + (f" ({meaning})" if meaning else "")


def summary(ctx: ReportContext, issues: pd.DataFrame, usable_share: pd.DataFrame) -> Note:
    """Sammanfattning: how many problems of which severity, the commonest, what can be used."""
    n = issues["severity"].astype(str).value_counts()
    counts = sv.join(
        [
            _counted(int(n.get("fel", 0)), "fel", "fel", "värdet bör inte användas"),
            _counted(int(n.get("varning", 0)), "varning", "varningar", "tolka försiktigt"),
            _counted(int(n.get("info", 0)), "upplysning", "upplysningar"),
        ]
    )
    whose = f"{sv.genitive(ctx.municipality)} värden" if ctx.municipality else "GR:s 13 kommuner"
    items = [
        Finding(
            "antal",
            f"Kontrollerna fann {sv.quantity(len(issues), 'brist', 'brister')} för {whose} "
            f"{ctx.year}: {counts}.",
        )
    ]
    top = issues.groupby("check", observed=True).size().sort_values(ascending=False).head(2)
    for rank, (check, count) in enumerate(top.items()):
        kind = KINDS[str(check)]
        lead = f"{'Vanligast' if rank == 0 else 'Näst vanligast'} ({sv.integer(count)})"
        meaning = kind.meaning[:1].lower() + kind.meaning[1:]
        # "Nyckeltalet har upphört: nyckeltalet har upphört enligt …" says it twice.
        said = meaning.startswith(kind.label.lower()[:15])
        text = f"{lead}: {meaning}" if said else f"{lead}: {kind.label.lower()}. {kind.meaning}"
        items.append(Finding("vanligast", text))
    year = usable_share[usable_share["year"] == ctx.year]
    if not year.empty:
        share = year["n_usable"].sum() / year["n_kpis"].sum()
        worst = year.groupby("domain")["share_usable"].mean().sort_values().head(1)
        domain, low = next(iter(worst.items()))
        items.append(
            Finding(
                "användbart",
                f"{sv.percent(100 * share, 0)} av nyckeltalen går att använda {ctx.year} (har ett "
                f"värde och inget fel); lägst andel har området {domain} "
                f"({sv.percent(100 * low, 0)}).",
            )
        )
    return summary_note(items[:6])


def counts_table(ctx: ReportContext, issues: pd.DataFrame) -> Table | Note:
    """Counts of what the checks found, by kind; the kinds checked without findings in a note."""
    counts = issue_counts(issues, all_kinds=True)
    counts = counts[~counts["check"].isin(BOOKKEEPING_KINDS)]
    found, clean = counts[counts["n"] > 0], counts[counts["n"] == 0]
    nothing = (
        "Kontrollerat utan fynd: " + sv.join([str(k).lower() for k in clean["label"]]) + "."
        if len(clean)
        else ""
    )
    if found.empty:
        return Note(f"Kontrollerna fann inga brister {ctx.year}. {nothing}".strip())
    # A finding about a key figure in every municipality counts no single one.
    every = found["check"].isin(_ALL_MUNICIPALITIES)
    some = found["n_municipalities"].map(lambda n: sv.quantity(int(n), "kommun", "kommuner"))
    found = found.assign(
        severity=found["severity"].astype(str).map(SEVERITY_WORDS),
        municipalities=some.where(~every, "alla kommuner"),
    )
    columns = (
        Column("label", "Typ av brist", wrap=True),
        Column("severity", "Allvarlighet"),
        Column("n", "Antal", "integer"),
        Column("n_kpis", "Antal nyckeltal", "integer"),
        Column("municipalities", "Gäller"),
    )
    return Table(
        found.reset_index(drop=True),
        columns,
        caption=f"Brister som kontrollerna fann {ctx.year}, per typ",
        name="Antal brister",
        notes=(nothing,) if nothing else (),
    )


def _issue_columns() -> tuple[Column, ...]:
    return (
        Column("severity", "Allvarlighet"),
        Column("label", "Typ av brist", wrap=True),
        Column("kpi_label", "Nyckeltal", wrap=True),
        Column("municipality", "Gäller", optional=True),
        Column("year", "År", "year", optional=True),
        Column("detail", "Beskrivning", wrap=True),
    )


def serious_table(ctx: ReportContext, issues: pd.DataFrame) -> Table | Note:
    """The errors and warnings, most serious first (information is in the appendix)."""
    sel = filter_issues(issues, min_severity="varning")
    if sel.empty:
        return Note(f"Inga fel eller varningar {ctx.year}; upplysningarna står i bilagan.")
    return Table(
        _named(ctx, sel),
        _issue_columns(),
        caption=f"Fel och varningar {ctx.year}, allvarligast först (alla brister står i bilagan)",
        name="Fel och varningar",
    )


def issues_table(
    ctx: ReportContext, issues: pd.DataFrame, *, min_severity: str | None = None
) -> Table:
    """Every finding, most serious first."""
    sel = filter_issues(issues, min_severity=min_severity) if min_severity else issues
    return Table(
        _named(ctx, sel),
        _issue_columns(),
        caption="Alla brister i data (allvarligast först)",
        name="Brister",
    )


def usable_chart(ctx: ReportContext, usable_share: pd.DataFrame) -> Chart:
    """Heatmap: share of each domain's key figures that are usable, per year (or municipality)."""
    summary = usable_share
    fig, ax = new_figure((10, 3.8 if ctx.municipality_id else 5.2))
    if ctx.municipality_id:
        quality_heatmap(summary, rows="domain", municipality=ctx.municipality_id, ax=ax)
    else:
        quality_heatmap(summary, rows="municipality", ax=ax)
    caption = (
        "Andel av områdets nyckeltal som har ett värde och ingen allvarlig brist (%), per år. "
        "Mörkt = nästan inget går att använda det året."
        if ctx.municipality_id
        else "Andel av alla nyckeltal som har ett värde och ingen allvarlig brist (%), per kommun "
        "och år. Mörkt = nästan inget går att använda för kommunen det året."
    )
    return Chart(
        fig,
        caption,
        source=ctx.source,
        name="anvandbara",
    )
