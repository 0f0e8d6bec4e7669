"""Women and men next to the total, wherever Kolada divides a key figure by gender.

Used by the profile (a table per domain), the regional report (a short
chapter) and the data-quality report (where the split is missing)::

    gender.domain_table(ctx, domain)      # None when the domain has no split
    show(gender.regional_chapter(ctx))
    gender.missing_split_table(ctx)

Which key figures Kolada divides comes from the catalogue (``by_gender``).
A gap (women − men) is shown only where both values are there; its
uncertainty is shown where counts allow (see :mod:`fou.stats.gender`).
"""

from __future__ import annotations

import pandas as pd

from fou.core import registry, sv
from fou.reports.common import alphabetical, unit_short
from fou.reports.context import ReportContext
from fou.reports.display import Block, Column, Heading, Note, Table
from fou.reports.shared import shared
from fou.stats.gender import gender_gaps, group_gender_gap
from fou.stats.survey_change import rounding_slack

__all__ = [
    "domain_table",
    "gender_kpis",
    "missing_split",
    "missing_split_table",
    "regional_chapter",
    "regional_table",
]


def gender_kpis(ctx: ReportContext, domain: str | None = None) -> list[str]:
    """Key figures (of *domain*, or all) that Kolada divides by gender."""
    kpis = ctx.catalog.ids(domain=domain) if domain else ctx.catalog.ids()
    return [k for k in kpis if ctx.catalog.gender_split(k)]


def _gaps(ctx: ReportContext, kpis: list[str], ids: list[str] | None) -> pd.DataFrame:
    return gender_gaps(ctx.values, kpis=kpis, year=ctx.year, catalog=ctx.catalog,
                       municipalities=ids)  # fmt: skip


@shared
def _gr_gaps(ctx: ReportContext, kpis: list[str]) -> pd.DataFrame:
    """Women, men and gap of each of the 13 on *kpis* (the same in every member's profile)."""
    return _gaps(ctx, kpis, list(registry.GR_MUNICIPALITIES))


def _own_gaps(ctx: ReportContext, kpis: list[str]) -> pd.DataFrame:
    """The report's municipality's rows of :func:`fou.stats.gender_gaps`.

    Each row is computed from that municipality's values alone, so a member
    of the 13 takes its rows from the table of the 13, which a batch computes once.
    """
    mid = str(ctx.municipality_id)
    if mid not in registry.GR_MUNICIPALITIES:
        return _gaps(ctx, kpis, [mid])
    g = _gr_gaps(ctx, kpis)
    return g[g["municipality_id"] == mid].reset_index(drop=True)


def domain_table(ctx: ReportContext, domain: str) -> Block | None:
    """The municipality's women, men and gap for the domain's divided key figures."""
    kpis = gender_kpis(ctx, domain)
    if not kpis:
        return None
    g = _own_gaps(ctx, kpis)
    g = g[g["value_t"].notna() | g["value_k"].notna() | g["value_m"].notna()]
    if g.empty:
        return None
    if not (g["status"] != "båda saknas").any():
        return Note(
            f"{sv.capitalise(domain)}: Kolada redovisar "
            f"{sv.quantity(len(g), 'nyckeltal', 'nyckeltal')} per kön, men för "
            f"{ctx.municipality} {ctx.year} saknas uppdelningen på kvinnor och män "
            "(se rapporten Brister i data).",
            kind="missing",
        )
    g = g.assign(
        label=g["kpi"].map(ctx.catalog.label),
        unit_short=[unit_short(ctx, k) for k in g["kpi"]],
        decimals=[ctx.catalog.decimals(k) for k in g["kpi"]],
        ci=[
            sv.interval(lo, hi, 1, missing="")
            for lo, hi in zip(g["ci_low"], g["ci_high"], strict=True)
        ],
        reading=[
            _reading(lo - rounding_slack(k, m), hi + rounding_slack(k, m), 1)
            if pd.notna(lo)
            else ""
            for lo, hi, k, m in zip(
                g["ci_low"], g["ci_high"], g["value_k"], g["value_m"], strict=True
            )
        ],  # the interval widened by what rounding to whole per cent can move a gap
        comment=[_comment(s) for s in g["status"]],
    )
    columns = (
        Column("label", "Nyckeltal", wrap=True),
        Column("unit_short", "Enhet"),
        Column("value_t", "Totalt", "number", "decimals"),
        Column("value_k", "Kvinnor", "number", "decimals"),
        Column("value_m", "Män", "number", "decimals"),
        Column("gap", "Skillnad (kvinnor − män)", "signed", "decimals"),
        Column("ci", "95 % KI", optional=True),
        Column("reading", "Bedömning", wrap=True, optional=True),
        Column("comment", "Kommentar", wrap=True, optional=True),
    )
    notes = [_gap_note(ctx, g)]
    return Table(
        g,
        columns,
        caption=f"{sv.capitalise(domain)}: kvinnor och män i {ctx.municipality} {ctx.year} "
        "(– = värde saknas, inte 0)",
        name=f"Kön {domain}"[:31],
        notes=tuple(notes),
    )


def _gap_note(ctx: ReportContext, g: pd.DataFrame) -> str:
    """What the gap is and what its uncertainty rests on, for the rows shown."""
    survey = g["kpi"].map(lambda k: bool(ctx.catalog.row(k)["survey"]))
    parts = ["Skillnad = kvinnor − män."]
    if g["ci"].astype(bool).any():
        parts.append("95 %-intervallet (Newcombe) bygger på antal svarande per kön.")
    elif survey.any():
        parts.append(
            "Kolada redovisar inte antal svarande per kön i brukarundersökningen, så "
            "skillnaden i en enskild kommun har inget osäkerhetsmått och ska inte tolkas som säker."
        )
    if (~survey).any():
        parts.append("Registeruppgifter räknar alla och visas som de är, utan osäkerhetsmått.")
    return " ".join(parts)


def _comment(status: str) -> str:
    return {
        "båda": "",
        "kvinnor saknas": "Värde för kvinnor saknas; ingen skillnad beräknas.",
        "män saknas": "Värde för män saknas; ingen skillnad beräknas.",
        "båda saknas": "Uppdelning saknas.",
    }[status]


def regional_table(ctx: ReportContext) -> Block:
    """GR's women and men for every divided key figure: means, gap with its t interval, Riket."""
    kpis = gender_kpis(ctx)
    ids = [*registry.GR_MUNICIPALITIES, registry.RIKET]
    g = _gaps(ctx, kpis, ids)
    grp = group_gender_gap(g[g["municipality_id"] != registry.RIKET])
    grp = grp[grp["n_both"] > 0]
    if grp.empty:
        return Note(
            f"Ingen av GR:s kommuner har värden för kvinnor och män {ctx.year}.", kind="missing"
        )
    riket = g[g["municipality_id"] == registry.RIKET].set_index("kpi")
    # a mean of whole per cent gets one decimal; other values keep the catalogue's decimals
    decimals = [_mean_decimals(ctx, k) for k in grp["kpi"]]
    grp = grp.assign(
        label=grp["kpi"].map(ctx.catalog.label),
        decimals=decimals,
        ci=[
            sv.interval(lo, hi, d)
            for lo, hi, d in zip(grp["ci_low"], grp["ci_high"], decimals, strict=True)
        ],
        unit_short=[unit_short(ctx, k) for k in grp["kpi"]],
        riket_dec=[ctx.catalog.decimals(k) for k in grp["kpi"]],
        riket_k=grp["kpi"].map(riket["value_k"]),
        riket_m=grp["kpi"].map(riket["value_m"]),
        reading=[
            _reading(lo, hi, d)
            for lo, hi, d in zip(grp["ci_low"], grp["ci_high"], decimals, strict=True)
        ],
    )
    columns = (
        Column("label", "Nyckeltal", wrap=True),
        Column("unit_short", "Enhet"),
        Column("mean_k", "GR kvinnor", "number", "decimals"),
        Column("mean_m", "GR män", "number", "decimals"),
        Column("gap", "Skillnad (k − m)", "signed", "decimals"),
        Column("ci", "95 % KI"),
        Column("n_both", "Kommuner med båda", "integer"),
        Column("riket_k", "Riket kvinnor", "number", "riket_dec"),
        Column("riket_m", "Riket män", "number", "riket_dec"),
        Column("reading", "Bedömning", wrap=True),
    )
    return Table(
        grp,
        columns,
        caption=f"Kvinnor och män {ctx.year}: GR-snittet (ovägt, över kommunerna med värden "
        "för båda) och riket",
        name="Kvinnor och män",
        notes=(
            "Skillnad = kvinnor − män, medelvärdet av kommunernas skillnader; 95 %-intervallet "
            "bygger på hur skillnaden varierar mellan kommunerna. Bedömningen säger "
            "kvinnor högre eller män högre bara när intervallet inte innehåller 0.",
        ),
    )


def _mean_decimals(ctx: ReportContext, kpi: str) -> int:
    d = ctx.catalog.decimals(kpi)
    return 1 if d == 0 and str(ctx.catalog.row(kpi)["unit"]) in ("percent", "index", "count") else d


def _reading(lo: float, hi: float, decimals: int) -> str:
    """The verdict on a group's gap, judged on the interval as the reader sees it."""
    lo, hi = round(lo, decimals), round(hi, decimals)
    if pd.notna(lo) and lo > 0:
        return "Kvinnor högre"
    if pd.notna(hi) and hi < 0:
        return "Män högre"
    if pd.isna(lo):
        return "För få kommuner"
    return "Ryms i osäkerheten"


def regional_chapter(ctx: ReportContext) -> list[Block]:
    """The regional report's short chapter on women and men."""
    table = regional_table(ctx)
    blocks: list[Block] = [Heading("Kvinnor och män", level=2)]
    if isinstance(table, Table):
        data = table.data
        women = data[data["reading"] == "Kvinnor högre"]["label"].tolist()
        men = data[data["reading"] == "Män högre"]["label"].tolist()
        parts = [
            f"Kolada redovisar {sv.quantity(len(gender_kpis(ctx)), 'nyckeltal', 'nyckeltal')} "
            f"i rapporten för kvinnor och män; {len(data)} har värden för båda i GR {ctx.year}."
        ]
        if women:
            parts.append(f"I GR är kvinnornas värde tydligt högre för {sv.join(women)}.")
        if men:
            parts.append(f"Männens värde är tydligt högre för {sv.join(men)}.")
        if not women and not men:
            parts.append("För inget av dem är skillnaden i GR större än osäkerheten.")
        blocks.append(Note(" ".join(parts)))
    blocks.append(table)
    return blocks


def missing_split(ctx: ReportContext, ids: list[str] | None = None) -> pd.DataFrame:
    """Divided key figures whose total is there but the women's or men's value is not."""
    kpis = gender_kpis(ctx)
    g = _gaps(ctx, kpis, ids) if ids else _own_gaps(ctx, kpis)
    return g[g["value_t"].notna() & (g["status"] != "båda")].reset_index(drop=True)


def missing_split_table(ctx: ReportContext) -> Block:
    """Data quality: where Kolada divides a key figure by gender but the split is missing."""
    miss = missing_split(ctx)
    n = len(gender_kpis(ctx))
    if miss.empty:
        return Note(
            f"Alla {n} nyckeltal som Kolada redovisar per kön och som har ett totalvärde för "
            f"{ctx.municipality} {ctx.year} har också värden för både kvinnor och män."
        )
    miss = alphabetical(miss.assign(label=miss["kpi"].map(ctx.catalog.label)), "label")
    columns = (
        Column("label", "Nyckeltal", wrap=True),
        Column("kpi", "Id"),
        Column("status", "Vad saknas"),
    )
    return Table(
        miss,
        columns,
        caption=f"Uppdelning på kvinnor och män som saknas, {ctx.municipality} {ctx.year} "
        f"({len(miss)} av {n} nyckeltal som Kolada redovisar per kön)",
        name="Kön saknas",
        notes=(
            "Totalen finns men värdet för kvinnor eller män saknas, oftast för att det bygger "
            "på för få svar eller personer och därför inte publiceras. Ingen skillnad mellan "
            "kvinnor och män beräknas då.",
        ),
    )
