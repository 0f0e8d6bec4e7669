"""Tests of fou.stats.correlation against independent implementations.

Every statistic is compared with scipy, pingouin or statsmodels (or a formula
written out here) to at least 1e-6, on small deterministic tables and on the
real Kolada values (fixture ``real_values``).
"""

from __future__ import annotations

import itertools
import math
import statistics
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from scipy import stats as st
from statsmodels.stats.multitest import multipletests

from fou.core import registry, sv
from fou.core.errors import ParameterError
from fou.stats import (
    RESULT_COLUMNS,
    SCOPE_LABELS,
    adjust_pvalues,
    association_screen,
    expected_false_positives,
    fisher_ci,
    gr_vs_national,
    min_significant_r,
    pair_count,
    partial_association,
    permutation_pvalue,
    pooled_associations,
)
from fou.stats._estimators import permutation_indices, screen_pairs

# pingouin 0.7 calls DataFrame.rename(inplace=True), deprecated in pandas 3.1
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.rename")

GR = list(registry.GR_MUNICIPALITIES)
TOL = 1e-6
SEED = 0


# --------------------------------------------------------------------------- helpers


def long_table(data: dict[str, np.ndarray], *, ids: list[str], year: int = 2022) -> pd.DataFrame:
    """Tidy values table from {kpi: values per municipality} for one year."""
    rows = [
        {"kpi": k, "municipality_id": m, "year": year, "gender": "T", "value": float(v[i])}
        for k, v in data.items()
        for i, m in enumerate(ids)
    ]
    return pd.DataFrame(rows)


def panel_table(data: dict[str, np.ndarray], *, ids: list[str], years: list[int]) -> pd.DataFrame:
    """Tidy table from {kpi: array (municipalities × years)}."""
    return pd.concat(
        [
            long_table({k: v[:, t] for k, v in data.items()}, ids=ids, year=y)
            for t, y in enumerate(years)
        ],
        ignore_index=True,
    )


def gr_fixture() -> pd.DataFrame:
    """Deterministic GR-13 table with ties, a missing value and a weak pair."""
    a = np.array([81, 85, 85, 90, 77, 88, 92, 85, 79, 83, 87, 90, 86], dtype=float)
    b = np.array([78, 84, 86, 91, 80, 85, 93, 82, 75, 84, 88, 89, np.nan])
    c = np.array([3.1, -2.0, 0.5, 4.4, -1.2, 2.2, -0.7, 1.9, -3.3, 0.0, 2.8, -1.5, 0.9])
    d = np.array([np.nan, 12.0, 15.0, 11.0, 19.0, np.nan, 14.0, 16.0, 13.0, 18.0, 17.0, 12.0, 15.0])
    return long_table({"U21463": a, "U21468": b, "N20900": c, "N01813": d}, ids=GR, year=2019)


def scipy_corr(x: np.ndarray, y: np.ndarray, method: str):
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if method == "pearson":
        return st.pearsonr(x, y)
    return st.spearmanr(x, y)


def scipy_perm_p(
    x: np.ndarray, y: np.ndarray, method: str, n_resamples: int = 9999, seed: int = SEED
) -> float:
    """Permutation p with scipy's own pearsonr as the statistic (ranks for Spearman)."""
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if method == "spearman":
        x, y = st.rankdata(x), st.rankdata(y)

    def stat(xp, axis=-1):
        return st.pearsonr(xp, np.broadcast_to(y, xp.shape), axis=-1).statistic

    res = st.permutation_test(
        (x,),
        stat,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=n_resamples,
        alternative="two-sided",
        rng=seed,
    )
    return float(res.pvalue)


def bonett_wright_ci(r: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Spearman CI written out with the standard library only."""
    q = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    half = q * math.sqrt((1 + r * r / 2) / (n - 3))
    z = math.atanh(r)
    return math.tanh(z - half), math.tanh(z + half)


def wide(values: pd.DataFrame, year: int, ids: list[str]) -> pd.DataFrame:
    sub = values[
        (values["year"] == year) & (values["gender"] == "T") & values["municipality_id"].isin(ids)
    ]
    return sub.pivot(index="municipality_id", columns="kpi", values="value")


# --------------------------------------------------------------------------- fisher_ci


def test_fisher_ci_matches_scipy_pearsonr_interval():
    w = wide(gr_fixture(), 2019, GR)
    for a, b in [("U21463", "U21468"), ("U21463", "N20900"), ("N20900", "N01813")]:
        res = scipy_corr(w[a].to_numpy(), w[b].to_numpy(), "pearson")
        n = int((w[[a, b]].notna().all(axis=1)).sum())
        ci = res.confidence_interval(0.95)
        low, high = fisher_ci(res.statistic, n)
        assert low == pytest.approx(ci.low, abs=1e-12)
        assert high == pytest.approx(ci.high, abs=1e-12)
        ci90 = res.confidence_interval(0.90)
        assert fisher_ci(res.statistic, n, confidence=0.90) == pytest.approx(
            (ci90.low, ci90.high), abs=1e-12
        )


def test_fisher_ci_domain_brief_example():
    # Domain brief: n = 13, r = 0.5 -> about -0.07 to 0.82
    low, high = fisher_ci(0.5, 13)
    assert round(low, 2) == -0.07 and round(high, 2) == 0.82


def test_fisher_ci_matches_pingouin_compute_esci():
    for r, n in [(0.5, 13), (-0.31, 40), (0.9, 8)]:
        ci = pg.compute_esci(stat=r, nx=n, eftype="pearson", decimals=6)
        assert fisher_ci(r, n) == pytest.approx(tuple(ci), abs=TOL)


def test_fisher_ci_spearman_bonett_wright_and_fieller_formulas():
    for r, n in [(0.5, 13), (-0.2, 290), (0.85, 20)]:
        assert fisher_ci(r, n, method="spearman") == pytest.approx(
            bonett_wright_ci(r, n), abs=1e-12
        )
        q = statistics.NormalDist().inv_cdf(0.975)
        half = q * math.sqrt(1.06 / (n - 3))
        expected = (math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half))
        assert fisher_ci(r, n, method="fieller") == pytest.approx(expected, abs=1e-12)
    # hand-computed: r = 0.5, n = 13: z = 0.549306, se = sqrt(1.125/10) = 0.335410
    low, high = fisher_ci(0.5, 13, method="spearman")
    assert low == pytest.approx(math.tanh(0.5493061443 - 1.9599639845 * 0.3354101966), abs=1e-9)
    assert high == pytest.approx(0.835686, abs=1e-6)  # tanh(0.549306 + 0.657389)


def test_fisher_ci_nan_for_small_n_and_vectorised():
    assert all(np.isnan(fisher_ci(0.4, 3)))
    assert all(np.isnan(fisher_ci(np.nan, 30)))
    low, high = fisher_ci(np.array([0.1, 0.5, np.nan]), np.array([13, 2, 13]))
    assert low.shape == (3,)
    assert np.isfinite(low[0]) and np.isnan(low[1]) and np.isnan(high[2])


def test_fisher_ci_rejects_bad_parameters():
    with pytest.raises(ParameterError, match="method"):
        fisher_ci(0.5, 13, method="kendall")
    with pytest.raises(ParameterError, match="confidence"):
        fisher_ci(0.5, 13, confidence=95)


# --------------------------------------------------------------------------- adjust_pvalues


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
def test_adjust_pvalues_matches_statsmodels_and_keeps_nan(method):
    p = np.array([0.001, np.nan, 0.04, 0.03, 0.5, np.nan, 0.012])
    out = adjust_pvalues(p, method=method)
    ok = ~np.isnan(p)
    np.testing.assert_allclose(out[ok], multipletests(p[ok], method=method)[1], atol=1e-15)
    assert np.isnan(out[~ok]).all()


@pytest.mark.parametrize("method", ["holm", "fdr_bh"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adjust_pvalues_matches_statsmodels_on_many_tests_with_ties(method, seed):
    rng = np.random.default_rng(seed)
    p = np.round(rng.uniform(0, 1, 2_000) ** 3, 3)  # many small p-values, many ties
    p[:5] = [0.0, 1.0, 1.0, 0.0005, 0.0005]
    np.testing.assert_allclose(
        adjust_pvalues(p, method=method), multipletests(p, method=method)[1], atol=1e-12
    )


def test_adjust_pvalues_edge_cases():
    assert np.isnan(adjust_pvalues([np.nan, np.nan], method="holm")).all()
    assert adjust_pvalues([], method="fdr_bh").shape == (0,)
    with pytest.raises(ParameterError, match="adjust"):
        adjust_pvalues([0.1], method="none")
    with pytest.raises(ParameterError, match="mellan 0 och 1"):
        adjust_pvalues([1.2], method="holm")


# --------------------------------------------------------------------------- permutation_pvalue


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_permutation_pvalue_matches_scipy_random(method):
    w = wide(gr_fixture(), 2019, GR)
    for a, b in [("U21463", "U21468"), ("U21463", "N20900"), ("U21468", "N01813")]:
        x, y = w[a].to_numpy(), w[b].to_numpy()
        ours = permutation_pvalue(x, y, method=method, seed=SEED)
        assert ours == pytest.approx(scipy_perm_p(x, y, method), abs=1e-12)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_permutation_pvalue_exact_for_small_n(method):
    x = np.array([1.0, 2.0, 2.0, 4.0, 5.0, 7.0, 6.5])
    y = np.array([2.0, 1.0, 3.0, 3.0, 6.0, 5.0, 8.0])
    ours = permutation_pvalue(x, y, method=method, n_resamples=99)
    # brute force over all 7! pairings, scipy's two-sided rule and tolerance
    sx = st.rankdata(x) if method == "spearman" else x
    sy = st.rankdata(y) if method == "spearman" else y
    obs = st.pearsonr(sx, sy).statistic
    null = np.array(
        [st.pearsonr(sx[list(p)], sy).statistic for p in itertools.permutations(range(7))]
    )
    gamma = abs(obs) * np.finfo(float).eps * 100
    expected = min(1.0, 2 * min(np.mean(null <= obs + gamma), np.mean(null >= obs - gamma)))
    assert ours == pytest.approx(expected, abs=1e-12)
    # n = 8 is exact too (8! = 40320 permutations) although 8! > n_resamples
    x8, y8 = np.append(x, 3.0), np.append(y, 4.0)
    sc = st.permutation_test(
        (st.rankdata(x8) if method == "spearman" else x8,),
        lambda xp, axis=-1: (
            st.pearsonr(
                xp,
                np.broadcast_to(st.rankdata(y8) if method == "spearman" else y8, xp.shape),
                axis=-1,
            ).statistic
        ),
        permutation_type="pairings",
        vectorized=True,
        n_resamples=np.inf,
    )
    assert permutation_pvalue(x8, y8, method=method) == pytest.approx(sc.pvalue, abs=1e-12)


def test_permutation_pvalue_edge_cases():
    assert np.isnan(permutation_pvalue([1.0, 2.0], [2.0, 1.0]))
    assert np.isnan(permutation_pvalue([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]))
    assert np.isnan(permutation_pvalue([np.nan] * 5, [1.0, 2.0, 3.0, 4.0, 5.0]))
    # missing pairs are dropped: same as on the complete pairs
    x = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 9.0, 3.0, 8.0, 11.0])
    y = np.array([2.0, 1.0, 3.0, np.nan, 4.0, 7.0, 6.0, 8.0, 5.0, 9.0, 10.0])
    keep = ~(np.isnan(x) | np.isnan(y))
    assert permutation_pvalue(x, y) == permutation_pvalue(x[keep], y[keep])
    with pytest.raises(ParameterError, match="lika många"):
        permutation_pvalue([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ParameterError, match="method"):
        permutation_pvalue(x, y, method="kendall")
    with pytest.raises(ParameterError, match="n_resamples"):
        permutation_pvalue(x, y, n_resamples=0)
    with pytest.raises(ParameterError, match="seed"):
        permutation_pvalue(x, y, seed=-1)


def test_permutation_indices_follow_scipy_stream():
    idx, exact = permutation_indices(13, 50, 7)
    expected = np.random.default_rng(7).permuted(np.tile(np.arange(13), (50, 1, 1)), axis=-1)[
        :, 0, :
    ]
    assert not exact
    np.testing.assert_array_equal(idx, expected)
    idx, exact = permutation_indices(4, 9999, 7)
    assert exact and idx.shape == (24, 4)


def test_screen_engine_matches_per_pair_test_with_missing_patterns():
    rng = np.random.default_rng(11)
    w = rng.normal(size=(30, 5)).round(1)
    w[rng.random(w.shape) < 0.15] = np.nan  # different complete rows per pair
    w[:, 4] = np.where(np.arange(30) < 25, np.nan, w[:, 4])  # 5 rows left: exact
    res = screen_pairs([w], methods=("pearson", "spearman"), n_resamples=999, seed=3)[0]
    for method in ("pearson", "spearman"):
        for pos, (i, j) in enumerate(itertools.combinations(range(5), 2)):
            x, y = w[:, i], w[:, j]
            n = int((~np.isnan(x) & ~np.isnan(y)).sum())
            assert res[method].n[pos] == n
            if n >= 3:
                assert res[method].r[pos] == pytest.approx(
                    scipy_corr(x, y, method).statistic, abs=1e-12
                )
                expected = permutation_pvalue(x, y, method=method, n_resamples=999, seed=3)
                assert res[method].p_perm[pos] == pytest.approx(expected, abs=1e-12)


# --------------------------------------------------------------------------- association_screen


def check_screen_against_scipy(
    values: pd.DataFrame, res: pd.DataFrame, ids: list[str], n_resamples: int
):
    for row in res.itertuples(index=False):
        w = wide(values, row.year, ids)
        x, y = w[row.x].to_numpy(), w[row.y].to_numpy()
        method = row.method.lower()
        n = int((~np.isnan(x) & ~np.isnan(y)).sum())
        assert row.n == n
        if n < 3:
            assert np.isnan(row.r)
            continue
        ref = scipy_corr(x, y, method)
        assert row.r == pytest.approx(ref.statistic, abs=1e-10)
        assert row.p_val == pytest.approx(ref.pvalue, abs=1e-8)
        if method == "pearson":
            ci = ref.confidence_interval()
            assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-10)
        else:
            assert (row.ci_low, row.ci_high) == pytest.approx(
                bonett_wright_ci(ref.statistic, n), abs=1e-10
            )
        assert row.p_perm == pytest.approx(scipy_perm_p(x, y, method, n_resamples, SEED), abs=1e-12)


def test_screen_gr_matches_scipy_and_statsmodels():
    values = gr_fixture()
    kpis = ["U21463", "U21468", "N20900", "N01813"]
    res = association_screen(
        values, kpis=kpis, adjust="holm", method=("spearman", "pearson"), seed=SEED
    )
    assert list(res.columns) == list(RESULT_COLUMNS)
    assert len(res) == 6 * 2
    assert set(res["scope"]) == {"gr"} and set(res["adjust"]) == {"Holm"}
    assert list(res[["x", "y"]].iloc[0]) == ["U21463", "U21468"]
    check_screen_against_scipy(values, res, GR, 9999)
    for _, fam in res.groupby("method"):
        expected = multipletests(fam["p_perm"].to_numpy(), method="holm")[1]
        np.testing.assert_allclose(fam["p_adj"].to_numpy(), expected, atol=1e-15)
        assert (fam["n_tests"] == 6).all()
    assert (res["significant"] == (res["p_adj"] < 0.05)).all()
    assert res["note"].str.contains("GR:s 13 kommuner: med ").all()
    assert not res["note"].str.contains("GR-13|rmcorr").any()
    # 12 complete pairs for U21463–U21468 (one missing value)
    assert res.loc[(res["x"] == "U21463") & (res["y"] == "U21468"), "n"].eq(12).all()


def test_reader_texts_name_gr_in_words():
    assert SCOPE_LABELS["gr"] == "GR:s 13 kommuner (Göteborgsregionen)"
    values = gr_fixture()
    res = association_screen(values, kpis=["U21463", "U21468"], adjust="holm", n_resamples=None)
    note = res["note"].iloc[0]
    rc = min_significant_r(int(res["n"].iloc[0]))
    assert (
        f"GR:s 13 kommuner: med 12 kommuner behöver korrelationen vara minst "
        f"{sv.number(rc, 2)} eller högst {sv.number(-rc, 2)} för p < 0,05"
    ) in note
    assert "−" in sv.number(-rc, 2)  # a true minus
    pooled = pooled_associations(panel_fixture(), x="U21463", y="U21468")
    assert "rmcorr" not in " ".join(pooled["method"]) + " ".join(pooled["note"])


def test_screen_without_permutations_adjusts_p_val():
    values = gr_fixture()
    res = association_screen(
        values, kpis=["U21463", "U21468", "N20900"], adjust="fdr_bh", n_resamples=None
    )
    assert res["p_perm"].isna().all()
    np.testing.assert_allclose(
        res["p_adj"], multipletests(res["p_val"], method="fdr_bh")[1], atol=1e-15
    )
    assert set(res["adjust"]) == {"Benjamini–Hochberg"}


def test_significant_only_after_adjustment():
    # three pairs with unadjusted p just under .05 are not significant after Holm
    rng = np.random.default_rng(5)
    base = rng.normal(size=13)
    data = {"U21463": base, "U21468": base + rng.normal(scale=2.2, size=13)}
    for k in ("N20900", "N01813", "N20403", "N20404"):
        data[k] = rng.normal(size=13)
    res = association_screen(
        long_table(data, ids=GR), kpis=list(data), adjust="holm", n_resamples=None
    )
    raw_hits = res["p_val"] < 0.05
    assert (res.loc[res["significant"], "p_adj"] < 0.05).all()
    assert not (res["significant"] & ~(res["p_adj"] < 0.05)).any()
    assert raw_hits.sum() >= res["significant"].sum()


def test_screen_family_matrix_vs_screen():
    values = pd.concat([gr_fixture(), gr_fixture().assign(year=2020)], ignore_index=True)
    kpis = ["U21463", "U21468", "N20900"]
    per = association_screen(values, kpis=kpis, adjust="holm", n_resamples=None)
    whole = association_screen(values, kpis=kpis, adjust="holm", n_resamples=None, family="screen")
    assert (per["n_tests"] == 3).all() and (whole["n_tests"] == 6).all()
    np.testing.assert_allclose(whole["p_adj"], multipletests(whole["p_val"], method="holm")[1])


def test_screen_all_municipalities_excludes_riket_and_regions():
    ids = registry.municipality_ids()
    rng = np.random.default_rng(9)
    base = rng.normal(size=len(ids))
    values = long_table({"U21463": base + rng.normal(size=len(ids)), "U21468": base}, ids=ids)
    extra = long_table(
        {"U21463": np.array([50.0, 60.0]), "U21468": np.array([-40.0, 99.0])}, ids=["0000", "0014"]
    )
    values = pd.concat([values, extra], ignore_index=True)
    res = association_screen(
        values, kpis=["U21463", "U21468"], adjust="holm", municipalities="all", n_resamples=999
    )
    assert res["n"].tolist() == [290]
    assert res["scope"].tolist() == ["riket"]
    check_screen_against_scipy(values, res, ids, 999)


def test_screen_edge_cases_missing_constant_few_pairs():
    a = np.arange(13, dtype=float)
    data = {
        "U21463": a,
        "U21468": np.full(13, np.nan),  # all values missing
        "N20900": np.full(13, 7.0),  # constant
        "N01813": np.where(a < 2, a, np.nan),  # two pairs only
        "N20403": np.where(a < 3, a[::-1], np.nan),  # three pairs: r, no CI
    }
    res = association_screen(
        long_table(data, ids=GR), kpis=list(data), adjust="holm", method="pearson"
    )
    by = res.set_index(["x", "y"])
    row = by.loc[("U21463", "U21468")]
    assert (
        row["n"] == 0 and np.isnan(row["r"]) and np.isnan(row["p_adj"]) and not row["significant"]
    )
    assert row["flag_small_n"] and row["flag_wide_ci"] and "Inga kommuner" in row["note"]
    row = by.loc[("U21463", "N20900")]
    assert row["n"] == 13 and np.isnan(row["r"]) and "samma värde" in row["note"]
    row = by.loc[("U21463", "N01813")]
    assert row["n"] == 2 and np.isnan(row["r"]) and "Färre än 3" in row["note"]
    row = by.loc[("U21463", "N20403")]
    assert row["n"] == 3 and row["r"] == pytest.approx(-1.0) and np.isnan(row["ci_low"])
    assert row["p_perm"] == pytest.approx(2 * 1 / 6)  # exact: 1 of 3! pairings in each tail
    assert "konfidensintervall" in row["note"]
    assert res["n_tests"].max() == int(res["p_perm"].notna().sum())


def test_screen_with_ties_matches_scipy_spearman():
    x = np.array([1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 7, 7], dtype=float)
    y = np.array([2, 1, 2, 3, 3, 3, 5, 4, 6, 6, 6, 8, 7], dtype=float)
    values = long_table({"U21463": x, "U21468": y}, ids=GR)
    res = association_screen(
        values, kpis=["U21463", "U21468"], adjust="holm", method=("spearman", "pearson")
    )
    check_screen_against_scipy(values, res, GR, 9999)


def test_screen_single_year_and_year_selection():
    values = pd.concat([gr_fixture(), gr_fixture().assign(year=2020)], ignore_index=True)
    one = association_screen(values, kpis=["U21463", "U21468"], adjust="holm", year=2020)
    assert one["year"].tolist() == [2020]
    both = association_screen(values, kpis=["U21463", "U21468"], adjust="holm")
    assert both["year"].tolist() == [2019, 2020]
    assert both["r"].iloc[0] == both["r"].iloc[1]


def test_screen_warns_when_permutations_too_few():
    rng = np.random.default_rng(2)
    data = {f"N2{i:04d}": rng.normal(size=13) for i in range(8)}  # 28 pairs
    values = long_table(data, ids=GR)
    with pytest.warns(UserWarning, match="n_resamples"):
        association_screen(values, kpis=list(data), adjust="holm", n_resamples=99)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        association_screen(values, kpis=list(data), adjust="holm", n_resamples=9999)


def test_screen_adjust_is_required():
    with pytest.raises(TypeError):
        association_screen(gr_fixture(), kpis=["U21463", "U21468"])  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"adjust": "none"}, "adjust"),
        ({"kpis": ["U21463"]}, "minst två"),
        ({"kpis": "U21463"}, "lista"),
        ({"kpis": ["U21463", "U21463"]}, "mer än en gång"),
        ({"kpis": ["U21463", "X99999"]}, "X99999"),
        ({"year": 1999}, "1999"),
        ({"year": "2019"}, "årtal"),
        ({"municipalities": "göteborg"}, "municipalities"),
        ({"municipalities": ["1480", "0014", "1481"]}, "region"),
        ({"municipalities": ["1480", "1481"]}, "minst 3"),
        ({"method": "kendall"}, "method"),
        ({"alpha": 0}, "alpha"),
        ({"n_resamples": 0}, "n_resamples"),
        ({"seed": 1.5}, "seed"),
        ({"gender": "X"}, "kön"),
        ({"family": "all"}, "family"),
        ({"min_n": 0}, "min_n"),
    ],
)
def test_screen_rejects_bad_parameters(kwargs, match):
    args = {"kpis": ["U21463", "U21468"], "adjust": "holm"} | kwargs
    with pytest.raises(ParameterError, match=match):
        association_screen(gr_fixture(), **args)


def test_screen_rejects_bad_tables():
    with pytest.raises(ParameterError, match="saknar kolumnerna"):
        association_screen(
            gr_fixture().drop(columns="gender"), kpis=["U21463", "U21468"], adjust="holm"
        )
    doubled = pd.concat([gr_fixture(), gr_fixture()], ignore_index=True)
    with pytest.raises(ParameterError, match="flera rader"):
        association_screen(doubled, kpis=["U21463", "U21468"], adjust="holm")


def test_screen_custom_municipality_list_and_names():
    values = gr_fixture()
    res = association_screen(
        values,
        kpis=["U21463", "N20900"],
        adjust="holm",
        municipalities=["Göteborg", "1481", "1482", "1489", "1401"],
    )
    assert res["scope"].tolist() == ["urval"] and res["n"].tolist() == [5]
    all_gr = association_screen(
        values, kpis=["U21463", "N20900"], adjust="holm", municipalities=GR[::-1]
    )
    assert all_gr["scope"].tolist() == ["gr"]


# --------------------------------------------------------------------------- gr_vs_national


def test_gr_vs_national_side_by_side():
    ids = registry.municipality_ids()
    rng = np.random.default_rng(21)
    base = rng.normal(size=len(ids))
    data = {
        "U21463": base + rng.normal(size=len(ids)),
        "U21468": base,
        "N20900": rng.normal(size=len(ids)),
    }
    values = long_table(data, ids=ids)
    kw = {"kpis": list(data), "adjust": "fdr_bh", "n_resamples": 999}
    out = gr_vs_national(values, **kw)
    gr = association_screen(values, municipalities="gr", **kw)
    ri = association_screen(values, municipalities="all", **kw)
    assert out["x"].tolist() == gr["x"].tolist() and out["y"].tolist() == gr["y"].tolist()
    np.testing.assert_array_equal(out["r_gr"], gr["r"])
    np.testing.assert_array_equal(out["r_riket"], ri["r"])
    np.testing.assert_array_equal(out["p_adj_riket"], ri["p_adj"])
    assert (out["n_gr"] == 13).all() and (out["n_riket"] == 290).all()
    inside = (out["r_riket"] >= out["ci_low_gr"]) & (out["r_riket"] <= out["ci_high_gr"])
    assert (out["riket_in_gr_ci"] == inside).all()
    assert set(out["pattern"]) <= {
        "GR förenligt med riket",
        "GR avviker från riket",
        "kan inte bedömas",
    }
    long = gr_vs_national(values, wide=False, **kw)
    assert sorted(set(long["scope"])) == ["gr", "riket"] and len(long) == 6


# --------------------------------------------------------------------------- pooled_associations


def panel_fixture(single_obs: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(42)
    years = list(range(2015, 2021))
    level = rng.normal(size=(13, 1)) * 5
    x = 80 + level + rng.normal(size=(13, 6)).round(1)
    y = 60 - level + 0.6 * (x - x.mean(axis=1, keepdims=True)) + rng.normal(size=(13, 6)).round(1)
    x[2, 1] = np.nan
    y[5, 3] = np.nan
    if single_obs:
        x[7, 1:] = np.nan  # Lilla Edet-like: one year only
    return panel_table({"U21463": x, "U21468": y}, ids=GR, years=years)


def rm_frame(values: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    sub = values[values["municipality_id"].isin(GR)]
    if years is not None:
        sub = sub[sub["year"].isin(years)]
    return sub.pivot_table(
        index=["municipality_id", "year"], columns="kpi", values="value", dropna=False
    ).reset_index()


@pytest.mark.parametrize("single_obs", [False, True])
def test_pooled_within_matches_pingouin_rm_corr(single_obs):
    values = panel_fixture(single_obs)
    res = pooled_associations(values, x="U21463", y="U21468")
    within = res[res["level"] == "inom kommun"].iloc[0]
    df = rm_frame(values)
    ref = pg.rm_corr(data=df, x="U21463", y="U21468", subject="municipality_id")
    assert within["r"] == pytest.approx(ref["r"].iloc[0], abs=TOL)
    assert within["dof"] == ref["dof"].iloc[0]
    p_ref = ref["p_val"].iloc[0] if "p_val" in ref else ref["pval"].iloc[0]
    assert within["p_val"] == pytest.approx(p_ref, abs=TOL)
    ci_ref = ref["CI95"].iloc[0]  # pingouin rounds this CI to 2 decimals
    assert (within["ci_low"], within["ci_high"]) == pytest.approx(tuple(ci_ref), abs=0.005 + 1e-12)
    ci6 = pg.compute_esci(stat=within["r"], nx=int(within["dof"]) + 2, eftype="pearson", decimals=6)
    assert (within["ci_low"], within["ci_high"]) == pytest.approx(tuple(ci6), abs=TOL)
    # independent ANCOVA with statsmodels: partial r of x from the t value
    ok = df.dropna()
    fit = smf.ols("U21468 ~ U21463 + C(municipality_id)", data=ok).fit()
    t = fit.tvalues["U21463"]
    assert within["r"] == pytest.approx(t / math.sqrt(t * t + fit.df_resid), abs=1e-9)
    assert within["p_val"] == pytest.approx(fit.pvalues["U21463"], abs=1e-9)
    singletons = 1 if single_obs else 0
    assert within["n"] == len(ok) - singletons
    assert within["n_municipalities"] == 13 - singletons


def test_pooled_between_is_correlation_of_means():
    values = panel_fixture(single_obs=True)
    for method in ("pearson", "spearman"):
        res = pooled_associations(values, x="U21463", y="U21468", method=method)
        between = res[res["level"] == "mellan kommuner"].iloc[0]
        means = rm_frame(values).dropna().groupby("municipality_id")[["U21463", "U21468"]].mean()
        ref = scipy_corr(means["U21463"].to_numpy(), means["U21468"].to_numpy(), method)
        assert between["n"] == 13 and between["dof"] == 11
        assert between["r"] == pytest.approx(ref.statistic, abs=1e-10)
        assert between["p_val"] == pytest.approx(ref.pvalue, abs=1e-8)
        assert between["method"] == method.capitalize()
    assert list(res["level"]) == ["inom kommun", "mellan kommuner"]
    assert res["method"].iloc[0] == "Samband inom kommun (upprepade mätningar)"
    np.testing.assert_allclose(res["p_adj"], multipletests(res["p_val"], method="holm")[1])
    assert res["years"].tolist() == ["2015–2020"] * 2 and res["year"].isna().all()


def test_pooled_single_year_within_not_estimable():
    values = panel_fixture()
    res = pooled_associations(values, x="U21463", y="U21468", years=2017)
    within, between = res.iloc[0], res.iloc[1]
    assert np.isnan(within["r"]) and pd.isna(within["dof"]) and not within["significant"]
    assert within["flag_small_n"] and within["flag_wide_ci"] and "Bara ett år" in within["note"]
    w = wide(values, 2017, GR)
    ref = st.pearsonr(*w[["U21463", "U21468"]].dropna().to_numpy().T)
    assert between["r"] == pytest.approx(ref.statistic, abs=1e-10)
    assert between["p_adj"] == pytest.approx(ref.pvalue, abs=1e-8)  # the only test


def test_pooled_rejects_bad_parameters():
    values = panel_fixture()
    with pytest.raises(ParameterError, match="olika"):
        pooled_associations(values, x="U21463", y="U21463")
    with pytest.raises(ParameterError, match="method"):
        pooled_associations(values, x="U21463", y="U21468", method="rmcorr")
    with pytest.raises(ParameterError, match="2030"):
        pooled_associations(values, x="U21463", y="U21468", years=[2030, 2031])
    # a list may include years without values (they contribute nothing)
    part = pooled_associations(values, x="U21463", y="U21468", years=[2016, 2017, 2030])
    assert part["years"].tolist() == ["2016–2017"] * 2


# --------------------------------------------------------------------------- partial_association


def partial_fixture() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    z = rng.normal(size=13)
    w2 = rng.normal(size=13)
    data = {
        "N01813": (20 + 3 * z).round(1),
        "N01960": w2,
        "U21463": (85 + 4 * z + rng.normal(size=13)).round(0),
        "U21468": (80 + 3 * z - w2 + rng.normal(size=13)).round(0),
    }
    data["U21468"][4] = np.nan
    return long_table(data, ids=GR, year=2019)


@pytest.mark.parametrize("method", ["pearson", "spearman"])
@pytest.mark.parametrize("covs", [["N01813"], ["N01813", "N01960"]])
def test_partial_matches_pingouin(method, covs):
    values = partial_fixture()
    res = partial_association(
        values, x="U21463", y="U21468", covariates=covs, year=2019, method=method
    )
    row = res.iloc[0]
    w = wide(values, 2019, GR)[["U21463", "U21468", *covs]].dropna()
    ref = pg.partial_corr(data=w, x="U21463", y="U21468", covar=covs, method=method)
    assert row["n"] == ref["n"].iloc[0] == 12
    assert row["dof"] == 12 - len(covs) - 2
    assert row["r"] == pytest.approx(ref["r"].iloc[0], abs=TOL)
    assert row["p_val"] == pytest.approx(ref["p_val"].iloc[0], abs=TOL)
    if method == "pearson":
        ci = (row["ci_low"], row["ci_high"])
        assert ci == pytest.approx(
            tuple(ref["CI95"].iloc[0]), abs=0.005 + 1e-12
        )  # rounded by pingouin
        k = len(covs)
        ci6 = pg.compute_esci(stat=row["r"], nx=12 - k, ny=12 - k, eftype="r", decimals=6)
        assert ci == pytest.approx(tuple(ci6), abs=TOL)
    else:
        expected = bonett_wright_ci(row["r"], 12 - len(covs))
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(expected, abs=1e-10)
    assert row["covariates"] == ", ".join(covs)
    assert "x" in res.columns and list(res.columns[:3]) == ["x", "y", "covariates"]


def test_partial_edge_cases():
    values = partial_fixture()
    const = long_table({"N20900": np.full(13, 5.0)}, ids=GR, year=2019)
    res = partial_association(
        pd.concat([values, const]), x="U21463", y="U21468", covariates="N20900", year=2019
    )
    assert np.isnan(res["r"].iloc[0]) and "samma värde" in res["note"].iloc[0]
    with pytest.raises(ParameterError, match="också x eller y"):
        partial_association(values, x="U21463", y="U21468", covariates=["U21463"], year=2019)
    with pytest.raises(ParameterError, match="minst en"):
        partial_association(values, x="U21463", y="U21468", covariates=[], year=2019)
    with pytest.raises(ParameterError, match="year"):
        partial_association(values, x="U21463", y="U21468", covariates="N01813", year=None)


# --------------------------------------------------------------------------- quoted numbers


def test_min_significant_r_domain_numbers_and_t_distribution():
    assert min_significant_r(13) == pytest.approx(0.553, abs=5e-4)
    assert min_significant_r(290) == pytest.approx(0.115, abs=5e-4)
    for n in (5, 13, 40, 290):
        rc = min_significant_r(n, alpha=0.05)
        t = rc * math.sqrt((n - 2) / (1 - rc * rc))
        assert 2 * st.t.sf(t, n - 2) == pytest.approx(0.05, abs=1e-10)
    out = min_significant_r(np.array([2, 13]))
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.5529, abs=1e-4)


def test_expected_false_positives_and_pair_count():
    assert pair_count(20) == 190
    assert expected_false_positives(190) == pytest.approx(9.5)
    assert expected_false_positives(pair_count(20), alpha=0.01) == pytest.approx(1.9)
    with pytest.raises(ParameterError):
        expected_false_positives(-1)
    with pytest.raises(ParameterError):
        pair_count(2.5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- real Kolada values


@pytest.mark.shared
@pytest.mark.parametrize("municipalities", ["gr", "all"])
def test_real_values_screen_2019(real_values, municipalities):
    kpis = ["U21463", "U21468", "N01813"]
    res = association_screen(
        real_values,
        kpis=kpis,
        year=2019,
        municipalities=municipalities,
        adjust="fdr_bh",
        method=("spearman", "pearson"),
    )
    ids = GR if municipalities == "gr" else registry.municipality_ids()
    check_screen_against_scipy(real_values, res, ids, 9999)
    pair = res[(res["x"] == "U21463") & (res["y"] == "U21468")]
    if municipalities == "gr":
        assert (pair["n"] == 13).all()
    else:
        assert (pair["n"] > 250).all() and (pair["n"] <= 290).all()
    for _, fam in res.groupby("method"):
        np.testing.assert_allclose(
            fam["p_adj"], multipletests(fam["p_perm"], method="fdr_bh")[1], atol=1e-15
        )


@pytest.mark.shared
def test_real_values_survey_not_run_2021_gives_empty_rows(real_values):
    # the survey was not run in 2021: a list of years shows the gap as empty rows
    res = association_screen(
        real_values, kpis=["U21463", "U21468"], year=[2020, 2021], adjust="holm"
    )
    assert res["year"].tolist() == [2020, 2021]
    gap = res[res["year"] == 2021].iloc[0]
    assert gap["n"] == 0 and np.isnan(gap["r"]) and not gap["significant"]
    assert "Inga kommuner" in gap["note"]
    with pytest.raises(ParameterError, match="2021"):
        association_screen(real_values, kpis=["U21463", "U21468"], year=2021, adjust="holm")


@pytest.mark.shared
def test_real_values_pooled_gr_matches_pingouin(real_values):
    years = list(range(2015, 2023))
    res = pooled_associations(real_values, x="U21463", y="U21468", years=years)
    within = res.iloc[0]
    df = rm_frame(real_values[real_values["gender"] == "T"], years)
    ref = pg.rm_corr(data=df, x="U21463", y="U21468", subject="municipality_id")
    assert within["r"] == pytest.approx(ref["r"].iloc[0], abs=TOL)
    assert within["dof"] == ref["dof"].iloc[0]
    p_ref = ref["p_val"].iloc[0] if "p_val" in ref else ref["pval"].iloc[0]
    assert within["p_val"] == pytest.approx(p_ref, abs=TOL)
    assert within["years"] == "2015–2022"  # 2021 (no survey) has no pairs but lies inside the span


@pytest.mark.shared
@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_real_values_partial_matches_pingouin(real_values, method):
    for municipalities, ids in (("gr", GR), ("all", registry.municipality_ids())):
        res = partial_association(
            real_values,
            x="U21463",
            y="U21468",
            covariates=["N01813"],
            year=2019,
            municipalities=municipalities,
            method=method,
        )
        w = wide(real_values, 2019, ids)[["U21463", "U21468", "N01813"]].dropna()
        ref = pg.partial_corr(data=w, x="U21463", y="U21468", covar=["N01813"], method=method)
        row = res.iloc[0]
        assert row["n"] == ref["n"].iloc[0]
        assert row["r"] == pytest.approx(ref["r"].iloc[0], abs=TOL)
        assert row["p_val"] == pytest.approx(ref["p_val"].iloc[0], abs=TOL)


def test_t_distribution_where_permutations_are_not_needed():
    """``permute_below``: pairs with n ≥ 30 take the t p-value, which agrees with a large
    permutation null from scipy to 0,01; smaller pairs are still permuted."""
    from scipy.stats import permutation_test, spearmanr

    from fou.stats.correlation import ASYMPTOTIC_FROM

    rng = np.random.default_rng(5)
    ids = registry.municipality_ids()
    base = rng.normal(size=len(ids))
    rows = []
    for k, w in (("U21463", 0.25), ("U21468", 0.25), ("N20900", 0.0)):
        v = base * w + rng.normal(size=len(ids))
        rows += [{"kpi": k, "municipality_id": m, "year": 2022, "gender": "T", "value": float(x)}
                 for m, x in zip(ids, v, strict=True)]  # fmt: skip
    values = pd.DataFrame(rows)
    sub = values[values["municipality_id"].isin(ids[:40])]
    res = association_screen(sub, kpis=["U21463", "U21468", "N20900"], adjust="holm",
                             municipalities=ids[:40], n_resamples=999,
                             permute_below=ASYMPTOTIC_FROM)  # fmt: skip
    assert res["p_perm"].isna().all() and (res["n"] == 40).all()
    for r in res.itertuples(index=False):
        x = sub[sub["kpi"] == r.x].set_index("municipality_id")["value"].loc[ids[:40]]
        y = sub[sub["kpi"] == r.y].set_index("municipality_id")["value"].loc[ids[:40]]
        yy = y.to_numpy()
        ref = permutation_test((x.to_numpy(),), lambda a, yy=yy: spearmanr(a, yy)[0],
                               permutation_type="pairings", n_resamples=9_999, batch=10_000,
                               random_state=1).pvalue  # fmt: skip
        assert r.p_val == pytest.approx(ref, abs=0.01)
    gr = association_screen(values, kpis=["U21463", "U21468"], adjust="holm",
                            n_resamples=999, permute_below=ASYMPTOTIC_FROM)  # fmt: skip
    assert gr["p_perm"].notna().all() and (gr["n"] == 13).all()  # 13 < 30: permuted
    assert gr["p_adj"].iloc[0] == pytest.approx(gr["p_perm"].iloc[0])


@pytest.mark.parametrize("share", [0.02, 0.5, 0.97])
def test_unique_rows_of_the_screen_are_numpys_unique_rows(share):
    from fou.stats._estimators import _unique_rows

    rng = np.random.default_rng(7)
    for n_rows, width in [(1, 1), (5, 3), (40, 13), (70, 290), (3, 9)]:
        masks = rng.random((n_rows, width)) < share
        expected, expected_inverse = np.unique(masks, axis=0, return_inverse=True)
        uniq, inverse = _unique_rows(masks)
        assert uniq.dtype == bool and uniq.shape == expected.shape
        np.testing.assert_array_equal(uniq, expected)
        np.testing.assert_array_equal(inverse, expected_inverse.ravel())
