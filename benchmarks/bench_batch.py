"""Benchmark of the batch runner (``make bench``).

In one run on the same machine, in a private temporary project root:

(a) the batch's notebooks for the 13 GR municipalities, one after another,
    with plain papermill and no export;
(b) ``fou run`` for the same jobs, including HTML, PDF and the index;
(c) ``fou run`` again with nothing changed (every job skipped).

Prints the times, the ratios b/a and c/b, the peak memory of the largest
worker process, and ends with one line ``b/a=<ratio> c/b=<ratio>``.
Targets (issue 4): b/a <= 0.5 on a 2-core machine, c/b <= 0.02.

    python benchmarks/bench_batch.py [--workers N] [--notebook NAME ...] [--municipalities N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _jobs(root: Path, notebooks: list[str] | None, n_municipalities: int):
    from fou.batch import load_batch, plan_jobs
    from fou.core.registry import GR_MUNICIPALITIES
    from fou.data.dataset import load_dataset

    ds = load_dataset("demo", root=root)
    batch = load_batch(REPO / "parameters" / "gr.yaml", notebooks_dir=REPO / "notebooks")
    jobs = plan_jobs(
        batch,
        dataset=ds,
        municipalities=list(GR_MUNICIPALITIES[:n_municipalities]),
        notebooks=notebooks,
    )
    return [j for j in jobs if j.municipality_id is not None]


def run_plain(jobs, work: Path) -> float:
    """(a): papermill, sequential, no export."""
    import papermill as pm

    start = time.perf_counter()
    for k, job in enumerate(jobs):
        pm.execute_notebook(
            str(job.notebook_path),
            str(work / f"{k}_{job.notebook}.ipynb"),
            parameters=job.parameters,
            kernel_name="fou",
            cwd=str(work),
            progress_bar=False,
        )
    return time.perf_counter() - start


def run_fou(jobs, root: Path, workers: int) -> tuple[float, dict[str, int]]:
    """(b)/(c): the workbench's runner with export and index."""
    from fou.batch import run_jobs

    start = time.perf_counter()
    result = run_jobs(jobs, workers=workers, root=root)
    return time.perf_counter() - start, result.counts()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--notebook", action="append", default=None)
    ap.add_argument("--municipalities", type=int, default=13)
    args = ap.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="fou-bench-"))
    os.environ["FOU_HOME"] = str(root)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        jobs = _jobs(root, args.notebook, args.municipalities)
        plain_dir = root / "plain"
        plain_dir.mkdir()
        print(f"{len(jobs)} jobb ({args.municipalities} kommuner), {args.workers} arbetare")
        a = run_plain(jobs, plain_dir)
        print(f"(a) papermill i följd, utan export: {a:8.1f} s")
        b, counts_b = run_fou(jobs, root, args.workers)
        print(f"(b) fou run med HTML, PDF och index: {b:8.1f} s  {counts_b}")
        c, counts_c = run_fou(jobs, root, args.workers)
        print(f"(c) fou run igen, inget ändrat:      {c:8.1f} s  {counts_c}")
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"största arbetsprocessens toppminne: {peak_mib:.0f} MiB")
        print(f"b/a={b / a:.3f} c/b={c / b:.4f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
