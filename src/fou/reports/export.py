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

All files are written atomically.
"""

from __future__ import annotations

import base64
import html as html_lib
import logging
import re
import time
import unicodedata
import urllib.parse
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fou.core.atomic import write_text, write_with

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "fou_report"
KICKER = "FoU i Väst · Göteborgsregionen"
#: Swedish labels of notebook parameters in the provenance box.
PARAMETER_LABELS: Mapping[str, str] = {
    "municipality": "kommun",
    "year": "år",
    "comparison": "jämförelse",
    "source": "datakälla",
}
REMOVE_CELL_TAGS = frozenset({"report-skip", "remove-cell", "remove_cell", "injected-parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})
_HEADING = re.compile(r"<h([23])\b([^>]*)\bid=\"([^\"]+)\"([^>]*)>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_XMLNS = re.compile(r"\s+xmlns(?::\w+)?=\"https?://[^\"]*\"")
_URL_ATTR = re.compile(r"\b(href|src|action|poster|data)\s*=\s*([\"'])\s*(?:https?:)?//[^\"']*\2", re.I)
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
    return dt.strftime("%Y-%m-%d %H:%M") + (" UTC" if dt.utcoffset() is not None and not dt.utcoffset() else "")


def _source_line(prov: Mapping[str, Any]) -> str:
    from fou.data.dataset import Provenance

    if not prov:
        return "Datakälla okänd"
    return Provenance.from_dict(dict(prov)).source_line()


def report_context(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Everything the report template needs, from the job's metadata.

    Parameters
    ----------
    meta
        ``title, notebook, municipality_id, municipality, year, parameters,
        provenance (provenance.json as dict), package_version, generated_at``.
        ``municipality`` is None for regional reports.

    Returns
    -------
    dict
    """
    prov = dict(meta.get("provenance") or {})
    is_demo = prov.get("source") == "demo"
    title = str(meta.get("title") or meta.get("notebook") or "Rapport")
    where = meta.get("municipality") or "Göteborgsregionen"
    year = meta.get("year")
    subtitle = f"{where} {year}" if year is not None else str(where)
    if meta.get("municipality_id"):
        subtitle += f" (kommunkod {meta['municipality_id']})"
    params = []
    for k, v in (meta.get("parameters") or {}).items():
        params.append((PARAMETER_LABELS.get(k, k), str(v)))
    generated = _display_time(meta.get("generated_at"))
    source_line = _source_line(prov)
    right = f"{where} {year}" if year is not None else str(where)
    if is_demo:
        right = "DEMODATA · " + right
    page_css = (TEMPLATES / "page.css.j2").read_text(encoding="utf-8")
    for key, value in {
        "left": _css_string(f"{title}: {where} {year}" if year is not None else title),
        "right": _css_string(right),
        "right_color": "#9b1c1c" if is_demo else "#1d2330",
        "bottom_left": _css_string(source_line),
    }.items():
        page_css = page_css.replace("{{ " + key + " }}", value)
    return {
        "title": title,
        "subtitle": subtitle,
        "document_title": f"{title} – {subtitle}",
        "kicker": KICKER,
        "notebook": str(meta.get("notebook") or ""),
        "municipality": meta.get("municipality"),
        "year": year,
        "is_demo": is_demo,
        "source_line": source_line,
        "local_files": list(prov.get("local_files") or []),
        "parameters_display": params,
        "package_version": str(meta.get("package_version") or ""),
        "generated_display": generated,
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "page_css": page_css,
    }


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
    """ASCII anchor for a heading id: 'Hur-mycket-g%C3%A5r-att-använda?' → 'Hur-mycket-gar-att-anvanda'."""
    text = unicodedata.normalize("NFKD", urllib.parse.unquote(html_lib.unescape(anchor)))
    text = text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "avsnitt"


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


def notebook_to_html(nb: Any, *, meta: Mapping[str, Any]) -> str:
    """Render an executed notebook as a reviewer report (one self-contained HTML page).

    Parameters
    ----------
    nb
        ``nbformat.NotebookNode`` (version 4).
    meta
        See :func:`report_context`.

    Returns
    -------
    str
        The page.
    """
    ctx = report_context(meta)
    body, _ = _exporter().from_notebook_node(nb, resources={"fou": ctx})
    body = ascii_anchors(body)
    body = body.replace("<!--FOU-TOC-->", _toc(body), 1)
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
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, url_fetcher=fetcher, media_type="print")
    return write_with(target, lambda p: document.write_pdf(str(p)))


def export_report(
    ipynb: Path | str,
    *,
    html: Path | str,
    pdf: Path | str | None,
    meta: Mapping[str, Any],
) -> dict[str, float]:
    """Export an executed notebook to HTML and (optionally) PDF.

    Parameters
    ----------
    ipynb
        Executed notebook.
    html, pdf
        Targets (``pdf=None`` skips the PDF).
    meta
        See :func:`report_context`.

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
    return timings


# --------------------------------------------------------------------------- keyword API used by fou.batch.run


def to_html(
    nb_path_or_node: Any,
    *,
    title: str,
    subtitle: str = "",
    provenance: Any,
    parameters: Mapping[str, Any] | None = None,
    generated_at: str | datetime | None = None,
    municipality_id: str | None = None,
    municipality: str | None = None,
    year: int | None = None,
    notebook: str = "",
) -> str:
    """Render an executed notebook (path or node) as an offline reviewer page.

    Thin keyword wrapper around :func:`notebook_to_html`: *provenance* is a
    :class:`fou.data.dataset.Provenance`; *subtitle* names municipality and year
    when *municipality*/*year* are not given.

    Returns
    -------
    str
        HTML without any ``http://`` or ``https://``.
    """
    import nbformat

    from fou import __version__

    nb = (
        nbformat.read(str(nb_path_or_node), as_version=4)
        if isinstance(nb_path_or_node, (str, Path))
        else nb_path_or_node
    )
    if isinstance(generated_at, datetime):
        generated_at = generated_at.isoformat(timespec="seconds")
    meta = {
        "title": title,
        "notebook": notebook,
        "municipality_id": municipality_id,
        "municipality": municipality if municipality is not None else (subtitle or None),
        "year": year,
        "parameters": dict(parameters or {}),
        "provenance": provenance.to_dict() if hasattr(provenance, "to_dict") else dict(provenance or {}),
        "package_version": __version__,
        "generated_at": generated_at or datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return notebook_to_html(nb, meta=meta)


def to_pdf(html: str, path: Path | str) -> Path:
    """Render report HTML to an A4 PDF (atomic); see :func:`html_to_pdf`."""
    return html_to_pdf(html, path)
