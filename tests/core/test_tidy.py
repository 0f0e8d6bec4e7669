import pandas as pd
import pytest

from fou.core.errors import ParameterError
from fou.core.tidy import select, to_wide


@pytest.fixture
def values():
    return pd.DataFrame(
        {"kpi": ["A", "A", "B", "B", "A"], "municipality_id": ["0000", "1480", "1480", "1440", "1480"],
         "year": [2020, 2020, 2020, 2020, 2021], "gender": ["T", "T", "T", "T", "K"],
         "value": [1.0, 2.0, None, 4.0, 5.0]}
    )  # fmt: skip


def test_select_filters(values):
    assert len(select(values)) == 4
    assert select(values, municipalities_only=True)["municipality_id"].tolist() == [
        "1480",
        "1480",
        "1440",
    ]
    assert select(values, gender=None, years=2021)["value"].tolist() == [5.0]
    assert select(values, kpis="B", municipalities=["1440"])["value"].tolist() == [4.0]
    with pytest.raises(ParameterError, match="kön"):
        select(values, gender="X")


def test_to_wide_keeps_missing(values):
    wide = to_wide(select(values, years=2020))
    assert wide.loc["1480", "A"] == 2.0
    assert pd.isna(wide.loc["1480", "B"]) and pd.isna(wide.loc["0000", "B"])


def test_to_wide_refuses_ambiguous_input(values):
    with pytest.raises(ParameterError, match="flera rader"):
        to_wide(select(values, gender=None))
