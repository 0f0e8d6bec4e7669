"""Tests of the synthetic demo data (fou.data.demo)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fou.core.catalog import load_catalog
from fou.core.errors import DataValidationError
from fou.core.registry import (
    GR_GROUP_ID,
    GR_MUNICIPALITIES,
    SIMILAR_GROUP_IDS,
    municipalities,
    similar_group,
)
from fou.core.schema import KEY_COLUMNS, VALUES_SCHEMA, validate_values
from fou.data import demo
from fou.data.dataset import load_dataset

CAT = load_catalog()


@pytest.fixture(scope="module")
def data() -> demo.DemoData:
    return demo.generate_demo()


@pytest.fixture(scope="module")
def munis(data: demo.DemoData) -> pd.DataFrame:
    """Municipality rows (no Riket/regions), all genders."""
    v = data.values
    return v[~v["municipality_id"].str.startswith("00")]


def _wide(values: pd.DataFrame, kpi: str, gender: str = "T") -> pd.DataFrame:
    sel = values[(values["kpi"] == kpi) & (values["gender"] == gender)]
    return sel.pivot(index="municipality_id", columns="year", values="value")


def _planted(problem: str) -> pd.DataFrame:
    p = demo.PLANTED
    return p[p["problem"] == problem]


def _planted_keys(problem: str) -> set[tuple[str, str, int]]:
    return {(r.kpi, r.municipality_id, int(r.year)) for r in _planted(problem).itertuples()}


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_values_and_bytes(data: demo.DemoData, tmp_path: Path) -> None:
    again = demo.generate_demo()
    pd.testing.assert_frame_equal(data.values, again.values)
    pd.testing.assert_frame_equal(data.raw, again.raw)
    pd.testing.assert_frame_equal(data.groups, again.groups)
    a = demo.write_demo_dataset(tmp_path / "a", data)
    b = demo.write_demo_dataset(tmp_path / "b", again)
    for name in ("values.parquet", "raw_values.parquet", "groups.parquet", "provenance.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_other_seed_gives_other_values(data: demo.DemoData) -> None:
    other = demo.generate_demo_values(seed=demo.DEMO_SEED + 1)
    assert len(other) == len(data.values)
    assert not np.allclose(other["value"].fillna(-1), data.values["value"].fillna(-1))


# ----------------------------------------------------------------------------- coverage and schema


def test_every_catalogue_id_municipality_and_year(data: demo.DemoData) -> None:
    v = data.values
    assert set(v["kpi"]) == set(CAT.all_ids)
    ids = set(municipalities()["municipality_id"])
    assert set(v["municipality_id"]) == ids
    assert len(ids) == 290 + 22
    assert sorted(v["year"].unique()) == list(demo.DEMO_YEARS)
    assert len(demo.DEMO_YEARS) >= 10 and max(demo.DEMO_YEARS) == demo.DEMO_LAST_YEAR
    munis = v[~v["municipality_id"].str.startswith("00")]
    per_kpi = munis.groupby("kpi")["municipality_id"].nunique()
    assert (per_kpi == 290).all()


def test_genders_t_for_all_and_k_m_for_survey(data: demo.DemoData) -> None:
    v = data.values
    survey = set(CAT.kpis.loc[CAT.kpis["survey"], "kpi"])
    with_km = set(v.loc[v["gender"] != "T", "kpi"])
    assert survey <= with_km
    assert set(v.loc[v["gender"] == "T", "kpi"]) == set(CAT.all_ids)
    register = set(CAT.kpis.loc[CAT.kpis["by_gender"] & ~CAT.kpis["survey"], "kpi"])
    register -= set(CAT.kpis.loc[CAT.kpis["unit"] == "msek", "kpi"])
    assert register <= with_km  # register key figures Kolada divides by gender
    assert with_km - survey - register <= {"U23592", "U23594"}  # respondents by gender


def test_values_are_schema_valid_and_clearly_demo(data: demo.DemoData) -> None:
    validate_values(data.values, origin="demo")
    assert set(data.values["source"]) == {"demo"}
    VALUES_SCHEMA.validate(data.raw)
    with pytest.raises(DataValidationError):
        validate_values(data.raw, origin="raw")


def test_missing_is_nan_never_zero_for_survey(data: demo.DemoData, munis: pd.DataFrame) -> None:
    # shares of positive answers (60–97 %) are never 0 in a municipality; a 0 would be a
    # suppressed result written as 0 (rare answers such as loneliness can truly be 0)
    k = CAT.kpis
    survey = k.loc[k["survey"] & (k["better"] == "higher"), "kpi"]
    values = munis.loc[munis["kpi"].isin(survey), "value"]
    assert values.isna().any()
    assert (values.dropna() > 0).all()


def test_values_within_unit_ranges_except_planted(munis: pd.DataFrame) -> None:
    units = dict(zip(CAT.kpis["kpi"], CAT.kpis["unit"], strict=True))
    planted = _planted_keys("out_of_range") | _planted_keys("negative_cost")
    keys = list(zip(munis["kpi"], munis["municipality_id"], munis["year"], strict=True))
    clean = munis[[k not in planted for k in keys]]
    unit = clean["kpi"].map(units)
    pct = clean.loc[unit == "percent", "value"].dropna()
    assert pct.between(0, 100).all()
    rates = ["sek", "per_100k", "days", "per_inhabitant", "days_per_inhabitant"]
    positive = clean.loc[unit.isin(rates), "value"]
    assert (positive.dropna() > 0).all()
    flags = clean.loc[unit == "flag", "value"].dropna()
    assert set(flags.unique()) <= {0.0, 1.0}


@pytest.mark.parametrize(
    ("kpi", "low", "high"),
    [("N20007", 30_000, 110_000), ("N23009", 400_000, 1_600_000), ("U21463", 75, 97),
     ("N01960", 12, 32), ("N20402", 4_000, 8_000), ("U23592", 20, 1_000)],
)  # fmt: skip
def test_plausible_levels(munis: pd.DataFrame, kpi: str, low: float, high: float) -> None:
    v = munis.loc[(munis["kpi"] == kpi) & (munis["gender"] == "T"), "value"].dropna()
    q05, q95 = v.quantile([0.05, 0.95])
    assert low < q05 < q95 < high


# ----------------------------------------------------------------------------- structure


def test_municipality_effects_persist_and_items_correlate(munis: pd.DataFrame) -> None:
    w = _wide(munis, "U21463")
    assert w[2018].corr(w[2019]) > 0.4
    year = demo.DEMO_LAST_YEAR - 1
    t = munis[(munis["gender"] == "T") & (munis["year"] == year)]
    wide = t.pivot(index="municipality_id", columns="kpi", values="value")
    pc_items = ["U21463", "U21466", "U21455", "U23461", "U23506"]
    corr = wide[pc_items].corr().to_numpy()
    assert corr[np.triu_indices(len(pc_items), 1)].min() > 0.3
    assert wide["N20007"].corr(wide["N01813"]) > 0.3
    assert wide["N20007"].corr(wide["N20900"]) > 0.3
    # a person-centred item is (nearly) unrelated to costs
    assert abs(wide["U21463"].corr(wide["N20007"])) < 0.3


def test_derived_key_figures_are_consistent(munis: pd.DataFrame) -> None:
    year = demo.DEMO_LAST_YEAR - 3
    t = munis[(munis["gender"] == "T") & (munis["year"] == year)]
    w = t.pivot(index="municipality_id", columns="kpi", values="value")
    ratio = w["N20048"] / (w["N20007"] * w["N01960"] / w["N01813"])
    assert ratio.between(0.85, 1.15).mean() > 0.95
    assert np.sign(w["N20029"]).eq(np.sign(w["N20900"])).mean() > 0.95


def test_survey_not_run_year_is_empty_for_all(data: demo.DemoData) -> None:
    survey = set(CAT.kpis.loc[CAT.kpis["survey"], "kpi"])
    companions = set(CAT.kpis.loc[CAT.kpis["role"] == "companion", "kpi"])
    v = data.values[data.values["kpi"].isin(survey | companions)]
    for year in CAT.survey_not_run:
        gap = v[v["year"] == year]
        assert len(gap) > 0
        assert gap["value"].isna().all()
        assert set(gap["municipality_id"]) == set(municipalities()["municipality_id"])
    other = v[~v["year"].isin(CAT.survey_not_run)]
    assert other["value"].notna().mean() > 0.6


def _respondents(values: pd.DataFrame) -> pd.DataFrame:
    """Respondents per area, municipality, year and gender from the companions."""
    rows = CAT.kpis[CAT.kpis["survey"]]
    area_of = dict(zip(rows["kpi"], rows["respondents_kpi"], strict=True))
    resp = values[values["kpi"].isin(set(area_of.values()))]
    return resp.rename(columns={"kpi": "resp_kpi", "value": "respondents"})[
        ["resp_kpi", "municipality_id", "year", "gender", "respondents"]
    ], area_of


def test_suppression_only_where_fewer_than_30_respondents(munis: pd.DataFrame) -> None:
    resp, area_of = _respondents(munis)
    survey = munis[munis["kpi"].isin(area_of)].copy()
    survey["resp_kpi"] = survey["kpi"].map(area_of)
    merged = survey.merge(resp, on=["resp_kpi", "municipality_id", "year", "gender"], how="left")
    merged = merged[~merged["year"].isin(CAT.survey_not_run)]
    assert merged["respondents"].notna().all()
    planted = _planted_keys("extra_suppression")
    keys = merged[["kpi", "municipality_id", "year", "gender"]].itertuples(index=False)
    is_planted = [(k, m, y) in planted and g == "T" for k, m, y, g in keys]
    rest = merged[~np.asarray(is_planted)]
    few = rest["respondents"] < CAT.min_respondents
    assert few.any() and (~few).any()
    assert rest.loc[few, "value"].isna().all()
    assert rest.loc[~few, "value"].notna().all()
    # small municipalities are suppressed now and then, not always
    t_few = rest[few & (rest["gender"] == "T")]
    assert 0 < t_few["municipality_id"].nunique() < 150


def test_flag_and_response_rates(munis: pd.DataFrame) -> None:
    for area in ("hemtjänst", "särskilt boende"):
        row = CAT.kpis[(CAT.kpis["area"] == area) & CAT.kpis["survey"]].iloc[0]
        n = _wide(munis, row["respondents_kpi"])
        flag = _wide(munis, row["few_respondents_kpi"])
        rate = _wide(munis, row["response_rate_kpi"])
        n, flag, rate = (x.stack().dropna() for x in (n, flag, rate))  # drop the survey gap
        assert len(n) == len(flag) == len(rate) > 0
        assert ((n < 30).astype(float) == flag).all()
        assert rate.between(40, 70).all()


def test_definition_breaks_are_shared_level_shifts(munis: pd.DataFrame) -> None:
    shifts = CAT.breaks[~CAT.breaks["change"].str.contains("upphörde")]
    listed = set(zip(shifts["kpi"], shifts["year"], strict=True))
    assert {("N20900", 2019), ("N23009", 2024)} <= listed
    for b in shifts.itertuples():
        w = _wide(munis, b.kpi)
        if CAT.row(b.kpi)["unit"] == "sek":
            w = np.log(w.where(w > 0))
        change = w.diff(axis=1)
        at_break = change[b.year]
        others = change.drop(columns=[change.columns[0], b.year]).median()  # trend: typical change
        excess = at_break - others.median()
        assert abs(excess.median()) > 4 * (others - others.median()).abs().max(), b.kpi
        assert (np.sign(excess) == np.sign(excess.median())).mean() > 0.75, b.kpi


def test_ended_key_figures_have_no_rows_after_the_end(data: demo.DemoData) -> None:
    ended = CAT.breaks[CAT.breaks["change"].str.contains("upphörde")]
    assert len(ended) >= 2
    for b in ended.itertuples():
        years = data.values.loc[data.values["kpi"] == b.kpi, "year"]
        assert years.max() == b.year - 1


def test_aggregates_are_weighted_means_and_sums(data: demo.DemoData) -> None:
    v = data.values
    t = v[(v["gender"] == "T") & (v["year"] == 2020)]
    # Gotland is a region of one municipality: the weighted mean is its own value
    got = t.set_index(["kpi", "municipality_id"])["value"]
    for kpi in ("N20007", "N01960", "U21452"):
        assert got[(kpi, "0009")] == pytest.approx(got[(kpi, "0980")])
    # a region's mean lies within its members' range; Riket has 290 contributors
    vg = t[t["kpi"] == "N20402"].set_index("municipality_id")
    members = [m for m in vg.index if m.startswith("14")]
    member_values = vg.loc[members, "value"]
    assert member_values.min() <= vg.at["0014", "value"] <= member_values.max()
    assert vg.at["0000", "count"] == 290
    assert vg.at["1480", "count"] == 1
    # mnkr and respondents are sums
    msek = t[t["kpi"] == "N20029"].set_index("municipality_id")["value"]
    assert msek["0000"] == pytest.approx(msek[~msek.index.str.startswith("00")].sum(), abs=20)
    resp = t[t["kpi"] == "U23592"].set_index("municipality_id")["value"]
    assert resp["0000"] == resp[~resp.index.str.startswith("00")].sum()


# ----------------------------------------------------------------------------- planted problems


def test_planted_table_lists_problems_in_and_outside_gr() -> None:
    p = demo.PLANTED
    assert list(p.columns) == list(demo.PLANTED_COLUMNS)
    pd.testing.assert_frame_equal(p, demo.planted_problems())
    kinds = set(p.loc[p["kind"] == "planted", "problem"])
    assert kinds == {"jump", "out_of_range", "negative_cost", "stale_kpi", "extra_suppression",
                     "duplicate", "contradicting_duplicate", "unlisted_break"}  # fmt: skip
    assert {"definition_break", "kpi_ended", "survey_not_run"} <= set(p["problem"])
    mids = p["municipality_id"].dropna()
    assert mids.isin(GR_MUNICIPALITIES).sum() >= 3
    assert (~mids.isin(GR_MUNICIPALITIES)).sum() >= 3


def _neighbours(w: pd.DataFrame, mid: str, year: int) -> pd.Series:
    return w.loc[mid, [year - 1, year + 1]]


def test_planted_jumps_stand_out(munis: pd.DataFrame) -> None:
    for r in _planted("jump").itertuples():
        w = _wide(munis, r.kpi)
        ratio = w.at[r.municipality_id, r.year] / _neighbours(w, r.municipality_id, r.year).mean()
        assert ratio > 2 or ratio < 0.55, (r.kpi, r.municipality_id)
        typical = (w[r.year] / w[[r.year - 1, r.year + 1]].mean(axis=1)).drop(r.municipality_id)
        assert typical.between(0.6, 1.6).mean() > 0.97


def test_planted_range_errors_and_gaps(data: demo.DemoData, munis: pd.DataFrame) -> None:
    for r in _planted("out_of_range").itertuples():
        assert _wide(munis, r.kpi).at[r.municipality_id, r.year] > 100
    for r in _planted("negative_cost").itertuples():
        assert _wide(munis, r.kpi).at[r.municipality_id, r.year] < 0
    resp, area_of = _respondents(munis)
    for r in _planted("extra_suppression").itertuples():
        w = _wide(munis, r.kpi)
        assert np.isnan(w.at[r.municipality_id, r.year])
        assert _neighbours(w, r.municipality_id, r.year).notna().all()
        if r.kpi in area_of:
            as_values = resp.rename(columns={"resp_kpi": "kpi", "respondents": "value"})
            n = _wide(as_values, area_of[r.kpi])
            assert n.at[r.municipality_id, r.year] >= 30


def test_planted_unlisted_break_is_a_shared_shift(munis: pd.DataFrame) -> None:
    (row,) = _planted("unlisted_break").itertuples()
    assert row.kpi not in set(CAT.breaks["kpi"])
    change = _wide(munis, row.kpi).diff(axis=1)
    at_break = np.sign(change[row.year])
    assert (at_break == at_break.median()).mean() > 0.75
    before = np.sign(change[row.year - 1])
    assert (before == before.median()).mean() < 0.75


def test_planted_stale_key_figure(data: demo.DemoData) -> None:
    (row,) = _planted("stale_kpi").itertuples()
    last = data.values.groupby("kpi")["year"].max()
    assert last[row.kpi] == row.year < demo.DEMO_LAST_YEAR
    ended = set(CAT.breaks.loc[CAT.breaks["change"].str.contains("upphörde"), "kpi"])
    assert (last.drop([row.kpi, *ended]) == demo.DEMO_LAST_YEAR).all()


def test_planted_duplicates_are_in_the_raw_delivery(data: demo.DemoData, tmp_path: Path) -> None:
    raw = data.raw
    dup = raw[raw.duplicated(list(KEY_COLUMNS), keep=False)]
    groups = dup.groupby(list(KEY_COLUMNS))["value"]
    found_same = {k[:3] for k, g in groups if g.nunique(dropna=False) == 1}
    found_diff = {k[:3] for k, g in groups if g.nunique(dropna=False) == 2}
    assert found_same == _planted_keys("duplicate")
    assert found_diff == _planted_keys("contradicting_duplicate")
    n_planted = len(_planted("duplicate")) + len(_planted("contradicting_duplicate"))
    assert len(raw) == len(data.values) + n_planted
    assert not data.values.duplicated(list(KEY_COLUMNS)).any()
    target = demo.write_demo_dataset(tmp_path / "demo", data)
    pd.testing.assert_frame_equal(demo.read_demo_raw(target), raw)


# ----------------------------------------------------------------------------- groups


def test_groups_gr_and_similar_municipalities(data: demo.DemoData) -> None:
    g = data.groups
    assert list(g.columns) == ["group_id", "title", "municipality_id"]
    gr = g.loc[g["group_id"] == GR_GROUP_ID, "municipality_id"]
    assert sorted(gr) == sorted(GR_MUNICIPALITIES)
    assert g["group_id"].nunique() == 1 + 290
    for mid, gid in SIMILAR_GROUP_IDS.items():
        found_gid, title, members = similar_group(mid, g)
        assert found_gid == gid
        assert title.startswith("Liknande kommuner äldreomsorg, ")
        assert title.endswith(str(demo.DEMO_LAST_YEAR))
        assert len(members) == demo.SIMILAR_GROUP_SIZE and mid not in members
    # a non-GR municipality is found by title
    assert len(similar_group("0114", g)[2]) == demo.SIMILAR_GROUP_SIZE
    # the three big cities are each other's neighbours
    assert {"0180", "1280"} <= set(similar_group("1480", g)[2])


# ----------------------------------------------------------------------------- files


def test_ensure_demo_dataset_writes_once_and_regenerates_stale(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "processed" / "demo"
    assert demo.ensure_demo_dataset(target) == target
    names = {p.name for p in target.iterdir()}
    assert names == {
        "values.parquet", "raw_values.parquet", "groups.parquet", "kpis.parquet", "provenance.json",
    }  # fmt: skip
    prov = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    assert prov["source"] == "demo"
    assert prov["snapshot_id"] == f"demo-{demo.GENERATOR_VERSION}-seed{demo.DEMO_SEED}"
    assert prov["years"] == [min(demo.DEMO_YEARS), max(demo.DEMO_YEARS)]
    kpis = pd.read_parquet(target / "kpis.parquet")
    assert set(kpis["kpi"]) == set(CAT.all_ids)

    def boom(**_: object) -> None:
        raise AssertionError("should not regenerate")

    with monkeypatch.context() as m:
        m.setattr(demo, "generate_demo", boom)
        demo.ensure_demo_dataset(target)  # current: nothing generated
    prov["snapshot_id"] = "demo-0-seed1"
    (target / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    demo.ensure_demo_dataset(target)
    prov = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    assert prov["snapshot_id"] == demo.snapshot_id()
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


def test_load_dataset_demo_in_a_project(project: Path) -> None:
    ds = load_dataset("demo", root=project)
    assert ds.is_demo
    assert ds.provenance.snapshot_id == demo.snapshot_id()
    assert ds.provenance.created_at.startswith(str(demo.DEMO_LAST_YEAR + 1))
    assert ds.years == list(demo.DEMO_YEARS)
    assert set(ds.kpi_titles) == set(CAT.all_ids)
    assert (project / "data" / "processed" / "demo" / "values.parquet").exists()
    assert similar_group("1440", ds.groups)[0] == SIMILAR_GROUP_IDS["1440"]
    auto = load_dataset("auto", root=project)  # no Kolada fetch: demo data
    assert auto.is_demo and len(auto.values) == len(ds.values)
