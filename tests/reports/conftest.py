"""Fixtures for the report modules' tests: the small data set of ``small_data.py``."""

from __future__ import annotations

import pandas as pd
import pytest
from small_data import small_values

from fou.core.catalog import load_catalog
from fou.data.dataset import Dataset
from fou.data.provenance import Provenance
from fou.reports.context import ReportContext


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    prov = Provenance("demo", "demo-test", "2026-01-01T00:00:00+00:00", years=(2018, 2022))
    groups = pd.DataFrame(columns=["group_id", "title", "municipality_id"])
    return Dataset(values=small_values(), groups=groups, provenance=prov)


@pytest.fixture
def ale(small_dataset) -> ReportContext:
    """The report context for Ale (1440), 2022, compared with GR."""
    return ReportContext(small_dataset, load_catalog(), "1440", "Ale", 2022, "gr")


@pytest.fixture
def region(small_dataset) -> ReportContext:
    """The regional report's context, 2022."""
    return ReportContext(small_dataset, load_catalog(), None, None, 2022, "gr")
