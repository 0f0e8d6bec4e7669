"""Slide deck of the GR key figures for one year (python-pptx), with talmanus.

:func:`build_deck` writes a PowerPoint file with

* a title slide (year, focus municipality, data source; demo data is marked
  prominently),
* one slide per catalogue domain (in report order) with the domain's
  overview figure: the 13 × the domain's key figures
  (:func:`fou.reports.regional.overview_matrix`), or the focus municipality's
  position on each of them (:func:`fou.reports.common.overview_chart`), and
  what stands out as its speaker notes;
* one slide per key figure: the 13 GR municipalities as bars
  (:func:`fou.plotting.comparison_bar`), GR-snitt and Riket as reference
  lines, the focus municipality highlighted, a source line, and a talmanus
  (:mod:`fou.reports.talmanus`). A key figure without values in the year gets
  a slide that says the value is missing and why, never an empty chart.

Every number the notes quote comes from :func:`fou.reports.talmanus.kpi_facts`,
so tests can recompute them. Charts are also written as PNG and SVG in
``charts/`` next to the deck. All files are written atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fou.core import sv
from fou.core.atomic import write_bytes, write_with
from fou.core.catalog import DEFAULT_VIEW, Catalog, load_catalog
from fou.core.errors import ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES, municipality_name
from fou.reports.talmanus import CAVEAT_CHECKS, Facts, focus_municipality, kpi_facts, speaker_notes

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from fou.data.dataset import Dataset
    from fou.reports.context import ReportContext

__all__ = ["Facts", "build_deck", "default_output", "kpi_facts", "speaker_notes"]


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
        {
            "kpi": facts.kpi,
            "year": facts.year,
            "municipality_id": [b[0] for b in facts.bars],
            "value": [b[2] for b in facts.bars],
        }
    )
    fig, ax = new_figure((11, 5.4))
    comparison_bar(
        data,
        highlight=facts.municipality_id,
        reference={"GR-snitt": facts.gr_mean, "Riket": facts.riket},
        better=facts.better,
        decimals=catalog.decimals(facts.kpi),
        title="",
        catalog=catalog,
        ax=ax,
    )
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
    year: int,
    municipality_id: str | None = None,
    *,
    root: Path | None = None,
    view: str = DEFAULT_VIEW,
) -> Path:
    """``outputs/<year>/slides/nyckeltal_<year>[_<municipality_id>][_<view>].pptx``.

    The default view (GR's domains) has no suffix.
    """
    from fou.core.paths import paths

    suffix = f"_{municipality_id}" if municipality_id else ""
    suffix += f"_{view}" if view != DEFAULT_VIEW else ""
    return paths(root).outputs / str(year) / "slides" / f"nyckeltal_{year}{suffix}.pptx"


def _check_domains(domains: Iterable[str] | None, catalog: Catalog) -> list[str]:
    known = catalog.domains()
    if domains is None:
        return known
    wanted = [domains] if isinstance(domains, str) else list(domains)
    word = "område" if catalog.view == DEFAULT_VIEW else f"rubrik i vyn {catalog.view}"
    for d in wanted:
        if d not in known:
            raise ParameterError(one_of_message(word, known, d))
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


def _title_slide(
    prs: Any, *, year: int, who: str, source_line: str, is_demo: bool, view_title: str = ""
) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[0])
    _set_title(s, f"Nyckeltal för äldreomsorg och nära vård {year}", 40)
    grouped = f"\nOrdnade efter {view_title}" if view_title else ""
    s.placeholders[1].text = f"{who}{grouped}\n{source_line}"
    if is_demo:
        _textbox(
            s,
            Inches(0.6),
            Inches(0.3),
            Inches(12),
            Inches(0.8),
            "DEMODATA – syntetiska värden, inte verkliga resultat",
            size=28,
            bold=True,
            colour=RGBColor(0xC0, 0x39, 0x2B),
        )
    s.notes_slide.notes_text_frame.text = (
        f"Bildspelet visar Kolada-nyckeltal för {who} år {year}. {source_line}."
    )


def _domain_slide(prs: Any, ctx: ReportContext, domain: str, charts: Path) -> None:
    """The domain's overview figure, with what stands out as speaker notes."""
    from pptx.util import Inches

    from fou.reports.common import overview_chart
    from fou.reports.regional import domain_text, overview_matrix

    s = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(s, sv.capitalise(domain), 32 if len(domain) <= 40 else 26)
    chart = overview_chart(ctx, domain) if ctx.municipality_id else overview_matrix(ctx, domain)
    stem = f"oversikt_{sv.slug(domain)}" + (
        f"_{ctx.municipality_id}" if ctx.municipality_id else ""
    )
    png = write_bytes(charts / f"{stem}.png", chart.png())
    # Fit the figure into the space under the title, keeping its proportions.
    width_in, height_in = chart.figure.get_figwidth(), chart.figure.get_figheight()
    scale = min(12.3 / width_in, 5.7 / height_in)
    left = Inches((13.333 - width_in * scale) / 2)
    s.shapes.add_picture(str(png), left, Inches(1.45), width=Inches(width_in * scale))
    n = len(ctx.catalog.ids(domain=domain))
    told = " ".join(domain_text(ctx, domain).paragraphs)
    what = f"Området {domain}" if ctx.catalog.view == DEFAULT_VIEW else f"Rubriken {domain}"
    s.notes_slide.notes_text_frame.text = (
        f"{what} har {sv.quantity(n, 'nyckeltal', 'nyckeltal')}. {told} Färgerna visar "
        "bara skillnader som är större än osäkerheten."
    )


def _kpi_slide(prs: Any, facts: Facts, *, png: Path | None, source_line: str) -> None:
    from pptx.util import Inches

    s = prs.slides.add_slide(prs.slide_layouts[5])
    _set_title(s, f"{facts.label}, {facts.year}", 26)
    if facts.missing or png is None:
        text = f"Värdet saknas för {facts.year}.\nOrsak: {facts.missing_reason}."
        _textbox(s, Inches(1.0), Inches(2.6), Inches(11.3), Inches(2.0), text, size=24)
    else:
        s.shapes.add_picture(str(png), Inches(0.9), Inches(1.75), width=Inches(11.5))
    src = (
        f"{source_line} · {facts.title} (Kolada-id {facts.kpi}) · GR-snitt = ovägt medel av "
        "GR:s 13 kommuner"
    )
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
    view: str | None = None,
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
    view
        How the key figures are grouped into sections: a view of the
        catalogue (``nara_vard``, the default, or ``fardplan``); *domains*
        are then the view's headings.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ParameterError
        Year not in the data set, unknown view, domain or municipality.
    """
    from pptx import Presentation
    from pptx.util import Inches

    from fou.quality import run_checks
    from fou.reports.context import ReportContext

    catalog = (catalog or load_catalog()).with_view(view).fitted_to(dataset.values)
    year = dataset.check_year(year, parameter="år")
    mid = focus_municipality(municipality)
    chosen = _check_domains(domains, catalog)
    out = Path(output) if output is not None else default_output(year, mid, view=catalog.view)
    charts = out.parent / "charts"
    issues = run_checks(
        dataset.values,
        catalog=catalog,
        checks=list(CAVEAT_CHECKS),
        municipalities=list(GR_MUNICIPALITIES),
        years=[year],
    )
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    who = "Göteborgsregionens 13 kommuner" + (f" – fokus {municipality_name(mid)}" if mid else "")
    src = dataset.provenance.source_line()
    view_title = catalog.view_title if catalog.view != DEFAULT_VIEW else ""
    _title_slide(
        prs, year=year, who=who, source_line=src, is_demo=dataset.is_demo, view_title=view_title
    )
    ctx = ReportContext(dataset, catalog, mid, municipality_name(mid) if mid else None, year)
    for domain in chosen:
        _domain_slide(prs, ctx, domain, charts)
        for kpi in catalog.ids(domain=domain):
            f = kpi_facts(
                dataset.values, kpi=kpi, year=year, municipality=mid, catalog=catalog, issues=issues
            )
            png = None if f.missing else write_chart(f, charts, catalog=catalog)[0]
            _kpi_slide(prs, f, png=png, source_line=src)
    return write_with(out, lambda p: prs.save(str(p)))
