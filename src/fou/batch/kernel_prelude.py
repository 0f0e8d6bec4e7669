"""Code that runs *inside* a reused notebook kernel between batch jobs.

The batch runner (:mod:`fou.batch.warm_kernel`) keeps one Jupyter kernel per worker
and runs many notebooks in it, one after another. Before each notebook it
calls :func:`prepare`, which gives the notebook the state a fresh kernel would
have: an empty namespace and execution count 1, the job's own working
directory, no open figures, and the matplotlib, pandas and warnings settings
the kernel had right after :func:`warm_up`. Imported modules stay loaded,
which is the point: importing the scientific stack is most of the cost of a
fresh kernel.

:func:`release_memory` also runs in the batch worker after each job.

Nothing here is meant for notebooks or researchers.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any, cast

#: Modules imported once per kernel so that every notebook finds them loaded.
WARM_MODULES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy.stats",
    "matplotlib.pyplot",
    "seaborn",
    "fou.reports.profile",
    "fou.reports.data_quality",
    "fou.reports.associations",
    "fou.reports.person_centred",
    "fou.reports.regional",
)

_baseline: dict[str, Any] = {}


def warm_up() -> None:
    """Import the heavy modules and remember the settings a fresh kernel has."""
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)
    import matplotlib

    _baseline["rc"] = dict(matplotlib.rcParams.copy())
    _baseline["warnings"] = list(warnings.filters)
    _baseline["sys_path"] = list(sys.path)


def prepare(workdir: str) -> None:
    """Reset the kernel to a fresh kernel's state and enter ``workdir``.

    Parameters
    ----------
    workdir
        The job's private working directory.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        # Clears the user namespace, the output history and ``Out``; the
        # execution count starts again at 1.
        shell.reset(new_session=True, aggressive=False)
    if not _baseline:
        warm_up()
    os.chdir(workdir)

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_baseline["rc"])
        pd.reset_option("all")
    # typeshed declares ``warnings.filters`` a Sequence; at runtime it is the list
    # the warnings machinery reads, and it has to be replaced in place.
    cast("list[Any]", warnings.filters)[:] = _baseline["warnings"]
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:  # forget the "once" registries, as a fresh kernel has none
        mutated()
    sys.path[:] = _baseline["sys_path"]
    release_memory()


#: Whether :func:`release_memory` has moved this process's survivors out of the collector's view.
_frozen: list[bool] = [False]


def release_memory() -> None:
    """Collect the previous job's objects and hand freed heap pages back to the system.

    Without this a kernel's resident memory carries the largest job it ran
    into every later one. ``malloc_trim`` exists in glibc only; elsewhere the
    garbage collection alone runs.

    The first call also freezes what survives it (:func:`gc.freeze`): in a
    kernel the imported scientific stack, in a batch worker the export stack.
    Those objects live as long as the process; once frozen, later collections
    no longer walk them, which takes each job's collection from about 0.1–0.2 s
    to a few hundredths. Objects made by the jobs are collected as before.
    """
    import gc

    gc.collect()
    if not _frozen[0]:
        gc.freeze()
        _frozen[0] = True
    trim_heap()


def trim_heap() -> bool:
    """Hand the heap pages that freed objects left behind back to the system.

    Returns
    -------
    bool
        False where the C library has no ``malloc_trim`` (only glibc has it).
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl and other C libraries have no malloc_trim
        return False
    return True
