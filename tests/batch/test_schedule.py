"""Running jobs (fou.batch.schedule, execute): reports, skip and force, fault isolation, Dask, events.

Runs the tiny notebooks in tests/fixtures/notebooks (the real ones only for the
emulator run) on demo data in a private project root.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import REPO, TEST_NOTEBOOKS, run_emulator

from fou.batch import load_batch, plan_jobs, run_jobs
from fou.batch.events import JobFinished, RunFinished, RunNotice, RunStarted, RunWaiting
from fou.batch.manifest import Entry
from fou.batch.schedule import longest_first
from fou.data.dataset import load_dataset


def _batch(project: Path, text: str, name: str = "b.yaml") -> Path:
    path = project / "parameters" / name
    path.write_text(text, encoding="utf-8")
    return path


def _plan(project: Path, text: str, *, notebooks_dir: Path = TEST_NOTEBOOKS, **kwargs):
    batch = load_batch(_batch(project, text), notebooks_dir=notebooks_dir)
    return plan_jobs(batch, dataset=load_dataset("demo"), **kwargs)


@pytest.mark.slow
def test_full_pipeline_two_municipalities(project):
    pypdf = pytest.importorskip("pypdf")
    jobs = _plan(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['1480', Mölndal]\nregional: [regional]\n",
    )
    events: list = []
    res = run_jobs(jobs, workers=2, root=project, cell_timeout=120, on_event=events.append)
    assert res.ok, res.failed
    assert isinstance(events[0], RunStarted) and events[0].to_run == 3
    assert sum(isinstance(e, JobFinished) for e in events) == 3
    assert isinstance(events[-1], RunFinished) and events[-1].result == res
    out = project / "outputs"
    for mid, name in (("1480", "Göteborg"), ("1481", "Mölndal")):
        html = (out / "2025" / mid / "ok_profile.html").read_text(encoding="utf-8")
        assert name in html and "2025" in html
        assert "http://" not in html and "https://" not in html
        assert "DEMODATA" in html
        assert "data:image/png;base64" in html  # the figure is embedded
        assert f"{name} 2025" in html  # printed by the notebook
        reader = pypdf.PdfReader(str(out / "2025" / mid / "ok_profile.pdf"))
        assert len(reader.pages) >= 1
        assert name in reader.pages[0].extract_text()
    assert (out / "2025" / "gr" / "regional.pdf").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "http://" not in index and "https://" not in index
    assert "2025/1480/ok_profile.html" in index and "2025/1481/ok_profile.pdf" in index
    body = index[index.index("<body") :]
    # The regional report first, then one row per municipality (the title names the region).
    assert body.index("Regional 2025") < body.index("Rapporter per kommun")
    assert body.index("Rapporter per kommun") < body.index("Göteborg <small>(1480)")
    assert body.index("Göteborg <small>") < body.index("Mölndal <small>")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {j["status"] for j in manifest["jobs"]} == {"ok"}
    assert all(j["input_hash"] and j["duration_s"] > 0 for j in manifest["jobs"])
    assert not any((out / ".work").iterdir()) if (out / ".work").exists() else True

    # unchanged inputs → skipped; force → re-run
    again = run_jobs(jobs, workers=2, root=project)
    assert [e.status for e in again.entries] == ["skipped"] * 3
    forced = run_jobs(jobs[:1], workers=1, root=project, force=True)
    assert forced.entries[0].status == "ok"
    # a changed notebook invalidates only its own jobs
    nb_dir = project / "nbs"
    shutil.copytree(TEST_NOTEBOOKS, nb_dir)
    text = (
        (nb_dir / "regional.ipynb")
        .read_text(encoding="utf-8")
        .replace("Regional testrapport", "Regional rapport v2")
    )
    (nb_dir / "regional.ipynb").write_text(text, encoding="utf-8")
    changed = run_jobs(
        _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\nregional: [regional]\n", notebooks_dir=nb_dir),
        workers=2, root=project,
    )  # fmt: skip
    assert {e.id: e.status for e in changed.entries} == {
        "2025/gr/regional": "ok",
        "2025/1480/ok_profile": "skipped",
    }


@pytest.mark.slow
def test_a_run_with_another_comparison_keeps_the_default_report(project):
    base = "notebooks: [ok_profile]\nmunicipalities: ['1480']\n"
    assert run_jobs(_plan(project, base), workers=1, root=project, export=False).ok
    day = project / "outputs" / "2025" / "1480"
    default = (day / "ok_profile.ipynb").read_bytes()
    other = _plan(project, base + "parameters: {jamforelse: riket}\n")
    assert run_jobs(other, workers=1, root=project, export=False).ok
    assert (day / "ok_profile.ipynb").read_bytes() == default
    executed = json.loads((day / "ok_profile_jfr_riket.ipynb").read_text(encoding="utf-8"))
    assert 'jamforelse = "riket"' in "".join("".join(c["source"]) for c in executed["cells"])
    manifest = json.loads((project / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    assert {j["id"] for j in manifest["jobs"]} == {
        "2025/1480/ok_profile", "2025/1480/ok_profile_jfr_riket"
    }  # fmt: skip


@pytest.mark.slow
def test_fault_isolation(project):
    jobs = _plan(project, "notebooks: [ok_profile, raises, sleeps]\nmunicipalities: ['1480']\n")
    res = run_jobs(jobs, workers=2, root=project, cell_timeout=3, export=False)
    status = {e.notebook: e for e in res.entries}
    assert status["ok_profile"].status == "ok"
    assert (
        status["raises"].status == "failed" and "avsiktligt fel för 1480" in status["raises"].error
    )
    assert status["sleeps"].status == "timeout" and "Tidsgränsen" in status["sleeps"].error
    assert not res.ok and len(res.failed) == 2
    out = project / "outputs" / "2025" / "1480"
    assert (out / "ok_profile.ipynb").exists() and not (out / "ok_profile.html").exists()
    failed_nb = (out / "raises.failed.ipynb").read_text(encoding="utf-8")
    assert "RuntimeError" in failed_nb
    assert "avsiktligt fel" in failed_nb
    assert (out / "sleeps.failed.ipynb").exists()
    assert not (out / "raises.ipynb").exists()
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "misslyckades" in index and "avsiktligt fel för 1480" in index


@pytest.mark.slow
def test_cli_exit_codes(project):
    from typer.testing import CliRunner

    from fou.cli import app

    runner = CliRunner()
    path = _batch(project, "notebooks: [ok_profile, raises]\nmunicipalities: ['1480']\n")
    args = [
        "run",
        str(path),
        "--notebooks-dir",
        str(TEST_NOTEBOOKS),
        "--source",
        "demo",
        "--workers",
        "2",
        "--no-export",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "misslyckade" in res.output
    res = runner.invoke(app, [*args, "--notebook", "ok_profile"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--notebook", "ok_profile", "--force", "--fresh-kernel"])
    assert res.exit_code == 0 and "1 klara" in res.output, res.output
    res = runner.invoke(app, [*args, "--notebook", "ok_profile", "--force", "--no-shared"])
    assert res.exit_code == 0 and "1 klara" in res.output, res.output
    bad = _batch(project, "notebooks: [ok_profile]\nmunicipalities: [114]\n", "bad.yaml")
    res = runner.invoke(
        app, ["run", str(bad), "--notebooks-dir", str(TEST_NOTEBOOKS), "--source", "demo"]
    )
    assert res.exit_code == 2
    res = runner.invoke(app, [*args, "--municipality", "Atlantis"])
    assert res.exit_code == 2


@pytest.mark.slow
def test_dask_cluster(project):
    distributed = pytest.importorskip("distributed")
    jobs = _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1480', '1481']\n")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        res = run_jobs(jobs, scheduler=cluster.scheduler_address, root=project)
    assert res.ok, res.failed
    for mid in ("1480", "1481"):
        assert (project / "outputs" / "2025" / mid / "ok_profile.pdf").exists()


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.xdist_group("kolada-emulator")
def test_real_data_from_the_emulator(project):
    """Fetch real values from the Kolada emulator, then run the real profile notebook on them."""
    from fou.core.registry import GR_MUNICIPALITIES
    from fou.data.fetch import fetch_to_project

    with run_emulator() as url:
        fetch_to_project(base_url=url, years=(2019, 2022), municipalities=[*GR_MUNICIPALITIES, "0000"],
                         root=project, progress=False, max_rate=50)  # fmt: skip
    batch = load_batch(_batch(project, "notebooks: [municipality_profile]\nmunicipalities: ['1440']\n"),
                       notebooks_dir=REPO / "notebooks")  # fmt: skip
    jobs = plan_jobs(batch, dataset=load_dataset("kolada"), years=[2022])
    res = run_jobs(jobs, workers=1, root=project, cell_timeout=300)
    assert res.ok, res.failed
    html = (project / "outputs" / "2022" / "1440" / "municipality_profile.html").read_text(
        encoding="utf-8"
    )
    assert "Källa: Kolada" in html and "Ale" in html and "DEMODATA" not in html
    assert "år</span> 2022" in html and "<dt>Datakälla</dt><dd>Kolada, hämtat" in html


def test_longest_jobs_start_first():
    from dataclasses import replace

    from support import tiny_dataset

    from fou.batch.plan import Job

    base = Job(notebook="a", notebook_path=TEST_NOTEBOOKS / "ok_profile.ipynb", municipality_id="1480",
               year=2025, comparison="gr", provenance=tiny_dataset().provenance)  # fmt: skip
    jobs = [replace(base, notebook="a"), replace(base, notebook="b"),
            replace(base, notebook="a", municipality_id="1481"),
            replace(base, notebook="c", municipality_id="1481")]  # fmt: skip

    def entry(jid: str, status: str, seconds: float) -> Entry:
        return Entry(id=jid, notebook=jid.split("/")[-1], municipality_id=jid.split("/")[1], year=2025,
                     status=status, duration_s=seconds)  # fmt: skip

    previous = {e.id: e for e in [entry("2025/1480/a", "ok", 2.0), entry("2025/1480/b", "ok", 9.0),
                                  entry("2025/1482/a", "ok", 4.0), entry("2025/1483/c", "failed", 50.0)]}  # fmt: skip
    order = [j.id for j in longest_first(jobs, previous)]
    # b: own 9 s; 1481/a: mean of notebook a (3 s); 1480/a: own 2 s; c: no usable history.
    assert order == ["2025/1480/b", "2025/1481/a", "2025/1480/a", "2025/1481/c"]
    assert [j.id for j in longest_first(jobs, {})] == [j.id for j in jobs], (
        "without history the planned order is kept"
    )


@pytest.mark.slow
def test_a_job_that_kills_its_kernel_fails_alone(project):
    """One worker, three jobs: the kernel dies in the second; the third gets a new kernel."""
    nbs = project / "nbs"
    nbs.mkdir()
    shutil.copy(TEST_NOTEBOOKS / "ok_profile.ipynb", nbs / "ok_profile.ipynb")
    shutil.copy(TEST_NOTEBOOKS / "ok_profile.ipynb", nbs / "ok_again.ipynb")
    dies = json.loads((TEST_NOTEBOOKS / "raises.ipynb").read_text(encoding="utf-8"))
    dies["cells"][-1]["source"] = ["import os\n", "os._exit(7)"]
    (nbs / "dies.ipynb").write_text(json.dumps(dies), encoding="utf-8")
    jobs = _plan(
        project,
        "notebooks: [ok_profile, dies, ok_again]\nmunicipalities: ['1480']\n",
        notebooks_dir=nbs,
    )
    res = run_jobs(jobs, workers=1, root=project, export=False, cell_timeout=60)
    status = {e.notebook: e.status for e in res.entries}
    assert status == {"ok_profile": "ok", "dies": "failed", "ok_again": "ok"}, res.entries
    assert (project / "outputs" / "2025" / "1480" / "dies.failed.ipynb").exists()


def _manifest_ids(project: Path) -> dict[str, str]:
    data = json.loads((project / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    return {j["id"]: j["status"] for j in data["jobs"]}


@pytest.mark.slow
def test_each_job_is_recorded_when_it_finishes_and_a_killed_run_resumes(project):
    jobs = _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1480', '1481', '1482']\n")
    seen_on_disk: list[dict[str, str]] = []

    def stop_after_the_first(event) -> None:
        if isinstance(event, JobFinished) and event.done == 1:
            seen_on_disk.append(_manifest_ids(project))
            raise KeyboardInterrupt  # as if the run were stopped here

    with pytest.raises(KeyboardInterrupt):
        run_jobs(jobs, workers=1, root=project, export=False, on_event=stop_after_the_first)
    # The finished job was in the manifest before anything else happened.
    assert list(seen_on_disk[0].values()) == ["ok"] and len(seen_on_disk[0]) == 1
    first = next(iter(seen_on_disk[0]))
    again = run_jobs(jobs, workers=1, root=project, export=False)
    status = {e.id: e.status for e in again.entries}
    assert status[first] == "skipped"  # resumed, not rerun
    assert sorted(status.values()) == ["ok", "ok", "skipped"]


@pytest.mark.slow
def test_an_unreadable_manifest_is_kept_aside_and_said(project):
    out = project / "outputs"
    out.mkdir(exist_ok=True)
    (out / "manifest.json").write_text('{"jobs": [', encoding="utf-8")
    jobs = _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    events: list = []
    res = run_jobs(jobs, workers=1, root=project, export=False, on_event=events.append)
    assert res.ok
    notices = [e.message for e in events if isinstance(e, RunNotice)]
    assert len(notices) == 1 and "är inte giltig JSON" in notices[0]
    kept = list(out.glob("manifest.json.oläslig-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == '{"jobs": ['
    assert _manifest_ids(project) == {"2025/1480/ok_profile": "ok"}


@pytest.mark.slow
def test_two_runs_at_once_keep_each_others_results(project):
    import threading

    first = _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    second = _plan(project, "notebooks: [ok_profile]\nmunicipalities: ['1481']\n")
    events: dict[str, list] = {"a": [], "b": []}
    results: dict[str, object] = {}

    def run(key: str, jobs) -> None:
        results[key] = run_jobs(jobs, workers=1, root=project, on_event=events[key].append)

    a = threading.Thread(target=run, args=("a", first))
    a.start()
    while not (project / "outputs" / ".lock").exists():
        pass
    b = threading.Thread(target=run, args=("b", second))
    b.start()
    a.join(300)
    b.join(300)
    assert all(r.ok for r in results.values())  # type: ignore[attr-defined]
    waited = [k for k, ev in events.items() if any(isinstance(e, RunWaiting) for e in ev)]
    assert len(waited) == 1  # one waited for the other, with a message
    assert _manifest_ids(project) == {"2025/1480/ok_profile": "ok", "2025/1481/ok_profile": "ok"}
    index = (project / "outputs" / "index.html").read_text(encoding="utf-8")
    assert "2025/1480/ok_profile.html" in index and "2025/1481/ok_profile.html" in index
