"""Reused kernels: every job must see what a fresh kernel would show it.

Each test writes two or three tiny notebooks and runs them one after another
in one :class:`fou.batch.warm_kernel.WarmKernel`, the way a batch worker does.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from fou.batch.warm_kernel import ENGINE_NAME, WarmKernel, kernel_for_this_thread, shutdown_all

pytestmark = pytest.mark.slow


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('kommun = "1480"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(src) for src in cells)]
    nb.metadata["kernelspec"] = {
        "name": "fou",
        "display_name": "Python (fou)",
        "language": "python",
    }
    nbformat.write(nb, str(path))
    return path


def _run(
    wk: WarmKernel, nb: Path, work: Path, *, run_key: str = "run-1", timeout: float = 60, **params
):
    work.mkdir(parents=True, exist_ok=True)
    engine = wk.prepare(work, run_key=run_key)
    assert engine["engine_name"] == ENGINE_NAME
    out = work / "out.ipynb"
    try:
        pm.execute_notebook(
            str(nb), str(out), parameters=params, kernel_name="fou", execution_timeout=timeout,
            progress_bar=False, **engine,
        )  # fmt: skip
    except BaseException:
        wk.finish(ok=False)
        raise
    wk.finish(ok=True)
    return nbformat.read(str(out), as_version=4)


def _last_text(nb) -> str:
    """What the last code cell printed (stdout) and returned (text/plain)."""
    outputs = [c for c in nb.cells if c.cell_type == "code"][-1].outputs
    printed = [
        o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout"
    ]
    returned = [o.data.get("text/plain", "") for o in outputs if o.output_type == "execute_result"]
    return "".join(printed + returned)


@pytest.fixture
def wk():
    kernel = WarmKernel("fou")
    yield kernel
    kernel.shutdown()


def test_second_job_sees_a_fresh_kernel(wk, tmp_path):
    dirty = _notebook(
        tmp_path / "dirty.ipynb",
        "import matplotlib, matplotlib.pyplot as plt, pandas as pd, warnings\n"
        "leak = 42\n"
        "fig = plt.figure()\n"
        "matplotlib.rcParams['font.size'] = 31\n"
        "pd.set_option('display.max_rows', 3)\n"
        "warnings.simplefilter('error')",
    )
    probe = _notebook(
        tmp_path / "probe.ipynb",
        "import json, os, matplotlib, matplotlib.pyplot as plt, pandas as pd, warnings\n"
        "print(json.dumps({'leak': 'leak' in globals(), 'count': get_ipython().execution_count,\n"
        "  'cwd': os.getcwd(), 'figures': len(plt.get_fignums()),\n"
        "  'font': matplotlib.rcParams['font.size'], 'rows': pd.get_option('display.max_rows'),\n"
        "  'error_filter': any(f[0] == 'error' and f[2] is Warning for f in warnings.filters),\n"
        "  'backend': matplotlib.get_backend()}))",
    )
    fresh = json.loads(_last_text(_run(wk, probe, tmp_path / "job0")))
    _run(wk, dirty, tmp_path / "job1")
    after = json.loads(_last_text(_run(wk, probe, tmp_path / "job2")))
    assert wk.jobs_run == 3, "the three jobs must have shared one kernel"
    assert after["cwd"] == str(tmp_path / "job2")
    assert after["leak"] is False and after["figures"] == 0 and after["error_filter"] is False
    # Everything but the working directory equals what the first, fresh job saw.
    assert {k: v for k, v in after.items() if k != "cwd"} == {
        k: v for k, v in fresh.items() if k != "cwd"
    }
    assert fresh["count"] == 3  # parameters cell, injected parameters, then the probe
    assert "inline" in after["backend"]


def test_execution_counts_restart_at_one(wk, tmp_path):
    nb = _notebook(tmp_path / "n.ipynb", "x = 1", "x + 1")
    for k in range(2):
        out = _run(wk, nb, tmp_path / f"job{k}")
        counts = [c.execution_count for c in out.cells if c.cell_type == "code"]
        assert counts == [1, 2, 3], counts
    assert wk.jobs_run == 2


def test_timeout_retires_the_kernel(wk, tmp_path):
    sleeps = _notebook(tmp_path / "sleeps.ipynb", "import time\ntime.sleep(60)")
    pid = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
    first_pid = _last_text(_run(wk, pid, tmp_path / "job0"))
    with pytest.raises(Exception, match=r"(?i)timeout|timed out"):
        _run(wk, sleeps, tmp_path / "job1", timeout=2)
    assert wk.km is None, "a kernel still busy with a timed-out cell must not be reused"
    second_pid = _last_text(_run(wk, pid, tmp_path / "job2"))
    assert second_pid != first_pid


def test_dead_kernel_is_replaced(wk, tmp_path):
    dies = _notebook(tmp_path / "dies.ipynb", "import os\nos._exit(3)")
    ok = _notebook(tmp_path / "ok.ipynb", "print('levande')")
    with pytest.raises(Exception):  # noqa: B017 - nbclient's DeadKernelError, wrapped or not
        _run(wk, dies, tmp_path / "job0", timeout=20)
    assert "levande" in _last_text(_run(wk, ok, tmp_path / "job1"))


def test_new_run_or_job_limit_starts_a_new_kernel(tmp_path):
    kernel = WarmKernel("fou", max_jobs=2)
    try:
        pid = _notebook(tmp_path / "pid.ipynb", "import os\nprint(os.getpid())")
        pids = [
            _last_text(_run(kernel, pid, tmp_path / f"job{k}", run_key=key))
            for k, key in enumerate(["a", "a", "a", "b"])
        ]
        assert pids[0] == pids[1], "jobs of one run share the kernel"
        assert pids[2] != pids[1], "max_jobs reached: a new kernel"
        assert pids[3] != pids[2], "a new run never reuses the previous run's kernel"
    finally:
        kernel.shutdown()


def test_same_results_as_a_fresh_kernel(tmp_path, project):
    """A real analysis gives identical output in a reused kernel and a fresh one."""
    nb = _notebook(
        tmp_path / "analysis.ipynb",
        "from fou.data.dataset import load_dataset\n"
        "from fou.stats.correlation import association_screen\n"
        "ds = load_dataset('demo')\n"
        "kpis = sorted(ds.values.kpi.unique())[:4]\n"
        "screen = association_screen(ds.values, kpis=kpis, adjust='holm', year=ds.latest_year(), n_resamples=199)\n"
        "print(screen.round(10).to_csv(index=False))",
    )
    warm = kernel_for_this_thread("fou")
    try:
        first = _notebook(
            tmp_path / "first.ipynb", "import numpy as np\nnp.random.seed(1)\nx = np.random.rand(5)"
        )
        _run(warm, first, tmp_path / "w0")
        reused = _last_text(_run(warm, nb, tmp_path / "w1"))
    finally:
        assert shutdown_all() >= 1
    assert warm.km is None
    fresh_out = tmp_path / "fresh.ipynb"
    pm.execute_notebook(
        str(nb), str(fresh_out), kernel_name="fou", cwd=str(tmp_path), progress_bar=False
    )
    fresh = _last_text(nbformat.read(str(fresh_out), as_version=4))
    assert reused.startswith("x,y,") and reused.count("\n") > 3
    assert reused == fresh


def test_local_kernels_talk_over_ipc_with_short_absolute_socket_paths():
    import os

    from fou.batch.warm_kernel import local_transport

    if os.name == "nt":
        assert local_transport() == {}
        return
    conn = local_transport()
    assert conn["transport"] == "ipc" and os.path.isabs(conn["ip"]) and len(conn["ip"]) < 90


@pytest.mark.slow
def test_a_kernel_says_nothing_about_unencrypted_tcp(tmp_path, capfd):
    from fou.batch.warm_kernel import WarmKernel

    wk = WarmKernel("fou")
    try:
        wk.start(run_key="r", cwd=tmp_path)
    finally:
        wk.shutdown()
    err = capfd.readouterr().err
    assert "without encryption" not in err and "IPKernelApp" not in err
