"""The report's Excel copy (fou.reports.workbook): sheets, headers, numbers as numbers, missing empty."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from fou.data.provenance import Provenance
from fou.reports.display import TABLE_MIME, Column, Table
from fou.reports.export import ReportMeta, about_rows, workbook_for
from fou.reports.workbook import ABOUT_SHEET, notebook_tables, sheet_names, workbook_bytes


class _Nb:
    """The part of an executed notebook the workbook reads: cells with display outputs."""

    def __init__(self, *tables: Table) -> None:
        self.cells = [{"outputs": [{"data": {TABLE_MIME: t.to_json()}}]} for t in tables]


def _table() -> Table:
    data = pd.DataFrame({
        "name": ["Ale", "Kungsbacka", "Riket"],
        "value": [81.0, np.nan, 85.5],
        "change": [-1.25, 2.0, 0.5],
        "year": [2022, 2022, 2022],
        "dec": [0, 0, 1],
    })  # fmt: skip
    columns = (
        Column("name", "Kommun"),
        Column("value", "Andel (%)", "number", "dec"),
        Column("change", "Förändring", "signed", 1),
        Column("year", "År", "year"),
    )
    return Table(data, columns, caption="Nöjda med helheten 2022", name="Helheten",
                 notes=("– = saknas",))  # fmt: skip


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_one_sheet_per_table_with_caption_headers_and_numbers():
    wb = _read(workbook_bytes(notebook_tables(_Nb(_table(), _table())), about=[("Rapport", "X")]))
    assert wb.sheetnames == [ABOUT_SHEET, "Helheten", "Helheten (2)"]
    ws = wb["Helheten"]
    assert ws["A1"].value == "Nöjda med helheten 2022"
    assert [c.value for c in ws[2]] == ["Kommun", "Andel (%)", "Förändring", "År"]
    assert [c.value for c in ws[3]] == ["Ale", 81.0, -1.25, 2022]
    assert ws["B4"].value is None  # missing stays empty, never 0
    assert isinstance(ws["B5"].value, float) and ws["B5"].value == 85.5
    assert ws["B3"].number_format == "#,##0" and ws["B5"].number_format == "#,##0.0"
    assert ws["C3"].number_format.startswith("+#,##0.0")
    assert ws["A7"].value == "– = saknas"


def test_about_sheet_says_what_and_from_which_data():
    prov = Provenance("demo", "demo-3-seed4711", "2026-01-01T00:00:00+00:00", years=(2014, 2025))
    meta = ReportMeta(title="Kommunprofil", notebook="municipality_profile",
                      municipality_id="1440", year=2024,
                      parameters={"kommun": "1440", "ar": 2024, "jamforelse": "gr"},
                      provenance=prov)  # fmt: skip
    rows = dict(about_rows(meta))
    assert rows["Gäller"] == "Ale" and rows["År"] == "2024"
    assert "DEMODATA" in rows and rows["Jämförelse"].startswith("GR-snitt")
    wb = _read(workbook_for(_Nb(_table()), meta=meta))
    about = {r[0].value: r[1].value for r in wb[ABOUT_SHEET].iter_rows() if r[0].value}
    assert about["Rapport"] == "Kommunprofil" and about["Helheten"] == "Nöjda med helheten 2022"


def test_sheet_names_are_valid_and_unique():
    names = sheet_names(["x" * 40, "x" * 40, "Om rapporten", "a[b]"])
    assert all(len(n) <= 31 for n in names) and len(set(names)) == 4
    assert names[2] != "Om rapporten" and names[3] == "a-b-"
