"""Executed notebook → reviewer HTML (no code, fully offline) → PDF (WeasyPrint).

Reviewers read reports, not code. :func:`notebook_to_html` renders an executed
notebook with nbconvert's :class:`~nbconvert.HTMLExporter` and the package's
own template (``fou/templates/fou_report``): inputs and prompts are excluded,
stderr (warnings) is dropped, cells tagged ``report-skip`` or ``remove-cell``
are removed, and the page gets a title with municipality and year, a
provenance box ("Källa: Kolada" with the snapshot date, or a DEMO banner),
a table of contents from the headings and the CSS inline. Nothing is loaded
from the network: no require.js, no MathJax, no web fonts; images are data
URIs, and any remaining ``http(s)://`` reference is neutralised.

:func:`html_to_pdf` renders the same HTML with WeasyPrint (A4, running header
with report, municipality and year, page numbers) with a URL fetcher that
only accepts ``data:`` URLs.

All files are written atomically. What a report is about travels as one
:class:`ReportMeta`; nothing here knows about batches.
"""

from __future__ import annotations

import base64
import html as html_lib
import logging
import re
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fou.core import sv
from fou.core.atomic import write_bytes, write_text, write_with
from fou.core.version import package_version
from fou.core.vocabulary import (
    COMPARISON,
    COMPARISON_LABELS,
    DATA_SOURCE,
    DATA_SOURCE_LABELS,
    MUNICIPALITY,
    VIEW,
    YEAR,
    parameter_label,
    report_name,
)
from fou.data.provenance import Provenance
from fou.reports.mime import REPORT_MIME
from fou.reports.pdfimages import pass_png_through

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "fou_report"
KICKER = "FoU i Väst · Göteborgsregionen"
REMOVE_CELL_TAGS = frozenset({"report-skip", "remove-cell", "remove_cell", "injected-parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
_HEADING = re.compile(r"<h([23])\b([^>]*)\bid=\"([^\"]+)\"([^>]*)>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_XMLNS = re.compile(r"\s+xmlns(?::\w+)?=\"https?://[^\"]*\"")
_URL_ATTR = re.compile(
    r"\b(href|src|action|poster|data)\s*=\s*([\"'])\s*(?:https?:)?//[^\"']*\2", re.I
)
_CSS_URL = re.compile(r"url\(\s*([\"']?)\s*(?:https?:)?//[^)]*\)", re.I)
_BARE_URL = re.compile(r"https?://", re.I)


def _css_string(text: str) -> str:
    """Escape text for a CSS string literal."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _display_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return str(iso)
    return dt.strftime("%Y-%m-%d %H:%M") + (
        " UTC" if dt.utcoffset() is not None and not dt.utcoffset() else ""
    )


@dataclass(frozen=True)
class ReportMeta:
    """What the page around a report says: what it is, about whom and when, from which data.

    Attributes
    ----------
    title
        The report's title (the notebook's first heading).
    notebook
        The notebook name.
    municipality_id
        The municipality (None for regional reports).
    year
        The year the report is about.
    parameters
        The notebook parameters it ran with (shown with Swedish labels).
    provenance
        The data the report was computed from.
    generated_at
        ISO time the report was made.
    package_version
        The ``fou`` version.
    """

    title: str
    notebook: str = ""
    municipality_id: str | None = None
    year: int | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    provenance: Provenance | None = None
    generated_at: str = ""
    package_version: str = field(default_factory=package_version)

    @property
    def place(self) -> str:
        """The municipality's name, or Göteborgsregionen."""
        if self.municipality_id is None:
            return "Göteborgsregionen"
        from fou.core.registry import municipality_name

        return municipality_name(self.municipality_id)

    @property
    def source_line(self) -> str:
        """The provenance line (``Källa: Kolada …``, or the demo label)."""
        return self.provenance.source_line() if self.provenance else "Datakälla okänd"

    @property
    def description(self) -> str:
        """The data source for the provenance box (without "Källa:")."""
        return self.provenance.description() if self.provenance else "okänd"

    @property
    def is_demo(self) -> bool:
        """True when the report is computed from demo data."""
        return self.provenance is not None and self.provenance.is_demo


def _parameter_value(name: str, value: Any) -> str:
    """A parameter's value as a reader understands it (names, not codes)."""
    from fou.core import registry

    if name == YEAR:
        return sv.year(value)
    if name == MUNICIPALITY and isinstance(value, str):
        return f"{registry.municipality_name(value)} ({value})"
    if name == COMPARISON:
        return COMPARISON_LABELS.get(str(value), str(value))
    if name == DATA_SOURCE:
        return DATA_SOURCE_LABELS.get(str(value), str(value))
    if name == VIEW:
        from fou.core.catalog import load_catalog

        views = load_catalog().views
        return views[str(value)].title if str(value) in views else str(value)
    return str(value)


#: A title longer than this is shortened to the report's name in the running header.
RUNNING_TITLE = 45


def report_context(meta: ReportMeta) -> dict[str, Any]:
    """Everything the report template needs, from the report's metadata."""
    title = meta.title or report_name(meta.notebook) or "Rapport"
    where = meta.place
    year = meta.year
    when = f"{where} {sv.year(year)}" if year is not None else where
    subtitle = when + (f" (kommunkod {meta.municipality_id})" if meta.municipality_id else "")
    # The data source has its own line in the box; the other parameters say what it is about.
    params = [
        (parameter_label(k), _parameter_value(k, v))
        for k, v in meta.parameters.items()
        if k != DATA_SOURCE
    ]
    source_line = meta.source_line
    right = ("DEMODATA · " if meta.is_demo else "") + when
    page_css = (TEMPLATES / "page.css.j2").read_text(encoding="utf-8")
    for key, value in {
        # The place and year stand on the right; the left names the report, briefly.
        "left": _css_string(title if len(title) <= RUNNING_TITLE else report_name(meta.notebook)),
        "right": _css_string(right),
        "right_color": "#9b1c1c" if meta.is_demo else "#1d2330",
        "bottom_left": _css_string(source_line),
    }.items():
        page_css = page_css.replace("{{ " + key + " }}", value)
    local = meta.provenance.local_files if meta.provenance else ()
    return {
        "title": title,
        "subtitle": subtitle,
        "document_title": f"{title} – {subtitle}",
        "kicker": KICKER,
        "notebook": meta.notebook,
        "municipality": where if meta.municipality_id else None,
        "year": year,
        "is_demo": meta.is_demo,
        "source_line": source_line,
        "source_description": meta.description,
        "local_files": list(local),
        "parameters_display": params,
        "package_version": meta.package_version,
        "generated_display": _display_time(meta.generated_at),
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "page_css": page_css,
    }


def about_rows(meta: ReportMeta) -> list[tuple[str, str]]:
    """What the *Om rapporten* sheet of the report's workbook says (Swedish labels)."""
    rows = [
        ("Rapport", meta.title or report_name(meta.notebook) or "Rapport"),
        ("Gäller", meta.place),
        ("År", sv.year(meta.year) if meta.year is not None else "–"),
    ]
    rows += [
        (sv.capitalise(parameter_label(k)), _parameter_value(k, v))
        for k, v in meta.parameters.items()
        if k not in (DATA_SOURCE, YEAR, MUNICIPALITY)
    ]
    rows += [
        ("Datakälla", meta.description),
        ("Källrad", meta.source_line),
        ("Skapad", _display_time(meta.generated_at)),
        ("fou-version", meta.package_version),
        ("Läsanvisning", "Tomma celler betyder att värdet saknas, inte 0. Talen är lagrade "
                         "som tal med full noggrannhet och visas med rapportens decimaler."),
    ]  # fmt: skip
    if meta.is_demo:
        rows.insert(0, ("DEMODATA", "Syntetiska värden, inte verkliga resultat. Får inte "
                                    "citeras eller spridas som resultat."))  # fmt: skip
    return rows


def workbook_for(nb: Any, *, meta: ReportMeta) -> bytes:
    """The report's tables as an Excel workbook (:mod:`fou.reports.workbook`)."""
    from fou.reports.workbook import notebook_tables, workbook_bytes

    return workbook_bytes(notebook_tables(nb), about=about_rows(meta))


def report_facts(nb: Any) -> dict[str, Any] | None:
    """What the notebook's header recorded (year, municipality, provenance), or None.

    Written by :class:`fou.reports.context.Header` when the notebook opened its
    report; the batch runner checks it against the job.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if REPORT_MIME in data:
                facts = data[REPORT_MIME]
                return dict(facts) if isinstance(facts, Mapping) else None
    return None


def _b64(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return base64.b64encode(data).decode("ascii")


@lru_cache(maxsize=1)
def _exporter() -> Any:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    c.HTMLExporter.embed_images = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    exporter = HTMLExporter(
        config=c, template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES)]
    )
    exporter.register_filter("fou_b64", _b64)
    return exporter


def _slug(anchor: str) -> str:
    """ASCII anchor for a heading id: ``'G%C3%A5r-det?'`` → ``'Gar-det'``."""
    return sv.slug(urllib.parse.unquote(html_lib.unescape(anchor)))


def ascii_anchors(body: str) -> str:
    """Give headings ASCII ids and point every in-page link at them.

    nbconvert writes heading ids percent-encoded (``g%C3%A5r``); browsers cope,
    but WeasyPrint decodes the link and then finds no such id, so table-of-
    contents links in the PDF went nowhere for headings with å, ä or ö.
    Clashing slugs get a numeric suffix.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for m in _HEADING.finditer(body):
        old = m.group(3)
        if old in mapping:
            continue
        new = base = _slug(old)
        k = 2
        while new in used:
            new, k = f"{base}-{k}", k + 1
        used.add(new)
        mapping[old] = new
    if not mapping:
        return body

    def heading(m: re.Match[str]) -> str:
        return m.group(0).replace(f'id="{m.group(3)}"', f'id="{mapping[m.group(3)]}"', 1)

    body = _HEADING.sub(heading, body)
    return re.sub(
        r'href="#([^"]+)"', lambda m: f'href="#{mapping.get(m.group(1), m.group(1))}"', body
    )


def _toc(body: str) -> str:
    """Build the table of contents from the h2/h3 headings that have ids."""
    main_at = body.find('<main class="report-body">')
    items: list[tuple[int, str, str]] = []
    for m in _HEADING.finditer(body, main_at if main_at >= 0 else 0):
        label = html_lib.unescape(_TAG.sub("", m.group(5))).replace("¶", "").strip()
        if label:
            items.append((int(m.group(1)), m.group(3), label))
    if len(items) < 2:
        return ""
    out = ['<nav class="toc" aria-label="Innehåll"><h2>Innehåll</h2><ol>']
    open_sub = False
    for level, anchor, label in items:
        link = f'<a href="#{html_lib.escape(anchor)}">{html_lib.escape(label)}</a>'
        if level == 2:
            if open_sub:
                out.append("</ol></li>")
                open_sub = False
            elif len(out) > 1:
                out.append("</li>")
            out.append(f"<li>{link}")
        else:
            if not open_sub:
                out.append("<ol>")
                open_sub = True
            out.append(f"<li>{link}</li>")
    out.append("</ol></li>" if open_sub else "</li>")
    out.append("</ol></nav>")
    return "".join(out)


def _place_toc(body: str, toc: str) -> str:
    """Put the contents after the first section (the summary comes first), or at the top."""
    body = body.replace("<!--FOU-TOC-->", "", 1)
    start = body.find('<main class="report-body">')
    if not toc or start < 0:
        return body
    first = body.find("<h2", start)
    second = body.find("<h2", first + 1) if first >= 0 else -1
    at = second if second >= 0 else start + len('<main class="report-body">')
    cell = body.rfind('<div class="md-cell">', first, at) if second >= 0 else -1
    if cell > first:
        at = cell  # before the cell that holds the heading, not inside it
    return body[:at] + toc + body[at:]


def make_offline(html: str) -> str:
    """Neutralise every reference to the network in a page.

    Namespace declarations of inline SVG are dropped (HTML does not need them),
    ``href``/``src`` attributes pointing to ``http(s)://`` are removed, CSS
    ``url(http…)`` becomes ``none`` and a URL written in prose loses its scheme
    (``https://example.org`` → ``example.org``), so the page cannot fetch
    anything and shows the address as plain text.

    Examples
    --------
    >>> make_offline('<a href="https://x.se/a">x.se</a> se https://x.se')
    '<a >x.se</a> se x.se'
    """
    html = _XMLNS.sub("", html)
    html = _URL_ATTR.sub("", html)
    html = _CSS_URL.sub("none", html)
    return _BARE_URL.sub("", html)


_H1 = re.compile(r"<h1\b[^>]*>.*?</h1>", re.S)
_HEADING_ONLY = re.compile(
    r'<div class="(md-cell|output-html)">(\s*<h[2-4]\b[^>]*>.*?</h[2-4]>\s*</div>)', re.S
)


def _keep_headings_with_next(body: str) -> str:
    """Mark cells that hold nothing but a heading, so the PDF never ends a page with them."""
    return _HEADING_ONLY.sub(r'<div class="\1 keep-with-next">\2', body)


def _drop_notebook_title(body: str) -> str:
    """Remove the notebook's own first ``# heading``: the page's title block already says it."""
    start = body.find('<main class="report-body">')
    if start < 0:
        return body
    m = _H1.search(body, start)
    return body if m is None else body[: m.start()] + body[m.end() :]


def notebook_to_html(nb: Any, *, meta: ReportMeta) -> str:
    """Render an executed notebook as a reviewer report (one self-contained HTML page).

    Parameters
    ----------
    nb
        ``nbformat.NotebookNode`` (version 4).
    meta
        What the report is (title, municipality, year, provenance).

    Returns
    -------
    str
        The page.
    """
    ctx = report_context(meta)
    body, _ = _exporter().from_notebook_node(nb, resources={"fou": ctx})
    body = _drop_notebook_title(body)
    body = _keep_headings_with_next(body)
    body = ascii_anchors(body)
    body = _place_toc(body, _toc(body))
    return make_offline(body)


def _quiet_weasyprint() -> None:
    for name in ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib"):
        logging.getLogger(name).setLevel(logging.ERROR)


def html_to_pdf(html: str, target: Path | str) -> Path:
    """Render report HTML to an A4 PDF with WeasyPrint, offline, atomically.

    Parameters
    ----------
    html
        From :func:`notebook_to_html`.
    target
        PDF path.

    Returns
    -------
    pathlib.Path
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    _quiet_weasyprint()
    pass_png_through()  # the figures' PNGs as they are: the same PDF, without re-encoding them
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, url_fetcher=fetcher, media_type="print")
    return write_with(target, lambda p: document.write_pdf(str(p)))


def export_report(
    ipynb: Path | str,
    *,
    html: Path | str,
    pdf: Path | str | None,
    meta: ReportMeta,
    xlsx: Path | str | None = None,
) -> dict[str, float]:
    """Export an executed notebook to HTML and (optionally) PDF and Excel.

    Parameters
    ----------
    ipynb
        Executed notebook.
    html, pdf
        Targets (``pdf=None`` skips the PDF).
    xlsx
        The tables as an Excel workbook (None skips it).
    meta
        What the report is.

    Returns
    -------
    dict
        Seconds spent: ``{"html": …, "pdf": …}``.
    """
    import nbformat

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    nb = nbformat.read(str(ipynb), as_version=4)
    page = notebook_to_html(nb, meta=meta)
    write_text(html, page)
    timings["html"] = round(time.perf_counter() - t0, 3)
    if pdf is not None:
        t1 = time.perf_counter()
        html_to_pdf(page, pdf)
        timings["pdf"] = round(time.perf_counter() - t1, 3)
    if xlsx is not None:
        t2 = time.perf_counter()
        write_bytes(xlsx, workbook_for(nb, meta=meta))
        timings["xlsx"] = round(time.perf_counter() - t2, 3)
    return timings
