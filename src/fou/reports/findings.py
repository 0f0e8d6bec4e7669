"""The "Sammanfattning" that opens every report: 3–6 findings computed from the data.

Each finding is one sentence with its number, what it is compared with and
how certain it is. The rules that pick them:

1. **Position against GR-snittet** (:func:`level_findings`). A key figure
   becomes a finding only where :func:`fou.stats.position.position_table`
   puts the municipality beyond the uncertainty: for survey shares its Wilson
   95 % interval (from its respondents) excludes GR-snittet; for other key
   figures it lies more than one standard deviation of the 13 from it. Larger
   distances (in units of that uncertainty) come first.
2. **Change since last year** (:func:`change_findings`). For survey shares
   the change must exceed Newcombe's 95 % interval of the difference of the
   two years' shares (each with its own respondents); for other key figures it
   must be more than twice the typical change (the median absolute change)
   among all municipalities that year, i.e. unusual, not the general price and
   volume drift. No change is reported across a definition break or a year
   without the survey, and no position or change that rounds to zero at the
   key figure's decimals.
3. **What is missing and why** (:func:`missing_finding`): how many of the
   report's key figures have no value, grouped by reason.
4. When no position or change passes its rule, the summary says so: a
   difference within the uncertainty is not a finding.

:func:`select` keeps at most four positions and two changes, strongest
first, then the missing values, so that a summary has 3–6 findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fou.core import sv
from fou.reports.context import ReportContext
from fou.reports.display import Note
from fou.reports.shared import shared
from fou.reports.wording import amount, difference, prices_note
from fou.stats.position import position_table, two_proportion_interval

#: At most this many findings of each kind.
MAX_LEVELS = 4
MAX_CHANGES = 2
#: A register change is unusual when it exceeds this many typical (median absolute) changes.
CHANGE_RULE = 2.0


@dataclass(frozen=True)
class Finding:
    """One sentence of a summary.

    Attributes
    ----------
    kind
        ``nivå`` (position against GR-snittet), ``förändring``, ``saknas``,
        ``inget`` (nothing beyond the uncertainty) or a report's own kind.
    text
        The sentence, in Swedish, with its numbers.
    weight
        How strong the evidence is (larger first); in the unit of its rule.
    kpi
        The key figure it is about, if one.
    """

    kind: str
    text: str
    weight: float = 0.0
    kpi: str | None = None


def _survey_respondents(
    ctx: ReportContext, kpi: str, year: int, own: pd.DataFrame | None = None
) -> float:
    """Respondents of survey key figure *kpi* in *year* for the municipality (NaN if none).

    *own* is the municipality's total rows, when the caller has them already.
    """
    row = ctx.catalog.kpis.loc[ctx.catalog.kpis["kpi"] == kpi]
    if row.empty or not bool(row.iloc[0]["survey"]):
        return np.nan
    comp = row.iloc[0]["respondents_kpi"]
    v = _own_rows(ctx) if own is None else own
    sel = v[(v["kpi"] == comp) & (v["year"] == year)]["value"]
    return float(sel.iloc[0]) if len(sel) and pd.notna(sel.iloc[0]) else np.nan


def _own_rows(ctx: ReportContext) -> pd.DataFrame:
    """The municipality's rows for the total (gender T)."""
    v = ctx.values
    return v[(v["municipality_id"] == ctx.municipality_id) & (v["gender"] == "T")]


def level_findings(ctx: ReportContext, kpis: Sequence[str]) -> list[Finding]:
    """Key figures where the municipality lies beyond the uncertainty from GR-snittet."""
    if ctx.municipality_id is None or not kpis:
        return []
    pos = position_table(
        ctx.values,
        kpis=kpis,
        year=ctx.year,
        catalog=ctx.catalog,
        municipalities=[ctx.municipality_id],
    )
    out = []
    for r in pos[pos["position"].isin(["över", "under"])].itertuples(index=False):
        if sv.rounds_to_zero(r.diff_gr, ctx.catalog.decimals(r.kpi)):
            continue  # "0 procentenheter över" is not a finding, whatever the interval says
        label = ctx.catalog.label(r.kpi)
        where = "över" if r.position == "över" else "under"
        judged = f" ({r.verdict})" if r.verdict in ("bättre", "sämre") else ""
        head = (
            f"{label}: {ctx.municipality} {amount(r.value, r.kpi, ctx.catalog)}, "
            f"{difference(r.diff_gr, r.kpi, ctx.catalog)} {where} GR-snittet "
            f"{amount(r.gr_mean, r.kpi, ctx.catalog)}{judged}."
        )
        if r.method == "wilson":
            d = 0 if r.ci_high - r.ci_low >= 3 else 1
            sure = (
                f" Skillnaden är större än osäkerheten: kommunens 95 % konfidensintervall är "
                f"{sv.number(r.ci_low, d)}–{sv.number(r.ci_high, d)}{sv.NBSP}% "
                f"({sv.integer(r.respondents)} svarande)."
            )
        else:
            sure = (
                f" Det är mer än en standardavvikelse ({difference(r.gr_sd, r.kpi, ctx.catalog)}) "
                f"från snittet av de {r.n_gr} GR-kommunerna."
            )
        out.append(Finding("nivå", head + sure, abs(float(r.score)), r.kpi))
    return sorted(out, key=lambda f: -f.weight)


@shared
def _typical_change(ctx: ReportContext, kpi: str) -> float:
    """Median absolute change year - 1 → year among all municipalities (NaN when too few)."""
    v = ctx.values_of(kpi)
    sel = v[
        (v["kpi"] == kpi)
        & (v["gender"] == "T")
        & v["year"].isin([ctx.year - 1, ctx.year])
        & ~v["municipality_id"].astype(str).str.startswith("00")
    ]
    wide = sel.pivot_table(index="municipality_id", columns="year", values="value", aggfunc="first")
    if ctx.year - 1 not in wide or ctx.year not in wide:
        return np.nan
    d = (wide[ctx.year] - wide[ctx.year - 1]).dropna().abs()
    return float(d.median()) if len(d) >= 10 else np.nan


def change_findings(ctx: ReportContext, kpis: Sequence[str]) -> list[Finding]:
    """Changes since last year that are larger than their uncertainty (or than the usual change)."""
    if ctx.municipality_id is None or not kpis:
        return []
    table = ctx.comparisons(kpis)
    prev = ctx.year - 1
    out = []
    own = _own_rows(ctx)
    for r in table.dropna(subset=["change"]).itertuples(index=False):
        if sv.rounds_to_zero(r.change, ctx.catalog.decimals(r.kpi)):
            continue  # a change shown as 0 is never reported
        label = ctx.catalog.label(r.kpi)
        verb = "ökade" if r.change > 0 else "minskade"
        change = difference(r.change, r.kpi, ctx.catalog)
        head = (
            f"{label}: {ctx.municipality} {verb} med {change}{prices_note(r.kpi, ctx.catalog)} "
            f"sedan {prev} "
            f"(från {amount(r.previous_value, r.kpi, ctx.catalog)} till "
            f"{amount(r.value, r.kpi, ctx.catalog)})."
        )
        n1 = _survey_respondents(ctx, r.kpi, ctx.year, own)
        n0 = _survey_respondents(ctx, r.kpi, prev, own)
        if np.isfinite(n1) and np.isfinite(n0):
            _, lo, hi = two_proportion_interval(r.value, n1, r.previous_value, n0)
            if not (lo > 0 or hi < 0):
                continue
            sure = (
                f" Förändringen är större än osäkerheten (95 % KI {sv.number(lo, 1)} till "
                f"{sv.number(hi, 1)} procentenheter, {sv.integer(n0)} och {sv.integer(n1)} "
                "svarande)."
            )
            weight = abs(r.change) / max((hi - lo) / 2, 1e-9)
        else:
            typical = _typical_change(ctx, r.kpi)
            if not np.isfinite(typical) or typical == 0 or abs(r.change) <= CHANGE_RULE * typical:
                continue
            sure = (
                f" Det är mer än dubbelt så mycket som den typiska förändringen bland landets "
                f"kommuner ({difference(typical, r.kpi, ctx.catalog)})."
            )
            weight = abs(r.change) / typical
        out.append(Finding("förändring", head + sure, float(weight), r.kpi))
    return sorted(out, key=lambda f: -f.weight)


def missing_finding(ctx: ReportContext, kpis: Sequence[str]) -> Finding | None:
    """How many of the key figures lack a value this year, and why (None when none do)."""
    if not kpis:
        return None
    if ctx.municipality_id is not None:
        table = ctx.comparisons(kpis)
        missing = table[table["value"].isna()]
        who = ctx.municipality
    else:
        from fou.stats import gr_overview

        rows = [
            gr_overview(ctx.values_of(k), kpi=k, year=ctx.year, catalog=ctx.catalog) for k in kpis
        ]
        table = pd.concat([r.head(1).assign(all_missing=r["value"].isna().all()) for r in rows])
        missing = table[table["all_missing"]]
        who = "alla 13 GR-kommuner"
    if missing.empty:
        return None
    reasons = (
        missing["note"]
        .astype(str)
        .str.split("; ")
        .str[0]
        .str.replace(r"^(värde|föregående år) saknas: ", "", regex=True)
    )
    counts = reasons.value_counts()
    parts = [f"{sv.quantity(n, 'nyckeltal', 'nyckeltal')}: {why}" for why, n in counts.items()]
    text = (
        f"{len(missing)} av {len(kpis)} nyckeltal saknar värde {ctx.year} för {who} "
        f"({'; '.join(parts)}). Ett saknat värde är okänt, inte noll."
    )
    return Finding("saknas", text, 0.0)


def nothing_found(ctx: ReportContext, n_kpis: int, *, n_found: int = 0) -> Finding:
    """The summary's honest sentence about the key figures within the uncertainty."""
    who = ctx.municipality or "GR-kommunerna"
    if n_found == 0:
        text = (
            f"För {who} ligger inget av de {n_kpis} nyckeltalen med värden längre från "
            "GR-snittet än osäkerheten, och ingen förändring sedan förra året är större än den: "
            "skillnaderna kan vara slump."
        )
    else:
        rest = n_kpis - n_found
        text = (
            f"Övriga {sv.quantity(rest, 'nyckeltal', 'nyckeltal')} med värden ligger inom "
            "osäkerheten från GR-snittet; där kan skillnaderna vara slump."
        )
    return Finding("inget", text)


def coverage(ctx: ReportContext, n_have: int, n_all: int) -> Finding:
    """What the summary rests on: how many key figures, compared with what."""
    who = ctx.municipality or "GR:s 13 kommuner"
    return Finding(
        "omfattning",
        f"Sammanfattningen bygger på {n_have} av rapportens {n_all} nyckeltal som har värden "
        f"{ctx.year} för {who}, jämförda med GR-snittet (ovägt medel av de 13 kommunerna).",
    )


def select(
    findings: Iterable[Finding], *, max_levels: int = MAX_LEVELS, max_changes: int = MAX_CHANGES
) -> list[Finding]:
    """Strongest positions and changes first, then the rest in the order given; at most 6."""
    items = list(findings)
    levels = [f for f in items if f.kind == "nivå"][:max_levels]
    changes = [f for f in items if f.kind == "förändring"][:max_changes]
    rest = [f for f in items if f.kind not in ("nivå", "förändring")]
    return (levels + changes + rest)[:6]


def municipality_summary(ctx: ReportContext, kpis: Sequence[str]) -> list[Finding]:
    """The summary of a municipality report over *kpis* (the rules in the module docstring)."""
    v = ctx.values
    present = set(v.loc[(v["year"] == ctx.year) & v["value"].notna(), "kpi"])
    have = [k for k in kpis if k in present]
    # Sizes in mnkr grow with the municipality: not a position, and not a comparable change.
    comparable = [k for k in have if ctx.catalog.comparable(k)]
    levels = level_findings(ctx, comparable)
    changes = change_findings(ctx, comparable)
    chosen = select(levels + changes)
    missing = missing_finding(ctx, kpis)
    tail: list[Finding] = []
    if not chosen or len(chosen) < 3:
        tail.append(nothing_found(ctx, len(have), n_found=len({f.kpi for f in levels})))
    if missing is not None:
        tail.append(missing)
    if len(chosen) + len(tail) < 3:
        tail.append(coverage(ctx, len(have), len(kpis)))
    return (chosen + tail)[:6]


def summary_note(findings: Sequence[Finding]) -> Note:
    """The findings as the report's summary list."""
    return Note(items=tuple(f.text for f in findings), kind="summary")
