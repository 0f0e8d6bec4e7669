import math

import pytest

from fou.reports.notebook_support import fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.345, "12,3"), (12345.67, "12\u202f345,7"), (-2.5, "−2,5"), (0.0, "0,0"),
     (0.0234, "0,023"), (7, "7"), (math.nan, "–"), (None, "–"), (True, "ja")],
)  # fmt: skip
def test_fmt_is_swedish_and_never_turns_small_or_missing_into_zero(value, expected):
    assert fmt(value) == expected


def test_gr_trend_data_mean_is_the_plain_mean_of_the_13(project):
    """The regional trend panel's GR-snitt equals numpy's mean of the members with a value."""
    import numpy as np

    from fou.core import registry
    from fou.reports.notebook_support import _gr_trend_data, setup

    ctx = setup(datakalla="demo", show=False)
    kpi, years = "U23471", [2019, 2020, 2021, 2022]
    table = _gr_trend_data(ctx, kpi, years)
    v = ctx.values
    for year in years:
        in_gr = v.municipality_id.isin(registry.GR_MUNICIPALITIES)
        cells = v[(v.kpi == kpi) & (v.year == year) & (v.gender == "T") & in_gr]
        expected = np.nanmean(cells["value"].to_numpy(dtype=float)) if cells["value"].notna().any() else np.nan
        got = table[(table.series == "GR-snitt") & (table.year == year)]["value"]
        assert len(got) == 1
        assert (np.isnan(expected) and np.isnan(got.iloc[0])) or got.iloc[0] == pytest.approx(expected, rel=1e-12)
    assert set(table.series) >= {"GR-snitt", "Riket", "Göteborg"}
