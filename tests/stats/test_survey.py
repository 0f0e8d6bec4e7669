"""Tests for fou.stats.survey: Wilson intervals, survey uncertainty, funnel data.

Every interval and limit is checked against an independent computation:
statsmodels' ``proportion_confint(method="wilson")`` for the intervals,
``scipy.stats.norm`` for the normal limits and a brute-force mid-p inversion
with ``scipy.stats.binom`` for the binomial limits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from fou.core import sv
from fou.core.catalog import load_catalog
from fou.core.errors import DataNotFoundError, ParameterError
from fou.core.registry import GR_MUNICIPALITIES, municipality_ids
from fou.stats.survey import (
    FunnelData,
    binomial_limits,
    funnel_data,
    normal_limits,
    survey_uncertainty,
    wilson_interval,
)

TOL = 1e-6


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _values(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T"
    )


@pytest.fixture
def survey_values() -> pd.DataFrame:
    """U21463 (hemtjänst) with respondents U23592 and response rate U23593 for 2020–2022."""
    rows = [
        ("U21463", "0000", 2022, 85.0), ("U23592", "0000", 2022, 80000.0),
        ("U21463", "1480", 2022, 81.0), ("U23592", "1480", 2022, 3725.0),
        ("U23593", "1480", 2022, 59.0),
        ("U21463", "1407", 2022, 93.0), ("U23592", "1407", 2022, 93.0),
        ("U21463", "1419", 2022, 78.0), ("U23592", "1419", 2022, 117.0),
        ("U21463", "1401", 2022, 87.0),                                  # no respondent count
        ("U21463", "1402", 2022, np.nan), ("U23592", "1402", 2022, 226.0),  # suppressed value
        ("U21463", "0114", 2022, 90.0), ("U23592", "0114", 2022, 25.0),   # few respondents
        ("U21463", "1480", 2021, np.nan), ("U23592", "1480", 2021, np.nan),
        ("U23461", "1480", 2022, 80.0), ("U23594", "1480", 2022, 1543.0),
    ]  # fmt: skip
    return _values(rows)


# --------------------------------------------------------------------------- wilson_interval


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.998])
def test_wilson_counts_match_statsmodels(confidence):
    n = np.array([1, 2, 5, 10, 30, 93, 117, 500, 3725] * 3)
    x = np.concatenate([np.zeros(9), np.round(n[:9] * 0.37), n[:9]])
    lo, hi = wilson_interval(x, n, confidence=confidence, scale="count")
    elo, ehi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(lo, elo, atol=TOL)
    np.testing.assert_allclose(hi, ehi, atol=TOL)


def test_wilson_percent_and_proportion_scales_agree_with_statsmodels():
    pct = np.array([0.0, 12.5, 50.0, 81.0, 93.0, 100.0])
    n = np.array([40, 80, 200, 3725, 93, 61])
    lo, hi = wilson_interval(pct, n, scale="percent")
    elo, ehi = proportion_confint(pct / 100 * n, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(lo, elo * 100, atol=TOL)
    np.testing.assert_allclose(hi, ehi * 100, atol=TOL)
    plo, phi = wilson_interval(pct / 100, n)  # auto: all within [0, 1] -> proportions
    np.testing.assert_allclose(plo, elo, atol=TOL)
    np.testing.assert_allclose(phi, ehi, atol=TOL)


def test_wilson_scalar_returns_floats_and_broadcasts():
    lo, hi = wilson_interval(45, 50)
    assert isinstance(lo, float) and isinstance(hi, float)
    elo, ehi = proportion_confint(45, 50, method="wilson")
    assert lo == pytest.approx(elo, abs=TOL) and hi == pytest.approx(ehi, abs=TOL)
    blo, _ = wilson_interval(0.9, [50, 100, 200])
    assert blo.shape == (3,)
    assert np.all(np.diff(blo) > 0)  # narrower (higher lower bound) with more respondents


def test_wilson_missing_input_gives_missing_interval():
    lo, hi = wilson_interval([np.nan, 80.0, 80.0], [100, np.nan, 0], scale="percent")
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_wilson_bounds_stay_in_unit_interval():
    lo, hi = wilson_interval([0, 5], [5, 5], scale="count")
    assert lo[0] == pytest.approx(0.0, abs=1e-12) and hi[1] == pytest.approx(1.0, abs=1e-12)
    assert np.all(lo >= 0) and np.all(hi <= 1)


@pytest.mark.parametrize(
    ("x", "n", "kwargs"),
    [
        (5, -1, {}),
        (11, 10, {"scale": "count"}),
        (1.2, 10, {"scale": "proportion"}),
        (101, 10, {"scale": "percent"}),
        (5, 10, {"confidence": 95}),
        (5, 10, {"confidence": 0}),
        (5, 10, {"scale": "andel"}),
        ([0, 1, 1], [10, 10, 10], {}),  # auto cannot tell one success from 100 %
        ("fem", 10, {}),
    ],
)
def test_wilson_rejects_bad_input(x, n, kwargs):
    with pytest.raises(ParameterError):
        wilson_interval(x, n, **kwargs)


def test_wilson_auto_reads_large_values_as_counts():
    lo, _ = wilson_interval(45, 50)  # 45 > 1: a count
    assert lo == pytest.approx(proportion_confint(45, 50, method="wilson")[0], abs=TOL)


# --------------------------------------------------------------------------- survey_uncertainty


def test_survey_uncertainty_uses_respondent_companion(survey_values, catalog):
    t = survey_uncertainty(survey_values, kpi="U21463", year=2022, catalog=catalog)
    assert list(t.columns) == [
        "kpi", "municipality_id", "year", "value", "respondents", "response_rate",
        "ci_low", "ci_high", "confidence", "method", "note",
    ]  # fmt: skip
    assert set(t["municipality_id"]) == {"0000", "1480", "1407", "1419", "1401", "1402", "0114"}
    row = t.set_index("municipality_id").loc["1480"]
    elo, ehi = proportion_confint(0.81 * 3725, 3725, method="wilson")
    assert row["ci_low"] == pytest.approx(elo * 100, abs=TOL)
    assert row["ci_high"] == pytest.approx(ehi * 100, abs=TOL)
    assert row["respondents"] == 3725 and row["response_rate"] == 59
    assert (t["method"] == "Wilson").all() and row["note"] == ""


def test_survey_uncertainty_missing_respondents_gives_missing_interval(survey_values, catalog):
    t = survey_uncertainty(survey_values, kpi="U21463", year=2022, catalog=catalog).set_index(
        "municipality_id"
    )
    assert np.isnan(t.at["1401", "ci_low"]) and np.isnan(t.at["1401", "respondents"])
    assert "U23592" in t.at["1401", "note"] and "saknas" in t.at["1401", "note"]
    assert np.isnan(t.at["1402", "value"]) and np.isnan(t.at["1402", "ci_low"])
    assert t.at["1402", "note"] == (
        "värde saknas: ej publicerat (t.ex. färre än 30 svarande) eller ej inrapporterat"
    )
    assert "färre än 30" in t.at["0114", "note"] and np.isfinite(t.at["0114", "ci_low"])


def test_survey_uncertainty_selection_and_not_run_year(survey_values, catalog):
    gr = survey_uncertainty(
        survey_values, kpi="U21463", year=2022, catalog=catalog, municipalities="gr"
    )
    assert gr["municipality_id"].tolist() == list(GR_MUNICIPALITIES)
    assert gr["value"].isna().sum() == 13 - 4  # only 1480, 1407, 1419, 1401 have values
    t = survey_uncertainty(
        survey_values, kpi="U21463", year=2021, catalog=catalog, municipalities=["Göteborg"]
    )
    assert "genomfördes inte 2021" in t.at[0, "note"]


def test_survey_uncertainty_nursing_home_uses_its_own_companion(survey_values, catalog):
    t = survey_uncertainty(survey_values, kpi="U23461", year=2022, catalog=catalog)
    assert t.at[0, "respondents"] == 1543
    elo, _ = proportion_confint(0.80 * 1543, 1543, method="wilson")
    assert t.at[0, "ci_low"] == pytest.approx(elo * 100, abs=TOL)


@pytest.mark.parametrize("kpi", ["U21455", "N20403", "XX"])
def test_survey_uncertainty_refuses_non_survey_shares(survey_values, catalog, kpi):
    with pytest.raises(ParameterError):
        survey_uncertainty(survey_values, kpi=kpi, year=2022, catalog=catalog)


def test_survey_uncertainty_rejects_values_without_columns(catalog):
    with pytest.raises(ParameterError, match="saknar kolumnerna"):
        survey_uncertainty(
            pd.DataFrame({"kpi": ["U21463"]}), kpi="U21463", year=2022, catalog=catalog
        )


# --------------------------------------------------------------------------- limits


def _midp_limits_bruteforce(p0: float, n: int, confidence: float) -> tuple[float, float]:
    """Invert the piecewise-linear mid-p distribution function by interpolation over all counts."""
    r = np.arange(n + 1)
    cdf = stats.binom.cdf(r, n, p0)
    # G runs through (r + 1/2, P(X <= r)), and G(-1/2) = 0
    xs = np.concatenate([[-0.5], r + 0.5])
    gs = np.concatenate([[0.0], cdf])
    q = (1 - confidence) / 2
    lo = np.interp(q, gs, xs)
    hi = np.interp(1 - q, gs, xs)
    return float(np.clip(lo / n, 0, 1)), float(np.clip(hi / n, 0, 1))


@pytest.mark.parametrize("p0", [0.5, 0.84, 0.93, 0.1])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_binomial_limits_match_bruteforce_midp_inversion(p0, confidence):
    ns = np.array([1, 3, 10, 30, 93, 117, 566, 3725])
    lo, hi = binomial_limits(p0, ns, confidence=confidence)
    for i, n in enumerate(ns):
        elo, ehi = _midp_limits_bruteforce(p0, int(n), confidence)
        assert lo[i] == pytest.approx(elo, abs=1e-9)
        assert hi[i] == pytest.approx(ehi, abs=1e-9)


@pytest.mark.parametrize("n", [30, 117, 500])
def test_binomial_limits_flag_exactly_the_midp_significant_counts(n):
    p0, q = 0.84, 0.025
    lo, hi = binomial_limits(p0, [n], confidence=0.95)
    y = np.arange(n + 1)
    midp_low = stats.binom.cdf(y - 1, n, p0) + 0.5 * stats.binom.pmf(y, n, p0)
    midp_high = stats.binom.sf(y, n, p0) + 0.5 * stats.binom.pmf(y, n, p0)
    np.testing.assert_array_equal(y / n < lo[0], midp_low < q)
    np.testing.assert_array_equal(y / n > hi[0], midp_high < q)


def test_binomial_limits_symmetric_at_one_half_and_close_to_normal_for_large_n():
    lo, hi = binomial_limits(0.5, [10, 100, 1000], confidence=0.95)
    np.testing.assert_allclose(lo + hi, 1.0, atol=1e-12)
    nlo, nhi = normal_limits(0.5, [1000], confidence=0.95)
    assert lo[-1] == pytest.approx(nlo[0], abs=0.5 / 1000 + 1e-3)
    assert hi[-1] == pytest.approx(nhi[0], abs=0.5 / 1000 + 1e-3)


def test_normal_limits_match_scipy_norm():
    n = np.array([24, 93, 3725])
    lo, hi = normal_limits(0.84, n, confidence=0.998)
    se = np.sqrt(0.84 * 0.16 / n)
    np.testing.assert_allclose(lo, np.clip(stats.norm.ppf(0.001, 0.84, se), 0, 1), atol=1e-12)
    np.testing.assert_allclose(hi, np.clip(stats.norm.ppf(0.999, 0.84, se), 0, 1), atol=1e-12)


@pytest.mark.parametrize("p0", [0.0, 1.0, 1.5, "x"])
def test_limits_need_target_strictly_inside(p0):
    with pytest.raises(ParameterError):
        binomial_limits(p0, [10], confidence=0.95)


def test_binomial_limits_need_whole_n():
    with pytest.raises(ParameterError):
        binomial_limits(0.5, [10.5], confidence=0.95)


# --------------------------------------------------------------------------- funnel_data


def _expected_flags(points: pd.DataFrame, p0: float, confidence: float, method: str) -> np.ndarray:
    out = []
    for v, n in zip(points["value"], points["respondents"], strict=True):
        if np.isnan(v) or np.isnan(n):
            out.append(None)
            continue
        if method == "normal":
            se = np.sqrt(p0 * (1 - p0) / n)
            lo = stats.norm.ppf((1 - confidence) / 2, p0, se)
            hi = stats.norm.ppf((1 + confidence) / 2, p0, se)
        else:
            lo, hi = _midp_limits_bruteforce(p0, round(n), confidence)
        out.append(bool(v / 100 < lo or v / 100 > hi))
    return np.array(out, dtype=object)


@pytest.mark.parametrize("method", ["binomial", "normal"])
def test_funnel_flags_match_direct_computation(survey_values, catalog, method):
    f = funnel_data(survey_values, kpi="U21463", year=2022, catalog=catalog, method=method,
                    overdispersion_method="none")  # fmt: skip
    assert isinstance(f, FunnelData)
    assert f.target == 85.0 and f.target_label == "riket, 85\u00a0%"
    pts = f.points
    assert "0000" not in set(pts["municipality_id"])  # Riket is the target, not a point
    for c, lab in ((0.95, "95"), (0.998, "998")):
        expected = _expected_flags(pts, 0.85, c, method)
        got = pts[f"outside_{lab}"].astype(object).where(pts[f"outside_{lab}"].notna(), None)
        assert got.tolist() == expected.tolist()
    # 99.8 % limits are wider, so outside 99.8 % implies outside 95 %
    both = pts["outside_998"].fillna(False) & ~pts["outside_95"].fillna(False)
    assert not both.any()


def test_funnel_points_limits_and_grid(survey_values, catalog):
    f = funnel_data(
        survey_values, kpi="U21463", year=2022, catalog=catalog, overdispersion_method="none"
    )
    row = f.points.set_index("municipality_id").loc["1407"]
    lo, hi = binomial_limits(0.85, [93], confidence=0.95)
    assert row["lower_95"] == pytest.approx(lo[0] * 100, abs=TOL)
    assert row["upper_95"] == pytest.approx(hi[0] * 100, abs=TOL)
    assert row["z"] == pytest.approx((0.93 - 0.85) / np.sqrt(0.85 * 0.15 / 93), abs=TOL)
    assert bool(row["is_gr"])
    lim = f.limits
    assert set(lim["level"]) == {"95 %", "99,8 %"}
    g95 = lim[lim["confidence"] == 0.95]
    assert g95["n"].min() <= 25 and g95["n"].max() >= 3725
    assert g95["n"].is_monotonic_increasing
    width = (g95["upper"] - g95["lower"]).to_numpy()
    assert np.all(np.diff(width) <= 1e-9 + 100 / g95["n"].to_numpy()[1:])  # narrows (up to steps)
    assert width[-1] < width[0]
    missing = f.points.set_index("municipality_id").loc[["1401", "1402"]]
    assert missing["outside_95"].isna().all() and missing["lower_95"].isna().all()


def test_funnel_weighted_and_numeric_targets(survey_values, catalog):
    f = funnel_data(survey_values, kpi="U21463", year=2022, catalog=catalog, target="vägt")
    v = np.array([81.0, 93.0, 78.0, 90.0])
    n = np.array([3725.0, 93.0, 117.0, 25.0])
    assert f.target == pytest.approx(np.average(v, weights=n), abs=1e-9)
    assert f.target_label == f"vägt medel av 4 kommuner, {sv.prose(f.target, 1)}\u00a0%"
    g = funnel_data(
        survey_values, kpi="U21463", year=2022, catalog=catalog, target=80, confidence=0.9
    )
    assert g.target == 80.0 and "outside_90" in g.points and "outside_95" not in g.points
    assert g.target_label == "målvärde, 80\u00a0%"
    assert g.method_label.startswith("90\u00a0% kring målvärdet, exakt beräknade")


def test_funnel_labels_read_well_alone_and_in_brackets(survey_values, catalog):
    f = funnel_data(
        survey_values, kpi="U21463", year=2022, catalog=catalog, overdispersion_method="none"
    )
    caption = f"skiljer sig från målvärdet ({f.target_label}). Gränser: {f.method_label}."
    assert (
        "((" not in caption
        and "))" not in caption
        and "Gränser: gränser" not in caption
        and "(riket, 85\u00a0%)" in caption
    )
    assert f.method_label == (
        "95\u00a0% och 99,8\u00a0% kring riket, exakt beräknade ur "
        "binomialfördelningen för varje antal svarande"
    )
    assert "mid-p" not in f.method_label and "interpolation" not in f.method_label
    n = funnel_data(survey_values, kpi="U21463", year=2022, catalog=catalog, method="normal",
                    overdispersion_method="none")  # fmt: skip
    assert n.method_label == (
        "95\u00a0% och 99,8\u00a0% kring riket, ungefärligt beräknade med normalfördelningen"
    )


def test_funnel_overdispersion_note_is_plain_and_keeps_the_number(survey_values, catalog):
    f = funnel_data(
        survey_values, kpi="U21463", year=2022, catalog=catalog, overdispersion_method="none"
    )
    assert f.dispersion > 1.5
    assert f.note == (
        "Fler kommuner än slumpen ger hamnar utanför gränserna för enbart slump: skillnaderna "
        "mellan kommunerna är verkliga, inte bara slump. Spridningen är "
        f"{sv.number(f.dispersion, 1)} gånger så stor som slumpen ensam skulle ge."
    )
    adjusted = funnel_data(survey_values, kpi="U21463", year=2022, catalog=catalog)
    assert adjusted.adjusted and adjusted.note.endswith(
        "Gränserna är därför vidgade; en kommun utanför dem skiljer sig tydligt."
    )
    assert "vidgade för att kommunerna skiljer sig mer än slumpen ger" in adjusted.method_label


def test_funnel_selection_gr(survey_values, catalog):
    f = funnel_data(survey_values, kpi="U21463", year=2022, catalog=catalog, municipalities="gr")
    assert f.points["municipality_id"].tolist() == list(GR_MUNICIPALITIES)
    assert f.points["is_gr"].all()


def test_funnel_without_respondents_or_riket_raises(survey_values, catalog):
    with pytest.raises(DataNotFoundError, match="antal svarande"):
        funnel_data(survey_values, kpi="U21463", year=2021, catalog=catalog, target=80)
    no_riket = survey_values[survey_values["municipality_id"] != "0000"]
    with pytest.raises(DataNotFoundError, match="vägt"):
        funnel_data(no_riket, kpi="U21463", year=2022, catalog=catalog)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": "gr"},
        {"target": 100.0},
        {"method": "poisson"},
        {"confidence": []},
        {"confidence": (0.95, 1.2)},
        {"grid_size": 1},
        {"kpi": "U21455"},
    ],
)
def test_funnel_rejects_bad_parameters(survey_values, catalog, kwargs):
    args = {"kpi": "U21463", "year": 2022, "catalog": catalog} | kwargs
    with pytest.raises(ParameterError):
        funnel_data(survey_values, **args)


# --------------------------------------------------------------------------- real data


@pytest.mark.shared
@pytest.mark.parametrize(("kpi", "resp_kpi"), [("U21463", "U23592"), ("U23461", "U23594")])
def test_real_survey_uncertainty_matches_statsmodels(real_values, catalog, kpi, resp_kpi):
    t = survey_uncertainty(real_values, kpi=kpi, year=2022, catalog=catalog, municipalities="gr")
    t_ = real_values[(real_values["gender"] == "T") & (real_values["year"] == 2022)]
    v = t_[t_["kpi"] == kpi].set_index("municipality_id")["value"].reindex(GR_MUNICIPALITIES)
    n = t_[t_["kpi"] == resp_kpi].set_index("municipality_id")["value"].reindex(GR_MUNICIPALITIES)
    ok = v.notna() & n.notna()
    assert ok.sum() >= 12
    elo, ehi = proportion_confint(v[ok] / 100 * n[ok], n[ok], method="wilson")
    np.testing.assert_allclose(t["ci_low"][ok.to_numpy()], elo * 100, atol=TOL)
    np.testing.assert_allclose(t["ci_high"][ok.to_numpy()], ehi * 100, atol=TOL)
    assert t.loc[~ok.to_numpy(), "ci_low"].isna().all()


@pytest.mark.shared
def test_real_survey_uncertainty_before_2019_has_no_interval(real_values, catalog):
    t = survey_uncertainty(
        real_values, kpi="U21463", year=2018, catalog=catalog, municipalities="gr"
    )
    assert t["value"].notna().all() and t["ci_low"].isna().all()
    assert t["note"].str.contains("U23592").all()


@pytest.mark.shared
def test_real_funnel_against_scipy(real_values, catalog):
    f = funnel_data(
        real_values, kpi="U21463", year=2022, catalog=catalog, overdispersion_method="none"
    )
    riket = real_values.query(
        "kpi == 'U21463' and municipality_id == '0000' and year == 2022 and gender == 'T'"
    )
    assert f.target == pytest.approx(float(riket["value"].iloc[0]))
    pts = f.points
    assert len(pts) > 280 and pts["is_gr"].sum() == 13
    sample = pts[pts["is_gr"]]
    expected = _expected_flags(sample, f.target / 100, 0.95, "binomial")
    assert sample["outside_95"].astype(object).tolist() == expected.tolist()
    z = pts["z"].dropna()
    assert f.dispersion == pytest.approx(float(np.mean(z**2)), rel=1e-12)
    assert (
        f.dispersion > 1.5 and sv.number(f.dispersion, 1) in f.note
    )  # real municipalities are overdispersed


# --------------------------------------------------------------- funnels and overdispersion


def _spiegelhalter(values, respondents, p0, confidence, share=0.1):
    """Spiegelhalter (2005) additive limits, from the formulas, with scipy's winsorize."""
    from scipy.stats.mstats import winsorize

    y = np.asarray(values, dtype=float) / 100
    n = np.asarray(respondents, dtype=float)
    se = np.sqrt(p0 * (1 - p0) / n)
    z = (y - p0) / se
    zw = np.asarray(winsorize(z, limits=(share, share)))
    units = len(z)
    phi = np.mean(zw**2)
    w = 1 / se**2
    tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    over = units * phi > stats.chi2.ppf(0.95, units - 1)
    half = stats.norm.ppf((1 + confidence) / 2) * np.sqrt(se**2 + tau2)
    return phi, tau2, over, np.clip(p0 - half, 0, 1) * 100, np.clip(p0 + half, 0, 1) * 100


@pytest.mark.shared
def test_real_funnel_allows_for_overdispersion_like_spiegelhalter(real_values, catalog):
    f = funnel_data(real_values, kpi="U21463", year=2022, catalog=catalog)
    pts = f.points.dropna(subset=["value", "respondents"])
    pts = pts[pts["respondents"] >= 1]
    phi, tau2, over, lo, hi = _spiegelhalter(
        pts["value"], pts["respondents"].round(), f.target / 100, 0.95
    )
    assert over and f.adjusted
    assert f.phi == pytest.approx(phi, rel=1e-9) and f.tau2 == pytest.approx(tau2, rel=1e-9)
    np.testing.assert_allclose(pts["lower_95"], lo, atol=1e-6)
    np.testing.assert_allclose(pts["upper_95"], hi, atol=1e-6)
    expected = (pts["value"] < lo) | (pts["value"] > hi)
    assert pts["outside_95"].astype(bool).tolist() == expected.tolist()
    chance = funnel_data(
        real_values, kpi="U21463", year=2022, catalog=catalog, overdispersion_method="none"
    )
    assert chance.points["outside_95"].sum() > f.points["outside_95"].sum()  # fewer flagged
    assert f.chance_limits is not None and len(f.chance_limits) == len(f.limits)


def test_winsorising_matches_scipy():
    from scipy.stats.mstats import winsorize

    from fou.stats.survey import winsorised

    rng = np.random.default_rng(3)
    for size in (5, 10, 13, 57, 290):
        z = rng.standard_t(3, size)
        np.testing.assert_allclose(winsorised(z, 0.1), np.asarray(winsorize(z, limits=(0.1, 0.1))))


def test_no_adjustment_when_municipalities_differ_only_by_chance(catalog):
    rng = np.random.default_rng(11)
    ids = [m for m in municipality_ids() if not m.startswith("00")][:200]
    n = rng.integers(30, 2000, len(ids))
    shares = rng.binomial(n, 0.8) / n * 100
    rows = [("U21463", m, 2022, "T", v) for m, v in zip(ids, shares, strict=True)]
    rows += [("U23592", m, 2022, "T", float(k)) for m, k in zip(ids, n, strict=True)]
    rows += [("U21463", "0000", 2022, "T", 80.0)]
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "gender", "value"])
    f = funnel_data(v, kpi="U21463", year=2022, catalog=catalog)
    assert not f.adjusted and f.tau2 == 0.0 and f.chance_limits is None
