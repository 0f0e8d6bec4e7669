"""Pieces every report shares: the domain overview figure, the summary, the list of key figures.

* :func:`overview_chart` – a municipality's position on every key figure of a
  domain, among the 13 and against Riket (:func:`fou.plotting.position_plot`),
  better/worse by the catalogue's direction and only beyond the uncertainty;
* :func:`summary` – the findings of :mod:`fou.reports.findings` as the list
  under "Sammanfattning";
* :func:`kpi_appendix` – short label, Kolada's full title and id, unit: the
  "one step away" for every key figure a report names by its short label;
* :func:`break_notes` – the catalogue's definition breaks in a set of key
  figures, for captions;
* :func:`preliminary_costs` – whether the latest cost figures were fetched
  before Kolada fixes them (31 August of the following year).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from fou.core import sv
from fou.core.catalog import BETTER_LABELS, is_ending
from fou.plotting import new_figure, position_plot
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Column, Note, Table
from fou.reports.findings import Finding, summary_note
from fou.reports.shared import shared
from fou.stats.position import position_table

#: Short unit words for table columns.
UNIT_SHORT: dict[str, str] = {
    "percent": "%",
    "index": "index",
    "days": "dagar",
    "days_per_inhabitant": "dagar/inv. 65+",
    "per_inhabitant": "per inv. 65+",
    "per_100k": "per 100 000 inv.",
    "count": "antal",
    "sek": "kr",
    "msek": "mnkr",
    "percent_deviation": "%",
    "flag": "ja/nej",
    "level": "nivå 0–2",
}


#: Units of the cost figures from the räkenskapssammandrag (preliminary until 31 August).
COST_UNITS: tuple[str, ...] = ("sek", "msek", "percent_deviation")
#: Kolada fixes a year's cost figures on this day (month, day) of the following year.
COSTS_FIXED_ON = (8, 31)


def preliminary_costs(ctx: ReportContext, *, today: date | None = None) -> Note | None:
    """Whether the report's latest cost figures are preliminary, from the snapshot's date.

    Kolada publishes a year's costs as preliminary in spring and fixes them
    on 31 August of the following year. A snapshot taken before that day
    holds preliminary costs for that year.

    Parameters
    ----------
    today
        The date the report is made (default: today): after 31 August the
        note says the costs *were* preliminary when fetched.

    Returns
    -------
    Note or None
        None when the report has no cost figures with values.
    """
    kpis = ctx.catalog.kpis
    costs = set(kpis.loc[kpis["unit"].isin(COST_UNITS), "kpi"])
    v = ctx.values_of(sorted(costs))
    years = v.loc[v["kpi"].isin(costs) & v["value"].notna() & (v["year"] <= ctx.year), "year"]
    if years.empty:
        return None
    latest = int(years.max())
    month, day = COSTS_FIXED_ON
    fixed = f"{latest + 1}-{month:02d}-{day:02d}"
    taken = ctx.dataset.provenance.date
    if taken < fixed:
        if (today or date.today()).isoformat() < fixed:
            text = (
                f"Kostnaderna för {latest} är preliminära: uppgifterna hämtades {taken}, och "
                f"Kolada fastställer dem {day} augusti {latest + 1}. De kan ändras."
            )
        else:
            text = (
                f"Kostnaderna för {latest} var preliminära när uppgifterna hämtades ({taken}); "
                f"Kolada fastställde dem {day} augusti {latest + 1}. Hämta data på nytt för de "
                "fastställda värdena."
            )
        return Note(text, kind="warning")
    return Note(
        f"Kostnaderna för {latest} är fastställda (hämtade {taken}, efter {day} augusti "
        f"{latest + 1})."
    )


def alphabetical(table: pd.DataFrame, column: str, *, last: str | None = None) -> pd.DataFrame:
    """Rows in Swedish alphabetical order of *column*, the row named *last* (Riket) at the end.

    Examples
    --------
    >>> t = pd.DataFrame({"kommun": ["Öckerö", "Riket", "Ale", "Tjörn"]})
    >>> alphabetical(t, "kommun", last="Riket")["kommun"].tolist()
    ['Ale', 'Tjörn', 'Öckerö', 'Riket']
    """
    keys = [(str(n) == last, sv.sort_key(str(n))) for n in table[column]]
    order = sorted(range(len(table)), key=keys.__getitem__)
    return table.iloc[order].reset_index(drop=True)


def unit_short(ctx: ReportContext, kpi: str) -> str:
    """The key figure's unit in a word or two (``%``, ``kr``, ``dagar``)."""
    match = ctx.catalog.kpis.loc[ctx.catalog.kpis["kpi"] == kpi, "unit"]
    return UNIT_SHORT.get(str(match.iloc[0]), "") if len(match) else ""


def domain_kpis(ctx: ReportContext, domain: str) -> list[str]:
    """The domain's key figures that can be placed against a group mean (not sizes in mnkr)."""
    return [k for k in ctx.catalog.ids(domain=domain) if ctx.catalog.comparable(k)]


def has_values(ctx: ReportContext, kpi: str, *, year: int | None = None) -> bool:
    """True when *kpi* has any value (in *year*, if given)."""
    v = ctx.values_of(kpi)
    mask = (v["kpi"] == kpi) & v["value"].notna()
    if year is not None:
        mask &= v["year"] == year
    return bool(mask.any())


@shared
def domain_positions(ctx: ReportContext, kpis: Sequence[str]) -> pd.DataFrame:
    """:func:`fou.stats.position_table` of the 13 on *kpis* in the report's year."""
    return position_table(ctx.values, kpis=list(kpis), year=ctx.year, catalog=ctx.catalog)


def overview_chart(ctx: ReportContext, domain: str) -> Chart:
    """The municipality on every key figure of *domain*, among the 13 and against Riket."""
    kpis = domain_kpis(ctx, domain)
    pos = domain_positions(ctx, kpis)
    mine = pos[pos["municipality_id"] == ctx.municipality_id].set_index("kpi")
    # Short labels in the figure (the unit in full is in the table below it).
    values = {
        k: sv.number(mine.at[k, "value"], ctx.catalog.decimals(k))
        + (f"{sv.NBSP}%" if unit_short(ctx, k) == "%" else "")
        for k in mine.index
        if pd.notna(mine.at[k, "value"])
    }
    fig, ax = new_figure((8.6, 0.42 * len(kpis) + 2.0))
    position_plot(pos, focus=str(ctx.municipality_id), values=values, catalog=ctx.catalog, ax=ax)
    counts = mine["verdict"].value_counts()
    told: list[str] = []
    for verdict, words in (
        ("bättre", "bättre än GR-snittet"),
        ("sämre", "sämre än GR-snittet"),
        ("avviker", "avviker (inget håll är bättre)"),
    ):
        n = int(counts.get(verdict, 0))
        if n:  # "3 nyckeltal bättre än GR-snittet, 1 sämre …": the noun once
            told.append(f"{sv.quantity(n, 'nyckeltal', 'nyckeltal') if not told else n} {words}")
    status = sv.join(told) if told else "inget nyckeltal tydligt skilt från GR-snittet"
    missing = int(counts.get("saknas", 0))
    return Chart(
        fig,
        f"{sv.capitalise(domain)} {ctx.year}: {ctx.municipality} (färgad punkt) bland GR:s 13 "
        f"kommuner (grå) och riket (romb), i standardavvikelser från GR-snittet. Färg betyder "
        "att skillnaden är större än osäkerheten (för enkätfrågor ett intervall från antalet "
        "svarande, annars mer än en standardavvikelse); grå punkt betyder inom osäkerheten. "
        f"{ctx.municipality}: "
        f"{status}"
        + (f"; {sv.quantity(missing, 'nyckeltal', 'nyckeltal')} saknar värde" if missing else "")
        + ".",
        source=ctx.source,
        name=f"oversikt_{sv.slug(domain)}",
    )


def summary(findings: Sequence[Finding]) -> Note:
    """The report's opening list of findings."""
    return summary_note(findings)


def break_notes(ctx: ReportContext, kpis: Sequence[str], *, ended: bool = False) -> list[str]:
    """``Nettokostnadsavvikelse (%) (N20900): ny beräkningsmetod från 2019`` per break.

    Parameters
    ----------
    ended
        False: the definition changes; True: the key figures that ended.
    """
    brk = ctx.catalog.breaks[ctx.catalog.breaks["kpi"].isin(list(kpis))]
    brk = brk[brk["change"].map(is_ending) == ended]
    return [
        f"{ctx.catalog.label(b.kpi)} ({b.kpi}): {str(b.change).strip().rstrip('.')}"
        for b in brk.itertuples()
    ]


def kpi_appendix(ctx: ReportContext, kpis: Sequence[str]) -> Table:
    """Every key figure the report names: short label, Kolada's title and id, unit, direction."""
    ids = list(dict.fromkeys(kpis))
    rows = [
        {
            "label": ctx.catalog.label(k),
            "kpi": k,
            "title": ctx.title(k),
            "unit": unit_short(ctx, k),
            "better": BETTER_LABELS.get(ctx.catalog.better(k), "")
            if k in set(ctx.catalog.kpis["kpi"])
            else "",
        }
        for k in ids
    ]
    columns = (
        Column("label", "Kort namn", wrap=True),
        Column("kpi", "Kolada-id"),
        Column("title", "Titel i Kolada", wrap=True),
        Column("unit", "Enhet"),
        Column("better", "Riktning", wrap=True),
    )
    return Table(
        pd.DataFrame(rows, columns=["label", "kpi", "title", "unit", "better"]),
        columns,
        caption="Nyckeltalen i rapporten: det korta namnet i tabeller och diagram, "
        "Koladas fullständiga titel och id",
        name="Nyckeltal",
    )
