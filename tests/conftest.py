"""Shared fixtures: a private project root, the real Kolada test data, the emulator."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FOU_SHARED_DIR", REPO.parent / "shared"))
KOLADA_DIR = SHARED / "kolada"
EMULATOR = SHARED / "tools" / "kolada_emulator.py"


def _require_shared(path: Path) -> Path:
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


@pytest.fixture(scope="session")
def kolada_dir() -> Path:
    """Directory with the real Kolada files (test material only)."""
    return _require_shared(KOLADA_DIR)


@pytest.fixture(scope="session")
def real_values(kolada_dir: Path):
    """The real values file as a DataFrame with string ids (read once per session)."""
    import pandas as pd

    return pd.read_csv(
        kolada_dir / "values_elderly_care.csv.gz",
        dtype={"kpi": str, "municipality_id": str, "gender": str, "year": "int64", "value": "float64"},
        keep_default_na=False,
        na_values={"value": [""]},
    )


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty project root (``FOU_HOME``) so tests never touch real data."""
    root = tmp_path / "project"
    for sub in ("data/raw", "data/processed", "data/local", "outputs", "parameters"):
        (root / sub).mkdir(parents=True)
    monkeypatch.setenv("FOU_HOME", str(root))
    monkeypatch.delenv("FOU_KOLADA_URL", raising=False)
    return root


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
    _require_shared(EMULATOR)
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


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of a plain emulator shared by the session (no fault injection)."""
    with run_emulator() as url:
        yield url
