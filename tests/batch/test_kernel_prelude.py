"""What the reused kernel does between jobs (fou.batch.kernel_prelude)."""

from __future__ import annotations

import sys

import pytest

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
    release_memory()
    after = _rss_mib()
    assert before - after > 100, f"resident {before:.0f} MiB → {after:.0f} MiB"
    assert len(survivors) == 800


def test_the_warm_kernel_loads_only_what_the_notebooks_use():
    # statsmodels and pingouin are test oracles, not report code: 56 MB per kernel.
    assert not {"statsmodels.api", "pingouin"} & set(WARM_MODULES)
    assert {"fou.reports.profile", "fou.reports.regional"} <= set(WARM_MODULES)
