"""The PDF shows every word of its HTML (fou.reports.pdftext): cut-off tables are caught."""

from __future__ import annotations

from fou.reports.export import html_to_pdf
from fou.reports.pdftext import html_text, missing_words, words


def test_a_table_wider_than_the_page_loses_words(tmp_path):
    cells = "".join(f'<td style="white-space:nowrap">kolumn{i}ord</td>' for i in range(25))
    html = f"<html><body><p>Inledning</p><table><tr>{cells}</tr></table></body></html>"
    html_to_pdf(html, tmp_path / "bred.pdf")
    missing = missing_words(html, tmp_path / "bred.pdf")
    assert "kolumn24ord" in missing and "kolumn0ord" not in missing


def test_a_table_that_wraps_keeps_every_word(tmp_path):
    text = "värde saknas: nyckeltalet har inga värden för kommunen detta år"
    cells = "".join(f"<td>{text} {i}</td>" for i in range(4))
    html = f"<html><body><table><tr>{cells}</tr></table><p>Hänsyn till åsikter</p></body></html>"
    html_to_pdf(html, tmp_path / "smal.pdf")
    assert missing_words(html, tmp_path / "smal.pdf") == []


def test_body_text_skips_styles_and_separates_cells():
    html = "<html><head><style>td{x:1}</style></head><body><dl><dt>Datakälla</dt><dd>Kolada</dd></dl></body></html>"
    assert words(html_text(html)) == {"datakälla": 1, "kolada": 1}
