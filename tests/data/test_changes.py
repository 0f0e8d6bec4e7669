"""What changed between two snapshots (fou.data.changes and ``fou changes``).

The small tables plant one change of each kind; the integration test fetches
from the emulator twice, the second time from a modified copy of the real
data (one value revised, one struck, one new year), and ``fou changes`` must
list exactly those three.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import KOLADA_DIR, require_shared, run_emulator
from typer.testing import CliRunner

from fou.cli import app
from fou.data.changes import CHANGE_COLUMNS, snapshot_changes

runner = CliRunner()


def _t(rows: list[tuple[str, str, int, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "gender", "value"])


OLD = _t([
    ("N1", "1440", 2021, "T", 10.0),
    ("N1", "1480", 2021, "T", 5.0),     # struck
    ("N1", "1401", 2021, "T", 7.0),     # becomes missing
    ("N1", "1402", 2021, "T", np.nan),  # missing in both: no change
    ("N1", "1407", 2020, "T", 3.0),     # unchanged
    ("N2", "1440", 2021, "T", 1.0),     # key figure removed
])  # fmt: skip
NEW = _t([
    ("N1", "1440", 2021, "T", 11.0),    # revised
    ("N1", "1440", 2022, "T", 12.0),    # new year
    ("N1", "1401", 2021, "T", np.nan),
    ("N1", "1402", 2021, "T", np.nan),
    ("N1", "1407", 2020, "T", 3.0),
    ("N1", "1407", 2019, "T", 2.0),     # a value for an earlier year
    ("N3", "1440", 2021, "T", 4.0),     # key figure added
])  # fmt: skip


def test_every_kind_of_change_once():
    c = snapshot_changes(OLD, NEW)
    assert tuple(c.columns) == CHANGE_COLUMNS
    got = [(r.change, r.kpi, r.municipality_id) for r in c.itertuples(index=False)]
    assert got == [
        ("nytt nyckeltal", "N3", None),
        ("borttaget nyckeltal", "N2", None),
        ("nytt år", "N1", "1440"),
        ("reviderat", "N1", "1440"),
        ("struket", "N1", "1480"),
        ("blev saknat", "N1", "1401"),
        ("nytt värde", "N1", "1407"),
    ]
    revised = c[c["change"] == "reviderat"].iloc[0]
    assert (revised["old"], revised["new"], revised["year"]) == (10.0, 11.0, 2021)
    gone = c[c["change"] == "blev saknat"].iloc[0]
    assert gone["old"] == 7.0 and np.isnan(gone["new"])  # missing, never 0


def test_filters_and_no_change():
    assert snapshot_changes(OLD, OLD).empty
    only = snapshot_changes(OLD, NEW, kpis=["N1"], municipalities=["1480"])
    assert only["change"].tolist() == ["struket"]


def test_one_snapshot_says_so_and_exits_0(project: Path):
    (project / "data" / "raw" / "20260101T000000Z").mkdir()
    res = runner.invoke(app, ["changes"])
    assert res.exit_code == 0, res.output  # a lone unreadable folder: nothing to compare
    assert "inga ögonblicksbilder" in " ".join(res.output.split())
    res = runner.invoke(app, ["changes", "--format", "xml"])
    assert res.exit_code == 2 and "--format" in res.output


def _modified_copy(target: Path) -> Path:
    """The real Kolada files with U21468 revised for Ale, struck for Kungsbacka, and 2023 added."""
    src = require_shared(KOLADA_DIR)
    target.mkdir()
    for f in src.iterdir():
        if f.name != "values_elderly_care.csv.gz":
            (target / f.name).symlink_to(f)
    with gzip.open(src / "values_elderly_care.csv.gz", "rt", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    out = [rows[0]]
    for r in rows[1:]:
        key = tuple(r[:4])
        if key == ("U21468", "1440", "T", "2022"):
            r = [*r[:4], "79.0"]  # revised (was 82)
        if key == ("U21468", "1384", "T", "2022"):
            continue  # struck
        out.append(r)
    out.append(["U21468", "1440", "T", "2023", "84.0"])  # a new year
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out)
    with gzip.open(target / "values_elderly_care.csv.gz", "wt", encoding="utf-8") as f:
        f.write(buf.getvalue())
    return target


@pytest.mark.shared
@pytest.mark.slow
def test_changes_lists_exactly_what_kolada_changed(project: Path, tmp_path: Path):
    fetch = ["fetch", "--kpi", "U21468", "-m", "Ale", "-m", "Kungsbacka", "--from-year", "2020",
             "--to-year", "2023", "--rate", "50"]  # fmt: skip
    with run_emulator() as url:
        res = runner.invoke(app, [*fetch, "--base-url", url])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["changes"])
    assert res.exit_code == 0 and "bara en ögonblicksbild" in res.output
    with run_emulator("--data-dir", str(_modified_copy(tmp_path / "kolada"))) as url:
        res = runner.invoke(app, [*fetch, "--base-url", url])
        assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["changes", "--format", "csv"])
    assert res.exit_code == 0, res.output
    found = pd.read_csv(io.StringIO(res.stdout), dtype={"municipality_id": str})
    assert list(found.columns) == list(CHANGE_COLUMNS)
    got = {(r.change, r.kpi, r.municipality_id, r.year, r.gender) for r in found.itertuples()}
    assert got == {
        ("reviderat", "U21468", "1440", 2022, "T"),
        ("struket", "U21468", "1384", 2022, "T"),
        ("nytt år", "U21468", "1440", 2023, "T"),
    }
    revised = found[found["change"] == "reviderat"].iloc[0]
    assert (revised["old"], revised["new"]) == (82.0, 79.0)
    table = runner.invoke(app, ["changes", "-m", "Kungsbacka"])
    assert table.exit_code == 0 and "Struket" in table.output and "Reviderat" not in table.output
