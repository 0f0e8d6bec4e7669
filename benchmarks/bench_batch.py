"""Benchmark of the batch runner (``make bench``).

In one run on the same machine, in a private temporary project root on demo data:

(a) the batch's municipal notebooks for the 13 GR municipalities (52 jobs), one
    after another, with plain papermill (a fresh kernel per job) and no export;
(b) ``fou run`` for the same jobs, with HTML, PDF, Excel and the index, results
    that are the same for every municipality shared between the jobs;
(c) ``fou run`` again with nothing changed (every job skipped);
(d) ``fou run`` after Lerum submits a key figure of its own (a local
    submission): only Lerum's jobs rerun;
(r) the regional report alone, against the median municipal job of (b).

The peak memory is the largest high-water mark (``VmHWM``) of any process the
runs start (workers and kernels), sampled while they live. The last line is
``b/a=<r> c/b=<r> regional/median=<r> peak_mib=<n>``. Targets (issue 12), on a
2-core machine: b/a ≤ 0.25, c/b ≤ 0.02, regional/median ≤ 3, peak ≤ 400 MiB.

``--riket`` instead times the national batch (``parameters/riket.yaml``: the
municipality profile of every municipality) locally and on a local Dask
cluster with the same number of workers, and prints the per-job cost;
``--riket-municipalities N`` takes the first N municipalities only.

    python benchmarks/bench_batch.py [--workers N] [--municipalities N] [--skip-plain]
    python benchmarks/bench_batch.py --riket [--riket-municipalities N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The municipality whose local submission (d) changes.
LERUM = "1441"


class PeakMemory:
    """The largest peak RSS of this process's descendants, sampled every *interval* seconds."""

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_kib = 0
        self.peak_what = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @staticmethod
    def _hwm_kib(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    @staticmethod
    def _what(pid: int) -> str:
        """``kernel`` or ``worker`` (what the process is)."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            return "?"
        return "kernel" if "ipykernel" in cmd else "arbetsprocess"

    def _watch(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            try:
                pids = [p.pid for p in me.children(recursive=True)]
            except psutil.Error:
                pids = []
            for pid in pids:
                hwm = self._hwm_kib(pid)
                if hwm > self.peak_kib:
                    self.peak_kib, self.peak_what = hwm, self._what(pid)
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mib(self) -> float:
        return self.peak_kib / 1024


def _batch(root: Path, name: str = "gr.yaml"):
    from fou.batch import load_batch

    return load_batch(REPO / "parameters" / name, notebooks_dir=REPO / "notebooks")


def _plan(root: Path, n_municipalities: int, *, regional: bool = False):
    from fou.batch import plan_jobs
    from fou.core.registry import GR_MUNICIPALITIES
    from fou.data.dataset import load_dataset

    batch = _batch(root)
    ds = load_dataset("demo", root=root)
    if regional:
        return [j for j in plan_jobs(batch, dataset=ds) if j.notebook == "regional_report"]
    jobs = plan_jobs(
        batch,
        dataset=ds,
        municipalities=list(GR_MUNICIPALITIES[:n_municipalities]),
        notebooks=list(batch.notebooks),
    )
    return [j for j in jobs if j.municipality_id is not None]


def run_plain(jobs, work: Path) -> float:
    """(a): papermill, sequential, a fresh kernel per job, no export."""
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


def run_fou(jobs, root: Path, workers: int, **kwargs):
    """(b)–(d): the workbench's runner with export and index; (seconds, result)."""
    from fou.batch import run_jobs

    start = time.perf_counter()
    result = run_jobs(jobs, workers=workers, root=root, **kwargs)
    return time.perf_counter() - start, result


def submit_own_key_figure(root: Path) -> None:
    """(d): Lerum submits a key figure of its own (an ``L`` id) for the report's year."""
    from fou.data.dataset import load_dataset
    from fou.data.submissions import accept_submission

    year = load_dataset("demo", root=root).latest_year()
    csv = root / "lerum_egna.csv"
    csv.write_text(
        f"kommun,nyckeltal,år,värde,titel\n{LERUM},L00001,{year},12,Egen uppföljning\n",
        encoding="utf-8",
    )
    accept_submission(csv, local_dir=root / "data" / "local")


@contextmanager
def project_root() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="fou-bench-"))
    for sub in ("data/raw", "data/processed", "data/local", "outputs", "parameters"):
        (root / sub).mkdir(parents=True)
    os.environ["FOU_HOME"] = str(root)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _counts(result) -> str:
    return ", ".join(f"{k} {v}" for k, v in result.counts().items() if v)


def print_per_notebook(result) -> None:
    """Where (b) spent its worker time: per notebook, the jobs' sum and median."""
    by: dict[str, list[float]] = {}
    for e in result.entries:
        if e.status == "ok" and e.duration_s:
            by.setdefault(e.notebook, []).append(float(e.duration_s))
    for name, times in sorted(by.items(), key=lambda kv: -sum(kv[1])):
        print(
            f"    {name:24s} {len(times):3d} jobb, summa {sum(times):6.1f} s, "
            f"median {statistics.median(times):5.1f} s"
        )


def bench_gr(args: argparse.Namespace) -> int:
    with project_root() as root:
        jobs = _plan(root, args.municipalities)
        print(f"{len(jobs)} jobb ({args.municipalities} kommuner), {args.workers} arbetare")
        a = float("nan")
        if not args.skip_plain:
            plain_dir = root / "plain"
            plain_dir.mkdir()
            a = run_plain(jobs, plain_dir)
            print(f"(a) papermill i följd, utan export:       {a:8.1f} s")
        with PeakMemory() as peak:
            b, res_b = run_fou(jobs, root, args.workers)
            print(f"(b) fou run med HTML, PDF och index:      {b:8.1f} s  ({_counts(res_b)})")
            c, res_c = run_fou(jobs, root, args.workers)
            print(f"(c) fou run igen, inget ändrat:           {c:8.1f} s  ({_counts(res_c)})")
            submit_own_key_figure(root)
            jobs_d = _plan(root, args.municipalities)
            d, res_d = run_fou(jobs_d, root, args.workers)
            rerun = sorted({e.municipality_id for e in res_d.entries if e.status == "ok"})
            print(
                f"(d) Lerums egen inlämning, fou run igen:  {d:8.1f} s  ({_counts(res_d)}; "
                f"körda om: {', '.join(str(m) for m in rerun) or 'inga'})"
            )
            regional_jobs = _plan(root, args.municipalities, regional=True)
            r, res_r = run_fou(regional_jobs, root, 1)
        municipal = [e.duration_s for e in res_b.entries if e.status == "ok" and e.duration_s]
        median = statistics.median(municipal) if municipal else float("nan")
        print_per_notebook(res_b)
        regional_s = res_r.entries[0].duration_s if res_r.entries else float("nan")
        print(f"(r) regionrapporten ensam:                {r:8.1f} s  (jobbet {regional_s:.1f} s)")
        ratio = regional_s / median
        print(f"    medianjobbet i (b): {median:.1f} s; regionrapporten/median = {ratio:.2f}")
        print(f"största processens toppminne: {peak.mib:.0f} MiB ({peak.peak_what})")
        print(f"d/b={d / b:.3f} (körda om i (d): {res_d.counts().get('ok', 0)} av {len(jobs_d)})")
        print(
            f"b/a={b / a:.3f} c/b={c / b:.4f} regional/median={regional_s / median:.2f} "
            f"peak_mib={peak.mib:.0f}"
        )
    return 0


def bench_riket(args: argparse.Namespace) -> int:
    from fou.batch import plan_jobs
    from fou.data.dataset import load_dataset

    with project_root() as root:
        batch = _batch(root, "riket.yaml")
        jobs = plan_jobs(batch, dataset=load_dataset("demo", root=root))
        if args.riket_municipalities:
            jobs = jobs[: args.riket_municipalities]
        n = len(jobs)
        print(f"Riket: {n} kommunprofiler, {args.workers} arbetare")
        local, res = run_fou(jobs, root, args.workers)
        print(f"lokalt:       {local:8.1f} s  ({_counts(res)}); {local / n:.2f} s per jobb")
        shutil.rmtree(root / "outputs")
        (root / "outputs").mkdir()
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            dask_s, res_d = run_fou(jobs, root, args.workers, scheduler=cluster.scheduler_address)
        print(f"Dask (2 arb.): {dask_s:8.1f} s  ({_counts(res_d)}); {dask_s / n:.2f} s per jobb")
        print(f"riket_jobs={n} local_s={local:.1f} dask_s={dask_s:.1f} per_job_s={local / n:.2f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--municipalities", type=int, default=13)
    ap.add_argument("--skip-plain", action="store_true", help="hoppa över (a)")
    ap.add_argument("--riket", action="store_true", help="mät riksbatchen i stället")
    ap.add_argument("--riket-municipalities", type=int, default=0)
    args = ap.parse_args(argv)
    return bench_riket(args) if args.riket else bench_gr(args)


if __name__ == "__main__":
    sys.exit(main())
