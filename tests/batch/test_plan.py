"""Planning (fou.batch.plan): one typed job per report, its parameters derived from its fields."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from support import TEST_NOTEBOOKS, tiny_dataset

from fou.batch import notebooks as nbs
from fou.batch.plan import Job, check_job, plan_jobs
from fou.batch.spec import load_batch
from fou.core.errors import ParameterError

DATA = tiny_dataset()


def _load(project: Path, text: str):
    path = project / "parameters" / "b.yaml"
    path.write_text(text, encoding="utf-8")
    return load_batch(path, notebooks_dir=TEST_NOTEBOOKS)


def test_notebook_parameters_parsed_with_ast():
    assert nbs.parameters(TEST_NOTEBOOKS / "ok_profile.ipynb") == {
        "kommun": "'1480'", "ar": "None", "jamforelse": "'gr'", "datakalla": "'auto'",
    }  # fmt: skip
    assert set(nbs.parameters(TEST_NOTEBOOKS / "regional.ipynb")) == {"ar", "datakalla"}


def test_jobs_carry_their_facts_and_derive_the_parameters(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['0114', Mölndal, '1480']\nyears: [2024, 2025]\n",
    )
    jobs = plan_jobs(b, dataset=DATA)
    assert [j.id for j in jobs][:2] == ["2024/0114/ok_profile", "2024/1481/ok_profile"]
    job = jobs[0]
    assert (job.municipality_id, job.year, job.comparison, job.source) == (
        "0114",
        2024,
        "gr",
        "demo",
    )
    assert job.provenance == DATA.provenance
    assert job.parameters == {"kommun": "0114", "ar": 2024, "jamforelse": "gr", "datakalla": "demo"}
    assert str(job.outputs.html) == "2024/0114/ok_profile.html"


def test_latest_and_regional_jobs(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: gr\nyears: latest\nregional: [regional]\n",
    )
    jobs = plan_jobs(b, dataset=DATA)
    assert len(jobs) == 14 and jobs[0].id == "2025/gr/regional"
    assert jobs[0].parameters == {"ar": 2025, "datakalla": "demo"}  # regional declares no kommun
    only = plan_jobs(b, dataset=DATA, municipalities=["Göteborg"])
    assert [j.id for j in only] == ["2025/1480/ok_profile"]


def test_latest_is_the_last_year_with_values(project):
    ds = tiny_dataset(range(2014, 2026))
    ds.values.loc[ds.values["year"] == 2025, "value"] = float("nan")
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    assert [j.year for j in plan_jobs(b, dataset=ds)] == [2024]


def test_comparison_from_the_batch_parameters(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['1480']\nparameters: {jamforelse: riket}\n",
    )
    assert plan_jobs(b, dataset=DATA)[0].parameters["jamforelse"] == "riket"
    bad = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['1480']\nparameters: {jamforelse: norden}\n",
    )
    with pytest.raises(ParameterError, match="jamforelse måste vara ett av"):
        plan_jobs(bad, dataset=DATA)


def test_unknown_parameter_is_an_error(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['1480']\nparameters: {jamforelse: riket, kommunn: x}\n",
    )
    with pytest.raises(ParameterError, match="okänd parameter 'kommunn'"):
        plan_jobs(b, dataset=DATA)


def test_municipality_notebook_without_kommun_is_an_error(project):
    b = _load(project, "notebooks: [regional]\nmunicipalities: ['1480']\n")
    with pytest.raises(ParameterError, match="saknar parametern 'kommun'"):
        plan_jobs(b, dataset=DATA)


def test_unknown_year_and_notebook_filter(project):
    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    with pytest.raises(ParameterError, match="1999"):
        plan_jobs(b, dataset=DATA, years=[1999])
    with pytest.raises(ParameterError, match="--notebook"):
        plan_jobs(b, dataset=DATA, notebooks=["raises"])
    with pytest.raises(ParameterError, match="region eller riket"):
        plan_jobs(b, dataset=DATA, municipalities=["0000"])


def _job(**changes) -> Job:
    base = Job(
        notebook="ok_profile", notebook_path=TEST_NOTEBOOKS / "ok_profile.ipynb",
        municipality_id="1480", year=2025, comparison="gr", provenance=DATA.provenance,
    )  # fmt: skip
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"municipality_id": "../../../../etc"}, "ingen kommunkod"),
        ({"municipality_id": 1480}, "ingen kommunkod"),
        ({"notebook": "../evil"}, "inte ett notebooknamn"),
        ({"extra": {"x = 1\nimport os; os.system('touch PWNED')\ny": 1}}, "inte ett parameternamn"),
        ({"extra": {"okand": 1}}, "okänd parameter 'okand'"),
        ({"extra": {"datakalla": "demo"}}, "bestäms av jobbets egna fält"),
        ({"year": "2025"}, "årtal"),
    ],
)
def test_jobs_made_by_hand_are_checked(changes, needle):
    with pytest.raises(ParameterError, match=needle):
        check_job(_job(**changes))


def test_a_checked_job_passes():
    assert check_job(_job()).id == "2025/1480/ok_profile"


def test_a_batch_made_in_python_is_checked_like_a_file(project):
    from dataclasses import replace

    batch = _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n")
    with pytest.raises(ParameterError, match="ingen kommunkod"):
        plan_jobs(replace(batch, municipalities=("../../../../etc",)), dataset=DATA)
    with pytest.raises(ParameterError, match="inte ett notebooknamn"):
        plan_jobs(replace(batch, notebooks=("/tmp/evil",)), dataset=DATA)


def test_a_job_grouped_by_another_view_writes_beside_the_default():
    assert _job(extra={"vy": "nara_vard"}).id == "2025/1480/ok_profile"
    far = _job(extra={"vy": "fardplan"})
    assert far.id == "2025/1480/ok_profile_fardplan"
    assert far.outputs.file(".html").as_posix() == "2025/1480/ok_profile_fardplan.html"


def test_a_job_with_another_comparison_writes_beside_the_default():
    compares = ("kommun", "ar", "jamforelse")
    assert _job(declared=compares).stem == "ok_profile"
    similar = _job(declared=compares, comparison="liknande")
    assert similar.outputs.html.as_posix() == "2025/1480/ok_profile_jfr_liknande.html"
    both = _job(declared=compares, comparison="G33901", extra={"vy": "fardplan"})
    assert both.id == "2025/1480/ok_profile_fardplan_jfr_G33901"
    # a notebook without the parameter makes the same report whatever the comparison
    assert _job(declared=("kommun", "ar"), comparison="liknande").stem == "ok_profile"


def test_a_batch_with_another_comparison_keeps_the_default_reports(project):
    default = plan_jobs(_load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n"),
                        dataset=DATA)  # fmt: skip
    other = plan_jobs(
        _load(project, "notebooks: [ok_profile]\nmunicipalities: ['1480']\n"
                       "parameters: {jamforelse: riket}\n"),
        dataset=DATA,
    )  # fmt: skip
    assert [j.comparison for j in other] == ["riket"] * len(other)
    assert not {j.outputs.html for j in default} & {j.outputs.html for j in other}


def test_profiles_run_once_each_as_follow_up_jobs(project):
    import shutil

    from support import REPO

    shutil.copytree(REPO / "parameters" / "profiles", project / "parameters" / "profiles")
    shutil.copy(REPO / "notebooks" / "uppfoljning.ipynb", project / "uppfoljning.ipynb")
    path = project / "parameters" / "b.yaml"
    path.write_text("profiles: all\n", encoding="utf-8")
    from fou.batch.spec import load_batch

    b = load_batch(path, notebooks_dir=project)
    assert b.profiles == ("tjorn_aldreomsorg", "tjorn_funktionshinder")
    jobs = plan_jobs(b, dataset=DATA)
    assert [j.id for j in jobs] == [
        "2025/1419/uppfoljning_tjorn_aldreomsorg", "2025/1419/uppfoljning_tjorn_funktionshinder"]  # fmt: skip
    assert jobs[0].parameters == {"profil": "tjorn_aldreomsorg", "ar": 2025, "datakalla": "demo"}
    assert plan_jobs(b, dataset=DATA, municipalities=["Ale"]) == []
