"""Results shared between a batch's jobs (fou.reports.shared): keys, copies, no municipality."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from fou.core.paths import SHARED_CACHE_ENV
from fou.data.provenance import Provenance
from fou.reports import associations, common, shared
from fou.reports.context import ReportContext

calls: list[tuple[str | None, int, tuple]] = []


@shared.shared
def _mean_of(ctx: ReportContext, kpis: list[str]) -> pd.DataFrame:
    """A shared function for the tests: records who computed it and with what."""
    calls.append((ctx.municipality_id, ctx.year, tuple(kpis)))
    v = ctx.values
    sel = v[v["kpi"].isin(kpis) & (v["year"] == ctx.year) & (v["gender"] == "T")]
    return sel.groupby("kpi", as_index=False)["value"].mean()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(SHARED_CACHE_ENV, str(folder))
    shared.clear_memory()
    calls.clear()
    yield folder
    shared.clear_memory()


def _other_municipality(ctx: ReportContext) -> ReportContext:
    return replace(ctx, municipality_id="1480", municipality="Göteborg")


def test_without_the_cache_every_call_computes(monkeypatch, ale):
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)
    calls.clear()
    _mean_of(ale, ["U21463"])
    _mean_of(ale, ["U21463"])
    assert calls == [("1440", 2022, ("U21463",))] * 2  # called as given, municipality included


def test_one_computation_serves_every_municipality(cache, ale):
    first = _mean_of(ale, ["U21463", "N20403"])
    second = _mean_of(_other_municipality(ale), ["U21463", "N20403"])
    assert calls == [(None, 2022, ("U21463", "N20403"))]  # once, and without a municipality
    pd.testing.assert_frame_equal(first, second)
    assert len(list(cache.rglob("*.pkl"))) == 1


def test_another_process_reads_the_file(cache, ale):
    first = _mean_of(ale, ["U21463"])
    shared.clear_memory()  # as a job in another worker
    again = _mean_of(_other_municipality(ale), ["U21463"])
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, again)


def test_each_caller_gets_its_own_copy(cache, ale):
    first = _mean_of(ale, ["U21463"])
    first.loc[:, "value"] = -1.0  # a report that changes its table in place
    again = _mean_of(ale, ["U21463"])
    assert (again["value"] != -1.0).all()


@pytest.mark.parametrize(
    "change",
    [
        lambda c: replace(c, year=2021),
        lambda c: replace(c, comparison="riket"),
        lambda c: replace(c, catalog=c.catalog.with_view("fardplan")),
        lambda c: replace(
            c,
            dataset=replace(
                c.dataset, provenance=Provenance("kolada", "20260102T000000Z", "2026-01-02")
            ),
        ),
        lambda c: replace(
            c,
            dataset=replace(
                c.dataset,
                provenance=replace(c.dataset.provenance, local_files=("ale_2022.csv",)),
            ),
        ),
    ],
    ids=["year", "comparison", "view", "snapshot", "local-submission"],
)
def test_a_new_year_view_comparison_snapshot_or_submission_is_a_new_entry(cache, ale, change):
    _mean_of(ale, ["U21463"])
    _mean_of(change(ale), ["U21463"])
    assert len(calls) == 2
    assert len(list(cache.rglob("*.pkl"))) == 2


def test_new_code_uses_a_new_folder(cache, ale, monkeypatch):
    _mean_of(ale, ["U21463"])
    monkeypatch.setattr(shared, "code_fingerprint", lambda: "f" * 64)
    shared.clear_memory()
    _mean_of(ale, ["U21463"])
    assert len(calls) == 2
    folders = {p.parent.name for p in cache.rglob("*.pkl")}
    assert len(folders) == 2 and "f" * 16 in folders


def test_an_unreadable_entry_is_computed_again(cache, ale):
    _mean_of(ale, ["U21463"])
    (entry,) = cache.rglob("*.pkl")
    entry.write_bytes(b"not a pickle")
    shared.clear_memory()
    again = _mean_of(ale, ["U21463"])
    assert len(calls) == 2 and not again.empty


def test_arguments_that_cannot_be_a_key_are_refused(cache, ale):
    with pytest.raises(TypeError, match="cannot be part of a key"):
        _mean_of(ale, [object()])


def test_shared_report_functions_equal_their_direct_computation(cache, ale, monkeypatch):
    """The report functions marked shared give what they give without the cache."""
    kpis = associations.candidate_kpis(ale)
    with_cache = associations.screen(ale, kpis)
    positions = common.domain_positions(_other_municipality(ale), ["U21463", "N20403"])
    shared.clear_memory()
    monkeypatch.delenv(SHARED_CACHE_ENV)
    pd.testing.assert_frame_equal(with_cache, associations.screen(ale, kpis))
    pd.testing.assert_frame_equal(positions, common.domain_positions(ale, ["U21463", "N20403"]))
