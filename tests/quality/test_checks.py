"""Tests of fou.quality: declarations, each check on small synthetic tables, real and demo data.

The synthetic tables are built from a tiny catalogue (``cat`` fixture) and a
panel of 30 municipalities whose values are a municipality level plus a trend
plus *bounded* noise (uniform on ±1 from a seeded generator), so that no robust
z can get anywhere near the thresholds by chance: every finding in these tests
is one that was planted.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fou.core import sv
from fou.core.catalog import parse_catalog
from fou.core.errors import DataValidationError, ParameterError
from fou.core.registry import GR_MUNICIPALITIES, municipality_ids
from fou.quality import (
    CHECKS,
    IMPLEMENTATIONS,
    ISSUE_COLUMNS,
    ISSUES_SCHEMA,
    KINDS,
    MAD_SCALE,
    SEVERITIES,
    check_completeness,
    check_duplicates,
    check_jumps,
    check_level_shifts,
    check_outliers,
    check_range,
    check_stale,
    check_suppression,
    completeness_summary,
    filter_issues,
    issue_counts,
    kinds_table,
    primary_values,
    robust_scale,
    robust_z,
    run_checks,
    run_checks_by_year,
    shift_table,
    usable_summary,
)
from fou.quality._common import grouped_robust_z, make_scope
from fou.quality.checks import year_changes

YEARS = tuple(range(2016, 2023))
OTHERS = tuple(m for m in municipality_ids() if m not in GR_MUNICIPALITIES)[:17]
MUNIS = (*GR_MUNICIPALITIES, *OTHERS)  # 30 municipalities, the 13 GR ones first


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cat():
    """A tiny catalogue with one key figure of each kind the checks treat differently."""
    return parse_catalog(
        {
            "survey": {
                "not_run": [2021],
                "min_respondents": 30,
                "companions": {
                    "hemtjänst": {"respondents": "U23592", "response_rate": "U23593",
                                  "few_respondents": "N23590"}
                },
            },
            "companions": [
                {"id": "U23592", "title": "svarande, antal", "unit": "count"},
                {"id": "U23593", "title": "svarsfrekvens, andel (%)", "unit": "percent"},
                {"id": "N23590", "title": "färre än 30 svarande (Ja=1, Nej=0)", "unit": "flag"},
            ],
            "domains": {
                "personcentrering": [
                    {"id": "U21468", "title": "helhetssyn, andel (%)", "unit": "percent",
                     "better": "higher", "area": "hemtjänst", "survey": True},
                ],
                "hälsofrämjande och förebyggande": [
                    {"id": "U23433", "title": "åtgärder mot fall, andel (%)", "unit": "percent"},
                ],
                "kompetens": [
                    {"id": "U23495", "title": "adekvat utbildning (-2022)", "unit": "percent",
                     "breaks": [{"year": 2023, "change": "Nyckeltalet upphörde efter 2022."}]},
                ],
                "kostnader": [
                    {"id": "N20900", "title": "nettokostnadsavvikelse (%)",
                     "unit": "percent_deviation",
                     "breaks": [{"year": 2019, "change": "Ny beräkningsmetod från 2019."}]},
                    {"id": "N20007", "title": "kostnad kr/inv 65+", "unit": "sek"},
                    {"id": "N20029", "title": "nettokostnadsavvikelse mnkr", "unit": "msek"},
                    {"id": "U20008", "title": "resursindex", "unit": "index"},
                ],
            },
        },
        source=Path("test_catalog.yaml"),
    )  # fmt: skip


def values_frame(rows: list[dict]) -> pd.DataFrame:
    """Values table from records with at least kpi, municipality_id, year, value."""
    df = pd.DataFrame(rows)
    df["gender"] = df.get("gender", "T")
    df["source"] = df.get("source", "kolada")
    df["count"] = pd.NA
    df["status"] = ""
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    return df[["kpi", "municipality_id", "year", "gender", "value", "count", "status", "source"]]


def panel(kpi: str, *, base: float = 50.0, slope: float = 0.5, seed: int = 1,
          years=YEARS, municipalities=MUNIS) -> pd.DataFrame:  # fmt: skip
    """Level (municipality effect) + trend + bounded noise for each municipality and year."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, mid in enumerate(municipalities):
        for y in years:
            v = base + 2.0 * (i % 7) + slope * (y - years[0]) + rng.uniform(-1.0, 1.0)
            rows.append({"kpi": kpi, "municipality_id": mid, "year": y, "value": round(v, 2)})
    return values_frame(rows)


def set_value(v: pd.DataFrame, kpi: str, mid: str, year: int, value: float) -> pd.DataFrame:
    out = v.copy()
    mask = (out["kpi"] == kpi) & (out["municipality_id"] == mid) & (out["year"] == year)
    assert mask.sum() == 1
    out.loc[mask, "value"] = value
    return out


def kinds(issues: pd.DataFrame) -> set[str]:
    return set(issues["check"])


def cells(issues: pd.DataFrame, kind: str) -> set[tuple]:
    part = issues[issues["check"] == kind]

    def clean(x):
        return None if pd.isna(x) else x

    return {
        (clean(r.kpi), clean(r.municipality_id), clean(r.year) and int(r.year))
        for r in part.itertuples()
    }


# --------------------------------------------------------------------------- robust statistics
def test_mad_scale_is_the_normal_consistency_constant():
    assert abs(MAD_SCALE - 1.4826) < 1e-4
    x = np.array([1.0, 4.0, 4.5, 7.0, 12.0])
    assert robust_scale(x) == pytest.approx(
        stats.median_abs_deviation(x, scale="normal"), abs=1e-12
    )


def test_robust_z_matches_scipy():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.normal(10.0, 3.0, 200), [60.0, -40.0]])
    expected = (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
    np.testing.assert_allclose(robust_z(x), expected, atol=1e-9)


def test_robust_z_falls_back_to_mean_absolute_deviation_when_mad_is_zero():
    x = np.array([5.0, 5.0, 5.0, 5.0, 9.0])
    assert stats.median_abs_deviation(x) == 0
    scale = np.mean(np.abs(x - 5.0)) * np.sqrt(np.pi / 2)
    np.testing.assert_allclose(robust_z(x), (x - 5.0) / scale, atol=1e-12)
    assert np.isnan(robust_z([3.0, 3.0, 3.0])).all()


def test_robust_z_ignores_missing_values():
    z = robust_z([1.0, np.nan, 2.0, 3.0, 10.0])
    assert np.isnan(z[1])
    ok = np.array([1.0, 2.0, 3.0, 10.0])
    np.testing.assert_allclose(
        z[[0, 2, 3, 4]], (ok - 2.5) / stats.median_abs_deviation(ok, scale="normal")
    )


def test_grouped_robust_z_equals_per_group_scipy():
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "g": np.repeat(["a", "b", "c"], 40),
            "x": rng.normal(0, 1, 120) * np.repeat([1, 5, 20], 40),
        }
    )
    out = grouped_robust_z(df["x"], [df["g"]])
    for _, part in df.groupby("g"):
        x = part["x"].to_numpy()
        expected = (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")
        np.testing.assert_allclose(out.loc[part.index, "z"], expected, atol=1e-9)
        assert (out.loc[part.index, "n"] == 40).all()


# --------------------------------------------------------------------------- declarations
def test_every_check_is_declared_once_and_implemented():
    assert list(CHECKS) == list(IMPLEMENTATIONS)
    declared_kinds = [k for c in CHECKS.values() for k in c.kinds]
    assert sorted(declared_kinds) == sorted(KINDS)
    for kind in KINDS.values():
        assert kind.severity in SEVERITIES
        assert kind.label and kind.meaning.endswith(".")
        assert kind.check in CHECKS
    for check in CHECKS.values():
        assert check.kinds, f"{check.name} reports no kinds"
    table = kinds_table()
    assert list(table["kind"]) == list(KINDS)
    assert table.loc[table["kind"] == "contradiction", "severity"].item() == "fel"


def test_issue_table_has_exactly_the_declared_columns(cat):
    v = panel("U23433")
    issues = run_checks(set_value(v, "U23433", "1440", 2020, 130.0), catalog=cat)
    assert tuple(issues.columns) == ISSUE_COLUMNS
    ISSUES_SCHEMA.validate(issues)
    assert issues["severity"].cat.ordered
    assert list(issues["severity"].cat.categories) == ["info", "varning", "fel"]
    assert issues["year"].dtype == "Int64"


def test_issue_table_is_empty_but_well_formed_when_nothing_is_found(cat):
    issues = run_checks(
        panel("U23433"), catalog=cat, checks=["range", "jumps", "outliers", "duplicates"]
    )
    assert issues.empty
    assert tuple(issues.columns) == ISSUE_COLUMNS


def test_one_run_prepares_its_input_once_and_every_check_alone_sees_the_same(cat, monkeypatch):
    from fou.quality import _common

    v = set_value(panel("U23433"), "U23433", "1440", 2020, 130.0)
    v = set_value(v, "U23433", "1441", 2021, float("nan"))
    ids = ["1440", "1441", "1480"]
    # Each check on its own (its own scope) gives the rows the full run gives for its kinds.
    alone = pd.concat(
        [run_checks(v, catalog=cat, checks=[c], municipalities=ids) for c in CHECKS],
        ignore_index=True,
    )
    built = []
    real = _common._make_scope
    monkeypatch.setattr(_common, "_make_scope", lambda *a: built.append(a) or real(*a))
    together = run_checks(v, catalog=cat, municipalities=iter(ids))  # a generator, read once
    assert len(built) == 1, "the eight checks share one prepared scope"
    assert len(together) and set(together["check"]) >= {"out_of_range"}
    key = ["check", "kpi", "municipality_id", "year", "detail"]
    pd.testing.assert_frame_equal(
        together.sort_values(key).reset_index(drop=True),
        alone.pipe(lambda d: d.astype(together.dtypes.to_dict()))
        .sort_values(key)
        .reset_index(drop=True),
    )


def test_a_check_that_changes_its_rows_changes_no_other_checks_rows(cat):
    from fou.quality._common import make_scope, one_scope_per_run

    v = panel("U23433")
    with one_scope_per_run():
        first = make_scope(v, catalog=cat, municipalities=None, years=None, gender="T")
        first.rows.loc[0, "value"] = -1.0
        first.primary.loc[0, "value"] = -1.0
        second = make_scope(v, catalog=cat, municipalities=None, years=None, gender="T")
    assert second.rows.loc[0, "value"] != -1.0 and second.primary.loc[0, "value"] != -1.0
    assert v["value"].min() >= 0


def _each_fresh(v, cat, ids):
    from fou.quality import _common

    out = {}
    for m in ids:
        _common.clear_national()
        out[m] = run_checks(v, catalog=cat, municipalities=[m])
    return out


def test_what_is_national_is_computed_once_for_every_selection_and_never_served_stale(cat):
    from fou.quality import _common

    v = set_value(panel("U23433"), "U23433", "1440", 2020, 130.0)  # out of range and a jump
    v = set_value(v, "U23433", "1441", 2021, 80.0)  # a jump
    ids = ["1440", "1441", "1480"]
    fresh = _each_fresh(v, cat, ids)
    assert {"out_of_range", "jump"} <= kinds(fresh["1440"]) and "jump" in kinds(fresh["1441"])
    _common.clear_national()
    shared = {m: run_checks(v, catalog=cat, municipalities=[m]) for m in ids}
    assert len(_common._NATIONAL) == 1, "one data set, one set of national results"
    kept = {w[0] for w in next(iter(_common._NATIONAL.values()))}
    assert {"jumps", "shifts", "outliers", "counts"} <= kept
    for m in ids:
        pd.testing.assert_frame_equal(shared[m], fresh[m])
    # The same table changed in place (another object, or the same one) is other data.
    ale = v["municipality_id"] == "1440"
    between = v.loc[ale & v["year"].isin([2019, 2021]), "value"].mean()
    v.loc[ale & (v["year"] == 2020), "value"] = between
    again = run_checks(v, catalog=cat, municipalities=["1440"])
    assert "out_of_range" not in kinds(again) and "jump" not in kinds(again)
    pd.testing.assert_frame_equal(again, _each_fresh(v, cat, ["1440"])["1440"])


def test_a_caller_that_changes_a_national_table_changes_nobody_elses():
    from fou.quality import _common

    _common.clear_national()
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"kpi": ["U1", "U2"], "n": [3, 4]}), pd.Series([1.0, 2.0])

    table, series = _common.national("data", "counts", compute)
    table.loc[0, "n"] = -1
    table["extra"] = 1
    series.iloc[0] = -1.0
    again, series_again = _common.national("data", "counts", compute)
    assert calls == [1], "computed once"
    assert again.columns.tolist() == ["kpi", "n"] and again["n"].tolist() == [3, 4]
    assert series_again.tolist() == [1.0, 2.0]
    assert _common.national("", "counts", compute) is not None and calls == [1, 1], (
        "without a data key nothing is kept"
    )


def test_national_results_of_at_most_two_data_sets_are_kept(cat):
    from fou.quality import _common

    _common.clear_national()
    tables = [panel("U23433", seed=s) for s in (1, 2, 3)]
    for t in tables:
        run_checks(t, catalog=cat, checks=["jumps"], municipalities=["1440"])
    assert len(_common._NATIONAL) == _common.NATIONAL_DATA_KEYS == 2
    keys = list(_common._NATIONAL)
    run_checks(tables[1], catalog=cat, checks=["jumps"], municipalities=["1441"])
    assert list(_common._NATIONAL) == keys[::-1], "the data set used last is kept longest"


# --------------------------------------------------------------------------- input handling
def test_primary_values_prefer_a_value_then_kolada_then_demo_then_local():
    v = values_frame(
        [
            {
                "kpi": "U23433",
                "municipality_id": "1440",
                "year": 2020,
                "value": 80.0,
                "source": "lokal:a.csv",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1440",
                "year": 2020,
                "value": 70.0,
                "source": "kolada",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1441",
                "year": 2020,
                "value": np.nan,
                "source": "kolada",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1441",
                "year": 2020,
                "value": 60.0,
                "source": "lokal:b.csv",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1462",
                "year": 2020,
                "value": 50.0,
                "source": "demo",
            },
        ]
    )
    p = primary_values(v).set_index("municipality_id")["value"]
    assert p.to_dict() == {"1440": 70.0, "1441": 60.0, "1462": 50.0}


def test_bad_input_raises_swedish_errors(cat):
    v = panel("U23433")
    with pytest.raises(ParameterError, match="kontroll måste vara ett av"):
        run_checks(v, catalog=cat, checks=["nonsense"])
    with pytest.raises(ParameterError, match="inställning måste vara ett av"):
        run_checks(v, catalog=cat, options={"jumps": {"z_treshold": 3}})
    with pytest.raises(ParameterError, match="okänd kommun"):
        run_checks(v, catalog=cat, municipalities=["Atlantis"])
    with pytest.raises(ParameterError, match="kön"):
        run_checks(v, catalog=cat, gender="X")
    with pytest.raises(ParameterError, match="årtal"):
        run_checks(v, catalog=cat, years=["tjugotjugo"])
    with pytest.raises(DataValidationError, match="saknar kolumnerna value"):
        run_checks(v.drop(columns="value"), catalog=cat)


# --------------------------------------------------------------------------- 1 completeness
def test_completeness_reports_missing_rows_absent_kpis_and_gaps(cat):
    v = pd.concat([panel("U23433"), panel("N20007", base=50_000)], ignore_index=True)
    v = v[~((v["kpi"] == "U23433") & (v["municipality_id"] == "1440") & (v["year"] == 2022))]
    v = v[~((v["kpi"] == "N20007") & (v["year"] == 2019))]  # a year nobody has
    issues = check_completeness(v, catalog=cat, municipalities=GR_MUNICIPALITIES)
    assert cells(issues, "missing_row") == {("U23433", "1440", 2022)}
    row = issues[issues["check"] == "missing_row"].iloc[0]
    assert "12 av 13 GR-kommuner har värden 2022 (29 av 30 kommuner i data)" in row["detail"]
    assert np.isnan(row["value"])
    assert cells(issues, "not_published") == {("N20007", None, 2019)}
    # catalogue key figures without any values: U21468, U23495, N20900, U20008 (N20029 too)
    assert {k for k, _, _ in cells(issues, "kpi_absent")} == {
        "U21468",
        "U23495",
        "N20900",
        "N20029",
        "U20008",
    }
    summary = issues[issues["check"] == "completeness_summary"]
    ale_2022 = summary[(summary["municipality_id"] == "1440") & (summary["year"] == 2022)]
    assert ale_2022["value"].item() == 1.0
    assert ale_2022["detail"].item() == "1 av 2 nyckeltal saknar värde 2022: 1 saknade rader."


def test_completeness_years_after_a_series_ends_are_not_gaps(cat):
    v = pd.concat(
        [panel("U23433"), panel("N20007", base=50_000, years=YEARS[:-2])], ignore_index=True
    )
    issues = check_completeness(v, catalog=cat, municipalities=["1440"])
    assert "not_published" not in kinds(issues)  # N20007 ends 2020: stale, not a gap
    summary = completeness_summary(v, catalog=cat, municipalities=["1440"]).set_index("year")
    assert summary.loc[2022, ["n_outside_series", "n_not_published", "n_expected"]].tolist() == [
        1,
        0,
        1,
    ]


def test_completeness_with_all_genders_expects_k_and_m_only_where_the_data_has_them(cat):
    v = pd.concat(
        [panel("U23433"), panel("U21468", base=85).assign(gender="K"), panel("U21468", base=85)],
        ignore_index=True,
    )
    v = v[~((v["kpi"] == "U21468") & (v["gender"] == "K") & (v["municipality_id"] == "1440"))]
    issues = check_completeness(v, catalog=cat, municipalities=["1440", "1441"], gender=None)
    missing = issues[issues["check"] == "missing_row"]
    assert set(zip(missing["kpi"], missing["gender"], strict=True)) == {("U21468", "K")}
    assert set(missing["municipality_id"]) == {"1440"}


def test_completeness_expected_years_extend_the_grid(cat):
    v = panel("U23433", years=(2021, 2022))
    summary = completeness_summary(
        v, catalog=cat, municipalities=["1440"], expected_years=[2020, 2021, 2022]
    )
    assert summary["year"].tolist() == [2020, 2021, 2022]
    # 2020 lies before the series starts: not expected, not missing
    assert summary["n_outside_series"].tolist() == [1, 0, 0]
    assert summary["n_values"].tolist() == [0, 1, 1]
    assert summary["n_kpi_absent"].tolist() == [6, 6, 6]
    assert summary["share_with_value"].tolist() == [pytest.approx(np.nan, nan_ok=True), 1.0, 1.0]


# --------------------------------------------------------------------------- 2 suppression
def test_suppressed_survey_value_names_the_publication_threshold(cat):
    v = set_value(panel("U21468"), "U21468", "1415", 2020, np.nan)
    detail = check_suppression(v, catalog=cat, municipalities=GR_MUNICIPALITIES)["detail"].iloc[0]
    assert detail.startswith("Värdet saknas (troligen färre än 30 svarande eller sekretess)")


def test_suppressed_null_where_others_have_values(cat):
    v = set_value(panel("U23433"), "U23433", "1415", 2020, np.nan)
    v = set_value(v, "U23433", "1440", 2020, np.nan)
    issues = check_suppression(v, catalog=cat, municipalities=GR_MUNICIPALITIES)
    assert cells(issues, "suppressed") == {("U23433", "1415", 2020), ("U23433", "1440", 2020)}
    detail = issues["detail"].iloc[0]
    assert detail.startswith(
        # U23433 is not from the user survey: no talk of respondents or secrecy
        "Värdet saknas (ej publicerat eller ej inrapporterat) men 11 av 13 GR-kommuner"
    )
    assert "kommunen har värden året före och året efter" in detail
    assert issues["value"].isna().all()  # a missing value is reported as missing, never 0


def test_suppression_respects_the_year_selection(cat):
    v = set_value(panel("U23433"), "U23433", "1415", 2020, np.nan)
    assert check_suppression(v, catalog=cat, years=[2021, 2022]).empty
    assert len(check_suppression(v, catalog=cat, years=[2020])) == 1


def test_survey_not_run_is_one_explained_issue_per_kpi_and_year(cat):
    v = panel("U21468", base=85)
    v.loc[v["year"] == 2021, "value"] = np.nan
    v = pd.concat(
        [v, set_value(panel("U23433"), "U23433", "1440", 2021, np.nan)], ignore_index=True
    )
    issues = check_suppression(v, catalog=cat, municipalities=GR_MUNICIPALITIES)
    notrun = issues[issues["check"] == "survey_not_run"]
    assert len(notrun) == 1
    assert notrun.iloc[0][["kpi", "year", "severity"]].tolist() == ["U21468", 2021, "info"]
    assert notrun["municipality_id"].isna().all()
    assert (
        "genomfördes inte 2021: värdet saknas för 13 av 13 GR-kommuner" in notrun["detail"].item()
    )
    # the survey gap is not suppression; a non-survey key figure's null in 2021 is
    assert cells(issues, "suppressed") == {("U23433", "1440", 2021)}


def test_survey_not_run_also_covers_missing_rows(cat):
    v = panel("U21468", base=85)
    v = v[v["year"] != 2021]
    issues = run_checks(
        v, catalog=cat, checks=["completeness", "suppression"], municipalities=GR_MUNICIPALITIES
    )
    assert cells(issues, "survey_not_run") == {("U21468", None, 2021)}
    assert "missing_row" not in kinds(issues)
    assert "not_published" not in kinds(issues)


def test_few_respondents_and_low_response_rate(cat):
    v = panel("U21468", base=85, years=(2022,))
    companions = values_frame(
        [
            {
                "kpi": "U23592",
                "municipality_id": "1440",
                "year": 2022,
                "value": 24.0,
            },  # respondents < 30
            {"kpi": "U23592", "municipality_id": "1441", "year": 2022, "value": 120.0},
            {"kpi": "N23590", "municipality_id": "1462", "year": 2022, "value": 1.0},  # flag only
            {"kpi": "U23593", "municipality_id": "1441", "year": 2022, "value": 35.0},  # rate < 40
            {"kpi": "U23593", "municipality_id": "1480", "year": 2022, "value": 40.0},  # not below
        ]
    )
    v = pd.concat([v, companions], ignore_index=True)
    issues = check_suppression(v, catalog=cat)
    assert cells(issues, "few_respondents") == {("U21468", "1440", 2022), ("U21468", "1462", 2022)}
    few = issues[issues["check"] == "few_respondents"].set_index("municipality_id")
    assert (
        few.loc["1440", "detail"]
        == "Värdet bygger på 24 svarande, färre än publiceringsgränsen 30."
    )
    assert (
        few.loc["1440", "value"]
        == v.loc[(v["kpi"] == "U21468") & (v["municipality_id"] == "1440"), "value"].item()
    )
    assert cells(issues, "low_response_rate") == {("U21468", "1441", 2022)}
    assert (
        "Svarsfrekvensen är 35\u00a0% (under 40\u00a0%)"
        in issues.loc[issues["check"] == "low_response_rate", "detail"].item()
    )
    stricter = check_suppression(v, catalog=cat, min_response_rate=45.0)
    assert cells(stricter, "low_response_rate") == {
        ("U21468", "1441", 2022),
        ("U21468", "1480", 2022),
    }


# --------------------------------------------------------------------------- 3 range
@pytest.mark.parametrize(
    ("kpi", "value", "flagged"),
    [
        ("U23433", 100.0, False),
        ("U23433", 100.5, True),
        ("U23433", -0.1, True),
        ("U23433", 0.0, False),
        ("N20007", -1.0, True),
        ("N20007", 0.0, False),
        ("N20900", -50.0, False),
        ("N20900", -101.0, True),
        ("N20029", -250.0, False),
        ("U20008", 100.1, True),
        ("U23592", -3.0, True),
        ("N23590", 0.5, True),
        ("N23590", 1.0, False),
        ("U23433", np.inf, True),
    ],
)
def test_range_by_unit(cat, kpi, value, flagged):
    v = values_frame([{"kpi": kpi, "municipality_id": "1440", "year": 2022, "value": value}])
    issues = check_range(v, catalog=cat)
    assert (len(issues) == 1) is flagged
    if flagged:
        assert issues.iloc[0][["check", "severity"]].tolist() == ["out_of_range", "fel"]


def test_range_checks_regions_and_every_source(cat):
    v = values_frame(
        [
            {"kpi": "U23433", "municipality_id": "0000", "year": 2022, "value": 101.0},
            {"kpi": "U23433", "municipality_id": "1440", "year": 2022, "value": 90.0},
            {
                "kpi": "U23433",
                "municipality_id": "1440",
                "year": 2022,
                "value": 190.0,
                "source": "lokal:ale.xlsx",
            },
        ]
    )
    issues = check_range(v, catalog=cat)
    assert sorted(issues["municipality_id"]) == ["0000", "1440"]
    assert issues.loc[issues["municipality_id"] == "1440", "detail"].item() == (
        "Värdet 190 är omöjligt för enheten andel (%): en andel ligger mellan 0 och 100 %. "
        "Källa: lokal:ale.xlsx."
    )
    # with a municipality selection, Riket is not reported
    assert check_range(v, catalog=cat, municipalities=["1440"])["municipality_id"].tolist() == [
        "1440"
    ]


# --------------------------------------------------------------------------- 4 jumps
def test_jump_is_found_and_its_z_matches_an_independent_computation(cat):
    v = set_value(panel("U23433"), "U23433", "1482", 2020, 90.0)  # a one-year spike
    issues = check_jumps(v, catalog=cat)
    assert cells(issues, "jump") == {("U23433", "1482", 2020), ("U23433", "1482", 2021)}
    wide = v.pivot(index="municipality_id", columns="year", values="value")
    d = (wide[2020] - wide[2019]).to_numpy()
    z_expected = (d - np.median(d)) / stats.median_abs_deviation(d, scale="normal")
    z_1482 = z_expected[list(wide.index).index("1482")]
    assert z_1482 > 5
    detail = issues.loc[issues["year"] == 2020, "detail"].item()
    assert detail.endswith(f"(robust z = {sv.prose(z_1482)}).")
    assert detail.startswith("Ovanligt stort hopp 2019–2020: +")
    # the measure in words first: how many typical deviations from the usual change
    assert f"ungefär {sv.prose(abs(z_1482))} gånger så långt bort" in detail
    assert "robust spridning" not in detail and "; robust z" not in detail


def test_jump_threshold_is_configurable(cat):
    v = set_value(panel("U23433"), "U23433", "1482", 2020, 90.0)
    assert check_jumps(v, catalog=cat, z_threshold=1000).empty
    assert run_checks(
        v, catalog=cat, checks="jumps", options={"jumps": {"z_threshold": 1000}}
    ).empty


def test_jumps_skip_known_breaks_and_level_shifts(cat):
    v = panel("N20900", base=0.0, slope=0.0)
    later = (v["municipality_id"] == "1482") & (v["year"] >= 2019)
    v.loc[later, "value"] += 40.0  # would be a jump, but 2019 is a known break
    v = set_value(v, "N20900", "1482", 2017, 40.0)  # not a break year: a jump (and back)
    assert {y for _, _, y in cells(check_jumps(v, catalog=cat), "jump")} == {2017, 2018}
    u = panel("U23433")
    u.loc[u["year"] >= 2020, "value"] += 20.0  # level shift in 2020 for everyone
    u = set_value(u, "U23433", "1440", 2020, 200.0)
    assert ("U23433", "1440", 2020) not in cells(check_jumps(u, catalog=cat), "jump")


def test_jumps_compare_with_the_previous_year_that_has_values(cat):
    v = panel("U21468", base=80)
    v = v[v["year"] != 2021]
    v = set_value(v, "U21468", "1401", 2022, 40.0)
    issues = check_jumps(v, catalog=cat)
    assert cells(issues, "jump") == {("U21468", "1401", 2022)}
    assert issues["detail"].item().startswith("Ovanligt stort hopp 2020–2022:")


def test_size_dependent_units_are_not_judged_by_jumps_or_outliers(cat):
    v = set_value(panel("N20029", base=0.0), "N20029", "1480", 2020, 900.0)
    assert check_jumps(v, catalog=cat).empty
    assert check_outliers(v, catalog=cat).empty
    # a shared shift is still a shift: the median change does not depend on size
    shifted = check_level_shifts(_shifted("N20029", 2020, -8.0, base=0.0), catalog=cat)
    assert cells(shifted, "level_shift") == {("N20029", None, 2020)}


# --------------------------------------------------------------------------- 5 level shifts
def _shifted(kpi: str, year: int, delta: float, *, share: float = 0.9, **kw) -> pd.DataFrame:
    v = panel(kpi, **kw)
    movers = list(MUNIS[: round(share * len(MUNIS))])
    mask = (v["year"] >= year) & v["municipality_id"].isin(movers)
    v.loc[mask, "value"] += delta
    return v


def test_undocumented_level_shift_is_a_warning(cat):
    v = _shifted("U23433", 2020, -8.0)
    issues = check_level_shifts(v, catalog=cat)
    assert len(issues) == 1
    row = issues.iloc[0]
    assert row[["check", "severity", "kpi", "year"]].tolist() == [
        "level_shift",
        "varning",
        "U23433",
        2020,
    ]
    assert pd.isna(row["municipality_id"])
    wide = v.pivot(index="municipality_id", columns="year", values="value")
    assert row["value"] == pytest.approx(np.median(wide[2020] - wide[2019]))
    medians = {y: np.median(wide[y] - wide[y - 1]) for y in YEARS[1:]}
    baseline = np.median([m for y, m in medians.items() if y != 2020])
    same = np.sign((wide[2020] - wide[2019]) - baseline) == np.sign(medians[2020] - baseline)
    assert same.mean() >= 0.9
    assert (
        f"{sv.percent(100 * same.mean(), 0)} av 30 kommuner rör sig åt samma håll" in row["detail"]
    )


def test_known_break_that_shows_and_one_that_does_not(cat):
    shows = check_level_shifts(_shifted("N20900", 2019, -6.0, base=0.0, slope=0.0), catalog=cat)
    assert shows[["check", "severity", "year"]].values.tolist() == [["known_break", "info", 2019]]
    assert (
        shows["detail"]
        .item()
        .startswith(
            "Känt definitionsbyte enligt katalogen (ny beräkningsmetod från 2019). Det syns i data"
        )
    )
    hidden = check_level_shifts(panel("N20900", base=0.0, slope=0.0), catalog=cat)
    assert hidden[["check", "severity", "year"]].values.tolist() == [
        ["known_break_not_visible", "info", 2019]
    ]


def test_a_shift_shared_by_few_municipalities_is_not_a_level_shift(cat):
    v = _shifted("U23433", 2020, -8.0, share=0.5)
    assert check_level_shifts(v, catalog=cat).empty


def test_shift_table_share_counts_only_moves_away_from_the_trend():
    rows = []
    for y in (2018, 2019, 2020):
        for i, mid in enumerate(MUNIS[:12]):
            change = {0: 1.0, 1: -1.0}.get(i, 0.0)  # ten municipalities do not move at all
            rows.append({"kpi": "U23433", "gender": "T", "municipality_id": mid, "year": y,
                         "base_year": y - 1, "change": change})  # fmt: skip
    table = shift_table(pd.DataFrame(rows))
    assert table["median"].tolist() == [0.0, 0.0, 0.0]
    assert table["share"].tolist() == [0.0, 0.0, 0.0]
    assert not table["shifted"].any()


def test_shift_table_against_independent_computation(cat):
    v = _shifted("U23433", 2020, 5.0)
    scope = make_scope(v, catalog=cat, municipalities=None, years=None, gender="T")
    table = shift_table(year_changes(scope, kpis=["U23433"])).set_index("year")
    wide = v.pivot(index="municipality_id", columns="year", values="value")
    medians = {y: np.median(wide[y] - wide[y - 1]) for y in YEARS[1:]}
    mads = {y: stats.median_abs_deviation(wide[y] - wide[y - 1], scale="normal") for y in YEARS[1:]}
    for y in YEARS[1:]:
        others = [medians[o] for o in YEARS[1:] if o != y]
        assert table.loc[y, "median"] == pytest.approx(medians[y], abs=1e-9)
        assert table.loc[y, "baseline"] == pytest.approx(np.median(others), abs=1e-9)
        assert table.loc[y, "scale"] == pytest.approx(np.median(list(mads.values())), abs=1e-9)
    assert table["shifted"].tolist() == [y == 2020 for y in YEARS[1:]]


# --------------------------------------------------------------------------- 6 outliers
def test_outlier_against_all_municipalities_not_regions(cat):
    v = set_value(panel("U23433"), "U23433", "1407", 2021, 95.0)
    riket = values_frame(
        [{"kpi": "U23433", "municipality_id": "0000", "year": 2021, "value": 1000.0}]
    )
    issues = check_outliers(pd.concat([v, riket], ignore_index=True), catalog=cat)
    assert cells(issues, "outlier") == {("U23433", "1407", 2021)}
    levels = v.loc[v["year"] == 2021].set_index("municipality_id")["value"]
    z = (95.0 - levels.median()) / stats.median_abs_deviation(levels, scale="normal")
    detail = issues["detail"].item()
    assert detail.endswith(f"(robust z = {sv.prose(z)}).")
    assert f"värden 2021: bland {len(MUNIS)} kommuner är medianen {sv.prose(levels.median())}" in (
        detail
    )
    assert f"ungefär {sv.prose(z)} gånger så långt bort" in detail


def test_outliers_are_reported_only_for_the_selection(cat):
    v = set_value(panel("U23433"), "U23433", "1407", 2021, 95.0)
    assert check_outliers(v, catalog=cat, municipalities=["1440"]).empty
    assert len(check_outliers(v, catalog=cat, municipalities=["Öckerö"])) == 1


# --------------------------------------------------------------------------- 7 duplicates
def test_duplicates_and_contradictions(cat):
    v = values_frame(
        [
            {
                "kpi": "U23433",
                "municipality_id": "1440",
                "year": 2022,
                "value": 70.0,
                "source": "kolada",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1440",
                "year": 2022,
                "value": 70.0,
                "source": "lokal:ale.csv",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1441",
                "year": 2022,
                "value": 60.0,
                "source": "lokal:lerum.csv",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1441",
                "year": 2022,
                "value": 65.0,
                "source": "kolada",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1462",
                "year": 2022,
                "value": np.nan,
                "source": "kolada",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1462",
                "year": 2022,
                "value": 55.0,
                "source": "lokal:le.csv",
            },
            {
                "kpi": "U23433",
                "municipality_id": "1480",
                "year": 2022,
                "value": 50.0,
                "source": "kolada",
            },
        ]
    )
    issues = check_duplicates(v, catalog=cat)
    assert cells(issues, "duplicate") == {("U23433", "1440", 2022)}
    assert cells(issues, "contradiction") == {("U23433", "1441", 2022), ("U23433", "1462", 2022)}
    lerum = issues[issues["municipality_id"] == "1441"].iloc[0]
    assert lerum["severity"] == "fel"
    assert lerum["value"] == 65.0  # Kolada first
    assert (
        lerum["detail"] == "Olika värden för samma nyckel (kolada: 65; lokal:lerum.csv: 60); "
        "utred vilket som gäller."
    )
    assert issues.loc[issues["municipality_id"] == "1440", "detail"].item() == (
        "Samma värde finns 2 gånger (kolada: 70; lokal:ale.csv: 70)."
    )


# --------------------------------------------------------------------------- 8 stale
def test_stale_and_discontinued(cat):
    v = pd.concat(
        [
            panel("U23433"),  # up to 2022
            panel("N20007", base=50_000, years=YEARS[:-2]),  # ends 2020: stale
            panel("U23495", years=YEARS[:-1]),  # ends 2021; catalogue: ended after 2022 -> stale
        ],
        ignore_index=True,
    )
    issues = check_stale(v, catalog=cat)
    assert cells(issues, "stale") == {("N20007", None, 2020), ("U23495", None, 2021)}
    assert "medan andra nyckeltal har värden till 2022" in issues["detail"].iloc[0]
    v2 = pd.concat([panel("U23433", years=(*YEARS, 2023)), panel("U23495")], ignore_index=True)
    ended = check_stale(v2, catalog=cat)
    assert ended[["check", "severity", "kpi", "year"]].values.tolist() == [
        ["discontinued", "info", "U23495", 2022]
    ]
    # a report on 2020 does not need N20007 after 2020
    assert check_stale(v, catalog=cat, years=[2020]).empty


# --------------------------------------------------------------------------- run_checks, summaries
def test_run_checks_sorts_most_serious_first_and_selects_by_kind(cat):
    v = set_value(panel("U23433"), "U23433", "1482", 2020, 150.0)
    v = set_value(v, "U23433", "1440", 2019, np.nan)
    issues = run_checks(v, catalog=cat, checks=["range", "jumps", "suppression"])
    codes = issues["severity"].cat.codes
    assert (codes.diff().dropna() <= 0).all()  # fel (2), then varning (1), then info (0)
    assert issues["check"].iloc[0] == "out_of_range"
    only = run_checks(v, catalog=cat, checks="suppressed")
    assert kinds(only) == {"suppressed"}


def test_run_checks_by_municipality_name_and_gender(cat):
    v = set_value(panel("U23433"), "U23433", "1440", 2020, 150.0)
    women = v.assign(gender="K")
    women.loc[(women["municipality_id"] == "1440") & (women["year"] == 2020), "value"] = 50.0
    both = pd.concat([v, women], ignore_index=True)
    assert cells(
        run_checks(both, catalog=cat, checks="range", municipalities=["Ale"]), "out_of_range"
    ) == {("U23433", "1440", 2020)}
    assert run_checks(both, catalog=cat, checks="range", gender="K").empty
    assert run_checks(both, catalog=cat, checks="range", gender=None)["gender"].tolist() == ["T"]


def test_filter_issues_keeps_rows_that_concern_everyone(cat):
    v = _shifted("U23433", 2020, -8.0)
    v = set_value(v, "U23433", "1482", 2018, 150.0)
    issues = run_checks(v, catalog=cat, checks=["range", "level_shifts"])
    only_ale = filter_issues(issues, municipalities=["1440"])
    assert kinds(only_ale) == {"level_shift"}
    assert kinds(filter_issues(issues, min_severity="fel")) == {"out_of_range"}
    with pytest.raises(ParameterError):
        filter_issues(issues, min_severity="katastrof")


def test_issue_counts(cat):
    v = set_value(panel("U23433"), "U23433", "1482", 2020, 150.0)
    v = set_value(v, "U23433", "1401", 2020, 101.0)
    issues = run_checks(v, catalog=cat, checks=["range"])
    counts = issue_counts(issues)
    assert counts[
        ["check", "label", "severity", "n", "n_kpis", "n_municipalities"]
    ].values.tolist() == [["out_of_range", "Omöjligt värde för enheten", "fel", 2, 1, 2]]
    everything = issue_counts(issues, all_kinds=True)
    assert set(everything["check"]) == set(KINDS)
    assert everything.loc[everything["check"] == "jump", "n"].item() == 0


def test_usable_summary(cat):
    v = pd.concat(
        [panel("U23433", years=(2022,)), panel("N20007", base=50_000, years=(2022,))],
        ignore_index=True,
    )
    v = set_value(v, "U23433", "1440", 2022, 140.0)  # fel: not usable
    v = set_value(v, "N20007", "1441", 2022, np.nan)  # missing: not usable
    issues = run_checks(v, catalog=cat, years=[2022])
    s = usable_summary(
        v, issues, catalog=cat, municipalities=["1440", "1441", "1462"], years=[2022]
    )
    assert list(s.columns) == [
        "municipality_id",
        "year",
        "domain",
        "n_kpis",
        "n_usable",
        "share_usable",
    ]
    assert s["domain"].unique().tolist() == [
        "personcentrering", "hälsofrämjande och förebyggande", "kompetens", "kostnader"
    ]  # fmt: skip
    pick = s.set_index(["municipality_id", "domain"])
    assert pick.loc[("1440", "hälsofrämjande och förebyggande"), "n_usable"] == 0
    assert pick.loc[("1441", "hälsofrämjande och förebyggande"), "n_usable"] == 1
    assert pick.loc[("1441", "kostnader"), ["n_kpis", "n_usable"]].tolist() == [4, 0]
    assert pick.loc[("1462", "kostnader"), "share_usable"] == pytest.approx(1 / 4)
    assert pick.loc[("1462", "personcentrering"), "share_usable"] == 0.0


# --------------------------------------------------------------------------- real Kolada data
@pytest.fixture(scope="module")
def real_issues(real_values):
    from fou.core.catalog import load_catalog

    cat = load_catalog()
    v = real_values[real_values["kpi"].isin(cat.all_ids)].assign(
        count=pd.NA, status="", source="kolada"
    )
    issues = run_checks(v, municipalities=GR_MUNICIPALITIES, years=range(2019, 2023))
    return v, issues


@pytest.mark.shared
def test_real_data_survey_gap_2021_is_explained_not_suppression(real_issues):
    from fou.core.catalog import load_catalog

    v, issues = real_issues
    cat = load_catalog()
    survey = set(cat.kpis.loc[cat.kpis["survey"], "kpi"]) & set(v["kpi"])
    notrun = issues[issues["check"] == "survey_not_run"]
    assert survey <= set(notrun.loc[notrun["year"] == 2021, "kpi"])
    assert (notrun["severity"] == "info").all()
    suppressed_2021 = issues[(issues["check"] == "suppressed") & (issues["year"] == 2021)]
    assert not (set(suppressed_2021["kpi"]) & survey)


@pytest.mark.shared
def test_real_data_u23433_suppressed_for_ale_stenungsund_kungalv(real_issues):
    _, issues = real_issues
    found = cells(issues, "suppressed")
    expected = {("U23433", m, y) for m in ("1440", "1415", "1482") for y in range(2019, 2023)}
    assert expected <= found
    gbg = issues[(issues["kpi"] == "U23433") & (issues["municipality_id"] == "1480")]
    assert gbg.empty


@pytest.mark.shared
def test_real_data_n20900_break_2019_does_not_show(real_issues):
    """Finding: the catalogued 2019 method change of N20900 leaves no shared level shift."""
    _, issues = real_issues
    n20900 = issues[(issues["kpi"] == "N20900") & (issues["year"] == 2019)]
    assert n20900["check"].tolist() == ["known_break_not_visible"]


# --------------------------------------------------------------------------- demo data
#: Which issue kinds find each kind of planted problem of fou.data.demo.
PLANTED_FOUND_BY: dict[str, set[str]] = {
    "jump": {"jump"},
    "out_of_range": {"out_of_range"},
    "negative_cost": {"out_of_range"},
    "extra_suppression": {"suppressed"},
    "duplicate": {"duplicate"},
    "contradicting_duplicate": {"contradiction"},
    "stale_kpi": {"stale"},
    "kpi_ended": {"discontinued"},
    "definition_break": {"known_break"},
    "unlisted_break": {"level_shift"},
    "survey_not_run": {"survey_not_run"},
}


@pytest.fixture(scope="module")
def demo_data():
    try:
        from fou.data import demo
    except ImportError as exc:  # pragma: no cover - only while fou.data.demo is being written
        pytest.skip(f"fou.data.demo kan inte importeras: {exc}")
    data = demo.generate_demo()
    return demo.PLANTED, data.raw, run_checks(data.raw)


def _matches(issues: pd.DataFrame, planted: pd.Series) -> pd.DataFrame:
    mask = issues["check"].isin(PLANTED_FOUND_BY[planted["problem"]])
    if pd.notna(planted["kpi"]):
        mask &= issues["kpi"] == planted["kpi"]
    if pd.notna(planted["municipality_id"]):
        mask &= issues["municipality_id"] == planted["municipality_id"]
    if pd.notna(planted["year"]):
        # a discontinued key figure is reported at its last year, the break one year later
        year = planted["year"] - 1 if planted["problem"] == "kpi_ended" else planted["year"]
        mask &= issues["year"] == year
    return issues[mask]


def test_demo_every_planted_problem_is_found(demo_data):
    planted, _, issues = demo_data
    unknown = set(planted["problem"]) - set(PLANTED_FOUND_BY)
    assert not unknown, f"planted problems without an expected check: {unknown}"
    missed = [p.to_dict() for _, p in planted.iterrows() if _matches(issues, p).empty]
    assert not missed, f"planted problems not found: {missed}"


def test_demo_errors_are_only_the_planted_ones(demo_data):
    planted, _, issues = demo_data
    fel = issues[issues["severity"] == "fel"]
    planted_cells = {
        (p.kpi, p.municipality_id, int(p.year))
        for p in planted.itertuples()
        if pd.notna(p.municipality_id)
    }
    found = {(r.kpi, r.municipality_id, int(r.year)) for r in fel.itertuples()}
    assert found <= planted_cells, f"errors that were not planted: {found - planted_cells}"
    assert kinds(fel) == {"out_of_range", "contradiction"}


def _same_issues(values, *, year, municipalities) -> int:
    one, every = run_checks_by_year(values, year=year, municipalities=municipalities)
    pd.testing.assert_frame_equal(
        one, run_checks(values, municipalities=municipalities, years=[year])
    )
    pd.testing.assert_frame_equal(every, run_checks(values, municipalities=municipalities))
    return len(one)


@pytest.mark.slow
@pytest.mark.parametrize("municipalities", [["1441"], list(GR_MUNICIPALITIES)], ids=["1", "13"])
def test_demo_a_years_issues_from_the_all_years_run_are_the_years_own(demo_data, municipalities):
    _, values, _ = demo_data
    years = sorted(values["year"].unique())
    # the last year (discontinued key figures), one in the middle and the survey gap 2021
    found = [_same_issues(values, year=int(y), municipalities=municipalities)
             for y in (years[-1], years[-2], 2021)]  # fmt: skip
    assert min(found) > 0


@pytest.mark.shared
@pytest.mark.slow
def test_real_data_a_years_issues_from_the_all_years_run_are_the_years_own(real_issues):
    v, _ = real_issues
    found = [_same_issues(v, year=y, municipalities=GR_MUNICIPALITIES) for y in (2022, 2021)]
    assert min(found) > 0


# --------------------------------------------------------------------------- wording for readers
def _reader_texts() -> list[str]:
    texts = [t for k in KINDS.values() for t in (k.label, k.meaning, k.value)]
    texts += [t for c in CHECKS.values() for t in (c.label, c.description)]
    from fou.quality import UNIT_RULES

    return texts + [rule for _, _, rule in UNIT_RULES.values()]


def test_declared_texts_are_plain_swedish():
    for text in _reader_texts():
        assert "Enkätfölj" not in text, text
        assert "'" not in text and '"' not in text, text  # Swedish quotes only
        assert not re.search(r"(?<![\w\-–])-\d", text), text  # a true minus, not a hyphen
        assert "inte uppdaterats, inte hämtats" not in text, text


def test_suppressed_label_fits_survey_and_other_key_figures():
    kind = KINDS["suppressed"]
    assert kind.label == "Värde saknas (ej publicerat)"
    assert "sekretess" not in kind.label
    # the meaning tells both stories: few respondents for the survey, unreported otherwise
    assert "färre än 30 svarade" in kind.meaning and "andra nyckeltal" in kind.meaning


def test_jump_and_outlier_meanings_explain_instead_of_naming_the_measure():
    for name in ("jump", "outlier"):
        assert "robust z" not in KINDS[name].meaning
        assert "många gånger" in KINDS[name].meaning
    assert KINDS["stale"].meaning == (
        "Nyckeltalets senaste år med värden är äldre än för övriga nyckeltal. Troligen är "
        "senare år ännu inte publicerade eller hämtade, eller så har nyckeltalet upphört. "
        "Jämför inte senaste år rakt av."
    )


def test_internal_summary_kind_is_declared():
    """``completeness_summary`` is a check's own bookkeeping; reports hide it by this name."""
    assert KINDS["completeness_summary"].label == "Sammanfattning per kommun och år"
    assert KINDS["completeness_summary"].severity == "info"


def test_percent_deviation_rule_uses_a_true_minus():
    from fou.quality import UNIT_RULES

    assert UNIT_RULES["percent_deviation"][2] == (
        "en kostnadsavvikelse under −100 % betyder negativ kostnad"
    )


def test_flag_companion_is_worded_as_kolada_says_it(cat):
    v = panel("U21468", base=85, years=(2022,))
    v = set_value(v, "U21468", "1440", 2022, np.nan)
    flags = values_frame(
        [
            {"kpi": "N23590", "municipality_id": "1440", "year": 2022, "value": 1.0},
            {"kpi": "N23590", "municipality_id": "1462", "year": 2022, "value": 1.0},
        ]
    )
    issues = check_suppression(pd.concat([v, flags], ignore_index=True), catalog=cat)
    sup = issues.loc[issues["check"] == "suppressed", "detail"].item()
    assert sup.endswith(" Kolada anger att färre än 30 svarade.")
    few = issues.loc[issues["check"] == "few_respondents", "detail"].item()
    assert few == "Kolada anger att färre än 30 svarade: värdet vilar på ett litet underlag."
    assert not issues["detail"].str.contains("Enkätfölj").any()


def test_small_values_keep_their_digits_in_jump_details(cat):
    """A spread of 0,004 must not read ``robust spridning 0``: small numbers keep two digits."""
    v = panel("U23433", base=0.05, slope=0.0)
    v["value"] = 0.05 + (v["value"] - 0.05) / 1000  # spread of about 0,001
    v = set_value(v, "U23433", "1482", 2020, 0.5)
    issues = check_jumps(v, catalog=cat)
    detail = issues.loc[issues["year"] == 2020, "detail"].item()
    assert "robust spridning" not in detail
    assert " låg 0 från den" not in detail and "till 0,5)" in detail
    scale = re.search(r"en typisk kommun låg (\S+) från den", detail).group(1)
    assert float(scale.replace(",", ".")) > 0


def test_stale_and_discontinued_details_read_plainly(cat):
    v = pd.concat(
        [panel("U23433"), panel("N20007", base=50_000, years=YEARS[:-2])], ignore_index=True
    )
    stale = check_stale(v, catalog=cat)["detail"].item()
    assert stale == (
        "Senaste år med värden är 2020, medan andra nyckeltal har värden till 2022. Troligen är "
        "senare år ännu inte publicerade eller hämtade, eller så har nyckeltalet upphört."
    )
    v2 = pd.concat([panel("U23433", years=(*YEARS, 2023)), panel("U23495")], ignore_index=True)
    done = check_stale(v2, catalog=cat)["detail"].item()
    # the catalogue's text follows a colon: no full stop of its own, first letter small
    assert done == (
        "Senaste år med värden är 2022. Enligt katalogen: nyckeltalet upphörde efter 2022."
    )


def test_known_break_texts_embed_the_catalogue_text_in_lower_case(cat):
    shows = check_level_shifts(_shifted("N20900", 2019, -6.0, base=0.0, slope=0.0), catalog=cat)
    assert "(ny beräkningsmetod från 2019). Det syns" in shows["detail"].item()
    hidden = check_level_shifts(panel("N20900", base=0.0, slope=0.0), catalog=cat)
    assert (
        hidden["detail"]
        .item()
        .startswith(
            "Katalogen anger ett definitionsbyte (ny beräkningsmetod från 2019), men ingen gemensam"
        )
    )
    for detail in (shows["detail"].item(), hidden["detail"].item()):
        assert ".)" not in detail and ".;" not in detail
