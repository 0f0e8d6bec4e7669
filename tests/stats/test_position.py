"""Positions against GR and changes of group means (fou.stats.position), checked independently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES
from fou.stats.position import group_change, position_table

CAT = load_catalog()


def _frame(rows):
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T"
    )


def test_survey_position_uses_the_wilson_interval():
    # 13 shares 80..92 %; Ale (i = 6, 86 %) with 40 respondents, Göteborg (i = 9, 89 %) with 4000.
    rows = [("U21463", m, 2022, 80.0 + i) for i, m in enumerate(GR_MUNICIPALITIES)]
    rows += [("U23592", m, 2022, 4000.0 if m == "1480" else 40.0) for m in GR_MUNICIPALITIES]
    t = position_table(_frame(rows), kpis=["U21463"], year=2022, catalog=CAT).set_index(
        "municipality_id"
    )
    for mid, share, n in (("1480", 89.0, 4000), ("1440", 86.0, 40)):
        lo, hi = proportion_confint(share / 100 * n, n, alpha=0.05, method="wilson")
        assert t.at[mid, "ci_low"] == pytest.approx(100 * lo, abs=1e-6)
        assert t.at[mid, "ci_high"] == pytest.approx(100 * hi, abs=1e-6)
        assert t.at[mid, "method"] == "wilson"
    # Göteborg's interval (88–90 %) excludes 86: above, and higher is better
    assert t.at["1480", "position"] == "över" and t.at["1480", "verdict"] == "bättre"
    # 92 % on 40 respondents: the interval (about 80–97 %) includes 86: within the uncertainty
    assert t.at["1489", "position"] == "nära" and t.at["1489", "verdict"] == "neutral"


def test_register_position_needs_more_than_one_standard_deviation():
    rows = [("N20900", m, 2022, float(i)) for i, m in enumerate(GR_MUNICIPALITIES)]
    t = position_table(_frame(rows), kpis=["N20900"], year=2022, catalog=CAT).set_index(
        "municipality_id"
    )
    values = np.arange(13.0)
    sd = values.std(ddof=1)
    assert t["gr_sd"].iloc[0] == pytest.approx(sd)
    far = {m for i, m in enumerate(GR_MUNICIPALITIES) if abs(i - 6) > sd}
    assert set(t.index[t.position != "nära"]) == far
    # costs: no direction is better, so never "bättre"/"sämre", only "avviker" beyond the spread
    assert set(t.loc[list(far), "verdict"]) == {"avviker"}
    assert set(t.loc[~t.index.isin(far), "verdict"]) == {"neutral"}


def test_missing_stays_missing():
    rows = [
        ("N20403", m, 2022, np.nan if m == "1440" else 3.0 + i)
        for i, m in enumerate(GR_MUNICIPALITIES)
    ]
    t = position_table(_frame(rows), kpis=["N20403"], year=2022, catalog=CAT).set_index(
        "municipality_id"
    )
    assert t.at["1440", "position"] == "saknas" and t.at["1440", "verdict"] == "saknas"
    assert t.at["1440", "n_gr"] == 12 and np.isnan(t.at["1440", "score"])


def test_group_change_over_the_same_members():
    """Ten members in 2021, twelve in 2022: the change is over the ten with both years."""
    rng = np.random.default_rng(0)
    old = rng.normal(15, 2, 13)
    new = old - 0.3 + rng.normal(0, 0.2, 13)
    old[[10, 11, 12]] = np.nan  # three missing in 2021
    new[12] = np.nan
    rows = [("U21401", m, 2021, o) for m, o in zip(GR_MUNICIPALITIES, old, strict=True)]
    rows += [("U21401", m, 2022, n) for m, n in zip(GR_MUNICIPALITIES, new, strict=True)]
    c = group_change(_frame(rows), kpis=["U21401"], year=2022).iloc[0]
    both = ~np.isnan(old) & ~np.isnan(new)
    d = new[both] - old[both]
    assert (c.n_previous, c.n_current, c.n_both) == (10, 12, 10)
    assert c.change == pytest.approx(d.mean()) and c.change < 0
    assert not c.same_members
    # the naive difference of the two means has the other sign here
    assert np.nanmean(new) - np.nanmean(old) != pytest.approx(c.change)
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(0.95)
    assert (c.ci_low, c.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))


@pytest.mark.parametrize(
    ("p1", "n1", "p2", "n2"),
    [(85.0, 400, 80.0, 380), (97.0, 35, 90.0, 31), (50.0, 1000, 52.0, 1200), (100.0, 40, 95.0, 44)],
)
def test_two_proportion_interval_matches_statsmodels(p1, n1, p2, n2):
    from statsmodels.stats.proportion import confint_proportions_2indep

    from fou.stats.position import two_proportion_interval

    d, lo, hi = two_proportion_interval(p1, n1, p2, n2)
    ref = confint_proportions_2indep(
        p1 / 100 * n1, n1, p2 / 100 * n2, n2, method="newcomb", compare="diff"
    )
    assert d == pytest.approx(p1 - p2, abs=1e-9)
    assert lo == pytest.approx(100 * ref[0], abs=1e-6) and hi == pytest.approx(
        100 * ref[1], abs=1e-6
    )


def test_two_proportion_interval_missing_input():
    from fou.stats.position import two_proportion_interval

    assert all(np.isnan(v) for v in two_proportion_interval(80.0, np.nan, 75.0, 100))


def test_group_against_riket_uses_a_t_interval_over_the_members():
    from fou.stats.position import group_against_riket

    rng = np.random.default_rng(3)
    vals = rng.normal(80, 4, 13)
    rows = [("U21463", m, 2022, v) for m, v in zip(GR_MUNICIPALITIES, vals, strict=True)]
    for riket, expected in (
        (vals.mean(), "nära"),
        (vals.mean() - 10, "över"),
        (vals.mean() + 10, "under"),
    ):
        g = group_against_riket(
            _frame([*rows, ("U21463", "0000", 2022, riket)]),
            kpis=["U21463"],
            year=2022,
            catalog=CAT,
        ).iloc[0]
        ci = stats.ttest_1samp(vals, 0.0).confidence_interval(0.95)
        assert (g.ci_low, g.ci_high) == (pytest.approx(ci.low), pytest.approx(ci.high))
        assert g.position == expected
