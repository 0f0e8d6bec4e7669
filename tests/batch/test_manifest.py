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


def _local(rows: list[tuple[str, str, int, float]], source: str = "lokal:x.csv"):
    import pandas as pd

    return pd.DataFrame(
        [(k, m, y, "T", v, pd.NA, pd.NA, source) for k, m, y, v in rows],
        columns=["kpi", "municipality_id", "year", "gender", "value", "count", "status", "source"],
    )


CATALOGUE = ("U21468", "N20403")
LERUM, ALE = "1441", "1440"


def _hashes(local) -> dict[str, str]:
    """The input hash of Lerum's and Ale's profile and of the regional report."""
    from fou.batch.manifest import LocalInputs

    inputs = LocalInputs.from_values(local, CATALOGUE)
    jobs = {
        "lerum": replace(JOB, municipality_id=LERUM),
        "ale": replace(JOB, municipality_id=ALE),
        "regional": replace(JOB, municipality_id=None),
    }
    return {name: input_hash(job, inputs) for name, job in jobs.items()}


def test_a_municipalitys_own_key_figure_changes_only_its_jobs_and_the_regional():
    before = _hashes(_local([("L00001", LERUM, 2025, 10.0)]))
    after = _hashes(_local([("L00001", LERUM, 2025, 11.0)]))  # the same file, a new value
    assert after["lerum"] != before["lerum"]
    assert after["regional"] != before["regional"]
    assert after["ale"] == before["ale"]


def test_a_catalogue_key_figure_changes_every_job():
    # Lerum's value enters Ale's GR mean and position among the 13.
    before = _hashes(_local([("U21468", LERUM, 2025, 80.0)]))
    after = _hashes(_local([("U21468", LERUM, 2025, 81.0)]))
    assert all(after[k] != before[k] for k in before)


def test_row_order_does_not_matter_and_no_submission_is_stable():
    rows = [("L00001", LERUM, 2025, 10.0), ("U21468", ALE, 2025, 70.0)]
    assert _hashes(_local(rows)) == _hashes(_local(rows[::-1]))
    assert _hashes(None) == _hashes(None)


def test_the_run_reads_the_accepted_submissions_by_content(project):
    from fou.batch.schedule import local_inputs
    from fou.data.submissions import accept_submission

    assert local_inputs(project).for_job(JOB) == local_inputs(project).for_job(JOB)
    csv = project / "lerum.csv"
    csv.write_text("kommun,nyckeltal,år,värde,titel\nLerum,L00001,2025,12,Egen\n", encoding="utf-8")
    accept_submission(csv, local_dir=project / "data" / "local")
    first = local_inputs(project)
    lerum, ale = replace(JOB, municipality_id=LERUM), replace(JOB, municipality_id=ALE)
    csv.write_text("kommun,nyckeltal,år,värde,titel\nLerum,L00001,2025,13,Egen\n", encoding="utf-8")
    accept_submission(csv, local_dir=project / "data" / "local")  # same name, new content
    second = local_inputs(project)
    assert second.for_job(lerum) != first.for_job(lerum)
    assert second.for_job(ale) == first.for_job(ale)
