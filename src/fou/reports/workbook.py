"""Every report's tables as one Excel workbook, next to its HTML and PDF.

Municipalities work on in Excel, as they do with Kolada's and Öppna
jämförelser's downloads. :func:`workbook_bytes` turns the tables a report
showed (their machine-readable copies, :data:`~fou.reports.display.TABLE_MIME`)
into an ``.xlsx``:

* one sheet per table, named after the table (at most 31 characters, unique),
  its caption in the first row, the Swedish headers in the second, the rows
  below and the table's notes under them;
* numbers stored as numbers, with the decimals the report shows (Excel then
  writes them with the reader's decimal comma); years as whole numbers;
  missing values as empty cells, never 0;
* a first sheet *Om rapporten* with the report, the municipality, the year,
  the parameters, the data source (Kolada snapshot or demo data) and the list
  of tables.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fou.reports.mime import TABLE_MIME

__all__ = ["ABOUT_SHEET", "notebook_tables", "sheet_names", "workbook_bytes"]

ABOUT_SHEET = "Om rapporten"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31


def notebook_tables(nb: Any) -> list[dict[str, Any]]:
    """The tables an executed notebook displayed, in order (their JSON copies)."""
    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            table = data.get(TABLE_MIME)
            if isinstance(table, Mapping):
                out.append(dict(table))
    return out


def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique Excel sheet names for *names* (``Tabell N`` for an empty one).

    Examples
    --------
    >>> sheet_names(["Kostnader", "Kostnader", "a/b", ""])
    ['Kostnader', 'Kostnader (2)', 'a-b', 'Tabell 4']
    """
    used: set[str] = {ABOUT_SHEET.casefold()}
    out = []
    for i, raw in enumerate(names, start=1):
        base = _BAD_SHEET_CHARS.sub("-", str(raw or "")).strip().strip("'") or f"Tabell {i}"
        base = base[:MAX_SHEET_NAME]
        name, k = base, 2
        while name.casefold() in used:
            suffix = f" ({k})"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            k += 1
        used.add(name.casefold())
        out.append(name)
    return out


def _number_format(kind: str, decimals: int | None) -> str:
    if kind in ("year", "integer"):
        return "0" if kind == "year" else "#,##0"
    if kind == "pvalue":
        return "0.000"
    d = 1 if decimals is None else int(decimals)
    body = "#,##0" + ("." + "0" * d if d > 0 else "")
    if kind == "signed":
        return f"+{body};-{body};{body}"
    if kind == "percent":
        return body + '" %"'
    return body


def _cell_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "year":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if kind == "text":
        return str(value)
    return value


def workbook_bytes(
    tables: Iterable[Mapping[str, Any]],
    *,
    about: Sequence[tuple[str, str]],
) -> bytes:
    """The ``.xlsx`` of a report: *Om rapporten*, then one sheet per table.

    Parameters
    ----------
    tables
        JSON copies of the report's tables (:func:`notebook_tables`).
    about
        ``(label, text)`` rows of the *Om rapporten* sheet (report, year,
        parameters, data source).

    Returns
    -------
    bytes
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    tables = list(tables)
    names = sheet_names([str(t.get("name") or "") for t in tables])
    wb = Workbook()
    ws = wb.active
    ws.title = ABOUT_SHEET
    bold = Font(bold=True)
    for label, text in about:
        ws.append([label, text])
        ws.cell(ws.max_row, 1).font = bold
    ws.append([])
    ws.append(["Tabeller", ""])
    ws.cell(ws.max_row, 1).font = bold
    for name, table in zip(names, tables, strict=True):
        ws.append([name, str(table.get("caption") or "")])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    for name, table in zip(names, tables, strict=True):
        sheet = wb.create_sheet(name)
        columns = list(table.get("columns") or [])
        sheet.append([str(table.get("caption") or "")])
        sheet.cell(1, 1).font = bold
        sheet.append([str(c.get("label", "")) for c in columns])
        for j in range(1, len(columns) + 1):
            sheet.cell(2, j).font = bold
            sheet.cell(2, j).alignment = Alignment(wrap_text=True, vertical="top")
        decimals = table.get("decimals") or []
        for i, row in enumerate(table.get("rows") or []):
            kinds = [str(c.get("kind", "text")) for c in columns]
            sheet.append([_cell_value(v, k) for v, k in zip(row, kinds, strict=True)])
            r = sheet.max_row
            ds = decimals[i] if i < len(decimals) else [None] * len(columns)
            for j, (kind, d) in enumerate(zip(kinds, ds, strict=True), start=1):
                if kind != "text" and sheet.cell(r, j).value is not None:
                    sheet.cell(r, j).number_format = _number_format(kind, d)
        notes = [str(n) for n in table.get("notes") or []]
        if notes:
            sheet.append([])
            for note in notes:
                sheet.append([note])
        sheet.freeze_panes = "A3"
        for j, c in enumerate(columns, start=1):
            letter = sheet.cell(2, j).column_letter
            wide = str(c.get("kind")) == "text"
            sheet.column_dimensions[letter].width = 40 if wide else 14
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
