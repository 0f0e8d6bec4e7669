"""Tests of local submissions (fou.data.submissions) and the ``fou import`` command."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from fou.cli import app
from fou.cli._app import EXIT_INPUT
from fou.core.errors import ParameterError
from fou.core.schema import validate_values
from fou.data import submissions as sub

HEADER = ["kommun", "nyckeltal", "år", "kön", "värde", "svarande", "titel"]
TITLE = "Andel brukare med fast omsorgskontakt, andel (%)"


def write_csv(path: Path, rows: list[list[Any]], *, sep: str = ";", encoding: str = "utf-8",
              header: list[str] | None = None) -> Path:  # fmt: skip
    body = [sep.join("" if c is None else str(c) for c in r) for r in rows]
    lines = [sep.join(header or HEADER), *body]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], *, header: list[str] | None = None,
               formats: dict[str, str] | None = None) -> Path:  # fmt: skip
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header or HEADER)
    for r in rows:
        ws.append(r)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


GOOD_ROWS = [
    ["1440", "L00001", "2024", "T", "12,5", "", TITLE],
    ["Ale", "L00001", "2025", "", "", "", ""],
    ["1440", "U21463", "2024", "K", "87", "41", ""],
    ["0114", "u21463", "2023", "m", "90.5", "35", ""],
]


def _problems(path: Path) -> pd.DataFrame:
    result = sub.check_submission(path)
    assert not result.ok
    assert result.values.empty
    return result.problems


def _one(problems: pd.DataFrame, row: int, column: str) -> pd.Series:
    sel = problems[(problems["row"] == row) & (problems["column"] == column)]
    assert len(sel) == 1, problems.to_string()
    return sel.iloc[0]


# ----------------------------------------------------------------------------- good files


def test_good_csv_is_read_into_the_values_schema(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ale 2024.csv", GOOD_ROWS)
    values = sub.read_submission(path)
    validate_values(values)
    assert set(values["source"]) == {"lokal:ale 2024.csv"}
    rec = values.set_index(["kpi", "municipality_id", "year", "gender"])
    assert rec.at[("L00001", "1440", 2024, "T"), "value"] == 12.5  # decimal comma
    assert math.isnan(rec.at[("L00001", "1440", 2025, "T"), "value"])  # empty = missing, not 0
    assert rec.at[("U21463", "1440", 2024, "K"), "count"] == 41  # respondents
    assert rec.at[("U21463", "0114", 2023, "M"), "value"] == 90.5
    assert pd.isna(rec.at[("L00001", "1440", 2024, "T"), "count"])
    assert sub.check_submission(path).titles == {"L00001": TITLE}


@pytest.mark.parametrize(
    ("sep", "encoding"), [(";", "utf-8-sig"), (",", "utf-8"), ("\t", "cp1252"), (";", "cp1252")]
)
def test_csv_separators_and_encodings(tmp_path: Path, sep: str, encoding: str) -> None:
    rows = [[f'"{c}"' if sep == "," and "," in c else c for c in r] for r in GOOD_ROWS]
    path = write_csv(tmp_path / "f.csv", rows, sep=sep, encoding=encoding)
    values = sub.read_submission(path)
    assert len(values) == 4
    assert 12.5 in set(values["value"])


def test_good_xlsx_with_numbers_text_codes_and_ascii_headers(tmp_path: Path) -> None:
    header = ["Kommun", "Nyckeltal", "Ar", "Varde", "svarande", "titel"]
    rows = [
        ["0114", "L00002", 2024, 3.25, None, "Väntetid i dagar"],
        [1480, "L00002", 2024.0, 7, 120, None],
        ["Göteborg", "N20900", 2023, -4.5, None, None],
    ]
    path = write_xlsx(tmp_path / "gbg.xlsx", rows, header=header)
    values = sub.read_submission(path)
    assert sorted(values["municipality_id"]) == ["0114", "1480", "1480"]
    assert set(values["gender"]) == {"T"}
    assert values["year"].dtype == "int64"
    # deviations may be negative
    assert values.loc[values["kpi"] == "N20900", "value"].item() == -4.5


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_blank_rows_skipped_but_row_numbers_follow_sheet(tmp_path: Path, suffix: str) -> None:
    blank = [None] * 7
    rows = [GOOD_ROWS[0], blank, blank, ["Atlantis", "L00001", "2023", "", "1", "", ""], blank]
    write = write_csv if suffix == ".csv" else write_xlsx
    problems = _problems(write(tmp_path / f"f{suffix}", rows))
    assert problems["row"].tolist() == [5]
    assert problems["column"].tolist() == ["kommun"]


# ----------------------------------------------------------------------------- each kind of error


@pytest.mark.parametrize(
    ("cells", "column", "check", "expected"),
    [
        ({"kommun": "Atlantis"}, "kommun", "okänd kommun", "kommunnamn"),
        ({"kommun": "Göteborj"}, "kommun", "liknande: Göteborg", "fyra tecken"),
        ({"kommun": "114"}, "kommun", "'0114' (Upplands Väsby)", "inledande nollor"),
        ({"kommun": "0014"}, "kommun", "region eller riket", "290 kommunerna"),
        ({"kommun": ""}, "kommun", "tom cell", "fyra tecken"),
        ({"nyckeltal": "U99999"}, "nyckeltal", "finns inte i katalogen", "L och fem siffror"),
        ({"nyckeltal": "ABC"}, "nyckeltal", "inte ett nyckeltals-id", "L00001"),
        ({"nyckeltal": ""}, "nyckeltal", "tom cell", "katalogen"),
        ({"år": "20x4"}, "år", "inte ett årtal", "heltal"),
        ({"år": "1980"}, "år", "utanför", "1990"),
        ({"år": "2099"}, "år", "utanför", str(dt.date.today().year)),
        ({"år": "2024,5"}, "år", "inte ett årtal", "heltal"),
        ({"år": ""}, "år", "tom cell", "årtal"),
        ({"värde": "abc"}, "värde", "inte ett tal", "12,5"),
        ({"värde": "12,5%"}, "värde", "%-tecken", "utan %-tecken"),
        ({"värde": "1.234,5"}, "värde", "både komma och punkt", "decimaltecken"),
        ({"värde": ".."}, "värde", "text i stället för tal", "tom"),
        ({"nyckeltal": "U21463", "värde": "105"}, "värde", "utanför 0–100", "procent: 0–100"),
        ({"nyckeltal": "N20007", "värde": "-5"}, "värde", "negativt värde", "≥ 0"),
        ({"svarande": "-3"}, "svarande", "negativt antal svarande", "heltal ≥ 0"),
        ({"svarande": "2,5"}, "svarande", "inte ett heltal", "heltal"),
        ({"kön": "X"}, "kön", "okänt kön", "T (totalt)"),
    ],
)
def test_each_cell_error_is_reported_with_row_and_column(
    tmp_path: Path, cells: dict[str, str], column: str, check: str, expected: str
) -> None:
    row = dict(zip(HEADER, GOOD_ROWS[0], strict=True)) | cells
    rows = [GOOD_ROWS[2], [row[c] for c in HEADER]]  # the bad row is spreadsheet row 3
    problems = _problems(write_csv(tmp_path / "f.csv", rows))
    p = _one(problems, 3, column)
    assert check in p["check"]
    assert expected in p["expected"]
    assert p["origin"] == "f.csv"
    assert len(problems) == 1


def test_xlsx_number_traps_are_explained(tmp_path: Path) -> None:
    rows = [
        [114, "L00001", 2024, None, 0.125, None, TITLE],  # code lost its zero; percent format
        ["1480", "L00001", dt.datetime(2024, 1, 1), None, 5, None, None],  # a date, not a year
        ["1480", "L00001", 2023, None, True, None, None],
    ]
    path = write_xlsx(tmp_path / "f.xlsx", rows, formats={"E2": "0%"})
    problems = _problems(path)
    kommun = _one(problems, 2, "kommun")
    assert "cellen är ett tal" in kommun["check"] and "'0114'" in kommun["check"]
    assert "Text" in kommun["expected"]
    value = _one(problems, 2, "värde")
    assert "procent" in value["check"] and "12.5" in value["check"]
    assert "datum" in _one(problems, 3, "år")["check"]
    assert "inte ett tal" in _one(problems, 4, "värde")["check"]


def test_duplicates_within_the_file_name_both_rows(tmp_path: Path) -> None:
    rows = [GOOD_ROWS[0], GOOD_ROWS[2], ["Ale", "l00001", "2024", "t", "13", "", ""]]
    problems = _problems(write_csv(tmp_path / "f.csv", rows))
    (p,) = problems.itertuples()
    assert p.row == 4
    assert "rad 2" in p.check
    assert p.value == "1440/L00001/2024/T"


def test_header_problems(tmp_path: Path) -> None:
    header = ["kommun", "nyckeltal", "år", "kommentar", "kommun"]
    rows = [["1440", "L00001", "2024", "x", "1440"]]
    problems = _problems(write_csv(tmp_path / "f.csv", rows, header=header))
    first = problems[problems["row"] == 1]
    checks = dict(zip(first["column"], first["check"], strict=True))
    assert checks["kommentar"] == "okänd kolumn"
    assert checks["kommun"] == "kolumnen finns två gånger"
    assert checks["värde"] == "obligatorisk kolumn saknas"


def test_comma_separated_decimal_comma_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    text = "kommun,nyckeltal,år,värde,titel\n1440,L00001,2024,12,5,Titel\n"
    path.write_text(text, encoding="utf-8")
    problems = _problems(path)
    assert "kolumn 6 (utan rubrik)" in set(problems["column"])
    assert (problems["row"] == 2).all()


def test_local_ids_need_one_title(tmp_path: Path) -> None:
    rows = [
        ["1440", "L00003", "2024", "", "1", "", ""],
        ["1440", "L00004", "2024", "", "1", "", "Titel A"],
        ["1440", "L00004", "2025", "", "1", "", "Titel B"],
    ]
    problems = _problems(write_csv(tmp_path / "f.csv", rows))
    assert "saknar titel" in _one(problems, 2, "titel")["check"]
    assert "annan titel än på rad 3" in _one(problems, 4, "titel")["check"]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    rows = [
        ["Atlantis", "L00001", "2024", "", "1", "", TITLE],
        ["1440", "X", "2024", "", "1", "", ""],
        ["1440", "L00001", "1800", "", "1", "", ""],
        ["1440", "L00001", "2023", "", "ett", "-1", ""],
    ]
    problems = _problems(write_csv(tmp_path / "f.csv", rows))
    assert list(zip(problems["row"], problems["column"], strict=True)) == [
        (2, "kommun"), (3, "nyckeltal"), (4, "år"), (5, "värde"), (5, "svarande"),
    ]  # fmt: skip
    with pytest.raises(sub.SubmissionError) as info:
        sub.read_submission(tmp_path / "f.csv")
    assert "5 problem" in str(info.value) and "rad 4, kolumn år" in str(info.value)
    assert len(info.value.failure_cases) == 5


@pytest.mark.parametrize(
    ("name", "content", "check"),
    [
        ("f.xls", b"x", "stöds inte"),
        ("f.xlsx", b"not a zip", "kunde inte läsas"),
        ("missing.csv", None, "finns inte"),
        ("f.csv", b"kommun;v\xe4rde\n\x81;1\n", "teckenkodning"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes | None, check: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(sub.SubmissionError) as info:
        sub.check_submission(path)
    assert check in str(info.value)
    assert info.value.failure_cases["origin"].tolist() == [name]


def test_the_packaged_template_has_the_header_only(tmp_path: Path) -> None:
    cells = sub.read_cells(sub.TEMPLATE_FILE)
    assert cells == [list(sub.TEMPLATE_COLUMNS)]
    problems = _problems(sub.write_template(tmp_path / "mall.csv"))
    assert problems["check"].tolist() == ["filen innehåller inga datarader"]


# ----------------------------------------------------------------------------- storage


def test_accept_stores_replaces_and_keeps_other_sources(tmp_path: Path) -> None:
    local = tmp_path / "local"
    first = sub.accept_submission(write_csv(tmp_path / "ale.csv", GOOD_ROWS), local_dir=local)
    assert not first.replaced and first.target.exists()
    sub.accept_submission(write_csv(tmp_path / "other.csv", GOOD_ROWS[2:3]), local_dir=local)
    again = sub.accept_submission(write_csv(tmp_path / "ale.csv", GOOD_ROWS[:1]), local_dir=local)
    assert again.replaced and again.target == first.target
    stored = sub.load_accepted(local)
    assert stored.groupby("source").size().to_dict() == {"lokal:ale.csv": 1, "lokal:other.csv": 1}
    assert len(list(local.glob("*.parquet"))) == 2
    assert sub.load_accepted_titles(local) == {"L00001": TITLE}
    listing = sub.list_accepted(local)
    assert set(listing["file"]) == {"ale.csv", "other.csv"}


def test_source_name_overrides_file_name(tmp_path: Path) -> None:
    local = tmp_path / "local"
    path = write_csv(tmp_path / "x.csv", GOOD_ROWS)
    res = sub.accept_submission(path, local_dir=local, source_name="ale_egna")
    assert set(sub.load_accepted(local)["source"]) == {"lokal:ale_egna"}
    assert res.submission.source == "lokal:ale_egna"
    with pytest.raises(ParameterError):
        sub.source_for("x.csv", "a/b")


def test_nothing_is_written_on_error_or_dry_run(tmp_path: Path) -> None:
    local = tmp_path / "local"
    assert sub.load_accepted(local) is None
    good = sub.accept_submission(write_csv(tmp_path / "ale.csv", GOOD_ROWS), local_dir=local)
    before = good.target.read_bytes()
    bad = write_csv(tmp_path / "ale.csv", [["Atlantis", "L00001", "2024", "", "1", "", TITLE]])
    with pytest.raises(sub.SubmissionError):
        sub.accept_submission(bad, local_dir=local)
    assert good.target.read_bytes() == before
    new = write_csv(tmp_path / "new.csv", GOOD_ROWS)
    dry = sub.accept_submission(new, local_dir=local, dry_run=True)
    assert dry.dry_run and not dry.target.exists()
    assert [p.name for p in local.iterdir()] == [good.target.name]


def test_load_dataset_adds_local_rows(project: Path) -> None:
    from fou.data.dataset import load_dataset

    path = write_csv(project / "ale.csv", GOOD_ROWS)
    sub.accept_submission(path, local_dir=project / "data" / "local")
    ds = load_dataset("demo", root=project)
    local = ds.values[ds.values["source"] == "lokal:ale.csv"]
    assert len(local) == 4
    assert ds.provenance.local_files == ("lokal:ale.csv",)
    # a catalogue id may exist in both sources; both rows are kept
    both = ds.values[(ds.values["kpi"] == "U21463") & (ds.values["municipality_id"] == "1440")
                     & (ds.values["year"] == 2024) & (ds.values["gender"] == "K")]  # fmt: skip
    assert set(both["source"]) == {"demo", "lokal:ale.csv"}


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_import_good_file(project: Path, runner: CliRunner) -> None:
    path = write_csv(project / "ale.csv", GOOD_ROWS)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "4 rader godkända" in result.output
    assert len(sub.load_accepted(project / "data" / "local")) == 4
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0 and "ersatte" in result.output


def test_cli_import_bad_file_exits_2_and_writes_nothing(project: Path, runner: CliRunner) -> None:
    path = write_csv(project / "bad.csv", [["Atlantis", "L00001", "2024", "", "1", "", TITLE]])
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == EXIT_INPUT == 2
    assert "Inget importerades" in result.output
    assert "Atlantis" in result.output
    assert sub.load_accepted(project / "data" / "local") is None


def test_cli_dry_run_source_name_and_missing_file(project: Path, runner: CliRunner) -> None:
    path = write_csv(project / "ale.csv", GOOD_ROWS)
    result = runner.invoke(app, ["import", str(path), "--dry-run", "--source-name", "egna"])
    assert result.exit_code == 0 and "Torrkörning" in result.output
    assert sub.load_accepted(project / "data" / "local") is None
    assert runner.invoke(app, ["import", str(project / "saknas.csv")]).exit_code == 2
    assert runner.invoke(app, ["import", str(path), "--source-name", "a/b"]).exit_code == 2


def test_cli_writes_the_template(project: Path, runner: CliRunner) -> None:
    target = project / "mall.csv"
    assert runner.invoke(app, ["import", str(target), "--mall"]).exit_code == 0
    assert sub.read_cells(target) == [list(sub.TEMPLATE_COLUMNS)]
    assert runner.invoke(app, ["import", str(target), "--mall"]).exit_code == 2  # never overwrites
    assert runner.invoke(app, ["import", str(project / "mall.xlsx"), "--mall"]).exit_code == 2
