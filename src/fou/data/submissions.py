"""Local submissions: a municipality's own key figures from a CSV or XLSX file.

A submission follows the template in ``docs/submission_template.md`` (an empty
copy ships as ``fou/data/submission_template.csv``): one row per key figure,
municipality, year and gender, with the columns

=========  ==============  ===================================================
column     required        content
=========  ==============  ===================================================
kommun     yes             four-character code (``0114``) or name (``Ale``)
nyckeltal  yes             catalogue id (``U21463``) or local id ``L`` + 5 digits
år         yes             year, e.g. ``2024``
värde      yes (column)    number; empty cell = missing value (never 0);
                           decimal comma (``12,5``) and point (``12.5``) accepted
kön        no              ``T`` (default), ``K`` or ``M``
svarande   no              number of respondents (non-negative integer)
titel      for ``L`` ids   name of a local key figure
=========  ==============  ===================================================

:func:`check_submission` reads the file and reports **every** problem as a
table (file, spreadsheet row with the header as row 1, column, what was found,
what is accepted); :func:`read_submission` raises :class:`SubmissionError`
with that table if there is any. :func:`accept_submission` stores an accepted
file under ``data/local/`` as one parquet file with ``source =
"lokal:<file name>"``; importing a file with the same name again replaces the
earlier import. Respondents are stored in the values table's ``count`` column
(for local rows ``count`` means respondents; missing when not given), titles
of local key figures in the parquet file's metadata
(:func:`load_accepted_titles`). :func:`load_accepted` returns all accepted
rows for :func:`fou.data.dataset.load_dataset`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fou.core.atomic import write_bytes, write_with
from fou.core.catalog import load_catalog
from fou.core.errors import DataValidationError, ParameterError
from fou.core.paths import PACKAGE_DATA, paths
from fou.core.registry import municipalities, normalise_name
from fou.core.schema import (
    GENDERS,
    KEY_COLUMNS,
    KPI_ID_PATTERN,
    VALUE_COLUMNS,
    coerce_values,
    validate_values,
)

#: Columns of the template, in template order.
TEMPLATE_COLUMNS: tuple[str, ...] = (
    "kommun", "nyckeltal", "år", "kön", "värde", "svarande", "titel",
)  # fmt: skip
#: Columns that must be present (cells of ``värde`` may be empty: missing value).
REQUIRED_COLUMNS: tuple[str, ...] = ("kommun", "nyckeltal", "år", "värde")
#: Spellings without Swedish letters that are accepted for column names.
COLUMN_ALIASES: dict[str, str] = {"ar": "år", "varde": "värde", "kon": "kön"}
#: Local key-figure ids: ``L`` and five digits (fits the schema's ``^[A-Z]\\d{5}$``).
LOCAL_ID_PATTERN = re.compile(r"^L\d{5}$")
KPI_PATTERN = re.compile(KPI_ID_PATTERN)
#: Prefix of the ``source`` of accepted rows.
SOURCE_PREFIX = "lokal:"
MIN_YEAR = 1990
#: Columns of the problem table.
PROBLEM_COLUMNS: tuple[str, ...] = ("origin", "row", "column", "check", "value", "expected")
TEMPLATE_FILE = PACKAGE_DATA / "submission_template.csv"
_METADATA_KEY = b"fou.submission"
_NON_NEGATIVE_UNITS = frozenset(
    {"sek", "count", "days", "days_per_inhabitant", "per_inhabitant", "per_100k"}
)
_MISSING_TEXT = frozenset({"..", ".", "-", "–", "—", "x", "na", "n/a", "saknas", "null", "nan"})


class SubmissionError(DataValidationError):
    """A submission file has problems; nothing was imported.

    ``failure_cases`` is the problem table (:data:`PROBLEM_COLUMNS`).
    """


class CellError(ValueError):
    """A cell's content is not accepted.

    Attributes
    ----------
    check
        What is wrong (Swedish).
    expected
        What is accepted (Swedish).
    """

    def __init__(self, check: str, expected: str) -> None:
        super().__init__(check)
        self.check = check
        self.expected = expected


@dataclass(frozen=True)
class _Cell:
    """One spreadsheet cell: its value and (XLSX) number format."""

    value: Any
    number_format: str | None = None


@dataclass(frozen=True)
class Submission:
    """The result of checking a submission file.

    Attributes
    ----------
    origin
        File name.
    source
        ``lokal:<name>``.
    values
        Accepted rows in the values schema (empty if there are problems).
    problems
        One row per problem: ``origin, row, column, check, value, expected``.
    titles
        Titles of local key figures, by id.
    """

    origin: str
    source: str
    values: pd.DataFrame
    problems: pd.DataFrame
    titles: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True if the file has no problems."""
        return self.problems.empty


@dataclass(frozen=True)
class AcceptedSubmission:
    """What :func:`accept_submission` did.

    Attributes
    ----------
    submission
        The checked submission.
    target
        Parquet file written (or that would be written in a dry run).
    replaced
        True if an earlier import with the same source was replaced.
    dry_run
        True if nothing was written.
    """

    submission: Submission
    target: Path
    replaced: bool
    dry_run: bool


# ----------------------------------------------------------------------------- reading cells


def _decode(path: Path) -> str:
    """UTF-8 (with or without BOM); Excel's Windows default cp1252 as fallback."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    expected = "en textfil i UTF-8 (eller Windows-1252); spara som CSV UTF-8 i Excel"
    raise _file_error(path, "filens teckenkodning känns inte igen", expected)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv_cells(path: Path) -> list[list[_Cell]]:
    text = _decode(path)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        return [[_Cell(v) for v in row] for row in reader]
    except csv.Error as exc:
        expected = "en CSV-fil enligt mallen"
        raise _file_error(path, f"filen kunde inte läsas som CSV (rad {reader.line_num}: {exc})",
                          expected) from None  # fmt: skip


def _read_xlsx_cells(path: Path) -> list[list[_Cell]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        expected = f"en Excel-arbetsbok (.xlsx) ({exc})"
        raise _file_error(path, "filen kunde inte läsas som XLSX", expected) from None
    try:
        sheets = []
        for ws in wb.worksheets:
            ws.reset_dimensions()  # do not trust the stored sheet size (files from other tools)
            rows = [
                [_Cell(c.value, getattr(c, "number_format", None)) for c in row]
                for row in ws.iter_rows()
            ]
            if any(not _is_blank(c) for row in rows for c in row):
                sheets.append((ws.title, rows))
    finally:
        wb.close()
    if len(sheets) > 1:
        names = ", ".join(f"'{name}'" for name, _ in sheets)
        raise _file_error(
            path,
            f"arbetsboken har uppgifter på {len(sheets)} blad ({names}); det går inte att veta "
            "vilket som gäller",
            "alla rader på ett enda blad, som i mallen",
        )
    # The one sheet with data, wherever it is (an empty first sheet is not the data).
    return sheets[0][1] if sheets else []


def _file_error(path: Path, check: str, expected: str) -> SubmissionError:
    table = _problem_table([_problem(path.name, None, "", check, path.name, expected)])
    return SubmissionError(f"{path.name}: {check}. Förväntat: {expected}.", table)


def read_cells(path: Path | str) -> list[list[Any]]:
    """Return the raw cell values of a CSV or XLSX file, row by row (row 1 first).

    Parameters
    ----------
    path
        ``.csv`` (``;``, ``,`` or tab separated, UTF-8 or Windows-1252) or
        ``.xlsx`` (the one sheet with data; data on two sheets is refused).

    Returns
    -------
    list of list
        Cell values as read: strings for CSV; str, int, float, datetime or
        None for XLSX.
    """
    return [[c.value for c in row] for row in _read_rows(Path(path))]


def _read_rows(path: Path) -> list[list[_Cell]]:
    if not path.exists():
        expected = "sökvägen till en befintlig CSV- eller XLSX-fil"
        raise _file_error(path, "filen finns inte", expected)
    if path.is_dir():
        raise _file_error(path, "sökvägen är en mapp, inte en fil", "en CSV- eller XLSX-fil")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv_cells(path)
    if suffix == ".xlsx":
        return _read_xlsx_cells(path)
    other = (".xls", ".ods", ".xlsm")
    hint = " Spara om filen som .xlsx eller .csv i Excel." if suffix in other else ""
    raise _file_error(path, f"filtypen {suffix or '(ingen)'} stöds inte",
                      "en .csv- eller .xlsx-fil enligt mallen" + hint)  # fmt: skip


# ----------------------------------------------------------------------------- header


def _normalise_header(name: Any) -> str:
    text = unicodedata.normalize("NFC", "" if name is None else str(name)).strip().casefold()
    return COLUMN_ALIASES.get(text, text)


def _is_blank(cell: _Cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def _header(origin: str, row: list[_Cell]) -> tuple[dict[str, int], list[dict]]:
    """Map template columns to positions; report unknown, duplicate and missing columns."""
    problems: list[dict] = []
    positions: dict[str, int] = {}
    accepted = ", ".join(TEMPLATE_COLUMNS)
    seen: set[str] = set()
    for cell in row:
        name = _normalise_header(cell.value)
        if not name:
            continue
        if name not in TEMPLATE_COLUMNS:
            close = difflib.get_close_matches(name, TEMPLATE_COLUMNS, n=1, cutoff=0.75)
            hint = f" (menade du '{close[0]}'?)" if close else ""
            text = str(cell.value)
            problems.append(
                _problem(origin, 1, text, "okänd kolumn" + hint, text, f"kolumnerna {accepted}")
            )
        elif name in seen:
            problems.append(_problem(origin, 1, str(cell.value), "kolumnen finns två gånger",
                                     str(cell.value), "varje kolumn en gång"))  # fmt: skip
        seen.add(name)
    for j, cell in enumerate(row):
        name = _normalise_header(cell.value)
        if name in TEMPLATE_COLUMNS and name not in positions:
            positions[name] = j
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            expected = f"rubrikrad (rad 1) med minst {', '.join(REQUIRED_COLUMNS)}"
            problems.append(_problem(origin, 1, name, "obligatorisk kolumn saknas", "", expected))
    return positions, problems


def _unnamed_cells(origin: str, row_no: int, row: list[_Cell], header: list[_Cell]) -> list[dict]:
    """Values in columns without a heading (e.g. ``12,5`` split by a comma separator)."""
    problems = []
    for j, cell in enumerate(row):
        named = j < len(header) and not _is_blank(header[j])
        if not named and not _is_blank(cell):
            problems.append(_problem(
                origin, row_no, f"kolumn {j + 1} (utan rubrik)", "värde i en kolumn utan rubrik",
                cell.value,
                "inga värden utanför mallens kolumner; i en kommaseparerad fil måste tal med "
                "decimalkomma stå inom citattecken (\"12,5\"), eller använd semikolon som "
                "avgränsare",
            ))  # fmt: skip
    return problems


# ----------------------------------------------------------------------------- cell parsers


def _show(value: Any) -> str:
    if value is None:
        return "(tom)"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)


@lru_cache(maxsize=1)
def _municipality_lookup() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """``(type by id, name by id, id by normalised name)`` from the registry."""
    table = municipalities()
    kinds = dict(zip(table["municipality_id"], table["type"], strict=True))
    names = dict(zip(table["municipality_id"], table["name"], strict=True))
    return kinds, names, {normalise_name(n): m for m, n in names.items()}


def parse_municipality(value: Any) -> str:
    """Parse a ``kommun`` cell: a four-character code or a name of one of the 290 municipalities.

    Parameters
    ----------
    value
        Cell value (str, or int/float when Excel stored the code as a number).

    Returns
    -------
    str
        The four-character id.

    Raises
    ------
    CellError
        With ``check`` (what is wrong) and ``expected`` (what is accepted).

    Examples
    --------
    >>> parse_municipality("Ale"), parse_municipality(" 1480 ")
    ('1440', '1480')
    """
    kinds, names, by_name = _municipality_lookup()
    expected = "kommunkod med fyra tecken (t.ex. 0114, 1480) eller kommunnamn (t.ex. Ale)"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("tom cell", expected)
    if isinstance(value, (bool, dt.date, dt.datetime)):
        raise CellError("inte en kommun", expected)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if not float(value).is_integer():
            raise CellError("inte en kommunkod", expected)
        number = int(value)
        code = f"{number:04d}"
        if len(str(number)) == 4 and kinds.get(code) == "K":
            return code
        if kinds.get(code) == "K":
            raise CellError(
                f"cellen är ett tal, så den inledande nollan har försvunnit: menade du '{code}' "
                f"({names[code]})?",
                "kommunkoden som text med fyra tecken: formatera kolumnen som Text i Excel "
                f"och skriv {code}",
            )  # fmt: skip
        raise CellError("okänd kommunkod", expected + " (se `fou municipalities --all`)")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if text.isdigit():
        if len(text) < 4 and kinds.get(text.zfill(4)) == "K":
            code = text.zfill(4)
            raise CellError(
                f"koden har {len(text)} siffror; inledande nollor saknas: menade du '{code}' "
                f"({names[code]})?",
                "kommunkod med fyra tecken; Excel tar bort inledande nollor om kolumnen inte är "
                "formaterad som Text",
            )  # fmt: skip
        if kinds.get(text) == "K":
            return text
        if kinds.get(text) == "L":
            check = f"{text} ({names[text]}) är en region eller riket"
            raise CellError(check, "en av de 290 kommunerna")
        raise CellError("okänd kommunkod", expected + " (se `fou municipalities --all`)")
    key = normalise_name(text)
    if key in by_name:
        mid = by_name[key]
        if kinds[mid] != "K":
            raise CellError(f"{text} är en region eller riket", "en av de 290 kommunerna")
        return mid
    close = difflib.get_close_matches(key, list(by_name), n=3, cutoff=0.75)
    hint = ", ".join(names[by_name[c]] for c in close)
    raise CellError(
        "okänd kommun" + (f" (liknande: {hint})" if hint else ""),
        expected + "; namnet som Kolada skriver det (se `fou municipalities --all`)",
    )


def parse_kpi(value: Any, *, catalogue_ids: frozenset[str] | None = None) -> str:
    """Parse a ``nyckeltal`` cell: a catalogue id or a local id ``L`` + five digits.

    Parameters
    ----------
    value
        Cell value.
    catalogue_ids
        Accepted catalogue ids (default: the packaged catalogue's).

    Returns
    -------
    str
        The id in capitals.

    Examples
    --------
    >>> parse_kpi("u21463"), parse_kpi("L00001")
    ('U21463', 'L00001')
    """
    ids = catalogue_ids if catalogue_ids is not None else frozenset(load_catalog().all_ids)
    expected = (
        "ett id ur katalogen (t.ex. U21463, se `fou catalog --all`) eller ett lokalt id: "
        "L och fem siffror (t.ex. L00001)"
    )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("tom cell", expected)
    text = str(value).strip().upper()
    if not KPI_PATTERN.match(text):
        raise CellError("inte ett nyckeltals-id (en bokstav och fem siffror)", expected)
    if text in ids or LOCAL_ID_PATTERN.match(text):
        return text
    raise CellError("nyckeltalet finns inte i katalogen och är inte ett lokalt id", expected)


def parse_year(value: Any, *, max_year: int | None = None) -> int:
    """Parse an ``år`` cell: an integer year from 1990 to this year.

    Examples
    --------
    >>> parse_year("2024"), parse_year(2023.0)
    (2024, 2023)
    """
    last = max_year if max_year is not None else dt.date.today().year
    expected = f"ett årtal som heltal, {MIN_YEAR}–{last} (t.ex. 2024)"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError("tom cell", expected)
    if isinstance(value, (dt.date, dt.datetime)):
        expected += "; formatera cellen som Tal"
        raise CellError("cellen är ett datum, inte ett årtal", expected)
    if isinstance(value, bool):
        raise CellError("inte ett årtal", expected)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
    else:
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}", text):
            raise CellError("inte ett årtal", expected)
        number = float(text)
    if not number.is_integer():
        raise CellError("årtalet är inte ett heltal", expected)
    year = int(number)
    if not MIN_YEAR <= year <= last:
        raise CellError("årtalet ligger utanför det tillåtna intervallet", expected)
    return year


def parse_gender(value: Any) -> str:
    """Parse a ``kön`` cell: ``T``, ``K`` or ``M`` (any case); empty means ``T``.

    Examples
    --------
    >>> parse_gender(None), parse_gender(" k ")
    ('T', 'K')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "T"
    text = str(value).strip().upper()
    if text not in GENDERS:
        raise CellError("okänt kön", "T (totalt), K (kvinnor) eller M (män); tom cell betyder T")
    return text


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")


def parse_number(value: Any, *, number_format: str | None = None) -> float:
    """Parse a ``värde`` cell; an empty cell is a missing value (NaN), never 0.

    Swedish decimal comma (``12,5``) and decimal point (``12.5``) are both
    accepted, as are spaces between thousands (``1 234,5``). A cell with both
    a comma and a point, a percent sign or text is refused.

    Parameters
    ----------
    value
        Cell value.
    number_format
        XLSX number format; a percent-formatted cell is refused because Excel
        stores 12,5 % as 0,125.

    Returns
    -------
    float

    Examples
    --------
    >>> parse_number("12,5"), parse_number("1 234.5"), parse_number("")
    (12.5, 1234.5, nan)
    """
    expected = "ett tal, t.ex. 12,5 eller 12.5; lämna cellen tom om värdet saknas"
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    if isinstance(value, (bool, dt.date, dt.datetime)):
        raise CellError("inte ett tal", expected)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if number_format and "%" in number_format:
            raise CellError(
                f"cellen är formaterad som procent: Excel lagrar {number * 100:g} % "
                f"som {number:g}",
                "procentenheter som vanliga tal (12,5 för 12,5 %); formatera cellen som Tal",
            )  # fmt: skip
    else:
        text = unicodedata.normalize("NFC", str(value)).strip().replace("\u2212", "-")
        if text.casefold() in _MISSING_TEXT:
            expected = "lämna cellen tom om värdet saknas; annars ett tal"
            raise CellError("text i stället för tal", expected)
        if text.endswith("%"):
            raise CellError("talet har ett %-tecken", "talet utan %-tecken, t.ex. 12,5")
        if _THOUSANDS.match(text):
            text = re.sub(r"[ \u00a0\u202f]", "", text)
        if "," in text and "." in text:
            expected = "ett decimaltecken: 1234,5 eller 1234.5"
            raise CellError("både komma och punkt i talet", expected)
        if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?", text):
            raise CellError("inte ett tal", expected)
        number = float(text.replace(",", "."))
    if not math.isfinite(number):
        raise CellError("inte ett ändligt tal", expected)
    return number


def parse_respondents(value: Any) -> int | None:
    """Parse a ``svarande`` cell: a non-negative integer; empty means not given.

    Examples
    --------
    >>> parse_respondents("41"), parse_respondents(None)
    (41, None)
    """
    expected = "antal svarande som heltal ≥ 0, eller tom cell"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = parse_number(value)
    except CellError:
        raise CellError("inte ett heltal", expected) from None
    if not number.is_integer():
        raise CellError("inte ett heltal", expected)
    if number < 0:
        raise CellError("negativt antal svarande", expected)
    return int(number)


# ----------------------------------------------------------------------------- rows


def _problem(
    origin: str, row: int | None, column: str, check: str, value: Any, expected: str
) -> dict[str, Any]:
    shown = value if isinstance(value, str) else _show(value)
    return {"origin": origin, "row": row, "column": column, "check": check,
            "value": shown, "expected": expected}  # fmt: skip


def _problem_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    table["row"] = table["row"].astype("Int64")
    return table.sort_values("row", kind="stable", na_position="first").reset_index(drop=True)


@dataclass(frozen=True)
class _Layout:
    """Where a file's columns are and how the user named them."""

    origin: str
    header: list[_Cell]
    positions: dict[str, int]

    def cell(self, row: list[_Cell], name: str) -> _Cell | None:
        """The row's cell in template column *name* (None if the file lacks the column)."""
        j = self.positions.get(name)
        if j is None:
            return None
        return row[j] if j < len(row) else _Cell(None)

    def label(self, name: str) -> str:
        """The column's heading as written in the file."""
        return str(self.header[self.positions[name]].value).strip()

    @property
    def complete(self) -> bool:
        """True if every required column is present."""
        return all(name in self.positions for name in REQUIRED_COLUMNS)


@dataclass(frozen=True)
class _Rules:
    """What the catalogue accepts: ids and units."""

    ids: frozenset[str]
    units: dict[str, str]

    @classmethod
    def from_catalog(cls) -> _Rules:
        cat = load_catalog()
        units = dict(zip(cat.kpis["kpi"], cat.kpis["unit"], strict=True))
        return cls(frozenset(cat.all_ids), units)


def _title(cell: _Cell) -> str | None:
    return None if _is_blank(cell) else unicodedata.normalize("NFC", str(cell.value)).strip()


def _parsers(rules: _Rules) -> dict[str, Callable[[_Cell], Any]]:
    return {
        "kommun": lambda c: parse_municipality(c.value),
        "nyckeltal": lambda c: parse_kpi(c.value, catalogue_ids=rules.ids),
        "år": lambda c: parse_year(c.value),
        "kön": lambda c: parse_gender(c.value),
        "värde": lambda c: parse_number(c.value, number_format=c.number_format),
        "svarande": lambda c: parse_respondents(c.value),
        "titel": _title,
    }


def _parse_row(
    layout: _Layout, row_no: int, row: list[_Cell], rules: _Rules
) -> tuple[dict | None, list[dict]]:
    """Parse one data row; return the record (None if it has problems) and its problems."""
    record: dict[str, Any] = {}
    problems = _unnamed_cells(layout.origin, row_no, row, layout.header)
    for name, parse in _parsers(rules).items():
        cell = layout.cell(row, name)
        if cell is None:
            record[name] = "T" if name == "kön" else None
            continue
        try:
            record[name] = parse(cell)
        except CellError as exc:
            label = layout.label(name)
            problems.append(
                _problem(layout.origin, row_no, label, exc.check, cell.value, exc.expected)
            )
    if problems or not layout.complete:
        return None, problems
    problems.extend(_check_range(layout, row_no, row, record, rules))
    return (None if problems else record), problems


def _check_range(
    layout: _Layout, row_no: int, row: list[_Cell], record: dict[str, Any], rules: _Rules
) -> list[dict]:
    """Plausibility of a catalogue key figure's value given its unit."""
    kpi, value = record["nyckeltal"], record["värde"]
    unit = rules.units.get(kpi)
    if unit is None or math.isnan(value):
        return []
    cell = layout.cell(row, "värde")
    shown = cell.value if cell is not None else value

    def problem(check: str, expected: str) -> list[dict]:
        return [_problem(layout.origin, row_no, layout.label("värde"), check, shown, expected)]

    if unit == "percent" and not 0 <= value <= 100:
        return problem("andelen ligger utanför 0–100", f"{kpi} är en andel i procent: 0–100")
    if unit == "flag" and value not in (0, 1):
        return problem("flaggan är varken 0 eller 1", "0 (nej) eller 1 (ja)")
    if unit == "level" and value not in (0, 1, 2):
        return problem("nivån är varken 0, 1 eller 2", "0 (nej), 1 (test) eller 2 (breddinfört)")
    if unit in _NON_NEGATIVE_UNITS and value < 0:
        return problem("negativt värde", f"{kpi} kan inte vara negativt: ett tal ≥ 0")
    return []


def _check_duplicates(origin: str, records: list[tuple[int, dict]]) -> list[dict]:
    """Rows that repeat an earlier row's municipality, key figure, year and gender."""
    seen: dict[tuple, int] = {}
    problems = []
    for row_no, r in records:
        key = (r["kommun"], r["nyckeltal"], r["år"], r["kön"])
        if key not in seen:
            seen[key] = row_no
            continue
        problems.append(_problem(
            origin, row_no, "kommun, nyckeltal, år, kön",
            f"samma kommun, nyckeltal, år och kön som rad {seen[key]}", "/".join(map(str, key)),
            "en rad per kommun, nyckeltal, år och kön; ta bort eller rätta dubbletten",
        ))  # fmt: skip
    return problems


def _collect_titles(
    origin: str, records: list[tuple[int, dict]]
) -> tuple[dict[str, str], list[dict]]:
    """Titles of local key figures: one per id, required for ``L`` ids."""
    titles: dict[str, str] = {}
    first_row: dict[str, int] = {}
    problems: list[dict] = []
    for row_no, r in records:
        kpi, title = r["nyckeltal"], r.get("titel")
        if title is None or not LOCAL_ID_PATTERN.match(kpi):
            continue
        if kpi in titles and titles[kpi] != title:
            check = f"annan titel än på rad {first_row[kpi]}"
            expected = f"samma titel för {kpi} på alla rader (eller tom cell)"
            problems.append(_problem(origin, row_no, "titel", check, title, expected))
        titles.setdefault(kpi, title)
        first_row.setdefault(kpi, row_no)
    for row_no, r in records:
        kpi = r["nyckeltal"]
        if LOCAL_ID_PATTERN.match(kpi) and kpi not in titles:
            check = f"det lokala nyckeltalet {kpi} saknar titel"
            expected = "nyckeltalets namn i kolumnen titel på minst en rad"
            problems.append(_problem(origin, row_no, "titel", check, r.get("titel"), expected))
            titles[kpi] = ""  # report once per id
    return {k: v for k, v in titles.items() if v}, problems


def _to_values(records: list[tuple[int, dict]], source: str) -> pd.DataFrame:
    if not records:
        return coerce_values(pd.DataFrame({c: [] for c in VALUE_COLUMNS}))
    df = pd.DataFrame(
        {
            "kpi": [r["nyckeltal"] for _, r in records],
            "municipality_id": [r["kommun"] for _, r in records],
            "year": [r["år"] for _, r in records],
            "gender": [r["kön"] for _, r in records],
            "value": [r["värde"] for _, r in records],
            "count": pd.array([r["svarande"] for _, r in records], dtype="Int64"),
            "status": "",
            "source": source,
        }
    )
    return coerce_values(df).sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)


def source_for(path: Path | str, source_name: str | None = None) -> str:
    """Return the ``source`` of a submission: ``lokal:<file name>`` or ``lokal:<source_name>``.

    Examples
    --------
    >>> source_for("/tmp/ale 2024.xlsx")
    'lokal:ale 2024.xlsx'
    """
    if source_name is None:
        name = Path(path).name
    else:
        name = unicodedata.normalize("NFC", source_name).strip()
    if not name or "/" in name or "\\" in name:
        raise ParameterError(
            f"--source-name: {source_name!r} går inte att använda som källnamn; ange ett namn "
            "utan snedstreck, t.ex. 'ale_2024'."
        )
    return SOURCE_PREFIX + name


def _is_blank_row(row: list[_Cell]) -> bool:
    return all(_is_blank(c) for c in row)


def check_submission(path: Path | str, *, source_name: str | None = None) -> Submission:
    """Read a submission file and report every problem (does not raise for content problems).

    Parameters
    ----------
    path
        ``.csv`` or ``.xlsx`` file following the template.
    source_name
        Name of the source (default: the file name).

    Returns
    -------
    Submission
        ``values`` is empty when ``problems`` is not.

    Raises
    ------
    SubmissionError
        The file does not exist or is not a CSV/XLSX file.
    """
    path = Path(path)
    origin, source = path.name, source_for(path, source_name)
    rows = _read_rows(path)
    if not rows or _is_blank_row(rows[0]):
        expected = "rad 1: " + ", ".join(TEMPLATE_COLUMNS)
        problems = [_problem(origin, 1, "", "rubrikraden saknas", "", expected)]
        return Submission(origin, source, _to_values([], source), _problem_table(problems))
    positions, problems = _header(origin, rows[0])
    layout, rules = _Layout(origin, rows[0], positions), _Rules.from_catalog()
    data = [(i, row) for i, row in enumerate(rows[1:], start=2) if not _is_blank_row(row)]
    if not data:
        expected = "minst en rad med värden under rubrikraden"
        check = "filen innehåller inga datarader"
        problems.append(_problem(origin, None, "", check, "", expected))
    records: list[tuple[int, dict]] = []
    for row_no, row in data:
        record, row_problems = _parse_row(layout, row_no, row, rules)
        problems.extend(row_problems)
        if record is not None:
            records.append((row_no, record))
    problems.extend(_check_duplicates(origin, records))
    titles, title_problems = _collect_titles(origin, records)
    problems.extend(title_problems)
    table = _problem_table(problems)
    if not table.empty:
        return Submission(origin, source, _to_values([], source), table)
    values = validate_values(_to_values(records, source), origin=origin)
    return Submission(origin, source, values, table, titles)


def _summary(sub: Submission, limit: int = 10) -> str:
    n = len(sub.problems)
    lines = [f"{sub.origin}: {n} problem hittades; inget importerades."]
    for r in sub.problems.head(limit).itertuples(index=False):
        where = f"rad {r.row}" if pd.notna(r.row) else "filen"
        lines.append(
            f"  {where}, kolumn {r.column or '–'}: {r.check} (hittat: {r.value}); "
            f"förväntat: {r.expected}"
        )
    if n > limit:
        lines.append(f"  … och {n - limit} problem till.")
    lines.append("Mallen beskrivs i docs/submission_template.md.")
    return "\n".join(lines)


def read_submission(path: Path | str, *, source_name: str | None = None) -> pd.DataFrame:
    """Read a submission file into the values schema, or raise with every problem.

    Parameters
    ----------
    path, source_name
        As in :func:`check_submission`.

    Returns
    -------
    pandas.DataFrame
        Values table with ``source = "lokal:<name>"``, ``count`` = respondents.

    Raises
    ------
    SubmissionError
        With ``failure_cases`` = the problem table, if there is any problem.
    """
    sub = check_submission(path, source_name=source_name)
    if not sub.ok:
        raise SubmissionError(_summary(sub), sub.problems)
    return sub.values


# ----------------------------------------------------------------------------- storage


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "inlamning"


def target_path(local_dir: Path | str, source: str) -> Path:
    """Return the parquet file an import with *source* is stored in.

    The name is readable (``<name>-<hash>.parquet``) and unique per source, so
    that importing the same file name again replaces the earlier import.
    """
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
    return Path(local_dir) / f"{_slug(source.removeprefix(SOURCE_PREFIX))}-{digest}.parquet"


def accepted_files(local_dir: Path) -> Iterator[Path]:
    """The accepted submissions' files in *local_dir*, sorted (none when it is missing)."""
    if not local_dir.is_dir():
        return iter(())
    return iter(sorted(p for p in local_dir.glob("*.parquet") if not p.name.startswith(".")))


def _read_metadata(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(_METADATA_KEY)
    return json.loads(raw) if raw else {}


def _write_parquet(target: Path, values: pd.DataFrame, metadata: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(values, preserve_index=False)
    ours = {_METADATA_KEY: json.dumps(metadata, ensure_ascii=False).encode("utf-8")}
    merged = {**(table.schema.metadata or {}), **ours}
    table = table.replace_schema_metadata(merged)
    write_with(target, lambda tmp: pq.write_table(table, tmp))


def accept_submission(
    path: Path | str,
    *,
    local_dir: Path | str | None = None,
    source_name: str | None = None,
    dry_run: bool = False,
) -> AcceptedSubmission:
    """Check a submission and, if it has no problems, store it under ``data/local/``.

    Parameters
    ----------
    path
        ``.csv`` or ``.xlsx`` file following the template.
    local_dir
        Where accepted submissions live (default ``paths().local``).
    source_name
        Name of the source (default: the file name); an earlier import with
        the same source is replaced.
    dry_run
        Check only; write nothing.

    Returns
    -------
    AcceptedSubmission

    Raises
    ------
    SubmissionError
        With every problem; nothing is written.
    """
    path = Path(path)
    local = Path(local_dir) if local_dir is not None else paths().local
    sub = check_submission(path, source_name=source_name)
    if not sub.ok:
        raise SubmissionError(_summary(sub), sub.problems)
    target = target_path(local, sub.source)
    earlier = [
        p for p in accepted_files(local)
        if p != target and _read_metadata(p).get("source") == sub.source
    ]  # fmt: skip
    replaced = target.exists() or bool(earlier)
    if dry_run:
        return AcceptedSubmission(sub, target, replaced, True)
    metadata = {
        "format": 1,
        "source": sub.source,
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows": len(sub.values),
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "titles": sub.titles,
    }
    _write_parquet(target, sub.values, metadata)
    for p in earlier:
        p.unlink(missing_ok=True)
    return AcceptedSubmission(sub, target, replaced, False)


def load_accepted(local_dir: Path | str) -> pd.DataFrame | None:
    """Return every accepted submission's rows, or None if there are none.

    Parameters
    ----------
    local_dir
        Usually ``paths().local``.

    Returns
    -------
    pandas.DataFrame or None
        Values table; ``source`` is ``lokal:<name>`` and ``count`` holds
        respondents.

    Raises
    ------
    DataValidationError
        A stored file is not a valid values table from a local source.
    """
    frames = []
    for p in accepted_files(Path(local_dir)):
        df = validate_values(coerce_values(pd.read_parquet(p)), origin=str(p.name))
        bad = ~df["source"].str.startswith(SOURCE_PREFIX)
        if bad.any():
            raise DataValidationError(
                f"{p.name}: källan måste börja med '{SOURCE_PREFIX}', men "
                f"{df.loc[bad, 'source'].iloc[0]!r} hittades. Importera filen igen med "
                "`fou import`."
            )
        frames.append(df)
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)


def load_accepted_titles(local_dir: Path | str) -> dict[str, str]:
    """Return the titles of local key figures from every accepted submission, by id."""
    titles: dict[str, str] = {}
    for p in accepted_files(Path(local_dir)):
        titles.update(_read_metadata(p).get("titles") or {})
    return titles


def list_accepted(local_dir: Path | str) -> pd.DataFrame:
    """Return one row per accepted submission: ``source, file, rows, imported_at, path``."""
    rows = []
    for p in accepted_files(Path(local_dir)):
        meta = _read_metadata(p)
        rows.append({key: meta.get(key) for key in ("source", "file", "rows", "imported_at")})
        rows[-1]["path"] = p.name
    return pd.DataFrame(rows, columns=["source", "file", "rows", "imported_at", "path"])


def write_template(target: Path | str) -> Path:
    """Write an empty copy of the template (header row only) to *target*, atomically."""
    return write_bytes(target, TEMPLATE_FILE.read_bytes())


__all__ = [
    "PROBLEM_COLUMNS", "TEMPLATE_COLUMNS", "AcceptedSubmission", "CellError", "Submission",
    "SubmissionError", "accept_submission", "check_submission", "list_accepted", "load_accepted",
    "load_accepted_titles", "parse_gender", "parse_kpi", "parse_municipality", "parse_number",
    "parse_respondents", "parse_year", "read_cells", "read_submission", "source_for",
    "target_path", "write_template",
]  # fmt: skip
