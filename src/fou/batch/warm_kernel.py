"""One reused Jupyter kernel per batch worker (thread), instead of one per job.

Starting a kernel and importing pandas, scipy, matplotlib, seaborn and
``fou`` costs two to four seconds, about as much as running one of our
notebooks. The batch runner therefore keeps a kernel per worker and runs job
after job in it:

* before each job, :func:`fou.batch.kernel_prelude.prepare` runs silently in the
  kernel: it clears the namespace (execution count back to 1), enters the job's
  private working directory, closes figures and restores matplotlib, pandas
  and warnings settings. Imported modules stay loaded.
* papermill executes the notebook through the ``fou-warm`` engine, which is
  papermill's own nbclient engine handed the running kernel and its connected
  client (``km=``, ``kc=``), so parameter injection, error cells and output
  handling are papermill's.
* a kernel is replaced after a job that failed, timed out or killed it, after
  :data:`MAX_JOBS_PER_KERNEL` jobs, and when a new run (``run_key``) starts, so
  that a later run never executes code imported by an earlier one.

Kernels are shut down when their worker process exits (and, on Dask, at the
end of each run through :func:`shutdown_all`). A kernel whose worker dies
exits by itself (ipykernel watches its parent process).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing.util
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

#: papermill engine name under which :class:`WarmKernelEngine` is registered.
ENGINE_NAME = "fou-warm"
#: A kernel runs at most this many jobs before it is replaced (bounds memory growth).
MAX_JOBS_PER_KERNEL = 40
#: matplotlib backend of the kernels (figures become PNG outputs in the notebook).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Seconds allowed for starting a kernel and importing the scientific stack.
START_TIMEOUT = 180.0


def local_transport() -> dict[str, str]:
    """Kernel connection over local sockets (IPC) where the system has them.

    A kernel on this machine needs no TCP port, and over TCP ipykernel warns
    once per kernel that the traffic is unencrypted. The socket files get an
    absolute, short path in the temporary folder (Unix sockets allow about
    100 characters), so the kernel and its client find them from any folder.
    Windows has no IPC transport: there the default (TCP on localhost) stays.
    """
    if os.name == "nt":
        return {}
    import tempfile
    import uuid

    return {
        "transport": "ipc",
        "ip": os.path.join(tempfile.gettempdir(), f"fou-{uuid.uuid4().hex[:8]}"),
    }


class KernelPrepareError(RuntimeError):
    """The reused kernel could not be reset for the next job."""


class WarmKernelEngine(NBClientEngine):
    """papermill's nbclient engine, run in an already started kernel.

    The caller passes the kernel manager as ``km=`` and a connected, ready
    client as ``kc=`` (what :meth:`WarmKernel.prepare` returns); the engine
    leaves both open for the next job.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        km: Any = None,
        kc: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Execute the parameterised notebook in the kernel ``km`` through its client ``kc``."""
        if km is None or kc is None:
            raise ValueError(
                "fou-warm: km and kc (a started kernel and its ready client) are required"
            )
        kwargs.pop("input_path", None)
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        # A client that is already connected and ready: nbclient then skips its
        # own connect-and-wait (0.2 s or more per notebook) and leaves it open.
        client.kc = kc
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


def _wait(awaitable: Any) -> Any:
    """Run an awaitable of the (asynchronous) kernel manager to completion."""

    async def _await() -> Any:
        return await awaitable

    return run_sync(_await)()


def _run_silently(kc: Any, code: str, *, timeout: float) -> None:
    """Run ``code`` in the kernel without output or history; raise on error.

    Output messages of earlier executions still queued on the client are
    read and dropped on the way.
    """
    try:
        reply = _wait(
            kc.execute_interactive(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
            )
        )
    except Exception as exc:
        raise KernelPrepareError(f"{type(exc).__name__}: {exc}") from exc
    content = reply["content"]
    if content.get("status") != "ok":
        raise KernelPrepareError(f"{content.get('ename')}: {content.get('evalue')}")


@dataclass
class WarmKernel:
    """A kernel that runs one job after another.

    Parameters
    ----------
    kernel_name
        Jupyter kernel spec name (the project's ``fou`` kernel).
    max_jobs
        Jobs before the kernel is replaced.
    """

    kernel_name: str
    max_jobs: int = MAX_JOBS_PER_KERNEL
    run_key: str | None = None
    jobs_run: int = 0
    km: Any = field(default=None, repr=False)
    kc: Any = field(default=None, repr=False)

    @property
    def alive(self) -> bool:
        """True if the kernel process is running."""
        return self.km is not None and bool(_wait(self.km.is_alive()))

    def start(self, *, run_key: str, cwd: Path) -> None:
        """Start a fresh kernel and import the scientific stack in it."""
        # nbclient needs the asynchronous manager and client: with blocking
        # channels its cell timeout never fires while a cell is silent.
        from jupyter_client.manager import AsyncKernelManager

        self.shutdown()
        km = AsyncKernelManager(kernel_name=self.kernel_name, **local_transport())
        # Figures in notebooks need the inline backend, whatever the worker uses.
        env = {**os.environ, "MPLBACKEND": INLINE_BACKEND}
        _wait(km.start_kernel(cwd=str(cwd), env=env))
        self.km, self.run_key, self.jobs_run = km, run_key, 0
        kc = km.client()
        kc.start_channels()
        self.kc = kc
        try:
            _wait(kc.wait_for_ready(timeout=START_TIMEOUT))
        except Exception as exc:
            raise KernelPrepareError(f"{type(exc).__name__}: {exc}") from exc
        _run_silently(
            kc, "import fou.batch.kernel_prelude as _p; _p.warm_up(); del _p", timeout=START_TIMEOUT
        )

    def prepare(self, workdir: Path, *, run_key: str) -> dict[str, Any]:
        """Reset the kernel for a job in ``workdir``; return papermill's engine arguments.

        Starts (or replaces) the kernel when there is none, it died, it
        belongs to another run or it has run ``max_jobs`` jobs; if resetting
        fails, one fresh kernel is tried before giving up.
        """
        # Enter the job directory first: the previous job's directory is gone,
        # and imports fail while the working directory does not exist.
        where = repr(str(workdir))
        code = (
            f"import os; os.chdir({where}); "
            f"import fou.batch.kernel_prelude as _p; _p.prepare({where})"
        )
        for attempt in (1, 2):
            if attempt == 2 or not self.alive:
                self.shutdown(now=True)
            try:
                if self.km is None or self.run_key != run_key or self.jobs_run >= self.max_jobs:
                    self.start(run_key=run_key, cwd=workdir.parent)
                _run_silently(self.kc, code, timeout=START_TIMEOUT)
                return {"engine_name": ENGINE_NAME, "km": self.km, "kc": self.kc}
            except KernelPrepareError as exc:
                if attempt == 2:
                    self.shutdown(now=True)
                    raise KernelPrepareError(
                        f"Kerneln {self.kernel_name!r} kunde inte förberedas för jobbet ({exc})."
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def finish(self, *, ok: bool) -> None:
        """Count a finished job; a job that did not end cleanly retires the kernel."""
        self.jobs_run += 1
        if not ok:
            self.shutdown(now=True)

    def shutdown(self, *, now: bool = False) -> None:
        """Stop the kernel (if any): politely, or at once (``now``) when it may be stuck."""
        km, kc, self.km, self.kc, self.run_key = self.km, self.kc, None, None, None
        if kc is not None:
            kc.stop_channels()
        if km is None:
            return
        with contextlib.suppress(Exception):
            _wait(km.shutdown_kernel(now=now))
        with contextlib.suppress(Exception):  # also when the kernel died: its socket files
            _wait(km.cleanup_resources())


_local = threading.local()
_all: list[WarmKernel] = []
_lock = threading.Lock()


def kernel_for_this_thread(kernel_name: str) -> WarmKernel:
    """The calling thread's warm kernel (one per worker thread, created lazily)."""
    wk: WarmKernel | None = getattr(_local, "kernels", {}).get(kernel_name)
    if wk is None:
        wk = WarmKernel(kernel_name)
        _local.kernels = {**getattr(_local, "kernels", {}), kernel_name: wk}
        with _lock:
            _all.append(wk)
    return wk


def shutdown_all() -> int:
    """Stop every warm kernel of this process; return how many there were."""
    with _lock:
        kernels = list(_all)
    for wk in kernels:
        wk.shutdown()
    return len(kernels)


# Worker processes of a multiprocessing pool leave through os._exit, which skips
# atexit; multiprocessing's own finalizers still run there.
atexit.register(shutdown_all)
multiprocessing.util.Finalize(None, shutdown_all, exitpriority=100)
