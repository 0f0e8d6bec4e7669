"""Raw snapshots are immutable and complete-or-absent; processed tables are derived from them."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fou.core.errors import DataNotFoundError, DataValidationError, FetchError
from fou.data.dataset import load_dataset, read_processed
from fou.data.kolada import RawPage
from fou.data.snapshots import (
    MANIFEST_FILE,
    PAGES_FILE,
    SnapshotWriter,
    build_tables,
    list_snapshots,
    read_manifest,
    read_pages_file,
    rebuild_processed,
    snapshot_id_for,
    write_processed,
)

T0 = datetime(2026, 11, 23, 14, 15, 0, tzinfo=UTC)


@pytest.fixture
def no_local_submissions(monkeypatch: pytest.MonkeyPatch) -> None:
    """load_dataset adds local submissions; stand in for fou.data.submissions until it exists."""
    if importlib.util.find_spec("fou.data.submissions") is None:
        stub = types.ModuleType("fou.data.submissions")
        stub.load_accepted = lambda directory: None  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "fou.data.submissions", stub)


def body(values: list, next_url: str | None = None) -> str:
    return json.dumps(
        {"count": len(values), "values": values, "next_url": next_url, "previous_url": None},
        ensure_ascii=False,
    )


def value(
    kpi: str, mun: str, year: int, v: float | None, *, gender: str = "T", deleted: bool = False
) -> dict:
    return {
        "kpi": kpi,
        "municipality": mun,
        "period": year,
        "values": [{"count": 1, "gender": gender, "status": "", "value": v, "isdeleted": deleted}],
    }


def sample_pages() -> list[RawPage]:
    at = "2026-11-23T14:15:01.000+00:00"
    return [
        RawPage("kpi", "http://k/v3/kpi/N20900?per_page=5000", 200, at,
                body([{"id": "N20900", "title": "Nettokostnadsavvikelse äldreomsorg, (%)"}])),
        RawPage("municipality_groups", "http://k/v3/municipality_groups?per_page=5000", 200, at,
                body([{"id": "G96190", "title": "Göteborgsregionen (ovägt medel)",
                       "members": [{"id": "1480", "title": "Göteborg"},
                                   {"id": "1384", "title": "Kungsbacka"}]}])),
        RawPage("data", "http://k/v3/data/kpi/N20900/year/2020,2021?per_page=5000", 200, at,
                body([value("N20900", "1480", 2020, 5.5), value("N20900", "0114", 2020, None),
                      value("N20900", "0114", 2021, 1.0, deleted=True)], next_url="http://k/v3/next")),
        RawPage("data", "http://k/v3/next", 200, at,
                body([value("N20900", "1480", 2021, -2.25), value("N20900", "0000", 2021, 0.0)])),
    ]  # fmt: skip


def write_snapshot(raw: Path, pages: list[RawPage], *, started_at: datetime = T0) -> Path:
    with SnapshotWriter(raw, started_at=started_at) as snap:
        snap.write_pages(pages)
        return snap.commit(
            {
                "source": "kolada",
                "started_at": started_at.isoformat(),
                "base_url": "http://k/v3",
                "kpis": ["N20900"],
                "years": [2020, 2021],
                "municipalities": None,
                "n_requests": 5,
            }
        )


def tree_digest(directory: Path) -> dict[str, str]:
    """Every file below *directory* (hidden ones too) with its content hash."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_snapshot_id_is_utc_timestamp() -> None:
    assert snapshot_id_for(T0) == "20261123T141500Z"
    with pytest.raises(ValueError):
        snapshot_id_for(datetime(2026, 1, 1))


def test_pages_are_stored_exactly_as_received(tmp_path: Path) -> None:
    pages = sample_pages()
    snap = write_snapshot(tmp_path / "raw", pages)
    assert snap.name == "20261123T141500Z"
    assert sorted(p.name for p in snap.iterdir()) == [MANIFEST_FILE, PAGES_FILE]
    back = list(read_pages_file(snap / PAGES_FILE))
    assert [p.text for p in back] == [p.text for p in pages]
    assert [(p.kind, p.url, p.status, p.fetched_at) for p in back] == [
        (p.kind, p.url, p.status, p.fetched_at) for p in pages
    ]
    manifest = read_manifest(snap)
    assert manifest["snapshot_id"] == snap.name
    assert manifest["n_pages"] == 4 and manifest["base_url"] == "http://k/v3"
    assert len(manifest["pages_sha256"]) == 64
    assert not [p for p in (tmp_path / "raw").iterdir() if p.name.startswith(".")]


def test_existing_snapshot_is_never_overwritten(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = write_snapshot(raw, sample_pages())
    before = tree_digest(first)
    second = write_snapshot(raw, sample_pages()[:1])  # same second, different content
    third = write_snapshot(raw, sample_pages()[:2])
    assert (first.name, second.name, third.name) == (
        "20261123T141500Z", "20261123T141500Z-2", "20261123T141500Z-3",
    )  # fmt: skip
    assert tree_digest(first) == before
    assert read_manifest(second)["n_pages"] == 1
    assert [s.snapshot_id for s in list_snapshots(raw)] == [first.name, second.name, third.name]


def test_snapshot_files_are_read_only(tmp_path: Path) -> None:
    snap = write_snapshot(tmp_path / "raw", sample_pages())
    for f in snap.iterdir():
        assert f.stat().st_mode & 0o222 == 0


@pytest.mark.parametrize("exc", [RuntimeError("nätet dog"), KeyboardInterrupt()])
def test_failed_or_interrupted_snapshot_leaves_nothing(tmp_path: Path, exc: BaseException) -> None:
    raw = tmp_path / "raw"
    earlier = write_snapshot(raw, sample_pages(), started_at=datetime(2026, 1, 1, tzinfo=UTC))
    before = tree_digest(raw)
    with pytest.raises(type(exc)), SnapshotWriter(raw, started_at=T0) as snap:
        snap.write_pages(sample_pages())
        raise exc
    assert tree_digest(raw) == before
    assert sorted(p.name for p in raw.iterdir()) == [earlier.name]


def test_list_snapshots_skips_partial_and_foreign_directories(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_snapshot(raw, sample_pages())
    (raw / ".snapshot-20261123T150000Z.abc.partial").mkdir()
    (raw / "notes").mkdir()
    (raw / "20261124T000000Z").mkdir()  # no manifest: listed with its problem, not hidden
    infos = list_snapshots(raw)
    assert [i.snapshot_id for i in infos] == ["20261123T141500Z", "20261124T000000Z"]
    assert (
        infos[0].years == (2020, 2021) and infos[0].n_kpis == 1 and infos[0].municipalities is None
    )
    assert infos[0].problem == "" and infos[1].problem == "manifest.json saknas"
    assert list_snapshots(tmp_path / "nowhere") == []
    with pytest.raises(DataNotFoundError, match="ingen ögonblicksbild"):
        read_manifest(raw / "notes")


def test_build_tables_parses_drops_deleted_and_ignores_errors() -> None:
    pages = sample_pages()
    pages.insert(2, RawPage("data", "http://k/v3/x", 500, "t", '{"error": "boom"}'))
    tables = build_tables(pages)
    v = tables.values
    assert tables.n_deleted == 1
    assert v[["municipality_id", "year"]].apply(tuple, axis=1).tolist() == [
        ("0000", 2021), ("0114", 2020), ("1480", 2020), ("1480", 2021),
    ]  # fmt: skip
    assert np.isnan(v.loc[1, "value"]) and v.loc[0, "value"] == 0.0
    assert tables.groups["municipality_id"].tolist() == ["1480", "1384"]
    assert tables.kpis["kpi"].tolist() == ["N20900"]


def test_build_tables_rejects_contradicting_duplicates() -> None:
    at = "2026-11-23T14:15:01+00:00"
    pages = [
        RawPage("data", "http://k/a", 200, at, body([value("N20900", "1480", 2020, 1.0)])),
        RawPage(
            "data", "http://k/b", 200, at, body([value("N20900", "1480", 2020, 1.0)])
        ),  # same: fine
    ]
    assert len(build_tables(pages).values) == 1
    pages.append(RawPage("data", "http://k/c", 200, at, body([value("N20900", "1480", 2020, 2.0)])))
    with pytest.raises(DataValidationError, match="unik nyckel"):
        build_tables(pages)


def test_build_tables_rejects_numeric_municipality_ids() -> None:
    rec = value("N20900", "1480", 2020, 1.0)
    rec["municipality"] = 114  # must have been "0114"
    with pytest.raises(DataValidationError, match="municipality_id"):
        build_tables([RawPage("data", "http://k/a", 200, "t", body([rec]))])


def test_rebuild_processed_from_snapshot_is_readable(
    tmp_path: Path, no_local_submissions: None
) -> None:
    root = tmp_path / "project"
    snap = write_snapshot(root / "data" / "raw", sample_pages())
    target = rebuild_processed(snap)
    assert target == root / "data" / "processed" / "kolada"
    ds = load_dataset("kolada", root=root)
    assert ds.provenance.source == "kolada"
    assert ds.provenance.snapshot_id == "20261123T141500Z"
    assert ds.provenance.created_at == T0.isoformat()
    assert ds.provenance.years == (2020, 2021) and ds.provenance.n_requests == 5
    assert ds.provenance.base_url == "http://k/v3"
    assert ds.kpi_titles == {"N20900": "Nettokostnadsavvikelse äldreomsorg, (%)"}
    assert set(ds.groups["group_id"]) == {"G96190"}
    pd.testing.assert_frame_equal(ds.values, build_tables(sample_pages()).values)
    prov = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    assert prov["n_rows"] == 4 and prov["n_deleted"] == 1


def test_rebuild_refuses_a_tampered_snapshot(tmp_path: Path) -> None:
    snap = write_snapshot(tmp_path / "data" / "raw", sample_pages())
    pages = snap / PAGES_FILE
    pages.chmod(0o644)
    pages.write_bytes(pages.read_bytes() + b"\0")
    with pytest.raises(FetchError, match="kontrollsumman"):
        rebuild_processed(snap)
    assert not (tmp_path / "data" / "processed" / "kolada").exists()


def test_failed_processed_write_keeps_previous_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    snap = write_snapshot(root / "data" / "raw", sample_pages())
    target = rebuild_processed(snap)
    before = tree_digest(target.parent)
    tables = build_tables(sample_pages()[:3])
    real = pd.DataFrame.to_parquet

    def fail_on_kpis(self: pd.DataFrame, path: object, *a: object, **kw: object) -> None:
        if str(path).endswith("kpis.parquet"):
            raise KeyboardInterrupt  # interrupted half-way through the directory
        real(self, path, *a, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", fail_on_kpis)
    with pytest.raises(KeyboardInterrupt):
        write_processed(tables, read_processed(target).provenance, target)
    assert tree_digest(target.parent) == before


def test_commit_never_replaces_a_snapshot_that_appeared_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fou.data.snapshots as snapshots

    raw = tmp_path / "raw"
    first = write_snapshot(raw, sample_pages())
    before = tree_digest(first)
    real = snapshots.free_snapshot_id
    calls: list[str] = []

    def racing(raw_dir: Path, base_id: str) -> str:
        calls.append(base_id)
        return base_id if len(calls) == 1 else real(raw_dir, base_id)  # first answer is stale

    monkeypatch.setattr(snapshots, "free_snapshot_id", racing)
    second = write_snapshot(raw, sample_pages()[:1])
    assert len(calls) == 2 and second.name == "20261123T141500Z-2"
    assert tree_digest(first) == before
    assert read_manifest(second)["snapshot_id"] == second.name
