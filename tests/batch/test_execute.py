"""What a batch worker process loads: the export, not the notebooks' data and plotting stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import TEST_NOTEBOOKS

#: Imported by the notebooks' kernel, never by the worker that runs and exports a job.
KERNEL_ONLY = ("pandas", "matplotlib", "scipy", "seaborn", "statsmodels", "pandera", "pydantic")


def _modules_after(code: str) -> set[str]:
    """Top-level modules a fresh interpreter has loaded after running *code*."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_worker_loads_no_kernel_stack_to_run_and_export_a_job():
    loaded = _modules_after(
        "from fou.batch.execute import execute_job, RunSettings\n"
        "from fou.batch.plan import Job\n"
        "from fou.reports.export import ReportMeta, notebook_to_html, html_to_pdf, workbook_for\n"
        "from fou.reports.export import report_facts"
    )
    assert "fou" in loaded
    assert not loaded & set(KERNEL_ONLY), sorted(loaded & set(KERNEL_ONLY))


def test_the_notebook_api_still_loads_on_first_use():
    loaded = _modules_after("from fou.reports import open_report, show, Table\nimport fou.reports")
    assert {"matplotlib", "pandas"} <= loaded
    from fou import reports
    from fou.reports.context import open_report

    assert reports.open_report is open_report
    assert "open_report" in dir(reports)


#: Runs one job with HTML, PDF and Excel in a fresh interpreter, as a worker does.
RUN_ONE_JOB = """
import json, sys, uuid
from pathlib import Path
from fou.batch.execute import RunSettings, execute_job
from fou.batch.plan import Job
from fou.data.provenance import Provenance

root, notebook = Path(sys.argv[1]), Path(sys.argv[2])
job = Job(notebook.stem, notebook, "1480", 2025, "liknande",
          Provenance("demo", "demo", "2026-01-01T00:00:00+00:00"),
          declared=("kommun", "ar", "jamforelse", "datakalla"))
key = uuid.uuid4().hex
settings = RunSettings(outputs=root / "outputs", root=root, work=root / "outputs" / ".work" / key,
                       run_key=key, generated_at="2026-01-01T00:00:00")
result = execute_job(job, settings)
import os
from fou.batch.execute import KERNEL_ENVIRONMENT
print(json.dumps({"status": result.status, "error": result.error, "outputs": result.outputs,
                  "loaded": sorted({m.split(".")[0] for m in sys.modules}),
                  "kernel_env": {k: os.environ.get(k) for k in KERNEL_ENVIRONMENT}}))
"""


@pytest.mark.slow
def test_a_worker_runs_and_exports_a_job_without_the_kernel_stack(project: Path):
    out = subprocess.run(
        [sys.executable, "-c", RUN_ONE_JOB, str(project), str(TEST_NOTEBOOKS / "ok_profile.ipynb")],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    done = json.loads(out.stdout.strip().splitlines()[-1])
    assert done["status"] == "ok", done["error"]
    assert {Path(o).suffix for o in done["outputs"]} == {".ipynb", ".html", ".pdf", ".xlsx"}
    # the header names the municipality and the comparison: looked up without pandas
    html = (project / "outputs" / "2025" / "1480" / "ok_profile_jfr_liknande.html").read_text(
        "utf-8"
    )
    assert "Göteborg" in html and "Liknande kommuner äldreomsorg" in html
    assert not set(done["loaded"]) & set(KERNEL_ONLY), sorted(
        set(done["loaded"]) & set(KERNEL_ONLY)
    )
