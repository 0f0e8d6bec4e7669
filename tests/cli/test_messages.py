"""What the user meets when input or files are wrong: one Swedish message, never a traceback.

Each case is a command as a user would type it, on a private project
(``FOU_HOME``); the data set comes from a fake Kolada (tests/fake_kolada.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from fake_kolada import BASE, FakeKolada, fetch_client
from fou.cli import app
from fou.data.fetch import fetch_to_project


def run(*args: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) with rich's borders and line breaks removed."""
    result = CliRunner().invoke(app, list(args))
    text = re.sub(r"[\u2500-\u257f]", " ", result.output)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(text.split())


@pytest.fixture
def fetched(project: Path) -> Path:
    """A project with one Kolada fetch in use; returns the processed folder."""
    result = fetch_to_project(years=(2020, 2022), kpis=["N20900", "U21463"], root=project,
                              client=fetch_client(FakeKolada()), progress=False)  # fmt: skip
    return result.processed_dir


# ------------------------------------------------------------------ user text is not markup


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("[/x]", "okänd kommun '[/x]'"), ("[red]Ale", "okänd kommun '[red]Ale'")],
)
def test_text_that_looks_like_markup_is_shown_as_typed(project, typed, shown):
    code, out = run("check", "-m", typed, "--source", "demo")
    assert code == 2 and shown in out


# ------------------------------------------------------------------ municipalities


def test_a_code_without_its_leading_zero_gets_a_hint(project):
    code, out = run("check", "-m", "114", "--source", "demo")
    assert code == 2 and "Menade du '0114' (Upplands Väsby)?" in out


def test_a_name_without_accents_suggests_the_right_municipality(project):
    code, out = run("check", "-m", "Goteborg", "--source", "demo")
    assert code == 2 and "Menade du 'Göteborg'" in out and "Gotland" not in out


def test_slides_name_the_option(project):
    code, out = run("slides", "-m", "Narnia", "--source", "demo")
    assert code == 2 and out.startswith("Fel: --municipality: okänd kommun 'Narnia'")


# ------------------------------------------------------------------ broken data in use


def test_a_truncated_values_file_names_the_file_and_the_way_back(fetched: Path):
    values = fetched / "values.parquet"
    values.write_bytes(values.read_bytes()[:200])
    batch = fetched.parents[2] / "parameters" / "b.yaml"
    batch.write_text("notebooks: [municipality_profile]\nmunicipalities: [Ale]\n", encoding="utf-8")
    notebooks = str(Path(__file__).resolve().parents[2] / "notebooks")
    run_it = ("run", str(batch), "--notebooks-dir", notebooks)
    for command in (("data",), ("check", "--source", "kolada"), run_it):
        code, out = run(*command)
        assert code == 2, out
        # (rich may wrap the long path: compare without spaces)
        assert str(fetched) in out.replace(" ", "") and "går inte att läsa" in out
        assert re.search(r"fou rebuild \d{8}T\d{6}Z", out), out
    code, out = run("rebuild")
    assert code == 0 and "byggdes om från ögonblicksbild" in out
    code, out = run("data")
    assert code == 0 and "Kolada" in out


def test_a_missing_provenance_is_said_not_replaced_by_demo_data(fetched: Path):
    (fetched / "provenance.json").unlink()
    code, out = run("data")
    assert code == 2 and "provenance.json saknas" in out and "fou rebuild" in out
    assert not (fetched.parent / "demo").exists()  # no silent fallback


def test_a_snapshot_without_manifest_is_listed_with_its_problem(project: Path, fetched: Path):
    (snap,) = [d for d in (project / "data" / "raw").iterdir() if d.is_dir()]
    manifest = snap / "manifest.json"
    manifest.chmod(0o644)
    manifest.unlink()
    code, out = run("data")
    assert (
        code == 0
        and snap.name in out
        and "i bruk, manifest.json saknas" in out.replace("j son", "json")
    )


def test_the_snapshot_table_fits_80_columns(fetched: Path):
    result = CliRunner().invoke(app, ["data"])  # the console is 80 columns wide here
    head = next(line for line in result.output.splitlines() if "Id" in line and "Status" in line)
    assert len(head) <= 80 and "Nyckeltal" in head and "Kommuner" in head


def test_a_yaml_key_that_looks_like_markup_is_named_as_written(project: Path):
    path = project / "parameters" / "b.yaml"
    path.write_text("notebooks: [municipality_profile]\n'[red]kommun': Ale\n", encoding="utf-8")
    code, out = run("run", str(path), "--source", "demo")
    assert code == 2 and "b.yaml" in out and "okänd nyckel '[red]kommun'" in out


def test_rebuild_of_an_unknown_snapshot_lists_the_ones_there(fetched: Path):
    code, out = run("rebuild", "19990101T000000Z")
    assert code == 2 and "finns inte" in out and "Finns:" in out


# ------------------------------------------------------------------ files given by the user


def test_a_directory_given_as_a_file(project: Path, tmp_path: Path):
    folder = tmp_path / "x.csv"
    folder.mkdir()
    code, out = run("import", str(folder))
    assert code == 2 and "är en mapp" in out
    code, out = run("run", str(tmp_path), "--source", "demo")
    assert code == 2 and "är en mapp" in out


def test_a_batch_file_in_latin1(project: Path, tmp_path: Path):
    path = tmp_path / "b.yaml"
    path.write_bytes(
        "notebooks: [municipality_profile]\nmunicipalities: [Mölndal]\n".encode("latin-1")
    )
    code, out = run("run", str(path), "--source", "demo")
    assert code == 2 and "UTF-8" in out and "rad 2" in out


def test_outputs_that_cannot_be_written(project: Path, tmp_path: Path):
    outputs = project / "outputs"
    outputs.rmdir()
    outputs.write_text("en fil, inte en mapp", encoding="utf-8")
    path = project / "parameters" / "b.yaml"
    path.write_text("notebooks: [municipality_profile]\nmunicipalities: [Ale]\n", encoding="utf-8")
    code, out = run("run", str(path), "--source", "demo", "--no-export")
    assert code == 2 and "outputs" in out and out.startswith("Fel:")


def test_a_file_name_with_brackets_is_shown_whole(project: Path, tmp_path: Path):
    bad = tmp_path / "ale [kopia].csv"
    bad.write_text("kpi;kommun;ar;varde\nN20900;Ale;2022;abc\n", encoding="utf-8")
    code, out = run("import", str(bad))
    assert code == 2 and "ale [kopia].csv" in out


def test_xlsx_with_data_on_two_sheets_is_refused_and_one_sheet_is_found(project, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    header = ["nyckeltal", "kommun", "år", "värde"]
    two = openpyxl.Workbook()
    two.active.append(header)
    two.active.append(["N20900", "Ale", 2022, 1.5])
    other = two.create_sheet("Blad2")
    other.append(header)
    other.append(["N20900", "Ale", 2021, 1.2])
    two.save(tmp_path / "tva.xlsx")
    code, out = run("import", str(tmp_path / "tva.xlsx"), "--dry-run")
    assert code == 2 and "uppgifter på 2 blad" in out and "'Blad2'" in out
    second = openpyxl.Workbook()
    sheet = second.create_sheet("Data")
    sheet.append(header)
    sheet.append(["N20900", "Ale", 2022, 1.5])
    second.save(tmp_path / "andra.xlsx")
    code, out = run("import", str(tmp_path / "andra.xlsx"), "--dry-run")
    assert code == 0 and "1 rader godkända" in out, out


def test_os_errors_become_sentences_with_the_file():
    from fou.cli._app import os_error_message

    assert os_error_message(PermissionError(13, "Permission denied", "outputs/x")).startswith(
        "Ingen behörighet till outputs/x."
    )
    assert "Disken är full" in os_error_message(OSError(28, "No space left on device", "a.pdf"))
    assert os_error_message(FileNotFoundError(2, "No such file", "b.yaml")) == (
        "b.yaml finns inte. Kontrollera sökvägen."
    )


def test_httpx_is_not_touched_here():
    # The fake transport is the only network these tests use.
    assert BASE.startswith("http://kolada.test") and httpx.MockTransport
