import numpy as np
import pandas as pd
import pytest

from fou.core.errors import DataValidationError
from fou.core.schema import VALUE_COLUMNS, coerce_values, empty_values, validate_values


def _rows(**over):
    base = {"kpi": ["N20900", "N20900"], "municipality_id": ["0114", "1480"], "year": [2020, 2020],
            "gender": ["T", "T"], "value": [1.5, None], "count": [1, None], "status": ["", None],
            "source": ["demo", "demo"]}  # fmt: skip
    base.update(over)
    return coerce_values(pd.DataFrame(base))


def test_valid_table_passes_and_null_stays_null():
    df = validate_values(_rows())
    assert list(df.columns) == list(VALUE_COLUMNS)
    assert df["municipality_id"].tolist() == ["0114", "1480"]
    assert np.isnan(df.loc[1, "value"]) and df.loc[1, "value"] != 0
    assert pd.isna(df.loc[1, "count"])


def test_empty_table_is_valid():
    validate_values(empty_values())


def test_failures_come_back_as_data_with_row_and_column():
    bad = _rows(municipality_id=["114", "1480"], gender=["T", "X"])
    with pytest.raises(DataValidationError) as info:
        validate_values(bad, origin="inläsning.csv")
    cases = info.value.failure_cases
    assert set(zip(cases["row"], cases["column"], strict=True)) == {
        (0, "municipality_id"),
        (1, "gender"),
    }
    assert "inläsning.csv" in str(info.value) and "'0114'" in str(info.value)


def test_duplicate_keys_are_rejected():
    with pytest.raises(DataValidationError, match="fel"):
        validate_values(_rows(municipality_id=["1480", "1480"]))


def test_integer_ids_are_not_silently_padded():
    df = pd.DataFrame({"kpi": ["N20900"], "municipality_id": [114], "year": [2020], "gender": ["T"],
                       "value": [1.0], "count": [1], "status": [""], "source": ["demo"]})  # fmt: skip
    with pytest.raises(DataValidationError, match="municipality_id"):
        validate_values(coerce_values(df))


def test_coerced_table_is_independent_of_its_input():
    raw = pd.DataFrame(
        {"kpi": ["N20206"], "municipality_id": ["1480"], "year": [2022], "gender": ["T"],
         "value": [93.7], "count": [None], "status": [None], "source": ["kolada"],
         "extra": [1]}
    )  # fmt: skip
    out = coerce_values(raw)
    assert list(out.columns) == list(VALUE_COLUMNS)
    out.loc[0, "value"] = 1.0
    out.loc[0, "kpi"] = "X"
    assert raw.loc[0, "value"] == 93.7 and raw.loc[0, "kpi"] == "N20206"
    raw.loc[0, "value"] = 2.0
    assert out.loc[0, "value"] == 1.0
