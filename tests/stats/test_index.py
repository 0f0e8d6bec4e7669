"""Tests for fou.stats.index: the person-centredness index, ecological alpha, ICC stability.

Checked against independent implementations: scipy.stats.zscore for the
standardisation, pingouin.cronbach_alpha for alpha, pingouin.intraclass_corr
for the ICCs (with CI rounding switched off).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from fou.core.catalog import load_catalog
from fou.core.errors import ParameterError
from fou.core.registry import GR_MUNICIPALITIES
from fou.stats.index import (
    ECOLOGICAL_LABEL,
    ICC_LABELS,
    cronbach_alpha_ecological,
    index_items,
    index_stability,
    person_centred_index,
    standardise_items,
)

TOL = 1e-6

# pingouin's ANOVA (behind intraclass_corr) uses a keyword pandas 3.1 deprecates
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.dropna")
HT = ["U21463", "U21466", "U21504", "U21455", "U21462"]
SABO = ["U23461", "U23463", "U23520", "U23506", "U23460"]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def no_ci_rounding(monkeypatch):
    """pingouin rounds ICC intervals to 2 decimals by default; compare unrounded."""
    monkeypatch.setitem(pg.options, "round.column.CI95", None)


def _synthetic(seed: int = 7, n_mun: int = 20, years=(2019, 2020, 2022)) -> pd.DataFrame:
    """Hemtjänst items for 20 municipalities: a common municipal level plus item noise."""
    rng = np.random.default_rng(seed)
    ids = (
        list(GR_MUNICIPALITIES)
        + ["0114", "0115", "0117", "0120", "0125", "0127", "0128"][: n_mun - 13]
    )
    level = rng.normal(0, 1, len(ids))
    rows = []
    for y in years:
        drift = rng.normal(0, 0.3, len(ids))
        for j, k in enumerate(HT):
            base = 70 + 5 * j if k != "U21455" else 75.0
            vals = base + 4 * (level + drift) + rng.normal(0, 2, len(ids))
            rows += [(k, m, y, round(float(v), 1)) for m, v in zip(ids, vals, strict=True)]
    rows += [(k, "0000", y, 80.0) for k in HT for y in years]  # Riket: never in the reference
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T"
    )


@pytest.fixture
def items_values() -> pd.DataFrame:
    return _synthetic()


# --------------------------------------------------------------------------- items


def test_index_items_come_from_catalogue(catalog):
    assert index_items(catalog, area="hemtjänst") == HT
    assert index_items(catalog, area="särskilt boende") == SABO
    rows = catalog.kpis.set_index("kpi").loc[HT + SABO]
    assert (rows["domain"] == "personcentrering").all() and rows["survey"].all()
    assert set(rows["unit"]) == {"percent", "index"}
    with pytest.raises(ParameterError, match="area"):
        index_items(catalog, area="hemsjukvård")


# --------------------------------------------------------------------------- standardise


def test_standardise_matches_scipy_zscore(items_values, catalog):
    z = standardise_items(items_values, area="hemtjänst", catalog=catalog)
    assert "0000" not in set(z["municipality_id"])
    for _, part in z.groupby(["kpi", "year"]):
        expected = stats.zscore(part["value"].to_numpy(), ddof=1)
        np.testing.assert_allclose(part["z"].to_numpy(), expected, atol=TOL)
        assert (part["n_ref"] == 20).all()


def test_standardise_against_gr_uses_only_the_13(items_values, catalog):
    z = standardise_items(
        items_values, area="hemtjänst", catalog=catalog, reference="gr", years=2022
    )
    part = z[z["kpi"] == "U21463"].set_index("municipality_id")
    gr = part.loc[list(GR_MUNICIPALITIES), "value"]
    assert part["ref_mean"].iloc[0] == pytest.approx(gr.mean())
    assert part["ref_sd"].iloc[0] == pytest.approx(gr.std(ddof=1))
    assert part.loc["0114", "z"] == pytest.approx(
        (part.loc["0114", "value"] - gr.mean()) / gr.std(ddof=1)
    )


def test_standardise_reverses_lower_is_better_items(items_values, catalog):
    v = items_values.replace({"kpi": {"U21462": "N20506"}})  # N20506: lower is better
    z = standardise_items(
        v, area="hemtjänst", catalog=catalog, items=["U21463", "N20506"], years=2022
    )
    part = z[z["kpi"] == "N20506"]
    np.testing.assert_allclose(part["z"], -stats.zscore(part["value"], ddof=1), atol=TOL)


def test_standardise_skips_constant_and_thin_items(catalog):
    rows = [("U21463", m, 2022, 90.0) for m in ("1480", "1401", "1402", "1407")]  # constant
    rows += [("U21466", m, 2022, v) for m, v in (("1480", 80.0), ("1401", 85.0))]  # n < 3
    rows += [("U21504", m, 2022, v) for m, v in (("1480", 80.0), ("1401", 85.0), ("1402", 88.0))]
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(gender="T")
    z = standardise_items(v, area="hemtjänst", catalog=catalog)
    by = z.groupby("kpi")["z"].apply(lambda s: s.notna().all())
    assert not by["U21463"] and not by["U21466"] and by["U21504"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"area": "ordinärt boende"},
        {"reference": "riket"},
        {"items": ["U21463"]},
        {"items": ["N20403", "U21463"]},
    ],
)
def test_standardise_rejects_bad_parameters(items_values, catalog, kwargs):
    args = {"area": "hemtjänst", "catalog": catalog} | kwargs
    with pytest.raises(ParameterError):
        standardise_items(items_values, **args)


# --------------------------------------------------------------------------- index


def _direct_index(values: pd.DataFrame, items: list[str], year: int) -> pd.Series:
    """Independent pandas computation: z per item (ddof=1, municipalities only), then row mean."""
    v = values[(values["year"] == year) & values["kpi"].isin(items)]
    v = v[~v["municipality_id"].str.startswith("00")]
    wide = v.pivot(index="municipality_id", columns="kpi", values="value")
    z = (wide - wide.mean()) / wide.std(ddof=1)
    return z.mean(axis=1, skipna=True), z.notna().sum(axis=1)


def test_index_is_mean_of_standardised_items(items_values, catalog):
    idx = person_centred_index(items_values, area="hemtjänst", catalog=catalog)
    assert list(idx.columns) == [
        "municipality_id", "year", "area", "index", "n_items", "n_items_possible",
        "min_items", "items_used", "eligible",
    ]  # fmt: skip
    assert sorted(idx["year"].unique()) == [2019, 2020, 2022]
    for year in (2019, 2020, 2022):
        expected, _ = _direct_index(items_values, HT, year)
        got = idx[idx["year"] == year].set_index("municipality_id")["index"]
        np.testing.assert_allclose(got.loc[expected.index], expected, atol=TOL)
        assert got.mean() == pytest.approx(0.0, abs=1e-9)  # all items present: national mean 0
    assert (idx["n_items"] == 5).all() and (idx["min_items"] == 4).all() and idx["eligible"].all()
    assert (idx["items_used"] == ",".join(HT)).all()


def test_index_min_items_rule(items_values, catalog):
    v = items_values.copy()
    drop = (
        (v["municipality_id"] == "1480") & v["kpi"].isin(["U21462", "U21455"]) & (v["year"] == 2022)
    )
    v.loc[drop, "value"] = np.nan  # Göteborg: 3 of 5 items in 2022
    drop2 = (v["municipality_id"] == "1401") & (v["kpi"] == "U21462") & (v["year"] == 2022)
    v = v[~drop2]  # Härryda: row absent, 4 of 5 items
    idx = person_centred_index(v, area="hemtjänst", catalog=catalog, years=2022).set_index(
        "municipality_id"
    )
    assert idx.at["1480", "n_items"] == 3 and not idx.at["1480", "eligible"]
    assert np.isnan(idx.at["1480", "index"])
    assert idx.at["1480", "items_used"] == "U21463,U21466,U21504"
    assert idx.at["1401", "n_items"] == 4 and idx.at["1401", "eligible"]
    # the index uses the available items, standardised on every municipality that has them
    z = standardise_items(v, area="hemtjänst", catalog=catalog, years=2022)
    expected = z[z["municipality_id"] == "1401"]["z"].mean()
    assert idx.at["1401", "index"] == pytest.approx(expected, abs=TOL)
    lenient = person_centred_index(v, area="hemtjänst", catalog=catalog, years=2022, min_items=3)
    assert lenient.set_index("municipality_id").at["1480", "eligible"]


def test_index_default_rule_follows_items_that_exist_that_year(items_values, catalog):
    v = items_values[
        ~((items_values["kpi"].isin(["U21462", "U21455"])) & (items_values["year"] == 2019))
    ]
    idx = person_centred_index(v, area="hemtjänst", catalog=catalog, years=[2019, 2020])
    y19 = idx[idx["year"] == 2019]
    assert (
        (y19["n_items_possible"] == 3).all()
        and (y19["min_items"] == 2).all()
        and y19["eligible"].all()
    )
    assert (idx[idx["year"] == 2020]["min_items"] == 4).all()


def test_index_missing_year_single_year_and_selection(items_values, catalog):
    idx = person_centred_index(
        items_values, area="hemtjänst", catalog=catalog, years=[2021, 2022], municipalities="gr"
    )
    assert len(idx) == 26
    y21 = idx[idx["year"] == 2021]
    assert y21["index"].isna().all() and not y21["eligible"].any() and (y21["n_items"] == 0).all()
    assert (y21["items_used"] == "").all()
    one = person_centred_index(
        items_values, area="hemtjänst", catalog=catalog, years=2022, municipalities=["Ale"]
    )
    assert one["municipality_id"].tolist() == ["1440"]
    full = person_centred_index(items_values, area="hemtjänst", catalog=catalog, years=2022)
    assert one.at[0, "index"] == pytest.approx(
        full.set_index("municipality_id").at["1440", "index"]
    )


def test_index_all_missing(catalog):
    v = pd.DataFrame(
        {"kpi": HT, "municipality_id": "1480", "year": 2022, "gender": "T", "value": np.nan}
    )
    idx = person_centred_index(
        v, area="hemtjänst", catalog=catalog, years=2022, municipalities="gr"
    )
    assert idx["index"].isna().all() and not idx["eligible"].any()
    assert (idx["n_items_possible"] == 0).all()


@pytest.mark.parametrize("min_items", [0, 6, 2.5, True])
def test_index_rejects_bad_min_items(items_values, catalog, min_items):
    with pytest.raises(ParameterError):
        person_centred_index(items_values, area="hemtjänst", catalog=catalog, min_items=min_items)


# --------------------------------------------------------------------------- alpha


def _wide(values: pd.DataFrame, items: list[str], year: int) -> pd.DataFrame:
    v = values[(values["year"] == year) & values["kpi"].isin(items)]
    v = v[~v["municipality_id"].str.startswith("00")]
    return v.pivot(index="municipality_id", columns="kpi", values="value")[items]


def test_alpha_raw_matches_pingouin(items_values, catalog):
    a = cronbach_alpha_ecological(
        items_values, area="hemtjänst", catalog=catalog, standardized=False
    )
    assert len(a) == 3 and (a["measure"] == ECOLOGICAL_LABEL).all()
    for _, row in a.iterrows():
        wide = _wide(items_values, HT, row["year"])
        alpha, ci = pg.cronbach_alpha(data=wide, nan_policy="listwise")
        assert row["alpha"] == pytest.approx(alpha, abs=TOL)
        assert row["ci_low"] == pytest.approx(ci[0], abs=5e-4)  # pingouin rounds to 3 decimals
        assert row["ci_high"] == pytest.approx(ci[1], abs=5e-4)
        assert row["n"] == 20 and row["n_items"] == 5


def test_alpha_standardized_matches_pingouin_on_zscores(items_values, catalog):
    a = cronbach_alpha_ecological(items_values, area="hemtjänst", catalog=catalog, years=2020)
    wide = _wide(items_values, HT, 2020)
    z = (wide - wide.mean()) / wide.std(ddof=1)
    alpha, _ = pg.cronbach_alpha(data=z)
    assert a.at[0, "alpha"] == pytest.approx(alpha, abs=TOL)
    r = np.corrcoef(wide.to_numpy(), rowvar=False)[np.triu_indices(5, 1)].mean()
    assert a.at[0, "alpha"] == pytest.approx(5 * r / (1 + 4 * r), abs=TOL)


def test_alpha_interval_is_feldt(items_values, catalog):
    a = cronbach_alpha_ecological(
        items_values, area="hemtjänst", catalog=catalog, years=2022, confidence=0.9
    )
    alpha, n, k = a.at[0, "alpha"], 20, 5
    lo = 1 - (1 - alpha) * stats.f.ppf(0.95, n - 1, (n - 1) * (k - 1))
    hi = 1 - (1 - alpha) * stats.f.ppf(0.05, n - 1, (n - 1) * (k - 1))
    assert a.at[0, "ci_low"] == pytest.approx(lo, abs=1e-9)
    assert a.at[0, "ci_high"] == pytest.approx(hi, abs=1e-9)


def test_alpha_listwise_deletion_and_edge_cases(items_values, catalog):
    v = items_values.copy()
    v.loc[(v["municipality_id"] == "1480") & (v["kpi"] == "U21463"), "value"] = np.nan
    a = cronbach_alpha_ecological(
        v, area="hemtjänst", catalog=catalog, years=2022, standardized=False
    )
    assert a.at[0, "n"] == 19
    alpha, _ = pg.cronbach_alpha(data=_wide(v, HT, 2022), nan_policy="listwise")
    assert a.at[0, "alpha"] == pytest.approx(alpha, abs=TOL)
    few = cronbach_alpha_ecological(
        v, area="hemtjänst", catalog=catalog, years=2022, municipalities=["1401", "1402"]
    )
    assert np.isnan(few.at[0, "alpha"]) and "tre kommuner" in few.at[0, "note"]
    single = v[(v["kpi"] == "U21463") | (v["year"] != 2022)]
    one = cronbach_alpha_ecological(single, area="hemtjänst", catalog=catalog, years=2022)
    assert np.isnan(one.at[0, "alpha"]) and "två frågor" in one.at[0, "note"]
    const = v.copy()
    const.loc[const["kpi"] == "U21466", "value"] = 85.0
    c = cronbach_alpha_ecological(const, area="hemtjänst", catalog=catalog, years=2022)
    assert np.isnan(c.at[0, "alpha"]) and "spridning" in c.at[0, "note"]
    none = cronbach_alpha_ecological(v, area="hemtjänst", catalog=catalog, years=2021)
    assert np.isnan(none.at[0, "alpha"]) and none.at[0, "n"] == 0


# --------------------------------------------------------------------------- ICC


def _pg_icc(index: pd.DataFrame, typ: str) -> pd.Series:
    res = pg.intraclass_corr(
        data=index.dropna(subset=["index"]), targets="municipality_id", raters="year",
        ratings="index", nan_policy="omit",
    )  # fmt: skip
    return res.set_index("Type").loc[typ]


@pytest.mark.parametrize(("kind", "typ"), [("consistency", "ICC(C,1)"), ("agreement", "ICC(A,1)")])
def test_icc_matches_pingouin_on_its_wine_data(no_ci_rounding, kind, typ):
    wine = pg.read_dataset("icc").rename(
        columns={"Wine": "municipality_id", "Judge": "year", "Scores": "index"}
    )
    wine = wine.assign(
        area="hemtjänst",
        municipality_id=wine["municipality_id"].astype(str),
        year=wine["year"].map({"A": 2019, "B": 2020, "C": 2021, "D": 2022}),
    )
    got = index_stability(wine, kind=kind).iloc[0]
    exp = _pg_icc(wine, typ)
    assert got["icc"] == pytest.approx(exp["ICC"], abs=TOL)
    assert got["F"] == pytest.approx(exp["F"], abs=TOL)
    assert got["p_val"] == pytest.approx(exp["pval"], abs=TOL)
    assert got["df1"] == exp["df1"] and got["df2"] == exp["df2"]
    assert got["ci_low"] == pytest.approx(exp["CI95"][0], abs=TOL)
    assert got["ci_high"] == pytest.approx(exp["CI95"][1], abs=TOL)
    assert got["icc_type"] == ICC_LABELS[kind]


def test_icc_of_index_matches_pingouin_and_drops_missing(items_values, catalog, no_ci_rounding):
    v = items_values.copy()
    v.loc[(v["municipality_id"] == "1480") & (v["year"] == 2020), "value"] = np.nan
    idx = person_centred_index(v, area="hemtjänst", catalog=catalog, years=[2019, 2020, 2021, 2022])
    s = index_stability(idx)
    assert len(s) == 1
    row = s.iloc[0]
    assert row["years"] == "2019, 2020, 2022" and row["k"] == 3 and row["n"] == 19
    assert (
        row["note"]
        == "1 kommun saknar index något av åren och ingår inte (19 av 20 har index alla år)"
    )
    exp = _pg_icc(idx, "ICC(C,1)")
    assert row["icc"] == pytest.approx(exp["ICC"], abs=TOL)
    assert row["ci_low"] == pytest.approx(exp["CI95"][0], abs=TOL)
    assert row["ci_high"] == pytest.approx(exp["CI95"][1], abs=TOL)
    assert 0 < row["icc"] < 1


def test_icc_labels_are_plain_swedish():
    assert ICC_LABELS["consistency"] == (
        "hur väl kommunernas inbördes ordning består mellan åren (ICC, konsistens)"
    )
    for label in ICC_LABELS.values():
        assert label.startswith("hur väl kommunernas") and label.endswith(")")
        assert "ICC(" not in label and "modell" not in label


def test_icc_counts_municipalities_without_any_index(items_values, catalog):
    """13 GR municipalities, n = 11: the note says 2 are left out, also one with no values at all."""
    v = items_values[items_values["municipality_id"].isin(GR_MUNICIPALITIES)].copy()
    v.loc[v["municipality_id"] == "1415", "value"] = np.nan  # rows, but every value empty
    v.loc[(v["municipality_id"] == "1480") & (v["year"] == 2020), "value"] = np.nan
    idx = person_centred_index(v, area="hemtjänst", catalog=catalog)
    assert sorted(idx["municipality_id"].unique()) == sorted(GR_MUNICIPALITIES)
    assert idx.loc[idx["municipality_id"] == "1415", "index"].isna().all()
    row = index_stability(idx).iloc[0]
    assert row["n"] == 11
    assert row["note"] == (
        "2 kommuner saknar index något av åren och ingår inte (11 av 13 har index alla år)"
    )
    # the numbers do not change: the ICC is that of the 11 complete municipalities
    complete = idx[~idx["municipality_id"].isin(["1415", "1480"])]
    assert row["icc"] == pytest.approx(index_stability(complete).at[0, "icc"], abs=1e-12)
    assert index_stability(complete).at[0, "note"] == ""


def test_icc_consecutive_pairs(items_values, catalog, no_ci_rounding):
    idx = person_centred_index(items_values, area="hemtjänst", catalog=catalog)
    s = index_stability(idx, consecutive=True)
    assert s["years"].tolist() == ["2019, 2020", "2020, 2022"]
    pair = idx[idx["year"].isin([2020, 2022])]
    assert s.at[1, "icc"] == pytest.approx(_pg_icc(pair, "ICC(C,1)")["ICC"], abs=TOL)


def test_icc_one_row_per_area(items_values, catalog):
    sabo = items_values.replace({"kpi": dict(zip(HT, SABO, strict=True))})
    both = pd.concat(
        [
            person_centred_index(items_values, area="hemtjänst", catalog=catalog),
            person_centred_index(sabo, area="särskilt boende", catalog=catalog),
        ]
    )
    s = index_stability(both)
    assert s["area"].tolist() == ["hemtjänst", "särskilt boende"]
    assert s.at[0, "icc"] == pytest.approx(s.at[1, "icc"])  # same numbers, relabelled


def test_icc_edge_cases():
    base = {"area": "hemtjänst"}
    few = pd.DataFrame(
        {"municipality_id": ["a", "b"] * 2, "year": [1, 1, 2, 2], "index": [0.1, 0.2, 0.3, 0.1]}
        | base
    )
    assert np.isnan(index_stability(few).at[0, "icc"])
    one_year = pd.DataFrame(
        {"municipality_id": list("abcd"), "year": 2022, "index": [0.1, 0.2, 0.3, 0.4]} | base
    )
    r = index_stability(one_year).iloc[0]
    assert np.isnan(r["icc"]) and "två år" in r["note"]
    stable = pd.DataFrame(
        {
            "municipality_id": list("abc") * 2,
            "year": [1] * 3 + [2] * 3,
            "index": [1.0, 2.0, 3.0] * 2,
        }
        | base
    )
    r = index_stability(stable).iloc[0]
    assert r["icc"] == 1.0 and np.isnan(r["ci_low"])
    assert r["note"].startswith("varje kommun har samma index alla år: ordningen består helt")
    flat = stable.assign(index=0.5)
    assert np.isnan(index_stability(flat).at[0, "icc"])
    assert index_stability(flat).at[0, "note"] == (
        "alla kommuner har samma index alla år: stabiliteten kan inte beräknas"
    )
    ties = pd.DataFrame(
        {"municipality_id": list("abcd") * 2, "year": [1] * 4 + [2] * 4,
         "index": [0.0, 0.0, 1.0, 1.0, 0.1, 0.0, 1.0, 0.9]} | base
    )  # fmt: skip
    exp = _pg_icc(ties, "ICC(C,1)")
    assert index_stability(ties).at[0, "icc"] == pytest.approx(exp["ICC"], abs=TOL)


@pytest.mark.parametrize(
    ("frame", "kwargs"),
    [
        (pd.DataFrame({"municipality_id": ["a"], "year": [1]}), {}),
        (
            pd.DataFrame(
                {"municipality_id": ["a", "a"], "year": [1, 1], "area": "x", "index": [0.0, 1.0]}
            ),
            {},
        ),
        (
            pd.DataFrame({"municipality_id": ["a"], "year": [1], "area": "x", "index": [0.0]}),
            {"kind": "ICC1"},
        ),
        ("inte en tabell", {}),
    ],
)
def test_icc_rejects_bad_input(frame, kwargs):
    with pytest.raises(ParameterError):
        index_stability(frame, **kwargs)


# --------------------------------------------------------------------------- real data


@pytest.mark.shared
@pytest.mark.parametrize(("area", "items"), [("hemtjänst", HT), ("särskilt boende", SABO)])
def test_real_index_matches_direct_computation(real_values, catalog, area, items):
    tv = real_values[real_values["gender"] == "T"]
    idx = person_centred_index(
        real_values, area=area, catalog=catalog, years=[2019, 2020, 2021, 2022]
    )
    assert idx[idx["year"] == 2021]["index"].isna().all()  # survey not run
    for year in (2019, 2022):
        expected, n_items = _direct_index(tv, items, year)
        expected = expected.where(n_items >= 4)
        got = idx[idx["year"] == year].set_index("municipality_id")
        got_index = got["index"].reindex(expected.index)
        np.testing.assert_allclose(got_index, expected, atol=TOL)
        assert got["eligible"].sum() > 200


@pytest.mark.shared
def test_real_alpha_matches_pingouin(real_values, catalog):
    tv = real_values[real_values["gender"] == "T"]
    a = cronbach_alpha_ecological(
        real_values, area="hemtjänst", catalog=catalog, years=[2019, 2022], standardized=False
    )
    for _, row in a.iterrows():
        alpha, ci = pg.cronbach_alpha(data=_wide(tv, HT, row["year"]), nan_policy="listwise")
        assert row["alpha"] == pytest.approx(alpha, abs=TOL)
        assert row["ci_low"] == pytest.approx(ci[0], abs=5e-4)
    gr = cronbach_alpha_ecological(
        real_values, area="särskilt boende", catalog=catalog, years=2022, municipalities="gr"
    )
    wide = _wide(tv, SABO, 2022).reindex(list(GR_MUNICIPALITIES)).dropna()
    z = (wide - wide.mean()) / wide.std(ddof=1)
    assert gr.at[0, "alpha"] == pytest.approx(pg.cronbach_alpha(data=z)[0], abs=TOL)
    assert gr.at[0, "n"] == len(wide)


@pytest.mark.shared
def test_real_index_stability_matches_pingouin(real_values, catalog, no_ci_rounding):
    idx = person_centred_index(
        real_values, area="hemtjänst", catalog=catalog, years=range(2016, 2023)
    )
    for kind, typ in (("consistency", "ICC(C,1)"), ("agreement", "ICC(A,1)")):
        s = index_stability(idx, kind=kind).iloc[0]
        exp = _pg_icc(idx, typ)
        assert s["icc"] == pytest.approx(exp["ICC"], abs=TOL)
        assert s["ci_low"] == pytest.approx(exp["CI95"][0], abs=TOL)
        assert s["ci_high"] == pytest.approx(exp["CI95"][1], abs=TOL)
        assert s["k"] == 6  # 2016–2022 without 2021
