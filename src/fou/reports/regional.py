"""Regional översikt: a FoU report on the 13 GR municipalities, domain by domain.

Used by ``notebooks/regional_report.ipynb``. The main body:

1. :func:`summary` – Sammanfattning: GR against Riket, the clearest changes
   of GR-snittet (over the same municipalities), associations, data gaps;
2. :func:`data_facts` – what the data are (for the chapter "Om nyckeltalen och data");
3. :func:`domain_chapter` – per domain an overview matrix of the 13 ×
   the domain's key figures (coloured only beyond the uncertainty, missing
   marked) and a short text of what stands out (:func:`domain_text`);
4. :func:`associations_chapter` – Holm-corrected associations within each domain;
5. :func:`data_gaps_table` – what could not be measured, where and why.

The appendix (bilaga) holds one section per key figure (:func:`kpi_section`:
the 13 side by side, a trend panel, its data problems) and the list of key
figures with Kolada's titles.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.core.tidy import select
from fou.plotting import new_figure, position_matrix, trend_plot
from fou.quality import KINDS
from fou.reports import associations
from fou.reports.common import (
    break_notes,
    domain_kpis,
    has_values,
    kpi_appendix,
    preliminary_costs,
)
from fou.reports.context import ReportContext
from fou.reports.display import Block, Chart, Column, Heading, Note, Table
from fou.reports.findings import Finding, summary_note
from fou.reports.wording import amount, amount_range, difference, prices_note
from fou.stats import gr_overview, trend_table
from fou.stats.position import group_against_riket, group_change, position_table

#: Years in a key figure's trend panel.
TREND_YEARS = 8
N_GR = len(registry.GR_MUNICIPALITIES)


def report_kpis(ctx: ReportContext) -> list[str]:
    """Every key figure of the report, domain by domain."""
    return [k for d in ctx.catalog.domains() for k in ctx.catalog.ids(domain=d)]


# --------------------------------------------------------------------------- summary


def _riket_findings(ctx: ReportContext, kpis: Sequence[str]) -> list[Finding]:
    g = group_against_riket(ctx.values, kpis=kpis, year=ctx.year, catalog=ctx.catalog)
    judged = g[g["verdict"].isin(["bättre", "sämre"])]
    n = len(g[g["position"] != "saknas"])
    better, worse = (
        int((judged["verdict"] == "bättre").sum()),
        int((judged["verdict"] == "sämre").sum()),
    )
    apart = int((g["verdict"] == "avviker").sum())
    if better or worse or apart:
        counted = {
            "bättre än riket": better,
            "sämre än riket": worse,
            "skilt från riket utan att något håll är bättre": apart,
        }
        parts = [
            f"{w} för {sv.quantity(k, 'nyckeltal', 'nyckeltal')}" for w, k in counted.items() if k
        ]
        rest = n - better - worse - apart
        text = (
            f"GR-snittet är {sv.join(parts)} av de {n} som har värden {ctx.year} och kan jämföras "
            "med riket, där skillnaden är större än osäkerheten i snittet av de 13 kommunerna "
            f"(95 % konfidensintervall); övriga {rest} ligger nära riket."
        )
    else:
        text = (
            f"För inget av de {n} nyckeltal som har värden {ctx.year} och kan jämföras med riket "
            "är GR-snittet tydligt bättre eller sämre än riket: skillnaderna ryms i osäkerheten "
            "i snittet av de 13 kommunerna (95 % konfidensintervall)."
        )
    out = [Finding("riket", text, 10.0)]
    if not judged.empty:
        top = judged.assign(rel=(judged["diff"] / (judged["ci_high"] - judged["ci_low"])).abs())
        r = top.sort_values("rel", ascending=False).iloc[0]
        out.append(
            Finding(
                "riket",
                f"Tydligast {r.verdict} än riket: {ctx.catalog.label(r.kpi)}, GR-snittet "
                f"{amount(r['mean'], r.kpi, ctx.catalog)} "
                f"mot riket {amount(r.riket, r.kpi, ctx.catalog)} (95 % KI för GR-snittet "
                f"{amount_range(r.ci_low, r.ci_high, r.kpi, ctx.catalog)}).",
                9.0,
            )
        )
    return out


def _clear_of_zero(ctx: ReportContext, kpi: str, *values: float) -> bool:
    """True when none of *values* is shown as zero at the key figure's decimals."""
    d = ctx.catalog.decimals(kpi)
    return not any(sv.rounds_to_zero(v, d) for v in values)


def change_findings(ctx: ReportContext, kpis: Sequence[str], *, limit: int = 2) -> list[Finding]:
    """The clearest changes of GR-snittet since last year, over the same municipalities."""
    brk = ctx.catalog.breaks
    broken = set(brk.loc[brk["year"] == ctx.year, "kpi"])
    comparable = [k for k in kpis if k not in broken]
    c = group_change(ctx.values, kpis=comparable, year=ctx.year)
    c = c[(c["n_both"] >= 3) & ((c["ci_low"] > 0) | (c["ci_high"] < 0))]
    # As printed, the change and both ends of its interval must be clear of zero.
    clear = [_clear_of_zero(ctx, r.kpi, r.change, r.ci_low, r.ci_high) for r in c.itertuples()]
    c = c[np.array(clear, dtype=bool)]
    if c.empty:
        return [
            Finding(
                "förändring",
                f"Ingen förändring av GR-snittet sedan {ctx.year - 1} är större än osäkerheten "
                "(95 % konfidensintervall över kommunernas förändringar, samma kommuner båda "
                "åren).",
                5.0,
            )
        ]
    c = c.assign(rel=(c["change"] / (c["ci_high"] - c["ci_low"])).abs())
    out = []
    for r in c.sort_values("rel", ascending=False).head(limit).itertuples(index=False):
        verb = "ökade" if r.change > 0 else "minskade"
        out.append(
            Finding(
                "förändring",
                f"{ctx.catalog.label(r.kpi)}: GR-snittet {verb} med "
                f"{difference(r.change, r.kpi, ctx.catalog)}{prices_note(r.kpi, ctx.catalog)} "
                f"sedan {r.previous_year} (de "
                f"{r.n_both} kommuner som har värden båda åren; 95 % KI "
                f"{difference(r.ci_low, r.kpi, ctx.catalog, signed=True)} till "
                f"{difference(r.ci_high, r.kpi, ctx.catalog, signed=True)}).",
                8.0,
                r.kpi,
            )
        )
    return out


def _gaps_finding(ctx: ReportContext, kpis: Sequence[str]) -> Finding:
    have = _have_counts(ctx, kpis)
    none = [k for k in kpis if have.get(k, 0) == 0]
    some = [k for k in kpis if 0 < have.get(k, 0) < N_GR]
    text = (
        f"{len(none)} av {len(kpis)} nyckeltal saknar värde för alla 13 kommuner {ctx.year} och "
        f"{len(some)} för några av dem; kapitlet Brister i data visar var och varför. Ett saknat "
        "värde är okänt, inte noll."
    )
    return Finding("saknas", text, 1.0)


def summary(ctx: ReportContext, issues: pd.DataFrame) -> Note:
    """Sammanfattning of the regional report (3–6 findings, the rules in the module docstrings)."""
    kpis = [k for k in report_kpis(ctx) if ctx.catalog.comparable(k)]
    items = _riket_findings(ctx, kpis) + change_findings(ctx, kpis)
    screens = [_domain_screen(ctx, d) for d in ctx.catalog.domains()]
    n_pairs = sum(len(s) for s in screens if s is not None)
    n_sig = sum(int(s["significant_gr"].sum()) for s in screens if s is not None)
    if n_pairs:
        items.append(
            Finding(
                "samband",
                f"{n_sig} av {n_pairs} prövade par av nyckeltal inom samma område har ett "
                "samband bland de 13 kommunerna som håller efter Holm-justering; sambanden "
                "gäller kommuner, inte enskilda personer.",
                3.0,
            )
        )
    items.append(_gaps_finding(ctx, report_kpis(ctx)))
    return summary_note(items[:6])


# --------------------------------------------------------------------------- the data


def data_facts(ctx: ReportContext) -> Note:
    """Facts for "Om nyckeltalen och data": how many key figures, years, response rates."""
    kpis = report_kpis(ctx)
    have = _have_counts(ctx, kpis)
    with_values = sum(1 for k in kpis if have.get(k, 0))
    years = ctx.dataset.years
    rates = []
    for kpi in ("U23593", "U23595"):
        v = ctx.values_of(kpi)
        mask = (v["kpi"] == kpi) & (v["year"] == ctx.year) & (v["gender"] == "T")
        sel = v.loc[mask & v["municipality_id"].isin(registry.GR_MUNICIPALITIES), "value"].dropna()
        if len(sel):
            rates.append(
                f"{ctx.catalog.label(kpi).lower()} {sv.number(sel.min(), 0)}–"
                f"{sv.number(sel.max(), 0)} %"
            )
    items = [
        f"Rapporten bygger på {len(kpis)} nyckeltal i {len(ctx.catalog.domains())} områden; "
        f"{with_values} av dem har värden för GR-kommunerna {ctx.year}.",
        f"Datamängden omfattar åren {sv.year_span(years[0], years[-1])}. {ctx.source}.",
    ]
    if rates:
        items.append(
            f"Svarsfrekvens i brukarundersökningen {ctx.year} bland GR-kommunerna: "
            f"{sv.join(rates)}."
        )
    brk = break_notes(ctx, kpis)
    if brk:
        items.append("Kända definitionsbyten: " + "; ".join(brk) + ".")
    ended = break_notes(ctx, kpis, ended=True)
    if ended:
        items.append("Upphörda nyckeltal: " + "; ".join(ended) + ".")
    costs = preliminary_costs(ctx)
    if costs is not None:
        items += costs.paragraphs
    return Note(items=tuple(items))


# --------------------------------------------------------------------------- domain chapters


def _have_counts(ctx: ReportContext, kpis: Sequence[str]) -> dict[str, int]:
    sel = select(
        ctx.values_of(kpis),
        kpis=list(kpis),
        municipalities=registry.GR_MUNICIPALITIES,
        years=ctx.year,
    )
    return sel.dropna(subset=["value"]).groupby("kpi")["municipality_id"].nunique().to_dict()


def _in_thousands(ctx: ReportContext, kpi: str) -> bool:
    """Kronor per person in a matrix cell are written in thousands (``45`` for 45 210 kr)."""
    match = ctx.catalog.kpis.loc[ctx.catalog.kpis["kpi"] == kpi, "unit"]
    return bool(len(match)) and str(match.iloc[0]) == "sek"


def overview_matrix(ctx: ReportContext, domain: str) -> Chart:
    """The 13 × the domain's key figures, coloured by the verdict against GR-snittet.

    Cells hold the values with the catalogue's decimals; kronor are written
    in thousands (tkr), marked in the row label, so that every cell stays legible.
    """
    kpis = domain_kpis(ctx, domain)
    pos = position_table(ctx.values, kpis=kpis, year=ctx.year, catalog=ctx.catalog)
    text = pos.pivot_table(
        index="kpi", columns="municipality_id", values="value", aggfunc="first", dropna=False
    ).reindex(index=kpis)

    def cell(kpi: str, value: float) -> str:
        if _in_thousands(ctx, kpi):
            return sv.number(value / 1000, 0, missing="")
        return sv.number(value, ctx.catalog.decimals(kpi), missing="")

    cells = text.apply(lambda col: [cell(k, v) for k, v in col.items()])
    thousands = [k for k in kpis if _in_thousands(ctx, k)]
    labels = {k: ctx.catalog.label(k) + (" (tkr)" if k in thousands else "") for k in kpis}
    fig, ax = new_figure((8.8, 0.42 * len(kpis) + 2.3))
    position_matrix(pos, text=cells, labels=labels, catalog=ctx.catalog, ax=ax)
    unit_note = " Kostnader per person i tusen kronor (tkr)." if thousands else ""
    return Chart(
        fig,
        f"{sv.capitalise(domain)} {ctx.year}: varje ruta är en kommuns värde. Blå = bättre och "
        "orange = sämre än GR-snittet, lila = avviker från snittet där inget håll är bättre, bara "
        "där skillnaden är större än osäkerheten (för enkätfrågor ett intervall från antalet "
        "svarande, annars mer än en standardavvikelse mellan kommunerna). Med många svarande "
        "blir intervallet smalt, så även en liten skillnad kan få färg. Grått = inom "
        "osäkerheten; streckat = saknas." + unit_note,
        source=ctx.source,
        name=f"matris_{sv.slug(domain)}",
    )


def domain_text(ctx: ReportContext, domain: str) -> Note:
    """What stands out in a domain, in a few computed sentences."""
    kpis = domain_kpis(ctx, domain)
    pos = position_table(ctx.values, kpis=kpis, year=ctx.year, catalog=ctx.catalog)
    sentences = []
    g = group_against_riket(ctx.values, kpis=kpis, year=ctx.year, catalog=ctx.catalog)
    judged = g[g["verdict"].isin(["bättre", "sämre"])]
    if len(g[g["position"] != "saknas"]):
        better = [ctx.catalog.label(k) for k in judged.loc[judged["verdict"] == "bättre", "kpi"]]
        worse = [ctx.catalog.label(k) for k in judged.loc[judged["verdict"] == "sämre", "kpi"]]
        apart = [ctx.catalog.label(k) for k in g.loc[g["verdict"] == "avviker", "kpi"]]
        parts = []
        if better:
            parts.append(f"bättre än riket för {sv.join(better)}")
        if worse:
            parts.append(f"sämre än riket för {sv.join(worse)}")
        if apart:  # a difference beyond the uncertainty where neither direction is better
            parts.append(f"skilt från riket (inget håll är bättre) för {sv.join(apart)}")
        sentences.append(
            "GR-snittet är " + "; ".join(parts) + "."
            if parts
            else "GR-snittet skiljer sig inte från riket mer än osäkerheten för något nyckeltal."
        )
    counts = (
        pos[pos["verdict"].isin(["bättre", "sämre"])].groupby(["municipality_id", "verdict"]).size()
    )
    n_kpis = int(pos.loc[pos["position"] != "saknas", "kpi"].nunique())
    for verdict, word in (("bättre", "bättre"), ("sämre", "sämre")):
        if verdict in counts.index.get_level_values(1):
            per = counts.xs(verdict, level=1).sort_values(ascending=False)
            top = per[per == per.iloc[0]]
            if per.iloc[0] >= 2:
                names = sv.join([registry.municipality_name(m) for m in top.index])
                sentences.append(
                    f"Flest nyckeltal tydligt {word} än GR-snittet: {names} "
                    f"({per.iloc[0]} av {n_kpis})."
                )
    ch = change_findings(ctx, kpis, limit=1)
    if ch and ch[0].kpi is not None:
        sentences.append(ch[0].text)
    have = _have_counts(ctx, kpis)
    none = [ctx.catalog.label(k) for k in kpis if not have.get(k)]
    if none:
        sentences.append(f"Inga värden {ctx.year} för {sv.join(none)}.")
    return Note(tuple(sentences))


def domain_chapter(ctx: ReportContext, domain: str) -> list[Block]:
    """A domain of the main body: its heading, what stands out, then the overview matrix."""
    return [
        Heading(sv.capitalise(domain), level=2),
        domain_text(ctx, domain),
        overview_matrix(ctx, domain),
    ]


# --------------------------------------------------------------------------- associations


def _domain_screen(ctx: ReportContext, domain: str) -> pd.DataFrame | None:
    kpis = associations.candidate_kpis(ctx, candidates=ctx.catalog.ids(domain=domain))
    return associations.screen(ctx, kpis) if len(kpis) >= 2 else None


def associations_chapter(ctx: ReportContext) -> list[Block]:
    """Within each domain: the pairs whose association holds after Holm, in one table."""
    rows = []
    tested = []
    for domain in ctx.catalog.domains():
        s = _domain_screen(ctx, domain)
        if s is None:
            continue
        tested.append(f"{domain} ({len(s)} par)")
        sig = s[s["significant_gr"].astype(bool)]
        for r in sig.itertuples(index=False):
            rows.append(
                {
                    "domain": sv.capitalise(domain),
                    "pair": f"{ctx.catalog.label(r.x)} – {ctx.catalog.label(r.y)}",
                    "r": r.r_gr,
                    "ci": sv.interval(r.ci_low_gr, r.ci_high_gr),
                    "p": r.p_adj_gr,
                    "n": r.n_gr,
                    "pattern": r.pattern,
                }
            )
    intro = Note(
        f"Samband prövas inom varje område mellan nyckeltal som minst "
        f"{associations.MIN_GR_VALUES} GR-kommuner har värden för {ctx.year}: "
        f"{sv.join(tested) or 'inget område har två sådana nyckeltal'}. Nyckeltal som mäter "
        "samma sak i samma verksamhet (t.ex. vardagar och helger i särskilt boende, eller procent "
        "och miljoner kronor), och ett index och det det är beräknat ur (t.ex. Resursindex och "
        "nettokostnadsavvikelsen), prövas inte mot varandra: att de hänger ihop är väntat. "
        "Samma fråga i hemtjänst och i särskilt boende prövas; ett samband där speglar ofta "
        "kommunen som helhet. p-värdena är justerade för antalet par i varje område (Holms metod).",
    )
    if not rows:
        return [
            intro,
            Note("Inget par har ett samband som håller när hänsyn tas till antalet par."),
        ]
    columns = (
        Column("domain", "Område"),
        Column("pair", "Par", wrap=True),
        Column("r", "rho", "number", 2),
        Column("ci", "95 % KI"),
        Column("p", "p (Holm)", "pvalue"),
        Column("n", "n", "integer"),
        Column("pattern", "GR jämfört med riket", wrap=True, optional=True),
    )
    caption = f"Samband som håller efter Holm-justering bland GR:s 13 kommuner {ctx.year}"
    return [intro, Table(pd.DataFrame(rows), columns, caption=caption, name="Samband")]


# --------------------------------------------------------------------------- data gaps


def _lacking(ctx: ReportContext, kpi: str) -> str:
    """The GR municipalities without a value for *kpi* in the year, by name (``alla`` for 13)."""
    sel = select(
        ctx.values_of(kpi), kpis=[kpi], municipalities=registry.GR_MUNICIPALITIES, years=ctx.year
    )
    have = set(sel.dropna(subset=["value"])["municipality_id"])
    names = [registry.municipality_name(m) for m in registry.GR_MUNICIPALITIES if m not in have]
    if len(names) == N_GR:
        return "alla"
    return ", ".join(sorted(names, key=sv.sort_key))


def data_gaps_table(ctx: ReportContext, issues: pd.DataFrame) -> Table:
    """Per key figure: how many of the 13 lack a value this year, and the stated reasons."""
    ids = ctx.catalog.ids()
    have = _have_counts(ctx, ids)
    relevant = issues[
        issues["municipality_id"].isin(registry.GR_MUNICIPALITIES)
        | issues["municipality_id"].isna()
    ]
    reasons = relevant.groupby("kpi")["check"].agg(
        lambda s: ", ".join(sorted({KINDS[str(k)].label for k in s}))
    )
    out = pd.DataFrame({"kpi": ids})
    out["label"] = out["kpi"].map(ctx.catalog.label)
    out["domain"] = out["kpi"].map(lambda k: sv.capitalise(str(ctx.catalog.row(k)["domain"])))
    out["missing"] = N_GR - out["kpi"].map(have).fillna(0).astype(int)
    out["which"] = out["kpi"].map(lambda k: _lacking(ctx, k))
    out["reasons"] = out["kpi"].map(reasons).fillna("")
    out = out[out["missing"] > 0].sort_values(["missing", "domain"], ascending=[False, True])
    columns = (
        Column("domain", "Område"),
        Column("label", "Nyckeltal", wrap=True),
        Column("kpi", "Id"),
        Column("missing", "Saknas (av 13)", "integer"),
        Column("which", "Saknas för", wrap=True),
        Column("reasons", "Brister som kontrollerna fann", wrap=True),
    )
    return Table(
        out,
        columns,
        caption=f"Nyckeltal där GR-kommuner saknar värde {ctx.year} (antal av 13) och de "
        "brister som kontrollerna fann",
        name="Brister per nyckeltal",
    )


# --------------------------------------------------------------------------- appendix


def overview_table(ctx: ReportContext, kpi: str, *, overview: pd.DataFrame | None = None) -> Table:
    """The 13 GR municipalities side by side for one key figure (best first).

    What every row would repeat (how many of the 13 the GR mean rests on, a
    definition break) is said once in the caption; columns with nothing in
    them (no rank for costs, no comments) are left out. *overview* is the key
    figure's :func:`~fou.stats.gr_overview` when the caller has it already.
    """
    res = (
        gr_overview(ctx.values_of(kpi), kpi=kpi, year=ctx.year, catalog=ctx.catalog)
        if overview is None
        else overview
    )
    comparable = ctx.catalog.comparable(kpi)
    if not comparable:  # Riket's value is the country's sum, not comparable with a municipality
        res = res.assign(riket=np.nan, diff_riket=np.nan)
    shared = _common_notes(res["note"])
    res = res.assign(note=res["note"].map(lambda n: _without(n, shared)))
    d = ctx.catalog.decimals(kpi)
    columns = [
        Column("municipality", "Kommun"),
        Column("value", f"Värde {ctx.year}", "number", d),
        Column("previous_value", str(ctx.year - 1), "number", d),
        Column("change", "Förändring", "signed", d),
    ]
    if comparable:  # a mean of sizes in mnkr mostly says how big Göteborg is
        columns.append(Column("diff_gr", "Skillnad mot GR-snittet", "signed", d))
        columns.append(Column("diff_riket", "Skillnad mot riket", "signed", d))
    columns.append(Column("rank", "Rang i GR", "integer", optional=True))
    columns.append(Column("note", "Kommentar", wrap=True, optional=True))
    caption = (
        f"{ctx.year}: GR-snitt {amount(res['gr_mean'].iloc[0], kpi, ctx.catalog)}, "
        f"riket {amount(res['riket'].iloc[0], kpi, ctx.catalog)}"
        if comparable
        else f"{ctx.year}: belopp som växer med kommunens storlek; inget snitt eller rang, och "
        "riket (landets summa) anges inte"
    )
    notes = [sv.capitalise(n) + "." for n in shared]
    if res["rank"].notna().any():
        notes.append("Rang 1 = bäst bland GR-kommunerna med värde.")
    return Table(
        res,
        tuple(columns),
        caption=caption,
        name=kpi,
        notes=tuple(notes),
    )


def _common_notes(notes: pd.Series) -> list[str]:
    """Note parts that every row with a note shares (said once, under the table)."""
    parts = [set(str(n).split("; ")) - {""} for n in notes if str(n)]
    if len(parts) < 2:
        return []
    common = set.intersection(*parts)
    return [p for p in str(notes[notes.astype(str) != ""].iloc[0]).split("; ") if p in common]


def _without(note: str, shared: list[str]) -> str:
    return "; ".join(p for p in str(note).split("; ") if p and p not in shared)


def gr_trend_data(ctx: ReportContext, kpi: str, years: Sequence[int]) -> pd.DataFrame:
    """Long table (kpi, year, series, value) of the 13, their unweighted mean and Riket."""
    ids = [*registry.GR_MUNICIPALITIES]
    if ctx.catalog.comparable(kpi):  # for sizes in mnkr Riket is the country's sum
        ids.append(registry.RIKET)
    of_kpi = ctx.values_of(kpi)
    sel = select(of_kpi, kpis=kpi, municipalities=ids, years=years)
    sel = sel.drop_duplicates(["municipality_id", "year"])
    rows = sel.assign(series=sel["municipality_id"].map(registry.municipality_name))[
        ["year", "series", "value"]
    ]
    # The GR-snitt series of any member's trend table is the unweighted mean of
    # the 13, year by year (the same mean as gr_overview's gr_mean).
    trend = trend_table(
        of_kpi, municipality=registry.GR_MUNICIPALITIES[0], kpi=kpi, years=list(years)
    )
    means = trend.loc[trend["series_kind"] == "gr", ["year", "series", "value"]]
    if not ctx.catalog.comparable(kpi):
        means = means.iloc[0:0]  # no mean of sizes: the 13 alone
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
    trend_plot(
        data,
        highlight="GR-snitt",
        background=names,
        background_label="GR-kommunerna",
        catalog=ctx.catalog,
        title=ctx.catalog.label(kpi),
        ax=ax,
    )
    notes = break_notes(ctx, [kpi])
    return Chart(
        fig,
        f"Utveckling {sv.year_span(years[0], years[-1])}: GR-snittet (ovägt medel) och riket; de "
        "tunna grå linjerna är de 13 kommunerna, var för sig."
        + (f" Definitionsbyte: {notes[0]}." if notes else ""),
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
        own,
        columns,
        caption=f"Brister i data för {ctx.catalog.label(kpi)} ({ctx.year})",
        name=f"{kpi}_brister",
    )


def kpi_section(ctx: ReportContext, kpi: str, issues: pd.DataFrame) -> list[Block]:
    """One key figure for the appendix: the 13 side by side, a trend panel, what is missing."""
    heading = Heading(f"{ctx.catalog.label(kpi)} ({kpi})", level=4)
    res = gr_overview(ctx.values_of(kpi), kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    if res["value"].isna().all():
        # No table of thirteen dashes: one sentence says what is missing and why.
        reason = _reason_text(str(res["note"].iloc[0]))
        return [
            heading,
            Note(f"Inget värde för någon GR-kommun {ctx.year}: {reason}.", kind="missing"),
        ]
    blocks: list[Block] = [heading, overview_table(ctx, kpi, overview=res)]
    # Sizes in mnkr: Göteborg's line would flatten the other twelve; the table says it all.
    if has_values(ctx, kpi) and ctx.catalog.comparable(kpi):
        chart = trend_chart(ctx, kpi)
        if chart is not None:
            blocks.append(chart)
    problems = kpi_issues_table(ctx, kpi, issues)
    if problems is not None:
        blocks.append(problems)
    return blocks


def _reason_text(note: str) -> str:
    """The first reason of a note, without its ``värde saknas:`` prefix."""
    first = note.split("; ")[0]
    for prefix in ("värde saknas: ", "föregående år saknas: "):
        first = first.removeprefix(prefix)
    return first or "okänd orsak"


def appendix(ctx: ReportContext, issues: pd.DataFrame) -> list[Block]:
    """Bilaga: every key figure of every domain, then the list of key figures."""
    blocks: list[Block] = []
    for domain in ctx.catalog.domains():
        blocks.append(Heading(sv.capitalise(domain), level=3))
        for kpi in ctx.catalog.ids(domain=domain):
            blocks += kpi_section(ctx, kpi, issues)
    return blocks


def kpi_list(ctx: ReportContext) -> Table:
    """The key figures of the report with Kolada's titles and ids."""
    return kpi_appendix(ctx, report_kpis(ctx))


__all__ = [
    "appendix",
    "associations_chapter",
    "data_facts",
    "data_gaps_table",
    "domain_chapter",
    "domain_text",
    "gr_trend_data",
    "kpi_list",
    "kpi_section",
    "overview_matrix",
    "overview_table",
    "summary",
    "trend_chart",
]
