"""Batch runner: YAML validation, job planning, parallel papermill runs, manifest, index.

Uses the tiny notebooks in tests/notebooks (the real ones only for the emulator run)
and demo data in a private project root.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fou.batch.run import load_batch, notebook_parameters, plan_jobs, run_jobs
from fou.core.errors import ParameterError

TEST_NBS = Path(__file__).resolve().parent / "notebooks"
REPO = Path(__file__).resolve().parent.parent
YEARS = range(2014, 2026)


def _batch(project: Path, text: str, name: str = "b.yaml") -> Path:
    path = project / "parameters" / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(project: Path, text: str):
    return load_batch(_batch(project, text), notebooks_dir=TEST_NBS)


# --------------------------------------------------------------------------- validation (fast)


def test_notebook_parameters_parsed_with_ast():
    assert notebook_parameters(TEST_NBS / "ok_profile.ipynb") == {
        "kommun": "'1480'", "ar": "None", "jamforelse": "'gr'", "datakalla": "'auto'",
    }  # fmt: skip
    assert set(notebook_parameters(TEST_NBS / "regional.ipynb")) == {"ar", "datakalla"}


def test_ids_stay_strings_and_names_resolve(project):
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['0114', Mölndal, '1480']\nyears: [2024, 2025]\n")
    assert b.municipalities == ("0114", "1481", "1480")
    jobs = plan_jobs(b, dataset_years=YEARS)
    assert [j.id for j in jobs][:2] == ["2024/0114/ok_profile", "2024/1481/ok_profile"]
    assert jobs[0].parameters == {"kommun": "0114", "ar": 2024}
    assert isinstance(jobs[0].parameters["kommun"], str)


def test_gr_and_latest(project):
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: gr\nyears: latest\nregional: [regional]\n")
    jobs = plan_jobs(b, dataset_years=YEARS, source="demo")
    assert len(jobs) == 14 and jobs[0].id == "2025/gr/regional"
    assert jobs[0].parameters == {"ar": 2025, "datakalla": "demo"}
    # a municipality filter leaves the regional notebook out
    only = plan_jobs(b, dataset_years=YEARS, municipalities=["Göteborg"])
    assert [j.id for j in only] == ["2025/1480/ok_profile"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("notebooks: [ok_profile]\nmunicipalities: [0114]\n", "citattecken"),
        ("notebooks: [ok_profile]\nmunicipalities: [114]\n", "'114'"),
        ("notebooks: [ok_profile]\nmunicipalities: [1480]\n", "'1480'"),
        ("notebooks: [ok_profile]\nmunicipalities: [Atlantis]\n", "okänd kommun"),
        ("notebooks: [ok_profile]\nmunicipality: gr\n", "okänd nyckel 'municipality'"),
        ("notebooks: [no_such_notebook]\n", "okänd notebook 'no_such_notebook'"),
        ("notebooks: [ok_profile]\nyears: senaste\n", "'years'"),
    ],
)
def test_bad_batch_files(project, text, needle):
    with pytest.raises(ParameterError) as exc:
        _load(project, text)
    msg = str(exc.value)
    assert needle in msg
    assert "b.yaml" in msg


def test_int_id_error_explains_quoting(project):
    with pytest.raises(ParameterError, match=r"rad 2.*'114'"):
        _load(project, "notebooks: [ok_profile]\nmunicipalities: [114]\n")


def test_unknown_parameter_is_an_error(project):
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\nparameters: {jamforelse: riket, kommunn: x}\n")
    with pytest.raises(ParameterError, match="okänd parameter 'kommunn'"):
        plan_jobs(b, dataset_years=YEARS)


def test_municipality_notebook_without_kommun_is_an_error(project):
    b = _load(project, "notebooks: [regional]\nmunicipalities: ['1480']\n")
    with pytest.raises(ParameterError, match="kommun"):
        plan_jobs(b, dataset_years=YEARS)


def test_unknown_year_and_notebook_filter(project):
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    with pytest.raises(ParameterError, match="1999"):
        plan_jobs(b, dataset_years=YEARS, years=[1999])
    with pytest.raises(ParameterError, match="--notebook"):
        plan_jobs(b, dataset_years=YEARS, notebooks=["raises"])


# --------------------------------------------------------------------------- running notebooks (slow)


@pytest.mark.slow
def test_full_pipeline_two_municipalities(project):
    pypdf = pytest.importorskip("pypdf")
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480', Mölndal]\nregional: [regional]\n")
    jobs = plan_jobs(b, dataset_years=YEARS, source="demo")
    res = run_jobs(jobs, workers=2, root=project, source="demo", progress=False, cell_timeout=120)
    assert res.ok, res.failed
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
    assert index.index("regionala rapporter") < index.index("Göteborg (1480)")
    assert index.index("regionala rapporter") < index.index("Mölndal")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {j["status"] for j in manifest["jobs"]} == {"ok"}
    assert all(j["input_hash"] and j["duration_s"] > 0 for j in manifest["jobs"])
    assert not (out / ".work").exists()

    # unchanged inputs → skipped; --force → re-run
    again = run_jobs(jobs, workers=2, root=project, source="demo", progress=False)
    assert [e["status"] for e in again.entries] == ["skipped"] * 3
    forced = run_jobs(jobs[:1], workers=1, root=project, source="demo", progress=False, force=True)
    assert forced.entries[0]["status"] == "ok"
    # a changed notebook invalidates only its own jobs
    nb_dir = project / "nbs"
    shutil.copytree(TEST_NBS, nb_dir)
    text = (nb_dir / "regional.ipynb").read_text(encoding="utf-8").replace("Regional testrapport", "Regional rapport v2")
    (nb_dir / "regional.ipynb").write_text(text, encoding="utf-8")
    b2 = load_batch(_batch(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\nregional: [regional]\n"), notebooks_dir=nb_dir)
    changed = run_jobs(plan_jobs(b2, dataset_years=YEARS, source="demo"), workers=2, root=project, source="demo", progress=False)
    assert {e["id"]: e["status"] for e in changed.entries} == {"2025/gr/regional": "ok", "2025/1480/ok_profile": "skipped"}


@pytest.mark.slow
def test_fault_isolation(project):
    b = _load(project, "notebooks: [ok_profile, raises, sleeps]\nmunicipalities: ['1480']\n")
    jobs = plan_jobs(b, dataset_years=YEARS, source="demo")
    res = run_jobs(jobs, workers=2, root=project, source="demo", progress=False, cell_timeout=3, export=False)
    status = {e["notebook"]: e for e in res.entries}
    assert status["ok_profile"]["status"] == "ok"
    assert status["raises"]["status"] == "failed" and "avsiktligt fel för 1480" in status["raises"]["error"]
    assert status["sleeps"]["status"] == "timeout" and "Tidsgränsen" in status["sleeps"]["error"]
    assert not res.ok and len(res.failed) == 2
    out = project / "outputs" / "2025" / "1480"
    assert (out / "ok_profile.ipynb").exists() and not (out / "ok_profile.html").exists()
    failed_nb = (out / "raises.failed.ipynb").read_text(encoding="utf-8")
    assert "RuntimeError" in failed_nb and "Traceback" in failed_nb or "avsiktligt fel" in failed_nb
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
    args = ["run", str(path), "--notebooks-dir", str(TEST_NBS), "--source", "demo", "--workers", "2", "--no-export"]
    res = runner.invoke(app, args)
    assert res.exit_code == 1, res.output
    assert "misslyckade" in res.output
    res = runner.invoke(app, [*args, "--notebook", "ok_profile"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, [*args, "--notebook", "ok_profile", "--force", "--fresh-kernel"])
    assert res.exit_code == 0 and "1 klara" in res.output, res.output
    bad = _batch(project, "notebooks: [ok_profile]\nmunicipalities: [114]\n", "bad.yaml")
    res = runner.invoke(app, ["run", str(bad), "--notebooks-dir", str(TEST_NBS), "--source", "demo"])
    assert res.exit_code == 2
    res = runner.invoke(app, [*args, "--municipality", "Atlantis"])
    assert res.exit_code == 2


@pytest.mark.slow
def test_dask_cluster(project):
    distributed = pytest.importorskip("distributed")
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480', '1481']\n")
    jobs = plan_jobs(b, dataset_years=YEARS, source="demo")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        res = run_jobs(jobs, scheduler=cluster.scheduler_address, root=project, source="demo", progress=False)
    assert res.ok, res.failed
    for mid in ("1480", "1481"):
        assert (project / "outputs" / "2025" / mid / "ok_profile.pdf").exists()


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.xdist_group("kolada-emulator")
def test_real_data_from_the_emulator(project):
    """Fetch real values from the Kolada emulator, then run the real profile notebook on them."""
    from conftest import run_emulator

    from fou.data.fetch import fetch_to_project
    from fou.core.registry import GR_MUNICIPALITIES

    with run_emulator() as url:
        fetch_to_project(base_url=url, years=(2019, 2022), municipalities=[*GR_MUNICIPALITIES, "0000"],
                         root=project, progress=False, max_rate=50)  # fmt: skip
    batch = load_batch(_batch(project, "notebooks: [municipality_profile]\nmunicipalities: ['1440']\n"),
                       notebooks_dir=REPO / "notebooks")  # fmt: skip
    jobs = plan_jobs(batch, dataset_years=[2019, 2020, 2021, 2022], years=[2022], source="kolada")
    res = run_jobs(jobs, workers=1, root=project, source="kolada", progress=False, cell_timeout=300)
    assert res.ok, res.failed
    html = (project / "outputs" / "2022" / "1440" / "municipality_profile.html").read_text(encoding="utf-8")
    assert "Källa: Kolada" in html and "Ale" in html and "DEMODATA" not in html


def test_longest_jobs_start_first():
    from fou.batch.run import longest_first

    ids = ("2025/1480/a", "2025/1480/b", "2025/1481/a", "2025/1481/c")
    specs = {jid: {"notebook": jid.split("/")[-1]} for jid in ids}
    previous = {
        "2025/1480/a": {"notebook": "a", "status": "ok", "duration_s": 2.0},
        "2025/1480/b": {"notebook": "b", "status": "ok", "duration_s": 9.0},
        "2025/1482/a": {"notebook": "a", "status": "ok", "duration_s": 4.0},
        "2025/1483/c": {"notebook": "c", "status": "failed", "duration_s": 50.0},
    }
    order = list(longest_first(specs, previous))
    # b: own 9 s; 1481/a: mean of notebook a (3 s); 1480/a: own 2 s; c: no usable history.
    assert order == ["2025/1480/b", "2025/1481/a", "2025/1480/a", "2025/1481/c"]
    assert list(longest_first(specs, {})) == list(specs), "without history the planned order is kept"


@pytest.mark.slow
def test_a_job_that_kills_its_kernel_fails_alone(project):
    """One worker, three jobs: the kernel dies in the second; the third gets a new kernel."""
    nbs = project / "nbs"
    nbs.mkdir()
    shutil.copy(TEST_NBS / "ok_profile.ipynb", nbs / "ok_profile.ipynb")
    shutil.copy(TEST_NBS / "ok_profile.ipynb", nbs / "ok_again.ipynb")
    dies = json.loads((TEST_NBS / "raises.ipynb").read_text(encoding="utf-8"))
    dies["cells"][-1]["source"] = ["import os\n", "os._exit(7)"]
    (nbs / "dies.ipynb").write_text(json.dumps(dies), encoding="utf-8")
    path = _batch(project, "notebooks: [ok_profile, dies, ok_again]\nmunicipalities: ['1480']\n")
    b = load_batch(path, notebooks_dir=nbs)
    jobs = plan_jobs(b, dataset_years=YEARS, source="demo")
    res = run_jobs(jobs, workers=1, root=project, source="demo", progress=False, export=False, cell_timeout=60)
    status = {e["notebook"]: e["status"] for e in res.entries}
    assert status == {"ok_profile": "ok", "dies": "failed", "ok_again": "ok"}, res.entries
    assert (project / "outputs" / "2025" / "1480" / "dies.failed.ipynb").exists()
