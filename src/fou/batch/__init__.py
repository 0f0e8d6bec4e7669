"""Batch runs of the parameterised notebooks: plan, execute, schedule, record.

* :mod:`~fou.batch.spec` reads a batch file (``parameters/gr.yaml``);
* :mod:`~fou.batch.plan` expands it, with the data set in use, into typed
  :class:`~fou.batch.plan.Job` s;
* :mod:`~fou.batch.schedule` runs them (worker processes or Dask), skipping
  the unchanged ones, and reports progress as :mod:`~fou.batch.events`;
* :mod:`~fou.batch.execute` runs one job (papermill, then HTML/PDF export);
* :mod:`~fou.batch.manifest` records every job in ``outputs/manifest.json``;
* :mod:`~fou.batch.warm_kernel` and :mod:`~fou.batch.kernel_prelude` keep one
  reused kernel per worker.

::

    from fou.batch import load_batch, plan_jobs, run_jobs
    jobs = plan_jobs(load_batch("parameters/gr.yaml"), dataset=load_dataset())
    result = run_jobs(jobs)

The names above load on first use (as in :mod:`fou`): a worker process that
only runs :func:`fou.batch.execute.execute_job` never imports the planner's
data stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fou.core.lazy import lazy_exports

if TYPE_CHECKING:
    from fou.batch.events import RunResult
    from fou.batch.manifest import Entry, Manifest, read_manifest
    from fou.batch.plan import Job, plan_jobs
    from fou.batch.schedule import run_jobs
    from fou.batch.spec import Batch, load_batch

_EXPORTS: dict[str, tuple[str, ...]] = {
    "fou.batch.events": ("RunResult",),
    "fou.batch.manifest": ("Entry", "Manifest", "read_manifest"),
    "fou.batch.plan": ("Job", "plan_jobs"),
    "fou.batch.schedule": ("run_jobs",),
    "fou.batch.spec": ("Batch", "load_batch"),
}
__getattr__, __dir__, _PUBLIC = lazy_exports("fou.batch", _EXPORTS, globals())

__all__ = [
    "Batch", "Entry", "Job", "Manifest", "RunResult", "load_batch", "plan_jobs", "read_manifest",
    "run_jobs",
]  # fmt: skip
