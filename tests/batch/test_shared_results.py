"""The batch's shared results (fou.reports.shared): the same reports with and without them."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from support import REPO

from fou.batch import load_batch, plan_jobs, run_jobs
from fou.data.dataset import load_dataset
from fou.reports.display import TABLE_MIME

NOTEBOOKS = ("municipality_profile", "associations", "person_centred")


def _outputs(outputs: Path, rel: str) -> tuple[list[dict], list[str]]:
    """The tables (machine-readable copies) and every HTML output, figures included."""
    nb = nbformat.read(outputs / rel, as_version=4)
    tables, html = [], []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if TABLE_MIME in data:
                tables.append(data[TABLE_MIME])
            if "text/html" in data:
                html.append(str(data["text/html"]))
    return tables, html


@pytest.mark.slow
def test_reports_are_the_same_with_and_without_shared_results(project: Path) -> None:
    batch_file = project / "parameters" / "b.yaml"
    batch_file.write_text(
        f"notebooks: [{', '.join(NOTEBOOKS)}]\nmunicipalities: ['1480', '1440']\n",
        encoding="utf-8",
    )
    batch = load_batch(batch_file, notebooks_dir=REPO / "notebooks")
    jobs = plan_jobs(batch, dataset=load_dataset("demo"))
    outputs = project / "outputs"

    plain = run_jobs(jobs, workers=2, root=project, export=False, share_results=False)
    assert plain.ok, plain.failed
    assert not (outputs / ".cache").exists()
    without = {j.id: _outputs(outputs, str(j.outputs.ipynb)) for j in jobs}

    cached = run_jobs(jobs, workers=2, root=project, export=False, force=True)
    assert cached.ok, cached.failed
    entries = list((outputs / ".cache").rglob("*.pkl"))
    assert entries, "the batch wrote no shared results"
    for job in jobs:
        tables, html = _outputs(outputs, str(job.outputs.ipynb))
        old_tables, old_html = without[job.id]
        assert json.dumps(tables, sort_keys=True) == json.dumps(old_tables, sort_keys=True), job.id
        assert len(tables) > 0
        assert html == old_html, job.id  # text, numbers and figures alike
