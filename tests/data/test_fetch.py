"""fetch_to_project and the fetch/data commands against a fake Kolada (httpx.MockTransport)."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import math
import re
import shutil
import sys
import types
from collections.abc import Callable
from datetime import date
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import fou.data.kolada
from fake_kolada import BASE, KPIS, MUNICIPALITIES, FakeKolada, fake_value
from fou.cli import app
from fou.core.catalog import load_catalog
from fou.core.errors import FetchError, ParameterError
from fou.data.dataset import load_dataset, read_processed
from fou.data.fetch import (
    check_kpis,
    check_years,
    default_years,
    describe_data_in_use,
    fetch_to_project,
)
from fou.data.kolada import KoladaClient
from fou.data.snapshots import list_snapshots, read_manifest, rebuild_processed

YEARS = (2020, 2022)


@pytest.fixture
def no_local_submissions(monkeypatch: pytest.MonkeyPatch) -> None:
    """load_dataset adds local submissions; stand in for fou.data.submissions until it exists."""
    if importlib.util.find_spec("fou.data.submissions") is None:
        stub = types.ModuleType("fou.data.submissions")
        stub.load_accepted = lambda directory: None  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "fou.data.submissions", stub)


def fetch(project: Path, fake: FakeKolada, **kw: object):
    opts = {
        "years": YEARS,
        "kpis": KPIS,
        "root": project,
        "client": fake.client(),
        "progress": False,
        **kw,
    }
    return fetch_to_project(**opts)  # type: ignore[arg-type]


def tree_digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def expected_values() -> pd.DataFrame:
    rows = [
        (k, m, y, fake_value(k, m, y))
        for k in KPIS for m in MUNICIPALITIES for y in range(YEARS[0], YEARS[1] + 1)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"])


# --------------------------------------------------------------------------- happy path


def test_fetch_writes_snapshot_and_processed_data(
    project: Path, no_local_submissions: None
) -> None:
    fake = FakeKolada()
    result = fetch(project, fake)
    n = len(KPIS) * len(MUNICIPALITIES) * 3
    assert result.n_rows == n == len(expected_values())
    assert result.n_values == expected_values()["value"].notna().sum()
    assert result.n_requests == len(fake.requests) and result.n_retries == 0
    assert result.n_pages == len(fake.requests)
    assert math.ceil(n / 40) + 2 == len(fake.requests)  # kpi + groups + paged data
    assert result.n_kpis == 3 and result.n_municipalities == len(MUNICIPALITIES)
    assert result.missing_kpis == () and result.kpis_without_values == ()
    assert result.snapshot_dir == project / "data" / "raw" / result.snapshot_id
    manifest = read_manifest(result.snapshot_dir)
    assert manifest["n_requests"] == result.n_requests and manifest["kpis"] == KPIS
    assert manifest["years"] == [2020, 2022] and manifest["base_url"] == BASE
    assert manifest["package_version"]
    assert len(manifest["urls"]) == result.n_pages

    ds = load_dataset("kolada", root=project)
    assert ds.provenance.snapshot_id == result.snapshot_id
    assert ds.provenance.source == "kolada" and ds.provenance.n_requests == result.n_requests
    assert ds.provenance.years == YEARS and ds.provenance.base_url == BASE
    assert ds.provenance.created_at == manifest["started_at"]
    got = ds.values[["kpi", "municipality_id", "year", "value"]]
    want = expected_values().sort_values(["kpi", "municipality_id", "year"], ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert "0114" in set(ds.values["municipality_id"])  # not 114
    assert ds.values["value"].isna().sum() == want["value"].isna().sum() > 0  # null stays NaN
    assert (ds.values["value"].dropna() != 0).all()
    assert ds.kpi_titles["N20900"] == "Titel N20900"
    assert set(ds.groups["group_id"]) == {"G96190", "G176542"}


def test_processed_table_is_rebuilt_identically_from_the_snapshot(
    project: Path, tmp_path: Path
) -> None:
    result = fetch(project, FakeKolada())
    fetched = read_processed(result.processed_dir)
    rebuilt = read_processed(rebuild_processed(result.snapshot_dir, target=tmp_path / "rebuilt"))
    pd.testing.assert_frame_equal(fetched.values, rebuilt.values)
    pd.testing.assert_frame_equal(fetched.groups, rebuilt.groups)
    assert fetched.provenance == rebuilt.provenance


def test_faults_and_retries_give_the_same_table(project: Path) -> None:
    plain = read_processed(fetch(project, FakeKolada()).processed_dir).values

    def fault(n: int, request: httpx.Request) -> httpx.Response | None:
        if n % 3 == 0:
            return httpx.Response(429, headers={"Retry-After": "1"})
        if n % 4 == 0:
            return httpx.Response(503)
        if n % 5 == 0:
            raise httpx.ConnectTimeout("slow")
        return None

    sleeps: list[float] = []
    fake = FakeKolada(fault=fault)
    result = fetch(project, fake, client=fake.client(sleep=sleeps.append))
    faulty = read_processed(result.processed_dir).values
    pd.testing.assert_frame_equal(plain, faulty)
    assert result.n_retries > 0 and result.n_requests == len(fake.requests)
    assert 1.0 in sleeps  # Retry-After honoured
    statuses = [r["status"] for r in read_manifest(result.snapshot_dir)["requests"]]
    assert {429, 503, None, 200} <= set(statuses)


def test_municipality_names_are_resolved_and_sent_as_ids(project: Path) -> None:
    fake = FakeKolada()
    result = fetch(project, fake, municipalities=["Göteborg", "0000", "upplands väsby"])
    data_paths = [r.url.path for r in fake.requests if "/data/" in r.url.path]
    assert data_paths == [
        "/v3/data/kpi/N20900,U21463,N01813/municipality/1480,0000,0114/year/2020,2021,2022"
    ]
    assert result.n_municipalities == 3


def test_progress_callback_sees_every_page(project: Path) -> None:
    seen: list[str] = []
    fake = FakeKolada()
    fetch(project, fake, progress=lambda page: seen.append(page.kind))
    assert len(seen) == len(fake.requests)
    assert seen[0] == "kpi" and seen[1] == "municipality_groups" and set(seen[2:]) == {"data"}


def test_rich_progress_bar_runs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fetch(project, FakeKolada(), progress=True)
    assert "Klart" in capsys.readouterr().err


def test_default_kpis_are_the_whole_catalogue(project: Path) -> None:
    fake = FakeKolada()
    fetch(project, fake, kpis=None)
    asked = set()
    for r in fake.requests:
        if "/data/" in r.url.path:
            asked.update(r.url.path.split("/")[4].split(","))
    assert asked == set(load_catalog().all_ids)


def test_second_fetch_never_touches_the_first_snapshot(project: Path) -> None:
    first = fetch(project, FakeKolada())
    before = tree_digest(first.snapshot_dir)
    second = fetch(project, FakeKolada(), years=(2021, 2022))
    assert second.snapshot_id != first.snapshot_id
    assert tree_digest(first.snapshot_dir) == before
    assert [s.snapshot_id for s in list_snapshots(project / "data" / "raw")] == [
        first.snapshot_id,
        second.snapshot_id,
    ]
    assert read_processed(second.processed_dir).provenance.snapshot_id == second.snapshot_id


# ------------------------------------------------------------------ failures keep good data


def always_500_on_data(n: int, request: httpx.Request) -> httpx.Response | None:
    return httpx.Response(500) if "/data/" in request.url.path else None


def interrupt_on_second_data_page(n: int, request: httpx.Request) -> httpx.Response | None:
    if "page=2" in str(request.url):
        raise KeyboardInterrupt
    return None


@pytest.mark.parametrize(
    ("make_fake", "error", "match"),
    [
        (lambda: FakeKolada(fault=always_500_on_data), FetchError, "7 försök"),
        (lambda: FakeKolada(fault=interrupt_on_second_data_page), KeyboardInterrupt, None),
        (lambda: FakeKolada(municipality_value=int), FetchError, "tabellformatet"),
        (
            lambda: FakeKolada(
                fault=lambda n, r: httpx.Response(404) if "/data/" in r.url.path else None
            ),
            FetchError,
            "HTTP 404",
        ),
    ],
    ids=["http-500-after-retries", "ctrl-c", "invalid-answer", "http-404"],
)
def test_failed_fetch_keeps_previous_data(
    project: Path,
    make_fake: Callable[[], FakeKolada],
    error: type[BaseException],
    match: str | None,
) -> None:
    good = fetch(project, FakeKolada())
    data_dir = project / "data"
    before = tree_digest(data_dir)
    entries = sorted(p.name for p in (data_dir / "raw").iterdir())
    with pytest.raises(error, match=match):
        fetch(project, make_fake())
    assert tree_digest(data_dir) == before  # processed table and snapshots untouched
    assert sorted(p.name for p in (data_dir / "raw").iterdir()) == entries  # no partial snapshot
    assert sorted(p.name for p in (data_dir / "processed").iterdir()) == ["kolada"]
    assert read_processed(good.processed_dir).provenance.snapshot_id == good.snapshot_id


def test_no_values_at_all_is_a_failure(project: Path) -> None:
    with pytest.raises(FetchError, match="inga värden"):
        fetch(project, FakeKolada(), kpis=["N99999"])
    assert list((project / "data" / "raw").iterdir()) == []
    assert not (project / "data" / "processed" / "kolada").exists()


def test_bad_parameters_fail_before_any_request(project: Path) -> None:
    fake = FakeKolada()
    with pytest.raises(ParameterError, match="okänd kommun"):
        fetch(project, fake, municipalities=["Gotebrg"])
    with pytest.raises(ParameterError, match="Kolada-id"):
        fetch(project, fake, kpis=["20900"])
    with pytest.raises(ParameterError, match="efter sista"):
        fetch(project, fake, years=(2022, 2020))
    assert fake.requests == []


def test_years_and_kpi_checks() -> None:
    assert default_years(today=date(2026, 11, 23)) == (2015, 2026)
    assert check_years(None, today=date(2026, 1, 1)) == (2015, 2026)
    with pytest.raises(ParameterError, match="utanför"):
        check_years((1980, 2020))
    with pytest.raises(ParameterError, match="två årtal"):
        check_years((2020,))
    assert check_kpis(["n20900", "N20900"]) == ["N20900"]


def test_describe_data_in_use(project: Path) -> None:
    assert "demodata" in describe_data_in_use(project)
    sid = fetch(project, FakeKolada()).snapshot_id
    assert (
        describe_data_in_use(project)
        == f"Kolada-ögonblicksbild {sid}, hämtad {sid[:4]}-{sid[4:6]}-{sid[6:8]}"
    )


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def fake_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeKolada]:
    """Make `fou fetch` talk to a fake Kolada; returns a function that installs one."""

    def install(**kw: object) -> FakeKolada:
        fake = FakeKolada(**kw)  # type: ignore[arg-type]
        factory = functools.partial(
            KoladaClient, transport=httpx.MockTransport(fake.handler), sleep=lambda s: None
        )
        monkeypatch.setattr(fou.data.kolada, "KoladaClient", factory)
        return fake

    return install


def run(*args: str) -> tuple[int, str]:
    """Invoke the CLI; return the exit code and the output without table borders and line breaks."""
    result = CliRunner().invoke(app, list(args))
    text = re.sub(r"[\u2500-\u257f]", " ", result.output)  # rich's box-drawing characters
    return result.exit_code, " ".join(text.split())


def test_cli_fetch_and_data(
    project: Path, fake_cli: Callable[..., FakeKolada], no_local_submissions: None
) -> None:
    fake = fake_cli()
    code, out = run("fetch", "--base-url", BASE, "--from-year", "2020", "--to-year", "2022",
                    "--kpi", "N20900", "-k", "U21463", "-m", "Göteborg", "-m", "0000",
                    "--rate", "1000")  # fmt: skip
    assert code == 0, out
    (snap,) = list_snapshots(project / "data" / "raw")
    assert f"ögonblicksbild {snap.snapshot_id} sparad" in out
    assert "/municipality/1480,0000/year/2020,2021,2022" in str(fake.requests[-1].url)
    ds = read_processed(project / "data" / "processed" / "kolada")
    assert set(ds.values["municipality_id"]) == {"1480", "0000"}

    code, out = run("data")
    assert code == 0, out
    assert "Kolada" in out and snap.snapshot_id in out and "2020–2022" in out and BASE in out
    assert "Lokala inlämningar inga" in out


def test_cli_fetch_failure_says_which_data_is_still_in_use(
    project: Path, fake_cli: Callable[..., FakeKolada]
) -> None:
    fake_cli()
    assert (
        run(
            "fetch", "--from-year", "2020", "--to-year", "2022", "-k", "N20900", "--base-url", BASE
        )[0]
        == 0
    )
    (snap,) = list_snapshots(project / "data" / "raw")
    fake_cli(fault=always_500_on_data)
    code, out = run(
        "fetch", "--from-year", "2020", "--to-year", "2022", "-k", "N20900", "--base-url", BASE
    )
    assert code == 3, out
    assert "Hämtningen misslyckades" in out and "HTTP 500" in out
    assert f"Tidigare data används fortfarande: Kolada-ögonblicksbild {snap.snapshot_id}" in out
    assert len(list_snapshots(project / "data" / "raw")) == 1


def test_cli_fetch_failure_without_previous_data_mentions_demo(
    project: Path, fake_cli: Callable[..., FakeKolada]
) -> None:
    fake_cli(fault=always_500_on_data)
    code, out = run(
        "fetch", "--from-year", "2020", "--to-year", "2022", "-k", "N20900", "--base-url", BASE
    )
    assert code == 3 and "demodata" in out


def test_cli_fetch_bad_input_is_exit_2(project: Path, fake_cli: Callable[..., FakeKolada]) -> None:
    fake = fake_cli()
    code, out = run("fetch", "-m", "Gotebrg")
    assert code == 2 and "okänd kommun" in out
    code, out = run("fetch", "--from-year", "2022", "--to-year", "2020")
    assert code == 2 and "efter sista" in out
    assert fake.requests == []


def test_cli_data_without_any_data(project: Path) -> None:
    code, out = run("data")
    assert code == 0 and "Inga data är förberedda" in out and "(0)" in out


def test_cli_data_prepare_makes_demo_data(project: Path, no_local_submissions: None) -> None:
    if importlib.util.find_spec("fou.data.demo") is None:
        pytest.skip("fou.data.demo (demodatagenerator, annan del av projektet) finns inte ännu")
    code, out = run("data", "--prepare")
    assert code == 0, out
    assert "Demodata" in out
    assert (project / "data" / "processed" / "demo").is_dir()
    assert np.isfinite(load_dataset("auto", root=project).values["value"]).any()


def test_cli_data_prepare_keeps_kolada_data(
    project: Path, fake_cli: Callable[..., FakeKolada], no_local_submissions: None
) -> None:
    fake_cli()
    assert (
        run(
            "fetch", "--from-year", "2020", "--to-year", "2022", "-k", "N20900", "--base-url", BASE
        )[0]
        == 0
    )
    code, out = run("data", "--prepare")
    assert code == 0 and "Källa Kolada" in out
    assert not (project / "data" / "processed" / "demo").exists()
    assert (
        json.loads((project / "data" / "processed" / "kolada" / "provenance.json").read_text())[
            "source"
        ]
        == "kolada"
    )


# ----------------------------------------------------------------- narrow fetches, partials


class RevisedKolada(FakeKolada):
    """Kolada after a revision: U21463 for Ale has new values."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        response = super().handler(request)
        if response.status_code != 200 or "/data/" not in request.url.path:
            return response
        body = response.json()
        for item in body["values"]:
            if item["kpi"] == "U21463" and item["municipality"] == "1440":
                item["values"][0]["value"] = 99.0
        return httpx.Response(200, json=body)


def test_a_narrow_fetch_is_laid_over_the_data_in_use(project: Path) -> None:
    full = fetch(project, FakeKolada())
    before = read_processed(full.processed_dir).values
    narrow = fetch(
        project, RevisedKolada(), kpis=["U21463"], municipalities=["1440"], years=(2021, 2022)
    )
    after = read_processed(narrow.processed_dir)
    assert len(after.values) == len(before)  # nothing lost (174 567 rows did not become 6)
    key = ["kpi", "municipality_id", "year"]
    merged = after.values.set_index(key)["value"]
    inside = [("U21463", "1440", 2021), ("U21463", "1440", 2022)]
    assert all(merged.loc[k] == 99.0 for k in inside)
    outside = before.set_index(key)["value"].drop(inside)
    pd.testing.assert_series_equal(merged.drop(inside), outside, check_names=False)
    assert narrow.based_on == full.snapshot_id and narrow.n_kept == len(before) - 2
    assert after.provenance.based_on == (full.snapshot_id,)
    assert f"övriga värden från {full.snapshot_id}" in after.provenance.source_line()
    # Offline, the narrow snapshot rebuilds the same merged table (its base first).
    shutil.rmtree(narrow.processed_dir)
    rebuild_processed(narrow.snapshot_dir)
    rebuilt = read_processed(narrow.processed_dir)
    pd.testing.assert_frame_equal(rebuilt.values, after.values)


def test_replace_makes_a_narrow_fetch_the_whole_data_in_use(project: Path) -> None:
    full = fetch(project, FakeKolada())
    narrow = fetch(project, FakeKolada(), kpis=["U21463"], municipalities=["1440"],
                   years=(2021, 2022), replace=True)  # fmt: skip
    assert narrow.based_on is None and narrow.n_before == full.n_rows
    assert len(read_processed(narrow.processed_dir).values) == 2


def test_partial_snapshots_of_killed_fetches_are_cleared_but_a_running_one_is_kept(
    project: Path,
) -> None:
    from fou.core.locking import try_lock

    raw = project / "data" / "raw"
    dead = raw / ".snapshot-20261201T000000Z.abc.partial"
    (dead).mkdir(parents=True)
    (dead / ".owner").write_text("", encoding="utf-8")
    (dead / "pages.jsonl.gz").write_bytes(b"half")
    running = raw / ".snapshot-20261201T000001Z.def.partial"
    running.mkdir()
    with open(running / ".owner", "a+", encoding="utf-8") as held:
        assert try_lock(held)  # as a fetch in another process holds it
        result = fetch(project, FakeKolada())
        assert result.cleared_partials == (dead,)
        assert not dead.exists() and running.exists()


def test_sigterm_during_a_fetch_is_an_interruption_with_a_message(
    project: Path, fake_cli: Callable[..., FakeKolada]
) -> None:
    import os
    import signal

    def terminate(n: int, request: httpx.Request) -> httpx.Response | None:
        if "page=2" in str(request.url):
            os.kill(os.getpid(), signal.SIGTERM)  # as `kill <pid>` would
        return None

    fake_cli(fault=terminate, per_page_cap=5)
    code, out = run("fetch", "--from-year", "2020", "--to-year", "2022", "-k", "N20900",
                    "--base-url", BASE, "--rate", "1000")  # fmt: skip
    assert code == 130 and "Avbrutet" in out and "Ingen ny ögonblicksbild sparades" in out
    assert list((project / "data" / "raw").iterdir()) == []  # no partial left


def test_cli_narrow_fetch_says_it_was_laid_over_and_replace_says_so_too(
    project: Path, fake_cli: Callable[..., FakeKolada]
) -> None:
    fake_cli()
    common = ("--from-year", "2020", "--to-year", "2022", "--base-url", BASE, "--rate", "1000")
    assert run("fetch", *common, "-k", "N20900", "-k", "U21463")[0] == 0
    code, out = run("fetch", *common, "-k", "U21463", "-m", "Ale")
    assert code == 0 and "lades ovanpå" in out and "--replace" in out
    code, out = run("fetch", *common, "-k", "U21463", "-m", "Ale", "--replace")
    assert code == 0 and "--replace: data i bruk ersattes helt" in out
