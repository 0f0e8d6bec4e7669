"""The whole fetch against the Kolada emulator (real values), plainly and with injected faults.

Two emulator starts in all: the session's plain one (``emulator_url``) and one
answering every 5th request with 429 and every 7th with 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import run_emulator
from typer.testing import CliRunner

from fou.cli import app
from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.core.schema import validate_values
from fou.data.dataset import read_processed
from fou.data.fetch import FetchResult, fetch_to_project
from fou.data.kolada import KoladaClient
from fou.data.snapshots import list_snapshots, read_manifest

pytestmark = [pytest.mark.shared, pytest.mark.slow, pytest.mark.xdist_group("kolada-emulator")]

YEARS = (2012, 2022)
MUNICIPALITIES = [*GR_MUNICIPALITIES, RIKET]
RATE = 50.0  # quick for tests; the product default is 5 requests per second


def _fetch(url: str, root: Path) -> FetchResult:
    client = KoladaClient(url, max_rate=RATE, seed=0, timeout=30)
    try:
        return fetch_to_project(
            years=YEARS, municipalities=MUNICIPALITIES, root=root, client=client, progress=False
        )
    finally:
        client.close()


@pytest.fixture(scope="module")
def plain(emulator_url: str, tmp_path_factory: pytest.TempPathFactory) -> FetchResult:
    return _fetch(emulator_url, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FetchResult]:
    with run_emulator("--fault-every", "5", "--error-every", "7") as url:
        yield _fetch(url, tmp_path_factory.mktemp("faulty"))


def _sorted(values: pd.DataFrame) -> pd.DataFrame:
    return values.sort_values(["kpi", "municipality_id", "year", "gender"], ignore_index=True)


def test_faults_do_not_change_the_table(plain: FetchResult, faulty: FetchResult) -> None:
    a = read_processed(plain.processed_dir)
    b = read_processed(faulty.processed_dir)
    pd.testing.assert_frame_equal(_sorted(a.values), _sorted(b.values))
    pd.testing.assert_frame_equal(a.groups, b.groups)
    assert plain.n_retries == 0
    assert faulty.n_retries > 0 and faulty.n_requests == plain.n_requests + faulty.n_retries
    statuses = {r["status"] for r in read_manifest(faulty.snapshot_dir)["requests"]}
    assert {200, 429, 500} <= statuses


def test_fetched_values_equal_the_real_kolada_values(
    plain: FetchResult, real_values: pd.DataFrame
) -> None:
    got = read_processed(plain.processed_dir).values
    validate_values(got)
    wanted_kpis = set(load_catalog().all_ids)
    real = real_values[
        real_values["kpi"].isin(wanted_kpis)
        & real_values["municipality_id"].isin(MUNICIPALITIES)
        & real_values["year"].between(*YEARS)
    ]
    keys = ["kpi", "municipality_id", "year", "gender"]
    merged = got.merge(real, on=keys, how="outer", suffixes=("_got", "_real"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert len(got) == len(real) > 1000
    # a missing (suppressed) value stays missing, never 0
    assert (merged["value_got"].isna() == merged["value_real"].isna()).all()
    assert merged["value_got"].isna().any()
    assert np.allclose(merged["value_got"].dropna(), merged["value_real"].dropna())
    # a few values checked one by one
    for kpi, mid, year in [
        ("N20900", "1480", 2020),
        ("U21468", "1440", 2019),
        ("N20900", RIKET, 2022),
    ]:
        g, r = (
            t.loc[
                (t["kpi"] == kpi) & (t["municipality_id"] == mid) & (t["year"] == year)
                & (t["gender"] == "T"),
                "value",
            ]
            for t in (got, real)
        )  # fmt: skip
        assert len(g) == len(r) == 1
        assert g.iloc[0] == pytest.approx(r.iloc[0], nan_ok=True)
    ds = read_processed(plain.processed_dir)
    assert set(ds.groups.loc[ds.groups["group_id"] == "G96190", "municipality_id"]) == set(
        GR_MUNICIPALITIES
    )
    assert "G176542" in set(ds.groups["group_id"])
    assert ds.kpi_titles["N20900"] == "Nettokostnadsavvikelse äldreomsorg, (%)"


def test_cli_fetch_against_the_emulator(emulator_url: str, project: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            "--base-url",
            emulator_url,
            "--from-year",
            "2020",
            "--to-year",
            "2022",
            "--rate",
            str(RATE),
        ],
    )
    out = " ".join(re.sub(r"[\u2500-\u257f]", " ", result.output).split())
    assert result.exit_code == 0, out
    (snap,) = list_snapshots(project / "data" / "raw")
    assert f"ögonblicksbild {snap.snapshot_id} sparad" in out
    ds = read_processed(project / "data" / "processed" / "kolada")
    validate_values(ds.values)
    assert ds.provenance.years == (2020, 2022) and ds.provenance.base_url == emulator_url
    # all municipalities, regions and Riket without naming them
    assert ds.values["municipality_id"].nunique() > 300
    assert {"0114", "1480", RIKET, "0014"} <= set(ds.values["municipality_id"])
