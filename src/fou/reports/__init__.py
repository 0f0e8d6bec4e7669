"""Reports: what the notebooks show, exported for reviewers.

One module per report, each a set of functions that take a
:class:`~fou.reports.context.ReportContext` and return what the reader sees
(:class:`~fou.reports.display.Table`, :class:`~fou.reports.display.Chart`,
:class:`~fou.reports.display.Note`), computed by :mod:`fou.stats` and
:mod:`fou.quality` and drawn by :mod:`fou.plotting`:

* :mod:`~fou.reports.profile` (Kommunprofil), :mod:`~fou.reports.data_quality`
  (Brister i data), :mod:`~fou.reports.associations` (Samband),
  :mod:`~fou.reports.person_centred` (Personcentrering),
  :mod:`~fou.reports.regional` (Regional översikt);
* :mod:`~fou.reports.context` (parameters → data → context, the header) and
  :mod:`~fou.reports.display` (how tables, charts and notes look);
* :mod:`~fou.reports.export` (reviewer HTML and PDF),
  :mod:`~fou.reports.index` (``outputs/index.html``) and
  :mod:`~fou.reports.slides` (the slide deck with talmanus).

A notebook starts with::

    from fou.reports import open_report, show, profile
    ctx = open_report(kommun=kommun, ar=ar, jamforelse=jamforelse, datakalla=datakalla,
                      namespace=globals())

The names above load on first use (as in :mod:`fou`): the batch worker
imports :mod:`fou.reports.export` without the statistics and plotting stack
the notebooks need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fou.core.lazy import lazy_exports

if TYPE_CHECKING:
    from fou.reports.context import ReportContext, open_report
    from fou.reports.display import Chart, Column, Heading, Note, Table, show

_EXPORTS: dict[str, tuple[str, ...]] = {
    "fou.reports.context": ("ReportContext", "open_report"),
    "fou.reports.display": ("Chart", "Column", "Heading", "Note", "Table", "show"),
}
__getattr__, __dir__, _PUBLIC = lazy_exports("fou.reports", _EXPORTS, globals())

__all__ = ["Chart", "Column", "Heading", "Note", "ReportContext", "Table", "open_report", "show"]
