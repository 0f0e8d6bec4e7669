"""The manifest (fou.batch.manifest): entries round-trip through JSON; the hash sees every input."""

from __future__ import annotations

from dataclasses import replace

from support import TEST_NOTEBOOKS, tiny_dataset

from fou.batch.manifest import Entry, Manifest, input_hash, read_manifest, write_manifest
from fou.batch.plan import Job

DATA = tiny_dataset()
JOB = Job(
    notebook="ok_profile", notebook_path=TEST_NOTEBOOKS / "ok_profile.ipynb", municipality_id="1480",
    year=2025, comparison="gr", provenance=DATA.provenance,
    declared=("kommun", "ar", "jamforelse", "datakalla"),
)  # fmt: skip


def test_entry_round_trips(tmp_path):
    entry = Entry.planned(JOB, input_hash="abc").with_result(
        status="ok", duration_s=1.5, outputs=("2025/1480/ok_profile.html",)
    )
    manifest = Manifest().merged([entry], updated_at="2026-01-01T00:00:00+01:00")
    write_manifest(tmp_path, manifest)
    back = read_manifest(tmp_path)
    assert back.entries == (entry,)
    assert back.entries[0].parameters == {
        "kommun": "1480",
        "ar": 2025,
        "jamforelse": "gr",
        "datakalla": "demo",
    }
    assert back.entries[0].source_line == DATA.provenance.source_line() and back.entries[0].is_demo


def test_merge_replaces_by_id_and_keeps_the_rest():
    a = Entry(id="2025/1480/a", notebook="a", municipality_id="1480", year=2025, status="ok")
    b = Entry(id="2025/1481/a", notebook="a", municipality_id="1481", year=2025, status="ok")
    merged = Manifest(entries=(a, b)).merged([replace(a, status="failed")])
    assert [(e.id, e.status) for e in merged.entries] == [
        ("2025/1480/a", "failed"),
        ("2025/1481/a", "ok"),
    ]


def test_unreadable_manifest_reads_as_empty(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path).entries == ()


def test_input_hash_changes_with_parameters_and_snapshot():
    h = input_hash(JOB)
    assert h == input_hash(JOB)
    assert input_hash(replace(JOB, year=2024)) != h
    assert input_hash(replace(JOB, comparison="riket")) != h
    other = replace(DATA.provenance, snapshot_id="20260101T000000Z")
    assert input_hash(replace(JOB, provenance=other)) != h


def test_input_hash_changes_with_the_code_even_when_the_version_does_not(monkeypatch):
    import fou.batch.manifest as manifest

    before = input_hash(JOB)
    monkeypatch.setattr(manifest, "code_fingerprint", lambda: "edited")
    assert input_hash(JOB) != before
