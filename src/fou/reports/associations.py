"""Samband: do key figures go together across municipalities, and does GR look like Riket?

Used by ``notebooks/associations.ipynb`` (and, for one domain at a time, the
regional report)::

    kpis = associations.candidate_kpis(ctx)
    screen = associations.screen(ctx, kpis)          # computed once for the whole report
    associations.summary(ctx, screen, kpis)
    associations.national_table(ctx, screen)
    associations.heatmap_chart(ctx, screen)          # the same p-values as the table

The p-values come from one computation per report: Spearman's rho with the
t distribution (n − 2 degrees of freedom, as :func:`scipy.stats.spearmanr`),
adjusted with Holm's method over the report's pairs. No permutations, so
the significant set cannot change with a random seed, and the table and the
heatmap always agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from fou.core import registry, sv
from fou.plotting import correlation_heatmap, new_figure, scatter_labelled
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Note, Table
from fou.reports.findings import Finding, summary_note
from fou.stats import (
    expected_false_positives,
    gr_vs_national,
    min_significant_r,
    pooled_associations,
)
from fou.stats.correlation import pair_count

#: A cross-domain selection of key figures (hemtjänst-oriented).
ASSOCIATION_KPIS: tuple[str, ...] = (
    "U21463",
    "U21468",
    "U21477",
    "U21401",
    "N21608",
    "N21006",
    "N20900",
    "N20897",
    "N20402",
)
#: A key figure enters an association screen only with values for this many of the 13.
MIN_GR_VALUES = 10
#: How the reports' p-values are computed (said in captions).
P_METHOD = "t-fördelning med n − 2 frihetsgrader, Holm-justerade"


def candidate_kpis(
    ctx: ReportContext, *, candidates: Sequence[str] = ASSOCIATION_KPIS, min_gr: int = MIN_GR_VALUES
) -> list[str]:
    """Candidates with values for at least *min_gr* GR municipalities in the year."""
    v = ctx.values
    sel = v[
        (v["year"] == ctx.year)
        & v["municipality_id"].isin(registry.GR_MUNICIPALITIES)
        & (v["gender"] == "T")
        & v["value"].notna()
    ]
    counts = sel.groupby("kpi")["municipality_id"].nunique()
    return [k for k in candidates if counts.get(k, 0) >= min_gr]


def screen(ctx: ReportContext, kpis: Sequence[str]) -> pd.DataFrame:
    """Every pair among the 13 and among all municipalities, with Holm-adjusted p-values.

    One computation per report: the table, the heatmap and the summary read it.
    """
    return gr_vs_national(
        ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year, n_resamples=None
    )


def gr_part(screen: pd.DataFrame) -> pd.DataFrame:
    """The GR-13 columns of a screen as a plain screen table (``x, y, r, p_adj, …``)."""
    cols = ["n", "r", "ci_low", "ci_high", "p_val", "p_adj", "significant"]
    out = screen[["x", "y", "year", "method", "adjust", *(f"{c}_gr" for c in cols)]]
    return out.rename(columns={f"{c}_gr": c for c in cols}).assign(scope="gr")


def multiple_testing_note(ctx: ReportContext, kpis: Sequence[str]) -> Note:
    """How strong a correlation must be at n = 13 and with all municipalities; false positives."""
    k = len(kpis)
    pairs = pair_count(k)
    n_all = len(ctx.municipal_ids)
    return Note(
        items=(
            f"Med 13 kommuner måste |r| vara minst {sv.number(min_significant_r(13), 2)} för att "
            f"vara signifikant på 5 %-nivån (utan korrektion); med alla {n_all} kommuner räcker "
            f"{sv.number(min_significant_r(n_all), 2)}.",
            f"{k} nyckeltal ger {pairs} par. Om inget samband fanns skulle ändå omkring "
            f'{sv.number(expected_false_positives(pairs), 1)} par se ut som "samband" på '
            "5 %-nivån. Därför justeras p-värdena med Holms metod.",
        ),
    )


def _r_text(r: float, lo: float, hi: float, n: Any) -> str:
    if pd.isna(r):
        return f"{sv.MISSING} (n = {sv.integer(n)})"
    return f"{sv.number(r, 2)} {sv.interval(lo, hi)}, n = {sv.integer(n)}"


def _pair(ctx: ReportContext, x: str, y: str) -> str:
    return f"{ctx.catalog.label(x)} – {ctx.catalog.label(y)}"


def summary(ctx: ReportContext, screen: pd.DataFrame, kpis: Sequence[str]) -> Note:
    """Sammanfattning: how many pairs hold after Holm, the strongest, and what GR-13 can say."""
    gr = gr_part(screen).dropna(subset=["r"])
    n_sig = int(gr["significant"].sum())
    items = [
        Finding(
            "antal",
            f"{n_sig} av {len(gr)} par av nyckeltal har ett samband bland GR:s 13 kommuner "
            f"{ctx.year} som håller efter Holm-justering för {len(gr)} test; väntat antal "
            "falska samband utan justering vore "
            f"{sv.number(expected_false_positives(len(gr)), 1)}.",
        )
    ]
    if not gr.empty:
        top = gr.loc[gr["r"].abs().idxmax()]
        strength = (
            "håller efter justering" if top["significant"] else "är inte säkert efter justering"
        )
        items.append(
            Finding(
                "starkast",
                f"Starkast är {_pair(ctx, top['x'], top['y'])}: rho {sv.number(top['r'], 2)}, "
                f"95 % KI {sv.number(top['ci_low'], 2)} till {sv.number(top['ci_high'], 2)}; "
                f"sambandet {strength} (p {sv.pvalue(top['p_adj'])}).",
            )
        )
    agree = screen["pattern"].value_counts()
    if len(screen):
        items.append(
            Finding(
                "riket",
                f"För {sv.integer(agree.get('GR förenligt med riket', 0))} av {len(screen)} par "
                "ligger rikets samband inom GR:s konfidensintervall; det är svagt stöd, eftersom "
                "intervallen med 13 kommuner är breda.",
            )
        )
    items.append(
        Finding(
            "ekologiskt",
            f"Med 13 kommuner krävs |r| ≥ {sv.number(min_significant_r(13), 2)} för signifikans; "
            "sambanden gäller kommuner, inte enskilda brukare (ekologiskt felslut).",
        )
    )
    return summary_note(items)


def national_table(ctx: ReportContext, screen: pd.DataFrame) -> Table:
    """GR-13 next to all municipalities (Spearman, Holm), strongest in GR first."""
    res = screen.assign(
        pair=[_pair(ctx, a, b) for a, b in zip(screen["x"], screen["y"], strict=True)],
        gr=[
            _r_text(*t)
            for t in zip(
                screen["r_gr"],
                screen["ci_low_gr"],
                screen["ci_high_gr"],
                screen["n_gr"],
                strict=True,
            )
        ],
        nat=[
            _r_text(*t)
            for t in zip(
                screen["r_riket"],
                screen["ci_low_riket"],
                screen["ci_high_riket"],
                screen["n_riket"],
                strict=True,
            )
        ],
    )
    res = res.reindex(res["r_gr"].abs().sort_values(ascending=False).index)
    columns = (
        Column("pair", "Par", wrap=True),
        Column("gr", "GR-13: rho [95 % KI], n"),
        Column("p_adj_gr", "GR: p (Holm)", "pvalue"),
        Column("nat", "Alla kommuner: rho [95 % KI], n"),
        Column("p_adj_riket", "Alla: p (Holm)", "pvalue"),
        Column("pattern", "GR jämfört med riket", wrap=True),
    )
    return Table(
        res,
        columns,
        caption=f"Spearmans rangkorrelation {ctx.year}, starkast i GR först; p-värden: {P_METHOD}",
        name="GR och riket",
    )


def heatmap_chart(ctx: ReportContext, screen: pd.DataFrame, *, scope_text: str = "") -> Chart:
    """Correlations among the 13; * marks pairs significant after Holm, as in the table."""
    gr = gr_part(screen)
    fig, ax = new_figure((8.5, 7.0))
    correlation_heatmap(gr, catalog=ctx.catalog, labels="title", ax=ax)
    n_sig = int(gr["significant"].sum())
    return Chart(
        fig,
        f"Spearmans rho mellan nyckeltalen bland GR:s 13 kommuner {ctx.year}{scope_text}. "
        f"* = signifikant efter Holm-justering för {len(gr)} par ({P_METHOD}); {n_sig} av "
        f"{len(gr)} par är signifikanta. Färgen visar riktning och styrka, inte säkerhet.",
        source=ctx.source,
        name="sambandsmatris",
    )


def strongest_pair(screen: pd.DataFrame) -> tuple[str, str, pd.Series]:
    """The pair with the largest |r| among the 13."""
    gr = gr_part(screen).dropna(subset=["r"])
    row = gr.loc[gr["r"].abs().idxmax()]
    return str(row["x"]), str(row["y"]), row


def scatter_chart(ctx: ReportContext, x: str, y: str, row: pd.Series | None = None) -> Chart:
    """All municipalities in grey, GR-13 highlighted, the report's municipality in focus."""
    v = ctx.values
    sel = v[
        v["kpi"].isin([x, y])
        & (v["year"] == ctx.year)
        & (v["gender"] == "T")
        & ~v["municipality_id"].str.startswith("00")
    ]
    wide = sel.pivot_table(
        index="municipality_id", columns="kpi", values="value", aggfunc="first", dropna=False
    ).reset_index()
    note = None
    if row is not None:
        note = f"GR: rho = {_r_text(row['r'], row['ci_low'], row['ci_high'], row['n'])}"
    fig, ax = new_figure((8, 5.5))
    scatter_labelled(
        wide, x=x, y=y, focus=ctx.municipality_id, annotation=note, catalog=ctx.catalog, ax=ax
    )
    return Chart(
        fig,
        f"{_pair(ctx, x, y)}: varje punkt är en kommun {ctx.year}; GR:s 13 kommuner är "
        "markerade. Sambandet gäller kommuner, inte enskilda personer (ekologiskt felslut).",
        source=ctx.source,
        name="starkaste_paret",
    )


def pooled_table(ctx: ReportContext, x: str, y: str) -> Table:
    """Within- and between-municipality association over all years (GR, Holm over the two rows)."""
    res = pooled_associations(ctx.values, x=x, y=y, municipalities="gr")
    res = res.assign(
        rtext=[
            _r_text(*t) for t in zip(res["r"], res["ci_low"], res["ci_high"], res["n"], strict=True)
        ]
    )
    columns = (
        Column("level", "Nivå"),
        Column("years", "År"),
        Column("rtext", "r [95 % KI], n (kommun-år)"),
        Column("p_adj", "p (Holm, 2 test)", "pvalue"),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res,
        columns,
        caption=f"{_pair(ctx, x, y)}: inom kommun (upprepade mätningar) och mellan kommuner "
        "(korrelation av medelvärden)",
        name="Inom och mellan",
    )
