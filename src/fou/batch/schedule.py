"""Running many jobs: skip the unchanged, run the rest in parallel, record and index them.

:func:`run_jobs` is the batch's entry point. Jobs whose inputs are unchanged
since their last successful run are skipped; the others run in spawned worker
processes (or on a Dask cluster), longest first, each through
:func:`fou.batch.execute.execute_job`. A failing, hanging or crashing job
never stops the others. Progress reaches the caller as events
(:mod:`fou.batch.events`), never as console output.

Safe to run twice at once and to kill:

* a run holds a lock on ``outputs/`` (:func:`fou.core.locking.exclusive_lock`);
  a second run waits for it (with a :class:`~fou.batch.events.RunWaiting`
  event) and then skips what the first one made;
* each run works in its own folder ``outputs/.work/<run>``;
* every job is recorded in ``outputs/manifest.json`` the moment it finishes
  (atomically), so a run that is killed is resumed by the next one: finished
  jobs are skipped. ``outputs/index.html`` is written at the end.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import shutil
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from fou.batch.events import (
    EventHandler,
    JobFinished,
    RunFinished,
    RunNotice,
    RunResult,
    RunStarted,
    RunWaiting,
    ignore,
)
from fou.batch.execute import KERNEL_NAME, JobResult, RunSettings, execute_job
from fou.batch.manifest import (
    Entry,
    LocalInputs,
    Manifest,
    input_hash,
    load_manifest,
    write_manifest,
)
from fou.batch.plan import Job, check_job
from fou.core.errors import FouError, ParameterError
from fou.core.locking import LOCK_NAME, exclusive_lock
from fou.core.paths import SHARED_CACHE_DIR, paths
from fou.core.version import package_version

#: Folder under ``outputs/`` where runs keep their working folders.
WORK_DIR = ".work"


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def unchanged(entry: Entry, previous: Entry | None, outputs: Path, *, export: bool) -> bool:
    """True when the job ran before with the same inputs and its files are all still there."""
    return (
        previous is not None
        and previous.input_hash == entry.input_hash
        and previous.status in ("ok", "skipped")
        and bool(previous.outputs)
        and all((outputs / o).exists() for o in previous.outputs)
        and (not export or any(o.endswith(".html") for o in previous.outputs))
    )


def local_inputs(root: Path) -> LocalInputs | None:
    """What each job reads of the accepted local submissions (None if they cannot be read)."""
    from fou.core.catalog import load_catalog
    from fou.data.submissions import load_accepted

    try:
        local = load_accepted(paths(root).local)
    except (FouError, OSError, ValueError):
        return None  # the file names then decide, as planned
    return LocalInputs.from_values(local, load_catalog().all_ids)


def shared_cache_folder(outputs: Path, run_key: str) -> Path:
    """``outputs/.cache/<run>``: this run's shared results; earlier runs' folders are removed.

    One folder per run, because a local submission re-imported under the same
    file name changes the data without changing its name: results are shared
    between the jobs of one run only.
    """
    base = (outputs / SHARED_CACHE_DIR).resolve()
    if base.is_dir():
        for old in base.iterdir():
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return base / run_key


def longest_first(jobs: Sequence[Job], previous: Mapping[str, Entry]) -> list[Job]:
    """Order jobs so that the longest start first (fewer idle workers at the end).

    A job's expected duration is its own last duration in the manifest, else
    the mean last duration of the same notebook; jobs with no history keep
    their planned order, after those with one.
    """
    by_notebook: dict[str, list[float]] = {}
    for e in previous.values():
        if e.status == "ok" and e.duration_s:
            by_notebook.setdefault(e.notebook, []).append(float(e.duration_s))

    def expected(job: Job) -> float:
        old = previous.get(job.id)
        if old is not None and old.status == "ok" and old.duration_s:
            return float(old.duration_s)
        times = by_notebook.get(job.notebook)
        return sum(times) / len(times) if times else -1.0

    return sorted(jobs, key=expected, reverse=True)  # stable: ties keep the planned order


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    cell_timeout: float = 600,
    export: bool = True,
    root: Path | str | None = None,
    kernel_name: str = KERNEL_NAME,
    reuse_kernels: bool = True,
    share_results: bool = True,
    on_event: EventHandler = ignore,
) -> RunResult:
    """Execute jobs in parallel, export reports, write the manifest and the index.

    Parameters
    ----------
    jobs
        From :func:`fou.batch.plan.plan_jobs` (jobs made by hand are checked the same way).
    workers
        Worker processes for local runs (default: the number of cores).
    scheduler
        Dask scheduler address (``tcp://…``); jobs then run on that cluster.
    force
        Re-run jobs even when their inputs are unchanged.
    cell_timeout
        Seconds a single cell may run.
    export
        Also write HTML and PDF.
    root
        Project root (default :func:`fou.core.paths.project_root`).
    kernel_name
        Jupyter kernel to use.
    reuse_kernels
        Run job after job in one kernel per worker, reset between jobs
        (:mod:`fou.batch.warm_kernel`); False starts a fresh kernel for every job.
    share_results
        Compute what is the same for every municipality once and share it between
        the jobs (:mod:`fou.reports.shared`, in ``outputs/.cache``); False computes
        it in every job.
    on_event
        Called with :class:`~fou.batch.events.RunStarted`, one
        :class:`~fou.batch.events.JobFinished` per job and
        :class:`~fou.batch.events.RunFinished`.

    Returns
    -------
    RunResult
    """
    t0 = time.monotonic()
    p = paths(root)
    outputs = p.outputs
    outputs.mkdir(parents=True, exist_ok=True)
    jobs = [check_job(j) for j in jobs]
    if len({j.id for j in jobs}) != len(jobs):
        raise ParameterError("Samma jobb förekommer flera gånger i körningen.")
    waiting = lambda who: on_event(RunWaiting(holder=who))  # noqa: E731
    with exclusive_lock(outputs / LOCK_NAME, on_wait=waiting):
        result = _run_locked(
            jobs,
            p.root,
            outputs,
            workers=workers,
            scheduler=scheduler,
            force=force,
            cell_timeout=cell_timeout,
            export=export,
            kernel_name=kernel_name,
            reuse_kernels=reuse_kernels,
            share_results=share_results,
            on_event=on_event,
        )
    result = replace(result, duration_s=round(time.monotonic() - t0, 2))
    on_event(RunFinished(result=result))
    return result


def _run_locked(
    jobs: Sequence[Job],
    root: Path,
    outputs: Path,
    *,
    workers: int | None,
    scheduler: str | None,
    force: bool,
    cell_timeout: float,
    export: bool,
    kernel_name: str,
    reuse_kernels: bool,
    share_results: bool,
    on_event: EventHandler,
) -> RunResult:
    """The run itself, with ``outputs/`` locked: plan, execute, record job by job, index."""
    run_key = uuid.uuid4().hex
    settings = RunSettings(
        outputs=outputs.resolve(),
        root=root,
        work=(outputs / WORK_DIR / run_key).resolve(),
        run_key=run_key,
        generated_at=_now(),
        cell_timeout=cell_timeout,
        export=export,
        kernel_name=kernel_name,
        reuse_kernel=reuse_kernels,
        shared_cache=shared_cache_folder(outputs, run_key) if share_results else None,
    )
    manifest, problem = load_manifest(outputs)
    if problem:
        on_event(RunNotice(message=problem))
    previous = manifest.by_id()
    provenance = jobs[0].provenance if jobs else None
    run_fields = {
        "updated_at": settings.generated_at,
        "fou_version": package_version(),
        "provenance": provenance.to_dict() if provenance else manifest.provenance,
        "source_line": provenance.source_line() if provenance else manifest.source_line,
    }

    entries: dict[str, Entry] = {}
    to_run: list[Job] = []
    local = local_inputs(root) if any(j.provenance.local_files for j in jobs) else LocalInputs()
    for job in jobs:
        entry = Entry.planned(job, input_hash=input_hash(job, local))
        old = previous.get(job.id)
        if not force and old is not None and unchanged(entry, old, outputs, export=export):
            entries[job.id] = entry.with_result(
                status="skipped", outputs=old.outputs, finished_at=old.finished_at
            )
        else:
            entries[job.id] = entry
            to_run.append(job)
    on_event(RunStarted(total=len(jobs), to_run=len(to_run)))
    done = 0
    recorded = manifest

    def record(job: Job, res: JobResult) -> None:
        nonlocal done, recorded
        done += 1
        entry = entries[job.id].with_result(
            status=res.status,
            duration_s=res.duration_s,
            outputs=res.outputs,
            error=res.error,
            finished_at=_now(),
        )
        if res.provenance is not None:
            entry = replace(
                entry,
                snapshot_id=res.provenance.snapshot_id,
                source_line=res.provenance.source_line(),
                is_demo=res.provenance.is_demo,
            )
        entries[job.id] = entry
        # Recorded at once: a run killed after this job resumes after it.
        recorded = _write_entries(outputs, recorded, [entry], run_fields)
        on_event(JobFinished(entry=entry, done=done, to_run=len(to_run)))

    for job in jobs:
        if entries[job.id].status == "skipped":
            on_event(JobFinished(entry=entries[job.id], done=0, to_run=len(to_run)))
    ordered_jobs = longest_first(to_run, previous)
    try:
        if ordered_jobs:
            if scheduler:
                _run_dask(ordered_jobs, settings, scheduler, record)
            else:
                _run_local(ordered_jobs, settings, workers or os.cpu_count() or 1, record)
    finally:
        shutil.rmtree(settings.work, ignore_errors=True)

    ordered = tuple(entries[j.id] for j in jobs)
    recorded = _write_entries(outputs, recorded, ordered, run_fields)
    index_path: Path | None = None
    try:
        from fou.reports.index import write_index

        index_path = write_index(recorded.to_json(), root)
    except FouError:
        raise
    except OSError as exc:
        on_event(RunNotice(message=f"Översikten (index.html) kunde inte skrivas: {exc}."))
    return RunResult(
        entries=ordered,
        manifest_path=outputs / "manifest.json",
        index_path=index_path,
        duration_s=0.0,
    )


def _write_entries(
    outputs: Path, manifest: Manifest, entries: Sequence[Entry], fields: Mapping[str, object]
) -> Manifest:
    """*manifest* with *entries* merged in, written atomically; the new manifest."""
    new = manifest.merged(entries, **fields)
    write_manifest(outputs, new)
    return new


Recorder = Callable[[Job, JobResult], None]


def _spawn_pool(workers: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(
        max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn")
    )


def _run_local(jobs: Sequence[Job], settings: RunSettings, workers: int, record: Recorder) -> None:
    """A shared spawn pool; jobs hit by a broken pool are retried once, each in its own process."""
    broken: list[Job] = []
    with _spawn_pool(min(workers, len(jobs))) as pool:
        futures = {pool.submit(execute_job, job, settings): job for job in jobs}
        for fut in cf.as_completed(futures):
            job = futures[fut]
            try:
                record(job, fut.result())
            except cf.process.BrokenProcessPool:
                broken.append(job)
            except Exception as exc:
                record(job, JobResult("failed", error=f"{type(exc).__name__}: {exc}"))
    # Isolated retry: a crashing worker takes only itself down now.
    pending = list(broken)
    while pending:
        batch, pending = pending[:workers], pending[workers:]
        pools = {job.id: _spawn_pool(1) for job in batch}
        try:
            futs = {pools[job.id].submit(execute_job, job, settings): job for job in batch}
            for fut in cf.as_completed(futs):
                job = futs[fut]
                try:
                    record(job, fut.result())
                except Exception as exc:
                    error = f"Arbetsprocessen kraschade ({type(exc).__name__}: {exc})."
                    record(job, JobResult("failed", error=error))
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(jobs: Sequence[Job], settings: RunSettings, scheduler: str, record: Recorder) -> None:
    """Submit the same job function to a Dask cluster."""
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="20s")
    except Exception as exc:
        raise ParameterError(f"--scheduler: kunde inte ansluta till {scheduler!r}: {exc}") from None
    try:
        futures = {
            client.submit(
                execute_job,
                job,
                settings,
                key=f"fou-{uuid.uuid4().hex[:8]}-{job.id}",
                pure=False,
                retries=0,
            ): job
            for job in jobs
        }
        for fut in as_completed(list(futures)):
            job = futures[fut]
            try:
                record(job, fut.result())
            except Exception as exc:
                error = f"Dask-jobbet misslyckades ({type(exc).__name__}: {exc})."
                record(job, JobResult("failed", error=error))
    finally:
        try:  # the workers outlive the run: stop the kernels this run left warm
            from fou.batch.warm_kernel import shutdown_all

            client.run(shutdown_all)
        except Exception:
            pass
        client.close()
