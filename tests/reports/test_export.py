"""Reviewer HTML and PDF export (no notebook execution needed)."""

from __future__ import annotations

import base64
import io

import nbformat
import pytest

from fou.data.provenance import Provenance
from fou.reports.export import ReportMeta, html_to_pdf, notebook_to_html

DEMO = Provenance("demo", "demo-1", "2026-01-01T00:00:00+00:00")
KOLADA = Provenance(
    "kolada", "20261123T101500Z", "2026-11-23T10:15:00+00:00", base_url="https://api.kolada.se/v3"
)


def to_html(
    nb, *, title, provenance, municipality_id=None, year=None, parameters=None, generated_at=""
):
    meta = ReportMeta(title=title, notebook="profil", municipality_id=municipality_id, year=year,
                      parameters=parameters or {}, provenance=provenance, generated_at=generated_at)  # fmt: skip
    return notebook_to_html(nb, meta=meta)


def to_pdf(html, path):
    return html_to_pdf(html, path)


def _executed_nb():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.plot([1, 2], [2, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    png = base64.b64encode(buf.getvalue()).decode()
    code = nbformat.v4.new_code_cell("secret_code_line = 1")
    code.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": "<table class='dataframe'><tr><th>a</th><td>1</td></tr></table>"},
            execution_count=1,
        ),
    ]
    return nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Profil\n\n## Första avsnittet\n\nSe https://www.kolada.se."
            ),
            code,
            nbformat.v4.new_markdown_cell("## Andra avsnittet\n\n[länk](http://example.org)"),
        ]
    )


def test_html_is_offline_and_complete():
    html = to_html(
        _executed_nb(),
        title="Profil",
        municipality_id="1480",
        year=2025,
        provenance=DEMO,
        parameters={"kommun": "1480", "ar": 2025, "jamforelse": "gr", "datakalla": "demo"},
        generated_at="2026-11-23T10:00:00+00:00",
    )
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "@import" not in html and "@font-face" not in html
    assert "DEMODATA" in html and "syntetiska" in html
    assert "Göteborg 2025" in html
    assert "secret_code_line" not in html  # inputs excluded
    assert "data:image/png;base64" in html
    assert "Innehåll" in html and 'href="#Andra-avsnittet"' in html
    # The parameters are listed in the provenance box with Swedish labels and readable values.
    for label, value in (("kommun", "Göteborg (1480)"), ("år", "2025"), ("jämförelse", "GR-snitt")):
        assert f'<span class="param-name">{label}</span> {value}' in html, label
    assert ">ar<" not in html and ">datakalla<" not in html
    # the data source has its own line, without "Källa: Källa:"
    assert "<dt>Datakälla</dt><dd>Demodata (syntetiska värden" in html
    assert "Källa: Källa" not in html


def test_the_notebooks_own_title_is_not_repeated():
    nb = _executed_nb()
    html = to_html(nb, title="Profil", provenance=DEMO)
    assert html.count("<h1") == 1 and html.count("DEMODATA.") == 1


def test_contents_come_after_the_first_section():
    html = to_html(_executed_nb(), title="Profil", provenance=DEMO)
    assert (
        html.index("Första avsnittet")
        < html.index('<nav class="toc"')
        < html.index('id="Andra-avsnittet"')
    )


def test_kolada_report_has_no_demo_banner():
    html = to_html(_executed_nb(), title="T", provenance=KOLADA)
    assert "DEMODATA" not in html
    assert "ögonblicksbild 20261123T101500Z" in html
    assert "https://" not in html


def test_pdf_has_pages_and_page_numbers(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    html = to_html(
        _executed_nb(), title="Profil", municipality_id="1481", year=2025, provenance=DEMO
    )
    path = to_pdf(html, tmp_path / "r.pdf")
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) >= 1
    text = reader.pages[0].extract_text()
    assert "Sida 1 av" in text
    assert "Mölndal 2025" in text


def test_pdf_contents_links_reach_headings_with_swedish_letters(tmp_path):
    """Every link in the PDF's table of contents lands on a heading, å/ä/ö included."""
    pypdf = pytest.importorskip("pypdf")
    nb = _executed_nb()
    nb.cells.append(nbformat.v4.new_markdown_cell("## Hur mycket går att använda?\n\nText."))
    nb.cells.append(
        nbformat.v4.new_markdown_cell("## Hur mycket gar att anvanda\n\nSamma slug, annan rubrik.")
    )
    html = to_html(nb, title="Profil", municipality_id="1407", year=2025, provenance=DEMO)
    assert (
        'href="#Hur-mycket-gar-att-anvanda"' in html
        and 'href="#Hur-mycket-gar-att-anvanda-2"' in html
    )
    reader = pypdf.PdfReader(str(to_pdf(html, tmp_path / "r.pdf")))
    targets = set(reader.named_destinations)
    links = [
        a.get_object()["/Dest"]
        for page in reader.pages
        for a in page.get("/Annots") or []
        if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()
    ]
    expected = [
        "Forsta-avsnittet",
        "Andra-avsnittet",
        "Hur-mycket-gar-att-anvanda",
        "Hur-mycket-gar-att-anvanda-2",
    ]
    assert [str(d) for d in links] == expected
    assert set(expected) <= targets


def test_ascii_anchors_leaves_pages_without_headings_alone():
    from fou.reports.export import ascii_anchors

    body = '<p><a href="#x">x</a></p>'
    assert ascii_anchors(body) == body


@pytest.mark.parametrize(
    ("title", "notebook", "left"),
    [("Kommunprofil: äldreomsorg och nära vård", "municipality_profile",
      "Kommunprofil: äldreomsorg och nära vård"),
     ("Regional översikt: Göteborgsregionens 13 kommuner", "regional_report", "Regional översikt")],
)  # fmt: skip
def test_running_header_names_the_report_once_and_the_place_on_the_right(title, notebook, left):
    from fou.reports.export import report_context

    meta = ReportMeta(title=title, notebook=notebook, year=2025, provenance=DEMO)
    css = report_context(meta)["page_css"]
    assert f'@top-left {{ content: "{left}";' in css
    assert '@top-right { content: "DEMODATA · Göteborgsregionen 2025";' in css
