"""Running one job: papermill in a private folder, then the reviewer HTML and PDF, put in place.

:func:`execute_job` runs in a worker process (or on a Dask worker) and never
raises: every failure becomes a :class:`JobResult` with a Swedish error, and
the executed notebook of a failed job is kept as ``<notebook>.failed.ipynb``
for inspection. Nothing is written into ``outputs/`` until the job is
complete, and then atomically, so a killed run leaves no half report.

After the notebook has run, the facts its report header recorded (the year
and the data it actually used, see :class:`fou.reports.context.Header`) are
checked against the job: a report about another year than planned is a
failure, and the provenance printed in the report is the one the notebook
used.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fou.batch import notebooks as nbs
from fou.batch.kernel_prelude import release_memory, trim_heap
from fou.batch.plan import Job
from fou.core.atomic import write_bytes, write_text
from fou.core.paths import SHARED_CACHE_ENV
from fou.data.provenance import Provenance

#: The project's Jupyter kernel.
KERNEL_NAME = "fou"


#: Memory settings of the kernels a worker starts (a setting already in the
#: environment wins).
#:
#: ``ARROW_DEFAULT_MEMORY_POOL=system``: Arrow buffers (the str columns) come
#: from malloc, which hands memory back between jobs, not from Arrow's own
#: pool, which keeps it.
#:
#: ``MALLOC_MMAP_THRESHOLD_``: glibc serves blocks of 1 MiB and more (a
#: column of the values table is 4 MiB) from their own mapping and returns
#: them to the system when freed. Left to itself, glibc raises this threshold
#: after the first large block is freed and serves later ones from the heap,
#: whose freed pages stay with the process: a data-quality job's checks then
#: leave their temporaries in the kernel's resident memory. Measured with the
#: batch's kernels: about 20–40 MiB lower peaks, at no measurable cost in time.
KERNEL_ENVIRONMENT: dict[str, str] = {
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    "MALLOC_MMAP_THRESHOLD_": str(1 << 20),
}


@dataclass(frozen=True)
class RunSettings:
    """How the jobs of one run are executed (the same for every job).

    Attributes
    ----------
    outputs
        The ``outputs/`` folder.
    root
        The project root (``FOU_HOME`` of the kernels).
    work
        This run's own working folder (``outputs/.work/<run>``).
    run_key
        Identifies the run (a warm kernel never serves two runs).
    generated_at
        ISO time printed in every report of the run.
    cell_timeout
        Seconds a single cell may run.
    export
        Write HTML and PDF as well as the executed notebook.
    kernel_name
        The Jupyter kernel.
    reuse_kernel
        Run job after job in one kernel per worker (:mod:`fou.batch.warm_kernel`).
    shared_cache
        Folder of the results the jobs share (:mod:`fou.reports.shared`); None: no sharing.
    """

    outputs: Path
    root: Path
    work: Path
    run_key: str
    generated_at: str
    cell_timeout: float = 600
    export: bool = True
    kernel_name: str = KERNEL_NAME
    reuse_kernel: bool = True
    shared_cache: Path | None = None


@dataclass(frozen=True)
class JobResult:
    """What happened to one job.

    Attributes
    ----------
    status
        ``ok``, ``failed`` or ``timeout``.
    duration_s
        Seconds it took.
    outputs
        Files written, relative to ``outputs/``.
    error
        Why it failed (Swedish), or None.
    provenance
        The data the notebook reported using (None when it did not say).
    """

    status: str
    duration_s: float = 0.0
    outputs: tuple[str, ...] = ()
    error: str | None = None
    provenance: Provenance | None = None


class JobMismatchError(RuntimeError):
    """The notebook's report is about something else than the job planned."""


def _is_timeout(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    if names & {"CellTimeoutError", "TimeoutError"}:
        return True
    return "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()


def _chain(exc: BaseException) -> list[BaseException]:
    out, seen = [], set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append(e)
        e = e.__cause__ or e.__context__
    return out


def short_error(exc: BaseException, *, timeout: float, status: str) -> str:
    """One Swedish line for the manifest and the index (no ANSI traceback)."""
    if status == "timeout":
        return f"Tidsgränsen överskreds: en cell körde längre än {timeout:g} s."
    ename = getattr(exc, "ename", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        return f"{ename}: {getattr(exc, 'evalue', '')}" + (f" (cell {cell})" if cell else "")
    return f"{type(exc).__name__}: {str(exc).strip()[:2000]}"


def _papermill(job: Job, settings: RunSettings, work: Path, executed: Path) -> None:
    """Execute the notebook with papermill, in this worker's warm kernel or a fresh one."""
    import papermill as pm

    warm = None
    if settings.reuse_kernel:
        from fou.batch.warm_kernel import kernel_for_this_thread

        warm = kernel_for_this_thread(settings.kernel_name)
        where: dict[str, Any] = warm.prepare(work, run_key=settings.run_key)
    else:
        from jupyter_client.manager import AsyncKernelManager

        from fou.batch.warm_kernel import INLINE_BACKEND, local_transport

        # papermill's fresh kernel inherits the environment: without the
        # inline backend plt.show() would produce no output at all.
        os.environ["MPLBACKEND"] = INLINE_BACKEND
        km = AsyncKernelManager(kernel_name=settings.kernel_name, **local_transport())
        where = {"cwd": str(work), "km": km}
    try:
        pm.execute_notebook(
            str(job.notebook_path.resolve()),
            str(executed),
            parameters=job.parameters,
            kernel_name=settings.kernel_name,
            execution_timeout=settings.cell_timeout,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            **where,
        )
    except BaseException:
        if warm is not None:
            warm.finish(ok=False)  # a timed-out or broken kernel is never reused
        raise
    if warm is not None:
        warm.finish(ok=True)


def _check_facts(job: Job, nb: Any) -> Provenance:
    """The provenance the notebook used; its year and municipality must be the job's."""
    from fou.reports.export import report_facts

    facts = report_facts(nb)
    if facts is None:
        return job.provenance
    if int(facts.get("year", job.year)) != job.year:
        raise JobMismatchError(
            f"Rapporten gäller år {facts.get('year')}, men jobbet planerades för {job.year}."
        )
    if facts.get("municipality_id") != job.municipality_id:
        raise JobMismatchError(
            f"Rapporten gäller kommun {facts.get('municipality_id')}, men jobbet planerades för "
            f"{job.municipality_id}."
        )
    prov = facts.get("provenance")
    return Provenance.from_dict(prov) if isinstance(prov, dict) else job.provenance


def _export(
    job: Job, settings: RunSettings, executed: Path, provenance: Provenance, work: Path
) -> dict[str, bytes]:
    """The HTML, PDF and Excel files of the executed notebook, by suffix."""
    import nbformat

    from fou.reports.export import ReportMeta, html_to_pdf, notebook_to_html, workbook_for

    nb = nbformat.read(str(executed), as_version=4)

    meta = ReportMeta(
        title=nbs.title(nb, job.notebook),
        notebook=job.notebook,
        municipality_id=job.municipality_id,
        year=job.year,
        parameters=job.parameters,
        provenance=provenance,
        generated_at=settings.generated_at,
    )
    workbook = workbook_for(nb, meta=meta)
    html = notebook_to_html(nb, meta=meta)
    del nb  # the regional report's notebook is about 15 MiB in memory
    # The HTML export leaves tens of MiB of freed heap behind, and the PDF's
    # layout (boxes that point at each other) is garbage only a collection
    # frees: the regional report's about 75 and 190 MiB. Handed back between
    # the steps, the next one does not pile on top of them.
    trim_heap()
    pdf = work / f"{job.notebook}.pdf"
    html_to_pdf(html, pdf)
    gc.collect()
    trim_heap()
    return {".html": html.encode("utf-8"), ".pdf": pdf.read_bytes(), ".xlsx": workbook}


def _keep_failed(
    job: Job, settings: RunSettings, executed: Path, status: str, error: str, exc: BaseException
) -> str:
    """Write the executed (or original) notebook with the error on top as ``.failed.ipynb``."""
    import nbformat

    src = executed if executed.exists() else job.notebook_path
    nb = nbformat.read(str(src), as_version=4)
    note = nbformat.v4.new_markdown_cell(
        f"**Körningen misslyckades** ({status}): {error}\n\n"
        f"```\n{traceback.format_exception_only(type(exc), exc)[-1][:4000]}\n```"
    )
    nb.cells.insert(0, note)
    rel = job.outputs.failed
    write_text(settings.outputs / rel, nbformat.writes(nb))
    return str(rel)


def execute_job(job: Job, settings: RunSettings) -> JobResult:
    """Run one job and put its files in place; never raises.

    Parameters
    ----------
    job
        From :func:`fou.batch.plan.plan_jobs`.
    settings
        The run's settings.

    Returns
    -------
    JobResult
    """
    import nbformat

    start = time.monotonic()
    os.environ["OMP_NUM_THREADS"] = "1"
    for name, value in KERNEL_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ["FOU_HOME"] = str(settings.root)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    if settings.shared_cache is not None:
        os.environ[SHARED_CACHE_ENV] = str(settings.shared_cache)
    else:
        os.environ.pop(SHARED_CACHE_ENV, None)
    work = settings.work / f"{job.year}_{job.unit}_{job.notebook}_{uuid.uuid4().hex[:8]}"
    executed = work / f"{job.notebook}.ipynb"

    def took() -> float:
        return round(time.monotonic() - start, 2)

    try:
        work.mkdir(parents=True, exist_ok=True)
        try:
            _papermill(job, settings, work, executed)
            provenance = _check_facts(job, nbformat.read(str(executed), as_version=4))
        except BaseException as exc:
            status = "timeout" if _is_timeout(exc) else "failed"
            error = short_error(exc, timeout=settings.cell_timeout, status=status)
            kept = _keep_failed(job, settings, executed, status, error, exc)
            return JobResult(status, took(), (kept,), error)
        exported = _export(job, settings, executed, provenance, work) if settings.export else {}
        files = {".ipynb": executed.read_bytes(), **exported}
        placed = []
        for suffix, data in files.items():
            rel = job.outputs.file(suffix)
            write_bytes(settings.outputs / rel, data)
            placed.append(str(rel))
        (settings.outputs / job.outputs.failed).unlink(missing_ok=True)
        return JobResult("ok", took(), tuple(placed), None, provenance)
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        return JobResult("failed", took(), (), error)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        # A long-lived worker would otherwise carry its largest export (the
        # regional report's PDF layout) into every later job.
        release_memory()
