"""The yearly follow-up (*uppföljning*) of a municipality's own profile of key figures.

Used by ``notebooks/uppfoljning.ipynb``, once per profile
(``parameters/profiles/<name>.yaml``)::

    ctx, prof = followup.open_profile(profil=profil, ar=ar, datakalla=datakalla,
                                      namespace=globals())
    followup.summary(ctx, prof)
    show(followup.kpi_sections(ctx, prof))
    show(followup.changes_section(ctx, prof))

For each key figure: the municipality over the profile's years against its
comparison group (the unweighted mean of the members with a value, as Kolada
computes group means, with how many contributed), GR-snittet and Riket; costs
in kronor also as an index against Riket (Riket = 100 each year), which takes
away the general rise of prices and wages; definition breaks marked; key
figures without values said plainly. The last section lists what changed in
Kolada since the previous fetch for the profile's key figures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fou.core import registry, sv
from fou.core.errors import FouError
from fou.core.paths import paths
from fou.core.profiles import FollowUpProfile, load_profile
from fou.plotting import new_figure, trend_plot
from fou.reports.context import ReportContext, open_report
from fou.reports.display import Block, Chart, Column, Heading, Note, Table
from fou.reports.findings import Finding, summary_note
from fou.stats.compare import group_mean

__all__ = [
    "appendix",
    "changes_section",
    "kpi_section",
    "kpi_sections",
    "kpi_series",
    "open_profile",
    "summary",
    "unit_of",
]

#: The notebook's own parameter (besides ``ar`` and ``datakalla``).
PROFILE_PARAMETER = "profil"
_UNIT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"miljoner kronor|mnkr", "msek"),
    (r"\bkr/|kronor/", "sek"),
    (r"nettokostnadsavvikelse.*\(%\)", "percent_deviation"),
    (r"andel \(%\)|\(%\)", "percent"),
    (r"antal", "count"),
)
_UNIT_WORDS = {"sek": "kr", "msek": "mnkr", "percent": "%", "percent_deviation": "%", "count": ""}


def open_profile(
    *,
    profil: str,
    ar: int | str | None = None,
    datakalla: str = "auto",
    namespace: Mapping[str, Any] | None = None,
    show_header: bool = True,
) -> tuple[ReportContext, FollowUpProfile]:
    """Open the follow-up report of the profile *profil* (its municipality and comparison)."""
    prof = load_profile(str(profil), paths().parameters)
    ctx = open_report(
        kommun=prof.municipality_id,
        ar=ar,
        jamforelse=prof.comparison,
        datakalla=datakalla,
        namespace=namespace,
        show_header=show_header,
        accept=(PROFILE_PARAMETER,),
    )
    return ctx, prof


def unit_of(ctx: ReportContext, kpi: str) -> str:
    """The key figure's unit: the catalogue's, else read from Kolada's title.

    Examples
    --------
    >>> import re
    >>> [u for t, u in _UNIT_PATTERNS if re.search(t, "Kostnad LSS boende, kr/brukare")][:1]
    ['sek']
    """
    if kpi in set(ctx.catalog.kpis["kpi"]):
        return str(ctx.catalog.row(kpi)["unit"])
    title = ctx.title(kpi).casefold()
    for pattern, unit in _UNIT_PATTERNS:
        if re.search(pattern, title):
            return unit
    return ""


def _label(ctx: ReportContext, prof: FollowUpProfile, kpi: str) -> str:
    for k in prof.kpis:
        if k.kpi == kpi and k.label:
            return k.label
    if kpi in set(ctx.catalog.kpis["kpi"]):
        return ctx.catalog.label(kpi)
    return ctx.title(kpi)


def _better(ctx: ReportContext, prof: FollowUpProfile, kpi: str) -> str:
    for k in prof.kpis:
        if k.kpi == kpi and k.better:
            return k.better
    return ctx.catalog.better(kpi)


def _years(ctx: ReportContext, prof: FollowUpProfile) -> list[int]:
    return list(range(ctx.year - prof.years + 1, ctx.year + 1))


def _group_members(ctx: ReportContext) -> tuple[str, ...]:
    if ctx.group is not None:
        return ctx.group.members
    return tuple(registry.comparison_members(str(ctx.municipality_id), ctx.comparison, ctx.groups))


def kpi_series(ctx: ReportContext, prof: FollowUpProfile, kpi: str) -> pd.DataFrame:
    """One key figure year by year: the municipality, its group, GR and Riket, and the index.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``year, value, group_mean, n_group, n_members,
        missing_members, gr_mean, n_gr, riket`` and, for costs in kronor,
        ``index`` and ``group_index`` (Riket = 100 that year).
    """
    years = _years(ctx, prof)
    v = ctx.values_of(kpi)
    part = v[(v["kpi"] == kpi) & (v["gender"] == "T") & v["year"].isin(years)]
    by = part.set_index(["municipality_id", "year"])["value"]

    def of(mid: str) -> list[float]:
        return [float(by.get((mid, y), np.nan)) for y in years]

    members = _group_members(ctx)
    rows = []
    for y in years:
        g = group_mean(part, kpis=[kpi], year=y, members=members).iloc[0]
        gr = group_mean(part, kpis=[kpi], year=y, members=registry.GR_MUNICIPALITIES).iloc[0]
        rows.append((g["mean"], g["n"], g["n_members"], g["missing_members"], gr["mean"], gr["n"]))
    out = pd.DataFrame(
        rows, columns=["group_mean", "n_group", "n_members", "missing_members", "gr_mean", "n_gr"]
    )
    out.insert(0, "year", years)
    out.insert(1, "value", of(str(ctx.municipality_id)))
    out["riket"] = of(registry.RIKET)
    if _size_dependent(ctx, kpi):
        out[["group_mean", "gr_mean", "riket"]] = np.nan
    if unit_of(ctx, kpi) == "sek":
        out["index"] = 100 * out["value"] / out["riket"]
        out["group_index"] = 100 * out["group_mean"] / out["riket"]
    return out


def _decimals(values: pd.Series, ctx: ReportContext | None = None, kpi: str = "") -> int:
    """The catalogue's decimals for its key figures, else the fewest that show the values."""
    if ctx is not None and kpi in set(ctx.catalog.kpis["kpi"]):
        return ctx.catalog.decimals(kpi)
    finite = [float(x) for x in values if pd.notna(x)]
    return min(sv.fewest_decimals(finite, most=2), 2) if finite else 1


def _size_dependent(ctx: ReportContext, kpi: str) -> bool:
    """Sizes in mnkr: a mean over other municipalities or Riket's sum compares nothing."""
    return unit_of(ctx, kpi) == "msek"


def _has_values(series: pd.DataFrame) -> bool:
    return bool(series["value"].notna().any() or series["riket"].notna().any()
                or series["group_mean"].notna().any())  # fmt: skip


def summary(ctx: ReportContext, prof: FollowUpProfile) -> Note:
    """Sammanfattning: the latest year of each key figure against the group and Riket."""
    group = ctx.comparison_label
    years = _years(ctx, prof)
    span = sv.year_span(years[0], years[-1])
    found: list[Finding] = [
        Finding(
            "profil",
            f"{prof.title}: {ctx.municipality} jämförs {span} med jämförelsegruppen "
            f"({group}), GR-snittet och riket.",
        )
    ]
    missing = []
    for kpi in prof.ids:
        s = kpi_series(ctx, prof, kpi)
        label = _label(ctx, prof, kpi)
        if not _has_values(s):
            missing.append(f"{label} ({kpi})")
            continue
        last = s.dropna(subset=["value"])
        if last.empty:
            span = sv.year_span(s["year"].min(), s["year"].max())
            found.append(Finding("saknas", f"{label}: {ctx.municipality} saknar värden {span}."))
            continue
        r = last.iloc[-1]
        d = _decimals(s["value"], ctx, kpi)
        unit = _UNIT_WORDS.get(unit_of(ctx, kpi), "")
        text = f"{label} {sv.year(r['year'])}: {ctx.municipality} {_amount(r['value'], d, unit)}"
        if pd.notna(r["group_mean"]):
            mean = _amount(r["group_mean"], d, unit)
            text += (f", jämförelsegruppen {mean} ({r['n_group']} av {r['n_members']} kommuner "
                     "med värde)")  # fmt: skip
        if pd.notna(r["riket"]):
            text += f", riket {_amount(r['riket'], d, unit)}"
        if "index" in s and pd.notna(r.get("index")):
            text += f"; index mot riket {sv.number(r['index'], 0)} (riket = 100)"
        found.append(Finding("nivå", text + "."))
    if missing:
        why = (
            "demodata har bara katalogens nyckeltal"
            if ctx.is_demo
            else "Kolada har inga värden för dem de åren i den hämtning rapporten bygger på"
        )
        found.append(Finding("saknas", f"Inga värden för {sv.join(missing)}: {why}."))
    names = sorted((registry.municipality_name(m) for m in _group_members(ctx)), key=sv.sort_key)
    found.append(
        Finding(
            "jämförelse",
            f"Jämförelsegruppen ({group}): {sv.join(names)}; gruppens värde är det ovägda "
            "medelvärdet av kommunerna som har värde.",
        )
    )
    return summary_note(found)


def _amount(x: float, decimals: int, unit: str) -> str:
    text = sv.number(x, decimals)
    return f"{text} {unit}".strip() if unit != "%" else f"{text} %"


def _fetched(ctx: ReportContext, kpi: str) -> bool:
    """True when the data set's fetch asked Kolada for *kpi* (its metadata came with it)."""
    return kpi in ctx.dataset.kpi_titles


def _no_values(ctx: ReportContext, kpi: str, title: str, s: pd.DataFrame) -> str:
    span = sv.year_span(s["year"].min(), s["year"].max())
    if ctx.is_demo:
        return (f"{title} ({kpi}) finns inte i demodata, som bara har katalogens nyckeltal; "
                "med hämtade Kolada-data visas värdena här.")  # fmt: skip
    if _fetched(ctx, kpi):
        return (f"{title} ({kpi}): Kolada har inga värden för kommunerna {span} i den "
                "hämtning rapporten bygger på.")  # fmt: skip
    return (f"{title} ({kpi}) finns inte i den hämtning rapporten bygger på; nästa hämtning "
            "från Kolada tar med profilens alla nyckeltal.")  # fmt: skip


def _breaks(ctx: ReportContext, kpi: str, years: list[int]) -> list[tuple[int, str]]:
    b = ctx.catalog.breaks
    part = b[(b["kpi"] == kpi) & b["year"].between(years[0], years[-1])]
    return [(int(r.year), str(r.change)) for r in part.itertuples(index=False)]


def kpi_section(ctx: ReportContext, prof: FollowUpProfile, kpi: str) -> list[Block]:
    """One key figure: heading, its years in a table and a chart (or why there are none)."""
    label = _label(ctx, prof, kpi)
    blocks: list[Block] = [Heading(label, level=2)]
    s = kpi_series(ctx, prof, kpi)
    title = ctx.title(kpi)
    if not _has_values(s):
        named = title if title != kpi else label
        blocks.append(Note(_no_values(ctx, kpi, named, s), kind="missing"))
        return blocks
    d = _decimals(pd.concat([s["value"], s["riket"]]), ctx, kpi)
    names = [sv.join([registry.municipality_name(m) for m in ms]) for ms in s["missing_members"]]
    s = s.assign(dec=d, missing_names=names)
    columns = [
        Column("year", "År", "year"),
        Column("value", str(ctx.municipality), "number", "dec"),
        Column(
            "group_mean",
            "Egen grupp" if ctx.group else ctx.comparison_label,
            "number",
            "dec",
            optional=True,
        ),
        Column("n_group", "Kommuner i gruppen med värde", "integer", optional=True),
        Column("gr_mean", "GR-snitt", "number", "dec", optional=True),
        Column("riket", "Riket", "number", "dec", optional=True),
    ]
    if "index" in s:
        columns += [
            Column("index", f"Index {ctx.municipality} (riket = 100)", "number", 0),
            Column("group_index", "Index gruppen (riket = 100)", "number", 0),
        ]
    columns.append(Column("missing_names", "Saknar värde i gruppen", wrap=True, optional=True))
    notes = [f"{title} ({kpi}). – = värde saknas, inte 0."]
    if _size_dependent(ctx, kpi):
        notes.append(
            "Miljoner kronor växer med kommunens storlek: gruppens medel och rikets summa "
            "jämförs inte; andelen i procent gör jämförelsen."
        )
    breaks = _breaks(ctx, kpi, list(s["year"]))
    notes += [f"Definitionsbyte {sv.year(y)}: {text}" for y, text in breaks]
    if "index" in s:
        notes.append(
            "Index: kostnaden som andel av rikets samma år (riket = 100); det tar bort den "
            "allmänna pris- och löneutvecklingen ur jämförelsen över åren."
        )
    if s["riket"].isna().all() and unit_of(ctx, kpi) == "percent_deviation":
        notes.append("Riket saknas: nettokostnadsavvikelsen mäts mot rikets kostnadsnivå och är "
                     "för riket noll per definition.")  # fmt: skip
    if s["n_group"].max() == 0 and not _size_dependent(ctx, kpi):
        s = s.assign(n_group=pd.NA)  # no member has values: the column says nothing
    blocks.append(Table(s, tuple(columns), caption=f"{label}: {ctx.municipality} jämfört med "
                        "jämförelsegruppen, GR och riket", name=label[:31],
                        notes=tuple(notes)))  # fmt: skip
    blocks.append(_chart(ctx, s, kpi, label, breaks))
    return blocks


def _chart(
    ctx: ReportContext, s: pd.DataFrame, kpi: str, label: str, breaks: list[tuple[int, str]]
) -> Chart:
    index = "index" in s
    fig, axes = new_figure((10, 3.6), ncols=2 if index else 1)
    axes = np.atleast_1d(axes)
    series = [
        (str(ctx.municipality), "kommun", "value"),
        ("Egen grupp" if ctx.group else ctx.comparison_label, "liknande", "group_mean"),
        ("GR-snitt", "gr", "gr_mean"),
        ("Riket", "riket", "riket"),
    ]
    long = pd.concat(
        [pd.DataFrame({"year": s["year"], "series": name, "series_kind": kind, "value": s[col]})
         for name, kind, col in series], ignore_index=True)  # fmt: skip
    trend_plot(long, highlight=str(ctx.municipality), breaks=breaks or None, not_run=None,
               title=label, y_label=_UNIT_WORDS.get(unit_of(ctx, kpi), "") or None,
               ax=axes[0])  # fmt: skip
    if index:
        idx = pd.concat(
            [pd.DataFrame({"year": s["year"], "series": name, "series_kind": kind,
                           "value": s[col]})
             for name, kind, col in ((str(ctx.municipality), "kommun", "index"),
                                     ("Egen grupp" if ctx.group else ctx.comparison_label,
                                      "liknande", "group_index"))], ignore_index=True)  # fmt: skip
        trend_plot(idx, highlight=str(ctx.municipality), breaks=breaks or None, not_run=None,
                   title="Index mot riket (riket = 100)", y_label="index", ax=axes[1])  # fmt: skip
        axes[1].axhline(100, color="grey", lw=0.8, ls="--")
    caption = f"{label}, {sv.year_span(s['year'].min(), s['year'].max())}."
    if index:
        caption += " Till höger som index mot riket samma år (riket = 100)."
    return Chart(fig, caption, source=ctx.source, name=f"uppfoljning_{kpi}")


def kpi_sections(ctx: ReportContext, prof: FollowUpProfile) -> list[Block]:
    """Every key figure of the profile, in the profile's order."""
    return [b for kpi in prof.ids for b in kpi_section(ctx, prof, kpi)]


def changes_section(ctx: ReportContext, prof: FollowUpProfile) -> list[Block]:
    """Nytt och ändrat sedan förra hämtningen: Kolada's changes for the profile's key figures."""
    from fou.data.changes import choose_pair, load_pair, snapshot_changes

    blocks: list[Block] = [Heading("Nytt och ändrat sedan förra hämtningen", level=2)]
    if ctx.is_demo:
        blocks.append(Note("Demodata har inga hämtningar att jämföra; avsnittet visar vad som "
                           "ändrats i Kolada mellan två hämtningar av riktiga data.",
                           kind="missing"))  # fmt: skip
        return blocks
    try:
        pair = choose_pair(paths().raw, in_use=ctx.dataset.provenance.snapshot_id)
    except FouError as exc:
        return [*blocks, Note(str(exc), kind="missing")]
    if pair is None:
        return [*blocks, Note("Det finns bara en hämtning; nästa `fou fetch` visar här vad "
                              "Kolada har ändrat sedan dess.", kind="missing")]  # fmt: skip
    loaded = load_pair(pair)
    ids = [str(ctx.municipality_id), *_group_members(ctx), registry.RIKET]
    found = snapshot_changes(loaded.old_tables.values, loaded.new_tables.values,
                             kpis=prof.ids, municipalities=ids)  # fmt: skip
    found = found[(found["gender"].isna()) | (found["gender"] == "T")]
    head = (f"Jämfört med hämtningen {pair[0].snapshot_id}: "
            f"{sv.quantity(len(found), 'ändring', 'ändringar')} för profilens nyckeltal i "
            f"{ctx.municipality}, jämförelsegruppen och riket.")  # fmt: skip
    if found.empty:
        return [*blocks, Note(head)]
    counts = found["change"].value_counts()
    head += " " + sv.join([f"{sv.quantity(n, 'värde', 'värden')} {k}" for k, n in counts.items()])
    shown = found.assign(
        label=[_label(ctx, prof, k) for k in found["kpi"]],
        where=[registry.municipality_name(m) if isinstance(m, str) else "" for m in
               found["municipality_id"]],
        dec=_decimals(pd.concat([found["old"], found["new"]])),
    )  # fmt: skip
    columns = (
        Column("change", "Ändring"),
        Column("label", "Nyckeltal", wrap=True),
        Column("where", "Kommun"),
        Column("year", "År", "year"),
        Column("old", "Förut", "number", "dec"),
        Column("new", "Nu", "number", "dec"),
    )
    return [*blocks, Note(head + "."), Table(shown, columns, caption="Ändringar i Kolada",
                                             name="Ändringar")]  # fmt: skip


def appendix(ctx: ReportContext, prof: FollowUpProfile) -> Table:
    """The profile's key figures: short label, Kolada's title and id."""
    rows = pd.DataFrame(
        {
            "label": [_label(ctx, prof, k) for k in prof.ids],
            "title": [ctx.title(k) for k in prof.ids],
            "kpi": prof.ids,
            "has": ["ja" if _has_values(kpi_series(ctx, prof, k)) else "nej" for k in prof.ids],
            "description": [ctx.dataset.kpi_descriptions.get(k, "") for k in prof.ids],
        }
    )
    columns = (
        Column("label", "Kort namn", wrap=True),
        Column("title", "Titel i Kolada", wrap=True),
        Column("kpi", "Id"),
        Column("has", "Värden i rapportens år"),
        Column("description", "Koladas beskrivning", wrap=True, optional=True),
    )
    return Table(rows, columns, caption=f"Nyckeltalen i profilen {prof.name} ({prof.path.name})",
                 name="Nyckeltal")  # fmt: skip
