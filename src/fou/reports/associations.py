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
from fou.reports.shared import shared
from fou.stats import (
    adjust_pvalues,
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
#: Significance level of the screens.
ALPHA = 0.05
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


@shared
def screen(ctx: ReportContext, kpis: Sequence[str]) -> pd.DataFrame:
    """Every pair among the 13 and among all municipalities, with Holm-adjusted p-values.

    One computation per report: the table, the heatmap and the summary read it.
    Pairs of key figures that measure the same thing (the catalogue's
    ``family``, e.g. weekdays and weekends) or where one is built from the
    other (``built_from``, e.g. an index and its questions) are expected to go
    together and are left out; Holm's correction is over the pairs that remain.
    """
    res = gr_vs_national(
        ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year, n_resamples=None
    )
    keep = [not ctx.catalog.same_family(a, b) for a, b in zip(res["x"], res["y"], strict=True)]
    res = res[keep].reset_index(drop=True)
    for scope in ("gr", "riket"):
        res[f"p_adj_{scope}"] = adjust_pvalues(res[f"p_val_{scope}"].to_numpy(float), method="holm")
        res[f"significant_{scope}"] = res[f"p_adj_{scope}"] < ALPHA
    return res


def expected_pairs(ctx: ReportContext, kpis: Sequence[str]) -> int:
    """How many pairs of *kpis* measure the same thing and are therefore not tested."""
    ids = list(kpis)
    return sum(ctx.catalog.same_family(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])


def gr_part(screen: pd.DataFrame) -> pd.DataFrame:
    """The GR columns of a screen as a plain screen table (``x, y, r, p_adj, …``)."""
    cols = ["n", "r", "ci_low", "ci_high", "p_val", "p_adj", "significant"]
    out = screen[["x", "y", "year", "method", "adjust", *(f"{c}_gr" for c in cols)]]
    return out.rename(columns={f"{c}_gr": c for c in cols}).assign(scope="gr")


def multiple_testing_note(ctx: ReportContext, kpis: Sequence[str]) -> Note:
    """How strong a correlation must be at n = 13 and with all municipalities; false positives."""
    k = len(kpis)
    pairs = pair_count(k) - expected_pairs(ctx, kpis)
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


def _r_text(r: float, lo: float, hi: float, n: Any, usual: int | None = None) -> str:
    """``0,42 [0,10; 0,66]``, with ``n = …`` only where *n* is not the usual count."""
    count = "" if usual is not None and n == usual else f", n = {sv.integer(n)}"
    if pd.isna(r):
        return f"{sv.MISSING} (n = {sv.integer(n)})"
    return f"{sv.number(r, 2)} {sv.interval(lo, hi)}{count}"


def _pair(ctx: ReportContext, x: str, y: str) -> str:
    return f"{ctx.catalog.label(x)} – {ctx.catalog.label(y)}"


def summary(ctx: ReportContext, screen: pd.DataFrame, kpis: Sequence[str]) -> Note:
    """Sammanfattning: how many pairs hold after Holm, the strongest, and what the 13 can say."""
    gr = gr_part(screen).dropna(subset=["r"])
    n_sig = int(gr["significant"].sum())
    how_many = (
        f"Inget av de {len(gr)} paren av nyckeltal har"
        if n_sig == 0
        else f"{n_sig} av {len(gr)} par av nyckeltal har"
    )
    items = [
        Finding(
            "antal",
            f"{how_many} ett samband bland GR:s 13 kommuner {ctx.year} som håller när hänsyn tas "
            f"till att {len(gr)} par prövas (Holms metod); utan den hänsynen skulle omkring "
            f"{sv.number(expected_false_positives(len(gr)), 1)} par se ut som samband av en slump.",
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
                f"sambandet {strength} ({sv.p_phrase(top['p_adj'])}).",
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


def _usual_n(counts: pd.Series) -> int | None:
    """The commonest count of municipalities in a column of pair sizes."""
    counts = counts.dropna()
    return None if counts.empty else int(counts.mode().max())


def national_table(ctx: ReportContext, screen: pd.DataFrame) -> Table:
    """The 13 next to all municipalities (Spearman, Holm), strongest in GR first."""
    n_gr, n_all = _usual_n(screen["n_gr"]), _usual_n(screen["n_riket"])

    def texts(scope: str, usual: int | None) -> list[str]:
        cols = [screen[f"{c}_{scope}"] for c in ("r", "ci_low", "ci_high", "n")]
        return [_r_text(r, lo, hi, n, usual) for r, lo, hi, n in zip(*cols, strict=True)]

    res = screen.assign(
        pair=[_pair(ctx, a, b) for a, b in zip(screen["x"], screen["y"], strict=True)],
        gr=texts("gr", n_gr),
        nat=texts("riket", n_all),
    )
    res = res.reindex(res["r_gr"].abs().sort_values(ascending=False).index)
    columns = (
        Column("pair", "Par", wrap=True),
        Column("gr", "GR: rho [95 % KI]"),
        Column("p_adj_gr", "GR: p (Holm)", "pvalue"),
        Column("nat", "Alla kommuner: rho [95 % KI]"),
        Column("p_adj_riket", "Alla: p (Holm)", "pvalue"),
        Column("pattern", "GR jämfört med riket", wrap=True, optional=True),
    )
    counted = (
        f"Antal kommuner med värden för båda nyckeltalen: {sv.integer(n_gr)} av GR:s 13 och "
        f"{sv.integer(n_all)} i hela landet, där inget annat anges (n = …)."
    )
    return Table(
        res,
        columns,
        caption=f"Spearmans rangkorrelation {ctx.year}, starkast i GR först",
        name="GR och riket",
        notes=(counted, f"p-värden: {P_METHOD}."),
    )


def heatmap_chart(ctx: ReportContext, screen: pd.DataFrame, *, scope_text: str = "") -> Chart:
    """Correlations among the 13; * marks pairs significant after Holm, as in the table."""
    gr = gr_part(screen)
    fig, ax = new_figure((8.5, 7.0))
    correlation_heatmap(gr, catalog=ctx.catalog, labels="title", title="", ax=ax)
    n_sig = int(gr["significant"].sum())
    stars = (
        "Inget par är säkert när hänsyn tas till antalet par (Holms metod)"
        if n_sig == 0
        else f"* = säkert samband när hänsyn tas till att {len(gr)} par prövas (Holms metod); "
        f"{n_sig} av {len(gr)} par"
    )
    return Chart(
        fig,
        f"Spearmans rangkorrelation (rho, från −1 till 1) mellan nyckeltalen bland GR:s 13 "
        f"kommuner {ctx.year}{scope_text}. {stars}. Färgen visar riktning och styrka, inte "
        "säkerhet.",
        source=ctx.source,
        name="sambandsmatris",
    )


def strongest_pair(screen: pd.DataFrame) -> tuple[str, str, pd.Series]:
    """The pair with the largest |r| among the 13."""
    gr = gr_part(screen).dropna(subset=["r"])
    row = gr.loc[gr["r"].abs().idxmax()]
    return str(row["x"]), str(row["y"]), row


def scatter_chart(ctx: ReportContext, x: str, y: str, row: pd.Series | None = None) -> Chart:
    """All municipalities in grey, the 13 highlighted, the report's municipality in focus."""
    v = ctx.values_of([x, y])
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
        Column("note", "Kommentar", wrap=True, optional=True),
    )
    return Table(
        res,
        columns,
        caption=f"{_pair(ctx, x, y)}: inom kommun (upprepade mätningar) och mellan kommuner "
        "(korrelation av medelvärden)",
        name="Inom och mellan",
        notes=tuple(n for n in [levels_note(res)] if n),
    )


def levels_note(pooled: pd.DataFrame) -> str:
    """A plain sentence when the within- and between-municipality associations point apart.

    Parameters
    ----------
    pooled
        :func:`fou.stats.pooled_associations`: rows ``level`` ``inom kommun``
        and ``mellan kommuner`` with ``r`` and ``significant``.

    Returns
    -------
    str
        Empty when the signs agree, a level is missing, or either is zero.
    """
    r = pooled.set_index("level")["r"]
    within, between = r.get("inom kommun"), r.get("mellan kommuner")
    if within is None or between is None or pd.isna(within) or pd.isna(between):
        return ""
    if within * between >= 0:
        return ""
    up, down = (
        ("inom kommun", "mellan kommuner") if within > 0 else ("mellan kommuner", "inom kommun")
    )
    return (
        f"Sambandet är positivt {up} men negativt {down}. Det är inget fel: en kommun kan "
        "förändras åt ett håll över åren medan skillnaderna mellan kommuner går åt ett annat. "
        "Dra inte slutsatser om den ena nivån från den andra."
    )
