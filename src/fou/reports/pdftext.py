"""Does the PDF say everything the HTML says? Words cut off at a page edge, found.

A table wider than an A4 page is cut at the right edge in the PDF: "värde
saknas: nyckeltalet har inga värden" can lose "inga" and read as its
opposite. :func:`missing_words` compares the words of a report's HTML body
with the words printed *inside the pages* of its PDF (text outside a page's
box is not visible, so it does not count) and returns what the PDF lacks.

Words are compared as a multiset: every occurrence must be there. Hyphens and
line breaks are ignored on both sides, so a word the PDF hyphenates across
two lines still counts. The PDF's text extraction sometimes runs two table
headers together ("Kolada-idTitel"); a word that is only found inside such a
run still counts, when it occurs there as often as in the HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

#: Elements whose text the reader does not see.
_SKIP = {"style", "script", "head", "title"}
_WORD = re.compile(r"\w{2,}", re.UNICODE)
# pdfium writes a hyphen the layout added at a line break as \x02.
_JOIN = re.compile(r"[-\u2010\u2011\u00ad\x02]\s*(?:\r?\n)\s*")
_HYPHENS = re.compile(r"[-\u2010\u2011\u00ad\x02]")
#: Elements that separate words (the text of two of them never runs together).
_BREAKS = {
    "br",
    "p",
    "div",
    "td",
    "th",
    "li",
    "tr",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "caption",
    "figcaption",
    "section",
    "header",
    "footer",
    "main",
    "nav",
    "ol",
    "ul",
    "table",
    "summary",
}


class _BodyText(HTMLParser):
    """Text of an HTML page's ``<body>``, without styles and scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._in_body = True
        if tag in _SKIP:
            self._skip += 1
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP and self._skip:
            self._skip -= 1
        if tag in _BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_body and not self._skip:
            self.parts.append(data)


def words(text: str) -> Counter[str]:
    """Words (two characters or more) of *text*, hyphens and case ignored.

    Examples
    --------
    >>> sorted(words("GR-snittet är 2,5; GR-\\nsnittet").items())
    [('grsnittet', 2), ('är', 1)]
    """
    joined = _HYPHENS.sub("", _JOIN.sub("", text))
    return Counter(w.lower() for w in _WORD.findall(joined))


def html_text(html: str) -> str:
    """The text a reader sees in the body of an HTML page."""
    parser = _BodyText()
    parser.feed(html)
    return "".join(parser.parts)


def pdf_text(pdf: Path | str) -> str:
    """The text printed inside the page boxes of a PDF (what a reader can see)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for page in doc:
            width, height = page.get_size()
            text = page.get_textpage()
            out.append(text.get_text_bounded(left=0, bottom=0, right=width, top=height))
        return "\n".join(out)
    finally:
        doc.close()


def missing_words(html: str, pdf: Path | str) -> list[str]:
    """Words of the HTML body that the PDF's pages do not show (sorted, with repeats).

    Parameters
    ----------
    html
        The report's HTML.
    pdf
        The PDF made from it.

    Returns
    -------
    list of str
        Empty when the PDF shows everything.
    """
    body, printed = html_text(html), pdf_text(pdf)
    missing = words(body) - words(printed)
    if not missing:
        return []
    html_run, pdf_run = _run(body), _run(printed)
    out = []
    for word in missing:
        short = html_run.count(word) - pdf_run.count(word)
        out += [word] * max(0, min(short, missing[word]))
    return sorted(out)


def _run(text: str) -> str:
    """All word characters of *text* in one lower-case run (for words glued by extraction)."""
    return "".join(words_in_order(text))


def words_in_order(text: str) -> list[str]:
    """The words of *text* in order, hyphens and case ignored."""
    joined = _HYPHENS.sub("", _JOIN.sub("", text))
    return [w.lower() for w in _WORD.findall(joined)]
