"""Helpers the tests share: where things are, the real Kolada data, the Kolada emulator."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The small notebooks the batch tests run.
TEST_NOTEBOOKS = REPO / "tests" / "fixtures" / "notebooks"
SHARED = Path(os.environ.get("FOU_SHARED_DIR", REPO.parent / "shared"))
KOLADA_DIR = SHARED / "kolada"
EMULATOR = SHARED / "tools" / "kolada_emulator.py"


def require_shared(path: Path) -> Path:
    """Skip locally, but fail loudly in CI, when ../shared is missing."""
    if path.exists():
        return path
    msg = (
        f"{path} saknas: testerna med riktiga Kolada-data behöver ../shared bredvid "
        "repot (eller FOU_SHARED_DIR)."
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@contextlib.contextmanager
def run_emulator(*args: str, timeout: float = 120.0) -> Iterator[str]:
    """Start the Kolada emulator on a free loopback port; yield its base URL; stop it.

    Parameters
    ----------
    *args
        Extra emulator options, e.g. ``"--fault-every", "5"``.
    timeout
        Seconds to wait for it to load its data.
    """
    require_shared(EMULATOR)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        proc = subprocess.Popen(
            [sys.executable, str(EMULATOR), "--port", "0", "--port-file", str(port_file), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + timeout
            while not port_file.exists() or not port_file.read_text().strip():
                if proc.poll() is not None:
                    raise RuntimeError(f"emulatorn avslutades: {proc.stderr.read().decode()}")
                if time.monotonic() > deadline:
                    raise TimeoutError("emulatorn startade inte i tid")
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port_file.read_text().strip()}/v3"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def tiny_dataset(years=range(2014, 2026), *, source: str = "demo"):
    """A small data set (one value per year for Göteborg) with a provenance, for planning tests."""
    import pandas as pd

    from fou.data.dataset import Dataset
    from fou.data.provenance import Provenance

    ys = list(years)
    values = pd.DataFrame(
        {"kpi": "U21463", "municipality_id": "1480", "year": ys, "gender": "T",
         "value": [80.0] * len(ys), "count": pd.NA, "status": pd.NA, "source": source}
    )  # fmt: skip
    prov = Provenance(source, f"{source}-test", "2026-01-01T00:00:00+00:00", years=(ys[0], ys[-1]))
    return Dataset(values=values, groups=pd.DataFrame(columns=["group_id", "title", "municipality_id"]),
                   provenance=prov)  # fmt: skip


def require_chromium() -> Path:
    """The Chromium the report review drives; skip locally, but fail loudly in CI, without it.

    Needs a Chromium (Debian's ``chromium`` or ``FOU_CHROMIUM``) and the
    ``playwright`` package (a dev dependency).
    """
    import importlib.util

    from fou.reports.review import CHROMIUM_ENV, find_chromium

    found = find_chromium()
    if found is not None and importlib.util.find_spec("playwright") is not None:
        return found
    if found is None:
        msg = (
            "Chromium saknas: testerna av rapportgranskningen behöver apt-get install chromium "
            f"(eller {CHROMIUM_ENV}=/sökväg/till/chromium)."
        )
    else:
        msg = "playwright saknas: testerna av rapportgranskningen behöver make setup (.[dev])."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)
