"""Samband: do key figures go together across municipalities, and does GR look like Riket?

Used by ``notebooks/associations.ipynb`` (and, for one domain at a time, the
regional report)::

    kpis = associations.candidate_kpis(ctx)
    show(associations.multiple_testing_note(ctx, kpis))
    show(associations.national_table(ctx, kpis))
    screen = associations.gr_screen(ctx, kpis)
    show(associations.heatmap_chart(ctx, screen))
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from fou.core import registry, sv
from fou.plotting import correlation_heatmap, new_figure, scatter_labelled
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Note, Table
from fou.stats import (
    association_screen,
    expected_false_positives,
    gr_vs_national,
    min_significant_r,
    pooled_associations,
)
from fou.stats.correlation import pair_count

#: A cross-domain selection of key figures (hemtjänst-oriented).
ASSOCIATION_KPIS: tuple[str, ...] = (
    "U21463", "U21468", "U21477", "U21401", "N21608", "N21006", "N20900", "N20897", "N20402",
)  # fmt: skip
#: A key figure enters an association screen only with values for this many of the 13.
MIN_GR_VALUES = 10
#: Permutations of the GR screens (at least; more when many pairs are tested).
MIN_RESAMPLES = 1999
#: The screens' random seed.
SEED = 1


def candidate_kpis(
    ctx: ReportContext, *, candidates: Sequence[str] = ASSOCIATION_KPIS, min_gr: int = MIN_GR_VALUES
) -> list[str]:
    """Candidates with values for at least *min_gr* GR municipalities in the year."""
    v = ctx.values
    sel = v[(v["year"] == ctx.year) & v["municipality_id"].isin(registry.GR_MUNICIPALITIES)
            & (v["gender"] == "T") & v["value"].notna()]  # fmt: skip
    counts = sel.groupby("kpi")["municipality_id"].nunique()
    return [k for k in candidates if counts.get(k, 0) >= min_gr]


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


def national_table(ctx: ReportContext, kpis: Sequence[str]) -> Table:
    """GR-13 next to all municipalities (Spearman, Holm, t-test p; no permutations)."""
    res = gr_vs_national(ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year,
                         n_resamples=None)  # fmt: skip
    res = res.assign(
        pair=[f"{a} – {b}" for a, b in zip(res["x"], res["y"], strict=True)],
        gr=[_r_text(*t) for t in zip(res["r_gr"], res["ci_low_gr"], res["ci_high_gr"],
                                     res["n_gr"], strict=True)],
        nat=[_r_text(*t) for t in zip(res["r_riket"], res["ci_low_riket"],
                                      res["ci_high_riket"], res["n_riket"], strict=True)],
    )  # fmt: skip
    res = res.reindex(res["r_gr"].abs().sort_values(ascending=False).index)
    columns = (
        Column("pair", "Par"),
        Column("gr", "GR-13: rho [95 % KI], n"),
        Column("p_adj_gr", "GR: p (Holm)", "pvalue"),
        Column("nat", "Alla kommuner: rho [95 % KI], n"),
        Column("p_adj_riket", "Alla: p (Holm)", "pvalue"),
        Column("pattern", "GR jämfört med riket", wrap=True),
    )
    return Table(
        res, columns, caption=f"Spearmans rangkorrelation {ctx.year}, starkast i GR först",
        name="GR och riket",
    )  # fmt: skip


def resamples_for(n_pairs: int) -> int:
    """Permutations enough that the smallest attainable p can survive Holm over *n_pairs* pairs."""
    return max(MIN_RESAMPLES, math.ceil(n_pairs / 0.025))


def gr_screen(
    ctx: ReportContext, kpis: Sequence[str], *, n_resamples: int = MIN_RESAMPLES
) -> pd.DataFrame:
    """Screen among the 13 with permutation p-values and Holm correction."""
    return association_screen(ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year,
                              municipalities="gr", n_resamples=n_resamples, seed=SEED)  # fmt: skip


def heatmap_chart(ctx: ReportContext, screen: pd.DataFrame) -> Chart:
    """Correlation matrix of the GR screen; * marks pairs significant after Holm."""
    fig, ax = new_figure((8, 6.5))
    correlation_heatmap(screen, catalog=ctx.catalog, ax=ax)
    n_sig = int(screen["significant"].sum())
    return Chart(
        fig,
        f"Spearmans rho mellan nyckeltalen bland GR:s 13 kommuner. * = signifikant efter "
        f"Holm-korrektion för {len(screen)} par (permutationstest). {n_sig} av {len(screen)} "
        "par är signifikanta. Färgen visar riktning och styrka, inte säkerhet.",
        source=ctx.source,
        name="sambandsmatris",
    )


def strongest_pair(screen: pd.DataFrame) -> tuple[str, str, pd.Series]:
    """The pair with the largest |r| in the GR screen."""
    ok = screen.dropna(subset=["r"])
    row = ok.loc[ok["r"].abs().idxmax()]
    return str(row["x"]), str(row["y"]), row


def scatter_chart(ctx: ReportContext, x: str, y: str, row: pd.Series | None = None) -> Chart:
    """All municipalities in grey, GR-13 highlighted, the report's municipality in focus."""
    v = ctx.values
    sel = v[v["kpi"].isin([x, y]) & (v["year"] == ctx.year) & (v["gender"] == "T")
            & ~v["municipality_id"].str.startswith("00")]  # fmt: skip
    wide = sel.pivot_table(index="municipality_id", columns="kpi", values="value", aggfunc="first",
                           dropna=False).reset_index()  # fmt: skip
    note = None
    if row is not None:
        note = f"GR: rho = {_r_text(row['r'], row['ci_low'], row['ci_high'], row['n'])}"
    fig, ax = new_figure((8, 5.5))
    scatter_labelled(wide, x=x, y=y, focus=ctx.municipality_id, annotation=note,
                     catalog=ctx.catalog, ax=ax)  # fmt: skip
    return Chart(
        fig,
        f"Varje punkt är en kommun {ctx.year}; GR:s 13 kommuner är markerade. Sambandet gäller "
        "kommuner, inte enskilda personer (ekologiskt felslut).",
        source=ctx.source,
        name="starkaste_paret",
    )


def pooled_table(ctx: ReportContext, x: str, y: str) -> Table:
    """Within- and between-municipality association over all years (GR, Holm over the two rows)."""
    res = pooled_associations(ctx.values, x=x, y=y, municipalities="gr")
    res = res.assign(rtext=[_r_text(*t) for t in zip(res["r"], res["ci_low"], res["ci_high"],
                                                   res["n"], strict=True)])  # fmt: skip
    columns = (
        Column("level", "Nivå"),
        Column("years", "År"),
        Column("rtext", "r [95 % KI], n (kommun-år)"),
        Column("p_adj", "p (Holm, 2 test)", "pvalue"),
        Column("note", "Kommentar", wrap=True),
    )
    return Table(
        res, columns,
        caption=f"{x} och {y}: inom kommun (upprepade mätningar) och mellan kommuner "
        "(korrelation av medelvärden)",
        name="Inom och mellan",
    )  # fmt: skip
