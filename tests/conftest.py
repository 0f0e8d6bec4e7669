"""Shared fixtures: a private project root, the real Kolada test data, the emulator.

Helpers that tests import themselves live in ``support.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from support import KOLADA_DIR, require_shared, run_emulator


@pytest.fixture(scope="session")
def kolada_dir() -> Path:
    """Directory with the real Kolada files (test material only)."""
    return require_shared(KOLADA_DIR)


@pytest.fixture(scope="session")
def real_values(kolada_dir: Path):
    """The real values file as a DataFrame with string ids (read once per session)."""
    import pandas as pd

    return pd.read_csv(
        kolada_dir / "values_elderly_care.csv.gz",
        dtype={
            "kpi": str,
            "municipality_id": str,
            "gender": str,
            "year": "int64",
            "value": "float64",
        },
        keep_default_na=False,
        na_values={"value": [""]},
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty project root (``FOU_HOME``) so tests never touch real data."""
    root = tmp_path / "project"
    for sub in ("data/raw", "data/processed", "data/local", "outputs", "parameters"):
        (root / sub).mkdir(parents=True)
    monkeypatch.setenv("FOU_HOME", str(root))
    monkeypatch.delenv("FOU_KOLADA_URL", raising=False)
    return root


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL of a plain emulator shared by the session (no fault injection)."""
    with run_emulator() as url:
        yield url
