"""The pandemic years in the user survey: 2019 (before), 2020 (during) and 2022 (after).

Used by the person-centred report (a section for the municipality) and the
regional report (a chapter for GR)::

    ch = pandemic.changes(ctx)
    pandemic.reading(ctx, ch)                  # plain-language paragraph
    pandemic.municipality_table(ctx, ch, area="hemtjänst")
    pandemic.distribution_chart(ctx, ch)       # GR-13 among all municipalities
    show(pandemic.regional_chapter(ctx, ch))

Each change has Newcombe's 95 % interval from the respondents of the two
years (:mod:`fou.stats.survey_change`); a change is called an increase or a
decrease only where the interval excludes 0. GR is all respondents in the
13 municipalities together, over the members with results in both years.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.plotting import dot_distribution, new_figure
from fou.reports.common import alphabetical
from fou.reports.context import ReportContext
from fou.reports.display import Block, Chart, Column, Heading, Note, Table
from fou.reports.findings import Finding
from fou.reports.shared import shared
from fou.stats.survey_change import GR_POOLED, PANDEMIC_YEARS, survey_changes

__all__ = [
    "HEADLINE",
    "KPIS",
    "changes",
    "distribution_chart",
    "finding",
    "method_note",
    "municipality_table",
    "reading",
    "regional_chapter",
    "regional_table",
]

#: The questions followed over the pandemic years, per area: the whole, safety, being
#: listened to and loneliness.
KPIS: dict[str, tuple[str, ...]] = {
    "hemtjänst": ("U21468", "U21505", "U21463", "U21478"),
    "särskilt boende": ("U23471", "U23521", "U23461", "U23481"),
}
#: The question drawn among all municipalities, per area.
HEADLINE: dict[str, str] = {"hemtjänst": "U21468", "särskilt boende": "U23471"}
GR_LABEL = "GR (alla svarande)"
_STEP_WORDS: dict[tuple[int, int], str] = {
    (2019, 2020): "före och under pandemin",
    (2020, 2022): "under och efter pandemin",
    (2019, 2022): "före och efter pandemin",
}


def survey_years(ctx: ReportContext) -> list[int]:
    """The pandemic survey years up to the report's year that have results."""
    kpis = [k for ks in KPIS.values() for k in ks]
    v = ctx.values_of(kpis)
    present = v.loc[v["kpi"].isin(kpis) & v["value"].notna(), "year"].astype(int)
    have = set(present)
    return [y for y in PANDEMIC_YEARS if y <= ctx.year and y in have]


@shared
def changes(ctx: ReportContext) -> pd.DataFrame:
    """Every change between the survey years (see :func:`fou.stats.survey_change.survey_changes`).

    Empty when fewer than two of the years have results by the report's year.
    """
    years = survey_years(ctx)
    kpis = [k for ks in KPIS.values() for k in ks if k in set(ctx.catalog.kpis["kpi"])]
    if len(years) < 2 or not kpis:
        return survey_changes(ctx.values.iloc[0:0], kpis=[], catalog=ctx.catalog)
    return survey_changes(ctx.values, kpis=kpis, catalog=ctx.catalog, years=years)


def _steps(ch: pd.DataFrame, *, consecutive: bool = True) -> list[tuple[int, int]]:
    pairs = sorted(set(zip(ch["from_year"], ch["to_year"], strict=True)))
    if consecutive and len(pairs) > 1:
        ends = sorted({y for p in pairs for y in p})
        pairs = list(itertools.pairwise(ends))
    return [(int(a), int(b)) for a, b in pairs]


def _step_label(a: int, b: int) -> str:
    words = _STEP_WORDS.get((a, b))
    return f"{sv.year_span(a, b)} ({words})" if words else sv.year_span(a, b)


def _amount(d: float) -> str:
    decimals = 0 if float(round(d, 6)).is_integer() else 1
    return sv.quantity(abs(d), "procentenhet", "procentenheter", decimals)


def method_note(ctx: ReportContext) -> Note:
    """How the changes and their intervals are computed, in plain words."""
    return Note(
        "Så räknas förändringarna: varje förändring har ett 95 %-intervall (Newcombes metod "
        "för skillnaden mellan två andelar) som bygger på antalet svarande båda åren. Kolada "
        "avrundar andelarna till hela procent, vilket kan flytta en förändring upp till en "
        "procentenhet; en förändring kallas därför ökning eller minskning bara när intervallet, "
        "vidgat med den procentenheten, inte innehåller 0. GR är alla svarande i de 13 "
        "kommunerna tillsammans, räknat över de kommuner som har resultat båda åren; riket är "
        "Koladas värde för hela landet. Många svarar båda åren, så intervallen är snarare för "
        "breda än för smala. De täcker slumpen i vilka som svarade, inte bortfall eller att "
        "anhöriga hjälpt till."
    )


def _unit_rows(ch: pd.DataFrame, mid: str, a: int, b: int) -> pd.DataFrame:
    return ch[(ch["municipality_id"] == mid) & (ch["from_year"] == a) & (ch["to_year"] == b)]


def _sentence(ctx: ReportContext, rows: pd.DataFrame, who: str, a: int, b: int) -> str:
    """What changed beyond the uncertainty for one unit between two survey years."""
    clear = rows[rows["direction"].isin(["upp", "ned"])]
    measured = rows[rows["change"].notna()]
    if measured.empty:
        return f"{who}: inga resultat att jämföra {sv.year_span(a, b)}."
    parts = []
    for r in clear.itertuples(index=False):
        verb = "ökade" if r.direction == "upp" else "minskade"
        parts.append(
            f"{ctx.catalog.label(r.kpi)} {verb} med {_amount(r.change)} "
            f"(95 % KI {sv.interval(r.ci_low, r.ci_high, 1)})"
        )
    rest = len(measured) - len(clear)
    without = int(measured["ci_low"].isna().sum())
    head = f"{who}: "
    if not parts:
        if without == len(measured):
            text = (
                head
                + "förändringarna saknar osäkerhetsmått (antal svarande saknas) och tolkas inte."
            )
        elif len(measured) == 1:
            text = head + "frågan förändrades inte mer än osäkerheten."
        else:
            text = head + f"ingen av de {len(measured)} frågorna förändrades mer än osäkerheten."
    else:
        text = head + "; ".join(parts) + "."
        if rest == 1:
            text += " Den återstående frågans förändring ryms i osäkerheten."
        elif rest:
            text += f" Övriga {rest} frågors förändringar ryms i osäkerheten."
    return sv.capitalise(text)


def reading(ctx: ReportContext, ch: pd.DataFrame, *, area: str | None = None) -> Note:
    """The pandemic years in plain words: the municipality (or GR), then Riket, step by step."""
    if ch.empty:
        return Note(
            f"Brukarundersökningens pandemiår (2019, 2020 och 2022) har inte resultat för minst "
            f"två av åren till och med {ctx.year}; jämförelsen kan inte göras.",
            kind="missing",
        )
    areas = [area] if area else list(KPIS)
    paragraphs = []
    for ar in areas:
        part = ch[ch["kpi"].isin(KPIS[ar])]
        if not part["change"].notna().any():
            continue
        for a, b in _steps(part):
            units = [(GR_POOLED, "GR")] if ctx.municipality_id is None else [
                (ctx.municipality_id, str(ctx.municipality))]  # fmt: skip
            units.append((registry.RIKET, "Riket"))
            lines = [_sentence(ctx, _unit_rows(part, m, a, b), w, a, b) for m, w in units]
            paragraphs.append(f"{sv.capitalise(ar)} {_step_label(a, b)}. " + " ".join(lines))
    return Note(tuple(paragraphs))


def finding(ctx: ReportContext, ch: pd.DataFrame) -> Finding | None:
    """One summary sentence: how many questions changed clearly before→during and after."""
    mid = ctx.municipality_id or GR_POOLED
    who = ctx.municipality or "GR"
    rows = ch[ch["municipality_id"] == mid]
    if rows.empty:
        return None
    bits = []
    for a, b in _steps(rows):
        step = rows[(rows["from_year"] == a) & (rows["to_year"] == b) & rows["change"].notna()]
        if step.empty:
            continue
        up = int((step["verdict"] == "bättre").sum())
        down = int((step["verdict"] == "sämre").sum())
        span = f"mellan {sv.year(a)} och {sv.year(b)}"
        if up or down:
            said = sv.join(
                [t for t in (f"förbättrades {up}" if up else "",
                             f"försämrades {down}" if down else "") if t]
            )  # fmt: skip
            bits.append(f"{span} {said} av {len(step)} frågor")
        else:
            bits.append(f"{span} ändrades ingen av {len(step)} frågor mer än osäkerheten")
    if not bits:
        return None
    text = f"Pandemiåren i brukarundersökningen, {who}: {'; '.join(bits)}."
    return Finding("pandemi", text.replace(": mellan", ": Mellan", 1))


def _change_columns(ch: pd.DataFrame) -> tuple[list[Column], list[tuple[int, int]]]:
    steps = _steps(ch)
    cols = []
    for a, b in steps:
        cols += [
            Column(f"d_{a}_{b}", f"Förändring {sv.year_span(a, b)}", "signed", "dec"),
            Column(f"ci_{a}_{b}", "95 % KI"),
        ]
    return cols, steps


def _wide(ch: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per key figure and unit: the years' shares and each step's change and interval."""
    steps = _steps(ch)
    out = []
    for (kpi, mid), g in ch.groupby(["kpi", "municipality_id"], sort=False):
        row: dict[str, object] = {"kpi": kpi, "municipality_id": mid}
        for r in g.itertuples(index=False):
            row[f"v_{r.from_year}"] = r.value_from
            row[f"v_{r.to_year}"] = r.value_to
            if (int(r.from_year), int(r.to_year)) in steps:
                row[f"d_{r.from_year}_{r.to_year}"] = r.change
                row[f"ci_{r.from_year}_{r.to_year}"] = sv.interval(r.ci_low, r.ci_high, 1)
                row[f"dir_{r.from_year}_{r.to_year}"] = r.direction
        out.append(row)
    df = pd.DataFrame(out)
    return df if not keys else df.sort_values(keys, kind="stable")


#: Under every pandemic table.
TABLE_NOTES: tuple[str, ...] = (
    "– = värde saknas (undertryckt eller inte publicerat), inte 0; utan antal svarande båda "
    "åren får förändringen inget intervall.",
    "Texten ovan kallar en förändring ökning eller minskning bara när intervallet, vidgat med "
    "1 procentenhet för Koladas avrundning till hela procent, inte innehåller 0; ett intervall "
    "i tabellen som ligger nära 0 kan därför ändå räknas som osäkert.",
    "GR:s förändring räknas över kommunerna med resultat båda åren och kan därför skilja sig "
    "från skillnaden mellan årens nivåer, som bygger på alla kommuner med resultat det året.",
)


def _row_decimals(df: pd.DataFrame) -> list[int]:
    """Whole percentage points for municipalities and Riket (Kolada's shares are whole), one
    decimal for GR's respondents together."""
    return [1 if m == GR_POOLED else 0 for m in df["municipality_id"]]


def _years(ch: pd.DataFrame) -> list[int]:
    return sorted({int(y) for y in ch["from_year"]} | {int(y) for y in ch["to_year"]})


def _unit_name(mid: str) -> str:
    return GR_LABEL if mid == GR_POOLED else registry.municipality_name(mid)


def municipality_table(ctx: ReportContext, ch: pd.DataFrame, *, area: str) -> Block:
    """The area's questions for the municipality, GR and Riket: the years and each change."""
    if ch.empty:
        return reading(ctx, ch)
    mine = ctx.municipality_id or GR_POOLED
    units = [mine, GR_POOLED, registry.RIKET]
    part = ch[ch["kpi"].isin(KPIS[area]) & ch["municipality_id"].isin(units)]
    df = _wide(part, [])
    order = {m: i for i, m in enumerate([mine, GR_POOLED, registry.RIKET])}
    kpi_order = {k: i for i, k in enumerate(KPIS[area])}
    df = df.assign(
        _k=df["kpi"].map(kpi_order), _m=df["municipality_id"].map(order),
        label=df["kpi"].map(ctx.catalog.label), unit=df["municipality_id"].map(_unit_name),
        mine=df["municipality_id"] == mine, dec=_row_decimals(df),
    ).sort_values(["_k", "_m"]).drop_duplicates(["kpi", "municipality_id"])  # fmt: skip
    df["label"] = df["label"].where(df["_m"] == 0, "")
    change_cols, _ = _change_columns(part)
    columns = (
        Column("label", "Fråga", wrap=True),
        Column("unit", "Kommun/nivå"),
        *(Column(f"v_{y}", f"{y} (%)", "number", 0) for y in _years(part)),
        *change_cols,
    )
    return Table(
        df,
        columns,
        caption=f"Brukarundersökningen {sv.join([str(y) for y in _years(part)])}, "
        f"{area}: andel (%) och förändring i procentenheter med 95 %-intervall (Newcombe)",
        name=f"Pandemiåren {area}",
        highlight="mine",
        notes=TABLE_NOTES,
    )


def regional_table(ctx: ReportContext, ch: pd.DataFrame, *, area: str) -> Block:
    """The headline question of the area for each of the 13, GR together and Riket."""
    kpi = HEADLINE[area]
    part = ch[(ch["kpi"] == kpi) & ch["municipality_id"].isin(
        [*registry.GR_MUNICIPALITIES, GR_POOLED, registry.RIKET])]  # fmt: skip
    if part.empty:
        return Note(f"{ctx.catalog.label(kpi)}: inga resultat för pandemiåren.", kind="missing")
    df = _wide(part, [])
    df = df.assign(unit=df["municipality_id"].map(_unit_name), dec=_row_decimals(df))
    members = df[df["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    rest = df[~df["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    rest = rest.sort_values("municipality_id", ascending=False)  # GR together, then Riket
    df = pd.concat([alphabetical(members, "unit"), rest])
    change_cols, _ = _change_columns(part)
    columns = (
        Column("unit", "Kommun"),
        *(Column(f"v_{y}", f"{y} (%)", "number", 0) for y in _years(part)),
        *change_cols,
    )
    return Table(
        df,
        columns,
        caption=f"{ctx.catalog.label(kpi)} ({kpi}): andel (%) de år undersökningen gjordes och "
        "förändringen i procentenheter med 95 %-intervall (Newcombe); texten ovan gäller alla "
        f"{len(KPIS[area])} frågorna, tabellen den sammantagna nöjdheten",
        name=f"Pandemiåren GR {area}",
        notes=TABLE_NOTES,
    )


def distribution_chart(ctx: ReportContext, ch: pd.DataFrame, *, area: str = "hemtjänst") -> Block:
    """The headline question's change in every municipality, GR-13 marked, one panel per step."""
    kpi = HEADLINE[area]
    part = ch[ch["kpi"] == kpi]
    steps = _steps(part)
    if part.empty or not steps:
        return Note(f"{ctx.catalog.label(kpi)}: inga förändringar att visa.", kind="missing")
    fig, axes = new_figure((9.5, 2.9 * len(steps)), nrows=len(steps), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, (a, b) in zip(axes, steps, strict=True):
        step = part[(part["from_year"] == a) & (part["to_year"] == b)]
        munis = step[step["level"] == "kommun"]
        ref = {
            "Riket": _value(step, registry.RIKET),
            GR_LABEL: _value(step, GR_POOLED),
        }
        dot_distribution(
            munis, highlight=ctx.municipality_id, reference=ref, decimals=1,
            title=_step_label(a, b), ax=ax,
        )  # fmt: skip
    axes[-1].set_xlabel("Förändring (procentenheter)")
    shown = part[(part["level"] == "kommun") & pd.Series(
        [(int(a), int(b)) in steps for a, b in zip(part["from_year"], part["to_year"],
                                                   strict=True)], index=part.index)]  # fmt: skip
    clear = shown[shown["direction"].isin(["upp", "ned"])]
    focus = f", {ctx.municipality} i svart" if ctx.municipality else ""
    return Chart(
        fig,
        f"{ctx.catalog.label(kpi)}: förändringen i varje kommun (en punkt per kommun, GR:s "
        f"kommuner i blått{focus}). De flesta kommuner har få svarande, så en förändring på "
        f"några procentenheter ryms ofta i osäkerheten: {len(clear)} av "
        f"{int(shown['change'].notna().sum())} förändringar i figuren har ett 95 %-intervall "
        "(vidgat för avrundningen) som inte innehåller 0.",
        source=ctx.source,
        name=f"pandemi_{area.replace(' ', '_')}",
    )


def _value(step: pd.DataFrame, mid: str) -> float:
    hit = step.loc[step["municipality_id"] == mid, "change"]
    return float(hit.iloc[0]) if len(hit) else np.nan


def section(ctx: ReportContext, ch: pd.DataFrame) -> list[Block]:
    """The person-centred report's section: method, reading, a table per area and the chart."""
    if ch.empty:
        return [reading(ctx, ch)]
    return [
        reading(ctx, ch),
        *(municipality_table(ctx, ch, area=a) for a in KPIS),
        distribution_chart(ctx, ch, area="hemtjänst"),
        method_note(ctx),
    ]


def regional_chapter(ctx: ReportContext, ch: pd.DataFrame) -> list[Block]:
    """The regional report's chapter: GR and Riket in words, the 13 per area, the chart."""
    blocks: list[Block] = [Heading("Pandemiåren i brukarundersökningen", level=2)]
    if ch.empty:
        return [*blocks, reading(ctx, ch)]
    return [
        *blocks,
        reading(ctx, ch),
        *(regional_table(ctx, ch, area=a) for a in KPIS),
        distribution_chart(ctx, ch, area="hemtjänst"),
        distribution_chart(ctx, ch, area="särskilt boende"),
        method_note(ctx),
    ]
