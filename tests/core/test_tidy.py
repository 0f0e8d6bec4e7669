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


def _unsorted() -> pd.DataFrame:
    """Key figures A and B, with B's rows split by A's (as a local submission appended)."""
    return pd.DataFrame(
        {
            "kpi": ["B", "A", "A", "B", "C"],
            "municipality_id": ["1480", "1480", "1401", "1401", "1480"],
            "value": [1.0, 2.0, 3.0, 4.0, 5.0],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_kpi_runs_are_the_row_spans_of_a_sorted_table():
    from fou.core.tidy import kpi_runs

    t = _unsorted().sort_values("kpi", kind="stable")
    assert kpi_runs(t["kpi"]) == {"A": (0, 2), "B": (2, 4), "C": (4, 5)}
    assert kpi_runs(_unsorted()["kpi"]) is None  # B is split: no slice to take
    assert kpi_runs(pd.Series([], dtype=object)) == {}


@pytest.mark.parametrize("kpis", ["A", ["B"], ["C", "A"], ["A", "B", "C"], ["X"], [], ["A", "A"]])
@pytest.mark.parametrize("sort", [True, False])
def test_rows_of_gives_the_rows_a_filter_gives(kpis, sort):
    import pandas.testing as pdt

    from fou.core.tidy import kpi_runs, rows_of

    t = _unsorted().sort_values("kpi", kind="stable") if sort else _unsorted()
    wanted = [kpis] if isinstance(kpis, str) else kpis
    expected = t[t["kpi"].isin(wanted)]
    got = rows_of(t, kpis, kpi_runs(t["kpi"]))
    pdt.assert_frame_equal(got, expected)  # same rows, order, index and dtypes
    pdt.assert_frame_equal(rows_of(t, kpis, None), expected)
