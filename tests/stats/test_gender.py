"""Tests for fou.stats.gender: women, men and the gap, checked against statsmodels and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from fou.core.catalog import load_catalog
from fou.stats.gender import GAP_COLUMNS, GROUP_GAP_COLUMNS, gender_gaps, group_gender_gap

CAT = load_catalog()


def _values(rows: list[tuple[str, str, str, float]], year: int = 2022) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "gender", "value"]).assign(
        year=year
    )


def test_gap_only_where_both_values_are_there():
    v = _values([
        ("N20206", "1480", "T", 93.7), ("N20206", "1480", "K", 94.0), ("N20206", "1480", "M", 92.0),
        ("N20206", "1440", "T", 80.0), ("N20206", "1440", "K", 81.0),
        ("N20206", "1401", "T", 70.0), ("N20206", "1401", "K", np.nan), ("N20206", "1401", "M", 60.0),
    ])  # fmt: skip
    g = gender_gaps(v, kpis=["N20206"], year=2022, catalog=CAT).set_index("municipality_id")
    assert set(g.reset_index().columns) == set(GAP_COLUMNS)
    assert g.loc["1480", "gap"] == pytest.approx(2.0) and g.loc["1480", "status"] == "båda"
    assert np.isnan(g.loc["1440", "gap"]) and g.loc["1440", "status"] == "män saknas"
    assert np.isnan(g.loc["1401", "gap"]) and g.loc["1401", "status"] == "kvinnor saknas"
    assert g["ci_low"].isna().all() and (g["method"] == "").all()  # register data: no interval


def test_key_figures_kolada_does_not_divide_are_left_out():
    v = _values([("N20900", "1480", "T", 1.0), ("N20900", "1480", "K", 2.0)])
    assert gender_gaps(v, kpis=["N20900"], year=2022, catalog=CAT).empty


def test_survey_gap_interval_matches_statsmodels_when_counts_exist():
    v = _values([
        ("U21463", "1480", "T", 85.0), ("U21463", "1480", "K", 88.0), ("U21463", "1480", "M", 80.0),
        ("U23592", "1480", "T", 900.0), ("U23592", "1480", "K", 600.0), ("U23592", "1480", "M", 300.0),
    ])  # fmt: skip
    r = gender_gaps(v, kpis=["U21463"], year=2022, catalog=CAT).iloc[0]
    lo, hi = confint_proportions_2indep(0.88 * 600, 600, 0.80 * 300, 300, method="newcomb")
    assert r["gap"] == pytest.approx(8.0)
    assert r["ci_low"] == pytest.approx(100 * lo, abs=1e-6)
    assert r["ci_high"] == pytest.approx(100 * hi, abs=1e-6)
    assert r["method"] == "Newcombe"


def test_survey_without_counts_per_gender_has_no_interval():
    """Kolada's real data: respondents for the total only."""
    v = _values([
        ("U21463", "1480", "T", 85.0), ("U21463", "1480", "K", 88.0), ("U21463", "1480", "M", 80.0),
        ("U23592", "1480", "T", 900.0),
    ])  # fmt: skip
    r = gender_gaps(v, kpis=["U21463"], year=2022, catalog=CAT).iloc[0]
    assert r["gap"] == pytest.approx(8.0) and np.isnan(r["ci_low"]) and r["method"] == ""


def test_group_gap_t_interval_matches_scipy():
    women = [90.0, 80.0, 85.0, 70.0, 75.0]
    men = [85.0, 78.0, 86.0, 60.0, np.nan]
    ids = ["a", "b", "c", "d", "e"]
    g = pd.DataFrame({"kpi": "N20206", "year": 2022, "municipality_id": ids,
                      "value_k": women, "value_m": men})  # fmt: skip
    r = group_gender_gap(g, members=ids).iloc[0]
    assert tuple(group_gender_gap(g, members=ids).columns) == GROUP_GAP_COLUMNS
    d = np.array([5.0, 2.0, -1.0, 10.0])
    ci = stats.ttest_1samp(d, 0.0).confidence_interval(0.95)
    assert r["n_both"] == 4 and r["missing_members"] == ("e",)
    assert r["gap"] == pytest.approx(d.mean())
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert r["mean_k"] == pytest.approx(np.mean(women[:4]))  # the same members as the men
    assert (r["n_women_higher"], r["n_men_higher"]) == (3, 1)


def test_real_kolada_split_is_consistent(kolada_dir):
    """On the real values: the total lies between women and men for survey shares in GR, 2022."""
    from fou.core.registry import GR_MUNICIPALITIES

    raw = pd.read_csv(kolada_dir / "values_elderly_care.csv.gz", dtype={"municipality_id": str})
    v = raw[raw["kpi"].isin(["U21468", "U23592"])]
    g = gender_gaps(v, kpis=["U21468"], year=2022, catalog=CAT,
                    municipalities=list(GR_MUNICIPALITIES))  # fmt: skip
    both = g[g["status"] == "båda"]
    assert len(both) >= 10
    low = np.minimum(both["value_k"], both["value_m"]) - 1  # shares are rounded to whole per cent
    high = np.maximum(both["value_k"], both["value_m"]) + 1
    assert ((both["value_t"] >= low) & (both["value_t"] <= high)).all()
    assert both["ci_low"].isna().all()  # Kolada has no respondents per gender
