"""What a batch worker process loads: the export, not the notebooks' data and plotting stack."""

from __future__ import annotations

import json
import subprocess
import sys

#: Imported by the notebooks' kernel, never by the worker that runs and exports a job.
KERNEL_ONLY = ("matplotlib", "scipy", "seaborn", "statsmodels", "pandera", "pydantic")


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
