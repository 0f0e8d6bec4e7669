"""Slide deck of the GR key figures for one year (python-pptx), with talmanus.

:func:`build_deck` writes a PowerPoint file with

* a title slide (year, focus municipality, data source; demo data is marked
  prominently),
* one slide per catalogue domain (in report order) listing its key figures,
* one slide per key figure: a bar chart of the 13 GR municipalities (sorted,
  best first when a direction is better), GR mean and Riket as reference
  lines, the focus municipality highlighted, a source line, and speaker notes
  (talmanus) in Swedish. A key figure without values in the year gets a slide
  that says the value is missing and why, never an empty chart.

Every number quoted in the notes comes from one :class:`Facts` object built
by :func:`kpi_facts` from the values table (via
:func:`fou.stats.compare.gr_overview`), so tests can recompute them. Charts are
also written as PNG and SVG in ``charts/`` next to the deck. All files are
written atomically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fou.core import sv
from fou.core.atomic import write_with
from fou.core.catalog import BETTER_LABELS, UNIT_LABELS, Catalog, load_catalog
from fou.core.errors import ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES, municipality_name, resolve_municipality
from fou.stats.compare import gr_overview

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from fou.data.dataset import Dataset

__all__ = ["Facts", "build_deck", "default_output", "kpi_facts", "speaker_notes"]

#: Checks whose findings become caveats in the talmanus.
CAVEAT_CHECKS: tuple[str, ...] = ("suppressed", "few_respondents", "low_response_rate", "jump")


# --------------------------------------------------------------------------- wording


def _diff_unit(unit: str) -> str:
    """Unit word for differences (percentage points for shares)."""
    return " procentenheter" if unit == "percent" else ""


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Facts:
    """Everything the key-figure slide and its talmanus say, as numbers.

    Attributes
    ----------
    kpi, title, domain, unit, better
        Catalogue fields.
    year
        The year described; ``year - 1`` gives the change.
    municipality_id, municipality
        Focus municipality (None for the GR overview).
    value, previous_value, change, rank, n_ranked
        The focus municipality's value, last year's value, the change
        (missing across a definition break), its rank in GR (1 = best; missing
        when neither direction is better) and how many were ranked.
    gr_mean, gr_mean_previous, gr_change, n_gr
        Unweighted GR mean this year and last year, its change, and how many of
        the 13 contributed this year.
    riket, diff_gr, diff_riket
        Riket's value and the differences (focus municipality, or the GR mean
        when there is no focus municipality).
    gr_min, gr_min_names, gr_max, gr_max_names
        Lowest and highest GR value and who has them.
    missing
        True when no GR municipality has a value in *year*.
    missing_reason
        Why (Swedish), when *missing* or the focus municipality's value is missing.
    caveats
        Swedish caveats: suppressed/missing values and why, few respondents,
        definition breaks, survey not run.
    bars
        ``(municipality_id, name, value)`` in chart order (best or highest first).
    """

    kpi: str
    title: str
    domain: str
    unit: str
    better: str
    year: int
    municipality_id: str | None
    municipality: str | None
    value: float
    previous_value: float
    change: float
    rank: float
    n_ranked: int
    gr_mean: float
    gr_mean_previous: float
    gr_change: float
    n_gr: int
    riket: float
    diff_gr: float
    diff_riket: float
    gr_min: float
    gr_min_names: tuple[str, ...]
    gr_max: float
    gr_max_names: tuple[str, ...]
    missing: bool
    missing_reason: str
    caveats: tuple[str, ...] = ()
    bars: tuple[tuple[str, str, float], ...] = field(default=(), repr=False)


def _strip_missing_prefix(note: str) -> str:
    """``"värde saknas: X; Y"`` -> ``"X; Y"``."""
    for prefix in ("värde saknas: ", "föregående år saknas: "):
        if note.startswith(prefix):
            return note[len(prefix) :]
    return note


def _break_caveats(catalog: Catalog, kpi: str, year: int) -> list[str]:
    brk = catalog.breaks[(catalog.breaks["kpi"] == kpi) & catalog.breaks["year"].isin([year])]
    return [f"Definitionsbyte {int(b.year)}: {b.change}" for b in brk.itertuples()]


def _issue_caveats(issues: pd.DataFrame | None, kpi: str, year: int) -> list[str]:
    """Quality findings for GR municipalities as ``"<kommun>: <detail>"`` lines."""
    if issues is None or issues.empty:
        return []
    sel = issues[
        (issues["kpi"] == kpi)
        & (issues["year"] == year)
        & issues["check"].isin(CAVEAT_CHECKS)
        & issues["municipality_id"].isin(GR_MUNICIPALITIES)
    ]
    return [
        f"{municipality_name(r.municipality_id)}: {r.detail}" for r in sel.itertuples(index=False)
    ]


def _missing_caveats(ov: pd.DataFrame, covered: set[str]) -> list[str]:
    """Why GR municipalities without a value lack one (unless a quality finding says so)."""
    miss = ov[(ov["status"] == "saknas") & ~ov["municipality_id"].isin(covered)]
    out = []
    for r in miss.itertuples(index=False):
        reason = _strip_missing_prefix(str(r.note).split("; ")[0])
        out.append(f"{r.municipality}: värdet saknas ({reason})")
    return out


def kpi_facts(
    values: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    municipality: str | None = None,
    catalog: Catalog | None = None,
    groups: pd.DataFrame | None = None,
    issues: pd.DataFrame | None = None,
) -> Facts:
    """Collect the numbers of one key figure and year for its slide and talmanus.

    Parameters
    ----------
    values
        Tidy values table.
    kpi
        Key-figure id in the catalogue.
    year
        Year to describe.
    municipality
        Focus municipality (id or name; one of the 13 GR municipalities) or None.
    catalog
        Key-figure catalogue (None: the packaged one).
    groups
        Group membership of the data set (kept for API symmetry with
        :func:`fou.stats.compare.comparison_table`; the deck compares with GR
        and Riket only).
    issues
        Issue table of :func:`fou.quality.run_checks`, used for caveats.

    Returns
    -------
    Facts

    Raises
    ------
    ParameterError
        Unknown key figure or municipality, or a municipality outside GR.
    """
    del groups  # the deck compares with GR and Riket; similar municipalities are not shown
    catalog = catalog or load_catalog()
    row = catalog.row(kpi)
    mid = _focus(municipality)
    ov = gr_overview(values, kpi=kpi, year=year, catalog=catalog, sort="rank")
    vals = ov["value"].to_numpy(dtype=float)
    prev = ov["previous_value"].to_numpy(dtype=float)
    has = np.isfinite(vals)
    missing = not has.any()
    gr_mean = float(ov["gr_mean"].iloc[0])
    gr_prev = float(np.nanmean(prev)) if np.isfinite(prev).any() else math.nan
    breaks = _break_caveats(catalog, kpi, year)
    gr_change = gr_mean - gr_prev if not breaks else math.nan
    riket = float(ov["riket"].iloc[0])
    lo = float(np.nanmin(vals)) if has.any() else math.nan
    hi = float(np.nanmax(vals)) if has.any() else math.nan

    if mid is not None:
        me = ov[ov["municipality_id"] == mid].iloc[0]
        value, previous = float(me["value"]), float(me["previous_value"])
        change = float(me["change"])
        rank = float(me["rank"])
        note = str(me["note"])
    else:
        value, previous, change, rank = gr_mean, gr_prev, gr_change, math.nan
        note = str(ov["note"].iloc[0]) if missing else ""
    n_ranked = 0 if pd.isna(ov["n_ranked"].iloc[0]) else int(ov["n_ranked"].iloc[0])
    reason = _strip_missing_prefix(note.split("; ")[0]) if math.isnan(value) else ""
    if missing:
        reason = "; ".join(_strip_missing_prefix(p) for p in str(ov["note"].iloc[0]).split("; "))

    caveats: list[str] = []
    if not missing:
        issue_lines = _issue_caveats(issues, kpi, year)
        covered = {
            m
            for m in GR_MUNICIPALITIES
            if any(c.startswith(municipality_name(m) + ":") for c in issue_lines)
        }
        caveats += issue_lines + _missing_caveats(ov, covered)
    caveats += breaks
    if bool(row["survey"]) and (year - 1) in catalog.survey_not_run:
        caveats.append(
            f"Brukarundersökningen genomfördes inte {year - 1}: förändringen mot föregående år "
            "kan inte anges."
        )
    bars = tuple(
        (str(r.municipality_id), str(r.municipality), float(r.value))
        for r in ov.itertuples(index=False)
    )
    return Facts(
        kpi=kpi,
        title=str(row["title"]),
        domain=str(row["domain"]),
        unit=str(row["unit"]),
        better=str(row["better"]),
        year=int(year),
        municipality_id=mid,
        municipality=municipality_name(mid) if mid else None,
        value=value,
        previous_value=previous,
        change=change,
        rank=rank,
        n_ranked=n_ranked,
        gr_mean=gr_mean,
        gr_mean_previous=gr_prev,
        gr_change=gr_change,
        n_gr=int(ov["n_gr"].iloc[0]),
        riket=riket,
        diff_gr=value - gr_mean,
        diff_riket=value - riket,
        gr_min=lo,
        gr_min_names=tuple(ov.loc[vals == lo, "municipality"]) if has.any() else (),
        gr_max=hi,
        gr_max_names=tuple(ov.loc[vals == hi, "municipality"]) if has.any() else (),
        missing=missing,
        missing_reason=reason,
        caveats=tuple(dict.fromkeys(caveats)),
        bars=bars,
    )


def _focus(municipality: str | None) -> str | None:
    """Resolve the focus municipality; it must be one of the 13 GR municipalities."""
    if municipality is None:
        return None
    mid = resolve_municipality(municipality, parameter="kommun")
    if mid not in GR_MUNICIPALITIES:
        raise ParameterError(
            f"kommun: {municipality_name(mid)} ({mid}) ingår inte i Göteborgsregionen; "
            f"bildspelet jämför GR:s 13 kommuner ({', '.join(GR_MUNICIPALITIES)})."
        )
    return mid


# --------------------------------------------------------------------------- talmanus


def _level_line(f: Facts) -> str:
    unit = UNIT_LABELS.get(f.unit, f.unit)
    if f.municipality is None:
        lows, highs = sv.join(list(f.gr_min_names)), sv.join(list(f.gr_max_names))
        return (
            f"Spridning i GR {f.year}: från {sv.prose(f.gr_min)} ({lows}) till "
            f"{sv.prose(f.gr_max)} ({highs}); enhet: {unit}."
        )
    if math.isnan(f.value):
        return f"Nivå: värdet för {f.municipality} saknas {f.year} ({f.missing_reason})."
    text = f"Nivå: {f.municipality} har {sv.prose(f.value)} ({unit}) {f.year}"
    if f.better == "neither":
        return text + f"; rangordnas inte ({BETTER_LABELS['neither']})."
    return text + f", plats {int(f.rank)} av {f.n_ranked} i GR ({BETTER_LABELS[f.better]})."


def _change_line(f: Facts) -> str:
    who = "GR-snittet" if f.municipality is None else f.municipality
    prev = f.year - 1
    if math.isnan(f.value):
        return f"Förändring sedan {prev}: kan inte anges, värdet saknas {f.year}."
    if math.isnan(f.change):
        why = "värdet saknas föregående år"
        if any(c.startswith("Definitionsbyte") for c in f.caveats):
            why = "definitionsbyte"
        elif any(c.startswith("Brukarundersökningen genomfördes inte") for c in f.caveats):
            why = f"brukarundersökningen genomfördes inte {prev}"
        return f"Förändring sedan {prev}: kan inte anges ({why})."
    return (
        f"Förändring sedan {prev}: {who} {sv.prose(f.change, sign=True)}{_diff_unit(f.unit)} "
        f"(från {sv.prose(f.previous_value)})."
    )


def _comparison_lines(f: Facts) -> list[str]:
    who = "GR-snittet" if f.municipality is None else f.municipality
    d = _diff_unit(f.unit)
    n_all = len(GR_MUNICIPALITIES)
    lines = [f"GR-snitt: {sv.prose(f.gr_mean)} (ovägt medel av {f.n_gr} av {n_all} kommuner)."]
    if f.municipality is not None and not math.isnan(f.value):
        lines.append(f"Skillnad mot GR-snittet: {who} {sv.prose(f.diff_gr, sign=True)}{d}.")
    if math.isnan(f.riket):
        lines.append("Riket: värde saknas.")
    else:
        lines.append(f"Riket: {sv.prose(f.riket)}.")
        if not math.isnan(f.value):
            lines.append(f"Skillnad mot riket: {who} {sv.prose(f.diff_riket, sign=True)}{d}.")
    return lines


def speaker_notes(facts: Facts) -> str:
    """Swedish talmanus for one key-figure slide, generated from *facts*.

    Parameters
    ----------
    facts
        Output of :func:`kpi_facts`.

    Returns
    -------
    str
        Lines: title, level and rank (or the GR spread), change since last
        year, GR mean, Riket, and caveats. Numbers use decimal comma.
    """
    f = facts
    head = f"{f.title} ({f.kpi}), {f.year}."
    if f.missing:
        lines = [head, f"Värdet saknas för {f.year}: {f.missing_reason}."]
        lines += [f"Förbehåll: {c}" for c in f.caveats]
        return "\n".join(lines)
    lines = [head, _level_line(f), _change_line(f), *_comparison_lines(f)]
    lines += [f"Förbehåll: {c}" for c in f.caveats]
    return "\n".join(lines)


# --------------------------------------------------------------------------- chart


def chart_figure(facts: Facts, *, catalog: Catalog | None = None) -> Figure:
    """Bars of the 13 with GR-snitt and Riket lines (:func:`fou.plotting.comparison_bar`).

    Parameters
    ----------
    facts
        Output of :func:`kpi_facts` (must have values: ``facts.missing`` False).
    catalog
        Key-figure catalogue (decimals, unit, direction).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from fou.plotting import comparison_bar, new_figure

    catalog = catalog or load_catalog()
    data = pd.DataFrame(
        {"kpi": facts.kpi, "year": facts.year,
         "municipality_id": [b[0] for b in facts.bars], "value": [b[2] for b in facts.bars]}
    )  # fmt: skip
    fig, ax = new_figure((11, 5.4))
    comparison_bar(
        data, highlight=facts.municipality_id,
        reference={"GR-snitt": facts.gr_mean, "Riket": facts.riket},
        better=facts.better, decimals=catalog.decimals(facts.kpi), title="", catalog=catalog, ax=ax,
    )  # fmt: skip
    return fig


def write_chart(
    facts: Facts, directory: Path, *, catalog: Catalog | None = None
) -> tuple[Path, Path]:
    """Write the chart of *facts* as PNG and SVG into *directory* (atomically).

    Returns
    -------
    tuple of pathlib.Path
        ``(png, svg)``; file names ``<kpi>[_<municipality_id>].png/.svg``.
    """
    stem = facts.kpi + (f"_{facts.municipality_id}" if facts.municipality_id else "")
    fig = chart_figure(facts, catalog=catalog)
    png = write_with(directory / f"{stem}.png", lambda p: fig.savefig(p, format="png", dpi=150))
    svg = write_with(directory / f"{stem}.svg", lambda p: fig.savefig(p, format="svg"))
    return png, svg


# --------------------------------------------------------------------------- deck


def default_output(
    year: int, municipality_id: str | None = None, *, root: Path | None = None
) -> Path:
    """``outputs/<year>/slides/nyckeltal_<year>[_<municipality_id>].pptx``."""
    from fou.core.paths import paths

    suffix = f"_{municipality_id}" if municipality_id else ""
    return paths(root).outputs / str(year) / "slides" / f"nyckeltal_{year}{suffix}.pptx"


def _check_domains(domains: Iterable[str] | None, catalog: Catalog) -> list[str]:
    known = catalog.domains()
    if domains is None:
        return known
    wanted = [domains] if isinstance(domains, str) else list(domains)
    for d in wanted:
        if d not in known:
            raise ParameterError(one_of_message("område", known, d))
    if not wanted:
        raise ParameterError("Ange minst ett område (t.ex. 'kompetens').")
    return [d for d in known if d in wanted]


def _textbox(
    slide: Any,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    *,
    size: int,
    bold: bool = False,
    colour: Any = None,
) -> Any:
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        run = p.add_run()
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
    return box


def _set_title(slide: Any, text: str, size: int) -> None:
    from pptx.util import Pt

    slide.shapes.title.text = text
    for p in slide.shapes.title.text_frame.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)


def _title_slide(prs: Any, *, year: int, who: str, source_line: str, is_demo: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[0])
    _set_title(s, f"Nyckeltal för äldreomsorg och nära vård {year}", 40)
    s.placeholders[1].text = f"{who}\n{source_line}"
    if is_demo:
        _textbox(
            s, Inches(0.6), Inches(0.3), Inches(12), Inches(0.8),
            "DEMODATA – syntetiska värden, inte verkliga resultat", size=28, bold=True,
            colour=RGBColor(0xC0, 0x39, 0x2B),
        )  # fmt: skip
    s.notes_slide.notes_text_frame.text = (
        f"Bildspelet visar Kolada-nyckeltal för {who} år {year}. {source_line}."
    )


def _domain_slide(prs: Any, domain: str, kpis: list[str], catalog: Catalog, year: int) -> None:
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(s, domain[:1].upper() + domain[1:], 36)
    intro = f"Området {domain} omfattar {len(kpis)} nyckeltal som följs {year}:"
    size = 14 if len(kpis) <= 8 else 11
    body = "\n".join(["• " + catalog.title(k) for k in kpis])
    _textbox(s, Inches(0.6), Inches(1.6), Inches(12.1), Inches(0.6), intro, size=18)
    _textbox(s, Inches(0.6), Inches(2.2), Inches(12.1), Inches(5.0), body, size=size)
    s.notes_slide.notes_text_frame.text = (
        f"Området {domain}: {len(kpis)} nyckeltal. Varje nyckeltal visas på en egen bild med "
        "GR:s 13 kommuner, GR-snittet och riket."
    )


def _kpi_slide(prs: Any, facts: Facts, *, png: Path | None, source_line: str) -> None:
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(s, facts.title, 20 if len(facts.title) < 110 else 16)
    if facts.missing or png is None:
        text = f"Värdet saknas för {facts.year}.\nOrsak: {facts.missing_reason}."
        _textbox(s, Inches(1.0), Inches(2.6), Inches(11.3), Inches(2.0), text, size=24)
    else:
        s.shapes.add_picture(str(png), Inches(0.9), Inches(1.75), width=Inches(11.5))
    src = f"{source_line} · Kolada-id {facts.kpi} · GR-snitt = ovägt medel av GR:s 13 kommuner"
    _textbox(s, Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4), src, size=10)
    s.notes_slide.notes_text_frame.text = speaker_notes(facts)


def build_deck(
    dataset: Dataset,
    *,
    year: int,
    municipality: str | None = None,
    domains: Iterable[str] | None = None,
    output: Path | str | None = None,
    catalog: Catalog | None = None,
) -> Path:
    """Write the key-figure slide deck for *year* and return its path.

    Parameters
    ----------
    dataset
        From :func:`fou.data.dataset.load_dataset`.
    year
        Year to present (must be in the data set).
    municipality
        Focus municipality (id or name, one of GR's 13) or None for the GR overview.
    domains
        Catalogue domains to include (in catalogue order); None for all.
    output
        The ``.pptx`` path (None: :func:`default_output`). Charts go to
        ``charts/`` next to it as PNG and SVG.
    catalog
        Key-figure catalogue (None: the packaged one).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParameterError
        Year not in the data set, unknown domain or municipality.
    """
    from pptx import Presentation
    from pptx.util import Inches

    from fou.quality import run_checks

    catalog = catalog or load_catalog()
    year = dataset.check_year(year, parameter="år")
    mid = _focus(municipality)
    chosen = _check_domains(domains, catalog)
    out = Path(output) if output is not None else default_output(year, mid)
    charts = out.parent / "charts"
    issues = run_checks(
        dataset.values, catalog=catalog, checks=list(CAVEAT_CHECKS),
        municipalities=list(GR_MUNICIPALITIES), years=[year],
    )  # fmt: skip
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    who = "Göteborgsregionens 13 kommuner" + (f" – fokus {municipality_name(mid)}" if mid else "")
    src = dataset.provenance.source_line()
    _title_slide(prs, year=year, who=who, source_line=src, is_demo=dataset.is_demo)
    for domain in chosen:
        kpis = catalog.ids(domain=domain)
        _domain_slide(prs, domain, kpis, catalog, year)
        for kpi in kpis:
            f = kpi_facts(
                dataset.values, kpi=kpi, year=year, municipality=mid, catalog=catalog,
                groups=dataset.groups, issues=issues,
            )  # fmt: skip
            png = None if f.missing else write_chart(f, charts, catalog=catalog)[0]
            _kpi_slide(prs, f, png=png, source_line=src)
    return write_with(out, lambda p: prs.save(str(p)))
