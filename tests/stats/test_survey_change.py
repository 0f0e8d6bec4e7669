"""Tests for fou.stats.survey_change: the survey across the pandemic years.

Intervals are checked against statsmodels' Newcombe interval
(``confint_proportions_2indep(method="newcomb")``) computed here from the
shares and respondent counts directly, on a small table and on the real
Kolada values in ``../shared/kolada``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep
from tests.support import KOLADA_DIR, require_shared

from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES
from fou.stats.survey_change import CHANGE_COLUMNS, GR_POOLED, pooled_share, survey_changes

TOL = 1e-6
CAT = load_catalog()


def _newcombe(p_to: float, n_to: float, p_from: float, n_from: float) -> tuple[float, float]:
    lo, hi = confint_proportions_2indep(
        p_to / 100 * n_to, n_to, p_from / 100 * n_from, n_from, method="newcomb", compare="diff"
    )
    return 100 * lo, 100 * hi


def _values(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T"
    )


@pytest.fixture
def small() -> pd.DataFrame:
    """U21468 (helhetssyn, hemtjänst) and its respondents U23592 for two members and Riket."""
    rows = [
        ("U21468", "1480", 2019, 81.0), ("U23592", "1480", 2019, 4469.0),
        ("U21468", "1480", 2020, 80.0), ("U23592", "1480", 2020, 4128.0),
        ("U21468", "1480", 2022, 80.0), ("U23592", "1480", 2022, 3725.0),
        ("U21468", "1440", 2019, 86.0), ("U23592", "1440", 2019, 204.0),
        ("U21468", "1440", 2020, 87.0), ("U23592", "1440", 2020, 202.0),
        ("U21468", "1440", 2022, np.nan), ("U23592", "1440", 2022, 216.0),  # suppressed
        ("U21468", "0000", 2019, 88.0), ("U23592", "0000", 2019, 88749.0),
        ("U21468", "0000", 2020, 88.0), ("U23592", "0000", 2020, 82834.0),
        ("U21468", "0000", 2022, 86.0), ("U23592", "0000", 2022, 81902.0),
    ]  # fmt: skip
    return _values(rows)


def test_columns_and_steps(small):
    t = survey_changes(small, kpis=["U21468"], catalog=CAT, members=["1480", "1440"])
    assert tuple(t.columns) == CHANGE_COLUMNS
    steps = set(zip(t["from_year"], t["to_year"], strict=True))
    assert steps == {(2019, 2020), (2020, 2022), (2019, 2022)}
    assert set(t["level"]) == {"kommun", "gr", "riket"}


def test_municipality_interval_matches_statsmodels(small):
    t = survey_changes(small, kpis=["U21468"], catalog=CAT, members=["1480", "1440"])
    r = t[(t["municipality_id"] == "1480") & (t["from_year"] == 2019) & (t["to_year"] == 2022)]
    r = r.iloc[0]
    lo, hi = _newcombe(80.0, 3725, 81.0, 4469)
    assert r["change"] == pytest.approx(-1.0, abs=TOL)
    assert (r["ci_low"], r["ci_high"]) == (pytest.approx(lo, abs=TOL), pytest.approx(hi, abs=TOL))
    assert r["direction"] == "oklar" and r["verdict"] == "neutral"


def test_riket_decrease_is_a_worse_result(small):
    t = survey_changes(small, kpis=["U21468"], catalog=CAT, members=["1480", "1440"])
    r = t[(t["level"] == "riket") & (t["from_year"] == 2020) & (t["to_year"] == 2022)].iloc[0]
    assert r["ci_high"] < 0
    assert (r["direction"], r["verdict"]) == ("ned", "sämre")


def test_gr_pools_the_same_members_in_both_years(small):
    t = survey_changes(small, kpis=["U21468"], catalog=CAT, members=["1480", "1440"])
    gr = t[t["municipality_id"] == GR_POOLED].set_index(["from_year", "to_year"])
    # 2019→2020: both members; 2019→2022: 1440 is suppressed in 2022, so only 1480 counts
    both = gr.loc[(2019, 2020)]
    p19, n19 = pooled_share([81.0, 86.0], [4469, 204])
    p20, n20 = pooled_share([80.0, 87.0], [4128, 202])
    assert both["value_from"] == pytest.approx(p19) and both["respondents_to"] == n20
    lo, hi = _newcombe(p20, n20, p19, n19)
    assert both["ci_low"] == pytest.approx(lo, abs=TOL)
    assert both["ci_high"] == pytest.approx(hi, abs=TOL)
    assert both["n_members"] == 2 and both["missing_members"] == ()
    later = gr.loc[(2019, 2022)]
    assert later["n_members"] == 1 and later["missing_members"] == ("1440",)
    assert later["value_from"] == pytest.approx(81.0)  # not the 2-member 2019 share


def test_missing_value_is_missing_not_zero(small):
    t = survey_changes(small, kpis=["U21468"], catalog=CAT, members=["1480", "1440"])
    r = t[(t["municipality_id"] == "1440") & (t["to_year"] == 2022)]
    assert r["change"].isna().all() and (r["direction"] == "saknas").all()


def test_without_respondents_the_change_has_no_interval():
    v = _values([("U21468", "1480", 2019, 81.0), ("U21468", "1480", 2020, 85.0)])
    t = survey_changes(v, kpis=["U21468"], catalog=CAT, years=(2019, 2020), members=["1480"])
    r = t[t["municipality_id"] == "1480"].iloc[0]
    assert r["change"] == pytest.approx(4.0)
    assert np.isnan(r["ci_low"]) and r["direction"] == "oklar"


def test_lower_is_better_turns_the_verdict():
    v = _values(
        [
            ("U21478", "1480", 2019, 10.0), ("U23592", "1480", 2019, 4000.0),
            ("U21478", "1480", 2020, 14.0), ("U23592", "1480", 2020, 4000.0),
        ]
    )  # fmt: skip
    t = survey_changes(v, kpis=["U21478"], catalog=CAT, years=(2019, 2020), members=["1480"])
    assert t.iloc[0]["direction"] == "upp" and t.iloc[0]["verdict"] == "sämre"


def test_real_kolada_values_recomputed_independently():
    """Every GR member, GR pooled and Riket, 2019→2020→2022, against statsmodels."""
    path = require_shared(KOLADA_DIR / "values_elderly_care.csv.gz")
    raw = pd.read_csv(path, dtype={"municipality_id": str})
    kpis = ["U21468", "U23471"]
    wanted = [*kpis, "U23592", "U23594"]
    v = raw[raw["kpi"].isin(wanted) & (raw["gender"] == "T")]
    t = survey_changes(v, kpis=kpis, catalog=CAT)
    checked = 0
    for kpi, resp in (("U21468", "U23592"), ("U23471", "U23594")):
        share = v[v["kpi"] == kpi].pivot_table(index="municipality_id", columns="year",
                                               values="value")  # fmt: skip
        n = v[v["kpi"] == resp].pivot_table(index="municipality_id", columns="year", values="value")
        for a, b in ((2019, 2020), (2020, 2022), (2019, 2022)):
            for mid in [*GR_MUNICIPALITIES, "0000"]:
                row = t[(t["kpi"] == kpi) & (t["municipality_id"] == mid) & (t["from_year"] == a)
                        & (t["to_year"] == b)].iloc[0]  # fmt: skip
                if not all(np.isfinite(x) for x in (share.at[mid, a], share.at[mid, b])):
                    assert np.isnan(row["change"])
                    continue
                if not all(np.isfinite(x) for x in (n.at[mid, a], n.at[mid, b])):
                    assert np.isnan(row["ci_low"]) and np.isfinite(row["change"])
                    continue
                lo, hi = _newcombe(share.at[mid, b], n.at[mid, b], share.at[mid, a], n.at[mid, a])
                assert row["ci_low"] == pytest.approx(lo, abs=TOL)
                assert row["ci_high"] == pytest.approx(hi, abs=TOL)
                checked += 1
            ok = [
                m
                for m in GR_MUNICIPALITIES
                if all(
                    np.isfinite(x) for x in (share.at[m, a], share.at[m, b], n.at[m, a], n.at[m, b])
                )
            ]
            wa = (share.loc[ok, a] * n.loc[ok, a]).sum() / n.loc[ok, a].sum()
            wb = (share.loc[ok, b] * n.loc[ok, b]).sum() / n.loc[ok, b].sum()
            lo, hi = _newcombe(wb, n.loc[ok, b].sum(), wa, n.loc[ok, a].sum())
            gr = t[(t["kpi"] == kpi) & (t["municipality_id"] == GR_POOLED) & (t["from_year"] == a)
                   & (t["to_year"] == b)].iloc[0]  # fmt: skip
            assert gr["change"] == pytest.approx(wb - wa, abs=TOL)
            assert (gr["ci_low"], gr["ci_high"]) == (pytest.approx(lo, abs=TOL),
                                                     pytest.approx(hi, abs=TOL))  # fmt: skip
            assert gr["n_members"] == len(ok)
    assert checked > 60
    national = t[(t["level"] == "kommun") & (t["kpi"] == "U21468") & (t["from_year"] == 2019)
                 & (t["to_year"] == 2020)]  # fmt: skip
    assert national["change"].notna().sum() > 250


def test_array_form_agrees_with_the_scalar_interval():
    from fou.stats.position import two_proportion_interval
    from fou.stats.survey_change import newcombe

    cases = [(85.0, 400, 80.0, 380), (97.0, 35, 90.0, 31), (100.0, 40, 95.0, 44), (0.0, 50, 4, 60)]
    d, lo, hi = newcombe(*(np.array(c, dtype=float) for c in zip(*cases, strict=True)))
    for i, c in enumerate(cases):
        ref = two_proportion_interval(*c)
        assert (d[i], lo[i], hi[i]) == pytest.approx(ref, abs=1e-9)
    d, lo, hi = newcombe([80.0, np.nan], [0, 100], [75.0, 70.0], [100, 100])
    assert np.isnan(d).all() and np.isnan(lo).all()


def test_a_change_of_one_rounded_point_is_not_called_real():
    """Riket 88 → 87 with 80 000 respondents: the interval excludes 0, rounding does not."""
    v = _values([("U21468", "0000", 2019, 88.0), ("U23592", "0000", 2019, 80000.0),
                 ("U21468", "0000", 2020, 87.0), ("U23592", "0000", 2020, 80000.0)])  # fmt: skip
    r = survey_changes(v, kpis=["U21468"], catalog=CAT, years=(2019, 2020), members=[]).iloc[0]
    assert r["ci_high"] < 0 and r["rounding"] == 1.0
    assert r["direction"] == "oklar"
    v2 = v.assign(value=v["value"].replace({87.0: 86.0}))
    r2 = survey_changes(v2, kpis=["U21468"], catalog=CAT, years=(2019, 2020), members=[]).iloc[0]
    assert r2["direction"] == "ned"
