"""What the reused kernel does between jobs (fou.batch.kernel_prelude)."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from fou.batch import kernel_prelude
from fou.batch.kernel_prelude import WARM_MODULES, release_memory


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim, /proc")
def test_freed_heap_goes_back_to_the_system():
    # 200 MiB in malloc'd blocks with a small survivor every 64 blocks: freeing the
    # rest leaves holes inside the heap, which malloc keeps resident until trimmed.
    blocks = [bytes(4096) for _ in range(51_200)]
    survivors = [bytes(64) + bytes([k % 256]) for k in range(0, len(blocks), 64)]
    for k in range(0, len(blocks), 64):
        blocks[k] = survivors[k // 64]
    before = _rss_mib()
    del blocks
    try:
        release_memory()
    finally:
        gc.unfreeze()  # this test process is not a kernel
        kernel_prelude._frozen[0] = False
    after = _rss_mib()
    assert before - after > 100, f"resident {before:.0f} MiB → {after:.0f} MiB"
    assert len(survivors) == 800


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim, /proc")
def test_the_heap_is_trimmed_between_exports_without_a_collection():
    # what trim_heap hands back was freed by reference counting alone (no gc, no freeze)
    blocks = [bytes(4096) for _ in range(51_200)]
    survivors = [bytes(65) for _ in range(0, len(blocks), 64)]
    for k in range(0, len(blocks), 64):
        blocks[k] = survivors[k // 64]
    before = _rss_mib()
    del blocks
    frozen = gc.get_freeze_count()
    assert kernel_prelude.trim_heap()
    assert before - _rss_mib() > 100
    assert gc.get_freeze_count() == frozen


def test_the_warm_kernel_loads_only_what_the_notebooks_use():
    # statsmodels and pingouin are test oracles, not report code: 56 MB per kernel.
    assert not {"statsmodels.api", "pingouin"} & set(WARM_MODULES)
    assert {"fou.reports.profile", "fou.reports.regional"} <= set(WARM_MODULES)


FREEZE_SCRIPT = """
import gc, weakref
from fou.batch.kernel_prelude import release_memory

release_memory()
frozen = gc.get_freeze_count()
assert frozen > 1000, frozen

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)

for job in range(3):
    gone = cycle()  # garbage a job leaves behind, in a reference cycle
    release_memory()
    assert gone() is None, f"job {job}: its cycle was not collected"
assert gc.get_freeze_count() == frozen, "only the first call freezes"
print("ok")
"""


def test_the_first_release_freezes_the_survivors_and_later_jobs_are_still_collected():
    # In a fresh interpreter: freezing this test process would keep pytest's objects.
    run = subprocess.run(
        [sys.executable, "-c", FREEZE_SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
