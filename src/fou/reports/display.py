"""What a report shows: tables, charts and notes as objects that display themselves.

Report functions (:mod:`fou.reports.profile` and the others) *return* these
objects instead of printing, so a test can read a table's rows or a chart's
caption, and a notebook cell shows them simply by ending with one (or by
:func:`show` in a loop):

* :class:`Table` – raw values plus typed :class:`Column` s. Rendered as an
  HTML table whose every number goes through :mod:`fou.core.sv` (decimal comma,
  true minus, years as text, counts as integers, p-values as ``<0,001``);
  missing values are a dash, never 0. The same table travels with the
  notebook as JSON (:data:`TABLE_MIME`), which the export turns into an Excel
  sheet with numbers stored as numbers.
* :class:`Chart` – a matplotlib figure drawn by :mod:`fou.plotting` with its
  caption and source line, embedded as a PNG.
* :class:`Note` – a paragraph (``info``, ``warning``) in Swedish.

Nothing here computes statistics.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from fou.core import sv
from fou.core.errors import ParameterError, one_of_message
from fou.plotting import png_bytes
from fou.reports.mime import TABLE_MIME

#: How a column's values are written.
KINDS: tuple[str, ...] = ("text", "number", "signed", "integer", "year", "pvalue", "percent")
#: Resolution of report figures (PNG).
PNG_DPI = 150
#: Tables with at most this many rows are kept on one page in the PDF.
SHORT_TABLE = 20


@dataclass(frozen=True)
class Column:
    """One column of a :class:`Table`.

    Parameters
    ----------
    name
        Column in the table's data.
    label
        Swedish header.
    kind
        One of :data:`KINDS`: ``text``, ``number``, ``signed`` (with ``+``),
        ``integer`` (counts), ``year``, ``pvalue``, ``percent``.
    decimals
        Digits after the comma for ``number``/``signed``/``percent``: an int,
        or the name of a data column that holds each row's decimals (for
        tables whose rows are different key figures).
    wrap
        Text that may wrap (long names, comments); numbers never wrap.
    optional
        Hide the column when it says nothing row by row: when every cell is
        empty, or every cell is the same (then one note under the table says
        it once, ``GR jämfört med riket (samma för alla rader): förenligt.``).
    """

    name: str
    label: str
    kind: str = "text"
    decimals: int | str = 1
    wrap: bool = False
    optional: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ParameterError(one_of_message("kind", KINDS, self.kind))

    @property
    def numeric(self) -> bool:
        """True for columns of numbers (right-aligned, stored as numbers in Excel)."""
        return self.kind not in ("text", "year")

    def decimals_for(self, row: Mapping[str, Any]) -> int:
        """The decimals of this column in *row*."""
        if isinstance(self.decimals, str):
            d = row.get(self.decimals)
            return 1 if d is None or sv.is_missing(d) else int(d)
        return self.decimals

    def format(self, value: Any, row: Mapping[str, Any]) -> str:
        """*value* as the reader sees it."""
        if sv.is_missing(value):
            return sv.MISSING
        if self.kind == "text":
            return sv.keep_together(str(value))
        if self.kind == "year":
            return sv.year(value)
        if self.kind == "integer":
            return sv.integer(value)
        if self.kind == "pvalue":
            return sv.pvalue(value)
        d = self.decimals_for(row)
        if self.kind == "signed":
            return sv.signed(value, d)
        if self.kind == "percent":
            return sv.percent(value, d)
        return sv.number(value, d)


def _plain(value: Any) -> Any:
    """A JSON-able cell: numbers as numbers, missing as None."""
    if sv.is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table for reviewers.

    Parameters
    ----------
    data
        The values (numbers as numbers, missing as NaN).
    columns
        What is shown, in order.
    caption
        Swedish caption (what, where, when).
    name
        Short name (the Excel sheet's name).
    notes
        Lines under the table (footnotes, full titles).
    highlight
        Column of booleans marking rows to emphasise (e.g. the report's municipality).
    """

    data: pd.DataFrame
    columns: tuple[Column, ...]
    caption: str = ""
    name: str = ""
    notes: tuple[str, ...] = ()
    highlight: str | None = None

    def __post_init__(self) -> None:
        missing = [c.name for c in self.columns if c.name not in self.data.columns]
        if missing:
            raise ParameterError(
                f"Tabellen {self.name or self.caption!r} saknar kolumnerna {', '.join(missing)}."
            )

    @cached_property
    def _rows(self) -> list[dict[str, Any]]:
        """The rows as dicts, made once (a table is immutable once shown)."""
        return self.data.to_dict("records")

    def _cells(self, column: Column) -> list[str]:
        return [column.format(r[column.name], r) for r in self._rows]

    def _says_nothing(self, column: Column) -> bool:
        if not column.optional or self.data.empty:
            return False
        return len(set(self._cells(column))) == 1

    @cached_property
    def shown(self) -> tuple[Column, ...]:
        """The columns the reader sees (optional columns that say nothing are left out)."""
        return tuple(c for c in self.columns if not self._says_nothing(c))

    @property
    def all_notes(self) -> tuple[str, ...]:
        """The notes under the table, and a line per hidden column that is the same throughout."""
        same = []
        for c in self.columns:
            if self._says_nothing(c):
                value = self._cells(c)[0]
                if value and value != sv.MISSING:
                    same.append(f"{c.label} (samma för alla rader): {value}.")
        return (*same, *self.notes)

    @property
    def labels(self) -> list[str]:
        """The Swedish headers."""
        return [c.label for c in self.shown]

    def text(self) -> pd.DataFrame:
        """The table as the reader sees it: formatted strings under the Swedish headers."""
        return pd.DataFrame(
            [[c.format(r[c.name], r) for c in self.shown] for r in self._rows],
            columns=self.labels,
            dtype=object,
        )

    def to_html(self) -> str:
        """A self-contained ``<table>`` (with caption and notes)."""
        # A short table stays on one page; a long one repeats its header on every page.
        size = "short" if len(self.data) <= SHORT_TABLE else "long"
        out = [f'<div class="table-wrap {size}"><table class="fou-table {size}">']
        if self.caption:
            out.append(f"<caption>{html.escape(sv.keep_together(self.caption))}</caption>")
        shown = self.shown
        head = "".join(
            f'<th class="{_classes(c)}" scope="col">{html.escape(sv.keep_together(c.label))}</th>'
            for c in shown
        )
        out.append(f"<thead><tr>{head}</tr></thead><tbody>")
        rows = self._rows
        for r in rows:
            mark = self.highlight is not None and bool(r.get(self.highlight))
            cells = "".join(
                f'<td class="{_classes(c)}">{html.escape(c.format(r[c.name], r))}</td>'
                for c in shown
            )
            out.append(f'<tr class="highlight">{cells}</tr>' if mark else f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
        for note in self.all_notes:
            out.append(f'<p class="table-note">{html.escape(sv.keep_together(note))}</p>')
        out.append("</div>")
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """The machine-readable copy (:data:`TABLE_MIME`): labels, kinds and raw values."""
        records = self._rows
        return {
            "name": self.name,
            "caption": self.caption,
            "columns": [{"label": c.label, "kind": c.kind} for c in self.shown],
            "rows": [[_plain(r[c.name]) for c in self.shown] for r in records],
            # decimals each number is shown with (None for text), for the Excel copy
            "decimals": [
                [
                    c.decimals_for(r) if c.numeric and c.kind != "integer" else None
                    for c in self.shown
                ]
                for r in records
            ],
            "notes": list(self.all_notes),
        }

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/html": self.to_html(),
            "text/plain": self.caption or self.name,
            TABLE_MIME: self.to_json(),
        }


def _classes(column: Column) -> str:
    classes = [column.kind]
    if column.numeric:
        classes.append("num")
    if column.wrap:
        classes.append("wrap")
    return " ".join(classes)


@dataclass(frozen=True)
class Chart:
    """A figure with its caption and source line.

    Parameters
    ----------
    figure
        A matplotlib figure made with :func:`fou.plotting.new_figure` (not
        through pyplot, so the notebook shows it once, here).
    caption
        What the figure shows and how to read it.
    source
        The data source line (``Källa: Kolada …`` or the demo label).
    name
        Short name (file name when saved).
    """

    figure: Any
    caption: str = ""
    source: str = ""
    name: str = ""
    alt: str = ""

    def png(self) -> bytes:
        """The figure as an opaque PNG, drawn once (:func:`fou.plotting.png_bytes`)."""
        return png_bytes(self.figure, dpi=PNG_DPI)

    def to_html(self) -> str:
        """``<figure>`` with the image as a data URI and the caption."""
        data = base64.b64encode(self.png()).decode("ascii")
        alt = html.escape(self.alt or self.caption, quote=True)
        parts = [f'<figure class="fou-chart"><img src="data:image/png;base64,{data}" alt="{alt}">']
        if self.caption or self.source:
            parts.append("<figcaption>")
            if self.caption:
                parts.append(html.escape(sv.keep_together(self.caption)))
            if self.source:
                parts.append(f'<br><span class="source">{html.escape(self.source)}</span>')
            parts.append("</figcaption>")
        parts.append("</figure>")
        return "".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.to_html(), "text/plain": self.caption or self.name}


#: CSS class of each kind of note.
NOTE_CLASSES: dict[str, str] = {
    "info": "note",
    "warning": "callout warning",
    "missing": "callout missing",
    "summary": "summary",
}
NOTE_KINDS: tuple[str, ...] = tuple(NOTE_CLASSES)


@dataclass(frozen=True)
class Note:
    """A short paragraph for the reader (plain text; ``**bold**`` is not interpreted).

    Parameters
    ----------
    text
        Swedish text; several paragraphs as a tuple.
    kind
        ``info`` (plain), ``warning`` (a callout), ``missing`` (why something is
        absent) or ``summary`` (the findings that open a report).
    """

    text: str | tuple[str, ...] = ""
    kind: str = "info"
    items: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in NOTE_KINDS:
            raise ParameterError(one_of_message("kind", NOTE_KINDS, self.kind))

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The paragraphs."""
        items = (self.text,) if isinstance(self.text, str) else tuple(self.text)
        return tuple(p for p in items if p)

    def to_html(self) -> str:
        """The note as HTML."""
        body = "".join(f"<p>{html.escape(sv.keep_together(p))}</p>" for p in self.paragraphs)
        if self.items:
            items = "".join(f"<li>{html.escape(sv.keep_together(i))}</li>" for i in self.items)
            body += f"<ul>{items}</ul>"
        css = NOTE_CLASSES[self.kind]
        return f'<div class="{css}">{body}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.to_html(), "text/plain": "\n".join(self.paragraphs)}


@dataclass(frozen=True)
class Heading:
    """A heading for a section a loop creates (e.g. one per key figure).

    It gets an ASCII id so that the report's table of contents links to it.
    """

    text: str
    level: int = 3

    def to_html(self) -> str:
        """``<hN id="…">``."""
        n = self.level
        return f'<h{n} id="{sv.slug(self.text)}">{html.escape(self.text)}</h{n}>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/html": self.to_html(), "text/plain": self.text}


Block = Table | Chart | Note | Heading


def show(*items: Block | Iterable[Block] | None) -> None:
    """Display tables, charts, notes and headings (lists of them too) in the notebook."""
    from IPython.display import display

    for item in items:
        if item is None:
            continue
        if isinstance(item, (Table, Chart, Note, Heading)):
            display(item)
        else:
            show(*item)
