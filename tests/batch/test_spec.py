"""Batch files (fou.batch.spec): what is accepted, and the messages for what is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO, TEST_NOTEBOOKS

from fou.batch.spec import load_batch
from fou.core.errors import ParameterError


def _write(project: Path, text: str, name: str = "b.yaml") -> Path:
    path = project / "parameters" / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(project: Path, text: str):
    return load_batch(_write(project, text), notebooks_dir=TEST_NOTEBOOKS)


def test_ids_stay_strings_and_names_resolve(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nmunicipalities: ['0114', Mölndal, '1480']\nyears: [2025, 2024]\n",
    )
    assert b.municipalities == ("0114", "1481", "1480")
    assert b.years == (2024, 2025)
    assert b.notebooks == ("ok_profile",) and b.regional == ()


def test_gr_latest_and_regional(project):
    b = _load(project, "notebooks: ok_profile.ipynb\nregional: [regional]\n")
    assert len(b.municipalities) == 13 and b.years == "latest"
    assert b.notebooks == ("ok_profile",) and b.regional == ("regional",)


def test_riket_is_every_municipality_and_the_riket_batch_plans_290_profiles(project):
    from fou.batch import plan_jobs
    from fou.data.dataset import load_dataset

    b = _load(project, "notebooks: [ok_profile]\nmunicipalities: riket\n")
    assert (
        len(b.municipalities) == 290 and "0114" in b.municipalities and "2584" in b.municipalities
    )
    assert not any(m.startswith("00") for m in b.municipalities)  # no regions, no Riket
    riket = load_batch(REPO / "parameters" / "riket.yaml", notebooks_dir=REPO / "notebooks")
    jobs = plan_jobs(riket, dataset=load_dataset("demo"))
    assert len(jobs) == 290 and {j.notebook for j in jobs} == {"municipality_profile"}


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("notebooks: [ok_profile]\nmunicipalities: [0114]\n", ["rad 2", "som 76", "'0114'"]),
        ("notebooks: [ok_profile]\nmunicipalities: [114]\n", ["rad 2", "'0114'"]),
        ("notebooks: [ok_profile]\nmunicipalities: [1480]\n", ["rad 2", "'1480'"]),
        ("notebooks: [ok_profile]\nmunicipalities: [Atlantis]\n", ["okänd kommun"]),
        ("notebooks: [ok_profile]\nmunicipality: gr\n", ["rad 2", "okänd nyckel 'municipality'"]),
        ("notebooks: [no_such_notebook]\n", ["okänd notebook 'no_such_notebook'"]),
        ("notebooks: [ok_profile]\nyears: senaste\n", ["'years'", "'latest'"]),
        ("notebooks: [ok_profile]\nparameters: {ar: 2020}\n", ["'ar' sätts av körningen"]),
        (
            "notebooks: [ok_profile]\nparameters: {datakalla: demo}\n",
            ["'datakalla' sätts av körningen"],
        ),
        ("notebooks: [ok_profile]\nnotebooks: [raises]\n", ["rad 1 och rad 2", "'notebooks'"]),
        ("notebooks: [ok_profile\n", ["rad 2"]),
    ],
)
def test_bad_batch_files_name_file_line_and_key(project, text, needles):
    with pytest.raises(ParameterError) as exc:
        _load(project, text)
    msg = str(exc.value)
    assert "b.yaml" in msg
    for needle in needles:
        assert needle in msg, msg


@pytest.mark.parametrize(
    "name", ["/tmp/evil", "../fixtures/notebooks/ok_profile", "a/b", "a\\b", ".."]
)
def test_a_notebook_name_is_never_a_path(project, name):
    with pytest.raises(ParameterError, match="inte ett notebooknamn"):
        _load(project, f"notebooks: ['{name}']\n")


def test_file_problems_are_messages(project, tmp_path):
    with pytest.raises(ParameterError, match="finns inte"):
        load_batch(tmp_path / "saknas.yaml")
    with pytest.raises(ParameterError, match="är en mapp"):
        load_batch(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("notebooks: [ok_profile]\nmunicipalities: [Mölndal]\n".encode("latin-1"))
    with pytest.raises(ParameterError, match=r"rad 2.*UTF-8"):
        load_batch(latin1, notebooks_dir=TEST_NOTEBOOKS)


def test_slides_and_view_are_checked_and_normalised(project):
    b = _load(
        project,
        "notebooks: [ok_profile]\nslides: [nara_vard, Färdplan]\nparameters: {vy: färdplan}\n",
    )
    assert b.slides == ("nara_vard", "fardplan")
    assert b.parameters == {"vy": "fardplan"}
    assert _load(project, "notebooks: [ok_profile]\n").slides == ()


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("notebooks: [ok_profile]\nslides: [strategi]\n", ["rad 2", "'slides'", "'fardplan'"]),
        ("notebooks: [ok_profile]\nslides: {a: 1}\n", ["'slides'", "lista med vyer"]),
        ("notebooks: [ok_profile]\nparameters: {vy: x}\n", ["'parameters'", "vy måste vara"]),
    ],
)
def test_bad_slides_and_view(project, text, needles):
    with pytest.raises(ParameterError) as exc:
        _load(project, text)
    for needle in needles:
        assert needle in str(exc.value), str(exc.value)
