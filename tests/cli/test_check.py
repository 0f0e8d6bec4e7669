"""Tests of ``fou check``: the issue table as rich tables or CSV, exit codes, options."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fou.cli import app
from fou.core.registry import GR_MUNICIPALITIES, municipality_ids
from fou.core.schema import coerce_values
from fou.data.dataset import Dataset, Provenance
from fou.quality import ISSUE_COLUMNS

runner = CliRunner()
OTHERS = tuple(m for m in municipality_ids() if m not in GR_MUNICIPALITIES)[:17]
MUNIS = (*GR_MUNICIPALITIES, *OTHERS)


def _values() -> pd.DataFrame:
    """30 municipalities, 2020–2022, one percentage key figure, with three planted problems."""
    rng = np.random.default_rng(5)
    rows = [
        {"kpi": "U23433", "municipality_id": m, "year": y, "gender": "T",
         "value": round(60 + 2 * (i % 5) + rng.uniform(-1, 1), 1),
         "count": 1, "status": "", "source": "demo"}
        for i, m in enumerate(MUNIS)
        for y in (2020, 2021, 2022)
    ]  # fmt: skip
    v = pd.DataFrame(rows)
    v.loc[(v["municipality_id"] == "1440") & (v["year"] == 2022), "value"] = 104.0  # out of range
    v.loc[(v["municipality_id"] == "1415") & (v["year"] == 2022), "value"] = np.nan  # suppressed
    v.loc[(v["municipality_id"] == "0114") & (v["year"] == 2021), "value"] = 130.0  # outside GR
    return coerce_values(v)


@pytest.fixture
def dataset(monkeypatch: pytest.MonkeyPatch) -> Dataset:
    ds = Dataset(
        values=_values(),
        groups=pd.DataFrame(columns=["group_id", "title", "municipality_id"]),
        provenance=Provenance("demo", "test-1", "2026-01-01T00:00:00+00:00"),
    )
    monkeypatch.setattr("fou.data.dataset.load_dataset", lambda source="auto", **_: ds)
    return ds


def _csv(output: str) -> pd.DataFrame:
    return pd.read_csv(
        io.StringIO(output), dtype={"municipality_id": str, "kpi": str}, keep_default_na=True
    )


def test_table_output_lists_findings_and_exits_zero(dataset):
    result = runner.invoke(app, ["check", "-c", "range", "-c", "suppression"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Brister i data – GR:s 13 kommuner, 2022" in out
    assert "fel: Omöjligt värde för enheten (1)" in out
    assert "varning: Värde saknas (ej publicerat) (1)" in out
    assert "Ale" in out and "Stenungsund" in out
    assert "Demodata (syntetiska värden, inte verkliga resultat)" in out
    assert "2 fynd: 1 fel, 1 varning, 0 upplysningar" in out  # words, not the code "info"


def test_csv_output_is_the_issue_table(dataset):
    result = runner.invoke(app, ["check", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = _csv(result.output)
    assert tuple(table.columns) == ISSUE_COLUMNS
    assert set(table["year"].dropna()) == {2022}  # default: the latest year
    assert set(table["municipality_id"].dropna()) <= set(GR_MUNICIPALITIES)  # default: GR
    assert table["check"].iloc[0] == "out_of_range"  # most serious first
    assert ("suppressed", "1415") in set(zip(table["check"], table["municipality_id"], strict=True))
    # the packaged catalogue's other key figures are not in this small table
    assert "kpi_absent" in set(table["check"])


def test_municipality_year_and_severity_options(dataset):
    result = runner.invoke(
        app, ["check", "-m", "Upplands Väsby", "-m", "1440", "-y", "2021", "-y", "2022",
              "--severity", "fel", "-f", "csv"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = _csv(result.output)
    assert sorted(zip(table["municipality_id"], table["year"], strict=True)) == [
        ("0114", 2021),
        ("1440", 2022),
    ]
    assert set(table["severity"]) == {"fel"}


def test_check_option_selects_checks(dataset):
    result = runner.invoke(app, ["check", "-c", "suppression", "-f", "csv"])
    assert result.exit_code == 0, result.output
    table = _csv(result.output)
    assert set(table["check"]) <= {
        "suppressed",
        "survey_not_run",
        "few_respondents",
        "low_response_rate",
    }
    assert "suppressed" in set(table["check"])


def test_no_findings_is_said_in_swedish(dataset):
    result = runner.invoke(app, ["check", "-c", "range", "-m", "Kungsbacka", "-y", "2020"])
    assert result.exit_code == 0, result.output
    assert "inga brister hittades" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-m", "Atlantis"], "okänd kommun"),
        (["-y", "1999"], "1999 finns inte i datamängden"),
        (["-f", "xml"], "--format måste vara ett av 'table', 'csv'"),
        (["--severity", "allvarlig"], "--severity måste vara ett av"),
        (["-c", "magkänsla"], "kontroll måste vara ett av"),
    ],
)
def test_bad_input_exits_2_with_a_swedish_message(dataset, args, message):
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_source_is_passed_to_load_dataset(dataset, monkeypatch):
    seen: list[str] = []

    def fake_load(source: str = "auto", **_: object) -> Dataset:
        seen.append(source)
        return dataset

    monkeypatch.setattr("fou.data.dataset.load_dataset", fake_load)
    assert runner.invoke(app, ["check", "--source", "demo", "-f", "csv"]).exit_code == 0
    assert seen == ["demo"]


def test_end_to_end_on_demo_data(project):
    pytest.importorskip("fou.data.demo", reason="fou.data.demo finns inte ännu")
    result = runner.invoke(
        app, ["check", "--source", "demo", "-m", "1462", "-y", "2021", "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    table = _csv(result.output)
    # the demo plants a jump in N21006 for Lilla Edet 2021
    assert ((table["check"] == "jump") & (table["kpi"] == "N21006")).any()
