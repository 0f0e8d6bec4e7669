"""The analysis notebooks: structure (parameters cell, no outputs) and execution with papermill."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
MUNICIPALITY_NOTEBOOKS = (
    "municipality_profile", "data_quality", "associations", "person_centred",
)  # fmt: skip
ALL_NOTEBOOKS = (*MUNICIPALITY_NOTEBOOKS, "regional_report")
PARAMETERS = {"kommun": "1480", "ar": None, "jamforelse": "gr", "datakalla": "auto"}
#: The reports that group key figures also take a view of the catalogue.
GROUPING = {"municipality_profile", "data_quality", "associations", "regional_report"}


def expected_parameters(name: str) -> dict:
    """The parameters cell of notebook *name*: the common ones, ``vy`` where it groups."""
    out = dict(PARAMETERS) | ({"vy": "nara_vard"} if name in GROUPING else {})
    if name == "regional_report":
        out.pop("kommun")
    return out


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _parameters_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_notebook_structure(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "fou"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    cells = _parameters_cells(nb)
    assert len(cells) == 1
    namespace: dict = {}
    exec(cells[0].source, namespace)
    expected = expected_parameters(name)
    assert {k: v for k, v in namespace.items() if not k.startswith("__")} == expected
    opener = nb.cells[nb.cells.index(cells[0]) + 1]
    assert "open_report(" in opener.source and "namespace=globals()" in opener.source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None
            assert len(cell.source.splitlines()) <= 5
    text = "\n".join(c.source for c in nb.cells)
    # No absolute path of the machine that wrote the notebook.
    assert str(REPO.parent) not in text and str(Path.home()) not in text


@pytest.mark.parametrize("name", ALL_NOTEBOOKS)
def test_papermill_reads_every_parameter_without_a_warning(name: str, caplog) -> None:
    """papermill parses the cell itself: an ``=`` inside a comment makes it warn and drop it."""
    from papermill.translators import PythonTranslator

    cell = _parameters_cells(_read(name))[0]
    with caplog.at_level("WARNING", logger="papermill"):
        found = {p.name for p in PythonTranslator.inspect(cell)}
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert found == set(expected_parameters(name))


def _execute(tmp_path: Path, name: str, **parameters):
    import papermill as pm

    return pm.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(tmp_path / f"{name}.out.ipynb"),
        parameters=parameters,
        kernel_name="fou",
        cwd=str(tmp_path),
        progress_bar=False,
    )


def _tables(nb) -> list[dict]:
    """The tables a report displayed (their machine-readable copies)."""
    from fou.reports.display import TABLE_MIME

    return [o["data"][TABLE_MIME] for c in nb.cells for o in c.get("outputs", [])
            if TABLE_MIME in o.get("data", {})]  # fmt: skip


def _html(nb) -> str:
    return "\n".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", [])
    )


#: Tables each notebook shows (by their short names) on demo data.
EXPECTED_TABLES = {
    "municipality_profile": {"Personcentrering", "Samverkan", "Kostnader"},
    "data_quality": {"Antal brister", "Brister"},
    "associations": {"GR och riket", "Inom och mellan"},
    "person_centred": {"Index", "Osäkerhet hemtjänst", "Cronbachs alfa", "Stabilitet"},
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "kommun"),
    [(n, "1440") for n in MUNICIPALITY_NOTEBOOKS] + [("municipality_profile", "0114")],
)
def test_notebook_executes(project: Path, tmp_path: Path, name: str, kommun: str) -> None:
    from fou.core.registry import municipality_name
    from fou.reports.export import report_facts

    out = _execute(tmp_path, name, kommun=kommun, ar=None, datakalla="demo")
    assert "DEMODATA" in _html(out)
    facts = report_facts(out)
    assert facts["municipality_id"] == kommun and facts["year"] == 2025
    assert facts["provenance"]["source"] == "demo"
    names = {t["name"] for t in _tables(out)}
    assert EXPECTED_TABLES[name] <= names, names
    if name == "municipality_profile":
        assert f"{municipality_name(kommun)} 2025 jämfört med" in _html(out)


@pytest.mark.slow
def test_regional_report_executes(project: Path, tmp_path: Path) -> None:
    from fou.core.registry import GR_MUNICIPALITIES

    out = _execute(tmp_path, "regional_report", ar=None, datakalla="demo")
    tables = _tables(out)
    # one overview of the 13 per key figure of the catalogue, and the data-gaps table
    overviews = [t for t in tables if t["name"] and t["name"][0] in "NU" and len(t["name"]) == 6]
    assert len(overviews) >= 40
    assert all(len(t["rows"]) == len(GR_MUNICIPALITIES) for t in overviews)
    assert "Brister per nyckeltal" in {t["name"] for t in tables}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"kommun": "Atlantis"}, "okänd kommun 'Atlantis'"),
        ({"kommun": "1440", "ar": 1990}, "1990 finns inte i datamängden"),
        ({"kommun": "1440", "jamforelse": "norden"}, "jamforelse måste vara ett av"),
        ({"kommun": "1440", "komun": "1441"}, "Okänd parameter 'komun'"),
    ],
)
def test_bad_parameters_fail_in_swedish(
    project: Path, tmp_path: Path, parameters: dict, message: str
) -> None:
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as info:
        _execute(tmp_path, "municipality_profile", datakalla="demo", **parameters)
    assert "ParameterError" in info.value.ename
    assert message in str(info.value)
